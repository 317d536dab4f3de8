import { createElement } from 'lwc';
import Switchboard from 'c/switchboard';
import getToken from '@salesforce/apex/SwitchboardTokenController.getToken';
import getPreferences from '@salesforce/apex/SwitchboardPreferencesController.getPreferences';
import savePreferences from '@salesforce/apex/SwitchboardPreferencesController.savePreferences';
import { encodeDefaultFieldValues } from 'lightning/pageReferenceUtils';
import { getRecord } from 'lightning/uiRecordApi';
import { EnclosingUtilityId, open, updateUtility } from 'lightning/platformUtilityBarApi';
import { MessageContext, subscribe } from 'lightning/messageService';
import { navigate as mockNavigate } from 'lightning/navigation';
import { FakeWebSocket } from 'test/jest-mocks/fakeWebSocket';
import { find, findAll, flushPromises, resetDom, textOf } from 'test/lwc-test-utils';
import PREFERENCES from './data/getPreferences.json';
import READY from './data/ready.json';
import CONTACT_RECORD from './data/getRecord.json';

jest.mock('@salesforce/apex/SwitchboardTokenController.getToken', () => ({ default: jest.fn() }), {
  virtual: true,
});
jest.mock(
  '@salesforce/apex/SwitchboardPreferencesController.getPreferences',
  () => ({ default: jest.fn() }),
  { virtual: true },
);
jest.mock(
  '@salesforce/apex/SwitchboardPreferencesController.savePreferences',
  () => ({ default: jest.fn() }),
  { virtual: true },
);

const mocked = <T>(fn: T) => fn as unknown as jest.Mock;

const baseCall = {
  id: 'call-1',
  direction: 'inbound',
  state: 'ringing',
  extension: '201',
  number: '4155551212',
  e164: '+14155551212',
  display: '(415) 555-1212',
  withheld: false,
  internal: false,
  startedAt: '2024-05-01T10:00:00.000Z',
  lookup: 'done',
  matches: [] as unknown[],
};
const marcus = {
  id: '003Hs00000CON05',
  object: 'Contact',
  name: 'Marcus Lee',
  phoneField: 'Phone',
  accountId: '001Hs00000ACC02',
  accountName: 'Golden Gate Analytics Inc.',
};
const priya = { ...marcus, id: '003Hs00000CON04', name: 'Priya Raman' };
const mia = { id: '00QHs00000LEA02', object: 'Lead', name: 'Mia Thompson', phoneField: 'Phone' };

type Element = HTMLElement & { shadowRoot: ShadowRoot };

async function mount(preferences = PREFERENCES): Promise<Element> {
  mocked(getPreferences).mockResolvedValue(preferences);
  const element = createElement('c-switchboard', { is: Switchboard }) as Element;
  document.body.appendChild(element);
  EnclosingUtilityId.emit('utility-1');
  await flushPromises();
  return element;
}

async function connect(preferences = PREFERENCES, ready: object = READY): Promise<Element> {
  const element = await mount(preferences);
  FakeWebSocket.last.open();
  FakeWebSocket.last.receive(ready);
  await flushPromises();
  return element;
}

/**
 * Lightning Data Service answers a caller card for one record under the rep's access: its name
 * (and a Contact's account), or, with `null`, that the rep may not see it.
 */
async function ldsAnswers(
  recordId: string,
  record: { name: string; accountName?: string } | null,
): Promise<void> {
  const forRecord = (config: { recordId?: string }) => config.recordId === recordId;
  if (record === null) {
    // The test adapter sends an error to every card: answer the others again afterwards.
    // eslint-disable-next-line @lwc/lwc/no-unexpected-wire-adapter-usages -- test adapter
    getRecord.error({ message: "You don't have access to this record." }, 403);
  } else {
    const fields: Record<string, unknown> = { Name: { value: record.name, displayValue: null } };
    if (record.accountName !== undefined)
      fields.Account = {
        value: { fields: { Name: { value: record.accountName, displayValue: null } } },
        displayValue: null,
      };
    // eslint-disable-next-line @lwc/lwc/no-unexpected-wire-adapter-usages -- test adapter
    getRecord.emit({ id: recordId, fields }, forRecord);
  }
  await flushPromises();
}

async function sendCall(call: object): Promise<void> {
  FakeWebSocket.last.receive({ v: 1, type: 'call', call: { ...baseCall, ...call } });
  await flushPromises();
}

// What the rep sees, child components included.
const $ = (element: Element, selector: string) => find(element, selector);
const text = textOf;
/** A part (heading, message, detail, dismiss) of the notice with this data-id. */
function notice(element: Element, id: string, part: string): string {
  const host = find(element, `[data-id="${id}"]`);
  return host ? textOf(host, `[data-id="${part}"]`) : '';
}

/** Frames of one type the component sent (after hello). */
const sentOf = (type: string) =>
  (FakeWebSocket.last.sent as { type: string }[]).filter((frame) => frame.type === type);

/** Types into the number box as a rep does. */
function typeNumber(element: Element, value: string): HTMLInputElement {
  const input = $(element, '[data-id="dial-number"]') as HTMLInputElement;
  input.value = value;
  input.dispatchEvent(new CustomEvent('input'));
  return input;
}

