// The caller card's field labels: the org's, from getObjectInfo, and the humanized API name
// while the object info is loading or when it is unavailable; and its name, which comes from
// Lightning Data Service under the rep's access, never from the bridge.
/* eslint-disable @lwc/lwc/no-unexpected-wire-adapter-usages -- the tests drive the stub adapters */
import { createElement } from 'lwc';
import SwitchboardCallerCard, { labelFor } from 'c/switchboardCallerCard';
import { getRecord } from 'lightning/uiRecordApi';
import { getObjectInfo } from 'lightning/uiObjectInfoApi';

// Settles promise chains (wire deliveries re-render asynchronously).
const flushPromises = () =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, 0);
  });

const LEAD_INFO = {
  apiName: 'Lead',
  label: 'Lead',
  fields: {
    Company: { apiName: 'Company', label: 'Company', relationshipName: null },
    Status: { apiName: 'Status', label: 'Lead Status', relationshipName: null },
    OwnerId: { apiName: 'OwnerId', label: 'Owner ID', relationshipName: 'Owner' },
  },
};

const LEAD_RECORD = {
  id: '00QHs00000LEA02',
  apiName: 'Lead',
  fields: {
    Company: { value: 'Thompson Design', displayValue: null },
    Status: { value: 'Working', displayValue: 'Working - Contacted' },
    Owner: {
      value: { fields: { Name: { value: 'Ana Lopez', displayValue: null } } },
      displayValue: 'Ana Lopez',
    },
  },
};

const mia = { id: '00QHs00000LEA02', object: 'Lead', name: 'Mia Thompson', phoneField: 'Phone' };

type Element = HTMLElement & { shadowRoot: ShadowRoot };

async function mountCard(): Promise<Element> {
  const element = createElement('c-switchboard-caller-card', {
    is: SwitchboardCallerCard,
  }) as unknown as Element & { match: unknown; fields: string[] };
  element.match = mia;
  element.fields = ['Company', 'Status', 'Owner.Name', 'Custom_Tier__c'];
  document.body.appendChild(element);
  await flushPromises();
  return element;
}

const labels = (element: Element) =>
  Array.from(element.shadowRoot.querySelectorAll('dt')).map((dt) => dt.textContent?.trim());

describe('c-switchboard-caller-card', () => {
  afterEach(() => {
    while (document.body.firstChild) document.body.removeChild(document.body.firstChild);
    jest.clearAllMocks();
  });

  it('shows the name LDS gives the rep, and tells the parent; a record the rep may not see has none', async () => {
    // Arrange: the bridge's name is not what the card shows
    const element = await mountCard();
    const seen: unknown[] = [];
    element.addEventListener('visiblename', (event) => seen.push((event as CustomEvent).detail));
    const name = () => element.shadowRoot.querySelector('.switchboard-card__name')?.textContent;
    expect(name()?.trim()).toBe('Loading…');
    expect(getRecord.getLastConfig()).toMatchObject({
      recordId: mia.id,
      optionalFields: expect.arrayContaining(['Lead.Name', 'Lead.Company']) as unknown,
    });
    // Act: LDS answers for the rep
    getRecord.emit({
      ...LEAD_RECORD,
      fields: { ...LEAD_RECORD.fields, Name: { value: 'M. Thompson' } },
    });
    await flushPromises();
    // Assert
    expect(name()?.trim()).toBe('M. Thompson');
    expect(seen).toEqual([{ recordId: mia.id, name: 'M. Thompson', accountName: null }]);
    // Act: the rep loses access
    getRecord.error({ message: "You don't have access to this record." }, 403);
    await flushPromises();
    // Assert: no name anywhere on the card
    expect(name()?.trim()).toBe("Lead you don't have access to");
    expect(element.shadowRoot.textContent).not.toContain('Thompson');
    expect(seen[1]).toEqual({ recordId: mia.id, name: null, accountName: null });
  });

  it("labels the fields as the org does once the object's info arrives", async () => {
    // Arrange: the record arrives first
    const element = await mountCard();
    getRecord.emit(LEAD_RECORD);
    await flushPromises();
    // Assert: humanized API names while the object info loads
    expect(labels(element)).toEqual(['Company', 'Status', 'Owner']);
    // Act: the object info for Lead
    getObjectInfo.emit(LEAD_INFO);
    await flushPromises();
    // Assert: the org's labels; the lookup's without " ID"
    expect(labels(element)).toEqual(['Company', 'Lead Status', 'Owner']);
    expect(getObjectInfo.getLastConfig()).toEqual({ objectApiName: 'Lead' });
  });

  it('keeps the humanized names when the object info is unavailable', async () => {
    // Arrange
    const element = await mountCard();
    getRecord.emit(LEAD_RECORD);
    // Act: the rep may not read the object's metadata
    getObjectInfo.error({ message: 'insufficient access' });
    await flushPromises();
    // Assert
    expect(labels(element)).toEqual(['Company', 'Status', 'Owner']);
  });

  it('resolves labels for plain fields, relationship paths and unknown fields', () => {
    expect(labelFor(LEAD_INFO, 'Status')).toBe('Lead Status');
    expect(labelFor(LEAD_INFO, 'Owner.Name')).toBe('Owner');
    // Not in the object info (or no object info): humanized
    expect(labelFor(LEAD_INFO, 'Custom_Tier__c')).toBe('Custom Tier');
    expect(labelFor(LEAD_INFO, 'CreatedBy.Name')).toBe('Created By');
    expect(labelFor(undefined, 'AnnualRevenue')).toBe('Annual Revenue');
    // A German org's lookup label
    const german = {
      ...LEAD_INFO,
      fields: { OwnerId: { ...LEAD_INFO.fields.OwnerId, label: 'Inhaber-ID' } },
    };
    expect(labelFor(german, 'Owner.Name')).toBe('Inhaber');
  });
});
