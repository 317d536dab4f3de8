// One possible caller: name, object, account and the fields the admin chose, read through
// Lightning Data Service (getRecord) so the rep sees only what their permissions and sharing
// allow, and labelled as the org labels them (getObjectInfo). The name shown is the one LDS
// returns for the rep, never the bridge's (read as the integration user): a record the rep may
// not see is shown without it. Tells its parent what the rep may see of the record (for the
// utility label and announcements), and when the rep opens it or picks it as the caller.
import { LightningElement, api, wire } from 'lwc';
import { getRecord, type RecordRepresentation } from 'lightning/uiRecordApi';
import { getObjectInfo, type ObjectInfoRepresentation } from 'lightning/uiObjectInfoApi';
import type { CallMatch } from 'c/switchboardProtocol';
import { formatLabel, formatNumber } from 'c/switchboardFormat';
import LABELS from './labels';

const ICONS: Record<string, string> = {
  Contact: 'standard:contact',
  Lead: 'standard:lead',
  Account: 'standard:account',
};

export interface FieldRow {
  key: string;
  label: string;
  value: string;
}

/** "AnnualRevenue" → "Annual Revenue"; "Owner.Name" → "Owner"; "Custom_Tier__c" → "Custom Tier". */
export function fieldLabel(field: string): string {
  const parts = field.split('.');
  const base = parts.length > 1 ? (parts[0] ?? field) : field;
  return base
    .replace(/__c$/, '')
    .replace(/_/g, ' ')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/Id$/, '')
    .trim();
}

/**
 * The org's label for "Title" or "Owner.Name" (the lookup's label without " ID": "Owner"), or
 * the humanized API name while the object info is loading or when it is unavailable.
 */
export function labelFor(info: ObjectInfoRepresentation | undefined, field: string): string {
  const fields = info?.fields;
  if (fields) {
    const [first = field, ...rest] = field.split('.');
    if (rest.length === 0) {
      const label = fields[first]?.label;
      if (label) return label;
    } else {
      const lookup = Object.values(fields).find((f) => f?.relationshipName === first);
      // "Owner ID" in English, "Inhaber-ID" in German: the lookup named without its id.
      const label = lookup?.label.replace(/[\s-]+ID$/i, '').trim();
      if (label) return label;
    }
  }
  return fieldLabel(field);
}

interface UiFieldValue {
  value?: unknown;
  displayValue?: string | null;
}

/**
 * Reads "Title" or "Owner.Name" from a UI API record, preferring the value LDS formatted for
 * the user; a bare number is written in the user's locale.
 */
export function fieldDisplayValue(record: RecordRepresentation, path: string): string | null {
  const segments = path.split('.');
  let fields: Record<string, UiFieldValue | undefined> | undefined = record.fields;
  for (let i = 0; i < segments.length; i++) {
    const field: UiFieldValue | undefined = fields?.[segments[i] ?? ''];
    if (!field) return null;
    if (i === segments.length - 1) {
      if (field.displayValue !== undefined && field.displayValue !== null)
        return field.displayValue;
      if (field.value === null || field.value === undefined) return null;
      if (typeof field.value === 'number') return formatNumber(field.value);
      return typeof field.value === 'object' ? null : String(field.value as string);
    }
    const nested = field.value as { fields?: Record<string, UiFieldValue | undefined> } | null;
    fields = nested?.fields;
  }
  return null;
}

export default class SwitchboardCallerCard extends LightningElement {
  /** Shows the "This is the caller" button (several matches). */
  @api pickable = false;
  /** This match is the record linked to the call. */
  @api selected = false;

  private currentMatch: CallMatch | undefined;
  private currentFields: string[] = [];
  // Plain fields (not getters) feed the wire: they are what LWC watches for '$' parameters.
  recordId: string | undefined;
  objectApiName: string | undefined;
  qualifiedFields: string[] = [];
  record: RecordRepresentation | undefined;
  objectInfo: ObjectInfoRepresentation | undefined;
  loadError = false;
  labels = LABELS;

