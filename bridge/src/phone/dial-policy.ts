// Which numbers the bridge lets a rep dial, and exactly what the PBX is asked to dial: the one
// function every outbound number goes through (click-to-dial today, transfers to outside
// numbers later). Premium-rate and special ranges (+1 900, 0900, the +882/+883 international
// networks) never reach the PBX; letters in a vanity number ("1-800-FLOWERS") are turned into
// the keypad digits of ITU-T E.161, or refused, rather than silently dropped (which once dialed
// +491800). Every refusal is a SwitchboardError with a code, a hint for the rep and the rule
// that refused it (in `details.rule`, for the audit line).
import { parsePhoneNumberFromString, type PhoneNumberType } from 'libphonenumber-js/max';
import { ErrorCodes, SwitchboardError } from '../errors';
import { formatForDial, normalizeNumber, type DialFormatOptions } from './phone-number';

/** Number types (ITU plans, as libphonenumber's metadata classifies them) a policy may deny. */
export const DENIABLE_NUMBER_TYPES = [
  'premium-rate',
  'shared-cost',
  'toll-free',
  'voip',
  'personal-number',
  'pager',
  'uan',
  'voicemail',
] as const;
export type DeniableNumberType = (typeof DENIABLE_NUMBER_TYPES)[number];

/**
 * Prefixes (E.164) denied unless the admin says otherwise: premium-rate ranges of the common
 * countries — caught here even when the number is too odd for the metadata to classify — and
 * the satellite and international networks (+870, +881, +882, +883), whose calls cost many
 * times a normal one and are a favourite of toll fraud.
 */
export const DEFAULT_DENIED_PREFIXES: readonly string[] = [
  '+1900', // US/CA premium (1-900)
  '+49900', // DE premium (0900)
  '+49137', // DE mass-call / televoting (0137)
  '+4490', // GB premium (090)
  '+4491', // GB premium (091)
  '+4498', // GB sexual entertainment (098)
  '+3389', // FR premium (089)
  '+43900', // AT premium (0900)
  '+43930', // AT premium (0930)
  '+41900', // CH premium (0900)
  '+41906', // CH adult (0906)
  '+31900', // NL premium (0900)
  '+31906', // NL premium (0906)
  '+31909', // NL premium (0909)
  '+39899', // IT premium (899)
  '+34803', // ES premium (803)
  '+34806', // ES premium (806)
  '+34807', // ES premium (807)
  '+34905', // ES mass-call (905)
  '+61190', // AU premium (190)
  '+870', // Inmarsat
  '+881', // global mobile satellite systems (Iridium, Globalstar…)
  '+882', // international networks
  '+883', // international networks
  '+979', // international premium-rate service
];

export interface DialPolicy {
  /**
   * ISO 3166 countries whose numbers may be dialed (`[US, CA]`); empty: every country. A
   * number that belongs to no country (the +800/+88x international ranges) is then refused.
   */
  allowedCountries: readonly string[];
  /** E.164 prefixes never dialed (`+1900`); DEFAULT_DENIED_PREFIXES unless configured. */
  deniedPrefixes: readonly string[];
  /** Number types never dialed; default premium-rate. */
  deniedTypes: readonly DeniableNumberType[];
  /** Letters in a number: turned into keypad digits (ITU-T E.161), or the number refused. */
  letters: 'convert' | 'refuse';
}

export interface DialNumberOptions extends DialFormatOptions {
  /** All-digit numbers up to this length are colleagues' extensions (phone.internalMaxDigits). */
  internalMaxDigits: number;
  policy: DialPolicy;
}

export interface DialTarget {
  /** What the PBX is asked to dial: an extension's digits, or the number in the dial format. */
  dial: string;
  /** The number in E.164; null for a colleague's extension. */
  e164: string | null;
  internal: boolean;
}

/** ITU-T E.161 keypad letters (Q on 7 and Z on 9, as on every phone since). */
const KEYPAD: Readonly<Record<string, string>> = {
  '2': 'ABC',
  '3': 'DEF',
  '4': 'GHI',
  '5': 'JKL',
  '6': 'MNO',
  '7': 'PQRS',
  '8': 'TUV',
  '9': 'WXYZ',
};
const DIGIT_OF_LETTER: ReadonlyMap<string, string> = new Map(
  Object.entries(KEYPAD).flatMap(([digit, letters]) => letters.split('').map((l) => [l, digit])),
);

/** Letters on the keypad turned into their digits: `FLOWERS` → `3569377`. */
export function lettersToKeypadDigits(text: string): string {
  return text.replace(/[a-z]/gi, (letter) => DIGIT_OF_LETTER.get(letter.toUpperCase()) ?? letter);
}

