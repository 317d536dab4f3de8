// c-switchboard-presence: the rep's status and queue pause in the utility's header — what the
// bridge offers, the state it reports (also from the phone, said so), and each choice sent up.
import SwitchboardPresence from 'c/switchboardPresence';
import { cleanUp, find, findAll, flushPromises, listen, mount, textOf } from 'test/lwc-test-utils';

const SUPPORT = {
  states: ['available', 'dnd', 'away'],
  queuePause: true,
  pauseReasons: ['Break', 'Lunch'],
};
const AVAILABLE = { state: 'available', queuePaused: false, changedBy: 'pbx' };

const render = (props: object) => mount('c-switchboard-presence', SwitchboardPresence, props);
const select = (element: HTMLElement, id: string) =>
  find<HTMLSelectElement>(element, `[data-id="${id}"]`)!;

function choose(element: HTMLElement, id: string, value: string): void {
  const box = select(element, id);
  box.value = value;
  box.dispatchEvent(new CustomEvent('change'));
}

describe('c-switchboard-presence', () => {
  afterEach(cleanUp);

  it('offers the states the bridge offers, labelled, showing the current one', async () => {
    // Arrange
    const element = render({ support: SUPPORT, presence: { ...AVAILABLE, state: 'dnd' } });
    await flushPromises();
    // Assert
    const options = findAll<HTMLOptionElement>(element, '[data-id="presence-state"] option');
    expect(options.map((o) => [o.value, o.textContent])).toEqual([
      ['available', 'Available'],
      ['dnd', 'Do not disturb'],
      ['away', 'Away'],
    ]);
    expect(select(element, 'presence-state').value).toBe('dnd');
    expect(textOf(element, 'label[for]')).toBe('My status');
  });

  it('shows nothing to choose where the bridge offers no presence', () => {
    const element = render({
      support: { states: [], queuePause: false, pauseReasons: [] },
      presence: AVAILABLE,
    });
    expect(find(element, 'select')).toBeNull();
    expect(find(element, 'button')).toBeNull();
  });

  it('sends the state the rep picks up, and shows the bridge’s state again until it answers', async () => {
    // Arrange
    const element = render({ support: SUPPORT, presence: AVAILABLE });
    const heard = listen(element, 'presencechange');
    // Act
    choose(element, 'presence-state', 'away');
    // Assert
    expect(heard).toEqual([{ presencechange: { state: 'away' } }]);
    // Act: the parent says it is under way, then the bridge refused it
    Object.assign(element, { pending: true });
    await flushPromises();
    expect(select(element, 'presence-state').disabled).toBe(true);
    expect(textOf(element, '[data-id="presence-note"]')).toBe('Saving…');
    Object.assign(element, { pending: false, error: 'Your status was not changed: x' });
    await flushPromises();
    expect(select(element, 'presence-state').value).toBe('available');
    expect(textOf(element, '[data-id="presence-error"]')).toBe('Your status was not changed: x');
  });

  it('pauses queue calls with the reason picked, and resumes them', async () => {
    // Arrange
    const element = render({ support: SUPPORT, presence: AVAILABLE });
    const heard = listen(element, 'presencechange');
    await flushPromises();
    // Act
    choose(element, 'pause-reason', 'Lunch');
    find(element, '[data-id="queue-pause"]')!.click();
    Object.assign(element, {
      presence: { ...AVAILABLE, queuePaused: true, pauseReason: 'Lunch', changedBy: 'rep' },
    });
    await flushPromises();
    // Assert
    expect(textOf(element, '[data-id="queue-paused"]')).toBe('Queue calls paused: Lunch');
    find(element, '[data-id="queue-resume"]')!.click();
    expect(heard).toEqual([
      { presencechange: { queuePaused: true, pauseReason: 'Lunch' } },
      { presencechange: { queuePaused: false } },
    ]);
  });

  it('says when the phone or the phone system changed it', async () => {
    const element = render({
      support: SUPPORT,
      presence: {
        state: 'dnd',
        queuePaused: false,
        changedBy: 'pbx',
        changedAt: '2026-12-01T19:33:08Z',
      },
    });
    await flushPromises();
    expect(textOf(element, '[data-id="presence-note"]')).toMatch(
      /^Changed on your phone or by the phone system at /,
    );
    expect(find(element, '[data-id="presence-note"]')!.getAttribute('aria-live')).toBe('polite');
    // The rep's own change says nothing more.
    Object.assign(element, { presence: { state: 'dnd', queuePaused: false, changedBy: 'rep' } });
    await flushPromises();
    expect(textOf(element, '[data-id="presence-note"]')).toBe('');
  });

  it('waits for the bridge before the rep can choose', () => {
    const element = render({ support: SUPPORT });
    expect(select(element, 'presence-state').disabled).toBe(true);
    expect(find<HTMLButtonElement>(element, '[data-id="queue-pause"]')!.disabled).toBe(true);
  });

  it('is accessible', async () => {
    const element = render({ support: SUPPORT, presence: AVAILABLE });
    await flushPromises();
    await expect(element).toBeAccessible();
    Object.assign(element, { presence: { ...AVAILABLE, queuePaused: true, pauseReason: 'Break' } });
    await flushPromises();
    await expect(element).toBeAccessible();
  });
});
