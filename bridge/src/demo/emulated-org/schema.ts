// The emulated org's data model: the standard objects and fields Switchboard touches, their key
// prefixes, phone fields (for SOSL `IN PHONE FIELDS`), parent relationships (Account.Name,
// Owner.Name), picklists (values, default, restricted) and which fields field-level security
// governs. Person Account fields are added when the org has Person Accounts. Fields and objects
// that only appear in seed data are added on load, so an admin can try their own custom fields
// (Mobile__c, Direct_Phone__c) without editing this file.

export type FieldType =
  | 'id'
  | 'reference'
  | 'string'
  | 'textarea'
  | 'phone'
  | 'email'
  | 'url'
  | 'picklist'
  | 'boolean'
  | 'int'
  | 'double'
  | 'currency'
  | 'date'
  | 'datetime';

export interface FieldDef {
  name: string;
  type: FieldType;
  /** Target objects of a reference field (more than one = polymorphic, e.g. Task.WhoId). */
  referenceTo?: readonly string[];
  /** Name used in SOQL paths: AccountId → Account, Manager__c → Manager__r. */
  relationshipName?: string;
  /** Set by the org, never by a client (Id, Name of people, audit fields). */
  readOnly?: boolean;
  /** Set on create only (Task.TaskSubtype): an update is refused. */
  createOnly?: boolean;
  required?: boolean;
  /** Values of a picklist, in order; `restricted` refuses any other value on write. */
  picklist?: PicklistDef;
}

export interface PicklistValue {
  value: string;
  label: string;
  active: boolean;
  /** The value a new record gets when the field is not set. */
  defaultValue: boolean;
}

export interface PicklistDef {
  values: PicklistValue[];
  restricted: boolean;
}

export interface ObjectDef {
  name: string;
  keyPrefix: string;
  /** Keyed by lower-case API name: SOQL names are case-insensitive. */
  fields: Map<string, FieldDef>;
  /** Keyed by lower-case relationship name. */
  relationships: Map<string, FieldDef>;
  /** Compound Name built from FirstName and LastName (Contact, Lead, User). */
  personName: boolean;
  /** Setup objects (TaskStatus, TaskPriority, RecordType) are read-only through the API. */
  setup?: boolean;
}

const AUDIT: [string, FieldType, string[]?][] = [
  ['Id', 'id'],
  ['IsDeleted', 'boolean'],
  ['CreatedDate', 'datetime'],
  ['CreatedById', 'reference', ['User']],
  ['LastModifiedDate', 'datetime'],
  ['LastModifiedById', 'reference', ['User']],
  ['SystemModstamp', 'datetime'],
];

type FieldSpec = [string, FieldType, string[]?];

/** The user permissions the emulated org knows, as fields of Profile, PermissionSet, UserPermissionAccess. */
export const USER_PERMISSIONS = [
  'ApiEnabled',
  'ApiUserOnly',
  'ViewSetup',
  'CustomizeApplication',
] as const;
export type UserPermission = (typeof USER_PERMISSIONS)[number];
const USER_PERMISSION_FIELDS: FieldSpec[] = USER_PERMISSIONS.map((name) => [
  `Permissions${name}`,
  'boolean',
]);

const STANDARD: Record<
  string,
  { keyPrefix: string; personName?: boolean; fields: FieldSpec[]; required?: string[] }
