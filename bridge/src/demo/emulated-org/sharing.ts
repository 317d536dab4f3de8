// Record-level access in the emulated org, and the UserRecordAccess object that reports it.
// The bridge runs as an integration user who sees every record; a rep usually sees fewer. What a
// rep may open follows Salesforce's sharing: the record's owner has all access, the object's
// organization-wide default gives everyone read or read/write (or nothing: Private), a Contact
// "controlled by parent" follows its Account (a Contact without one is private), the owner of
// an Account may open its Contacts (implicit sharing), and manual shares add read or edit for
// one user. Users with View All Data (the integration user) see everything. Role hierarchy,
// groups and sharing rules are not emulated.
//
// UserRecordAccess is answered as the Object Reference documents it (checked Dec 2026): a filter
// by a single UserId and by RecordId with = or IN, at most 200 ids; SELECT RecordId and the
// access fields only (RecordId alone when an access field is filtered on); a record the running
// user cannot read, or one that does not exist, is left out of the results.
import type { Query, ValueCondition, WhereClause } from '@jetstreamapp/soql-parser-js';
import { isSalesforceId, sameId } from './ids';
import { malformed } from './soql-engine';
import { OrgApiError, type RecordStore, type StoredRecord } from './store';

/** An object's organization-wide default, as in Setup → Sharing Settings. */
export type OrgWideDefault = 'Private' | 'Read' | 'ReadWrite' | 'ControlledByParent';
export type RecordAccessLevel = 'None' | 'Read' | 'Edit' | 'All';

const RANK: Record<RecordAccessLevel, number> = { None: 0, Read: 1, Edit: 2, All: 3 };
const higher = (a: RecordAccessLevel, b: RecordAccessLevel) => (RANK[a] >= RANK[b] ? a : b);

/** Defaults where they are not public read/write (a new org's Account, Contact and Lead are). */
const NEW_ORG_DEFAULTS: Readonly<Record<string, OrgWideDefault>> = {
  task: 'ControlledByParent',
  user: 'Read',
};

/** The parent whose access a "controlled by parent" record follows. */
const PARENT_FIELD: Readonly<Record<string, string>> = { contact: 'AccountId', task: 'WhatId' };

export class SharingPolicy {
  private readonly defaults = new Map<string, OrgWideDefault>();
  /** 15-character record id → 15-character user id → the share's level. */
  private readonly shares = new Map<string, Map<string, 'Read' | 'Edit'>>();
  private readonly viewAll = new Set<string>();

  constructor(private readonly store: RecordStore) {}

  setDefault(object: string, level: OrgWideDefault): void {
    this.defaults.set(object.toLowerCase(), level);
  }

  defaultFor(object: string): OrgWideDefault {
    const key = object.toLowerCase();
    return this.defaults.get(key) ?? NEW_ORG_DEFAULTS[key] ?? 'ReadWrite';
  }

  /** A manual share: this user may read (or edit) this record. */
  share(recordId: string, userId: string, level: 'Read' | 'Edit'): void {
    const key = recordId.slice(0, 15);
    const users = this.shares.get(key) ?? new Map<string, 'Read' | 'Edit'>();
    users.set(userId.slice(0, 15), level);
    this.shares.set(key, users);
  }

  /** View All Data: the user reads every record (the integration user has it). */
  grantViewAll(userId: string): void {
    this.viewAll.add(userId.slice(0, 15));
  }

  accessFor(userId: string, record: StoredRecord, depth = 0): RecordAccessLevel {
    if (this.viewAll.has(userId.slice(0, 15))) return 'All';
    const owner = record.fields.OwnerId;
    if (typeof owner === 'string' && sameId(owner, userId)) return 'All';
    const share = this.shares.get(String(record.fields.Id).slice(0, 15))?.get(userId.slice(0, 15));
    return higher(
      higher(share ?? 'None', this.implicit(userId, record)),
      this.byDefault(userId, record, depth),
    );
  }

  /** The owner of an Account may open (and edit) its Contacts, whatever their defaults. */
  private implicit(userId: string, record: StoredRecord): RecordAccessLevel {
    if (record.def.name !== 'Contact') return 'None';
    const accountId = record.fields.AccountId;
    const account = typeof accountId === 'string' ? this.store.get(accountId) : undefined;
    const owner = account?.fields.OwnerId;
    return typeof owner === 'string' && sameId(owner, userId) ? 'Edit' : 'None';
  }

  private byDefault(userId: string, record: StoredRecord, depth: number): RecordAccessLevel {
    const object = record.def.name.toLowerCase();
    switch (this.defaultFor(object)) {
      case 'ReadWrite':
        return 'Edit';
      case 'Read':
        return 'Read';
      case 'Private':
        return 'None';
      case 'ControlledByParent': {
        const parentId = record.fields[PARENT_FIELD[object] ?? ''];
        const parent = typeof parentId === 'string' ? this.store.get(parentId) : undefined;
        // Without a parent the record is private (a Contact without an Account).
        if (parent === undefined || depth > 3) return 'None';
        const access = this.accessFor(userId, parent, depth + 1);
        return access === 'All' ? 'Edit' : access;
      }
    }
  }
}

