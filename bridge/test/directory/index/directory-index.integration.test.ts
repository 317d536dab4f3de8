// The directory index end to end: the real jsforce gateway over HTTP against the emulated org.
// Initial load (REST pages and Bulk API 2.0), one incremental cycle picking up a changed phone,
// a new record and a deletion, lookups answered with zero API requests, a miss answered by
// exactly one search whose hit is indexed, the record's own country, and a killed sync that
// resumes from its checkpoint. Every test runs on both stores: the SQLite index (one bridge's
// file) and the PostgreSQL one several bridges share (a real server the suite starts).
import { parseDirectoryConfig, LookupSchema, PhoneSchema } from '../../../src/config/schema';
import { EmulatedOrg, type SeedData } from '../../../src/demo/emulated-org/emulated-org';
import {
  createIndexedDirectory,
  type IndexedDirectoryFeature,
} from '../../../src/directory/index/create-indexed-directory';
import { silentLogger } from '../../../src/logging/logger';
import type { JsforceSalesforceGateway } from '../../../src/salesforce/jsforce-gateway';
import {
  DirectoryIndex,
  type DirectoryIndexStore,
} from '../../../src/directory/index/directory-index';
import { PostgresDirectoryIndex } from '../../../src/directory/index/postgres-directory-index';
import { openDatabase, type Database } from '../../../src/storage/database';
import { gatewayForOrg } from '../../support/org-gateway';
import { useTestPostgres } from '../../support/postgres-server';
import { Teardown } from '../../support/teardown';

const OWNER = '005Hs00000USR01';
const ACCOUNT = '001Hs00000ACC01';
const JONAS = '003Hs00000C0001';
const PRIYA = '003Hs00000C0002';
const NOPHONE = '003Hs00000C0003';
const CUSTOM = '003Hs00000C0004';
const CONVERTED = '00QHs00000L0002';

function seed(extraContacts = 0): SeedData {
  return {
    User: [{ Id: OWNER, FirstName: 'Ana', LastName: 'Lopez', Email: 'ana@acme.example' }],
    Account: [
      { Id: ACCOUNT, Name: 'Neckar GmbH', Phone: '+49 7131 123456', OwnerId: OWNER },
      { Name: 'Bayview HQ', Phone: '415-555-0100', BillingCountry: 'United States' },
    ],
    Contact: [
      {
        Id: JONAS,
        FirstName: 'Jonas',
        LastName: 'Weber',
        // No country code: read as German because of the mailing country, not the default US.
        Phone: '07131 123456',
        MailingCountry: 'Germany',
        AccountId: ACCOUNT,
        OwnerId: OWNER,
      },
      {
        Id: PRIYA,
        FirstName: 'Priya',
        LastName: 'Raman',
        Phone: '(415) 555-1212',
        MobilePhone: '415 555 0134',
      },
      { Id: NOPHONE, FirstName: 'No', LastName: 'Phone' },
      { Id: CUSTOM, LastName: 'Custom', Direct_Phone__c: '+1 212 555 0186' },
      ...Array.from({ length: extraContacts }, (_, i) => ({
        LastName: `Bulk${i}`,
        Phone: `+1 303 555 ${String(1000 + i)}`,
      })),
    ],
    Lead: [
      { FirstName: 'Mia', LastName: 'Thompson', Company: 'Bayview', Phone: '(415) 555-0199' },
      {
        Id: CONVERTED,
        LastName: 'Converted',
        Company: 'Old',
        Phone: '212-555-0111',
        IsConverted: true,
      },
    ],
  };
}

interface Harness {
  org: EmulatedOrg;
  db: Database;
  index: DirectoryIndexStore;
  gateway: JsforceSalesforceGateway;
  clock: { t: number };
}

