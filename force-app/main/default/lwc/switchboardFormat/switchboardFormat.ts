// Display helpers for the utility bar: phone numbers for humans, call durations, times and
// numbers in the user's locale (@salesforce/i18n), end reasons, and Custom Labels with their
// {0} placeholders filled. Deliberately small (no libphonenumber in a browser bundle): the
// bridge already normalized the number to E.164; here we only group its digits.
import LOCALE from '@salesforce/i18n/locale';
import TIME_ZONE from '@salesforce/i18n/timeZone';
import LABELS from './labels';

/** The user's locale, as Salesforce gives it (en-US when it gives none). */
export const USER_LOCALE = LOCALE || 'en-US';

const integers = new Intl.NumberFormat(USER_LOCALE, { maximumFractionDigits: 0 });
const twoDigits = new Intl.NumberFormat(USER_LOCALE, {
  minimumIntegerDigits: 2,
  useGrouping: false,
});

/** 48000000 → "48,000,000" (en-US), "48.000.000" (de-DE). */
export function formatNumber(value: number): string {
  return Number.isInteger(value)
    ? integers.format(value)
    : value.toLocaleString(USER_LOCALE, { maximumFractionDigits: 2 });
}

/**
 * A Custom Label with its placeholders filled: formatLabel("Calling {0}…", "202"). Numbers are
 * written in the user's locale; a placeholder without a value stays as it is.
 */
export function formatLabel(label: string, ...values: (string | number)[]): string {
  return label.replace(/\{(\d+)\}/g, (placeholder, index: string) => {
    const value = values[Number(index)];
    if (value === undefined) return placeholder;
    return typeof value === 'number' ? formatNumber(value) : value;
  });
}

/** Country calling codes with one or two digits; every other code has three. */
const ONE_DIGIT_CODES = new Set(['1', '7']);
const TWO_DIGIT_CODES = new Set(
  (
    '20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 53 54 55 56 57 58 ' +
    '60 61 62 63 64 65 66 81 82 84 86 90 91 92 93 94 95 98'
  ).split(' '),
);

function countryCodeLength(digits: string): number {
  if (ONE_DIGIT_CODES.has(digits.slice(0, 1))) return 1;
  if (TWO_DIGIT_CODES.has(digits.slice(0, 2))) return 2;
  return 3;
}

/** Groups national digits in threes from the left, leaving 4–5 at the end: "711 123 45678". */
function groupNational(national: string): string {
  const groups: string[] = [];
  let rest = national;
  while (rest.length > 5) {
    groups.push(rest.slice(0, 3));
    rest = rest.slice(3);
  }
  groups.push(rest);
  return groups.join(' ');
}

/**
 * "+14155551212" → "+1 (415) 555-1212"; "+4971112345678" → "+49 711 123 45678". Anything that is not E.164 comes back trimmed, as the PBX sent it.
 */
export function formatE164(e164: string): string {
  const match = /^\+(\d{8,15})$/.exec(e164.trim());
  if (!match?.[1]) return e164.trim();
  const digits = match[1];
  if (digits.startsWith('1') && digits.length === 11) {
    return `+1 (${digits.slice(1, 4)}) ${digits.slice(4, 7)}-${digits.slice(7)}`;
  }
  const ccLength = countryCodeLength(digits);
  return `+${digits.slice(0, ccLength)} ${groupNational(digits.slice(ccLength))}`;
}

export interface NumberLike {
  number: string;
  e164: string | null;
  withheld: boolean;
  internal: boolean;
}

/** The remote party's number as a rep should read it. */
export function formatCallNumber(call: NumberLike): string {
  if (call.withheld) return LABELS.withheld;
  if (call.internal) return formatLabel(LABELS.extension, call.number);
  if (call.e164) return formatE164(call.e164);
  return call.number.trim() || LABELS.unknownNumber;
}

/** 7 s → "0:07", 62 s → "1:02", 3723 s → "1:02:03", in the digits of the user's locale. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const ss = twoDigits.format(total % 60);
  if (hours > 0) return `${integers.format(hours)}:${twoDigits.format(minutes)}:${ss}`;
  return `${integers.format(minutes)}:${ss}`;
}

/**
 * The time of an ISO timestamp as the user reads a clock: in their Salesforce time zone and
 * locale ("2:05 PM" in en-US, "14:05" in de-DE).
 */
export function formatClock(iso: string | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const options: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit' };
  try {
    return date.toLocaleTimeString(USER_LOCALE, { ...options, timeZone: TIME_ZONE || undefined });
  } catch {
    // A time zone this browser does not know: its own then, rather than no time at all.
    return date.toLocaleTimeString(USER_LOCALE, options);
  }
}

const END_REASONS: Record<string, string> = {
  completed: LABELS.completed,
  missed: LABELS.missed,
  busy: LABELS.busy,
  'no-answer': LABELS.noAnswer,
  'answered-elsewhere': LABELS.answeredElsewhere,
  failed: LABELS.failed,
};

export function endReasonLabel(reason: string | undefined): string {
  return (reason && END_REASONS[reason]) ?? LABELS.ended;
}

/** The number as a Salesforce phone field should store it: E.164 when known. */
export function numberForRecord(call: NumberLike): string {
  return call.e164 ?? call.number.trim();
}
