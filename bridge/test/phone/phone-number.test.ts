// Table-driven tests of phone-number.ts: what PBXes send and what people type into Salesforce
// phone fields, in the formats seen in the wild, must land on the same E.164 — or on none.
import {
  formatForDial,
  formatForDisplay,
  normalizeNumber,
  phoneSearchTerms,
  sameNumber,
} from '../../src/phone/phone-number';
import { isSwitchboardError } from '../../src/errors';

const DE = { defaultCountry: 'DE', internalMaxDigits: 6 };
const US = { defaultCountry: 'US', internalMaxDigits: 6 };

describe('normalizeNumber', () => {
  describe('the Done-when forms', () => {
    it.each([
      ['+49 7131 123456', DE, '+497131123456'],
      ['07131 123456', DE, '+497131123456'],
      ['0049 (0)7131-123456', DE, '+497131123456'],
      ['(415) 555-1212', US, '+14155551212'],
    ])('%s → %s', (raw, options, expected) => {
      expect(normalizeNumber(raw, options)).toEqual({
        raw,
        e164: expected,
        extension: null,
        withheld: false,
        internal: false,
      });
    });
  });

  it.each([
    // international prefixes
    ['+49 (0)7131 123456', DE, '+497131123456'],
    ['+49 0 7131 123456', DE, '+497131123456'],
    ['0049 7131 123456', US, '+497131123456'],
    ['0049 (0)7131-123456', US, '+497131123456'],
    ['011 49 7131 123456', US, '+497131123456'],
    ['00 1 415 555 1212', DE, '+14155551212'],
    ['+1 (415) 555-1212', DE, '+14155551212'],
    ['+44 (0) 20 7946 0958', DE, '+442079460958'],
    // national numbers under the default country, any punctuation
    ['0171 1234567', DE, '+491711234567'],
    ['07131/123456', DE, '+497131123456'],
    ['07131 / 12 34 56', DE, '+497131123456'],
    ['+49.7131.123456', DE, '+497131123456'],
    ['Tel. 07131-123456', DE, '+497131123456'],
    ['415.555.1212', US, '+14155551212'],
    ['1-415-555-1212', US, '+14155551212'],
    ['4155551212', US, '+14155551212'],
    // a PBX that drops the plus but keeps the country code
    ['4971311234567', DE, '+4971311234567'],
    ['14155551212', US, '+14155551212'],
    // SIP and tel URIs
    ['sip:+4971311234@pbx', DE, '+4971311234'],
    ['sips:+497131123456@pbx.example.com;transport=tls', DE, '+497131123456'],
    ['"Jane Roe" <sip:07131123456@10.0.0.1>', DE, '+497131123456'],
    ['tel:+1-415-555-1212', US, '+14155551212'],
    // fictional ranges used in demos are possible numbers, even if not "valid"
    ['(555) 010-0100', US, '+15550100100'],
  ])('%s → %s', (raw, options, expected) => {
    const result = normalizeNumber(raw, options);
    expect(result.e164).toBe(expected);
    expect(result.withheld).toBe(false);
    expect(result.internal).toBe(false);
  });

  it('uses a per-number country over the default country', () => {
    expect(normalizeNumber('020 7946 0958', { ...DE, country: 'GB' }).e164).toBe('+442079460958');
    expect(normalizeNumber('020 7946 0958', DE).e164).not.toBe('+442079460958');
  });

  it.each([
    ['+1 415 555 1212 x12', US, '+14155551212', '12'],
    ['415-555-1212 ext. 12', US, '+14155551212', '12'],
    ['+49 7131 123456 ext12', DE, '+497131123456', '12'],
    ['+14155551212;ext=12', US, '+14155551212', '12'],
    ['tel:+1-415-555-1212;ext=34;phone-context=example.com', US, '+14155551212', '34'],
    ['4155551212#12', US, '+14155551212', '12'],
  ])('%s → %s extension %s', (raw, options, e164, extension) => {
    const result = normalizeNumber(raw, options);
    expect(result.e164).toBe(e164);
    expect(result.extension).toBe(extension);
  });

  it.each([
    '',
    '   ',
    'anonymous',
    'Anonymous',
    'unknown',
    '<unknown>',
    'Private',
    'Private Number',
    'RESTRICTED',
    'withheld',
    'unavailable',
    'sip:anonymous@anonymous.invalid',
    '0',
    '00',
  ])('%j is withheld', (raw) => {
    expect(normalizeNumber(raw, DE)).toEqual({
      raw,
      e164: null,
      extension: null,
      withheld: true,
      internal: false,
    });
  });

  it.each(['201', '12', '4711', '123456', 'sip:201@pbx.local', '20-1'])('%j is internal', (raw) => {
    expect(normalizeNumber(raw, DE)).toMatchObject({ e164: null, withheld: false, internal: true });
  });

  it('counts internal digits against internalMaxDigits', () => {
    expect(normalizeNumber('1234567', { ...DE, internalMaxDigits: 6 }).internal).toBe(false);
    expect(normalizeNumber('1234567', { ...DE, internalMaxDigits: 7 }).internal).toBe(true);
    expect(normalizeNumber('201', { ...DE, internalMaxDigits: 2 }).internal).toBe(false);
  });

  it.each([
    'call me maybe',
    '+',
    '+49',
    '+49 12',
    'FLOWERS-AND-MORE-WORDS',
    'x'.repeat(5000),
    '+'.repeat(300),
    '\u0000\u0001',
    "'; DROP TABLE Contact; --",
  ])('%j has no E.164 and does not throw', (raw) => {
    const result = normalizeNumber(raw, DE);
    expect(result.e164).toBeNull();
    expect(result.raw).toBe(raw);
  });

  it('survives an unknown default country (only + numbers parse)', () => {
    const options = { defaultCountry: 'XX', internalMaxDigits: 4 };
    expect(normalizeNumber('+49 7131 123456', options).e164).toBe('+497131123456');
    expect(normalizeNumber('07131 123456', options).e164).toBeNull();
  });

  it('does not throw on a non-string at runtime', () => {
    expect(normalizeNumber(undefined as unknown as string, DE).withheld).toBe(true);
  });
});

