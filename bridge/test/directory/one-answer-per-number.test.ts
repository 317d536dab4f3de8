// One answer per number: the live search (index off) and the directory index (index on) give the
// same matches for every caller, over numbers stored the way people type them in several
// countries, against an emulated org that searches phones by index tokens as Salesforce does.
// Both read the same fields (custom and Person Account phones included) and normalize a stored
// number with the record's own country first; a 16-digit caller is "no match" both ways.
import { parseDirectoryConfig, LookupSchema, PhoneSchema } from '../../src/config/schema';
import { EmulatedOrg, type SeedData } from '../../src/demo/emulated-org/emulated-org';
import { createIndexedDirectory } from '../../src/directory/index/create-indexed-directory';
import { LiveSearchDirectory } from '../../src/directory/live-search-directory';
import { silentLogger } from '../../src/logging/logger';
import { openDatabase } from '../../src/storage/database';
import { gatewayForOrg } from '../support/org-gateway';

/** [stored value, field, record country field and value, the caller it must match]. */
const STORED: [string, string, Record<string, string>, string][] = [
  ['(415) 555-0132 ext. 7', 'Phone', { MailingCountry: 'United States' }, '+14155550132'],
  ['415.555.0133', 'MobilePhone', { MailingCountry: 'USA' }, '+14155550133'],
  ['1-415-555-0134', 'HomePhone', { MailingCountry: 'US' }, '+14155550134'],
  ['+1 (415) 555-0135', 'OtherPhone', {}, '+14155550135'],
  ['07131 123456', 'Phone', { MailingCountry: 'Deutschland' }, '+497131123456'],
  ['+49 (0)7131 654321', 'MobilePhone', {}, '+497131654321'],
  ['0049 7131 111111', 'Phone', {}, '+497131111111'],
  ['07131/22 33 44', 'AssistantPhone', {}, '+497131223344'],
  ['020 7946 0958', 'Phone', { MailingCountry: 'United Kingdom' }, '+442079460958'],
  ['+44 (0)20 7946 0959', 'Phone', { MailingCountry: 'England' }, '+442079460959'],
  ['07700 900123', 'MobilePhone', { MailingCountry: 'UK' }, '+447700900123'],
  ['01 42 68 53 00', 'Phone', { MailingCountry: 'France' }, '+33142685300'],
  ['+33 6 12 34 56 78', 'MobilePhone', { MailingCountry: 'France' }, '+33612345678'],
  ['(02) 9123 4567', 'Phone', { MailingCountry: 'Australia' }, '+61291234567'],
  ['0711 987654', 'Phone', {}, '+49711987654'], // no country: phone.defaultCountry (DE)
  ['+49 30 1234567', 'Direct_Phone__c', {}, '+49301234567'], // an admin's custom phone field
];

function seed(): SeedData {
  return {
    Account: [
      { Name: 'Sydney Freight', Phone: '(02) 9123 4000', BillingCountry: 'Australia' },
      // A Person Account, found by its mobile (and not a second time as its person contact).
      {
        FirstName: 'Lena',
        LastName: 'Vogel',
        PersonMobilePhone: '0151 12345678',
        PersonMailingCountry: 'Germany',
      },
    ],
    Contact: STORED.map(([value, field, country], i) => ({
      LastName: `Caller ${i}`,
      [field]: value,
      ...country,
    })),
    Lead: [{ LastName: 'Lefebvre', Company: 'Lyon', Phone: '04 72 10 30 30', Country: 'France' }],
  };
}

const CALLERS = [
  ...STORED.map(([, , , caller]) => caller),
  '+61291234000',
  '+4915112345678',
  '+33472103030',
  '+4971311234567890', // 16 digits: nobody, and not an error
  '+14155550199', // nobody
];

describe('one answer per number: live search and directory index agree', () => {
  let org: EmulatedOrg;

  beforeAll(async () => {
    org = await EmulatedOrg.start({ seed: seed() });
  });
  afterAll(() => org.stop());

  it('finds every stored format by the same records both ways', async () => {
    const gateway = gatewayForOrg(org);
    const phone = PhoneSchema.parse({ defaultCountry: 'DE' });
    const directoryConfig = parseDirectoryConfig({
      enabled: true,
      customPhoneFields: { Contact: ['Direct_Phone__c'] },
    });
    const live = new LiveSearchDirectory({
      gateway,
      phone,
      lookup: LookupSchema.parse({ cacheTtlSeconds: 0, recentWindowMinutes: 0 }),
      directory: directoryConfig,
      logger: silentLogger(),
    });
    const db = openDatabase(':memory:', silentLogger());
    const indexed = createIndexedDirectory({
      config: { directory: directoryConfig, phone, lookup: LookupSchema.parse({}) },
      db,
      gateway,
      logger: silentLogger(),
    });
    try {
      await indexed.sync.run();
      const answer = (matches: { id: string; object: string; phoneField: string }[]) =>
        matches.map((m) => `${m.object}:${m.id.slice(0, 15)}:${m.phoneField}`).sort();

      const table: Record<string, { live: string[]; index: string[] }> = {};
      for (const caller of CALLERS)
        table[caller] = {
          live: answer(await live.findByNumber(caller)),
          index: answer(await indexed.index.find(caller)),
        };

      for (const [caller, { live: l, index: i }] of Object.entries(table))
        expect({ caller, live: l }).toEqual({ caller, live: i });
      // …and each stored number is actually found, in the field it is stored in.
      STORED.forEach(([, field, , caller], i) => {
        const contact = org.records('Contact').find((c) => c.LastName === `Caller ${i}`);
        expect(table[caller]?.index).toEqual([
          `Contact:${String(contact?.Id).slice(0, 15)}:${field}`,
        ]);
      });
      expect(table['+4915112345678']?.index).toEqual([
        expect.stringMatching(/^Account:001\w+:PersonMobilePhone$/),
      ]);
      expect(table['+4971311234567890']).toEqual({ live: [], index: [] });
    } finally {
      await indexed.stop();
      db.close();
    }
  });
});
