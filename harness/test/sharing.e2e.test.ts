// A rep sees only what the rep may see, in the browser: with Leads private, Ana (extension
// 201) may see the Contact Priya Raman but not Ben's Lead Mia Thompson, who share a number.
// The bridge finds both (it reads as the integration user); the utility shows Mia's card
// without her name, and her name appears nowhere — not on the card, not in the utility bar's
// label, not in the screen reader's announcement — even when Ana says Mia is the caller.
import type { RunningBridge } from '../../bridge/src/bridge';
import * as harness from './harness-session';
import type { Browser } from './harness-session';

// From bridge/src/demo/sample-org.json: Priya (Contact) and Mia (Lead, owned by Ben Okafor).
const SHARED_NUMBER = '415-555-0134';

describe('the rep sees only what the rep may see', () => {
  let bridge: RunningBridge;
  let browser: Browser;

  beforeAll(async () => {
    bridge = await harness.startHarnessBridge(0, {
      seedExtras: { Organization: [{ DefaultLeadAccess: 'None' }] },
    });
    browser = await harness.launchBrowser();
  });

  afterAll(async () => {
    await browser.close();
    await bridge.stop();
  });

  it('shows a match the rep may not see without its name, anywhere', async () => {
    const page = await harness.openHarness(browser, bridge);
    // The record the rep may not see is an error from (the stand-in for) LDS, as expected.
    const refused = harness.tolerateProblems(page, [
      /404 \(Not Found\).*\/demo\/records\/00QHs00000LEA02/,
    ]);
    const call = bridge.simulator!.triggerCall({
      extension: '201',
      number: SHARED_NUMBER,
      answerAfterMs: null,
      hangupAfterMs: null,
    });
    try {
      // Two cards: Priya by name, the Lead without one
      const cards = page.locator('c-switchboard-caller-card');
      await page.locator('[data-id="matches-heading"]').getByText('2 records').waitFor();
      await cards.filter({ hasText: 'Priya Raman' }).waitFor();
      const hidden = cards.filter({ hasText: "Lead you don't have access to" });
      await hidden.waitFor();
      await harness.screenshot(page, '20-match-the-rep-may-not-see');

      // Ana says the hidden Lead is the caller: still no name
      await hidden.getByRole('button', { name: 'This is the caller' }).click();
      await hidden.getByText('Linked').waitFor();

      const everything = await page.locator('body').innerText();
      expect(everything).not.toContain('Mia');
      expect(everything).not.toContain('Thompson');
      const label = await page.locator('[data-id="utility-label"]').innerText();
      const announced = await page.locator('[data-id="announcer"]').innerText();
      for (const text of [label, announced]) expect(text).not.toMatch(/Mia|Thompson/);
      expect(announced).toContain('(415) 555-0134');
      // The utility bar heard every label the component set: none named her.
      const labels = await page.evaluate(() =>
        (
          globalThis as unknown as {
            __switchboard: { utility: { values?: { label?: string } }[] };
          }
        ).__switchboard.utility.map((u) => u.values?.label ?? ''),
      );
      expect(labels.filter((l) => l !== '').length).toBeGreaterThan(0);
      expect(labels.join(' ')).not.toMatch(/Mia|Thompson/);
      expect(harness.pageProblems(page)).toEqual([]);
      expect(refused().length).toBeGreaterThan(0);
    } finally {
      bridge.simulator?.hangup(call);
      await page.close();
    }
  });
});
