import {
  endReasonLabel,
  formatCallNumber,
  formatDuration,
  formatE164,
  numberForRecord,
} from 'c/switchboardFormat';

const call = (overrides = {}) => ({
  number: '4155551212',
  e164: '+14155551212',
  withheld: false,
  internal: false,
  ...overrides,
});

describe('c-switchboard-format', () => {
  it('formats North American numbers the way reps write them', () => {
    expect(formatE164('+14155551212')).toBe('+1 (415) 555-1212');
  });

  it('groups other countries after their calling code', () => {
    expect(formatE164('+4971112345678')).toBe('+49 711 123 45678');
    expect(formatE164('+442079460958')).toBe('+44 207 946 0958');
    expect(formatE164('+35312345678')).toBe('+353 123 45678');
  });

  it('leaves what is not E.164 as it came', () => {
    expect(formatE164(' 0800 FLOWERS ')).toBe('0800 FLOWERS');
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
});
