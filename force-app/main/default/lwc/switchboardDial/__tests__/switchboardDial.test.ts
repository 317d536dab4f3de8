// c-switchboard-dial: the record's phone numbers with Call buttons; a click publishes a dial on the
// Switchboard_Dial__c channel (asserted on the messageService stub), linked to the record.
import { createElement } from 'lwc';
import SwitchboardDial from 'c/switchboardDial';
import { getRecord } from 'lightning/uiRecordApi';
import { publish } from 'lightning/messageService';
import DIAL_CHANNEL from '@salesforce/messageChannel/Switchboard_Dial__c';
import CONTACT from './data/getRecord.json';
import CASE from './data/getRecordCase.json';

// lightning/actions has no stub in sfdx-lwc-jest: a plain event the test can listen for.
jest.mock(
  'lightning/actions',
  () => ({
    CloseActionScreenEvent: class extends CustomEvent<undefined> {
      constructor() {
        super('close');
      }
    },
  }),
  { virtual: true },
);

const mocked = <T>(fn: T) => fn as unknown as jest.Mock;

interface TestWire {
  emit(value: unknown): void;
  error(body?: unknown): void;
  getLastConfig(): { recordId?: string; optionalFields?: string[] };
}
// In jest getRecord is the test wire adapter of sfdx-lwc-jest, driven by hand.
// eslint-disable-next-line @lwc/lwc/no-unexpected-wire-adapter-usages
const recordWire = getRecord as unknown as TestWire;

const flushPromises = () => Promise.resolve();

function mount(objectApiName: string, recordId: string) {
  const element = createElement('c-switchboard-dial', { is: SwitchboardDial });
  Object.assign(element, { objectApiName, recordId });
  document.body.appendChild(element);
  return element;
}

const buttons = (element: HTMLElement) =>
  Array.from(element.shadowRoot!.querySelectorAll<HTMLButtonElement>('button.call'));

describe('c-switchboard-dial', () => {
  afterEach(() => {
    while (document.body.firstChild) document.body.removeChild(document.body.firstChild);
    jest.clearAllMocks();
  });

  it('asks LDS for the Contact’s phone fields as optional fields', async () => {
    mount('Contact', '003000000000001AAA');
    await flushPromises();
    // optional: a field the rep may not see must not fail the whole record.
    expect(recordWire.getLastConfig()).toEqual({
      recordId: '003000000000001AAA',
      optionalFields: expect.arrayContaining([
        'Contact.Name',
        'Contact.MobilePhone',
        'Contact.Phone',
        'Contact.HomePhone',
      ]) as unknown,
    });
  });

  it('lists every filled phone field, labeled, each with its call button', async () => {
    const element = mount('Contact', '003000000000001AAA');
    // LDS answers with the record
    recordWire.emit(CONTACT);
    await flushPromises();

    expect(buttons(element).map((b) => b.getAttribute('aria-label'))).toEqual([
      'Call Mobile (415) 555-0101',
      'Call Phone 415.555.0102',
    ]);
    expect(element.shadowRoot!.querySelector('.name')?.textContent).toContain('Grace Hopper');
  });

  it('a click on the mobile number publishes a dial for it, linked to the record', async () => {
    const element = mount('Contact', '003000000000001AAA');
    const closed = jest.fn();
    element.addEventListener('close', closed);
    recordWire.emit(CONTACT);
    await flushPromises();

    // the rep clicks "Call Mobile"
    buttons(element)[0]!.click();
    await flushPromises();

    expect(mocked(publish)).toHaveBeenCalledTimes(1);
    expect(mocked(publish)).toHaveBeenCalledWith(undefined, DIAL_CHANNEL, {
      number: '(415) 555-0101',
      recordId: '003000000000001AAA',
      source: 'switchboardDial',
    });
    // The rep is told what happens next, politely announced to screen readers.
    const status = element.shadowRoot!.querySelector('.status')!;
    expect(status.getAttribute('aria-live')).toBe('polite');
    expect(status.textContent).toContain('Calling Mobile (415) 555-0101');
    // In the quick action, the modal closes.
    expect(closed).toHaveBeenCalledTimes(1);
  });

  it('on a Case, lists its Contact’s numbers and links the call to the Contact', async () => {
    const element = mount('Case', '500000000000001AAA');
    await flushPromises();
    expect(recordWire.getLastConfig().optionalFields).toEqual(
      expect.arrayContaining(['Case.ContactId', 'Case.Contact.MobilePhone']),
    );
    recordWire.emit(CASE);
    await flushPromises();

    expect(buttons(element).map((b) => b.getAttribute('aria-label'))).toEqual([
      'Call Mobile (415) 555-0101',
    ]);
    buttons(element)[0]!.click();
    expect(mocked(publish)).toHaveBeenCalledWith(undefined, DIAL_CHANNEL, {
      number: '(415) 555-0101',
      recordId: '003000000000001AAA',
      source: 'switchboardDial',
    });
  });

  it('says so when an Opportunity has no Contact', async () => {
    const element = mount('Opportunity', '006000000000001AAA');
    recordWire.emit({ id: '006000000000001AAA', apiName: 'Opportunity', fields: {} });
    await flushPromises();
    expect(buttons(element)).toHaveLength(0);
    expect(element.shadowRoot!.querySelector('.empty')?.textContent).toBe(
      'No Contact on this record, so there is no number to call.',
    );
  });

  it('says so when the record has no phone number', async () => {
    const element = mount('Account', '001000000000001AAA');
    recordWire.emit({
      id: '001000000000001AAA',
      apiName: 'Account',
      fields: {
        Name: { value: 'Acme', displayValue: null },
        Phone: { value: null, displayValue: null },
      },
    });
    await flushPromises();
    expect(buttons(element)).toHaveLength(0);
    expect(element.shadowRoot!.querySelector('.empty')?.textContent).toBe(
      'No phone numbers on this record.',
    );
  });

  it('shows an error when the record cannot be loaded, and publishes nothing', async () => {
    const element = mount('Lead', '00Q000000000001AAA');
    recordWire.error();
    await flushPromises();
    expect(element.shadowRoot!.querySelector('[role="alert"]')?.textContent).toBe(
      'The phone numbers of this record could not be loaded.',
    );
    expect(mocked(publish)).not.toHaveBeenCalled();
  });

  it('is accessible', async () => {
    const element = mount('Contact', '003000000000001AAA');
    recordWire.emit(CONTACT);
    await flushPromises();
    // every button names the number it calls, not just "Call"
    for (const button of buttons(element)) {
      expect(button.getAttribute('aria-label')).toMatch(/^Call \w+ .*\d/);
    }
    // the card has a heading, and the status is a polite live region
    expect(element.shadowRoot!.querySelector('h2')?.textContent).toContain('Call');
    expect(element.shadowRoot!.querySelector('.status')?.getAttribute('aria-live')).toBe('polite');
  });
});
