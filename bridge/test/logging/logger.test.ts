// Masking of phone numbers in log lines: a number is masked however it is written (spaces,
// dots, dashes, brackets between its digits), and text that is not a phone number keeps its
// figures. Before this test, `0 30 98 76 54 32` passed the free-text masking whole.
import { createLogger, maskNumber, numberForLog, textForLog } from '../../src/logging/logger';

const info = createLogger({ level: 'info', destination: { write: () => undefined } });
const debug = createLogger({ level: 'debug', destination: { write: () => undefined } });

/** The digits a reader of the log can still see. */
const visibleDigits = (text: string) => text.replace(/\D/g, '');

describe('maskNumber', () => {
  it.each([
    ['+4915112345678', '+491********78'],
    ['03098765432', '0309*****32'],
    ['0 30 98 76 54 32', '0 30 9* ** ** 32'],
    ['+49 (30) 987-654-32', '+49 (3*) ***-***-32'],
  ])('masks %s as %s: the first four characters of its digits and the last two', (raw, masked) => {
    expect(maskNumber(raw)).toBe(masked);
  });

  it('masks a short number entirely', () => {
    expect(maskNumber('12 34 56')).toBe('** ** **');
  });
});

describe('textForLog at info level', () => {
  it.each([
    'CallerIDNum: 0 30 98 76 54 32',
    'CallerIDNum: 030.98.76.54.32',
    'CallerIDNum: +49-30-98765432',
    'CallerIDNum: (030) 98 76 54-32',
    'CallerIDNum: +49\u00a030\u00a098765432',
    'CallerIDNum: 0 3 0 9 8 7 6 5 4 3 2',
  ])('masks the number in %j however its digits are spaced', (text) => {
    const logged = textForLog(info, text);
    expect(logged.startsWith('CallerIDNum: ')).toBe(true);
    expect(visibleDigits(logged).length).toBeLessThanOrEqual(6);
    expect(visibleDigits(logged)).not.toContain('987654');
    expect(logged).toMatch(/\*{5}|(\*[^\d]*){5}/);
  });

  it('masks every number in a frame, not just the first', () => {
    const logged = textForLog(
      info,
      'CallerIDNum: 0 30 98 76 54 32\nConnectedLineNum: 0171 2345678',
    );
    expect(logged).not.toContain('98 76 54');
    expect(logged).not.toContain('2345678');
  });

  it('leaves short figures alone', () => {
    expect(textForLog(info, 'Priority: 1\nChannelState: 6\nLine 12 of 40')).toBe(
      'Priority: 1\nChannelState: 6\nLine 12 of 40',
    );
  });

  it('shows the whole text at debug level, where support needs it', () => {
    expect(textForLog(debug, 'CallerIDNum: 0 30 98 76 54 32')).toBe(
      'CallerIDNum: 0 30 98 76 54 32',
    );
    expect(numberForLog(debug, '0 30 98 76 54 32')).toBe('0 30 98 76 54 32');
  });
});
