// The one comparison of emails wherever an email decides who someone is: a rep's identity
// token against the extension mapping, a PBX user against a Salesforce user, and the admin
// check's list of look-alike users. Salesforce and mail systems treat an address without
// regard to case and after Unicode normalization; a look-alike address abuses exactly that
// folding (U+212A KELVIN SIGN lower-cases to "k", fullwidth letters fold to ASCII under NFKC)
// or needs none (Cyrillic "а" looks like Latin "a"). So two emails are the `same` only when
// they are written alike up to letter case and both are plain text; emails that fold to one
// address or look alike without being the same are a `look-alike`: refused, and worth telling
// the admin about. `hiddenDifference` says where, for the admin check's explanation.
import unhomoglyph from 'unhomoglyph';

export type EmailComparison = 'same' | 'look-alike' | 'different';

/**
 * The email as Salesforce and mail systems compare it: trimmed, NFKC-normalized, lower-cased.
 * The key of an email index: two emails with one key are `same` or `look-alike`, never
 * `different` — so look up by key, then decide with compareEmails.
 */
export function emailKey(email: string): string {
  return email.trim().normalize('NFKC').toLowerCase();
}

/** Invisible characters: format (zero-width joiners, soft hyphen, direction marks) and controls. */
const INVISIBLE = /[\p{Cf}\p{Cc}]/u;
const EVERY_INVISIBLE = new RegExp(INVISIBLE.source, 'gu');

/**
 * The UTS #39 skeleton of the case-folded email: NFD, each character replaced by its prototype
 * from Unicode's confusables.txt (the `unhomoglyph` package carries that table), NFD again,
 * lower-cased, invisible characters dropped. Emails that look alike share a skeleton:
 * Cyrillic "аna" and "ana", "rn" and "m", "j0hn" and "john". Not for display.
 */
export function emailSkeleton(email: string): string {
  const folded = emailKey(email).replace(EVERY_INVISIBLE, '').normalize('NFD');
  return unhomoglyph(folded).normalize('NFD').toLowerCase();
}

/**
 * Plain: already NFKC (no Kelvin sign, fullwidth letters, ligatures, decomposed accents), no
 * invisible characters, and each part — the local part and each domain label — written in one
 * script (Chinese, Japanese and Korean count as one each, with their mix of scripts).
 */
export function isPlainEmail(email: string): boolean {
  const text = email.trim();
  if (text !== text.normalize('NFKC')) return false;
  if (INVISIBLE.test(text)) return false;
  return text.split(/[@.]/).every((part) => scriptsOf(part).size <= 1);
}

/**
 * `same`: written alike, or alike but for letter case with both plain. `look-alike`: one
 * address once folded, or the same skeleton, without being the same — grant nothing on it.
 * `different`: anything else. Never throws.
 */
export function compareEmails(a: string, b: string): EmailComparison {
  const left = typeof a === 'string' ? a.trim() : '';
  const right = typeof b === 'string' ? b.trim() : '';
  if (left === right) return 'same';
  if (emailKey(left) === emailKey(right))
    return isPlainEmail(left) && isPlainEmail(right) ? 'same' : 'look-alike';
  return emailSkeleton(left) === emailSkeleton(right) ? 'look-alike' : 'different';
}

/** Scripts whose letters may share one part of an address; anything else counts as "other". */
const SCRIPT_GROUPS: ReadonlyArray<{ name: string; pattern: RegExp }> = [
  { name: 'Latin', pattern: /\p{Script=Latin}/u },
  { name: 'Cyrillic', pattern: /\p{Script=Cyrillic}/u },
  { name: 'Greek', pattern: /\p{Script=Greek}/u },
  { name: 'Armenian', pattern: /\p{Script=Armenian}/u },
  { name: 'Georgian', pattern: /\p{Script=Georgian}/u },
  { name: 'Hebrew', pattern: /\p{Script=Hebrew}/u },
  { name: 'Arabic', pattern: /\p{Script=Arabic}/u },
  { name: 'Devanagari', pattern: /\p{Script=Devanagari}/u },
  { name: 'Thai', pattern: /\p{Script=Thai}/u },
  { name: 'Cherokee', pattern: /\p{Script=Cherokee}/u },
  {
    name: 'CJK',
    pattern: /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u,
  },
];

function scriptsOf(text: string): Set<string> {
  const scripts = new Set<string>();
  for (const char of text) {
    if (!/\p{L}/u.test(char)) continue;
    scripts.add(SCRIPT_GROUPS.find((group) => group.pattern.test(char))?.name ?? 'other');
  }
  return scripts;
}

/** The first character where two addresses differ in a way a reader would not see, if any. */
export function hiddenDifference(a: string, b: string): string | undefined {
  const left = Array.from(a.trim());
  const right = Array.from(b.trim());
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const x = left[i];
    const y = right[i];
    // Plain letters that differ only by case are the same address; anything else is not.
    if (
      x === y ||
      (x !== undefined &&
        y !== undefined &&
        isPlain(x) &&
        isPlain(y) &&
        x.toLowerCase() === y.toLowerCase())
    )
      continue;
    const odd = x !== undefined && !isPlain(x) ? x : y;
    if (odd === undefined) return undefined;
    return `${codePoint(odd)} at character ${i + 1}`;
  }
  return undefined;
}

function isPlain(c: string): boolean {
  return /^[\x20-\x7e]$/.test(c);
}

function codePoint(c: string): string {
  return `U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}