describe('c-switchboard', () => {
  const originalWebSocket = globalThis.WebSocket;

  beforeEach(() => {
    FakeWebSocket.reset();
    globalThis.WebSocket = FakeWebSocket as unknown as typeof WebSocket;
    mocked(getToken).mockResolvedValue('jwt');
    mocked(savePreferences).mockResolvedValue(undefined);
    mocked(encodeDefaultFieldValues).mockImplementation((values: Record<string, string>) =>
      Object.entries(values)
        .map(([key, value]) => `${key}=${encodeURIComponent(value)}`)
        .join(','),
    );
  });

  afterEach(() => {
    resetDom();
    globalThis.WebSocket = originalWebSocket;
    jest.clearAllMocks();
    jest.useRealTimers();
  });

  it('shows connecting, then who is connected on which extension', async () => {
    // Arrange + Act: mount; the socket is not open yet
    const element = await mount();
    // Assert: connecting, and hello carries the Apex token
    expect($(element, '[data-id="status-connecting"]')).not.toBeNull();
    FakeWebSocket.last.open();
    expect(FakeWebSocket.last.url).toBe('wss://bridge.acme.example/ws');
    expect(FakeWebSocket.last.sent[0]).toEqual({ v: 1, type: 'hello', token: 'jwt' });
    // Act: the bridge is ready
    FakeWebSocket.last.receive({ ...READY, warnings: ['No PBX user has this email'] });
    await flushPromises();
    // Assert
    expect(text(element, '[data-id="status-connected"]')).toBe(
      'Connected as ana.lopez@acme.example on extension 201',
    );
    expect(text(element, '[data-id="warnings"]')).toBe('No PBX user has this email');
  });

  it('explains why it is not connected and what to do', async () => {
    // Arrange: a user without the permission set
    mocked(getToken).mockRejectedValue({
      body: { message: 'You need the Switchboard_User custom permission' },
    });
    // Act
    const element = await mount();
    // Assert
    expect(notice(element, 'status-problem', 'message')).toBe("Switchboard isn't enabled for you.");
    expect(notice(element, 'status-problem', 'detail')).toContain(
      'Switchboard User permission set',
    );
    expect($(element, '[data-id="retry"]')).not.toBeNull();
  });

  it('says "Phone system not connected" while the bridge cannot see the PBX', async () => {
    // Arrange + Act: the bridge is ready, but its PBX link is down
    const element = await connect(PREFERENCES, { ...READY, pbx: { connected: false } });
    // Assert: connected to Switchboard, and told that calls do not show up meanwhile
    expect(text(element, '[data-id="status-connected"]')).toBe(
      'Connected as ana.lopez@acme.example on extension 201',
    );
    expect(notice(element, 'status-pbx', 'heading')).toBe('Phone system not connected');
    expect(notice(element, 'status-pbx', 'message')).toBe(
      "Until it is back, calls don't show up here and you can't call from Salesforce.",
    );
    expect($(element, '[data-id="idle"]')).toBeNull();
    // Act: the link comes back
    FakeWebSocket.last.receive({ v: 1, type: 'pbx', connected: true });
    await flushPromises();
    // Assert
    expect($(element, '[data-id="status-pbx"]')).toBeNull();
    expect($(element, '[data-id="idle"]')).not.toBeNull();
    // Act: it drops again
    FakeWebSocket.last.receive({ v: 1, type: 'pbx', connected: false });
    await flushPromises();
    // Assert
    expect(notice(element, 'status-pbx', 'heading')).toBe('Phone system not connected');
  });

  it('offers the controls a later pbx frame lists: the PBX said what it allows after the rep connected', async () => {
    // Arrange: ready before Asterisk's manager user was read: no controls, a call in progress
    const element = await connect(PREFERENCES, {
      ...READY,
      controls: [],
      calls: [{ ...baseCall, state: 'connected' }],
    });
    const hangUp = () =>
      $(element, 'lightning-button[data-action="hangup"]') as HTMLElement & { disabled: boolean };
    expect(hangUp().disabled).toBe(true);
    // Act: the bridge has logged in to the PBX and read what it may send
    FakeWebSocket.last.receive({ v: 1, type: 'pbx', connected: true, controls: ['hangup'] });
    await flushPromises();
    // Assert: the rep can hang up without reconnecting; a pbx frame without controls keeps them
    expect(hangUp().disabled).toBe(false);
    FakeWebSocket.last.receive({ v: 1, type: 'pbx', connected: false });
    await flushPromises();
    expect(hangUp().disabled).toBe(false);
  });

  it('tells a rep without the permission set that Switchboard is not enabled, not that no bridge URL is set', async () => {
    // Arrange: Apex refuses the preferences as it refuses the token
    mocked(getPreferences).mockRejectedValue({
      body: {
        message:
          'Switchboard is not enabled for your user. Ask your Salesforce admin to assign the Switchboard User permission set.',
      },
    });
    // Act
    const element = createElement('c-switchboard', { is: Switchboard }) as Element;
    document.body.appendChild(element);
    await flushPromises();
    // Assert
    expect(notice(element, 'status-problem', 'message')).toBe("Switchboard isn't enabled for you.");
    expect(FakeWebSocket.instances).toHaveLength(0);
    expect(getToken).not.toHaveBeenCalled();
  });

  it('pops the utility and opens a single match once, with its fields', async () => {
    // Arrange
    const element = await connect();
    // Act: ringing while the lookup runs, then done with one match; the bridge repeats it
    await sendCall({ lookup: 'pending' });
    expect(updateUtility).toHaveBeenLastCalledWith('utility-1', {
      highlighted: true,
      label: 'Ringing: (415) 555-1212',
    });
    await sendCall({ matches: [marcus] });
    await sendCall({ matches: [marcus] });
    // eslint-disable-next-line @lwc/lwc/no-unexpected-wire-adapter-usages -- test adapter
    getRecord.emit(CONTACT_RECORD);
    await flushPromises();
    // Assert: utility opened and highlighted, navigated exactly once
    expect(open).toHaveBeenCalledTimes(1);
    expect(open).toHaveBeenCalledWith('utility-1', { autoFocus: false });
    expect(updateUtility).toHaveBeenCalledTimes(2);
    expect(updateUtility).toHaveBeenLastCalledWith('utility-1', {
      highlighted: true,
      label: 'Ringing: Marcus Lee, Golden Gate Analytics Inc.',
    });
    expect(mockNavigate).toHaveBeenCalledTimes(1);
    expect(mockNavigate).toHaveBeenCalledWith({
      type: 'standard__recordPage',
      attributes: { recordId: marcus.id, actionName: 'view' },
    });
    // Assert: direction, human number, caller card with LDS fields, live announcement
    expect(text(element, '[data-id="number"]')).toBe('(415) 555-1212');
    const card = $(element, 'c-switchboard-caller-card') as Element;
    expect(text(card, '.switchboard-card__name')).toBe('Marcus Lee');
    const cells = Array.from(card.shadowRoot.querySelectorAll('dt, dd')).map((c) => c.textContent);
    expect(cells).toEqual(['Title', 'VP Sales', 'Account', 'Golden Gate Analytics Inc.']);
    expect(text(element, '[data-id="announcer"]')).toBe(
      'Incoming call from Marcus Lee, Golden Gate Analytics Inc.',
    );
  });

  it('stops saying Ringing in the utility bar once the call is answered', async () => {
    // Arrange: a known caller rings
    await connect({ ...PREFERENCES, openSingleMatch: false });
    await sendCall({ matches: [marcus] });
    await ldsAnswers(marcus.id, { name: marcus.name, accountName: marcus.accountName });
    expect(updateUtility).toHaveBeenLastCalledWith('utility-1', {
      highlighted: true,
      label: 'Ringing: Marcus Lee, Golden Gate Analytics Inc.',
    });
    // Act: the rep answers
    await sendCall({ state: 'connected', answeredAt: new Date().toISOString(), matches: [marcus] });
    // Assert: the label names the call in progress, no longer highlighted
    expect(updateUtility).toHaveBeenLastCalledWith('utility-1', {
      highlighted: false,
      label: 'On call: Marcus Lee, Golden Gate Analytics Inc.',
    });
    // Act: hang up
    await sendCall({ state: 'ended', endedAt: new Date().toISOString(), matches: [marcus] });
    // Assert: back to the utility's name
    expect(updateUtility).toHaveBeenLastCalledWith('utility-1', {
      highlighted: false,
      label: 'Switchboard',
    });
  });

  it('does not open the record when the rep turned that preference off', async () => {
    await connect({ ...PREFERENCES, openSingleMatch: false });
    await sendCall({ matches: [marcus] });
    expect(mockNavigate).not.toHaveBeenCalled();
  });

  it('lists several matches; the pick is linked at the bridge and opened', async () => {
    // Arrange
    const element = await connect();
    await sendCall({ matches: [priya, mia] });
    await ldsAnswers(priya.id, { name: priya.name, accountName: priya.accountName });
    await ldsAnswers(mia.id, { name: mia.name });
    // Assert: a list, nothing opened yet
    const cards = findAll(element, 'c-switchboard-caller-card');
    expect(cards).toHaveLength(2);
    expect(text(element, '[data-id="matches-heading"]')).toContain('2 records have this number');
    expect(mockNavigate).not.toHaveBeenCalled();
    // Act: the rep picks Mia Thompson
    const pick = (cards[1] as Element).shadowRoot.querySelector('lightning-button') as HTMLElement;
    pick.click();
    await flushPromises();
    // Assert: call.link sent, record opened, card marked
    expect(FakeWebSocket.last.sent).toContainEqual({
      v: 1,
      type: 'call.link',
      callId: 'call-1',
      recordId: mia.id,
      requestId: expect.stringMatching(/^link-/),
    });
    expect(mockNavigate).toHaveBeenCalledWith({
      type: 'standard__recordPage',
      attributes: { recordId: mia.id, actionName: 'view' },
    });
    expect(text(element, '[data-id="announcer"]')).toBe('Incoming call from Mia Thompson');
  });

  it('never shows the name of a match the rep may not see: not on the card, the label or aloud', async () => {
    // Arrange: two records share the number; the rep may see Priya but not Mia
    const element = await connect({ ...PREFERENCES, openSingleMatch: false });
    await sendCall({ matches: [priya, mia] });
    await ldsAnswers(mia.id, null);
    await ldsAnswers(priya.id, { name: priya.name, accountName: priya.accountName });
    // Assert: Mia's card says what it is without her name; Priya's shows hers
    const cards = findAll(element, 'c-switchboard-caller-card') as Element[];
    expect(text(cards[0] as Element, '.switchboard-card__name')).toBe('Priya Raman');
    expect(text(cards[1] as Element, '.switchboard-card__name')).toBe(
      "Lead you don't have access to",
    );
    // Act: the rep says it is the one they may not see
    const pick = (cards[1] as Element).shadowRoot.querySelector('lightning-button') as HTMLElement;
    pick.click();
    await flushPromises();
    // Assert: nowhere — page text, utility label, live region — carries the hidden name
    expect(element.shadowRoot.textContent).not.toContain('Mia');
    expect(text(element, '[data-id="announcer"]')).toBe(
      'Incoming call from (415) 555-1212, 2 possible callers',
    );
    for (const [, item] of (updateUtility as jest.Mock).mock.calls as [string, { label: string }][])
      expect(item.label).not.toContain('Mia');
  });

  it('opens a record when the rep clicks a name', async () => {
    const element = await connect({ ...PREFERENCES, openSingleMatch: false });
    await sendCall({ matches: [marcus] });
    const card = $(element, 'c-switchboard-caller-card') as Element;
    ($(card, '.switchboard-card__name') as HTMLElement).click();
    expect(mockNavigate).toHaveBeenCalledWith(
      expect.objectContaining({ attributes: { recordId: marcus.id, actionName: 'view' } }),
    );
  });

  it('offers Create Contact / Create Lead with the number filled in', async () => {
    // Arrange
    const element = await connect();
    // Act: unknown caller
    await sendCall({
      e164: '+16505550100',
      display: '(650) 555-0100',
      number: '6505550100',
      matches: [],
    });
    // Assert
    expect(text(element, '[data-id="unknown"]')).toContain('No Contact, Lead or Account');
    expect(mockNavigate).not.toHaveBeenCalled();
    // Act: Create Lead
    ($(element, 'lightning-button[data-object="Lead"]') as HTMLElement).click();
    // Assert
    expect(encodeDefaultFieldValues).toHaveBeenCalledWith({ Phone: '+16505550100' });
    expect(mockNavigate).toHaveBeenCalledWith({
      type: 'standard__objectPage',
      attributes: { objectApiName: 'Lead', actionName: 'new' },
      state: { defaultFieldValues: 'Phone=%2B16505550100' },
    });
  });

  it('opens the create form by itself for unknown inbound callers when preferred', async () => {
    // Arrange
    await connect({ ...PREFERENCES, createFormForUnknownInbound: true });
    // Act: unknown inbound, twice; then unknown outbound (not preferred)
    await sendCall({ matches: [] });
    await sendCall({ matches: [] });
    await sendCall({ id: 'call-2', direction: 'outbound', state: 'dialing', matches: [] });
    // Assert: one form, for the inbound call
    expect(mockNavigate).toHaveBeenCalledTimes(1);
    expect(mockNavigate).toHaveBeenCalledWith(
      expect.objectContaining({ attributes: { objectApiName: 'Contact', actionName: 'new' } }),
    );
  });

  it('runs a timer while connected and lists ended calls as recent', async () => {
    // Arrange: time under control
    jest.useFakeTimers({ now: new Date('2024-05-01T10:00:30.000Z') });
    const element = await connect({ ...PREFERENCES, openSingleMatch: false });
    // Act: answered 30 s ago, then 5 s pass
    await sendCall({
      state: 'connected',
      answeredAt: '2024-05-01T10:00:00.000Z',
      matches: [marcus],
    });
    await ldsAnswers(marcus.id, { name: marcus.name, accountName: marcus.accountName });
    expect(text(element, '[data-id="state"]')).toBe('Connected 0:30');
    jest.advanceTimersByTime(5000);
    await flushPromises();
    expect(text(element, '[data-id="state"]')).toBe('Connected 0:35');
    // Act: the call ends
    await sendCall({
      state: 'ended',
      answeredAt: '2024-05-01T10:00:00.000Z',
      endedAt: '2024-05-01T10:01:05.000Z',
      endReason: 'completed',
      matches: [marcus],
    });
    // Assert
    expect(text(element, '[data-id="state"]')).toBe('Ended · Completed');
    expect(text(element, '[data-id="recent"]')).toContain('Marcus Lee, Golden Gate Analytics Inc.');
    expect(text(element, '[data-id="recent"]')).toContain('Completed · 1:05');
  });

  it('reconnects with backoff and shows the active call again', async () => {
    // Arrange: connected with a ringing call
    jest.useFakeTimers();
    const element = await connect({ ...PREFERENCES, openSingleMatch: false });
    await sendCall({ matches: [marcus] });
    // Act: the bridge goes away
    FakeWebSocket.last.serverClose(1006);
    await flushPromises();
    // Assert: reconnecting, explained, with a delay between 0.5 s and 1 s
    expect(notice(element, 'status-problem', 'message')).toBe(
      'Cannot reach the bridge at wss://bridge.acme.example/ws.',
    );
    expect(FakeWebSocket.instances).toHaveLength(1);
    jest.advanceTimersByTime(1000);
    await flushPromises();
    expect(FakeWebSocket.instances).toHaveLength(2);
    // Act: the new bridge replays the call, now connected
    const replay = {
      ...baseCall,
      state: 'connected',
      answeredAt: new Date().toISOString(),
      matches: [marcus],
    };
    FakeWebSocket.last.open();
    FakeWebSocket.last.receive({ ...READY, calls: [replay] });
    await flushPromises();
    // Assert
    expect($(element, '[data-id="status-connected"]')).not.toBeNull();
    expect(text(element, '[data-id="state"]')).toMatch(/^Connected 0:0\d$/);
    expect(findAll(element, '[data-call-id]').length).toBeGreaterThan(0);
    expect(mockNavigate).not.toHaveBeenCalled();
  });

  it('saves a changed preference through Apex', async () => {
    // Arrange
    const element = await connect();
    ($(element, '[data-id="settings-toggle"]') as HTMLElement).click();
    await flushPromises();
    // Act
    const box = findAll(element, 'lightning-input').find(
      (input) => (input as HTMLInputElement).name === 'createFormForUnknownInbound',
    ) as HTMLInputElement;
    box.checked = true;
    box.dispatchEvent(new CustomEvent('change'));
    await flushPromises();
    // Assert
    expect(savePreferences).toHaveBeenCalledWith({
      openSingleMatch: true,
      createFormForUnknownInbound: true,
      createFormForUnknownOutbound: false,
    });
  });

  it('is accessible: labelled actions and a polite live region', async () => {
    // Arrange
    const element = await connect();
    await sendCall({ matches: [] });
    // Assert: the announcer is a polite live region
    const live = $(element, '[data-id="announcer"]') as HTMLElement;
    expect(live.getAttribute('aria-live')).toBe('polite');
    // Assert: every button has an accessible name
    const buttons = findAll(element, 'button, lightning-button');
    expect(buttons.length).toBeGreaterThan(0);
    buttons.forEach((button) => {
      const name =
        button.getAttribute('aria-label') ??
        (button as HTMLElement & { label?: string }).label ??
        button.textContent;
      expect((name ?? '').trim()).not.toBe('');
    });
    // Assert: sections are labelled landmarks
    for (const section of findAll(element, 'section[aria-label]'))
      expect(section.getAttribute('aria-label')).not.toBe('');
    // Assert: and axe finds nothing, children included
    await expect(element).toBeAccessible();
  });

  it('dials what the rep keys in on the dial pad', async () => {
    // Arrange: connected, the pad opened
    const element = await connect();
    ($(element, '[data-id="dial-pad-toggle"]') as HTMLElement).click();
    await flushPromises();
    // Act: 2, 0, 2 on the pad, then Call
    for (const key of ['2', '0', '2']) ($(element, `[data-key="${key}"]`) as HTMLElement).click();
    await flushPromises();
    ($(element, '[data-id="dial-call"]') as HTMLElement).click();
    await flushPromises();
    // Assert: one dial frame with the keyed number, shown as pending
    expect(sentOf('dial')).toEqual([
      { v: 1, type: 'dial', requestId: expect.stringMatching(/^dial-/), number: '202' },
    ]);
    expect(text(element, '[data-id="dial-pending"]')).toBe('Calling 202…');
    expect($(element, '[data-id="dial-pad-toggle"]')?.getAttribute('aria-expanded')).toBe('true');
  });

  it('dials on Enter in the number box and ignores an empty number', async () => {
    // Arrange
    const element = await connect();
    // Act: Enter with only spaces typed
    const input = typeNumber(element, '   ');
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter' }));
    await flushPromises();
    // Assert: nothing sent, nothing pending
    expect(sentOf('dial')).toEqual([]);
    expect($(element, '[data-id="dial-pending"]')).toBeNull();
    // Act: a number, then Enter
    typeNumber(element, ' +1 415 555 0178 ');
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter' }));
    await flushPromises();
    // Assert: dialed, trimmed
    expect(sentOf('dial')).toEqual([expect.objectContaining({ number: '+1 415 555 0178' })]);
  });

  it('shows a refused dial with its hint until dismissed', async () => {
    // Arrange: a dial in flight
    const element = await connect();
    typeNumber(element, '+14155550178');
    ($(element, '[data-id="dial-call"]') as HTMLElement).click();
    await flushPromises();
    const [dial] = sentOf('dial') as { requestId: string }[];
    // Act: the bridge refuses it
    FakeWebSocket.last.receive({
      v: 1,
      type: 'dial.result',
      requestId: dial?.requestId,
      ok: false,
      error: {
        code: 'DIAL_NO_EXTENSION',
        message: 'No phone extension is mapped to ana.lopez@acme.example',
        hint: 'Ask your admin to map your email to your extension in the bridge configuration (users:).',
      },
    });
    await flushPromises();
    // Assert: no longer pending; message and hint in the rep's words (the Custom Labels for the
    // code, not the bridge's English); the number kept for a retry
    expect($(element, '[data-id="dial-pending"]')).toBeNull();
    expect(notice(element, 'dial-error', 'heading')).toBe('Could not call +14155550178');
    expect(notice(element, 'dial-error', 'message')).toBe('No phone extension is assigned to you.');
    expect(notice(element, 'dial-error', 'detail')).toBe(
      'Ask your admin to map your email address to your extension.',
    );
    expect(($(element, '[data-id="dial-number"]') as HTMLInputElement).value).toBe('+14155550178');
    // Act: dismiss
    (find(find(element, '[data-id="dial-error"]')!, '[data-id="dismiss"]') as HTMLElement).click();
    await flushPromises();
    // Assert
    expect($(element, '[data-id="dial-error"]')).toBeNull();
  });

  it('redials a recent call with the record it was linked to', async () => {
    // Arrange: a call linked to Mia Thompson ended (names come from LDS while it was on screen;
    // a call this page never showed is listed by its number)
    const element = await connect({ ...PREFERENCES, openSingleMatch: false });
    await sendCall({ matches: [priya, mia] });
    await ldsAnswers(priya.id, { name: priya.name, accountName: priya.accountName });
    await ldsAnswers(mia.id, { name: mia.name });
    await sendCall({
      state: 'ended',
      endedAt: '2024-05-01T10:01:00.000Z',
      endReason: 'completed',
      matches: [priya, mia],
      linkedRecordId: mia.id,
    });
    // Act: the call button on the recent call
    const redial = $(element, '[data-id="recent"] [data-id="redial"]') as HTMLElement & {
      alternativeText: string;
    };
    expect(redial.alternativeText).toBe('Call Mia Thompson again');
    redial.click();
    await flushPromises();
    // Assert: the number and the linked record go to the bridge
    expect(sentOf('dial')).toEqual([
      expect.objectContaining({ number: '+14155551212', recordId: mia.id }),
    ]);
    // Act: the outbound call arrives
    await sendCall({ id: 'call-2', direction: 'outbound', state: 'dialing', matches: [mia] });
    // Assert: the pending "Calling …" gave way to the call
    expect($(element, '[data-id="dial-pending"]')).toBeNull();
    // Assert: the rep is calling Mia, not being called by her
    expect(text(element, '[data-id="matches-heading"]')).toBe('Calling');
    // Act + Assert: an inbound call from her is headed "Caller"
    await sendCall({ id: 'call-2', direction: 'outbound', state: 'ended', matches: [mia] });
    await sendCall({ id: 'call-4', matches: [mia] });
    expect(text(element, '[data-id="matches-heading"]')).toBe('Caller');
  });

  it('dials what the record page asks for over Lightning Message Service', async () => {
    // Arrange: connected and subscribed to the channel
    await connect();
    // eslint-disable-next-line @lwc/lwc/no-unexpected-wire-adapter-usages -- test adapter
    MessageContext.emit({});
    await flushPromises();
    const listener = mocked(subscribe).mock.calls[0]?.[2] as (message: unknown) => void;
    expect(mocked(subscribe).mock.calls[0]?.[3]).toEqual({ scope: expect.anything() });
    // Act: an empty number, then a Contact's mobile
    listener({ number: '  ', recordId: priya.id });
    listener({ number: '(415) 555-0178', recordId: priya.id, source: 'switchboardDial' });
    await flushPromises();
    // Assert: one dial, with the record
    expect(sentOf('dial')).toEqual([
      {
        v: 1,
        type: 'dial',
        requestId: expect.stringMatching(/^dial-/),
        number: '(415) 555-0178',
        recordId: priya.id,
      },
    ]);
  });

  it('saves notes and a disposition for the call log', async () => {
    // Arrange: a connected call; time under control
    jest.useFakeTimers({ now: new Date('2024-05-01T10:00:30.000Z') });
    const element = await connect({ ...PREFERENCES, openSingleMatch: false });
    await sendCall({ state: 'connected', answeredAt: '2024-05-01T10:00:05.000Z' });
    // Act: the rep writes notes and picks a disposition, then saves
    const notes = $(element, '[data-id="notes-text"]') as HTMLTextAreaElement;
    notes.value = 'Wants a quote for 40 seats';
    notes.dispatchEvent(new CustomEvent('change'));
    const select = $(element, '[data-id="disposition"]') as HTMLSelectElement;
    select.value = 'Interested';
    select.dispatchEvent(new CustomEvent('change'));
    await flushPromises();
    ($(element, '[data-id="notes-save"]') as HTMLElement).click();
    await flushPromises();
    // Assert: the call.note frame, and "Saving…" until the bridge answers
    expect(sentOf('call.note')).toEqual([
      {
        v: 1,
        type: 'call.note',
        callId: 'call-1',
        notes: 'Wants a quote for 40 seats',
        disposition: 'Interested',
        requestId: expect.stringMatching(/^note-/),
      },
    ]);
    expect(text(element, '[data-id="notes-status"]')).toBe('Saving…');
    // Silence is not success: still saving a while later
    jest.advanceTimersByTime(5000);
    await flushPromises();
    expect(text(element, '[data-id="notes-status"]')).toBe('Saving…');
    // Act: the bridge confirms (an answer to another request changes nothing)
    const [note] = sentOf('call.note') as { requestId: string }[];
    FakeWebSocket.last.receive({ v: 1, type: 'call.note.result', requestId: 'other', ok: true });
    await flushPromises();
    expect(text(element, '[data-id="notes-status"]')).toBe('Saving…');
    FakeWebSocket.last.receive({
      v: 1,
      type: 'call.note.result',
      requestId: note?.requestId,
      ok: true,
    });
    await flushPromises();
    // Assert
    expect(text(element, '[data-id="notes-status"]')).toBe('Saved');
  });

  it('says a note is not confirmed when the bridge never answers', async () => {
    // Arrange: a connected call, a note sent
    jest.useFakeTimers({ now: new Date('2024-05-01T10:00:30.000Z') });
    const element = await connect({ ...PREFERENCES, openSingleMatch: false });
    await sendCall({ state: 'connected', answeredAt: '2024-05-01T10:00:05.000Z' });
    const notes = $(element, '[data-id="notes-text"]') as HTMLTextAreaElement;
    notes.value = 'Call back Friday';
    notes.dispatchEvent(new CustomEvent('change'));
    await flushPromises();
    ($(element, '[data-id="notes-save"]') as HTMLElement).click();
    await flushPromises();
    // Act: no answer at all
    jest.advanceTimersByTime(15_000);
    await flushPromises();
    // Assert
    expect(text(element, '[data-id="notes-status"]')).toBe(
      'Not saved: Switchboard did not confirm the note. Save again.',
    );
  });

  it('shows why notes were not saved', async () => {
    // Arrange: an ended call, notes typed after hang-up
    jest.useFakeTimers({ now: new Date('2024-05-01T10:02:00.000Z') });
    const element = await connect({ ...PREFERENCES, openSingleMatch: false });
    await sendCall({ state: 'connected', answeredAt: '2024-05-01T10:00:05.000Z' });
    await sendCall({ state: 'ended', endedAt: '2024-05-01T10:01:00.000Z', endReason: 'completed' });
    const notes = $(element, '[data-id="notes-text"]') as HTMLTextAreaElement;
    notes.value = 'Left a message';
    notes.dispatchEvent(new CustomEvent('change'));
    await flushPromises();
    ($(element, '[data-id="notes-save"]') as HTMLElement).click();
    await flushPromises();
    const [note] = sentOf('call.note') as { requestId: string }[];
    const error = {
      code: 'CALL_LOG_NOTE_TOO_LATE',
      message: 'Notes are accepted until 300 s after the call',
      hint: 'Edit the Task in Salesforce instead.',
    };
    // Act: the bridge says it is too late: the result, then the error frame for old clients
    FakeWebSocket.last.receive({
      v: 1,
      type: 'call.note.result',
      requestId: note?.requestId,
      ok: false,
      error,
    });
    await flushPromises();
    FakeWebSocket.last.receive({ v: 1, type: 'error', ...error, requestId: note?.requestId });
    await flushPromises();
    // Assert: the error, once, not "Saved"
    expect(text(element, '[data-id="notes-status"]')).toBe(
      "Not saved: Notes can no longer be added to this call here. Add them to the call's Task in Salesforce.",
    );
    // Act: the grace period runs out
    jest.advanceTimersByTime(5 * 60_000);
    await flushPromises();
    // Assert: the notes form is gone
    expect($(element, '[data-id="notes"]')).toBeNull();
  });

  it('still shows a note refused by a bridge older than call.note.result', async () => {
    // Arrange: an ended call, a note sent
    jest.useFakeTimers({ now: new Date('2024-05-01T10:02:00.000Z') });
    const element = await connect({ ...PREFERENCES, openSingleMatch: false });
    await sendCall({ state: 'connected', answeredAt: '2024-05-01T10:00:05.000Z' });
    await sendCall({ state: 'ended', endedAt: '2024-05-01T10:01:00.000Z', endReason: 'completed' });
    const notes = $(element, '[data-id="notes-text"]') as HTMLTextAreaElement;
    notes.value = 'Left a message';
    notes.dispatchEvent(new CustomEvent('change'));
    await flushPromises();
    ($(element, '[data-id="notes-save"]') as HTMLElement).click();
    await flushPromises();
    const [note] = sentOf('call.note') as { requestId: string }[];
    // Act: only an error frame
    FakeWebSocket.last.receive({
      v: 1,
      type: 'error',
      code: 'CALL_NOT_FOUND',
      message: 'No such call.',
      requestId: note?.requestId,
    });
    await flushPromises();
    // Assert
    expect(text(element, '[data-id="notes-status"]')).toBe(
      'Not saved: This call is no longer known to the phone system. It may have ended a while ago, or it rang on another extension.',
    );
  });

  it("offers notes for the bridge's grace period, and not at all when it logs no calls", async () => {
    // Arrange: a bridge that takes notes for 2 minutes after hang-up
    jest.useFakeTimers({ now: new Date('2024-05-01T10:02:00.000Z') });
    const ready = { ...READY, settings: { noteGraceSeconds: 120, logCalls: true } };
    const element = await connect({ ...PREFERENCES, openSingleMatch: false }, ready);
    await sendCall({ state: 'connected', answeredAt: '2024-05-01T10:00:05.000Z' });
    await sendCall({ state: 'ended', endedAt: '2024-05-01T10:01:00.000Z', endReason: 'completed' });
    expect($(element, '[data-id="notes"]')).not.toBeNull();
    // Act: 61 s later the 2 minutes are over (the old fixed 5 minutes were not)
    jest.advanceTimersByTime(61_000);
    await flushPromises();
    // Assert
    expect($(element, '[data-id="notes"]')).toBeNull();

    // Act: after a reconnect, the bridge says it logs no calls; a call is connected
    FakeWebSocket.last.receive({ ...READY, settings: { noteGraceSeconds: 120, logCalls: false } });
    await flushPromises();
    await sendCall({ id: 'call-3', state: 'connected', answeredAt: '2024-05-01T10:03:00.000Z' });
    // Assert: no notes form for it
    expect(text(element, '[data-id="number"]')).toBe('(415) 555-1212');
    expect($(element, '[data-id="notes"]')).toBeNull();
  });

  it('shows the log status; Logged opens the Task', async () => {
    // Arrange
    const element = await connect({ ...PREFERENCES, openSingleMatch: false });
    const ended = { state: 'ended', endedAt: new Date().toISOString(), endReason: 'completed' };
    await sendCall({ state: 'connected', answeredAt: new Date().toISOString() });
    // Act + Assert: pending
    await sendCall({ ...ended, log: { state: 'pending' } });
    expect(text(element, '[data-id="log-status"]')).toBe('Logging…');
    // Act + Assert: parked, with Salesforce's reason
    await sendCall({
      ...ended,
      log: {
        state: 'parked',
        error: { code: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', message: 'Subject is required' },
      },
    });
    expect(text(element, '[data-id="log-status"]')).toBe('Not logged: Subject is required');
    expect(text(element, '[data-id="recent-log"]')).toBe('Not logged: Subject is required');
    // Act + Assert: skipped shows nothing, and no notes form
    await sendCall({ ...ended, log: { state: 'skipped' } });
    expect($(element, '[data-id="log-status"]')).toBeNull();
    expect($(element, '[data-id="notes"]')).toBeNull();
    // Act: logged
    await sendCall({ ...ended, log: { state: 'logged', taskId: '00THs00000TSK01' } });
    ($(element, '[data-id="log-task"]') as HTMLElement).click();
    // Assert: the Task opens
    expect(text(element, '[data-id="log-status"]')).toBe('Logged: open the Task');
    expect(text(element, '[data-id="recent-log"]')).toBe('Logged: open the Task');
    expect(mockNavigate).toHaveBeenCalledWith({
      type: 'standard__recordPage',
      attributes: { recordId: '00THs00000TSK01', actionName: 'view' },
    });
  });

  it('keeps the ended call on screen when an older call is logged late', async () => {
    // Arrange: call-2 ended and is on screen
    const element = await connect({ ...PREFERENCES, openSingleMatch: false });
    const ended = { state: 'ended', endedAt: new Date().toISOString(), endReason: 'completed' };
    const other = {
      id: 'call-2',
      number: '6505550100',
      e164: '+16505550100',
      display: '(650) 555-0100',
    };
    await sendCall({ ...other, state: 'connected', answeredAt: new Date().toISOString() });
    await sendCall({ ...ended, ...other });
    // Act: the log status of call-1, which ended before this page connected
    await sendCall({ ...ended, log: { state: 'logged', taskId: '00THs00000TSK01' } });
    // Assert: call-2 stays; call-1 is listed under recent calls with its status
    expect(text(element, '[data-id="number"]')).toBe('(650) 555-0100');
    expect(text(element, '[data-id="recent"]')).toContain('Logged');
  });

  it('sets presence from the header, shows a change from the phone, and a refusal in the rep’s words', async () => {
    // Arrange: a bridge that offers presence; the presence of 201 follows ready
    const presence = { state: 'available', queuePaused: false, changedBy: 'pbx' };
    const element = await connect(PREFERENCES, {
      ...READY,
      presence: { states: ['available', 'dnd', 'away'], queuePause: true, pauseReasons: ['Lunch'] },
    });
    FakeWebSocket.last.receive({ v: 1, type: 'presence', extension: '201', presence });
    await flushPromises();
    const picker = $(element, '[data-id="presence-state"]') as HTMLSelectElement;
    // Act: the rep picks Do not disturb
    picker.value = 'dnd';
    picker.dispatchEvent(new CustomEvent('change'));
    await flushPromises();
    // Assert: one presence.set, the picker waits for the answer
    const [set] = sentOf('presence.set') as { requestId: string; state: string }[];
    expect(set).toMatchObject({ state: 'dnd' });
    expect(picker.disabled).toBe(true);
    FakeWebSocket.last.receive({
      v: 1,
      type: 'presence.result',
      requestId: set?.requestId,
      ok: true,
      presence: { ...presence, state: 'dnd', changedBy: 'rep' },
    });
    await flushPromises();
    expect(picker.disabled).toBe(false);
    expect(picker.value).toBe('dnd');
    // Act: the rep sets Away on the desk phone
    FakeWebSocket.last.receive({
      v: 1,
      type: 'presence',
      extension: '201',
      presence: { ...presence, state: 'away', changedAt: '2024-05-01T10:00:00.000Z' },
    });
    await flushPromises();
    expect(picker.value).toBe('away');
    expect(text(element, '[data-id="presence-note"]')).toMatch(/^Changed on your phone/);
    // Act: a queue pause the PBX refuses
    ($(element, '[data-id="queue-pause"]') as HTMLElement).click();
    await flushPromises();
    const [, pause] = sentOf('presence.set') as { requestId: string }[];
    expect(pause).toMatchObject({ queuePaused: true });
    FakeWebSocket.last.receive({
      v: 1,
      type: 'presence.result',
      requestId: pause?.requestId,
      ok: false,
      error: { code: 'PRESENCE_NOT_SUPPORTED', message: 'Queue pause is not offered' },
    });
    await flushPromises();
    expect(text(element, '[data-id="presence-error"]')).toBe(
      'Your status was not changed: Your phone system does not offer this here.',
    );
  });

  it('shows no presence control to a bridge that offers none', async () => {
    const element = await connect();
    expect($(element, '[data-id="presence"]')).toBeNull();
  });
});
