// LiveSearchDirectory end to end: the jsforce gateway over real HTTP against the emulated org
// (SOSL phone matching by index tokens, a lagging search index). Numbers stored in the formats people type
// are found; a number that is only a digit substring is not; matches rank; the lag is bridged.
import { EmulatedOrg, type SeedData } from '../../src/demo/emulated-org/emulated-org';
import { LookupSchema, PhoneSchema } from '../../src/config/schema';
import { LiveSearchDirectory } from '../../src/directory/live-search-directory';
import { rankMatches } from '../../src/directory/rank-matches';
import { silentLogger } from '../../src/logging/logger';
import type { JsforceSalesforceGateway } from '../../src/salesforce/jsforce-gateway';
import { captureLogger } from '../support/capture-logger';
import { gatewayForOrg } from '../support/org-gateway';
import { Teardown } from '../support/teardown';

const API = '62.0';
const REP = '005Hs00000REP01';
const OTHER = '005Hs00000OTH01';

const seed: SeedData = {
  User: [
    { Id: REP, FirstName: 'Ana', LastName: 'Lopez', Email: 'ana@acme.example' },
    { Id: OTHER, FirstName: 'Ben', LastName: 'Ode', Email: 'ben@acme.example' },
  ],
  Account: [
    { Id: '001Hs00000ACC01', Name: 'Neckar GmbH', Phone: '+49 7131 123456', OwnerId: OTHER },
  ],
  Contact: [
    {
      Id: '003Hs00000C0001',
      FirstName: 'E',
      LastName: 'Plus',
      Phone: '+49 7131 123456',
      OwnerId: OTHER,
    },
    {
      Id: '003Hs00000C0002',
      FirstName: 'N',
      LastName: 'National',
      MobilePhone: '07131 123456',
      OwnerId: REP,
      AccountId: '001Hs00000ACC01',
    },
    {
      Id: '003Hs00000C0003',
      FirstName: 'Z',
      LastName: 'ZeroZero',
      HomePhone: '0049 (0)7131-123456',
      OwnerId: OTHER,
    },
    {
      Id: '003Hs00000C0004',
      FirstName: 'S',
      LastName: 'Slashes',
      OtherPhone: '07131/12 34 56',
      OwnerId: OTHER,
    },
    {
      Id: '003Hs00000C0005',
      FirstName: 'L',
      LastName: 'Longer',
      Phone: '+49 7131 1234567',
      OwnerId: REP,
    },
    {
      Id: '003Hs00000C0006',
      FirstName: 'U',
      LastName: 'Usa',
      Phone: '(415) 555-1212',
      OwnerId: OTHER,
    },
    {
      Id: '003Hs00000C0007',
      FirstName: 'X',
      LastName: 'Extension',
      AssistantPhone: '+1 415 555 1212 x12',
      OwnerId: OTHER,
    },
  ],
  Lead: [
    {
      Id: '00QHs00000L0001',
      FirstName: 'O',
      LastName: 'OpenLead',
      Company: 'Open',
      Phone: '+497131123456',
      OwnerId: OTHER,
    },
    {
      Id: '00QHs00000L0002',
      FirstName: 'C',
      LastName: 'Converted',
      Company: 'Gone',
      Phone: '+497131123456',
      IsConverted: true,
    },
  ],
};

function directoryFor(
  gateway: JsforceSalesforceGateway,
  defaultCountry: string,
  options: { now?: () => number; cacheTtlSeconds?: number } = {},
) {
  return new LiveSearchDirectory({
    gateway,
    phone: PhoneSchema.parse({ defaultCountry }),
    lookup: LookupSchema.parse({
      cacheTtlSeconds: options.cacheTtlSeconds ?? 60,
      recentWindowMinutes: 30,
    }),
    logger: silentLogger(),
    ...(options.now === undefined ? {} : { now: options.now }),
  });
}

