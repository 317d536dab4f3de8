// The emulated org's data model: the standard objects and fields Switchboard touches, their key
// prefixes, phone fields (for SOSL `IN PHONE FIELDS`) and parent relationships (Account.Name,
// Owner.Name). Fields and objects that only appear in seed data are added on load, so an admin
// can try their own custom fields (Mobile__c, Direct_Phone__c) without editing this file.

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
  required?: boolean;
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
    ],
  },
  Task: {
    keyPrefix: '00T',
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

const READ_ONLY = new Set([
  'Id',
  'IsDeleted',
  'CreatedDate',
  'CreatedById',
  'LastModifiedDate',
  'LastModifiedById',
  'SystemModstamp',
  'IsConverted',
  'ConvertedDate',
  'ConvertedContactId',
  'ConvertedAccountId',
  'CaseNumber',
]);

function relationshipNameOf(field: string): string | undefined {
  if (field.endsWith('__c')) return `${field.slice(0, -3)}__r`;
  if (field.endsWith('Id') && field !== 'Id') return field.slice(0, -2);
  return undefined;
}

/** A phone field for SOSL `IN PHONE FIELDS`: typed phone, or a custom field named …Phone__c. */
export function isPhoneField(field: FieldDef): boolean {
  return field.type === 'phone' || /phone__c$/i.test(field.name);
}

export class OrgSchema {
  private readonly objects = new Map<string, ObjectDef>();
  private customPrefixCounter = 0;

  constructor() {
    for (const [name, spec] of Object.entries(STANDARD)) {
      const def = this.addObject(name, spec.keyPrefix, spec.personName === true);
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
