// Country field values as people type them, to the ISO code phone normalization needs.
import { countryCode } from '../../../src/directory/index/country-codes';

describe('countryCode', () => {
  it.each([
    ['Germany', 'DE'],
    ['Deutschland', 'DE'],
    [' germany ', 'DE'],
    ['Allemagne', 'DE'],
    ['DE', 'DE'],
    ['de', 'DE'],
    ['USA', 'US'],
    ['United States', 'US'],
    ['United States of America', 'US'],
    ['UK', 'GB'],
    ['Österreich', 'AT'],
    ['Schweiz', 'CH'],
    ['España', 'ES'],
  ])('reads %j as %s', (value, code) => {
    expect(countryCode(value)).toBe(code);
  });

  it.each([[''], ['Atlantis'], ['XX'], [null], [42]])('does not guess for %j', (value) => {
    expect(countryCode(value)).toBeUndefined();
  });
});
