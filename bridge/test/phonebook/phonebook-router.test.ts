// The phonebook endpoints over real HTTP: each export parsed back with a real parser for its
// format (vcf for vCard 3.0/4.0, csv-parse, fast-xml-parser for Yealink and Cisco XML), the
// caller-name lookup PBXes call, and the token check.
import type { AddressInfo } from 'node:net';
import http from 'node:http';
import { parse as parseCsv } from 'csv-parse/sync';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import vCard from 'vcf';
import { PhoneSchema } from '../../src/config/schema';
import { DirectoryIndex } from '../../src/directory/index/directory-index';
import type { IndexedRecord } from '../../src/directory/index/record-mapping';
import { createHttpApp } from '../../src/http/http-server';
import { silentLogger } from '../../src/logging/logger';
import { createPhonebookRouter } from '../../src/phonebook/phonebook-router';
import { openDatabase, type Database } from '../../src/storage/database';
import { Teardown } from '../support/teardown';

const TOKEN = 'phonebook-token-0123456789';

function record(overrides: Partial<IndexedRecord> & Pick<IndexedRecord, 'id'>): IndexedRecord {
  return {
    object: 'Contact',
    name: 'Someone',
    firstName: null,
    lastName: null,
    company: null,
    accountId: null,
    ownerId: null,
    lastModifiedAt: '2026-03-01T10:00:00.000+0000',
    modstamp: '2026-03-01T10:00:00.000+0000',
    numbers: [],
    ...overrides,
  };
}

const RECORDS: IndexedRecord[] = [
  record({
    id: '003Hs00000C0001AAA',
    name: 'Jonas Weber',
    firstName: 'Jonas',
    lastName: 'Weber',
    company: 'Neckar <Maschinen> & Söhne, GmbH',
    accountId: '001Hs00000ACC01AAA',
    numbers: [
      { e164: '+497131123456', field: 'Phone' },
      { e164: '+4915112345678', field: 'MobilePhone' },
    ],
  }),
  record({
    id: '00QHs00000L0001AAA',
    object: 'Lead',
    name: 'Mia "M" Thompson',
    firstName: 'Mia "M"',
    lastName: 'Thompson',
    company: 'Bayview',
    numbers: [{ e164: '+14155550199', field: 'Phone' }],
  }),
  record({
    id: '001Hs00000ACC01AAA',
    object: 'Account',
    name: 'Neckar <Maschinen> & Söhne, GmbH',
    numbers: [{ e164: '+497131123456', field: 'Phone' }],
  }),
];

