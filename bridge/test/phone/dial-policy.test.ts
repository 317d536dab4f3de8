// The dial policy as a table: which written numbers the PBX may be asked to dial, in what form,
// and which are refused with which rule. Before it, +1 900 and 0900 numbers and the +882/+883
// networks reached the PBX, and "1-800-FLOWERS" was dialed as +491800.
import { PhoneSchema } from '../../src/config/schema';
import { ErrorCodes, SwitchboardError } from '../../src/errors';
import {
  DEFAULT_DENIED_PREFIXES,
  dialTargetFor,
  lettersToKeypadDigits,
  type DialNumberOptions,
} from '../../src/phone/dial-policy';

function options(phone: Record<string, unknown> = {}): DialNumberOptions {
  const config = PhoneSchema.parse(phone);
  return { ...config, policy: config.dialPolicy };
}

const US = options({ defaultCountry: 'US' });
const DE = options({ defaultCountry: 'DE' });

/** The refusal dialTargetFor throws, or a failure if it dials. */
function refusal(written: string, opts: DialNumberOptions): SwitchboardError {
  try {
    const target = dialTargetFor(written, opts);
    throw new Error(`dialed ${target.dial}`);
  } catch (error) {
    if (error instanceof SwitchboardError) return error;
    throw error;
  }
}

describe('lettersToKeypadDigits (ITU-T E.161)', () => {
  it('puts every letter on its key, Q on 7 and Z on 9, in either case', () => {
    expect(lettersToKeypadDigits('ABC DEF GHI JKL MNO PQRS TUV WXYZ')).toBe(
      '222 333 444 555 666 7777 888 9999',
    );
    expect(lettersToKeypadDigits('flowers')).toBe('3569377');
  });
});

describe('dialTargetFor', () => {
  describe('numbers the PBX may dial', () => {
    it.each([
      ['(415) 555-0101', '+14155550101', US],
      ['+49 7131 123456', '+497131123456', US],
      ['07131 123456', '+497131123456', DE],
      ['+44 20 7946 0958', '+442079460958', DE],
      ['+1 415 555 0101 x12', '+14155550101', US],
      ['07131 123456 Zentrale', '+497131123456', DE],
      ['Tel. 07131-123456', '+497131123456', DE],
      // Toll-free is free for the caller: allowed unless the admin denies it.
      ['+1 800 555 0100', '+18005550100', DE],
    ])('%s → %s', (written, e164, opts) => {
      expect(dialTargetFor(written, opts)).toEqual({ dial: e164, e164, internal: false });
    });

    it('dials a colleague’s extension as its digits', () => {
      expect(dialTargetFor(' 2-03 ', US)).toEqual({ dial: '203', e164: null, internal: true });
    });
  });

  describe('vanity numbers', () => {
    it.each([
      ['1-800-FLOWERS', '+18003569377', US],
      // The North American form wins over the bridge's country: not +49 1800…
      ['1-800-FLOWERS', '+18003569377', DE],
      ['+1 800 FLOWERS', '+18003569377', DE],
      ['1-800-GOT-JUNK', '+18004685865', US],
      ['0800 CALL NOW', '+448002255669', options({ defaultCountry: 'GB' })],
    ])('%s is dialed as %s', (written, e164, opts) => {
      expect(dialTargetFor(written, opts).e164).toBe(e164);
    });

    it('refuses letters when the policy says so', () => {
      const error = refusal('1-800-FLOWERS', options({ dialPolicy: { letters: 'refuse' } }));
      expect(error.code).toBe(ErrorCodes.DIAL_NUMBER_NOT_ALLOWED);
      expect(error.details).toEqual({ rule: 'letters' });
      expect(error.hint).toMatch(/digits/);
    });
  });

  describe('numbers the default policy refuses', () => {
    it.each([
      ['+1 900 555 0100', 'denied-prefix:+1900', US],
      ['1-900-555-0100', 'denied-prefix:+1900', US],
      ['0900 1234567', 'denied-prefix:+49900', DE],
      // Too short for the metadata to call it premium: the prefix still catches it.
      ['0900 123456', 'denied-prefix:+49900', DE],
      ['+882 16 1234 5678', 'denied-prefix:+882', DE],
      ['+883 5100 1234 5678', 'denied-prefix:+883', US],
      ['00 881 6 1234 5678', 'denied-prefix:+881', DE],
      ['+44 909 879 0000', 'denied-prefix:+4490', DE],
      ['1-900-FLOWERS', 'denied-prefix:+1900', US],
    ])('%s: %s', (written, rule, opts) => {
      const error = refusal(written, opts);
      expect(error.code).toBe(ErrorCodes.DIAL_NUMBER_NOT_ALLOWED);
      expect(error.status).toBe(403);
      expect(error.details).toEqual({ rule });
      expect(error.message).toMatch(/not allowed/);
      expect(error.hint).toMatch(/phone\.dialPolicy/);
    });

    it('refuses premium-rate numbers by type where no prefix lists them', () => {
      const error = refusal('+33 8 92 12 34 56', options({ dialPolicy: { deniedPrefixes: [] } }));
      expect(error.details).toEqual({ rule: 'denied-type:premium-rate' });
    });
  });

  describe('a policy the admin configured', () => {
    const northAmerica = options({
      defaultCountry: 'US',
      dialPolicy: { allowedCountries: ['us', 'CA'], deniedTypes: ['premium-rate', 'shared-cost'] },
    });

    it('dials the allowed countries only', () => {
      expect(dialTargetFor('+1 416 555 0100', northAmerica).e164).toBe('+14165550100');
      // +1 809 is the Dominican Republic: same country code, another country.
      expect(refusal('+1 809 555 0100', northAmerica).details).toEqual({
        rule: 'country-not-allowed:DO',
      });
      expect(refusal('+44 20 7946 0958', northAmerica).details).toEqual({
        rule: 'country-not-allowed:GB',
      });
    });

    it('refuses the number types it denies', () => {
      const german = options({
        defaultCountry: 'DE',
        dialPolicy: { deniedTypes: ['shared-cost'] },
      });
      expect(refusal('01801 234567', german).details).toEqual({ rule: 'denied-type:shared-cost' });
    });

    it('replaces the default prefixes with its own', () => {
      const own = options({ dialPolicy: { deniedPrefixes: ['+1415'] } });
      expect(refusal('(415) 555-0101', own).details).toEqual({ rule: 'denied-prefix:+1415' });
      expect(dialTargetFor('+882 16 1234 5678', own).e164).toBe('+8821612345678');
    });

    it('does not let a short number reach the outside line around the policy', () => {
      const national = options({ dialFormat: 'national', outsideLinePrefix: '9' });
      expect(refusal('91900', national).details).toEqual({ rule: 'outside-line-prefix' });
      expect(dialTargetFor('203', national).dial).toBe('203');
    });
  });

  it('answers anything that is not a number with DIAL_INVALID_NUMBER, never another throw', () => {
    for (const junk of ['', 'call me', '+', '++49', '\u0000', 'x'.repeat(10_000), '@@@']) {
      expect(refusal(junk, US).code).toBe(ErrorCodes.DIAL_INVALID_NUMBER);
    }
  });

  it('keeps its default list in the config schema', () => {
    expect(US.policy.deniedPrefixes).toEqual(DEFAULT_DENIED_PREFIXES);
    expect(US.policy.deniedTypes).toEqual(['premium-rate']);
    expect(US.policy.letters).toBe('convert');
  });
});