describe('phoneSearchTerms', () => {
  it.each([
    [
      '+497131123456',
      [
        '497131123456',
        '7131123456',
        '07131123456',
        '00497131123456',
        '4907131123456', // +49 (0)7131…
        '004907131123456',
        '07131 123456',
        '7131 123456',
      ],
    ],
    ['+14155551212', ['14155551212', '4155551212', '0014155551212', '415 555 1212']],
    [
      '+442079460958',
      [
        '442079460958',
        '2079460958',
        '02079460958',
        '00442079460958',
        '4402079460958',
        '004402079460958',
        '020 7946 0958',
        '20 7946 0958',
      ],
    ],
    // Italy keeps its leading 0 inside the national number: no separate trunk form
    ['+390612345678', ['390612345678', '0612345678', '00390612345678', '06 1234 5678']],
  ])('%s → %j', (e164, expected) => {
    expect(phoneSearchTerms(e164)).toEqual(expected);
  });

  it('returns digits and single spaces only, each at least two characters', () => {
    for (const e164 of ['+497131123456', '+14155551212', '+3225551234', '+861012345678']) {
      for (const term of phoneSearchTerms(e164)) {
        expect(term).toMatch(/^\d{2,}$|^\d+( \d+)+$/);
      }
    }
  });

  it.each(['', '4155551212', '+', '+0123', '+49 7131 123456', 'abc', '+1{}*'])(
    '%j is not E.164 → no terms',
    (input) => {
      expect(phoneSearchTerms(input)).toEqual([]);
    },
  );
});

describe('formatForDisplay', () => {
  it.each([
    ['+497131123456', '+49 7131 123456'],
    ['+14155551212', '+1 415 555 1212'],
    ['not a number', 'not a number'],
  ])('%s → %s', (e164, expected) => {
    expect(formatForDisplay(e164)).toBe(expected);
  });

  it.each([
    ['+14155551212', 'US', '(415) 555-1212'],
    ['+14155551212', 'DE', '+1 415 555 1212'],
    ['+497131123456', 'DE', '07131 123456'],
    ['+4971112345678', 'DE', '0711 12345678'],
    ['+442079460958', 'US', '+44 20 7946 0958'],
    ['+442079460958', 'nowhere', '+44 20 7946 0958'],
  ])('%s at home in %s → %s', (e164, home, expected) => {
    expect(formatForDisplay(e164, home)).toBe(expected);
  });
});

describe('formatForDial', () => {
  it.each([
    ['+497131123456', 'e164', '', 'DE', '+497131123456'],
    ['+497131123456', 'national', '', 'DE', '07131123456'],
    ['+497131123456', 'national', '0', 'DE', '007131123456'],
    ['+14155551212', 'national', '0', 'DE', '00014155551212'],
    ['+14155551212', 'national', '9', 'US', '914155551212'],
    ['+497131123456', 'national', '9', 'US', '9011497131123456'],
    ['+14165551212', 'national', '', 'US', '14165551212'],
  ] as const)(
    '%s as %s (prefix %j, from %s) → %s',
    (e164, dialFormat, prefix, country, expected) => {
      expect(
        formatForDial(e164, { dialFormat, outsideLinePrefix: prefix, defaultCountry: country }),
      ).toBe(expected);
    },
  );

  it('rejects a non-E.164 number with DIAL_INVALID_NUMBER', () => {
    const attempt = () =>
      formatForDial('0711 123', {
        dialFormat: 'e164',
        outsideLinePrefix: '',
        defaultCountry: 'DE',
      });
    expect(attempt).toThrow(expect.objectContaining({ code: 'DIAL_INVALID_NUMBER' }) as Error);
    try {
      attempt();
    } catch (error) {
      expect(isSwitchboardError(error)).toBe(true);
    }
  });
});

describe('sameNumber', () => {
  it.each([
    ['+49 7131 123456', '07131/123456', 'DE', true],
    ['0049 (0)7131-123456', '+497131123456', 'DE', true],
    ['(415) 555-1212', '+1 415 555 1212', 'US', true],
    ['+1 415 555 1212 x12', '4155551212', 'US', true],
    // a digit substring is never the same number
    ['+497131123456', '+4971311234567', 'DE', false],
    ['+497131123456', '+49713112345', 'DE', false],
    ['5551212', '(415) 555-1212', 'US', false],
    ['07131 123456', '07131 123457', 'DE', false],
    ['anonymous', 'anonymous', 'DE', false],
    ['', '', 'DE', false],
  ])('%j vs %j (%s) → %s', (a, b, country, expected) => {
    expect(sameNumber(a, b, country)).toBe(expected);
  });
});