describe('phonebook router', () => {
  let db: Database;
  let index: DirectoryIndex;
  let server: http.Server;
  const teardown = new Teardown();
  let base: string;

  async function start(token: string | undefined): Promise<void> {
    const app = createHttpApp({
      logger: silentLogger(),
      health: () => ({ ready: true, details: {} }),
      routers: [
        {
          path: '/',
          router: createPhonebookRouter({
            index,
            token,
            phone: PhoneSchema.parse({ defaultCountry: 'DE' }),
            logger: silentLogger(),
          }),
        },
      ],
    });
    server = teardown.add(http.createServer(app), (s) => {
      s.closeAllConnections();
      return new Promise((resolve) => s.close(resolve));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  const get = (
    path: string,
    headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` },
  ) => fetch(`${base}${path}`, { headers });

  beforeEach(() => {
    db = teardown.add(openDatabase(':memory:', silentLogger()), (d) => d.close());
    index = new DirectoryIndex(db, silentLogger());
    index.upsert(RECORDS, 1);
  });

  afterEach(() => teardown.run());

  describe('with a token', () => {
    beforeEach(() => start(TOKEN));

    it.each(['3.0', '4.0'])('serves vCard %s that a vCard parser reads back', async (version) => {
      const res = await get(`/directory/phonebook.vcf?version=${version}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/vcard/);
      const cards = vCard.parse(await res.text());

      expect(cards).toHaveLength(3);
      expect(cards.every((c) => c.version === version)).toBe(true);
      const jonas = cards.find((c) => (c.get('fn') as vCard.Property).valueOf() === 'Jonas Weber');
      expect(jonas).toBeDefined();
      const tels: vCard.Property[] = [jonas?.get('tel') ?? []].flat();
      expect(tels.map((t) => t.valueOf())).toEqual(
        version === '4.0'
          ? ['tel:+497131123456', 'tel:+4915112345678']
          : ['+497131123456', '+4915112345678'],
      );
      expect(tels[1]?.is('cell')).toBe(true);
      expect(tels[0]?.is('cell')).toBe(false);
      // RFC 6350 text escaping: the comma in the company name is escaped, not a separator.
      expect((jonas?.get('org') as vCard.Property).valueOf()).toBe(
        'Neckar <Maschinen> & Söhne\\, GmbH',
      );
    });

    it('serves CSV with one row per number that a CSV parser reads back', async () => {
      const res = await get('/directory/phonebook.csv');
      expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
      const rows = parseCsv<Record<string, string>>(await res.text(), { columns: true });

      expect(rows).toHaveLength(4);
      expect(rows).toContainEqual({
        name: 'Mia "M" Thompson',
        first_name: 'Mia "M"',
        last_name: 'Thompson',
        organization: 'Bayview',
        type: 'Work',
        number: '+14155550199',
        object: 'Lead',
        salesforce_id: '00QHs00000L0001AAA',
      });
      expect(
        rows.filter((r) => r.salesforce_id === '003Hs00000C0001AAA').map((r) => r.type),
      ).toEqual(['Work', 'Mobile']);
    });

    it('serves the Yealink remote phonebook as well-formed XML', async () => {
      const res = await get('/directory/phonebook/yealink.xml');
      const text = await res.text();
      expect(XMLValidator.validate(text)).toBe(true);
      const xml = new XMLParser({
        ignoreAttributes: false,
        parseTagValue: false,
        isArray: (name) => ['DirectoryEntry', 'Telephone'].includes(name),
      }).parse(text) as {
        YealinkIPPhoneDirectory: {
          DirectoryEntry: { Name: string; Telephone: { '#text': string; '@_label': string }[] }[];
        };
      };
      const entries = xml.YealinkIPPhoneDirectory.DirectoryEntry;
      expect(entries).toHaveLength(3);
      const jonas = entries.find((e) => e.Name.startsWith('Jonas'));
      expect(jonas?.Name).toBe('Jonas Weber (Neckar <Maschinen> & Söhne, GmbH)');
      expect(jonas?.Telephone.map((t) => [t['@_label'], t['#text']])).toEqual([
        ['Work', '+497131123456'],
        ['Mobile', '+4915112345678'],
      ]);
    });

    it('serves the Cisco directory in pages of 32 entries with a Next soft key', async () => {
      index.upsert(
        Array.from({ length: 40 }, (_, i) =>
          record({
            id: `003Hs00000X${String(i).padStart(4, '0')}AAA`,
            name: `Person ${i}`,
            numbers: [{ e164: `+1303555${String(1000 + i)}`, field: 'Phone' }],
          }),
        ),
        1,
      );
      const parser = new XMLParser({
        parseTagValue: false,
        isArray: (name) => name === 'DirectoryEntry',
      });
      type Cisco = {
        CiscoIPPhoneDirectory: {
          DirectoryEntry?: { Name: string; Telephone: string }[];
          SoftKeyItem?: { Name: string; URL: string };
        };
      };

      const first = parser.parse(
        await (await get('/directory/phonebook/cisco.xml')).text(),
      ) as Cisco;
      const second = parser.parse(
        await (await get('/directory/phonebook/cisco.xml?page=2')).text(),
      ) as Cisco;

      expect(first.CiscoIPPhoneDirectory.DirectoryEntry).toHaveLength(32);
      expect(first.CiscoIPPhoneDirectory.SoftKeyItem?.URL).toMatch(/cisco\.xml\?page=2$/);
      // 40 people with one number, Jonas with two, Mia and the account with one: 44 entries.
      expect(second.CiscoIPPhoneDirectory.DirectoryEntry).toHaveLength(12);
      expect(second.CiscoIPPhoneDirectory.SoftKeyItem).toBeUndefined();
      const all = [
        ...(first.CiscoIPPhoneDirectory.DirectoryEntry ?? []),
        ...(second.CiscoIPPhoneDirectory.DirectoryEntry ?? []),
      ];
      expect(all.every((e) => e.Name.length <= 32)).toBe(true);
    });

    it('answers caller-name lookups from the index in any number format', async () => {
      const byNational = await get('/directory/caller-name?number=07131%20123456');
      expect(byNational.headers.get('content-type')).toMatch(/^text\/plain/);
      // A Contact ranks before the Account with the same number.
      expect(await byNational.text()).toBe('Jonas Weber');
      expect(await (await get('/directory/caller-name?number=%2B14155550199')).text()).toBe(
        'Mia "M" Thompson',
      );
      expect(await (await get('/directory/caller-name?number=%2B14155550000')).text()).toBe('');
      expect(
        await (await get('/directory/caller-name?number=%2B14155550199&format=json')).json(),
      ).toEqual({
        found: true,
        name: 'Mia "M" Thompson',
        id: '00QHs00000L0001AAA',
        object: 'Lead',
      });
      const bad = await get('/directory/caller-name?number=call%20me');
      expect(bad.status).toBe(400);
      expect(await bad.json()).toMatchObject({ error: { code: 'PHONEBOOK_BAD_REQUEST' } });
    });

    it('refuses a missing or wrong token with 401 and accepts Basic auth and ?token=', async () => {
      const none = await get('/directory/phonebook.csv', {});
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(await none.json()).toMatchObject({ error: { code: 'PHONEBOOK_UNAUTHORIZED' } });
      expect(
        (await get('/directory/caller-name?number=1', { authorization: 'Bearer nope' })).status,
      ).toBe(401);
      expect((await get(`/directory/phonebook.csv?token=wrong`, {})).status).toBe(401);

      const basic = `Basic ${Buffer.from(`phone:${TOKEN}`).toString('base64')}`;
      expect((await get('/directory/phonebook.csv', { authorization: basic })).status).toBe(200);
      expect((await get(`/directory/phonebook/yealink.xml?token=${TOKEN}`, {})).status).toBe(200);
    });
  });

  it('is closed (503) while no token is configured', async () => {
    await start(undefined);
    const res = await get('/directory/phonebook.csv');
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error: { code: 'PHONEBOOK_NOT_CONFIGURED' } });
  });
});
