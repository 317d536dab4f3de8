// Salesforce record ids for the emulated org: 15 case-sensitive characters (3-character key
// prefix of the sObject type first) plus the 3-character case checksum that makes the 18-character
// form safe in case-insensitive places. Code under test must cope with both forms.

const CHECKSUM_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** The 18-character form of a 15-character id (an 18-character id is returned unchanged). */
export function to18(id: string): string {
  if (id.length === 18) return id;
  if (id.length !== 15) throw new Error(`"${id}" is not a 15- or 18-character Salesforce id`);
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const c = id.charAt(chunk * 5 + i);
      if (c >= 'A' && c <= 'Z') bits |= 1 << i;
    }
    suffix += CHECKSUM_ALPHABET.charAt(bits);
  }
  return id + suffix;
}

export function isSalesforceId(value: string): boolean {
  if (!/^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/.test(value)) return false;
  return value.length === 15 || to18(value.slice(0, 15)) === value;
}

/** Same record? Accepts 15- and 18-character forms on either side, like SOQL does. */
export function sameId(a: string, b: string): boolean {
  return a.slice(0, 15) === b.slice(0, 15) && (a.length === 15 || b.length === 15 || a === b);
}

function base62(n: number, width: number): string {
  let out = '';
  let rest = n;
  do {
    out = BASE62.charAt(rest % 62) + out;
    rest = Math.floor(rest / 62);
  } while (rest > 0);
  return out.padStart(width, '0');
}

/** Issues ids for one org: prefix + a fixed "pod" segment + a counter, as real ids look. */
export class IdFactory {
  private next = 1;

  constructor(private readonly pod: string) {
    if (!/^[A-Za-z0-9]{5}$/.test(pod)) throw new Error('pod must be 5 alphanumeric characters');
  }

  create(keyPrefix: string, taken: (id: string) => boolean = () => false): string {
    for (;;) {
      const id = to18(`${keyPrefix}${this.pod}${base62(this.next++, 7)}`);
      if (!taken(id)) return id;
    }
  }
}