  @api
  get match(): CallMatch | undefined {
    return this.currentMatch;
  }
  set match(value: CallMatch | undefined) {
    this.currentMatch = value;
    this.recordId = value?.id;
    this.objectApiName = value?.object;
    this.qualify();
  }

  /** Field API names without the object prefix, as the admin chose them (Title, Owner.Name). */
  @api
  get fields(): string[] {
    return this.currentFields;
  }
  set fields(value: string[] | undefined) {
    this.currentFields = Array.isArray(value) ? value : [];
    this.qualify();
  }

  private qualify(): void {
    const object = this.currentMatch?.object;
    const own = object === 'Contact' ? ['Name', 'Account.Name'] : ['Name'];
    const fields = [...own, ...this.currentFields.filter((f) => !own.includes(f))];
    this.qualifiedFields = object ? fields.map((field) => `${object}.${field}`) : [];
  }

  // optionalFields: a field the rep may not see is left out instead of failing the card; a
  // record the rep may not see fails it (loadError).
  @wire(getRecord, { recordId: '$recordId', optionalFields: '$qualifiedFields' })
  wiredRecord(result: { data?: RecordRepresentation; error?: unknown }): void {
    this.record = result.data;
    this.loadError = result.error !== undefined && result.error !== null;
    if (this.record === undefined && !this.loadError) return;
    const record = this.record;
    const detail = {
      recordId: this.recordId,
      name: record ? fieldDisplayValue(record, 'Name') : null,
      accountName:
        record && this.currentMatch?.object === 'Contact'
          ? fieldDisplayValue(record, 'Account.Name')
          : null,
    };
    this.dispatchEvent(new CustomEvent('visiblename', { detail }));
  }

  // Labels only: on an error (no access to the object's metadata) the API names stay humanized.
  @wire(getObjectInfo, { objectApiName: '$objectApiName' })
  wiredObjectInfo(result: { data?: ObjectInfoRepresentation; error?: unknown }): void {
    this.objectInfo = result.data;
  }

  get iconName(): string {
    return ICONS[this.match?.object ?? ''] ?? 'standard:avatar';
  }

  /** The object as the org names it in the user's language ("Kontakt"), else its API name. */
  get objectLabel(): string {
    return this.objectInfo?.label ?? this.match?.object ?? '';
  }

  /** The record's name as LDS gave it to the rep; a placeholder while loading or without access. */
  get name(): string {
    if (this.loadError) return formatLabel(LABELS.restricted, this.objectLabel);
    const name = this.record ? fieldDisplayValue(this.record, 'Name') : null;
    return name ?? (this.record ? '' : LABELS.loading);
  }

  get restricted(): boolean {
    return this.loadError;
  }

  get subtitle(): string {
    const record = this.record;
    const account =
      record && this.match?.object === 'Contact' ? fieldDisplayValue(record, 'Account.Name') : null;
    return account ? `${this.objectLabel} · ${account}` : this.objectLabel;
  }

  get openLabel(): string {
    return formatLabel(LABELS.open, this.objectLabel, this.name);
  }

  get pickLabel(): string {
    return formatLabel(LABELS.pickNamed, this.name);
  }

  get cardClass(): string {
    return this.selected
      ? 'switchboard-card slds-media slds-p-around_x-small switchboard-card_selected'
      : 'switchboard-card slds-media slds-p-around_x-small';
  }

  get rows(): FieldRow[] {
    const record = this.record;
    if (!record) return [];
    const rows: FieldRow[] = [];
    for (const field of this.currentFields) {
      const value = fieldDisplayValue(record, field);
      if (value === null || value === '') continue;
      rows.push({ key: field, label: labelFor(this.objectInfo, field), value });
    }
    return rows;
  }

  get hasRows(): boolean {
    return this.rows.length > 0;
  }

  handleOpen(): void {
    this.dispatchEvent(new CustomEvent('open', { detail: { recordId: this.recordId } }));
  }

  handlePick(): void {
    this.dispatchEvent(new CustomEvent('pick', { detail: { recordId: this.recordId } }));
  }
}
