// Property-based tests of the phonebook exports: whatever names Salesforce holds, each format
// parses back with a real parser for it (vcf, csv-parse, fast-xml-parser) to exactly the
// entries and values the index holds, no value can add a vCard property, a CSV row or an XML
// element, and no cell becomes a spreadsheet formula. Over real HTTP, any query the PBX or a
// desk phone sends is answered with an export or a coded refusal. Input classes: docs/testing.md.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse as parseCsv } from 'csv-parse/sync';
import fc from 'fast-check';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import vCard from 'vcf';
import { PhoneSchema } from '../../src/config/schema';
import type { PhonebookEntry } from '../../src/directory/index/directory-index';
import { DirectoryIndex } from '../../src/directory/index/directory-index';
import type { IndexedRecord } from '../../src/directory/index/record-mapping';
import { ErrorCodes } from '../../src/errors';
import { createHttpApp } from '../../src/http/http-server';
import { silentLogger } from '../../src/logging/logger';
import {
  CSV_HEADER,
  ciscoEntries,
  csvRows,
  phoneLabel,
  vcard,
  yealinkEntry,
} from '../../src/phonebook/phonebook-formats';
import { createPhonebookRouter } from '../../src/phonebook/phonebook-router';
import { openDatabase, type Database } from '../../src/storage/database';
import { FUZZ_TIMEOUT_MS, fuzz, hostileString } from '../support/fuzz';

jest.setTimeout(FUZZ_TIMEOUT_MS);

const TOKEN = 'fuzz-phonebook-token-0123456789';

/** Names as Salesforce may hold them: hostile text, formulas, markup, vCard syntax. */
const name = fc.oneof(
  hostileString(90),
  fc.constantFrom(
    '=HYPERLINK("http://evil.example","x")',
    '+1+SUM(A1)',
    '-2+3',
    '@cmd',
    '\t=1',
    '<Name>x</Name>',
    ']]><x/>',
    'A & B; C, D\\E',
    'Bob\rTEL:+19005550000',
    'END:VCARD\r\nBEGIN:VCARD',
  ),
);

const FIELDS = ['Phone', 'MobilePhone', 'HomePhone', 'OtherPhone', 'AssistantPhone', 'Fax'];

const numbers = fc.uniqueArray(
  fc.record({
    e164: fc.stringMatching(/^\+[1-9][0-9]{6,14}$/),
    field: fc.constantFrom(...FIELDS),
  }),
  { minLength: 1, maxLength: 4, selector: (n) => n.e164 },
);

const entry: fc.Arbitrary<PhonebookEntry> = fc.record({
  id: fc.stringMatching(/^(003|00Q|001)[A-Za-z0-9]{15}$/),
  object: fc.constantFrom('Contact' as const, 'Lead' as const, 'Account' as const),
  name,
  firstName: fc.option(name, { nil: null }),
  lastName: fc.option(name, { nil: null }),
  company: fc.option(name, { nil: null }),
  numbers,
});

/** A value after vCard text escaping and back: line breaks become \n, other controls go. */
function vcardVisible(value: string): string {
  return value.replace(/\r\n|\r|\n/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '');
}

/** RFC 6350 §3.4 unescaping of one property value. */
function vcardUnescape(value: string): string {
  return value.replace(/\\([\\,;nN])/g, (_m, c: string) => (c === 'n' || c === 'N' ? '\n' : c));
}

/** What XML 1.0 can carry of a value (the exports drop the rest). */
function xmlVisible(value: string): string {
  return (
    value
      .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
      // XML 1.0 §2.11: a reader sees every line break as LF.
      .replace(/\r\n?/g, '\n')
  );
}

/** A CSV cell as a spreadsheet must see it: formulas defused with a leading apostrophe. */
function csvVisible(value: string | null): string {
  // Text travels as UTF-8, which has no lone surrogates: a reader sees U+FFFD instead.
  const text = (value ?? '').replace(
    /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
    '\ufffd',
  );
  return /^[=+\-@\t\r]/.test(text) && !/^\+\d+$/.test(text) ? `'${text}` : text;
}

const xml = new XMLParser({
  ignoreAttributes: false,
  parseTagValue: false,
  trimValues: false,
  isArray: (tag) => ['DirectoryEntry', 'Telephone'].includes(tag),
});

type XmlEntry = { Name: string; Telephone: (string | { '#text': string; '@_label': string })[] };

function directoryEntries(text: string, root: string): XmlEntry[] {
  expect(XMLValidator.validate(text)).toBe(true);
  const parsed = xml.parse(text) as Record<string, { DirectoryEntry?: XmlEntry[] }>;
  return parsed[root]?.DirectoryEntry ?? [];
}

