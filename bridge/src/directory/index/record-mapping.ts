// What the directory index keeps of a Salesforce record, and which fields it reads per object:
// the phone fields (standard, Person Account and the admin's custom ones), the name, account,
// owner and the country fields that tell how a number written without a country code is read.
import type { MatchObject } from '../../calls/call';
import type { DirectoryConfig, PhoneConfig } from '../../config/schema';
import { normalizeNumber } from '../../phone/phone-number';
import type { SObjectRecord } from '../../salesforce/gateway';
import { PHONE_FIELDS } from '../live-search-directory';
import { countryCode } from './country-codes';

export interface IndexedNumber {
  e164: string;
  /** API name of the field the number is stored in. */
  field: string;
}

export interface IndexedRecord {
  /** 18-character id. */
  id: string;
  object: MatchObject;
  name: string;
  firstName: string | null;
  lastName: string | null;
  /** Contact: the account's name; Lead: Company. What an address book shows as organization. */
  company: string | null;
  accountId: string | null;
  ownerId: string | null;
  lastModifiedAt: string;
  /** SystemModstamp: the incremental sync's high-water mark. */
  modstamp: string;
  numbers: IndexedNumber[];
}

const PERSON_ACCOUNT_PHONES = [
  'PersonMobilePhone',
  'PersonHomePhone',
  'PersonOtherPhone',
  'PersonAssistantPhone',
];

export interface ObjectPlan {
  object: MatchObject;
  /** Phone fields in the order a match reports them. */
  phoneFields: string[];
  /** Everything selected (phone fields included). */
  selectFields: string[];
  /** Country fields tried in order before phone.defaultCountry. */
  countryFields: string[];
}

/** The fields read per object under this configuration. */
export function objectPlan(
  object: MatchObject,
  config: Pick<DirectoryConfig, 'customPhoneFields'>,
  personAccounts: boolean,
): ObjectPlan {
  const custom = config.customPhoneFields[object];
  const common = ['Id', 'Name', 'OwnerId', 'LastModifiedDate', 'SystemModstamp'];
  switch (object) {
    case 'Contact': {
      const phoneFields = [...PHONE_FIELDS.Contact, ...custom];
      const countryFields = ['MailingCountry', 'Account.BillingCountry'];
      return {
        object,
        phoneFields,
        countryFields,
        selectFields: unique([
          ...common,
          'FirstName',
          'LastName',
          'AccountId',
          'Account.Name',
          ...countryFields,
          ...phoneFields,
        ]),
      };
    }
    case 'Lead': {
      const phoneFields = [...PHONE_FIELDS.Lead, ...custom];
      return {
        object,
        phoneFields,
        countryFields: ['Country'],
        selectFields: unique([
          ...common,
          'FirstName',
          'LastName',
          'Company',
          'Country',
          'IsConverted',
          ...phoneFields,
        ]),
      };
    }
    case 'Account': {
      const person = personAccounts ? PERSON_ACCOUNT_PHONES : [];
      const phoneFields = [...PHONE_FIELDS.Account, ...person, ...custom];
      const countryFields = personAccounts
        ? ['PersonMailingCountry', 'BillingCountry']
        : ['BillingCountry'];
      return {
        object,
        phoneFields,
        countryFields,
        selectFields: unique([
          ...common,
          ...(personAccounts ? ['IsPersonAccount', 'FirstName', 'LastName'] : []),
          ...countryFields,
          ...phoneFields,
        ]),
      };
    }
  }
}

function unique(fields: string[]): string[] {
  const seen = new Set<string>();
  return fields.filter((f) => {
    const k = f.toLowerCase();
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** A dotted path (Account.Name) read from a record with nested parents. */
export function fieldValue(record: SObjectRecord, path: string): unknown {
  let value: unknown = record;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** A Lead that was converted leaves the directory (its Contact takes over). */
export function isConvertedLead(plan: ObjectPlan, record: SObjectRecord): boolean {
  const value = fieldValue(record, 'IsConverted');
  return plan.object === 'Lead' && (value === true || value === 'true');
}

/**
 * The index's view of a record: every phone field normalized, with the record's own country
 * (mailing, billing) before phone.defaultCountry for numbers written without a country code.
 */
export function toIndexedRecord(
  plan: ObjectPlan,
  record: SObjectRecord,
  phone: Pick<PhoneConfig, 'defaultCountry' | 'internalMaxDigits'>,
): IndexedRecord {
  const country = plan.countryFields
    .map((field) => countryCode(fieldValue(record, field)))
    .find((code) => code !== undefined);
  const options = {
    defaultCountry: phone.defaultCountry,
    internalMaxDigits: phone.internalMaxDigits,
    ...(country === undefined ? {} : { country }),
  };
  const numbers: IndexedNumber[] = [];
  for (const field of plan.phoneFields) {
    const raw = fieldValue(record, field);
    if (typeof raw !== 'string' || raw.trim() === '') continue;
    const e164 = normalizeNumber(raw, options).e164;
    if (e164 !== null && !numbers.some((n) => n.e164 === e164)) numbers.push({ e164, field });
  }
  const lastModifiedAt = text(record.LastModifiedDate) ?? '';
  return {
    id: record.Id,
    object: plan.object,
    name: text(record.Name) ?? record.Id,
    firstName: text(record.FirstName),
    lastName: text(record.LastName),
    company:
      plan.object === 'Contact'
        ? text(fieldValue(record, 'Account.Name'))
        : plan.object === 'Lead'
          ? text(record.Company)
          : null,
    accountId: plan.object === 'Contact' ? text(record.AccountId) : null,
    ownerId: text(record.OwnerId),
    lastModifiedAt,
    modstamp: text(record.SystemModstamp) ?? lastModifiedAt,
    numbers,
  };
}
