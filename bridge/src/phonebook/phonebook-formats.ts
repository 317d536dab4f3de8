// The directory written in the formats address books and desk phones read: vCard 3.0 (RFC 2426)
// and 4.0 (RFC 6350), CSV (RFC 4180), Yealink's remote phonebook XML
// (<YealinkIPPhoneDirectory>) and Cisco's IP Phone Services directory XML
// (<CiscoIPPhoneDirectory>). Pure functions from one entry to text, so exports can be streamed.
import type { PhonebookEntry } from '../directory/index/directory-index';

/** vCard TYPE values for a Salesforce phone field. */
function vcardTypes(field: string): string {
  const f = field.toLowerCase();
  if (f.includes('fax')) return 'fax';
  if (f.includes('mobile')) return 'cell,voice';
  if (f.includes('home')) return 'home,voice';
  return 'work,voice';
}

/** Label a desk phone shows next to a number. */
export function phoneLabel(field: string): string {
  const f = field.toLowerCase();
  if (f.includes('mobile')) return 'Mobile';
  if (f.includes('home')) return 'Home';
  if (f.includes('assistant')) return 'Assistant';
  if (f.includes('other')) return 'Other';
  return 'Work';
}

/**
 * RFC 6350 §3.4 text escaping: backslash, comma, semicolon and every line break (CRLF, lone CR
 * or LF) — a bare CR in a Salesforce name must not start a new vCard property. Other control
 * characters are dropped.
 */
function vcardText(value: string): string {
  return value
    .replace(/\\/g, '\\\\')
    .replace(/,/g, '\\,')
    .replace(/;/g, '\\;')
    .replace(/\r\n|\r|\n/g, '\\n')
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '');
}

/**
 * Lines longer than 75 octets are folded (CRLF + space), never inside a UTF-8 sequence. A value
 * holding the text "BEGIN:VCARD" or "END:VCARD" is folded inside it too: naive readers (the vcf
 * package among them) cut an export at that text wherever it stands, so one Salesforce name
 * broke the whole file for them. RFC 6350 §3.2 allows a fold anywhere; unfolding undoes it.
 */
function fold(line: string): string {
  const breaks = new Set<number>();
  for (const match of line.matchAll(/(?<=.)(?:BEGIN|END)(?=:VCARD)/gis))
    breaks.add(match.index + match[0].length);
  if (breaks.size === 0 && Buffer.byteLength(line, 'utf8') <= 75) return line;
  const parts: string[] = [];
  let current = '';
  let size = 0;
  let at = 0;
  for (const char of line) {
    const n = Buffer.byteLength(char, 'utf8');
    if (current !== '' && (breaks.has(at) || size + n > (parts.length === 0 ? 75 : 74))) {
      parts.push(current);
      current = '';
      size = 0;
    }
    current += char;
    size += n;
    at += char.length;
  }
  parts.push(current);
  return parts.join('\r\n ');
}

export function vcard(entry: PhonebookEntry, version: '3.0' | '4.0'): string {
  const last = entry.lastName ?? (entry.firstName === null ? entry.name : '');
  const lines = [
    'BEGIN:VCARD',
    `VERSION:${version}`,
    `FN:${vcardText(entry.name)}`,
    `N:${vcardText(last)};${vcardText(entry.firstName ?? '')};;;`,
  ];
  if (entry.object === 'Account')
    lines.push(version === '4.0' ? 'KIND:org' : `ORG:${vcardText(entry.name)}`);
  if (entry.company !== null) lines.push(`ORG:${vcardText(entry.company)}`);
  for (const n of entry.numbers) {
    lines.push(
      version === '4.0'
        ? `TEL;VALUE=uri;TYPE="${vcardTypes(n.field)}":tel:${n.e164}`
        : `TEL;TYPE=${vcardTypes(n.field)}:${n.e164}`,
    );
  }
  lines.push(`UID:${version === '4.0' ? 'urn:salesforce:' : ''}${entry.id}`);
  lines.push(`NOTE:${vcardText(`Salesforce ${entry.object}`)}`);
  lines.push('END:VCARD');
  return lines.map(fold).join('\r\n') + '\r\n';
}

export const CSV_HEADER =
  'name,first_name,last_name,organization,type,number,object,salesforce_id\r\n';

function csvCell(value: string | null): string {
  const text = value ?? '';
  // A leading = + - @ makes spreadsheets evaluate the cell: quote it with a leading apostrophe.
  // Only a whole E.164 number (+4971…) may keep its leading +; "+1+HYPERLINK(…)" may not.
  const safe = /^[=+\-@\t\r]/.test(text) && !/^\+\d+$/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** One CSV row per number. */
export function csvRows(entry: PhonebookEntry): string {
  return entry.numbers
    .map(
      (n) =>
        [
          entry.name,
          entry.firstName,
          entry.lastName,
          entry.company,
          phoneLabel(n.field),
          n.e164,
          entry.object,
          entry.id,
        ]
          .map(csvCell)
          .join(',') + '\r\n',
    )
    .join('');
}

/** XML 1.0 text: markup characters escaped, characters XML cannot carry dropped. */
export function xmlText(value: string): string {
  return value
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function displayName(entry: PhonebookEntry): string {
  return entry.company !== null && entry.object !== 'Account'
    ? `${entry.name} (${entry.company})`
    : entry.name;
}

/** Yealink remote phonebook: one DirectoryEntry per record, one Telephone per number. */
export function yealinkEntry(entry: PhonebookEntry): string {
  const phones = entry.numbers
    .map((n) => `<Telephone label="${xmlText(phoneLabel(n.field))}">${xmlText(n.e164)}</Telephone>`)
    .join('');
  return `<DirectoryEntry><Name>${xmlText(displayName(entry))}</Name>${phones}</DirectoryEntry>\n`;
}

/** Cisco directory: one DirectoryEntry per number (Name at most 32 characters there). */
export function ciscoEntries(entry: PhonebookEntry): string {
  return entry.numbers
    .map((n) => {
      const label = entry.numbers.length > 1 ? ` ${phoneLabel(n.field)}` : '';
      const name = `${entry.name.slice(0, 32 - label.length)}${label}`;
      return `<DirectoryEntry><Name>${xmlText(name)}</Name><Telephone>${xmlText(n.e164)}</Telephone></DirectoryEntry>\n`;
    })
    .join('');
}