describe('phonebook formats (property-based)', () => {
  it('writes vCards a vCard parser reads back, one card per record, values intact', () => {
    fc.assert(
      fc.property(entry, fc.constantFrom('3.0' as const, '4.0' as const), (e, version) => {
        const text = vcard(e, version);
        // No line break but the CRLF between properties, and no physical line over 75 octets.
        expect(/\r(?!\n)|(?<!\r)\n/.test(text)).toBe(false);
        for (const line of text.split('\r\n'))
          expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
        const cards = vCard.parse(text);
        expect(cards).toHaveLength(1);
        expect(text.match(/^BEGIN:VCARD\r$/gm)).toHaveLength(1);
        const card = cards[0] as vCard;
        expect(card.version).toBe(version);
        const tels: vCard.Property[] = [card.get('tel')].flat();
        expect(tels.map((t) => t.valueOf().replace(/^tel:/, ''))).toEqual(
          e.numbers.map((n) => n.e164),
        );
        const unfolded = text.replace(/\r\n /g, '').split('\r\n');
        const fn = unfolded.filter((l) => l.startsWith('FN:'));
        expect(fn).toHaveLength(1);
        expect(vcardUnescape((fn[0] ?? '').slice(3))).toBe(vcardVisible(e.name));
      }),
      fuzz(500),
    );
  });

  it('writes CSV a CSV parser reads back, one row per number, no cell a formula', () => {
    fc.assert(
      fc.property(fc.array(entry, { minLength: 1, maxLength: 3 }), (entries) => {
        const rows = parseCsv<Record<string, string>>(CSV_HEADER + entries.map(csvRows).join(''), {
          columns: true,
        });
        const expected = entries.flatMap((e) =>
          e.numbers.map((n) => ({
            name: csvVisible(e.name),
            first_name: csvVisible(e.firstName),
            last_name: csvVisible(e.lastName),
            organization: csvVisible(e.company),
            type: phoneLabel(n.field),
            number: n.e164,
            object: e.object,
            salesforce_id: e.id,
          })),
        );
        expect(rows).toEqual(expected);
      }),
      fuzz(500),
    );
  });

  it('writes Yealink and Cisco XML that is well-formed and holds each name and number', () => {
    fc.assert(
      fc.property(entry, (e) => {
        const yealink = directoryEntries(
          `<YealinkIPPhoneDirectory>${yealinkEntry(e)}</YealinkIPPhoneDirectory>`,
          'YealinkIPPhoneDirectory',
        );
        expect(yealink).toHaveLength(1);
        const shown =
          e.company !== null && e.object !== 'Account' ? `${e.name} (${e.company})` : e.name;
        expect(yealink[0]?.Name).toBe(xmlVisible(shown));
        expect(yealink[0]?.Telephone.map((t) => (typeof t === 'string' ? t : t['#text']))).toEqual(
          e.numbers.map((n) => n.e164),
        );

        const cisco = directoryEntries(
          `<CiscoIPPhoneDirectory>${ciscoEntries(e)}</CiscoIPPhoneDirectory>`,
          'CiscoIPPhoneDirectory',
        );
        expect(cisco.map((c) => c.Telephone[0])).toEqual(e.numbers.map((n) => n.e164));
        // Cisco phones show 32 characters of a name.
        for (const c of cisco) expect(Array.from(c.Name).length).toBeLessThanOrEqual(32);
      }),
      fuzz(500),
    );
  });
});

