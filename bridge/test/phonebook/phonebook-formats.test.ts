// Hostile names in Salesforce must not turn into spreadsheet formulas, extra vCard properties
// or XML markup in the phonebook exports the PBX and desk phones read.
import { parse as parseCsv } from 'csv-parse/sync';
import { XMLParser } from 'fast-xml-parser';
import type { PhonebookEntry } from '../../src/directory/index/directory-index';
import { CSV_HEADER, csvRows, vcard, yealinkEntry } from '../../src/phonebook/phonebook-formats';

function entry(name: string, company: string | null = null): PhonebookEntry {
  return {
    id: '003000000000001AAA',
    object: 'Contact',
    name,
    firstName: null,
    lastName: name,
    company,
    numbers: [{ e164: '+14155551212', field: 'Phone' }],
  };
}

describe('phonebook formats with hostile values', () => {
  it.each([
    '=HYPERLINK("http://evil.example","x")',
    '+1+HYPERLINK("http://evil.example","x")',
    '-2+3',
    '@SUM(A1)',
  ])('neutralizes the formula %s in CSV, but keeps E.164 numbers as they are', (name) => {
    const rows = parseCsv<Record<string, string>>(CSV_HEADER + csvRows(entry(name)), {
      columns: true,
    });
    expect(rows[0]?.name).toBe(`'${name}`);
    expect(rows[0]?.number).toBe('+14155551212');
  });

  it('keeps a name with a bare CR on one vCard property line', () => {
    const card = vcard(entry('Bob\rTEL;TYPE=work:+19995550000\u0007'), '3.0');
    const lines = card.split('\r\n');
    // No line break but the CRLF between properties: a lone CR would start a new property.
    expect(/\r(?!\n)|(?<!\r)\n/.test(card)).toBe(false);
    expect(lines.filter((l) => l.startsWith('TEL'))).toEqual([
      expect.stringMatching(/:\+14155551212$/),
    ]);
    expect(card).not.toContain('\u0007');
    expect(lines.find((l) => l.startsWith('FN:'))).toBe('FN:Bob\\nTEL\\;TYPE=work:+19995550000');
  });

  it('escapes markup in the desk-phone XML', () => {
    const xml = `<root>${yealinkEntry(entry('<Name>Evil</Name>', 'A & B'))}</root>`;
    const parsed = new XMLParser().parse(xml) as Record<string, unknown>;
    expect(JSON.stringify(parsed)).toContain('<Name>Evil</Name>');
    expect(xml).not.toContain('<Name>Evil');
  });
});
