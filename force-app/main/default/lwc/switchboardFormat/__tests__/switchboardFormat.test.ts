import {
  endReasonLabel,
  formatCallNumber,
  formatClock,
  formatDuration,
  formatLabel,
  formatNumber,
  numberForRecord,
} from 'c/switchboardFormat';

/** switchboardFormat as loaded for a user with this Salesforce locale and time zone. */
function formatFor(locale: string, timeZone: string): typeof import('c/switchboardFormat') {
  let loaded: typeof import('c/switchboardFormat') | undefined;
  jest.isolateModules(() => {
    jest.doMock('@salesforce/i18n/locale', () => ({ default: locale }), { virtual: true });
    jest.doMock('@salesforce/i18n/timeZone', () => ({ default: timeZone }), { virtual: true });
    loaded = jest.requireActual('c/switchboardFormat');
  });
  return loaded!;
}

const call = (overrides = {}) => ({
  number: '4155551212',
  e164: '+14155551212',
  withheld: false,
  internal: false,
  ...overrides,
});

describe('c-switchboard-format', () => {
  it('shows the number as the bridge formatted it, and an older bridge’s E.164 as it came', () => {
    expect(formatCallNumber(call({ display: '(415) 555-1212' }))).toBe('(415) 555-1212');
    expect(formatCallNumber(call())).toBe('+14155551212');
  });

  it('names withheld numbers and internal extensions instead of showing digits', () => {
    expect(formatCallNumber(call({ withheld: true, number: '' }))).toBe('Withheld number');
    expect(formatCallNumber(call({ internal: true, number: '204', e164: null }))).toBe(
      'Extension 204',
    );
    expect(formatCallNumber(call({ e164: null, number: ' 555 12 ' }))).toBe('555 12');
  });

  it('formats durations as m:ss or h:mm:ss', () => {
    expect(formatDuration(7_000)).toBe('0:07');
    expect(formatDuration(62_400)).toBe('1:02');
    expect(formatDuration(3_723_000)).toBe('1:02:03');
    expect(formatDuration(-5)).toBe('0:00');
  });

  it('labels end reasons and stores E.164 when it is known', () => {
    expect(endReasonLabel('answered-elsewhere')).toBe('Answered elsewhere');
    expect(endReasonLabel(undefined)).toBe('Ended');
    expect(numberForRecord(call())).toBe('+14155551212');
    expect(numberForRecord(call({ e164: null, number: ' 12345 ' }))).toBe('12345');
  });

  it('fills the placeholders of a Custom Label, numbers in the user locale', () => {
    expect(formatLabel('Connected as {0} on extension {1}', 'ana@acme.example', '201')).toBe(
      'Connected as ana@acme.example on extension 201',
    );
    expect(formatLabel('{0} records have this number', 1200)).toBe(
      '1,200 records have this number',
    );
    expect(formatLabel('Calling {0}… {1}', '202')).toBe('Calling 202… {1}');
    expect(formatNumber(48_000_000)).toBe('48,000,000');
  });

  it("writes times, numbers and durations as the user's locale does (en-US here)", () => {
    // sfdx-lwc-jest's default user: en-US in America/Los_Angeles
    expect(formatClock('2024-05-01T21:05:00.000Z')).toBe('02:05 PM');
    expect(formatClock('not a time')).toBe('');
  });

  it('writes them the German way for a German user', () => {
    const german = formatFor('de-DE', 'Europe/Berlin');
    expect(german.formatClock('2024-05-01T12:05:00.000Z')).toBe('14:05');
    expect(german.formatNumber(48_000_000)).toBe('48.000.000');
    expect(german.formatNumber(2.5)).toBe('2,5');
    expect(german.formatLabel('{0} Datensätze', 1200)).toBe('1.200 Datensätze');
    expect(german.formatDuration(3_723_000)).toBe('1:02:03');
  });

  it('keeps the browser time zone when Salesforce names one the browser does not know', () => {
    const odd = formatFor('en-US', 'Mars/Olympus_Mons');
    expect(odd.formatClock('2024-05-01T12:05:00.000Z')).toMatch(/^\d\d:05 (AM|PM)$/);
  });
});
