// c-switchboard-log-status: Logged (opens the Task), Logging…, Not logged: <why>, or nothing;
// under the call on screen and, compact, in the recent calls.
import SwitchboardLogStatus from 'c/switchboardLogStatus';
import { cleanUp, find, flushPromises, mount, textOf } from 'test/lwc-test-utils';
import LOGGED from './data/callLogLogged.json';
import PARKED from './data/callLogParked.json';

const render = (log: object | undefined, compact = false) =>
  mount('c-switchboard-log-status', SwitchboardLogStatus, { log, compact });

describe('c-switchboard-log-status', () => {
  afterEach(cleanUp);

  it('links a logged call to its Task', () => {
    // Arrange
    const element = render(LOGGED);
    const opened = jest.fn();
    element.addEventListener('openrecord', (event) => opened((event as CustomEvent).detail));
    // Act
    find(element, '[data-id="log-task"]')?.click();
    // Assert
    expect(textOf(element, '[data-id="log-status"]')).toBe('Logged: open the Task');
    expect(opened).toHaveBeenCalledWith({ recordId: '00THs00000TSK01' });
  });

  it("says Logging… and Not logged with Salesforce's reason", async () => {
    const element = render({ state: 'pending' });
    expect(textOf(element, '[data-id="log-status"]')).toBe('Logging…');
    Object.assign(element, { log: PARKED });
    await flushPromises();
    expect(textOf(element, '[data-id="log-status"]')).toBe('Not logged: Subject is required');
    expect(find(element, '[data-id="log-status"] .slds-text-color_error')).not.toBeNull();
  });

  it.each([[{ state: 'skipped' }], [{ state: 'disabled' }], [undefined]])(
    'shows nothing for calls that are not logged (%p)',
    (log) => {
      const element = render(log);
      expect(find(element, 'p')).toBeNull();
    },
  );

  it('in the recent calls: the same words, no icon', () => {
    const element = render(LOGGED, true);
    expect(textOf(element, '[data-id="recent-log"]')).toBe('Logged: open the Task');
    expect(find(element, 'lightning-icon')).toBeNull();
  });

  it('is accessible', async () => {
    const element = render(LOGGED);
    await flushPromises();
    await expect(element).toBeAccessible();
  });
});
