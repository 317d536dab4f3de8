// Person Accounts in the emulated org: an Account that is a person (IsPersonAccount) has no
// company name — its Name is FirstName LastName — and carries the person fields
// (PersonMobilePhone, PersonHomePhone, …). As in Salesforce, each has a person contact: a Contact
// with IsPersonAccount = true whose fields mirror the account's (MobilePhone = PersonMobilePhone),
// linked both ways (Contact.AccountId, Account.PersonContactId). Only orgs with Person Accounts
// enabled have these fields; elsewhere they are INVALID_FIELD.
import type { ObjectDef, OrgSchema } from './schema';
import {
  OrgApiError,
  type Fields,
  type RecordStore,
  type StoredRecord,
  type WriteOptions,
} from './store';

/** Account person field → the person contact's field. */
const MIRRORED: Readonly<Record<string, string>> = {
  FirstName: 'FirstName',
  LastName: 'LastName',
  Salutation: 'Salutation',
  PersonEmail: 'Email',
  PersonMobilePhone: 'MobilePhone',
  PersonHomePhone: 'HomePhone',
  PersonOtherPhone: 'OtherPhone',
  PersonAssistantPhone: 'AssistantPhone',
  PersonMailingCity: 'MailingCity',
  PersonMailingCountry: 'MailingCountry',
  OwnerId: 'OwnerId',
};

const PERSON_FIELDS = new Set(Object.keys(MIRRORED).filter((f) => f.startsWith('Person')));

/** Whether seed data describes a Person Account (so the org must have them). */
export function seedHasPersonAccounts(seed: Record<string, Record<string, unknown>[]>): boolean {
  const personRecordType = (seed.RecordType ?? []).some(
    (r) => r.IsPersonType === true && (r.SobjectType ?? 'Account') === 'Account',
  );
  return (
    personRecordType ||
    (seed.Account ?? []).some(
      (a) => a.IsPersonAccount === true || Object.keys(a).some((k) => PERSON_FIELDS.has(k)),
    )
  );
}

/** A new Account is a person when it says so, or has a LastName and no company Name. */
export function isPersonAccountInput(schema: OrgSchema, fields: Fields): boolean {
  if (!schema.hasPersonAccounts) return false;
  if (fields.IsPersonAccount === true) return true;
  const given = (name: string) =>
    Object.entries(fields).some(
      ([k, v]) => k.toLowerCase() === name && typeof v === 'string' && v.trim() !== '',
    );
  return given('lastname') && !given('name');
}

/** A business account still needs its Name where Person Accounts made Name optional. */
export function checkBusinessAccount(fields: Fields): void {
  const name = Object.entries(fields).find(([k]) => k.toLowerCase() === 'name')?.[1];
  if (typeof name !== 'string' || name.trim() === '')
    throw new OrgApiError(400, 'REQUIRED_FIELD_MISSING', 'Required fields are missing: [Name]', [
      'Name',
    ]);
}

/** Makes a person account's Name, IsPersonAccount and person contact match its person fields. */
export function syncPersonContact(
  store: RecordStore,
  schema: OrgSchema,
  account: StoredRecord,
  write: WriteOptions,
): void {
  const contactDef = schema.object('Contact');
  if (contactDef === undefined) return;
  const f = account.fields;
  const mirrored: Fields = {};
  for (const [from, to] of Object.entries(MIRRORED)) if (from in f) mirrored[to] = f[from];
  const trusted: WriteOptions = { ...write, trusted: true, access: undefined };
  const existingId = typeof f.PersonContactId === 'string' ? f.PersonContactId : undefined;
  const existing = existingId === undefined ? undefined : store.get(existingId);
  let contactId: string;
  if (existing !== undefined) {
    store.update(existing, mirrored, trusted);
    contactId = String(existing.fields.Id);
  } else {
    const contact = store.insert(
      contactDef,
      { ...mirrored, AccountId: f.Id, IsPersonAccount: true },
      trusted,
    );
    contactId = String(contact.fields.Id);
  }
  const name = [f.FirstName, f.LastName].filter((p) => typeof p === 'string' && p !== '').join(' ');
  store.update(account, { IsPersonAccount: true, PersonContactId: contactId, Name: name }, trusted);
}

/** Inserts a record; an Account in an org with Person Accounts becomes a person or a business. */
export function insertRecord(
  store: RecordStore,
  schema: OrgSchema,
  def: ObjectDef,
  fields: Fields,
  write: WriteOptions,
): StoredRecord {
  const isAccount = def.name === 'Account' && schema.hasPersonAccounts;
  const person = isAccount && isPersonAccountInput(schema, fields);
  if (isAccount && !person) checkBusinessAccount(fields);
  const record = store.insert(def, fields, write);
  // A business contact says so: IsPersonAccount is false, never empty.
  if (def.name === 'Contact' && schema.hasPersonAccounts && record.fields.IsPersonAccount !== true)
    store.update(record, { IsPersonAccount: false }, { ...write, trusted: true });
  if (person) syncPersonContact(store, schema, record, write);
  else if (isAccount) store.update(record, { IsPersonAccount: false }, { ...write, trusted: true });
  return record;
}

/** Updates a record; a person account's person contact follows. */
export function updateRecord(
  store: RecordStore,
  schema: OrgSchema,
  record: StoredRecord,
  fields: Fields,
  write: WriteOptions,
): void {
  store.update(record, fields, write);
  if (record.def.name === 'Account' && record.fields.IsPersonAccount === true)
    syncPersonContact(store, schema, record, write);
}
