// record-ids: 15/18-character equivalence and the caller-record type behind an id.
import { idKey, matchObjectForId } from '../../src/directory/record-ids';

describe('record ids', () => {
  it('reduces an 18-character id to its 15-character form and keeps others', () => {
    expect(idKey('003Hs00000C0001AAA')).toBe('003Hs00000C0001');
    expect(idKey('003Hs00000C0001')).toBe('003Hs00000C0001');
    expect(idKey('short')).toBe('short');
  });

  it.each([
    ['003Hs00000C0001', 'Contact'],
    ['003Hs00000C0001AAA', 'Contact'],
    ['00QHs00000L0001', 'Lead'],
    ['001Hs00000ACC01IAH', 'Account'],
    ['006Hs00000OPP01', undefined],
    ['003', undefined],
    ["003Hs00000C000'", undefined],
  ])('%s → %s', (id, expected) => {
    expect(matchObjectForId(id)).toBe(expected);
  });
});
