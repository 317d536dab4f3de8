// Display helpers for the utility bar: phone numbers for humans, call durations, times and
// numbers in the user's locale (@salesforce/i18n), end reasons, and Custom Labels with their
// {0} placeholders filled. Deliberately small (no libphonenumber in a browser bundle): the
// bridge normalizes the number and formats it for people (Call.display); nothing here parses
// phone numbers.
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

export interface NumberLike {
  number: string;
  e164: string | null;
  /** As the bridge formats it for people (absent from older bridges). */
  display?: string;
  withheld: boolean;
  internal: boolean;
}

/** The remote party's number as a rep should read it. */
export function formatCallNumber(call: NumberLike): string {
  if (call.withheld) return LABELS.withheld;
  if (call.internal) return formatLabel(LABELS.extension, call.number);
  if (call.display) return call.display;
  if (call.e164) return call.e164;
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
