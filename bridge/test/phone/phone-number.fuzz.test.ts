// Property-based tests of the phone normalizer, the one place caller ids from PBXes, numbers
// typed into Salesforce and dial requests from the browser become E.164. Whatever arrives, it
// answers (never throws, never hangs), what it answers is E.164 or "not a number", and the
// only function that refuses (formatForDial) refuses with DIAL_INVALID_NUMBER and a hint.
// Input classes: docs/testing.md.
import fc from 'fast-check';
import { PhoneSchema } from '../../src/config/schema';
import { ErrorCodes } from '../../src/errors';
import {
  formatAsNationalCallerId,
  formatForDial,
  formatForDisplay,
  normalizeNumber,
  phoneSearchTerms,
  sameNumber,
} from '../../src/phone/phone-number';
import { expectClearError, fuzz, hostileString, thrownBy } from '../support/fuzz';

const E164 = /^\+[1-9]\d{1,16}$/;

/** Countries as the config and Salesforce records give them: real, lower-case, junk. */
const country = fc.oneof(
  fc.constantFrom('US', 'DE', 'GB', 'FR', 'CH', 'IN', 'BR', 'JP', 'AU', 'de', ' us '),
  hostileString(4),
);

const options = fc.record({
  defaultCountry: country,
  internalMaxDigits: fc.integer({ min: 0, max: 8 }),
  country: fc.option(country, { nil: undefined }),
});

/** Numbers people and PBXes really write (plus a few that are no number at all). */
const written = fc.constantFrom(
  '+1 415 555 0100',
  '(415) 555-1212',
  '+49 (0)7131 123456',
  '07131 123456',
  '0049 7131 123456',
  '+44 20 7946 0958',
  '020 7946 0958',
  '+33 1 23 45 67 89',
  '+91 98765 43210',
  '+1-800-555-0199 x12',
  '+4971311234;ext=7',
  '201',
  '0',
  'anonymous',
  'Private Number',
);

/** Separators the normalizer ignores between digits. */
const separator = fc.constantFrom('', ' ', '-', '.', '/', '\u00a0', '\u2011');

/** A digit string written with random separators between its digits. */
function spaced(digits: string): fc.Arbitrary<string> {
  return fc
    .array(separator, { minLength: digits.length, maxLength: digits.length })
    .map((seps) => Array.from(digits, (d, i) => `${seps[i] ?? ''}${d}`).join(''));
}

/** Anything: hostile text, digit runs, numbers as written, URIs around them. */
const anyNumber = fc.oneof(
  hostileString(60),
  fc.stringMatching(/^\+?[0-9]{1,20}$/),
  written,
  fc
    .tuple(fc.constantFrom('sip:', 'sips:', 'tel:', 'SIP:', '"Alice" <sip:', '<tel:'), written)
    .map(([scheme, n]) => `${scheme}${n.replace(/ /g, '')}${scheme.includes('<') ? '@pbx>' : ''}`),
  fc.string({ unit: fc.constantFrom('%', '2', 'B', 'F', '+', '1', ';', '@'), maxLength: 30 }),
);

describe('normalizeNumber (property-based)', () => {
  it('answers any input with E.164 or "not a number", never throwing', () => {
    fc.assert(
      fc.property(anyNumber, options, (raw, opts) => {
        const n = normalizeNumber(raw, opts);
        expect(n.raw).toBe(raw);
        if (n.e164 !== null) expect(n.e164).toMatch(E164);
        // A withheld or internal number is never looked up, so it has no E.164.
        if (n.withheld || n.internal) expect(n.e164).toBeNull();
        expect(n.withheld && n.internal).toBe(false);
        if (n.extension !== null) expect(n.e164).not.toBeNull();
      }),
      fuzz(1000),
    );
  });

  it('treats values that are not strings (a PBX sending JSON numbers) as nothing', () => {
    fc.assert(
      fc.property(fc.anything(), options, (raw, opts) => {
        fc.pre(typeof raw !== 'string');
        const n = normalizeNumber(raw as string, opts);
        expect(n).toEqual({
          raw: '',
          e164: null,
          extension: null,
          withheld: true,
          internal: false,
        });
      }),
      fuzz(200),
    );
  });

  it('maps its own E.164 to itself, from any default country', () => {
    fc.assert(
      fc.property(anyNumber, options, country, (raw, opts, other) => {
        const first = normalizeNumber(raw, opts).e164;
        fc.pre(first !== null);
        const again = normalizeNumber(first, { defaultCountry: other, internalMaxDigits: 0 });
        expect(again.e164).toBe(first);
      }),
      fuzz(500),
    );
  });

  it('ignores separators between digits, whatever they are', () => {
    const spacedNumber = fc
      .tuple(
        fc.constantFrom('+14155550100', '+497131123456', '+442079460958', '004971311234567'),
        fc.constantFrom('US', 'DE', 'GB'),
      )
      .chain(([digits, defaultCountry]) =>
        spaced(digits.replace('+', '')).map((text) => ({
          text: digits.startsWith('+') ? `+${text}` : text,
          digits,
          defaultCountry,
        })),
      );
    fc.assert(
      fc.property(spacedNumber, ({ text, digits, defaultCountry }) => {
        const opts = { defaultCountry, internalMaxDigits: 0 };
        const plain = normalizeNumber(digits, opts).e164;
        expect(plain).toMatch(E164);
        expect(normalizeNumber(text, opts).e164).toBe(plain);
      }),
      fuzz(300),
    );
  });

  it('finds the same number inside a SIP or tel URI as written bare', () => {
    fc.assert(
      fc.property(
        written,
        fc.constantFrom('US', 'DE', 'GB'),
        fc.constantFrom(
          (n: string) => `sip:${n}@pbx.example;transport=udp`,
          (n: string) => `"Caller" <sip:${n}@10.0.0.1>`,
          (n: string) => `tel:${n}`,
          (n: string) => `<tel:${n}>`,
        ),
        (number, defaultCountry, wrap) => {
          const bare = number.replace(/[ ()]/g, '');
          fc.pre(!/[;x]/.test(bare));
          const opts = { defaultCountry, internalMaxDigits: 4 };
          expect(normalizeNumber(wrap(bare), opts).e164).toBe(normalizeNumber(bare, opts).e164);
        },
      ),
      fuzz(200),
    );
  });
});

