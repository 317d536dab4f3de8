// Which fields the bridge reads to find a caller, per object, and how a record's stored numbers
// become E.164 — shared by the live search and the directory index, so both give the same answer
// for the same number: the same phone fields (standard, Person Account, the admin's custom ones),
// each normalized with the record's own country (mailing, billing) before phone.defaultCountry.
// Fields the integration user cannot read are left out (readablePlan), never queried.
import type { MatchObject } from '../calls/call';
import type { DirectoryConfig, PhoneConfig } from '../config/schema';
import { normalizeNumber } from '../phone/phone-number';
import type { SObjectRecord } from '../salesforce/gateway';
import type { OrgFields } from '../salesforce/org-fields';
import { countryCode } from './index/country-codes';

/** The standard phone fields per object, in the order a match reports them. */
export const PHONE_FIELDS: Readonly<Record<MatchObject, readonly string[]>> = {
  Contact: ['Phone', 'MobilePhone', 'HomePhone', 'OtherPhone', 'AssistantPhone'],
  Lead: ['Phone', 'MobilePhone'],
  Account: ['Phone'],
};

export const PERSON_ACCOUNT_PHONES = [
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
  /**
   * Records that are not callers of their own, as a SOQL condition: converted Leads (their
   * Contact took over) and person contacts (their Person Account is the match).
   */
  exclude: { field: string; condition: string } | undefined;
}

export interface IndexedNumber {
  e164: string;
  /** API name of the field the number is stored in. */
  field: string;
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
        exclude: personAccounts
          ? { field: 'IsPersonAccount', condition: 'IsPersonAccount = false' }
          : undefined,
        selectFields: unique([
          ...common,
          'FirstName',
          'LastName',
          'AccountId',
          'Account.Name',
          ...countryFields,
          ...(personAccounts ? ['IsPersonAccount'] : []),
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
        exclude: { field: 'IsConverted', condition: 'IsConverted = false' },
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
        exclude: undefined,
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

/**
 * The plan without the fields the integration user cannot read (each logged once by OrgFields).
 * Id and Name are always readable; a plan left with no phone field finds nobody, and says so.
 */
export async function readablePlan(
  plan: ObjectPlan,
  orgFields: OrgFields | undefined,
  purpose: string,
): Promise<ObjectPlan> {
  if (orgFields === undefined || !orgFields.canDescribe) return plan;
  const selectFields = await orgFields.readable(plan.object, plan.selectFields, purpose);
  const readable = new Set(selectFields.map((f) => f.toLowerCase()));
  const keep = (fields: readonly string[]) => fields.filter((f) => readable.has(f.toLowerCase()));
  return {
    ...plan,
    selectFields,
    phoneFields: keep(plan.phoneFields),
    countryFields: keep(plan.countryFields),
    exclude:
      plan.exclude !== undefined && readable.has(plan.exclude.field.toLowerCase())
        ? plan.exclude
        : undefined,
  };
}

/**
 * Whether Account has Person Account fields: directory.personAccounts `on`/`off`, or for `auto`
 * the org's describe (undefined when the gateway cannot describe: the caller probes instead).
 */
export async function personAccountsFromDescribe(
  setting: DirectoryConfig['personAccounts'],
  orgFields: OrgFields | undefined,
): Promise<boolean | undefined> {
  if (setting !== 'auto') return setting === 'on';
  return orgFields?.hasField('Account', 'IsPersonAccount');
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

/** A record that is not a caller of its own (converted Lead, person contact). */
export function isExcluded(plan: ObjectPlan, record: SObjectRecord): boolean {
  if (plan.exclude === undefined) return false;
  const value = fieldValue(record, plan.exclude.field);
  // The condition keeps `= false`: a true value (or "true" from Bulk CSV) is excluded.
  return value === true || value === 'true';
}

/**
 * Every phone field of the record normalized, with the record's own country (mailing, billing)
 * before phone.defaultCountry for numbers written without a country code; one entry per number.
 */
export function recordNumbers(
  plan: ObjectPlan,
  record: SObjectRecord,
  phone: Pick<PhoneConfig, 'defaultCountry' | 'internalMaxDigits'>,
): IndexedNumber[] {
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
  return numbers;
}