> = {
  Account: {
    keyPrefix: '001',
    required: ['Name'],
    fields: [
      ['Name', 'string'],
      ['Phone', 'phone'],
      ['Fax', 'phone'],
      ['Website', 'url'],
      ['Industry', 'picklist'],
      ['Type', 'picklist'],
      ['AnnualRevenue', 'currency'],
      ['NumberOfEmployees', 'int'],
      ['BillingStreet', 'textarea'],
      ['BillingCity', 'string'],
      ['BillingPostalCode', 'string'],
      ['BillingCountry', 'string'],
      ['Description', 'textarea'],
      ['ParentId', 'reference', ['Account']],
      ['OwnerId', 'reference', ['User']],
    ],
  },
  Contact: {
    keyPrefix: '003',
    personName: true,
    required: ['LastName'],
    fields: [
      ['Salutation', 'picklist'],
      ['FirstName', 'string'],
      ['LastName', 'string'],
      ['Name', 'string'],
      ['Title', 'string'],
      ['Department', 'string'],
      ['Email', 'email'],
      ['Phone', 'phone'],
      ['MobilePhone', 'phone'],
      ['HomePhone', 'phone'],
      ['OtherPhone', 'phone'],
      ['AssistantName', 'string'],
      ['AssistantPhone', 'phone'],
      ['Fax', 'phone'],
      ['MailingCity', 'string'],
      ['MailingCountry', 'string'],
      ['LeadSource', 'picklist'],
      ['Description', 'textarea'],
      ['AccountId', 'reference', ['Account']],
      ['ReportsToId', 'reference', ['Contact']],
      ['OwnerId', 'reference', ['User']],
    ],
  },
  Lead: {
    keyPrefix: '00Q',
    personName: true,
    required: ['LastName', 'Company'],
    fields: [
      ['Salutation', 'picklist'],
      ['FirstName', 'string'],
      ['LastName', 'string'],
      ['Name', 'string'],
      ['Company', 'string'],
      ['Title', 'string'],
      ['Email', 'email'],
      ['Phone', 'phone'],
      ['MobilePhone', 'phone'],
      ['Fax', 'phone'],
      ['Status', 'picklist'],
      ['LeadSource', 'picklist'],
      ['Industry', 'picklist'],
      ['Rating', 'picklist'],
      ['AnnualRevenue', 'currency'],
      ['City', 'string'],
      ['Country', 'string'],
      ['Description', 'textarea'],
      ['IsConverted', 'boolean'],
      ['ConvertedDate', 'date'],
      ['ConvertedContactId', 'reference', ['Contact']],
      ['ConvertedAccountId', 'reference', ['Account']],
      ['OwnerId', 'reference', ['User']],
    ],
  },
  User: {
    keyPrefix: '005',
    personName: true,
    required: ['LastName', 'Username', 'Email'],
    fields: [
      ['Username', 'string'],
      ['FirstName', 'string'],
      ['LastName', 'string'],
      ['Name', 'string'],
      ['Alias', 'string'],
      ['Email', 'email'],
      ['IsActive', 'boolean'],
      ['Title', 'string'],
      ['Phone', 'phone'],
      ['MobilePhone', 'phone'],
      ['Extension', 'string'],
      ['TimeZoneSidKey', 'picklist'],
      ['ManagerId', 'reference', ['User']],
      ['ProfileId', 'reference', ['Profile']],
    ],
  },
  Task: {
    keyPrefix: '00T',
    required: ['Status', 'Priority'],
    fields: [
      ['Subject', 'string'],
      ['Status', 'picklist'],
      ['Priority', 'picklist'],
      ['ActivityDate', 'date'],
      ['Description', 'textarea'],
      ['TaskSubtype', 'picklist'],
      ['CallType', 'picklist'],
      ['CallDurationInSeconds', 'int'],
      ['CallObject', 'string'],
      ['CallDisposition', 'string'],
      ['WhoId', 'reference', ['Contact', 'Lead']],
      ['WhatId', 'reference', ['Account', 'Opportunity', 'Case']],
      ['OwnerId', 'reference', ['User']],
    ],
  },
  // Setup objects the API can query (their rows are the Task.Status and Task.Priority values).
  TaskStatus: {
    keyPrefix: '01J',
    fields: [
      ['ApiName', 'string'],
      ['MasterLabel', 'string'],
      ['IsClosed', 'boolean'],
      ['IsDefault', 'boolean'],
      ['SortOrder', 'int'],
    ],
  },
  TaskPriority: {
    keyPrefix: '01K',
    fields: [
      ['ApiName', 'string'],
      ['MasterLabel', 'string'],
      ['IsDefault', 'boolean'],
      ['IsHighPriority', 'boolean'],
      ['SortOrder', 'int'],
    ],
  },
  // Who may do what (user-permissions.ts): profiles and permission sets carry the user
  // permissions as Permissions<Name> booleans; UserPermissionAccess answers the caller's own.
  Profile: {
    keyPrefix: '00e',
    fields: [['Name', 'string'], ...USER_PERMISSION_FIELDS],
  },
  PermissionSet: {
    keyPrefix: '0PS',
    fields: [
      ['Name', 'string'],
      ['Label', 'string'],
      ['IsOwnedByProfile', 'boolean'],
      ...USER_PERMISSION_FIELDS,
    ],
  },
  PermissionSetAssignment: {
    keyPrefix: '0Pa',
    fields: [
      ['AssigneeId', 'reference', ['User']],
      ['PermissionSetId', 'reference', ['PermissionSet']],
    ],
  },
  UserPermissionAccess: {
    keyPrefix: '0Ux',
    fields: USER_PERMISSION_FIELDS,
  },
  RecordType: {
    keyPrefix: '012',
    fields: [
      ['Name', 'string'],
      ['DeveloperName', 'string'],
      ['SobjectType', 'string'],
      ['IsPersonType', 'boolean'],
      ['IsActive', 'boolean'],
    ],
  },
  Opportunity: {
    keyPrefix: '006',
    required: ['Name', 'StageName', 'CloseDate'],
    fields: [
      ['Name', 'string'],
      ['StageName', 'picklist'],
      ['CloseDate', 'date'],
      ['Amount', 'currency'],
      ['AccountId', 'reference', ['Account']],
      ['OwnerId', 'reference', ['User']],
    ],
  },
  Case: {
    keyPrefix: '500',
    fields: [
      ['CaseNumber', 'string'],
      ['Subject', 'string'],
      ['Status', 'picklist'],
      ['AccountId', 'reference', ['Account']],
      ['ContactId', 'reference', ['Contact']],
      ['OwnerId', 'reference', ['User']],
    ],
  },
};

