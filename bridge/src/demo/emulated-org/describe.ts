// The sObject Describe resource (`GET /sobjects/<Type>/describe`) as the calling user sees it: as
// in Salesforce, a field the user cannot read is not listed at all, and `createable` /
// `updateable` say what the user may write. Picklists carry their values (`picklistValues`, one
// marked `defaultValue`) and `restrictedPicklist`. Only the properties clients commonly read are
// filled in; the rest of Salesforce's long list keeps neutral values.
import type { FieldAccessLevel } from './access';
import { isPermissionable, type FieldDef, type FieldType, type ObjectDef } from './schema';

const LENGTHS: Partial<Record<FieldType, number>> = {
  id: 18,
  reference: 18,
  string: 255,
  textarea: 32000,
  phone: 40,
  email: 80,
  url: 255,
  picklist: 255,
};

const SOAP_TYPES: Record<FieldType, string> = {
  id: 'tns:ID',
  reference: 'tns:ID',
  string: 'xsd:string',
  textarea: 'xsd:string',
  phone: 'xsd:string',
  email: 'xsd:string',
  url: 'xsd:string',
  picklist: 'xsd:string',
  boolean: 'xsd:boolean',
  int: 'xsd:int',
  double: 'xsd:double',
  currency: 'xsd:double',
  date: 'xsd:date',
  datetime: 'xsd:dateTime',
};

/** "MobilePhone" → "Mobile Phone", "Direct_Phone__c" → "Direct Phone". */
function labelOf(name: string): string {
  return name
    .replace(/__c$/, '')
    .replace(/_/g, ' ')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/Id$/, 'ID');
}

export function describeField(
  def: ObjectDef,
  field: FieldDef,
  level: FieldAccessLevel,
): Record<string, unknown> {
  const writable = level === 'edit' && field.readOnly !== true && def.setup !== true;
  const picklist = field.picklist;
  return {
    name: field.name,
    label: labelOf(field.name),
    type: field.type,
    soapType: SOAP_TYPES[field.type],
    length: LENGTHS[field.type] ?? 0,
    custom: field.name.endsWith('__c'),
    nillable: field.required !== true && field.type !== 'boolean' && field.name !== 'Id',
    createable: writable,
    updateable: writable && field.createOnly !== true,
    defaultedOnCreate:
      field.readOnly === true || picklist?.values.some((v) => v.defaultValue) === true,
    defaultValue: null,
    picklistValues: (picklist?.values ?? []).map((v) => ({
      active: v.active,
      defaultValue: v.defaultValue,
      label: v.label,
      validFor: null,
      value: v.value,
    })),
    restrictedPicklist: picklist?.restricted === true,
    referenceTo: [...(field.referenceTo ?? [])],
    relationshipName: field.relationshipName ?? null,
    nameField: field.name === 'Name',
    idLookup: field.name === 'Id',
    filterable: field.type !== 'textarea',
    sortable: field.type !== 'textarea',
    groupable: field.type !== 'textarea',
    calculated: false,
    unique: false,
    externalId: false,
    permissionable: isPermissionable(def, field),
    deprecatedAndHidden: false,
  };
}

export function describeObject(
  def: ObjectDef,
  levelOf: (field: FieldDef) => FieldAccessLevel,
  version: string,
): Record<string, unknown> {
  const base = `/services/data/v${version}/sobjects/${def.name}`;
  return {
    name: def.name,
    label: labelOf(def.name),
    labelPlural: `${labelOf(def.name)}s`,
    keyPrefix: def.keyPrefix,
    custom: def.name.endsWith('__c'),
    customSetting: false,
    createable: def.setup !== true,
    updateable: def.setup !== true,
    deletable: def.setup !== true,
    queryable: true,
    retrieveable: true,
    searchable: def.setup !== true,
    layoutable: def.setup !== true,
    childRelationships: [],
    recordTypeInfos: [],
    fields: [...def.fields.values()]
      .filter((field) => levelOf(field) !== 'none')
      .map((field) => describeField(def, field, levelOf(field))),
    urls: { sobject: base, describe: `${base}/describe`, rowTemplate: `${base}/{ID}` },
  };
}
