// The one bearer-token reader and secret comparison behind the webhook, admin and phonebook.
import { bearerToken, secretMatcher } from '../../src/http/bearer-token';

describe('bearerToken', () => {
  it.each([
    ['Bearer abc123', 'abc123'],
    ['bearer abc123', 'abc123'], // RFC 6750: the scheme is case-insensitive
    ['Bearer   abc123  ', 'abc123'],
    ['Basic dXNlcjpwYXNz', undefined],
    ['Bearer', undefined],
    ['Bearer two words', undefined],
    [undefined, undefined],
  ])('reads %p as %p', (header, token) => {
    expect(bearerToken(header === undefined ? {} : { authorization: header })).toBe(token);
  });
});

describe('secretMatcher', () => {
  const matches = secretMatcher('s3cret-token');

  it('accepts the secret and nothing else, whatever the length presented', () => {
    expect(matches('s3cret-token')).toBe(true);
    expect(matches('s3cret-tokeN')).toBe(false);
    expect(matches('s3cret')).toBe(false);
    expect(matches('s3cret-token-and-more')).toBe(false);
    expect(matches('')).toBe(false);
    expect(matches(undefined)).toBe(false);
  });
});