describe('LiveSearchDirectory against the emulated org', () => {
  let org: EmulatedOrg;
  let gateway: JsforceSalesforceGateway;
  const teardown = new Teardown();

  beforeAll(async () => {
    org = teardown.add(await EmulatedOrg.start({ seed, apiVersion: API }), (o) => o.stop());
    gateway = gatewayForOrg(org);
  });

  afterAll(() => teardown.run());

  beforeEach(() => {
    org.resetCounters();
  });

  it('finds a German number stored in every common format, and nothing else', async () => {
    const directory = directoryFor(gateway, 'DE');
    const matches = await directory.findByNumber('+497131123456');
    expect(matches.map((m) => `${m.object}:${m.name}:${m.phoneField}`).sort()).toEqual([
      'Account:Neckar GmbH:Phone',
      'Contact:E Plus:Phone',
      'Contact:N National:MobilePhone',
      'Contact:S Slashes:OtherPhone',
      'Contact:Z ZeroZero:HomePhone',
      'Lead:O OpenLead:Phone',
    ]);
    // the search terms that reached Salesforce were digits (and single spaces) only
    expect(org.searches).toHaveLength(1);
    for (const term of org.searches[0]?.terms ?? []) expect(term).toMatch(/^\d{2,}( \d+)*$/);
  });

  it('does not match a stored number that merely contains the caller digits', async () => {
    const directory = directoryFor(gateway, 'DE');
    const matches = await directory.findByNumber('+49713112345');
    expect(matches).toEqual([]);
    const longer = await directory.findByNumber('+4971311234567');
    expect(longer.map((m) => m.name)).toEqual(['L Longer']);
  });

  it('finds a US number stored nationally and with an extension', async () => {
    const directory = directoryFor(gateway, 'US');
    const matches = await directory.findByNumber('+14155551212');
    expect(matches.map((m) => [m.name, m.phoneField]).sort()).toEqual([
      ['U Usa', 'Phone'],
      ['X Extension', 'AssistantPhone'],
    ]);
  });

  it('ranks the rep’s own record first and carries the account', async () => {
    const directory = directoryFor(gateway, 'DE');
    const ranked = rankMatches(await directory.findByNumber('+497131123456'), {
      repUserId: REP,
      max: 2,
    });
    expect(ranked).toHaveLength(2);
    // the rep's id as 15 characters still matches the 18-character OwnerId the API returns
    expect(ranked[0]).toMatchObject({
      name: 'N National',
      object: 'Contact',
      ownerId: expect.stringMatching(/^005Hs00000REP01/) as unknown,
      accountId: expect.stringMatching(/^001Hs00000ACC01/) as unknown,
      accountName: 'Neckar GmbH',
    });
    expect(ranked[0]).not.toHaveProperty('lastModifiedAt');
  });

  it('asks Salesforce once for concurrent lookups and then answers from the cache', async () => {
    const directory = directoryFor(gateway, 'DE');
    const results = await Promise.all([
      directory.findByNumber('+497131123456'),
      directory.findByNumber('+497131123456'),
      directory.findByNumber('+497131123456'),
    ]);
    await directory.findByNumber('+497131123456');
    expect(org.counts.search).toBe(1);
    expect(results[1]).toEqual(results[0]);
  });
});

