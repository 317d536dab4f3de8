// The real Switchboard utility in chromium against a real bridge: screen pops for known,
// shared and unknown numbers, and reconnecting after the bridge restarts.
import type { Page } from 'playwright-core';
import type { RunningBridge } from '../../bridge/src/bridge';
import {
  bridgeDownErrors,
  launchBrowser,
  navigations,
  openHarness,
  pageProblems,
  screenshot,
  startHarnessBridge,
  tolerateProblems,
  type Browser,
} from './harness-session';

// From bridge/src/demo/sample-org.json.
const PRIYA_MOBILE = '(415) 555-0178'; // Contact Priya Raman only
const SHARED_NUMBER = '415-555-0134'; // Contact Priya Raman and Lead Mia Thompson
const UNKNOWN_NUMBER = '+1 650 555 0100';
const PRIYA_ID = '003Hs00000CON04';
const MIA_ID = '00QHs00000LEA02';

/** The org may answer with the 18-character form of a 15-character seed id. */
const sameId = (id15: string) => new RegExp(`^${id15}(\\w{3})?$`);
const opensRecord = (id15: string) => new RegExp(`Navigated to record ${id15}(\\w{3})? \\(view\\)`);

describe('switchboard utility in the browser', () => {
  let bridge: RunningBridge;
  let browser: Browser;
  let page: Page;
  /** The page of the current test, if beforeEach got that far. */
  let opened: Page | undefined;
  const activeCalls: string[] = [];

  const ring = (number: string): string => {
    const id = bridge.simulator!.triggerCall({
      extension: '201',
      number,
      answerAfterMs: null,
      hangupAfterMs: null,
    });
    activeCalls.push(id);
    return id;
  };

  beforeAll(async () => {
    bridge = await startHarnessBridge();
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser.close();
    await bridge.stop();
  });

  beforeEach(async () => {
    opened = undefined;
    page = await openHarness(browser, bridge);
    opened = page;
  });

  afterEach(async () => {
    for (const id of activeCalls.splice(0)) bridge.simulator?.hangup(id);
    bridge.simulator?.setLinkUp(true);
    if (opened === undefined) return;
    expect(pageProblems(opened)).toEqual([]);
    await opened.close();
  });

  it('shows who is connected, then pops a known caller with the admin fields', async () => {
    // Connected state, plainly
    await screenshot(page, '01-connected-idle');
    await expect(page.locator('[data-id="status-connected"] p').innerText()).resolves.toBe(
      'Connected as ana.lopez@acme.example on extension 201',
    );
    await screenshot(page, '01-connected-idle');

    // Act: Priya Raman's mobile rings extension 201
    ring(PRIYA_MOBILE);

    // Assert: direction, human number, the caller card with LDS fields
    const card = page.locator('c-switchboard-caller-card');
    await card.locator('.switchboard-card__name').getByText('Priya Raman').waitFor();
    await expect(page.locator('[data-id="number"]').innerText()).resolves.toBe('(415) 555-0178');
    await expect(page.locator('[data-call-id] .slds-text-title_caps').innerText()).resolves.toMatch(
      /incoming call/i,
    );
    await card.getByText('Golden Gate Analytics Inc.').first().waitFor();
    await card.locator('dd').first().waitFor();
    await expect(page.locator('[data-id="matches-heading"]').innerText()).resolves.toBe('Caller');
    // Assert: one match + the default preference → the record opened, once
    await page.getByText(opensRecord(PRIYA_ID)).waitFor();
    const opened = await navigations(page);
    expect(opened).toHaveLength(1);
    expect(opened[0]?.pageReference.attributes.recordId).toMatch(sameId(PRIYA_ID));
    // Assert: the utility was highlighted and the announcement names the caller
    await expect(page.locator('[data-id="utility-label"]').innerText()).resolves.toBe(
      'Ringing: Priya Raman, Golden Gate Analytics Inc.',
    );
    await expect(page.locator('[data-id="announcer"]').innerText()).resolves.toBe(
      'Incoming call from Priya Raman, Golden Gate Analytics Inc.',
    );
    await screenshot(page, '02-ringing-known-caller');
  });

  it('lists two records for a shared number; the pick is opened', async () => {
    // Act
    ring(SHARED_NUMBER);
    const cards = page.locator('c-switchboard-caller-card');
    await page.locator('[data-id="matches-heading"]').getByText('2 records').waitFor();
    await expect(cards.count()).resolves.toBe(2);
    await cards.filter({ hasText: 'Mia Thompson' }).locator('dd').first().waitFor();
    // Assert: field labels as the org has them (getObjectInfo), not the API names
    await cards
      .filter({ hasText: 'Mia Thompson' })
      .locator('dt')
      .getByText('Lead Status', { exact: true })
      .waitFor();
    // Assert: nothing opened on its own
    expect(await navigations(page)).toEqual([]);
    await screenshot(page, '03-two-matches');

    // Act: the rep says Mia Thompson is calling
    await cards
      .filter({ hasText: 'Mia Thompson' })
      .getByRole('button', { name: 'This is the caller' })
      .click();

    // Assert: navigated to the Lead and it is marked as linked
    await page.getByText(opensRecord(MIA_ID)).waitFor();
    const opened = await navigations(page);
    expect(opened).toHaveLength(1);
    expect(opened[0]?.pageReference.attributes.recordId).toMatch(sameId(MIA_ID));
    await cards.filter({ hasText: 'Mia Thompson' }).getByText('Linked').waitFor();
    await screenshot(page, '04-picked-match');
  });

  it('offers to create a Contact with the unknown number filled in', async () => {
    // Act
    ring(UNKNOWN_NUMBER);
    await page.locator('[data-id="unknown"]').waitFor();
    await expect(page.locator('[data-id="number"]').innerText()).resolves.toBe('(650) 555-0100');
    await screenshot(page, '05-unknown-caller');
    await page.getByRole('button', { name: 'Create Contact' }).click();

    // Assert: the new-record page with the phone as a default field value
    await page.getByText('Navigated to new Contact with Phone=+16505550100').waitFor();
    const [created] = await navigations(page);
    expect(created?.pageReference).toEqual({
      type: 'standard__objectPage',
      attributes: { objectApiName: 'Contact', actionName: 'new' },
      state: { defaultFieldValues: 'Phone=%2B16505550100' },
    });
    await screenshot(page, '06-create-contact');
  });

  it('runs the call timer once answered and lists the ended call as recent', async () => {
    // Act: a known caller rings and the rep answers
    const id = ring(PRIYA_MOBILE);
    await page.locator('c-switchboard-caller-card').getByText('Priya Raman').waitFor();
    bridge.simulator!.answer(id);
    // Assert: the running timer
    await page
      .locator('[data-id="state"]')
      .getByText(/^Connected 0:0[1-9]$/)
      .waitFor();
    // Assert: the utility bar no longer says it is ringing
    await expect(page.locator('[data-id="utility-label"]').innerText()).resolves.toBe(
      'On call: Priya Raman, Golden Gate Analytics Inc.',
    );
    await screenshot(page, '09-connected-timer');
    // Act: hang up
    bridge.simulator!.hangup(id);
    // Assert: ended, and in the recent calls
    await page
      .locator('[data-id="state"]')
      .getByText(/^Ended/)
      .waitFor();
    await page
      .locator('[data-id="recent"]')
      .getByText('Priya Raman, Golden Gate Analytics Inc.', { exact: true })
      .waitFor();
    await screenshot(page, '10-recent-calls');
  });

  it('says "Phone system not connected" while the bridge cannot see the PBX', async () => {
    await page.locator('[data-id="status-connected"]').waitFor();
    // Act: the PBX link drops (the bridge tells its reps with a pbx frame)
    bridge.simulator!.setLinkUp(false);
    // Assert: still connected to Switchboard, and told that the phone system is not
    const pbx = page.locator('[data-id="status-pbx"]');
    await pbx.waitFor();
    await expect(pbx.locator('[data-id="heading"]').innerText()).resolves.toBe(
      'Phone system not connected',
    );
    await expect(pbx.locator('[data-id="detail"]').innerText()).resolves.toBe(
      'Your phone still works. Switchboard reconnects by itself.',
    );
    await expect(page.locator('[data-id="status-connected"] p').innerText()).resolves.toBe(
      'Connected as ana.lopez@acme.example on extension 201',
    );
    await screenshot(page, '09-phone-system-down');
    // Act: the link is back
    bridge.simulator!.setLinkUp(true);
    // Assert: the notice goes away
    await pbx.waitFor({ state: 'detached' });
  });

  it('reconnects after the bridge restarts and shows the active call again', async () => {
    // Arrange: a call in progress, then the bridge goes away
    ring(PRIYA_MOBILE);
    await page.locator('c-switchboard-caller-card').getByText('Priya Raman').waitFor();
    const port = bridge.port;
    activeCalls.splice(0);
    // While the bridge is down the page's reconnect attempts are refused, and the browser
    // says so in the console: expected here, and only here.
    const endRestart = tolerateProblems(page, bridgeDownErrors(bridge));
    await bridge.stop();
    await page.locator('[data-id="status-problem"]').waitFor();
    await expect(
      page.locator('[data-id="status-problem"] [data-id="message"]').innerText(),
    ).resolves.toContain('Cannot reach the bridge');
    await screenshot(page, '07-bridge-down');

    // Act: a new bridge on the same port, where the call is (still) ringing
    bridge = await startHarnessBridge(port);
    ring(SHARED_NUMBER);

    // Assert: reconnected and showing the active call
    await page.locator('[data-id="status-connected"]').waitFor({ timeout: 30_000 });
    endRestart();
    await page.locator('[data-id="matches-heading"]').getByText('2 records').waitFor();
    await expect(page.locator('[data-id="number"]').innerText()).resolves.toBe('(415) 555-0134');
    await screenshot(page, '08-reconnected');
  });
});
