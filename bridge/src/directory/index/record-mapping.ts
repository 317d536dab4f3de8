// What the directory index keeps of a Salesforce record: its numbers (read and normalized as the
// live search reads them, record-plan.ts), the name, account and owner.
import type { MatchObject } from '../../calls/call';
import type { PhoneConfig } from '../../config/schema';
import type { SObjectRecord } from '../../salesforce/gateway';
import { fieldValue, recordNumbers, type IndexedNumber, type ObjectPlan } from '../record-plan';

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

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
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
  const numbers = recordNumbers(plan, record, phone);
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