/** What startOrg started, stopped after each test (also when it failed halfway). */
const teardown = new Teardown();
const postgres = useTestPostgres();
// A fresh PostgreSQL database and its migrations per test take seconds on a busy machine: a
// bound against a hang, not a speed check.
jest.setTimeout(60_000);
/** The store the tests of the describe block running now use. */
let store: 'sqlite' | 'postgres' = 'sqlite';

async function startOrg(
  extraContacts = 0,
  orgSeed: Record<string, Array<Record<string, unknown>>> = seed(extraContacts),
): Promise<Harness> {
  const clock = { t: Date.parse('2026-03-02T09:00:00.000Z') };
  const org = teardown.add(await EmulatedOrg.start({ seed: orgSeed, clock: () => clock.t }), (o) =>
    o.stop(),
  );
  const gateway = gatewayForOrg(org, { bulkPollMs: 1 });
  const db = teardown.add(openDatabase(':memory:', silentLogger()), (d) => d.close());
  const index =
    store === 'sqlite'
      ? new DirectoryIndex(db, silentLogger())
      : await PostgresDirectoryIndex.open(
          await postgres.pool(await postgres.freshDatabase()),
          silentLogger(),
        );
  return { org, db, index, gateway, clock };
}

function feature(
  h: Harness,
  directory: Record<string, unknown> = {},
  sync: Parameters<typeof createIndexedDirectory>[0]['sync'] = {},
): IndexedDirectoryFeature {
  return createIndexedDirectory({
    config: {
      directory: parseDirectoryConfig({
        enabled: true,
        customPhoneFields: { Contact: ['Direct_Phone__c'] },
        bulkThreshold: 1000,
        ...directory,
      }),
      phone: PhoneSchema.parse({ defaultCountry: 'US' }),
      lookup: LookupSchema.parse({}),
    },
    db: h.db,
    index: h.index,
    gateway: h.gateway,
    logger: silentLogger(),
    now: () => h.clock.t,
    sync: { pageSize: 2, ...sync },
  });
}

const ids = (matches: { id: string }[]) => matches.map((m) => m.id.slice(0, 15)).sort();

