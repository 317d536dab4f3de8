// LiveSearchDirectory against an in-memory gateway: exact matching by re-check, query safety,
// single-flight, cache TTL on an injected clock, and both answers to the search index lag.
import { LiveSearchDirectory } from '../../src/directory/live-search-directory';
import { SwitchboardError } from '../../src/errors';
import { silentLogger } from '../../src/logging/logger';
import { LookupSchema, PhoneSchema } from '../../src/config/schema';
import { FakeSalesforceGateway, deferred, type FakeRecord } from './fake-salesforce-gateway';

const T0 = Date.parse('2025-03-01T12:00:00Z');
const minutesAgo = (n: number, now = T0) => new Date(now - n * 60_000).toISOString();

function contact(id: string, fields: Partial<FakeRecord>): FakeRecord {
  return {
    Id: id,
    sobjectType: 'Contact',
    Name: `Contact ${id}`,
    LastModifiedDate: minutesAgo(24 * 60),
    ...fields,
  };
}

function setup(options: { cacheTtlSeconds?: number; recentWindowMinutes?: number } = {}) {
  const gateway = new FakeSalesforceGateway();
  let now = T0;
  const directory = new LiveSearchDirectory({
    gateway,
    phone: PhoneSchema.parse({ defaultCountry: 'DE' }),
    lookup: LookupSchema.parse({ cacheTtlSeconds: 60, recentWindowMinutes: 30, ...options }),
    logger: silentLogger(),
    now: () => now,
  });
  return {
    gateway,
    directory,
    advance: (ms: number) => {
      now += ms;
    },
    now: () => now,
  };
}