describe('E.164 consumers (property-based)', () => {
  /** E.164 numbers the normalizer produced, the only kind the bridge hands on. */
  const e164 = fc
    .tuple(anyNumber, options)
    .map(([raw, opts]) => normalizeNumber(raw, opts).e164)
    .filter((n): n is string => n !== null);

  it('gives search terms of digits and single spaces only, for any input', () => {
    fc.assert(
      fc.property(fc.oneof(anyNumber, e164), (value) => {
        for (const term of phoneSearchTerms(value)) expect(term).toMatch(/^\d+( \d+)*$/);
        if (!E164.test(value)) expect(phoneSearchTerms(value)).toEqual([]);
      }),
      fuzz(500),
    );
  });

  it('displays any input without throwing, and E.164 as the same number', () => {
    fc.assert(
      fc.property(fc.oneof(anyNumber, e164), (value) => {
        const shown = formatForDisplay(value);
        expect(typeof shown).toBe('string');
        const national = formatForDisplay(value, 'US');
        if (E164.test(value)) {
          expect(normalizeNumber(shown, { defaultCountry: 'US', internalMaxDigits: 0 }).e164).toBe(
            normalizeNumber(value, { defaultCountry: 'US', internalMaxDigits: 0 }).e164,
          );
          // The national form at home reads back as the same number in that country.
          expect(
            normalizeNumber(national, { defaultCountry: 'US', internalMaxDigits: 0 }).e164,
          ).toBe(normalizeNumber(value, { defaultCountry: 'US', internalMaxDigits: 0 }).e164);
        }
      }),
      fuzz(500),
    );
  });

  it('dials E.164 or refuses with DIAL_INVALID_NUMBER and a hint', () => {
    // Any phone section the config accepts (a country it refuses never reaches formatForDial).
    const dialOptions = fc
      .record({
        dialFormat: fc.constantFrom('e164', 'national'),
        outsideLinePrefix: fc.oneof(fc.constantFrom('', '0', '9', '*9#'), hostileString(3)),
        defaultCountry: country,
      })
      .map((phone) => PhoneSchema.safeParse(phone))
      .filter((parsed) => parsed.success)
      .map((parsed) => parsed.data);
    fc.assert(
      fc.property(fc.oneof(anyNumber, e164), dialOptions, (value, opts) => {
        const thrown = thrownBy(() => formatForDial(value, opts));
        if (thrown !== undefined) {
          expect(expectClearError(thrown, [ErrorCodes.DIAL_INVALID_NUMBER]).status).toBe(400);
          return;
        }
        const digits = formatForDial(value, opts);
        // Only digits (and the + of E.164) reach the PBX: nothing that could add an AMI header.
        expect(digits).toMatch(/^[*#\d]*\+?\d+$/);
        if (opts.dialFormat === 'e164') expect(digits).toBe(value);
      }),
      fuzz(500),
    );
  });

  it('presents a home number as caller id that reads back as the same number', () => {
    fc.assert(
      fc.property(e164, fc.constantFrom('US', 'DE', 'GB', 'FR'), (number, home) => {
        const callerId = formatAsNationalCallerId(number, home);
        expect(callerId).toMatch(/^\d+$/);
        const back = normalizeNumber(callerId ?? '', {
          defaultCountry: home,
          internalMaxDigits: 0,
        });
        expect(back.e164).toBe(
          normalizeNumber(number, { defaultCountry: home, internalMaxDigits: 0 }).e164,
        );
      }),
      fuzz(300),
    );
    fc.assert(
      fc.property(anyNumber, country, (value, home) => {
        const callerId = formatAsNationalCallerId(value, home);
        if (callerId !== undefined) expect(callerId).toMatch(/^\d+$/);
      }),
      fuzz(300),
    );
  });

  it('compares numbers symmetrically, and every number to itself', () => {
    fc.assert(
      fc.property(anyNumber, anyNumber, country, (a, b, home) => {
        expect(sameNumber(a, b, home)).toBe(sameNumber(b, a, home));
        const own = normalizeNumber(a, { defaultCountry: home, internalMaxDigits: 0 }).e164;
        expect(sameNumber(a, a, home)).toBe(own !== null);
      }),
      fuzz(500),
    );
  });
});

describe('phone normalizer: counterexamples the properties found', () => {
  it('reads "00" followed by a separator as the international prefix', () => {
    const us = { defaultCountry: 'US', internalMaxDigits: 0 };
    for (const written of ['00-49-7131-1234567', '00.49.7131.1234567', '00/49 7131 1234567'])
      expect(normalizeNumber(written, us).e164).toBe('+4971311234567');
  });

  it('refuses a default country that is two letters but no country', () => {
    const uk = PhoneSchema.safeParse({ defaultCountry: 'UK' });
    expect(uk.success).toBe(false);
    expect(uk.error?.issues[0]?.message).toMatch(/GB/);
    expect(PhoneSchema.parse({ defaultCountry: 'gb' }).defaultCountry).toBe('GB');
  });
});