const SETUP_OBJECTS = new Set([
  'TaskStatus',
  'TaskPriority',
  'RecordType',
  'Profile',
  'PermissionSet',
  'PermissionSetAssignment',
  'UserPermissionAccess',
]);

/** Standard picklists with their values in a new org (Task Status and Priority come from rows). */
const STANDARD_PICKLISTS: Record<string, { values: string[]; default?: string }> = {
  'Task.TaskSubtype': { values: ['Task', 'Email', 'ListEmail', 'Cadence', 'Call', 'LinkedIn'] },
  'Task.CallType': { values: ['Internal', 'Inbound', 'Outbound'] },
};

/** Person Account fields on Account (the person contact's fields, as Salesforce exposes them). */
const PERSON_ACCOUNT_FIELDS: FieldSpec[] = [
  ['IsPersonAccount', 'boolean'],
  ['FirstName', 'string'],
  ['LastName', 'string'],
  ['Salutation', 'picklist'],
  ['PersonEmail', 'email'],
  ['PersonMobilePhone', 'phone'],
  ['PersonHomePhone', 'phone'],
  ['PersonOtherPhone', 'phone'],
  ['PersonAssistantPhone', 'phone'],
  ['PersonMailingCity', 'string'],
  ['PersonMailingCountry', 'string'],
  ['PersonContactId', 'reference', ['Contact']],
];

/** Fields field-level security does not govern: always readable (and, if writable, editable). */
const NOT_PERMISSIONABLE = new Set([
  ...AUDIT.map(([name]) => name),
  'OwnerId',
  'FirstName',
  'LastName',
  'IsPersonAccount',
  'IsConverted',
  'PersonContactId',
  // Task fields Setup offers no field-level security for.
  'TaskSubtype',
  'WhoId',
  'WhatId',
]);

const READ_ONLY = new Set([
  ...AUDIT.map(([name]) => name),
  'IsConverted',
  'ConvertedDate',
  'ConvertedContactId',
  'ConvertedAccountId',
  'CaseNumber',
  'IsPersonAccount',
  'PersonContactId',
]);

function relationshipNameOf(field: string): string | undefined {
  if (field.endsWith('__c')) return `${field.slice(0, -3)}__r`;
  if (field.endsWith('Id') && field !== 'Id') return field.slice(0, -2);
  return undefined;
}

/**
 * Whether field-level security governs the field: not for system and audit fields, the owner,
 * required fields, or a person object's compound Name (as in Salesforce, where those are always
 * visible to anyone who can see the object).
 */
export function isPermissionable(def: ObjectDef, field: FieldDef): boolean {
  if (NOT_PERMISSIONABLE.has(field.name) || field.required === true) return false;
  // Setup objects, and User's standard fields, are visible to every user who can see the row.
  if (def.setup === true || def.name === 'User') return false;
  return !(def.personName && field.name === 'Name');
}

/** A phone field for SOSL `IN PHONE FIELDS`: typed phone, or a custom field named …Phone__c. */
export function isPhoneField(field: FieldDef): boolean {
  return field.type === 'phone' || /phone__c$/i.test(field.name);
}

export class OrgSchema {
  private readonly objects = new Map<string, ObjectDef>();
  private customPrefixCounter = 0;
  private personAccounts = false;

  constructor() {
    for (const [name, spec] of Object.entries(STANDARD)) {
      const def = this.addObject(name, spec.keyPrefix, spec.personName === true);
      if (SETUP_OBJECTS.has(name)) def.setup = true;
      for (const [field, type, referenceTo] of [...AUDIT, ...spec.fields]) {
        this.addField(def, {
          name: field,
          type,
          ...(referenceTo === undefined ? {} : { referenceTo }),
          readOnly: READ_ONLY.has(field) || (def.personName && field === 'Name'),
          required: spec.required?.includes(field) ?? false,
        });
      }
    }
    const subtype = this.object('Task')?.fields.get('tasksubtype');
    if (subtype !== undefined) subtype.createOnly = true;
    for (const [path, spec] of Object.entries(STANDARD_PICKLISTS))
      this.setPicklist(path, {
        values: spec.values.map((value) => ({ value, default: value === spec.default })),
        restricted: true,
      });
  }

