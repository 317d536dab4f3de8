// The one email comparison, as a table: which pairs are the same address, which are a
// look-alike to refuse (Kelvin sign, fullwidth forms, Cyrillic and Greek letters, invisible
// characters, rn for m), and which are simply different.
import {
  compareEmails,
  emailKey,
  emailSkeleton,
  isPlainEmail,
} from '../../src/users/email-identity';

describe('compareEmails', () => {
  it.each([
    ['ana.lopez@acme.example', 'ana.lopez@acme.example'],
    ['Ana.Lopez@ACME.example', 'ana.lopez@acme.example'],
    ['  ana.lopez@acme.example ', 'ana.lopez@acme.example'],
    // Non-ASCII letters are fine, in one script per part, case-insensitively.
    ['JÜRGEN@müller.example', 'jürgen@müller.example'],
    ['ivan@пример.example', 'ivan@пример.example'],
    ['山田@例え.example', '山田@例え.example'],
  ])('%j and %j are the same address', (a, b) => {
    expect(compareEmails(a, b)).toBe('same');
    expect(compareEmails(b, a)).toBe('same');
  });

  it.each([
    ['KELVIN SIGN for K', '\u212Aate@acme.example', 'kate@acme.example'],
    ['KELVIN SIGN for K, capital', '\u212Aate@acme.example', 'Kate@acme.example'],
    ['fullwidth letters', 'ａｎａ@acme.example', 'ana@acme.example'],
    ['fullwidth at sign', 'ana＠acme.example', 'ana@acme.example'],
    ['Cyrillic а', '\u0430na@acme.example', 'ana@acme.example'],
    ['Cyrillic е and о in the domain', 'ana@acm\u0435.\u0435xample', 'ana@acme.example'],
    ['Greek ο', 'j\u03BFhn@acme.example', 'john@acme.example'],
    ['zero-width space', 'ana\u200B@acme.example', 'ana@acme.example'],
    ['soft hyphen', 'ana.lo\u00ADpez@acme.example', 'ana.lopez@acme.example'],
    ['rn for m', 'rnike@acme.example', 'mike@acme.example'],
    ['digit zero for o', 'j0hn@acme.example', 'john@acme.example'],
    ['ligature ﬁ', '\uFB01nn@acme.example', 'finn@acme.example'],
    ['decomposed accent', 'jo\u0065\u0301@acme.example', 'jo\u00E9@acme.example'],
  ])('%s: a look-alike, not the same', (_what, a, b) => {
    expect(compareEmails(a, b)).toBe('look-alike');
    expect(compareEmails(b, a)).toBe('look-alike');
  });

  it.each([
    ['ana@acme.example', 'ben@acme.example'],
    ['ana@acme.example', 'ana@acme.example.org'],
    ['ana@acme.example', ''],
  ])('%j and %j are different', (a, b) => {
    expect(compareEmails(a, b)).toBe('different');
  });

  it('never throws, whatever it is given', () => {
    const odd = ['', '\u0000', '\uD800', '@', 'a'.repeat(100_000), '\u202E', '🙂@🙂'];
    for (const a of odd)
      for (const b of odd)
        expect(['same', 'look-alike', 'different']).toContain(compareEmails(a, b));
    expect(compareEmails(undefined as unknown as string, 'a@b')).toBe('different');
  });
});

describe('the pieces', () => {
  it('emailKey folds what Salesforce and mail systems fold', () => {
    expect(emailKey(' \u212Aate@ACME.example ')).toBe('kate@acme.example');
    expect(emailKey('ａｎａ@acme.example')).toBe('ana@acme.example');
  });

  it('emailSkeleton maps look-alikes onto one form (UTS #39)', () => {
    expect(emailSkeleton('\u0430n\u0430@acme.example')).toBe(emailSkeleton('ana@acme.example'));
    expect(emailSkeleton('ana@acme.example')).not.toBe(emailSkeleton('ben@acme.example'));
  });

  it('isPlainEmail refuses compatibility forms, invisible characters and mixed scripts', () => {
    expect(isPlainEmail('ana.lopez@acme.example')).toBe(true);
    expect(isPlainEmail('\u212Aate@acme.example')).toBe(false);
    expect(isPlainEmail('ana\u200D@acme.example')).toBe(false);
    expect(isPlainEmail('\u0430na@acme.example')).toBe(false);
  });
});