describe('LiveSearchDirectory and a lagging search index', () => {
  let now = Date.parse('2025-03-01T12:00:00Z');
  let org: EmulatedOrg;
  let gateway: JsforceSalesforceGateway;
  const teardown = new Teardown();

  beforeEach(async () => {
    now = Date.parse('2025-03-01T12:00:00Z');
    org = await EmulatedOrg.start({
      seed: {
        Account: [{ Id: '001Hs00000ACC09', Name: 'Switchboard AG', Phone: '+49 30 901820' }],
      },
      apiVersion: API,
      searchIndexLagMs: 15 * 60_000,
      clock: () => now,
    });
    teardown.add(org, (o) => o.stop());
    gateway = gatewayForOrg(org);
  });

  afterEach(() => teardown.run());

  it('finds a contact created a minute ago through the recent-records fallback', async () => {
    const directory = directoryFor(gateway, 'DE', { now: () => now });
    const id = await gateway.create('Contact', {
      LastName: 'Fresh',
      MobilePhone: '0171 12 34 56 7',
    });
    now += 60_000;
    const matches = await directory.findByNumber('+491711234567');
    expect(matches.map((m) => [m.id.slice(0, 15), m.phoneField])).toEqual([
      [id.slice(0, 15), 'MobilePhone'],
    ]);
    expect(org.counts.search).toBe(1); // the search itself did not see it
  });

  it('finds a noted record even when the search finds someone else with the number', async () => {
    const directory = directoryFor(gateway, 'DE', { now: () => now });
    expect((await directory.findByNumber('+4930901820')).map((m) => m.name)).toEqual([
      'Switchboard AG',
    ]);
    // the rep creates a contact from the pop; the index will not have it for 15 minutes
    const id = await gateway.create('Contact', { LastName: 'Receptionist', Phone: '030 901820' });
    directory.noteRecordChanged('Contact', id);
    now += 60_000;
    const matches = await directory.findByNumber('+4930901820');
    expect(matches.map((m) => m.name).sort()).toEqual(['Receptionist', 'Switchboard AG']);
  });

  it('spends one API call on a found caller and two on a miss: the follow-up queries go as one Composite', async () => {
    const directory = directoryFor(gateway, 'DE', { now: () => now, cacheTtlSeconds: 0 });
    await directory.checkAccess(); // the describes, once an hour, are not a lookup's
    const id = await gateway.create('Contact', { LastName: 'Fresh', Phone: '0171 1234567' });
    now += 60_000;
    org.resetCounters();

    expect((await directory.findByNumber('+4930901820')).map((m) => m.name)).toEqual([
      'Switchboard AG',
    ]);
    expect(org.apiCalls).toBe(1);

    // The search does not see the new contact yet: the recent records of all three objects are
    // asked in the same request.
    org.resetCounters();
    const fresh = await directory.findByNumber('+491711234567');
    expect(fresh.map((m) => m.id.slice(0, 15))).toEqual([id.slice(0, 15)]);
    expect(org.counts).toMatchObject({ search: 1, composite: 1, query: 0 });
    expect(org.apiCalls).toBe(2);

    org.resetCounters();
    expect(await directory.findByNumber('+493055501234')).toEqual([]);
    expect(org.apiCalls).toBe(2);

    // A noted record and the recent ones, still one follow-up request.
    directory.noteRecordChanged('Contact', id);
    org.resetCounters();
    expect(await directory.findByNumber('+493055501234')).toEqual([]);
    expect(org.apiCalls).toBe(2);
  });

  it('without the note, the same call misses the new contact (what the note is for)', async () => {
    const directory = directoryFor(gateway, 'DE', { now: () => now, cacheTtlSeconds: 0 });
    await gateway.create('Contact', { LastName: 'Receptionist', Phone: '030 901820' });
    now += 60_000;
    expect((await directory.findByNumber('+4930901820')).map((m) => m.name)).toEqual([
      'Switchboard AG',
    ]);
    // once the index catches up, the search finds both
    now += 15 * 60_000;
    expect((await directory.findByNumber('+4930901820')).map((m) => m.name).sort()).toEqual([
      'Receptionist',
      'Switchboard AG',
    ]);
  });
});

describe('LiveSearchDirectory when a field permission is taken away while it runs', () => {
  it('describes again on INVALID_FIELD, keeps looking up with the rest, and says so once', async () => {
    const org = await EmulatedOrg.start({
      seed: {
        Contact: [
          { LastName: 'Home', HomePhone: '+1 415 555 0199' },
          { LastName: 'Desk', Phone: '+1 415 555 0101' },
        ],
      },
    });
    try {
      const { logger, lines } = captureLogger();
      const directory = new LiveSearchDirectory({
        gateway: gatewayForOrg(org),
        phone: PhoneSchema.parse({ defaultCountry: 'US' }),
        lookup: LookupSchema.parse({ cacheTtlSeconds: 0, recentWindowMinutes: 0 }),
        logger,
      });
      expect((await directory.findByNumber('+14155550199')).map((m) => m.name)).toEqual(['Home']);

      // The admin removes Read on HomePhone; the bridge's describe is an hour old.
      org.setFieldAccess('Contact.HomePhone', 'none');
      expect(await directory.findByNumber('+14155550199')).toEqual([]);
      expect((await directory.findByNumber('+14155550101')).map((m) => m.name)).toEqual(['Desk']);
      expect(lines.filter((l) => l.code === 'SF_FIELD_NOT_ACCESSIBLE')).toEqual([
        expect.objectContaining({ object: 'Contact', field: 'HomePhone', permission: 'Read' }),
      ]);
    } finally {
      await org.stop();
    }
  });
});
