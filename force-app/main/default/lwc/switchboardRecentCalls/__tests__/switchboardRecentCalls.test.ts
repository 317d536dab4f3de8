// c-switchboard-recent-calls: this session's calls, newest first — who, when, how it ended and
// how long, the log status — with open and call-again buttons that go up as events.
import SwitchboardRecentCalls from 'c/switchboardRecentCalls';
import { cleanUp, find, findAll, flushPromises, listen, mount, textOf } from 'test/lwc-test-utils';
import RECENT from './data/recentCalls.json';

type IconButton = HTMLElement & { alternativeText: string };

const render = (calls: object[]) =>
  mount('c-switchboard-recent-calls', SwitchboardRecentCalls, { calls });

describe('c-switchboard-recent-calls', () => {
  afterEach(cleanUp);

  it('lists who, when, how it ended, how long, and the log status', () => {
    // Arrange + Act
    const element = render(RECENT);
    const rows = findAll(element, '[data-id="recent"] > li');
    // Assert: the linked record names the call; withheld calls say so
    expect(rows.map((row) => textOf(row, 'button, span'))).toEqual([
      'Mia Thompson',
      'Withheld number',
    ]);
    // When it started, in the user's time zone and locale (sfdx-lwc-jest's: America/Los_Angeles,
    // en-US), how it ended, how long it ran
    expect(rows.map((row) => textOf(row, '.slds-text-color_weak'))).toEqual([
      '03:05 AM · Completed · 1:05',
      '03:01 AM · Missed',
    ]);
    expect(textOf(element, '[data-id="recent"]')).toContain('Logged: open the Task');
    expect(textOf(element, '[data-id="recent"]')).toContain('Not logged: Subject is required');
  });

  it('opens the record and the Task, and calls back with the linked record', () => {
    // Arrange
    const element = render(RECENT);
    const heard = listen(element, 'openrecord', 'dial');
    // Act: the name, the Logged link, the call button
    find(element, '[data-record-id="00QHs00000LEA02"]')?.click();
    find(element, 'c-switchboard-log-status')?.dispatchEvent(
      new CustomEvent('openrecord', { detail: { recordId: '00THs00000TSK01' } }),
    );
    const redial = find<IconButton>(element, '[data-id="redial"]')!;
    expect(redial.alternativeText).toBe('Call Mia Thompson again');
    redial.click();
    // Assert
    expect(heard).toEqual([
      { openrecord: { recordId: '00QHs00000LEA02' } },
      { openrecord: { recordId: '00THs00000TSK01' } },
      { dial: { number: '+14155550134', recordId: '00QHs00000LEA02', source: 'recent' } },
    ]);
  });

  it('offers no call-back for a withheld number', () => {
    const element = render(RECENT);
    expect(findAll(element, '[data-id="redial"]')).toHaveLength(1);
  });

  it('is accessible', async () => {
    const element = render(RECENT);
    await flushPromises();
    await expect(element).toBeAccessible();
  });
});
