// Emails that are meant to be the same address but are not the same text: written with a
// look-alike letter (Cyrillic а for Latin a, the KELVIN SIGN for K, fullwidth forms) or an
// invisible character. `check` uses this to explain why an extension matches no Salesforce user,
// or matches one it should not. A small table of the common confusables (Unicode TR39 has the
// full one); the hardening of the mapping itself (issue 14) may replace it with its own.

/** Latin letters that Cyrillic and Greek letters are commonly mistaken for. */
const CONFUSABLES: Record<string, string> = {
  а: 'a',
  в: 'b',
  е: 'e',
  к: 'k',
  м: 'm',
  н: 'h',
  о: 'o',
  р: 'p',
  с: 'c',
  т: 't',
  у: 'y',
  х: 'x',
  і: 'i',
  ј: 'j',
  ѕ: 's',
  ԁ: 'd',
  ԛ: 'q',
  ԝ: 'w',
  һ: 'h',
  ӏ: 'l',
  α: 'a',
  ε: 'e',
  ι: 'i',
  κ: 'k',
  ν: 'v',
  ο: 'o',
  ρ: 'p',
  τ: 't',
  υ: 'u',
  χ: 'x',
};
const INVISIBLE = /[\u00AD\u180E\u200B-\u200F\u2060-\u2064\uFEFF]/gu;

/** The address as a reader sees it: compatibility forms folded, look-alikes to Latin, lower case. */
export function emailSkeleton(email: string): string {
  const folded = email.normalize('NFKC').replace(INVISIBLE, '').trim().toLowerCase();
  return Array.from(folded, (c) => CONFUSABLES[c] ?? c).join('');
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
