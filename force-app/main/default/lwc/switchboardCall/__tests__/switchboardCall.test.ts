// c-switchboard-call: one call on screen — direction, number, state and timer, the lookup
// (caller cards, several matches, create for unknown numbers), log status and notes — and
// every action of the rep going up as an event that names the call.
import SwitchboardCall from 'c/switchboardCall';
import { cleanUp, find, findAll, flushPromises, listen, mount, textOf } from 'test/lwc-test-utils';
import FROM_CONTACT from './data/callFromContact.json';
import SHARED_NUMBER from './data/callSharedNumber.json';

const MATCH_FIELDS = { Contact: ['Title', 'Account.Name'], Lead: ['Company'], Account: [] };

const render = (call: object, props: object = {}) =>
  mount('c-switchboard-call', SwitchboardCall, {
    call,
    matchFields: MATCH_FIELDS,
    ...props,
  });

type Card = HTMLElement & { match: { id: string }; fields: string[]; pickable: boolean };

describe('c-switchboard-call', () => {
  afterEach(cleanUp);

  it('shows an incoming call with its caller card and the admin fields for the object', () => {
    // Arrange + Act
    const element = render(FROM_CONTACT);
    // Assert: direction, the number as a rep reads it, the state
    expect(textOf(element, '.slds-text-title_caps')).toBe('Incoming call');
    expect(textOf(element, '[data-id="number"]')).toBe('(415) 555-1212');
    expect(textOf(element, '[data-id="state"]')).toBe('Ringing');
    expect(textOf(element, '[data-id="matches-heading"]')).toBe('Caller');
    // Assert: one card, with the Contact fields, not pickable
    const [card] = findAll<Card>(element, 'c-switchboard-caller-card');
    expect(card?.match.id).toBe('003Hs00000CON05');
    expect(card?.fields).toEqual(['Title', 'Account.Name']);
    expect(card?.pickable).toBe(false);
    expect(find(element, '[data-id="unknown"]')).toBeNull();
  });

  it('runs the timer from the answer and names how the call ended', async () => {
    // Arrange: answered 30 s before "now"
    const answered = { ...FROM_CONTACT, state: 'connected', answeredAt: '2024-05-01T10:00:05Z' };
    const element = render(answered, { now: Date.parse('2024-05-01T10:00:35Z') });
    // Assert
    expect(textOf(element, '[data-id="state"]')).toBe('Connected 0:30');
    // Act: a second later; then the call ends
    Object.assign(element, { now: Date.parse('2024-05-01T10:00:36Z') });
    await flushPromises();
    expect(textOf(element, '[data-id="state"]')).toBe('Connected 0:31');
    Object.assign(element, { call: { ...answered, state: 'ended', endReason: 'completed' } });
    await flushPromises();
    // Assert
    expect(textOf(element, '[data-id="state"]')).toBe('Ended · Completed');
  });

  it('asks who is calling among several matches; the pick goes up with the call', () => {
    // Arrange
    const element = render(SHARED_NUMBER);
    const heard = listen(element, 'pick', 'openrecord');
    // Assert: the question, two pickable cards with the fields of their object
    expect(textOf(element, '[data-id="matches-heading"]')).toBe(
      '2 records have this number — who is calling?',
    );
    const cards = findAll<Card>(element, 'c-switchboard-caller-card');
    expect(cards.map((card) => [card.pickable, card.fields])).toEqual([
      [true, ['Title', 'Account.Name']],
      [true, ['Company']],
    ]);
    // Act: the rep says it is Mia, then opens Priya
    cards[1]?.dispatchEvent(new CustomEvent('pick', { detail: { recordId: '00QHs00000LEA02' } }));
    cards[0]?.dispatchEvent(new CustomEvent('open', { detail: { recordId: '003Hs00000CON04' } }));
    // Assert
    expect(heard).toEqual([
      { pick: { callId: 'call-2', recordId: '00QHs00000LEA02' } },
      { openrecord: { callId: 'call-2', recordId: '003Hs00000CON04' } },
    ]);
  });

  it('asks whom the rep is calling on an outgoing call', () => {
    const element = render({ ...SHARED_NUMBER, direction: 'outbound', state: 'dialing' });
    expect(textOf(element, '.slds-text-title_caps')).toBe('Outgoing call');
    expect(textOf(element, '[data-id="state"]')).toBe('Dialing');
    expect(textOf(element, '[data-id="matches-heading"]')).toBe(
      '2 records have this number — who are you calling?',
    );
  });

  it('says when the lookup is running or failed', async () => {
    const element = render({ ...FROM_CONTACT, lookup: 'pending', matches: [] });
    expect(textOf(element, '[data-id="lookup-pending"]')).toBe('Looking up the caller…');
    Object.assign(element, { call: { ...FROM_CONTACT, lookup: 'failed', matches: [] } });
    await flushPromises();
    expect(textOf(element, '[data-id="lookup-failed"]')).toBe(
      'Salesforce could not be searched for this number.',
    );
    // Neither is an unknown number: nothing to create yet
    expect(find(element, '[data-id="unknown"]')).toBeNull();
  });

  it('offers Create Contact and Create Lead for an unknown number', () => {
    // Arrange
    const unknown = {
      ...FROM_CONTACT,
      e164: '+16505550100',
      display: '(650) 555-0100',
      number: '6505550100',
      matches: [],
    };
    const element = render(unknown);
    const heard = listen(element, 'create');
    // Assert
    expect(textOf(element, '[data-id="unknown"]')).toContain(
      'No Contact, Lead or Account has this number.',
    );
    const buttons = findAll<HTMLElement & { label: string; title: string }>(
      element,
      '[data-id="unknown"] lightning-button',
    );
    expect(buttons.map((b) => [b.label, b.title])).toEqual([
      ['Create Contact', 'Create Contact with (650) 555-0100'],
      ['Create Lead', 'Create Lead with (650) 555-0100'],
    ]);
    // Act
    buttons[1]?.click();
    // Assert
    expect(heard).toEqual([{ create: { callId: 'call-1', objectApiName: 'Lead' } }]);
  });

  it('shows the notes only while they are taken, and relays edits, saves and the Task', async () => {
    // Arrange: an ended, logged call whose notes are still taken
    const ended = {
      ...FROM_CONTACT,
      state: 'ended',
      endReason: 'completed',
      log: { state: 'logged', taskId: '00THs00000TSK01' },
    };
    const element = render(ended, { notesOpen: true });
    const heard = listen(element, 'draftchange', 'savenotes', 'openrecord');
    const notes = find(element, 'c-switchboard-call-notes')!;
    // Act: an edit, a save, the Logged link
    notes.dispatchEvent(new CustomEvent('draftchange', { detail: { notes: 'Call back' } }));
    notes.dispatchEvent(new CustomEvent('save'));
    find(element, '[data-id="log-task"]')?.click();
    // Assert
    expect(heard).toEqual([
      { draftchange: { callId: 'call-1', notes: 'Call back' } },
      { savenotes: { callId: 'call-1' } },
      { openrecord: { callId: 'call-1', recordId: '00THs00000TSK01' } },
    ]);
    // Act: the grace period is over
    Object.assign(element, { notesOpen: false });
    await flushPromises();
    // Assert
    expect(find(element, 'c-switchboard-call-notes')).toBeNull();
  });

  it('is accessible', async () => {
    const element = render({ ...FROM_CONTACT, matches: [] });
    await flushPromises();
    await expect(element).toBeAccessible();
  });
});