/** An extension written after the number (`x12`, `ext. 12`, `;ext=12`, `#12`): not dialed. */
const EXTENSION_SUFFIX = /(?:\s*[,;]?\s*(?:e?xt(?:ension)?\.?|x|#|;?ext=)\s*\d{1,7}\s*)$/i;

const TYPE_NAMES: Readonly<Record<PhoneNumberType, DeniableNumberType | undefined>> = {
  PREMIUM_RATE: 'premium-rate',
  SHARED_COST: 'shared-cost',
  TOLL_FREE: 'toll-free',
  VOIP: 'voip',
  PERSONAL_NUMBER: 'personal-number',
  PAGER: 'pager',
  UAN: 'uan',
  VOICEMAIL: 'voicemail',
  FIXED_LINE: undefined,
  MOBILE: undefined,
  FIXED_LINE_OR_MOBILE: undefined,
};

const HINT_ASK_ADMIN =
  'If you need to call this number, ask your admin: the bridge’s dial policy ' +
  '(phone.dialPolicy) does not allow it.';

/**
 * The number a rep asked to dial, checked against the dial policy and put into the form the
 * PBX dials. Throws DIAL_INVALID_NUMBER (not a number) or DIAL_NUMBER_NOT_ALLOWED (the policy
 * refuses it; `details.rule` names the rule). Never throws anything else.
 */
export function dialTargetFor(written: string, options: DialNumberOptions): DialTarget {
  const text = typeof written === 'string' ? written.trim() : '';
  const spelled = spellOutLetters(text, options);
  const normalized = normalizeNumber(spelled, {
    defaultCountry: options.defaultCountry,
    internalMaxDigits: options.internalMaxDigits,
  });
  if (normalized.internal) {
    const digits = normalized.raw.replace(/\D/g, '');
    // Through the outside-line prefix a short "extension" would reach the outside world
    // without passing the policy.
    if (options.outsideLinePrefix !== '' && digits.startsWith(options.outsideLinePrefix))
      throw notAllowed(
        'Short numbers starting with the outside-line prefix cannot be dialed',
        'outside-line-prefix',
      );
    return { dial: digits, e164: null, internal: true };
  }
  const e164 = normalized.e164;
  if (e164 === null)
    throw new SwitchboardError(
      ErrorCodes.DIAL_INVALID_NUMBER,
      'That does not look like a phone number',
      {
        hint: 'Check the number on the record: it needs a country code or a national number of the bridge’s default country.',
        status: 400,
      },
    );
  checkPolicy(e164, options.policy);
  return { dial: formatForDial(e164, options), e164, internal: false };
}

/**
 * "1-800-FLOWERS" → "+1-800-3569377". Letters count only after the first digit and among the
 * number's own characters: a label in front ("Tel. 0711…"), a word after a complete number
 * ("07131 123456 Zentrale"), an extension marker or a SIP URI is left to the normalizer. A
 * vanity number written in the North American way (1 + ten digits, no +) is read as +1
 * whatever the bridge's country: the convention is North American, and in Germany "1800…"
 * would be another, paying number.
 */
function spellOutLetters(text: string, options: DialNumberOptions): string {
  const suffix = EXTENSION_SUFFIX.exec(text)?.[0] ?? '';
  const number = text.slice(0, text.length - suffix.length);
  const firstDigit = number.search(/[+\d]/);
  if (firstDigit === -1) return text;
  const head = number.slice(0, firstDigit);
  const body = number.slice(firstDigit);
  if (!/[a-z]/i.test(body) || !/^[+\d][\da-z\s.\-/()]*$/i.test(body)) return text;
  const label = /\s+\(?[a-z][a-z\s]*\)?$/i.exec(body);
  if (label !== null) {
    const bare = body.slice(0, label.index);
    const reading = normalizeNumber(bare, {
      defaultCountry: options.defaultCountry,
      internalMaxDigits: options.internalMaxDigits,
    });
    if (!/[a-z]/i.test(bare) && reading.e164 !== null) return `${head}${bare}${suffix}`;
  }
  if (options.policy.letters === 'refuse')
    throw notAllowed(
      'Numbers written with letters cannot be dialed',
      'letters',
      'Ask for the number in digits, or ask your admin to allow letters (phone.dialPolicy.letters: convert).',
    );
  const spelled = lettersToKeypadDigits(body);
  const digits = spelled.replace(/\D/g, '');
  if (!spelled.startsWith('+') && /^1\d{10}$/.test(digits)) return `${head}+${digits}${suffix}`;
  return `${head}${spelled}${suffix}`;
}

function checkPolicy(e164: string, policy: DialPolicy): void {
  const prefix = policy.deniedPrefixes.find((p) => e164.startsWith(p));
  if (prefix !== undefined)
    throw notAllowed(`Calls to ${prefix}… numbers are not allowed`, `denied-prefix:${prefix}`);
  const parsed = parsePhoneNumberFromString(e164);
  const type = parsed?.getType();
  const typeName = type === undefined ? undefined : TYPE_NAMES[type];
  if (typeName !== undefined && policy.deniedTypes.includes(typeName))
    throw notAllowed(`Calls to ${typeName} numbers are not allowed`, `denied-type:${typeName}`);
  if (policy.allowedCountries.length === 0) return;
  const country = parsed?.country;
  if (country === undefined || !policy.allowedCountries.includes(country))
    throw notAllowed(
      country === undefined
        ? 'Calls to international network numbers are not allowed'
        : `Calls to numbers in ${country} are not allowed`,
      `country-not-allowed:${country ?? 'none'}`,
    );
}

function notAllowed(message: string, rule: string, hint = HINT_ASK_ADMIN): SwitchboardError {
  return new SwitchboardError(ErrorCodes.DIAL_NUMBER_NOT_ALLOWED, message, {
    hint,
    status: 403,
    details: { rule },
  });
}
