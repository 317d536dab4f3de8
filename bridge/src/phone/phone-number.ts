// The only place phone logic lives: turning whatever a PBX sends or a user typed into a
// Salesforce phone field into E.164, and turning E.164 back into search terms, display text and
// the digits a PBX dials. Built on libphonenumber-js with its full ("max") metadata, so validity
// and national formats follow the ITU plans rather than hand-written rules.
import {
  isSupportedCountry,
  parsePhoneNumberFromString,
  type CountryCode,
  type PhoneNumber,
} from 'libphonenumber-js/max';
import { ErrorCodes, SwitchboardError } from '../errors';

export interface NormalizedNumber {
  /** The input exactly as given. */
  raw: string;
  /** `+<country code><national number>`, or null when withheld, internal or not a number. */
  e164: string | null;
  /** An extension written after the number (`x12`, `ext. 12`, `;ext=12`, `#12`). */
  extension: string | null;
  /** The caller withheld their number (anonymous, private, restricted, empty…). */
  withheld: boolean;
  /** A short all-digit number: an extension on the same PBX, never looked up. */
  internal: boolean;
}

export interface NormalizeOptions {
  /** ISO 3166 alpha-2 country for numbers written without a country code (phone.defaultCountry). */
  defaultCountry: string;
  /** All-digit numbers up to this length are internal extensions (phone.internalMaxDigits). */
  internalMaxDigits: number;
  /** A more specific country for this one number (e.g. the record's country), if known. */
  country?: string;
}

export interface DialFormatOptions {
  dialFormat: 'e164' | 'national';
  /** Digits the PBX needs to reach an outside line; used with the national format only. */
  outsideLinePrefix: string;
  defaultCountry: string;
}

/**
 * What PBXes and carriers send instead of a number when the caller hides it, compared with
 * everything but letters removed and lower-cased ("Private Number" → "privatenumber").
 */
const WITHHELD_WORDS = new Set([
  'anonymous',
  'anonym',
  'unknown',
  'private',
  'privatenumber',
  'restricted',
  'withheld',
  'unavailable',
  'notavailable',
  'blocked',
  'nocallerid',
  'unknowncaller',
  'notprovided',
]);

/** Characters people and PBXes put between digits; none of them changes the number. */
const FORMATTING = /[\s.\-/()[\]\u00a0\u2010-\u2015]/g;

const EMPTY_RESULT = { e164: null, extension: null, withheld: false, internal: false } as const;

/**
 * Normalizes one number from any source (PBX caller id, SIP/tel URI, a Salesforce phone field).
 * Never throws: anything that is not a number comes back with `e164: null`.
 */
export function normalizeNumber(raw: string, options: NormalizeOptions): NormalizedNumber {
  const input = typeof raw === 'string' ? raw : '';
  try {
    return { raw: input, ...normalize(input, options) };
  } catch {
    // libphonenumber-js does not throw from the functions used here; this is belt and braces
    // for "bad input never crashes the bridge".
    return { raw: input, ...EMPTY_RESULT };
  }
}

function normalize(input: string, options: NormalizeOptions): Omit<NormalizedNumber, 'raw'> {
  const text = unwrapUri(input.trim());
  if (isWithheld(text)) return { ...EMPTY_RESULT, withheld: true };

  const compact = text.replace(FORMATTING, '');
  if (/^\d+$/.test(compact) && compact.length <= options.internalMaxDigits)
    return { ...EMPTY_RESULT, internal: true };

  const parsed = parse(text, options.country ?? options.defaultCountry);
  if (parsed === undefined) return { ...EMPTY_RESULT };
  return { ...EMPTY_RESULT, e164: parsed.number, extension: parsed.ext ?? null };
}

/**
 * `sip:+4971311234@pbx;transport=udp` → `+4971311234`; `tel:+1-415-555-1212;ext=12` →
 * `+1-415-555-1212;ext=12`; `"Alice" <sip:201@pbx>` → `201`. Other text passes through.
 */
function unwrapUri(text: string): string {
  const angle = /<([^>]*)>/.exec(text);
  const inner = (angle?.[1] ?? text).trim();
  const uri = /^(sips?|tel):(.*)$/i.exec(inner);
  if (uri === null) return angle === null ? text : inner;
  const scheme = (uri[1] ?? '').toLowerCase();
  const rest = uri[2] ?? '';
  if (scheme === 'tel') {
    const [number = '', ...params] = rest.split(';');
    const ext = params.find((p) => /^ext=/i.test(p));
    return ext === undefined ? number : `${number};${ext}`;
  }
  // SIP: the user part carries the number; parameters after ';' never belong to it.
  const user = rest.split('@')[0] ?? '';
  return decodeUriPart(user.split(';')[0] ?? '');
}

function decodeUriPart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

function isWithheld(text: string): boolean {
  if (text === '') return true;
  const letters = text.toLowerCase().replace(/[^a-z]/g, '');
  if (letters !== '' && WITHHELD_WORDS.has(letters) && !/\d/.test(text)) return true;
  // Some carriers send "0" or "00" for a suppressed caller id.
  return /^0{1,2}$/.test(text.replace(FORMATTING, ''));
}

function parse(text: string, country: string): PhoneNumber | undefined {
  const defaultCountry = toCountryCode(country);
  const first = possible(parsePhoneNumberFromString(text, { defaultCountry }));
  if (first !== undefined) return first;
  // "00" is the international prefix in most of the world, and stored numbers keep it even
  // where the default country uses another (the US dials 011): try it as "+" before giving up.
  // Separators may follow it too: "00-49-7131-123456", "00.44.20…" (found by fuzzing).
  const compact = text.replace(FORMATTING, '');
  if (/^00[1-9]/.test(compact)) return possible(parsePhoneNumberFromString(`+${compact.slice(2)}`));
  return undefined;
}