describe('LiveSearchDirectory', () => {
  describe('matching', () => {
    it('finds numbers stored in any format and reports the matching field', async () => {
      const { gateway, directory } = setup();
      gateway.records = [
        contact('003A', { Phone: '+49 7131 123456' }),
        contact('003B', { MobilePhone: '07131/123456' }),
        contact('003C', { HomePhone: '0049 (0)7131-123456' }),
        contact('003D', { AssistantPhone: '+49 (7131) 12 34 56 ext. 9' }),
        {
          Id: '00QA',
          sobjectType: 'Lead',
          Name: 'Lead A',
          MobilePhone: '07131 123456',
          LastModifiedDate: minutesAgo(60),
        },
        {
          Id: '001A',
          sobjectType: 'Account',
          Name: 'Acme',
          Phone: '+497131123456',
          LastModifiedDate: minutesAgo(60),
        },
      ];
      const matches = await directory.findByNumber('+497131123456');
      expect(matches.map((m) => [m.id, m.object, m.phoneField])).toEqual([
        ['003A', 'Contact', 'Phone'],
        ['003B', 'Contact', 'MobilePhone'],
        ['003C', 'Contact', 'HomePhone'],
        ['003D', 'Contact', 'AssistantPhone'],
        ['00QA', 'Lead', 'MobilePhone'],
        ['001A', 'Account', 'Phone'],
      ]);
    });

    it('never matches a number that only contains the caller digits', async () => {
      const { gateway, directory } = setup();
      gateway.records = [
        contact('003LONG', { Phone: '+49 7131 1234567' }),
        contact('003EXT', { Phone: '+31 497131123456' }),
        contact('003PREFIX', { Phone: '+44 7131 123456' }),
      ];
      // the fake search returns all three (their digits contain a term); the re-check drops them
      expect(await gateway.search(sosl('7131123456'))).toHaveLength(3);
      expect(await directory.findByNumber('+497131123456')).toEqual([]);
    });

    it('maps records to our own type, with account and owner', async () => {
      const { gateway, directory } = setup();
      gateway.records = [
        contact('003A', {
          Name: 'Jane Roe',
          Phone: '07131 123456',
          AccountId: '001X',
          Account: { attributes: { type: 'Account' }, Name: 'Acme GmbH' },
          OwnerId: '005R',
          LastModifiedDate: '2025-02-01T10:00:00.000+0000',
        }),
      ];
      expect(await directory.findByNumber('+497131123456')).toEqual([
        {
          id: '003A',
          object: 'Contact',
          name: 'Jane Roe',
          phoneField: 'Phone',
          accountId: '001X',
          accountName: 'Acme GmbH',
          ownerId: '005R',
          lastModifiedAt: '2025-02-01T10:00:00.000+0000',
        },
      ]);
    });

    it('searches digits only, in phone fields, leaving converted leads out', async () => {
      const { gateway, directory } = setup();
      await directory.findByNumber('+497131123456');
      expect(gateway.searches).toHaveLength(1);
      const search = gateway.searches[0] ?? '';
      expect(search).toMatch(
        /^FIND \{"497131123456" OR "7131123456" OR "07131123456" OR .* OR "7131 123456"\} IN PHONE FIELDS RETURNING /,
      );
      expect(search).toContain(
        'Lead(Id, Name, OwnerId, LastModifiedDate, SystemModstamp, FirstName, LastName, Company, Country, IsConverted, Phone, MobilePhone WHERE IsConverted = false)',
      );
      // nothing but digits between the quotes: no reserved character can reach SOSL
      const terms = [...search.matchAll(/"([^"]*)"/g)].map((m) => m[1]);
      for (const term of terms) expect(term).toMatch(/^\d{2,}( \d+)*$/);
    });

    it.each(['+49 7131 123456', '"} OR {*', "+49') OR Name LIKE '%", '', '07131123456'])(
      'rejects %j before anything reaches Salesforce',
      async (input) => {
        const { gateway, directory } = setup();
        await expect(directory.findByNumber(input)).rejects.toMatchObject({
          code: 'SF_BAD_QUERY_VALUE',
        });
        expect(gateway.searches).toEqual([]);
        expect(gateway.queries).toEqual([]);
      },
    );
  });

  describe('errors', () => {
    it('passes a SwitchboardError from the gateway through, and does not cache failure', async () => {
      const { gateway, directory } = setup();
      gateway.failWith = new SwitchboardError('SF_REQUEST_LIMIT', 'limit');
      await expect(directory.findByNumber('+497131123456')).rejects.toMatchObject({
        code: 'SF_REQUEST_LIMIT',
      });
      gateway.failWith = undefined;
      gateway.records = [contact('003A', { Phone: '+497131123456' })];
      expect(await directory.findByNumber('+497131123456')).toHaveLength(1);
      expect(gateway.searches).toHaveLength(2);
    });

    it('wraps anything else as SF_UNAVAILABLE', async () => {
      const { gateway, directory } = setup();
      gateway.failWith = new Error('socket hang up');
      const failure = directory.findByNumber('+497131123456');
      await expect(failure).rejects.toBeInstanceOf(SwitchboardError);
      await expect(failure).rejects.toMatchObject({ code: 'SF_UNAVAILABLE' });
    });
  });

  describe('single flight and cache', () => {
    it('coalesces concurrent lookups of one number into one search', async () => {
      const { gateway, directory } = setup();
      gateway.records = [contact('003A', { Phone: '+497131123456' })];
      const gate = deferred();
      gateway.searchGate = gate.promise;
      const first = directory.findByNumber('+497131123456');
      const second = directory.findByNumber('+497131123456');
      const other = directory.findByNumber('+4930123456');
      gate.resolve();
      const [a, b] = await Promise.all([first, second, other]);
      expect(gateway.searches).toHaveLength(2); // one per distinct number
      expect(a).toEqual(b);
      expect(a).not.toBe(b); // each caller gets its own array
      expect(a).toHaveLength(1);
    });

    it('answers from the cache until the TTL passes', async () => {
      const { gateway, directory, advance } = setup({ cacheTtlSeconds: 60 });
      gateway.records = [contact('003A', { Phone: '+497131123456' })];
      await directory.findByNumber('+497131123456');
      advance(59_000);
      expect(await directory.findByNumber('+497131123456')).toHaveLength(1);
      expect(gateway.searches).toHaveLength(1);
      advance(1_000);
      await directory.findByNumber('+497131123456');
      expect(gateway.searches).toHaveLength(2);
    });

    it('knows a cached answer without asking (the ring carries it), until the TTL or a change', async () => {
      const { gateway, directory, advance } = setup({ cacheTtlSeconds: 60 });
      gateway.records = [contact('003A', { Phone: '+497131123456' })];
      expect(directory.knownMatches('+497131123456')).toBeUndefined();
      await directory.findByNumber('+497131123456');
      expect(directory.knownMatches('+497131123456')?.map((m) => m.id)).toEqual(['003A']);
      expect(gateway.searches).toHaveLength(1);
      advance(60_000);
      expect(directory.knownMatches('+497131123456')).toBeUndefined();
      await directory.findByNumber('+497131123456');
      directory.noteRecordChanged('Contact', '003B');
      expect(directory.knownMatches('+497131123456')).toBeUndefined();
    });

    it('does not cache with a TTL of 0', async () => {
      const { gateway, directory } = setup({ cacheTtlSeconds: 0 });
      await directory.findByNumber('+497131123456');
      await directory.findByNumber('+497131123456');
      expect(gateway.searches).toHaveLength(2);
    });

    it('a changed record empties the cache (a new contact must pop at once)', async () => {
      const { gateway, directory } = setup();
      expect(await directory.findByNumber('+497131123456')).toEqual([]);
      gateway.records = [
        contact('003NEW', { Phone: '+497131123456', LastModifiedDate: minutesAgo(0) }),
      ];
      directory.noteRecordChanged('Contact', '003NEW');
      expect((await directory.findByNumber('+497131123456')).map((m) => m.id)).toEqual(['003NEW']);
    });

    it('does not cache a lookup that was in flight when a record changed', async () => {
      const { gateway, directory } = setup();
      const gate = deferred();
      gateway.searchGate = gate.promise;
      const stale = directory.findByNumber('+497131123456');
      directory.noteRecordChanged('Task', '00T1');
      gate.resolve();
      await stale;
      gateway.searchGate = undefined;
      await directory.findByNumber('+497131123456');
      expect(gateway.searches).toHaveLength(2);
    });
  });

  describe('search index lag', () => {
    it('finds a recently modified record the index has not caught up with', async () => {
      const { gateway, directory } = setup({ recentWindowMinutes: 30 });
      gateway.records = [
        contact('003NEW', {
          MobilePhone: '0171 12 34 56 7',
          indexed: false,
          LastModifiedDate: minutesAgo(5),
        }),
        contact('003OLD', {
          MobilePhone: '01711234567',
          indexed: false,
          LastModifiedDate: minutesAgo(45),
        }),
      ];
      const matches = await directory.findByNumber('+491711234567');
      expect(matches.map((m) => m.id)).toEqual(['003NEW']);
      // one query per object, limited to the window, with the last digits as LIKE patterns
      expect(gateway.queries).toHaveLength(3);
      const contactQuery = gateway.queries.find((q) => q.includes('FROM Contact')) ?? '';
      expect(contactQuery).toContain(`LastModifiedDate > ${minutesAgo(30).replace('.000Z', 'Z')}`);
      expect(contactQuery).toContain("MobilePhone LIKE '%4_56_7%'");
      expect(contactQuery).toContain("Phone LIKE '%4567%'");
      expect(gateway.queries.find((q) => q.includes('FROM Lead'))).toContain('IsConverted = false');
    });

    it('skips the fallback when the search found the caller', async () => {
      const { gateway, directory } = setup();
      gateway.records = [contact('003A', { Phone: '+491711234567' })];
      await directory.findByNumber('+491711234567');
      expect(gateway.queries).toEqual([]);
    });

    it('skips the fallback when the window is 0', async () => {
      const { gateway, directory } = setup({ recentWindowMinutes: 0 });
      await directory.findByNumber('+491711234567');
      expect(gateway.queries).toEqual([]);
    });

    it('fetches noted records by id even when the search finds someone else', async () => {
      const { gateway, directory } = setup({ recentWindowMinutes: 0 });
      gateway.records = [
        {
          Id: '001A',
          sobjectType: 'Account',
          Name: 'Acme',
          Phone: '+491711234567',
          LastModifiedDate: minutesAgo(99),
        },
        contact('003NEW', {
          Phone: '0171 1234567',
          indexed: false,
          LastModifiedDate: minutesAgo(1),
        }),
        contact('003OTHER', { Phone: '0172 9999999', indexed: false }),
      ];
      directory.noteRecordChanged('Contact', '003NEW');
      directory.noteRecordChanged('Contact', '003OTHER');
      directory.noteRecordChanged('Task', '00T1'); // not a caller record: ignored
      const matches = await directory.findByNumber('+491711234567');
      expect(matches.map((m) => m.id).sort()).toEqual(['001A', '003NEW']);
      expect(gateway.queries).toEqual([
        "SELECT Id, Name, OwnerId, LastModifiedDate, SystemModstamp, FirstName, LastName, AccountId, Account.Name, MailingCountry, Account.BillingCountry, Phone, MobilePhone, HomePhone, OtherPhone, AssistantPhone FROM Contact WHERE Id IN ('003NEW', '003OTHER')",
      ]);
    });

    it('infers the object from the id when the type is not given', async () => {
      const { gateway, directory } = setup({ recentWindowMinutes: 0 });
      directory.noteRecordChanged('', '00Q000000000001AAA');
      await directory.findByNumber('+491711234567');
      expect(gateway.queries).toHaveLength(1);
      expect(gateway.queries[0]).toContain("FROM Lead WHERE Id IN ('00Q000000000001AAA')");
    });

    it('forgets noted records once the index has surely caught up', async () => {
      const { gateway, directory, advance } = setup({ recentWindowMinutes: 0, cacheTtlSeconds: 0 });
      directory.noteRecordChanged('Lead', '00QNEW');
      await directory.findByNumber('+491711234567');
      expect(gateway.queries).toHaveLength(1);
      advance(15 * 60_000 + 1);
      await directory.findByNumber('+491711234567');
      expect(gateway.queries).toHaveLength(1);
    });

    it('does not fetch a noted record the search already returned', async () => {
      const { gateway, directory } = setup();
      gateway.records = [contact('003A', { Phone: '+491711234567' })];
      directory.noteRecordChanged('Contact', '003A');
      expect(await directory.findByNumber('+491711234567')).toHaveLength(1);
      expect(gateway.queries).toEqual([]);
    });
  });
});

/** A search string as the fake understands it (for checking the fake itself). */
function sosl(term: string) {
  return `FIND {"${term}"} IN PHONE FIELDS` as Parameters<FakeSalesforceGateway['search']>[0];
}
