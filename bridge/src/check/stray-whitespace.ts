// Secrets pasted from a browser or a password manager: the classic "it is installed and nothing
// works". Whitespace around a value is trimmed by the configuration (a warning, since whatever
// else was pasted the same way may not trim it); whitespace or an invisible character inside one
// is never part of a key or a token, and fails the step that uses it.
import { envNameOf } from '../config/load';
import type { CheckProblem } from './check-report';

/** Zero-width and other invisible format characters, and any whitespace (NBSP included). */
const INVISIBLE = /[\s\u00AD\u180E\u200B-\u200F\u2060-\u2064\uFEFF]/u;

export interface StrayWhitespace {
  problems: CheckProblem[];
  warnings: CheckProblem[];
}

/** Looks at each secret as written (before validation trimmed it). */
export function strayWhitespace(
  secrets: ReadonlyArray<{ key: string; written: unknown }>,
): StrayWhitespace {
  const found: StrayWhitespace = { problems: [], warnings: [] };
  for (const { key, written } of secrets) {
    if (typeof written !== 'string') continue;
    const trimmed = written.trim();
    const inside = INVISIBLE.exec(trimmed);
    const where = `${key} (or ${envNameOf(key)})`;
    if (inside !== null)
      found.problems.push({
        message: `${key} has ${describeCharacter(inside[0])} inside it, at character ${inside.index + 1}; no key or token contains one.`,
        fix: `Paste ${where} again from its source, without the ${describeCharacter(inside[0])}.`,
      });
    else if (trimmed !== written && trimmed !== '')
      found.warnings.push({
        message: `${key} was written with ${describeCharacter(written.replace(trimmed, ''))} around it; the bridge trims it.`,
        fix: `Remove the whitespace around ${where}; wherever else you pasted it may not trim it.`,
      });
  }
  return found;
}

/** How a person would name the first character of `text`. */
function describeCharacter(text: string): string {
  const c = text.charAt(0);
  if (c === ' ') return 'a space';
  if (c === '\n' || c === '\r') return 'a line break';
  if (c === '\t') return 'a tab';
  if (c === '\u00A0') return 'a non-breaking space';
  const code = c.codePointAt(0) ?? 0;
  return `an invisible character (U+${code.toString(16).toUpperCase().padStart(4, '0')})`;
}