/** Possible (right length for its country), not necessarily valid: demo and test data use
 * fictional ranges such as 555, and a wrong rejection costs a missed screen pop. */
function possible(number: PhoneNumber | undefined): PhoneNumber | undefined {
  return number?.isPossible() === true ? number : undefined;
}

function toCountryCode(country: string | undefined): CountryCode | undefined {
  const upper = (country ?? '').trim().toUpperCase();
  return isSupportedCountry(upper) ? upper : undefined;
}

function parseE164(e164: string): PhoneNumber | undefined {
  // E.164 allows 15 digits, but normalizeNumber keeps what the country's plan calls possible:
  // a German number with a long direct-dial part has 16 or 17. Whatever it produced is looked up.
  if (!/^\+[1-9]\d{1,16}$/.test(e164)) return undefined;
  return possible(parsePhoneNumberFromString(e164));
}

const digitsOf = (text: string) => text.replace(/\D/g, '');

/**
 * What a phone search should try for this number, e.g. for +497131123456: its digits as people
 * store them without separators — `497131123456`, `7131123456`, `07131123456`, with the
 * international prefix `00497131123456` and the "(0)" some write after the country code
 * `4907131123456`, `004907131123456` — and its usual groupings as phrases, `07131 123456` and
 * `7131 123456` (what remains of `+49 (0)7131 123456` once a search index has split it at spaces
 * and punctuation). Digits and single spaces only, so nothing in them can act as search syntax.
 * Empty for anything that is not E.164.
 */
export function phoneSearchTerms(e164: string): string[] {
  const number = parseE164(e164);
  if (number === undefined) return [];
  const cc = number.countryCallingCode;
  const nsn = number.nationalNumber;
  const national = digitsOf(number.formatNational());
  // The trunk prefix ("0" in DE and GB) is what the national form adds in front of the NSN.
  const trunk = national.endsWith(nsn) ? national.slice(0, national.length - nsn.length) : '';
  const groups = (text: string) => text.split(/\D+/).filter((g) => g !== '');
  const nationalGroups = groups(number.formatNational());
  const internationalGroups = groups(number.formatInternational()).slice(1);
  const terms = [
    digitsOf(number.number),
    nsn,
    // The national form as people write it at home, with the trunk prefix where there is one.
    national,
    `00${cc}${nsn}`,
    ...(trunk === '' ? [] : [`${cc}${trunk}${nsn}`, `00${cc}${trunk}${nsn}`]),
    ...(nationalGroups.length > 1 ? [nationalGroups.join(' ')] : []),
    ...(internationalGroups.length > 1 ? [internationalGroups.join(' ')] : []),
  ];
  return [...new Set(terms)].filter((t) => t.length >= 2);
}

/**
 * The number as people write it: `+49 7131 123456`; a number of `homeCountry` in its national
 * form (`(415) 555-1212` for US, `07131 123456` for DE), as reps there read their own numbers.
 * Unparseable input is returned as is.
 */
export function formatForDisplay(e164: string, homeCountry?: string): string {
  const number = parseE164(e164);
  if (number === undefined) return e164;
  const home = toCountryCode(homeCountry);
  return home !== undefined && number.country === home
    ? number.formatNational()
    : number.formatInternational();
}

/**
 * The number as the PBX should dial it: E.164, or the digits a desk phone in the default
 * country would dial (national with trunk prefix at home, international prefix abroad), after
 * the outside-line prefix. Throws DIAL_INVALID_NUMBER for anything that is not E.164.
 */
export function formatForDial(e164: string, options: DialFormatOptions): string {
  const number = parseE164(e164);
  if (number === undefined)
    throw new SwitchboardError(ErrorCodes.DIAL_INVALID_NUMBER, 'This is not a dialable number', {
      status: 400,
      hint: 'Pass the number in E.164 form, e.g. +4971311234567.',
    });
  if (options.dialFormat === 'e164') return number.number;
  const fromCountry = toCountryCode(options.defaultCountry);
  const local = fromCountry === undefined ? undefined : number.format('IDD', { fromCountry });
  const digits = local === undefined || local === '' ? number.number : digitsOf(local);
  return `${options.outsideLinePrefix}${digits}`;
}

/**
 * Whether two written numbers are the same phone line: both normalize to the same E.164.
 * Extensions are ignored (they reach the same line). A digit substring is never the same number.
 */
export function sameNumber(a: string, b: string, defaultCountry = 'US'): boolean {
  const options = { defaultCountry, internalMaxDigits: 0 };
  const left = normalizeNumber(a, options).e164;
  return left !== null && left === normalizeNumber(b, options).e164;
}

/**
 * The number as a trunk in the default country usually presents it as caller id: the national
 * form with its trunk prefix for home numbers (07131123456 in DE, 4155550100 in the US, where
 * the long-distance 1 is not part of the caller id), the international prefix for foreign ones
 * (0014155550100 from DE). Undefined for anything that is not E.164.
 */
export function formatAsNationalCallerId(e164: string, defaultCountry: string): string | undefined {
  const number = parseE164(e164);
  if (number === undefined) return undefined;
  const home = toCountryCode(defaultCountry);
  if (home === undefined) return digitsOf(number.number);
  if (number.country === home) return digitsOf(number.formatNational());
  const international = number.format('IDD', { fromCountry: home });
  return international === '' ? digitsOf(number.number) : digitsOf(international);
}
