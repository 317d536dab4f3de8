// rankMatches: the rep's own records first, then the most recently modified, one per record.
import type { DirectoryMatch } from '../../src/calls/caller-directory';
import { rankMatches } from '../../src/directory/rank-matches';

function match(id: string, fields: Partial<DirectoryMatch> = {}): DirectoryMatch {
  return {
    id,
    object: 'Contact',
    name: id,
    phoneField: 'Phone',
    lastModifiedAt: '2025-01-01T00:00:00.000Z',
    ...fields,
  };
}

describe('rankMatches', () => {
  it('puts the ringing rep’s records first, then the most recently modified', () => {
    const ranked = rankMatches(
      [
        match('old-mine', { ownerId: 'rep', lastModifiedAt: '2024-01-01T00:00:00.000Z' }),
        match('new-theirs', { ownerId: 'other', lastModifiedAt: '2025-03-01T00:00:00.000Z' }),
        match('mid-theirs', { ownerId: 'other', lastModifiedAt: '2025-02-01T00:00:00.000+0000' }),
        match('new-mine', { ownerId: 'rep', lastModifiedAt: '2025-01-15T00:00:00.000Z' }),
      ],
      { repUserId: 'rep', max: 10 },
    );
    expect(ranked.map((m) => m.id)).toEqual(['new-mine', 'old-mine', 'new-theirs', 'mid-theirs']);
  });

  it('ranks by recency alone when the rep is unknown', () => {
    const ranked = rankMatches(
      [
        match('a', { ownerId: 'rep', lastModifiedAt: '2024-01-01T00:00:00.000Z' }),
        match('b', { lastModifiedAt: '2025-01-01T00:00:00.000Z' }),
      ],
      { max: 10 },
    );
    expect(ranked.map((m) => m.id)).toEqual(['b', 'a']);
  });

  it('prefers a person to a company at the same time, and puts unknown dates last', () => {
    const ranked = rankMatches(
      [
        match('acct', { object: 'Account' }),
        match('nodate', { lastModifiedAt: '' }),
        match('lead', { object: 'Lead' }),
        match('contact'),
      ],
      { max: 10 },
    );
    expect(ranked.map((m) => m.id)).toEqual(['contact', 'lead', 'acct', 'nodate']);
  });

  it('dedupes by id and caps at max', () => {
    const ranked = rankMatches(
      [
        match('a', { phoneField: 'Phone' }),
        match('a', { phoneField: 'MobilePhone', lastModifiedAt: '2025-06-01T00:00:00.000Z' }),
        match('b'),
        match('c'),
      ],
      { max: 2 },
    );
    expect(ranked).toHaveLength(2);
    expect(ranked[0]).toMatchObject({ id: 'a', phoneField: 'MobilePhone' });
  });

  it('strips lastModifiedAt and keeps the optional fields that are set', () => {
    const [ranked] = rankMatches(
      [match('a', { accountId: '001', accountName: 'Acme', ownerId: '005' })],
      { max: 1 },
    );
    expect(ranked).toEqual({
      id: 'a',
      object: 'Contact',
      name: 'a',
      phoneField: 'Phone',
      accountId: '001',
      accountName: 'Acme',
      ownerId: '005',
    });
    expect(rankMatches([match('b')], { max: 1 })[0]).toEqual({
      id: 'b',
      object: 'Contact',
      name: 'b',
      phoneField: 'Phone',
    });
  });

  it('treats 15- and 18-character forms of an id as the same id', () => {
    const ranked = rankMatches(
      [
        match('003000000000001AAA', { ownerId: '005000000000002AAA' }),
        match('003000000000001', { lastModifiedAt: '2024-01-01T00:00:00.000Z' }),
        match('003000000000009AAA', { ownerId: '005000000000001AAA' }),
      ],
      { repUserId: '005000000000001', max: 10 },
    );
    expect(ranked.map((m) => m.id)).toEqual(['003000000000009AAA', '003000000000001AAA']);
  });

  it('returns nothing for nothing', () => {
    expect(rankMatches([], { max: 5 })).toEqual([]);
  });
});