const ACCESS_FIELDS = [
  'HasReadAccess',
  'HasEditAccess',
  'HasDeleteAccess',
  'HasTransferAccess',
  'HasAllAccess',
] as const;
type AccessField = (typeof ACCESS_FIELDS)[number];
const SELECTABLE = ['RecordId', ...ACCESS_FIELDS, 'MaxAccessLevel'];
const MAX_RECORD_IDS = 200;

const FILTER_RULE =
  'UserRecordAccess requires a filter by a single Id on UserId and by RecordId with = or IN';

/** Ands of conditions, flattened; an OR or NOT is not a filter UserRecordAccess takes. */
function conditionsOf(where: WhereClause | undefined): ValueCondition[] {
  const out: ValueCondition[] = [];
  let clause: WhereClause | undefined = where;
  while (clause !== undefined) {
    const operator = 'operator' in clause ? clause.operator : undefined;
    if (operator !== undefined && operator !== 'AND') throw malformed(FILTER_RULE);
    const left = clause.left;
    if (left === null || !('field' in left) || typeof left.field !== 'string')
      throw malformed(FILTER_RULE);
    if ('valueQuery' in left || 'fn' in left) throw malformed(FILTER_RULE);
    out.push(left);
    clause = 'right' in clause ? clause.right : undefined;
  }
  return out;
}

function unquote(value: string): string {
  return value.replace(/^'(.*)'$/s, '$1');
}

function flags(level: RecordAccessLevel): Record<AccessField, boolean> & {
  MaxAccessLevel: RecordAccessLevel;
} {
  return {
    HasReadAccess: RANK[level] >= RANK.Read,
    HasEditAccess: RANK[level] >= RANK.Edit,
    HasDeleteAccess: level === 'All',
    HasTransferAccess: level === 'All',
    HasAllAccess: level === 'All',
    MaxAccessLevel: level,
  };
}

/** Answers `SELECT … FROM UserRecordAccess WHERE UserId = … AND RecordId IN (…)`. */
export function queryUserRecordAccess(
  query: Query,
  runningUserId: string,
  sharing: SharingPolicy,
  store: RecordStore,
  version: string,
): Record<string, unknown>[] {
  const selected: string[] = [];
  for (const field of query.fields ?? []) {
    const name =
      field.type === 'Field'
        ? SELECTABLE.find((f) => f.toLowerCase() === field.field.toLowerCase())
        : undefined;
    if (name === undefined)
      throw new OrgApiError(
        400,
        'INVALID_FIELD',
        `No such column '${field.type === 'Field' ? field.field : field.type}' on entity 'UserRecordAccess'.`,
      );
    selected.push(name);
  }
  let userId: string | undefined;
  let recordIds: string[] | undefined;
  const filters: { field: AccessField; value: boolean }[] = [];
  for (const condition of conditionsOf(query.where)) {
    const field = condition.field.toLowerCase();
    const values = (Array.isArray(condition.value) ? condition.value : [condition.value]).map(
      unquote,
    );
    if (field === 'userid' && condition.operator === '=' && userId === undefined)
      userId = values[0];
    else if (field === 'recordid' && ['=', 'IN'].includes(condition.operator) && !recordIds)
      recordIds = values;
    else {
      const access = ACCESS_FIELDS.find((f) => f.toLowerCase() === field);
      if (access === undefined || condition.operator !== '=') throw malformed(FILTER_RULE);
      filters.push({ field: access, value: values[0]?.toLowerCase() === 'true' });
    }
  }
  if (userId === undefined || recordIds === undefined) throw malformed(FILTER_RULE);
  if (recordIds.length > MAX_RECORD_IDS)
    throw malformed(`UserRecordAccess takes at most ${MAX_RECORD_IDS} record ids`);
  for (const id of [userId, ...recordIds])
    if (!isSalesforceId(id))
      throw new OrgApiError(400, 'INVALID_QUERY_FILTER_OPERATOR', `invalid ID field: ${id}`);
  if (!selected.includes('RecordId') || (filters.length > 0 && selected.length > 1))
    throw malformed(
      'UserRecordAccess: SELECT RecordId (and, without an access filter, access fields)',
    );

  const rows: Record<string, unknown>[] = [];
  const seen = new Set<string>();
  for (const id of recordIds) {
    const record = store.get(id);
    if (record === undefined || record.fields.IsDeleted === true) continue;
    const recordId = String(record.fields.Id);
    if (seen.has(recordId) || sharing.accessFor(runningUserId, record) === 'None') continue;
    seen.add(recordId);
    const access = flags(sharing.accessFor(userId, record));
    if (filters.some((f) => access[f.field] !== f.value)) continue;
    const row: Record<string, unknown> = {
      attributes: {
        type: 'UserRecordAccess',
        url: `/services/data/v${version}/sobjects/UserRecordAccess/${recordId}`,
      },
    };
    for (const name of selected)
      row[name] = name === 'RecordId' ? recordId : access[name as AccessField | 'MaxAccessLevel'];
    rows.push(row);
  }
  return rows;
}