  /** Whether the org has Person Accounts (Account gains the person fields, Contact IsPersonAccount). */
  get hasPersonAccounts(): boolean {
    return this.personAccounts;
  }

  enablePersonAccounts(): void {
    if (this.personAccounts) return;
    this.personAccounts = true;
    const account = this.object('Account');
    const contact = this.object('Contact');
    if (account === undefined || contact === undefined) return;
    // A person account has no company name: Name is derived from FirstName and LastName.
    const name = account.fields.get('name');
    if (name !== undefined) name.required = false;
    for (const [field, type, referenceTo] of PERSON_ACCOUNT_FIELDS)
      this.addField(account, {
        name: field,
        type,
        ...(referenceTo === undefined ? {} : { referenceTo }),
        readOnly: READ_ONLY.has(field),
      });
    this.addField(contact, { name: 'IsPersonAccount', type: 'boolean', readOnly: true });
  }

  /**
   * Makes `Object.Field` a picklist with these values (the first marked default, if any, is what
   * a new record gets); a restricted picklist refuses other values on create and update.
   */
  setPicklist(
    path: string,
    spec: {
      values: readonly (string | { value: string; label?: string; default?: boolean })[];
      restricted?: boolean;
    },
  ): void {
    const [objectName = '', fieldName = ''] = path.split('.');
    const def = this.object(objectName) ?? this.learnObject(objectName);
    const existing = def.fields.get(fieldName.toLowerCase());
    const values = spec.values.map((v) => (typeof v === 'string' ? { value: v } : v));
    const picklist: PicklistDef = {
      restricted: spec.restricted ?? true,
      values: values.map((v) => ({
        value: v.value,
        label: v.label ?? v.value,
        active: true,
        defaultValue: v.default === true,
      })),
    };
    if (existing === undefined) this.addField(def, { name: fieldName, type: 'picklist', picklist });
    else {
      existing.type = 'picklist';
      existing.picklist = picklist;
    }
  }

  private addObject(name: string, keyPrefix: string, personName: boolean): ObjectDef {
    const def: ObjectDef = {
      name,
      keyPrefix,
      fields: new Map(),
      relationships: new Map(),
      personName,
    };
    this.objects.set(name.toLowerCase(), def);
    return def;
  }

  private addField(def: ObjectDef, field: FieldDef): void {
    const relationshipName =
      field.type === 'reference' ? relationshipNameOf(field.name) : undefined;
    const full = relationshipName === undefined ? field : { ...field, relationshipName };
    def.fields.set(field.name.toLowerCase(), full);
    if (relationshipName !== undefined) def.relationships.set(relationshipName.toLowerCase(), full);
  }

  object(name: string): ObjectDef | undefined {
    return this.objects.get(name.toLowerCase());
  }

  objectByKeyPrefix(prefix: string): ObjectDef | undefined {
    for (const def of this.objects.values()) if (def.keyPrefix === prefix) return def;
    return undefined;
  }

  /** Makes room for an object and fields that appear in seed data or API writes of custom fields. */
  learnObject(name: string): ObjectDef {
    const existing = this.object(name);
    if (existing !== undefined) return existing;
    // Custom objects get a00, a01, …; the key prefix of a real custom object is org-specific too.
    const keyPrefix = `a0${'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'.charAt(this.customPrefixCounter++ % 36)}`;
    const def = this.addObject(name, keyPrefix, false);
    for (const [field, type, referenceTo] of [
      ...AUDIT,
      ['Name', 'string'] as FieldSpec,
      ['OwnerId', 'reference', ['User']] as FieldSpec,
    ]) {
      this.addField(def, {
        name: field,
        type,
        ...(referenceTo === undefined ? {} : { referenceTo }),
        readOnly: READ_ONLY.has(field),
      });
    }
    return def;
  }

  /** A seed field not in the schema: its type inferred from the value it carries. */
  learnField(def: ObjectDef, name: string, sample: unknown): FieldDef {
    const existing = def.fields.get(name.toLowerCase());
    if (existing !== undefined) return existing;
    const type: FieldType = /phone(__c)?$/i.test(name)
      ? 'phone'
      : typeof sample === 'boolean'
        ? 'boolean'
        : typeof sample === 'number'
          ? 'double'
          : typeof sample === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(sample)
            ? 'datetime'
            : 'string';
    const field: FieldDef = { name, type };
    this.addField(def, field);
    return field;
  }
}
