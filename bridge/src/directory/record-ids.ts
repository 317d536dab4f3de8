// Salesforce record ids as the directory compares them: 15 and 18 characters name the same
// record, and the key prefix tells a caller record's type (for call.link, where the browser
// sends only an id).
import type { MatchObject } from '../calls/call';

/**
 * The case-sensitive 15-character form of a Salesforce id: the API returns 18 characters, a
 * user id from elsewhere may have 15, and both name the same record.
 */
export function idKey(id: string): string {
  return id.length === 18 ? id.slice(0, 15) : id;
}

/** A 15- or 18-character Salesforce id (what may reach a query as a record id). */
export function isRecordId(value: unknown): value is string {
  return typeof value === 'string' && /^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/.test(value);
}

const PREFIXES: Readonly<Record<string, MatchObject>> = {
  '001': 'Account',
  '003': 'Contact',
  '00Q': 'Lead',
};

/** Contact, Lead or Account by the id's standard key prefix; undefined for anything else. */
export function matchObjectForId(id: string): MatchObject | undefined {
  if (!isRecordId(id)) return undefined;
  return PREFIXES[id.slice(0, 3)];
}
