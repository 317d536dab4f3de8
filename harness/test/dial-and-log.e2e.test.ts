// The real Switchboard utility in chromium against a real bridge: click-to-dial from a record
// page (an LMS message) and from the dial pad, a dial the bridge refuses, and call logging
// (the Task link, notes typed after hang-up landing on the Task).
import type { Page } from 'playwright-core';
import type { RunningBridge } from '../../bridge/src/bridge';
import {
  HARNESS_USERS,
  launchBrowser,
  navigations,
  openHarness,
  pageProblems,
  publishDial,
  screenshot,
  startHarnessBridge,
  until,
  type Browser,
} from './harness-session';

// From bridge/src/demo/sample-org.json.
const PRIYA_ID = '003Hs00000CON04';
const PRIYA_MOBILE = '(415) 555-0178';
const UNKNOWN_NUMBER = '6505550100';
/** Chloe is a user of the org, but this bridge maps no extension to her. */
const CHLOE = 'chloe.martin@acme.example';

const sameId = (id15: string) => new RegExp(`^${id15}(\\w{3})?$`);

describe('click-to-dial and call logging in the browser', () => {
  let bridge: RunningBridge;
  let browser: Browser;
  let opened: Page | undefined;

  /** Ends every call still on the simulator, so one test's call does not show in the next. */
  const hangUpAll = () => {
    for (const call of bridge.calls.activeCallsForExtensions(['201', '202', '203']))
      bridge.simulator?.hangup(call.id.slice(0, call.id.lastIndexOf(':'))); // id = pbxCallId:extension
  };

  beforeAll(async () => {
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser.close();
  });

  // A bridge per test: the simulated outbound calls answer and log on their own timers, and
  // their late call frames must not reach the next test's page.
  beforeEach(async () => {
    bridge = await startHarnessBridge(0, {
      users: HARNESS_USERS.filter((user) => user.email !== CHLOE),
    });
  });

  afterEach(async () => {
    hangUpAll();
    if (opened !== undefined) {
      expect(pageProblems(opened)).toEqual([]);
      await opened.close();
      opened = undefined;
    }
    await bridge.stop();
  });

  it('dials a Contact from the record page and from the dial pad', async () => {
    const page = (opened = await openHarness(browser, bridge));

    // Act: the record page's Call button for Priya Raman's mobile (an LMS message)
    await publishDial(page, {
      number: PRIYA_MOBILE,
      recordId: PRIYA_ID,
      source: 'switchboardDial',
    });

    // Assert: the bridge placed an outbound call on Ana's extension, linked to Priya
    await page
      .locator('[data-id="state"]')
      .getByText(/^(Dialing|Connected)/)
      .waitFor();
    const [placed] = bridge.calls.activeCallsForExtensions(['201']);
    expect(placed).toMatchObject({ direction: 'outbound', e164: '+14155550178' });
    expect(placed?.linkedRecordId).toMatch(sameId(PRIYA_ID));
    // Assert: the pop shows it as an outgoing call to Priya, marked linked, and no auto-open
    await expect(page.locator('[data-call-id] .slds-text-title_caps').innerText()).resolves.toMatch(
      /outgoing call/i,
    );
    await expect(page.locator('[data-id="number"]').innerText()).resolves.toBe('(415) 555-0178');
    const card = page.locator('c-switchboard-caller-card');
    await card.locator('.switchboard-card__name').getByText('Priya Raman').waitFor();
    await expect(page.locator('[data-id="matches-heading"]').innerText()).resolves.toBe('Calling');
    await expect(page.locator('[data-id="utility-label"]').innerText()).resolves.toMatch(
      /^Calling: Priya Raman/,
    );
    expect(await navigations(page)).toEqual([]);
    await screenshot(page, '11-dialed-from-record');
    hangUpAll();
    await page
      .locator('[data-id="state"]')
      .getByText(/^Ended/)
      .waitFor();

    // Act: the rep opens the dial pad and keys in an unknown number, then presses Call
    await page.getByRole('button', { name: 'Dial pad' }).click();
    for (const digit of UNKNOWN_NUMBER)
      await page
        .getByRole('group', { name: 'Dial pad' })
        .getByRole('button', { name: digit, exact: true })
        .click();
    await expect(page.locator('[data-id="dial-number"]').inputValue()).resolves.toBe(
      UNKNOWN_NUMBER,
    );
    await screenshot(page, '12-dial-pad');
    await page.getByRole('button', { name: 'Call', exact: true }).click();

    // Assert: the outbound call to that number pops; the number box is cleared
    await page.locator('[data-id="number"]').getByText('(650) 555-0100').waitFor();
    const [keyed] = bridge.calls.activeCallsForExtensions(['201']);
    expect(keyed).toMatchObject({ direction: 'outbound', e164: '+16505550100' });
    await expect(page.locator('[data-id="dial-number"]').inputValue()).resolves.toBe('');
    await screenshot(page, '13-dialed-from-pad');
  });

  it('tells a rep without an extension why the dial failed', async () => {
    const page = (opened = await openHarness(browser, bridge, CHLOE));
    await page.locator('[data-id="status-connected"]').getByText('with no extension').waitFor();

    // Act: Chloe types a number and presses Enter
    await page.locator('[data-id="dial-number"]').fill(PRIYA_MOBILE);
    await page.locator('[data-id="dial-number"]').press('Enter');

    // Assert: the refusal (DIAL_NO_EXTENSION) and what to do, plainly, in the rep's words
    const error = page.locator('[data-id="dial-error"]');
    await error.waitFor();
    await expect(error.locator('[data-id="message"]').innerText()).resolves.toBe(
      'No phone extension is assigned to you.',
    );
    await expect(error.locator('[data-id="detail"]').innerText()).resolves.toBe(
      'Ask your admin to map your email address to your extension.',
    );
    expect(bridge.calls.activeCallsForExtensions(['203'])).toEqual([]);
    await screenshot(page, '14-dial-no-extension');

    // Act: dismiss
    await error.getByRole('button', { name: 'Dismiss' }).click();
    // Assert
    await error.waitFor({ state: 'detached' });
  });

  it('logs an answered call as a Task and adds the notes typed after hang-up', async () => {
    const page = (opened = await openHarness(browser, bridge));

    // Act: Priya calls, Ana answers, they hang up
    const id = bridge.simulator!.triggerCall({
      extension: '201',
      number: PRIYA_MOBILE,
      answerAfterMs: null,
      hangupAfterMs: null,
    });
    await page.locator('c-switchboard-caller-card').getByText('Priya Raman').waitFor();
    bridge.simulator!.answer(id);
    await page
      .locator('[data-id="state"]')
      .getByText(/^Connected/)
      .waitFor();
    bridge.simulator!.hangup(id);

    // Assert: "Logged", linking to the Task that the org now has
    const logged = page.locator('[data-id="log-status"]').getByRole('button', { name: /Logged/ });
    await logged.waitFor();
    const tasks = () =>
      bridge.emulatedOrg!.records('Task').filter((t) => String(t.CallObject).startsWith(`${id}:`));
    expect(tasks()).toHaveLength(1);
    const taskId = String(tasks()[0]?.Id);
    await page.locator('[data-id="recent-log"]').getByText('Logged').waitFor();
    await screenshot(page, '15-call-logged');

    // Act: notes and a disposition after hang-up, saved
    await page.getByLabel('Call notes').fill('Wants a quote for 40 seats');
    await page.getByLabel('Disposition').selectOption('Interested');
    await page.getByRole('button', { name: 'Save notes' }).click();

    // Assert: "Saved", and the Task carries them

    await page.locator('[data-id="notes-status"]').getByText('Saved').waitFor();
    await until(() => tasks()[0]?.Description === 'Wants a quote for 40 seats');
    expect(tasks()[0]?.CallDisposition).toBe('Interested');
    expect(tasks()).toHaveLength(1);
    await screenshot(page, '16-notes-saved');

    // Act: the Logged link
    await logged.click();
    // Assert: the Task opens
    const toTask = (await navigations(page)).at(-1);
    expect(toTask?.pageReference).toEqual({
      type: 'standard__recordPage',
      attributes: { recordId: taskId, actionName: 'view' },
    });
  });
});