describe('phonebook over real HTTP (property-based)', () => {
  let db: Database;
  let index: DirectoryIndex;
  let server: http.Server;
  let base: string;
  let records: IndexedRecord[];

  beforeAll(async () => {
    db = openDatabase(':memory:', silentLogger());
    index = new DirectoryIndex(db, silentLogger());
    // A fixed index of hostile records, drawn once from the same seed.
    const drawn = fc.sample(
      fc.uniqueArray(entry, { minLength: 40, maxLength: 40, selector: (e) => e.id }),
      {
        numRuns: 1,
        seed: fuzz(1).seed,
      },
    )[0] as PhonebookEntry[];
    records = drawn.map((e) => ({
      ...e,
      accountId: null,
      ownerId: null,
      lastModifiedAt: '2026-03-01T10:00:00.000+0000',
      modstamp: '2026-03-01T10:00:00.000+0000',
    }));
    index.upsert(records, 1);
    const phone = PhoneSchema.parse({ defaultCountry: 'DE' });
    const logger = silentLogger();
    const router = createPhonebookRouter({ index, token: TOKEN, phone, logger });
    const health = () => ({ ready: true, details: {} });
    server = http.createServer(createHttpApp({ logger, health, routers: [{ path: '/', router }] }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    db.close();
  });

  const get = (path: string, authorization = `Bearer ${TOKEN}`) =>
    fetch(`${base}${path}`, { headers: { authorization } });

  /** Any query value, as a URL carries it. */
  const queryValue = fc.oneof(
    hostileString(40),
    fc.stringMatching(/^[0-9+ ()-]{0,20}$/),
    fc.integer().map(String),
  );
  const q = (value: string) => encodeURIComponent(value.replace(/[\ud800-\udfff]/g, '?'));

  it('exports every record in every format, whatever the query says', async () => {
    const numberCount = records.reduce((sum, r) => sum + r.numbers.length, 0);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('vcf', 'csv', 'yealink'),
        queryValue,
        async (format, version) => {
          const path = {
            vcf: `/directory/phonebook.vcf?version=${q(version)}`,
            csv: `/directory/phonebook.csv?x=${q(version)}`,
            yealink: `/directory/phonebook/yealink.xml?x=${q(version)}`,
          }[format];
          const res = await get(path);
          expect(res.status).toBe(200);
          const text = await res.text();
          if (format === 'vcf') expect(vCard.parse(text)).toHaveLength(records.length);
          if (format === 'csv') expect(parseCsv(text, { columns: true })).toHaveLength(numberCount);
          if (format === 'yealink')
            expect(directoryEntries(text, 'YealinkIPPhoneDirectory')).toHaveLength(records.length);
        },
      ),
      fuzz(30),
    );
  });

  it('serves any Cisco page as well-formed XML, every number exactly once across pages', async () => {
    await fc.assert(
      fc.asyncProperty(queryValue, async (page) => {
        const res = await get(`/directory/phonebook/cisco.xml?page=${q(page)}`);
        expect(res.status).toBe(200);
        directoryEntries(await res.text(), 'CiscoIPPhoneDirectory');
      }),
      fuzz(60),
    );
    const seen: string[] = [];
    for (let page = 1; page < 100; page++) {
      const entries = directoryEntries(
        await (await get(`/directory/phonebook/cisco.xml?page=${page}`)).text(),
        'CiscoIPPhoneDirectory',
      );
      if (entries.length === 0) break;
      seen.push(...entries.map((e) => e.Telephone[0] as string));
    }
    expect(seen.sort()).toEqual(records.flatMap((r) => r.numbers.map((n) => n.e164)).sort());
  });

  it('answers any caller-name query with a name, nothing, or 400 PHONEBOOK_BAD_REQUEST', async () => {
    const known = fc.constantFrom(...records.flatMap((r) => r.numbers.map((n) => n.e164)));
    await fc.assert(
      fc.asyncProperty(fc.oneof(queryValue, known), fc.boolean(), async (number, json) => {
        const res = await get(
          `/directory/caller-name?number=${q(number)}${json ? '&format=json' : ''}`,
        );
        if (res.status === 400) {
          const body = (await res.json()) as { error: { code: string; hint?: string } };
          expect(body.error.code).toBe(ErrorCodes.PHONEBOOK_BAD_REQUEST);
          expect(body.error.hint).toEqual(expect.any(String));
          return;
        }
        expect(res.status).toBe(200);
        if (json) {
          const body = (await res.json()) as { found: boolean; id?: string };
          if (body.found) expect(records.map((r) => r.id)).toContain(body.id);
        } else {
          const name = await res.text();
          if (name !== '') expect(records.map((r) => r.name)).toContain(name);
        }
      }),
      fuzz(150),
    );
  });

  it('refuses any other credential with 401 PHONEBOOK_UNAUTHORIZED', async () => {
    const credential = fc.oneof(
      hostileString(60).map((s) => s.replace(/[^\t\x20-\x7e]/g, '')),
      fc.constant(`Bearer ${TOKEN.slice(1)}`),
      fc.constant(`Basic ${Buffer.from(`${TOKEN}:x`).toString('base64')}`),
      fc.string({ maxLength: 40 }).map((s) => `Basic ${Buffer.from(s).toString('base64')}`),
    );
    await fc.assert(
      fc.asyncProperty(credential, async (authorization) => {
        fc.pre(
          authorization.trim() !== `Bearer ${TOKEN}` &&
            !authorization.includes(Buffer.from(`:${TOKEN}`).toString('base64')),
        );
        const res = await get('/directory/phonebook.csv', authorization);
        expect(res.status).toBe(401);
        const body = (await res.json()) as { error: { code: string; hint?: string } };
        expect(body.error.code).toBe(ErrorCodes.PHONEBOOK_UNAUTHORIZED);
        expect(body.error.hint).toEqual(expect.any(String));
      }),
      fuzz(100),
    );
  });
});

describe('phonebook formats: counterexamples the properties found', () => {
  it('keeps a name holding "BEGIN:VCARD" inside its card for readers that cut at that text', () => {
    const base = {
      object: 'Contact' as const,
      firstName: null,
      company: null,
      numbers: [{ e164: '+14155550100', field: 'Phone' }],
    };
    const text =
      vcard(
        { ...base, id: '003000000000001AAA', name: 'x', lastName: 'END:VCARD\r\nBEGIN:VCARD' },
        '3.0',
      ) + vcard({ ...base, id: '003000000000002AAA', name: 'y', lastName: 'y' }, '3.0');
    const cards = vCard.parse(text);
    expect(cards.map((c) => (c.get('fn') as vCard.Property).valueOf())).toEqual(['x', 'y']);
    expect((cards[0]?.get('n') as vCard.Property).valueOf()).toBe('END:VCARD\\nBEGIN:VCARD;;;;');
  });
});