describe.each(['sqlite', 'postgres'] as const)(
  'directory index against the emulated org (%s)',
  (storeName) => {
    let h: Harness;
    beforeAll(() => {
      store = storeName;
    });

    afterEach(() => teardown.run());

    describe('initial load', () => {
      it.each([
        ['REST query pages', 1000, 'rest'],
        ['Bulk API 2.0', 0, 'bulk'],
      ])('loads every phone of a seeded org through %s', async (_name, bulkThreshold, mode) => {
        h = await startOrg();
        const dir = feature(h, { bulkThreshold });

        const report = await dir.sync.run();

        expect(report.objects.map((o) => [o.object, o.mode])).toEqual([
          ['Contact', mode],
          ['Lead', mode],
          ['Account', mode],
        ]);
        if (mode === 'bulk') expect(h.org.counts.bulk).toBeGreaterThan(0);
        else expect(h.org.counts.bulk).toBe(0);
        // The status counts the requests the org received, bulk polls included.
        expect((await dir.refreshStatus()).apiRequests.sinceStart).toBe(h.org.apiCalls);
        expect(report.apiRequests).toBe(h.org.apiCalls);
        // Record country beats the default country; the Account with +49 shares the number.
        expect(ids(await dir.index.find('+497131123456'))).toEqual([ACCOUNT, JONAS]);
        expect(
          (await dir.index.find('+497131123456')).find((m) => m.object === 'Contact'),
        ).toMatchObject({
          name: 'Jonas Weber',
          phoneField: 'Phone',
          accountId: expect.stringMatching(/^001Hs00000ACC01/) as unknown,
          accountName: 'Neckar GmbH',
          ownerId: expect.stringMatching(/^005Hs00000USR01/) as unknown,
        });
        expect((await dir.index.find('+14155550134'))[0]).toMatchObject({
          phoneField: 'MobilePhone',
        });
        expect((await dir.index.find('+12125550186'))[0]).toMatchObject({
          phoneField: 'Direct_Phone__c',
        });
        expect((await dir.index.find('+14155550199'))[0]).toMatchObject({
          object: 'Lead',
          name: 'Mia Thompson',
        });
        expect(await dir.index.find('+12125550111')).toEqual([]); // converted Lead
        expect(await dir.refreshStatus()).toMatchObject({
          ready: true,
          records: { Contact: 3, Lead: 1, Account: 2 },
          numbers: 7,
        });
      });
    });

    it('reflects a changed phone, a new record and a deletion after one incremental cycle', async () => {
      h = await startOrg();
      const dir = feature(h);
      await dir.sync.run();
      expect(ids(await dir.index.find('+14155550134'))).toEqual([PRIYA]);

      h.clock.t += 2 * 60_000;
      h.org.update('Contact', PRIYA, { MobilePhone: '415 555 0177' });
      const lead = h.org.insert('Lead', {
        LastName: 'New',
        Company: 'N',
        Phone: '+1 303 555 0142',
      });
      h.org.delete('Contact', CUSTOM);
      h.clock.t += 2 * 60_000;
      h.org.resetCounters();
      const report = await dir.sync.run();

      expect(report.objects.every((o) => o.mode === 'incremental')).toBe(true);
      expect(await dir.index.find('+14155550134')).toEqual([]);
      expect(ids(await dir.index.find('+14155550177'))).toEqual([PRIYA]);
      expect(ids(await dir.index.find('+13035550142'))).toEqual([String(lead.Id).slice(0, 15)]);
      expect(await dir.index.find('+12125550186')).toEqual([]);
      // Each object's changes and deletions, all in one Composite request: one API call.
      expect(h.org.subrequests).toMatchObject({ query: 3, deleted: 3 });
      expect(h.org.apiCalls).toBe(1);
      expect((await dir.refreshStatus()).records).toEqual({ Contact: 2, Lead: 2, Account: 2 });
    });

    it('asks getDeleted only for windows over a minute, and never falls back to reconciling', async () => {
      h = await startOrg();
      const dir = feature(h);
      await dir.sync.run();
      h.clock.t += 30_000;
      await dir.sync.run();
      h.org.resetCounters();
      h.clock.t += 30_000;

      await dir.sync.run();

      // One incremental query per object; getDeleted would refuse this window (within a minute of
      // the last one), and a refusal used to cost a full id scan per object.
      expect(h.org.subrequests).toMatchObject({ deleted: 0, query: 3 });
      expect(h.org.counts).toMatchObject({ deleted: 0, query: 0, composite: 1 });
      h.org.delete('Contact', CUSTOM);
      h.clock.t += 2 * 60_000;
      await dir.sync.run();
      expect(h.org.subrequests.deleted).toBe(3);
      expect(await dir.index.find('+12125550186')).toEqual([]);
    });

    it('removes a deleted record by reconciling ids when getDeleted no longer reaches back', async () => {
      h = await startOrg();
      const dir = feature(h);
      await dir.sync.run();
      h.org.delete('Contact', CUSTOM);
      h.clock.t += 20 * 24 * 3600_000; // beyond the deleted-records window

      await dir.sync.run();

      expect(await dir.index.find('+12125550186')).toEqual([]);
      expect(h.org.counts.deleted).toBe(0);
    });

    it('answers a hit from the index with zero API requests', async () => {
      h = await startOrg();
      const dir = feature(h);
      await dir.sync.run();
      h.org.resetCounters();

      const matches = await dir.directory.findByNumber('+497131123456');

      expect(ids(matches)).toEqual([ACCOUNT, JONAS]);
      expect(h.org.apiCalls).toBe(0);
      expect((await dir.refreshStatus()).lookups).toMatchObject({ indexHits: 1, liveSearches: 0 });
    });

    it('knows a hit without waiting where the store is read in place (SQLite only)', async () => {
      h = await startOrg();
      const dir = feature(h);
      expect(dir.directory.knownMatches('+497131123456')).toBeUndefined(); // not loaded yet
      await dir.sync.run();
      h.org.resetCounters();

      const known = dir.directory.knownMatches('+497131123456');

      if (storeName === 'sqlite') {
        expect(ids(known ?? [])).toEqual([ACCOUNT, JONAS]);
        expect((await dir.refreshStatus()).lookups).toMatchObject({ indexHits: 1 });
      } else {
        // A PostgreSQL read is a round trip: the ring waits for findByNumber as before.
        expect(known).toBeUndefined();
      }
      // A number nobody has is not known until the live search has answered it.
      expect(dir.directory.knownMatches('+16175550000')).toBeUndefined();
      expect(await dir.directory.findByNumber('+16175550000')).toEqual([]);
      expect(dir.directory.knownMatches('+16175550000')).toEqual(
        storeName === 'sqlite' ? [] : undefined,
      );
      expect(h.org.apiCalls).toBe(1);
    });

    it('falls back to one live search on a miss and indexes its hit', async () => {
      h = await startOrg();
      const dir = feature(h);
      await dir.sync.run();
      const fresh = h.org.insert('Contact', { LastName: 'Fresh', Phone: '+1 617 555 0142' });
      h.org.resetCounters();

      const first = await dir.directory.findByNumber('+16175550142');
      expect(ids(first)).toEqual([String(fresh.Id).slice(0, 15)]);
      expect(h.org.counts.search).toBe(1);
      expect(h.org.apiCalls).toBe(1);

      const again = await dir.directory.findByNumber('+16175550142');
      expect(ids(again)).toEqual(ids(first));
      expect(h.org.apiCalls).toBe(1);

      h.org.resetCounters();
      expect(await dir.directory.findByNumber('+16175550000')).toEqual([]);
      expect(h.org.apiCalls).toBe(1);
    });

    it('reads a record noted from a pop into the index at once', async () => {
      h = await startOrg();
      const dir = feature(h);
      await dir.sync.run();
      const created = h.org.insert('Lead', {
        LastName: 'Popped',
        Company: 'P',
        Phone: '030 1234567',
        Country: 'DE',
      });

      dir.directory.noteRecordChanged('', String(created.Id));
      await dir.directory.settled();

      expect(ids(await dir.index.find('+49301234567'))).toEqual([String(created.Id).slice(0, 15)]);
    });

    it.each([
      ['REST', 1000, {}],
      ['Bulk', 0, { bulkPageSize: 3 }],
    ])(
      'resumes a %s load killed halfway from its checkpoint',
      async (_name, bulkThreshold, tuning) => {
        h = await startOrg(12);
        let pages = 0;
        const killed = feature(
          h,
          { bulkThreshold, objects: ['Contact'] },
          {
            ...tuning,
            afterPage: () => {
              if (++pages === 2) throw new Error('killed');
            },
          },
        );
        await expect(killed.sync.run()).rejects.toThrow('killed');
        const loadedBefore = (await killed.refreshStatus()).objects.Contact?.loaded ?? 0;
        expect(loadedBefore).toBeGreaterThan(0);
        expect((await killed.refreshStatus()).ready).toBe(false);

        // A new process on the same database: it continues after the last committed record.
        const resumed = feature(h, { bulkThreshold, objects: ['Contact'] }, tuning);
        const report = await resumed.sync.run();

        const fetched = report.objects[0]?.fetched ?? 0;
        // 16 Contacts in the org (one without a phone, so 15 indexed).
        expect(fetched).toBe(16 - loadedBefore);
        expect(fetched).toBeLessThan(16);
        expect(await resumed.refreshStatus()).toMatchObject({
          ready: true,
          records: { Contact: 15 },
        });
        expect(await resumed.index.find('+13035551011')).toHaveLength(1);
      },
    );

    it('stops a running load after the page it is on, and the next process resumes it', async () => {
      h = await startOrg(12);
      let pages = 0;
      let stopped: Promise<void> | undefined;
      const first = feature(
        h,
        { objects: ['Contact'] },
        {
          afterPage: () => {
            if (++pages === 2) stopped = first.stop();
          },
        },
      );

      await expect(first.sync.run()).rejects.toThrow('directory sync stopped');
      await stopped;
      expect((await first.refreshStatus()).objects.Contact).toMatchObject({
        phase: 'initial',
        loaded: 4,
      });

      const report = await feature(h, { objects: ['Contact'] }).sync.run();
      expect(report.objects[0]?.fetched).toBe(12);
    });

    it('resumes after Salesforce failed in the middle of a load', async () => {
      h = await startOrg(12);
      let pages = 0;
      const dir = feature(
        h,
        { objects: ['Contact'] },
        {
          afterPage: () => {
            if (++pages === 3) h.org.faults.failNext(2, 503); // the next page request and its retry
          },
        },
      );
      await expect(dir.sync.run()).rejects.toMatchObject({ code: 'SF_UNAVAILABLE' });
      expect(await dir.refreshStatus()).toMatchObject({
        ready: false,
        lastError: { code: 'SF_UNAVAILABLE' },
        objects: { Contact: { phase: 'initial', loaded: 6 } },
      });

      const report = await dir.sync.run();

      expect(report.objects[0]?.fetched).toBe(10);
      expect(await dir.refreshStatus()).toMatchObject({
        ready: true,
        lastError: null,
        records: { Contact: 15 },
      });
    });

    it('removes a Lead converted since the last cycle', async () => {
      h = await startOrg();
      const dir = feature(h);
      await dir.sync.run();
      const mia = h.org.records('Lead').find((l) => l.LastName === 'Thompson');
      expect(await dir.index.find('+14155550199')).toHaveLength(1);

      h.clock.t += 60_000;
      h.org.update('Lead', String(mia?.Id), { IsConverted: true });
      await dir.sync.run();

      expect(await dir.index.find('+14155550199')).toEqual([]);
    });

    it('indexes Person Account phones where the org has Person Accounts', async () => {
      h = await startOrg(0, {
        Account: [
          { Name: 'Business', Phone: '+1 212 555 0100' },
          {
            // A person account: the org has Person Accounts, and Lena has a person contact.
            FirstName: 'Lena',
            LastName: 'Vogel',
            PersonMobilePhone: '0151 12345678',
            PersonMailingCountry: 'Deutschland',
          },
        ],
      });
      const dir = feature(h, { objects: ['Contact', 'Account'] });

      await dir.sync.run();

      // Found once, as the Person Account: her person contact is not a second match.
      expect(await dir.index.find('+4915112345678')).toEqual([
        expect.objectContaining({
          object: 'Account',
          name: 'Lena Vogel',
          phoneField: 'PersonMobilePhone',
        }),
      ]);
      expect((await dir.refreshStatus()).records).toEqual({ Contact: 0, Account: 2 });
    });

    it('detects an org without Person Accounts and reads the standard fields only', async () => {
      h = await startOrg();
      const dir = feature(h, { objects: ['Account'] });

      await dir.sync.run();

      // Person fields in a query would be INVALID_FIELD here: the sync asked for none.
      expect(await dir.refreshStatus()).toMatchObject({ ready: true, lastError: null });
      expect((await dir.refreshStatus()).records).toEqual({ Account: 2 });
    });

    it('keeps its state across a restart: the next run is incremental', async () => {
      h = await startOrg();
      await feature(h).sync.run();

      const report = await feature(h).sync.run();

      expect(report.objects.map((o) => o.mode)).toEqual([
        'incremental',
        'incremental',
        'incremental',
      ]);
    });
  },
);
