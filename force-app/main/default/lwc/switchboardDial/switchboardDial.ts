// Click-to-dial from a record: lists every phone field of a Contact, Lead or Account (on a
// Case or Opportunity, those of its Contact), each with a Call button. A click publishes on
// the Switchboard_Dial__c message channel; the utility bar, the only holder of the socket to
// the bridge, turns it into a `dial` frame and shows the result. Also the "Call" quick action.
import { LightningElement, api, wire } from 'lwc';
import { getRecord, type RecordRepresentation } from 'lightning/uiRecordApi';
import { MessageContext, publish } from 'lightning/messageService';
import { CloseActionScreenEvent } from 'lightning/actions';
import DIAL_CHANNEL from '@salesforce/messageChannel/Switchboard_Dial__c';
import { formatLabel } from 'c/switchboardFormat';
import LABELS from './labels';

type ContextValue = Parameters<typeof publish>[0];

/** Phone fields per object, in the order a rep most likely wants them. */
export const PHONE_FIELDS: Readonly<Record<string, ReadonlyArray<readonly [string, string]>>> = {
  Contact: [
    ['MobilePhone', LABELS.mobile],
    ['Phone', LABELS.phone],
    ['HomePhone', LABELS.home],
    ['OtherPhone', LABELS.other],
    ['AssistantPhone', LABELS.assistant],
  ],
  Lead: [
    ['MobilePhone', LABELS.mobile],
    ['Phone', LABELS.phone],
  ],
  Account: [['Phone', LABELS.phone]],
};

/** Objects whose own phone fields are not the point: the rep calls their Contact (ContactId). */
const VIA_CONTACT = new Set(['Case', 'Opportunity']);

export interface DialNumber {
  key: string;
  label: string;
  number: string;
  buttonLabel: string;
}

interface FieldNode {
  value: unknown;
  displayValue: string | null;
}

export default class SwitchboardDial extends LightningElement {
  @api recordId: string | undefined;
  @api objectApiName: string | undefined;

  record: RecordRepresentation | undefined;
  loadError = '';
  status = '';
  labels = LABELS;

  @wire(MessageContext)
  messageContext: ContextValue | undefined;

  /** optionalFields: a field the rep cannot see (or that an org lacks) must not break the list. */
  get fields(): string[] {
    const object = this.objectApiName;
    if (object === undefined) return [];
    if (VIA_CONTACT.has(object))
      return [
        `${object}.ContactId`,
        `${object}.Contact.Name`,
        ...(PHONE_FIELDS.Contact ?? []).map(([field]) => `${object}.Contact.${field}`),
      ];
    const phones = PHONE_FIELDS[object];
    return phones === undefined ? [] : [`${object}.Name`, ...phones.map(([f]) => `${object}.${f}`)];
  }

  @wire(getRecord, { recordId: '$recordId', optionalFields: '$fields' })
  wiredRecord({ data, error }: { data?: RecordRepresentation; error?: unknown }): void {
    this.record = data;
    this.loadError = error === undefined ? '' : LABELS.loadError;
  }

  get viaContact(): boolean {
    return this.objectApiName !== undefined && VIA_CONTACT.has(this.objectApiName);
  }

  /** The record whose fields are listed: the record itself, or its Contact. */
  private get source(): RecordRepresentation | undefined {
    if (!this.viaContact) return this.record;
    const contact = this.record?.fields.Contact?.value;
    return isRecord(contact) ? contact : undefined;
  }

  /** The record the call is linked to: the Contact on a Case or Opportunity. */
  get dialRecordId(): string | undefined {
    if (!this.viaContact) return this.recordId;
    const id = this.record?.fields.ContactId?.value;
    return typeof id === 'string' && id !== '' ? id : undefined;
  }

  get name(): string {
    return text(this.source?.fields.Name) ?? '';
  }

  get numbers(): DialNumber[] {
    const source = this.source;
    const object = this.viaContact ? 'Contact' : this.objectApiName;
    if (source === undefined || object === undefined) return [];
    const list: DialNumber[] = [];
    for (const [field, label] of PHONE_FIELDS[object] ?? []) {
      const number = text(source.fields[field]);
      if (number === undefined) continue;
      list.push({
        key: field,
        label,
        number,
        buttonLabel: formatLabel(LABELS.callNumber, label, number),
      });
    }
    return list;
  }

  get hasNumbers(): boolean {
    return this.numbers.length > 0;
  }

  get emptyMessage(): string {
    if (this.record === undefined) return '';
    if (this.viaContact && this.dialRecordId === undefined) return LABELS.noContact;
    return LABELS.noNumbers;
  }

  handleCall(event: Event): void {
    const key = (event.currentTarget as HTMLElement).dataset.key;
    const entry = this.numbers.find((n) => n.key === key);
    if (entry === undefined) return;
    publish(this.messageContext as ContextValue, DIAL_CHANNEL, {
      number: entry.number,
      recordId: this.dialRecordId,
      source: 'switchboardDial',
    });
    this.status = formatLabel(LABELS.calling, entry.label, entry.number);
    // In the quick action this closes the modal; on a record page nothing listens for it.
    this.dispatchEvent(new CloseActionScreenEvent());
  }
}

function isRecord(value: unknown): value is RecordRepresentation {
  return typeof value === 'object' && value !== null && 'fields' in value;
}

/** A field's text as the rep sees it (LDS formats phones in displayValue when it can). */
function text(node: FieldNode | undefined): string | undefined {
  const shown = node?.displayValue ?? node?.value;
  return typeof shown === 'string' && shown.trim() !== '' ? shown.trim() : undefined;
}
