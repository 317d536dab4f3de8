// Issue 15's call controls in the real utility, in chromium, against the demo's simulator PBX:
// hang up, hold and resume (from the keyboard), blind transfer to a colleague picked by name,
// attended transfer completed and cancelled, and a transfer the bridge refuses — what Ana's and
// Ben's screens show, and the one Task per leg the org gets.
import type { Page } from 'playwright-core';
import type { RunningBridge } from '../../bridge/src/bridge';
import {
  launchBrowser,
  openHarness,
  pageProblems,
  screenshot,
  startHarnessBridge,
  until,
  type Browser,
} from './harness-session';

// From bridge/src/demo/sample-org.json.
const PRIYA_MOBILE = '(415) 555-0178';
const BEN = 'ben.okafor@acme.example';

describe('call controls in the browser', () => {
  let bridge: RunningBridge;
  let browser: Browser;
  const pages: Page[] = [];

  const open = async (as?: string) => {
    const page = await openHarness(browser, bridge, as);
    pages.push(page);
    return page;
  };

  /** Priya calls Ana, who has answered; resolves with the PBX call id. */
  const answeredCall = async (ana: Page): Promise<string> => {
    const id = bridge.simulator!.triggerCall({
      extension: '201',
      number: PRIYA_MOBILE,
      answerAfterMs: 0,
      hangupAfterMs: null,
    });
    await ana.locator('c-switchboard-caller-card').getByText('Priya Raman').waitFor();
    await ana
      .locator('[data-id="state"]')
      .getByText(/^Connected/)
      .waitFor();
    return id;
  };

  const button = (page: Page, name: string) => page.getByRole('button', { name, exact: true });
  const status = (page: Page) => page.locator('[data-id="control-status"]');
  const tasksOf = (legId: string) =>
    bridge.emulatedOrg!.records('Task').filter((t) => t.CallObject === legId);

  async function transferForm(page: Page, kind: string, value: string): Promise<void> {
    await button(page, 'Transfer').click();
    const form = page.locator('[data-id="transfer-form"]');
    await form.locator('.slds-radio__label', { hasText: kind }).click(); // "Transfer to" choices
    const field = kind === 'Colleague by name' ? "Colleague's name" : kind;
    await form.getByRole('textbox', { name: field, exact: true }).fill(value);
  }

  beforeAll(async () => {
    browser = await launchBrowser();
    bridge = await startHarnessBridge();
  });

  afterAll(async () => {
    await bridge.stop();
    await browser.close();
  });

  afterEach(async () => {
    for (const call of bridge.calls.activeCallsForExtensions(['201', '202', '203']))
      bridge.simulator?.hangup(call.id.slice(0, call.id.lastIndexOf(':')));
    for (const page of pages.splice(0)) {
      expect(pageProblems(page)).toEqual([]);
      await page.close();
    }
  });

  it('hangs up, and holds and resumes from the keyboard', async () => {
    const ana = await open();
    const id = await answeredCall(ana);
    await screenshot(ana, '40-controls-connected');

    await button(ana, 'Hold').focus();
    await ana.keyboard.press('Enter');
    await ana.locator('[data-id="held"]').getByText('On hold').waitFor();
    await status(ana).getByText('Hold: done.').waitFor();
    await screenshot(ana, '41-controls-on-hold');
    await button(ana, 'Resume').focus();
    await ana.keyboard.press('Enter');
    await status(ana).getByText('Resume: done.').waitFor();
    expect(await ana.locator('[data-id="held"]').count()).toBe(0);

    await button(ana, 'Hang up').click();
    await ana
      .locator('[data-id="state"]')
      .getByText(/^Ended/)
      .waitFor();
    await status(ana).getByText('Hang up: done.').waitFor();
    await until(() => tasksOf(`${id}:201`).length === 1);
  });

  it('transfers at once to a colleague picked by name: Ben’s utility pops Priya', async () => {
    const ana = await open();
    const ben = await open(BEN);
    const id = await answeredCall(ana);

    await transferForm(ana, 'Colleague by name', 'oka');
    // Found as Ana typed; her pick is the one named.
    await ana.locator('.slds-radio__label', { hasText: 'Ben Okafor (202)' }).click();
    expect(await ana.getByRole('radio', { name: 'Ben Okafor (202)' }).isChecked()).toBe(true);
    await screenshot(ana, '42-transfer-form');
    await button(ana, 'Transfer now').click();

    await ana
      .locator('[data-id="state"]')
      .getByText(/^Ended/)
      .waitFor();
    await ben.locator('c-switchboard-caller-card').getByText('Priya Raman').waitFor();
    await ben
      .locator('[data-id="state"]')
      .getByText(/^Connected/)
      .waitFor();
    await screenshot(ben, '43-transferred-to-ben');
    bridge.simulator!.hangup(id);
    await until(() => tasksOf(`${id}:201`).length === 1 && tasksOf(`${id}:202`).length === 1);
  });

  it('consults Ben first, then hands Priya over; and goes back to the caller another time', async () => {
    const ana = await open();
    const ben = await open(BEN);
    const id = await answeredCall(ana);

    await transferForm(ana, 'Extension', '202');
    await button(ana, 'Consult first').click();
    await ana.getByText('Consulting 202; the caller is waiting.').waitFor();
    await ben
      .locator('[data-id="state"]')
      .getByText(/^Connected/)
      .waitFor();
    await screenshot(ana, '44-consulting');
    await button(ana, 'Hand over the caller').click();
    await ana
      .locator('[data-id="state"]')
      .getByText(/^Ended/)
      .waitFor();
    await ben.locator('c-switchboard-caller-card').getByText('Priya Raman').waitFor();
    bridge.simulator!.hangup(id);
    await until(() => tasksOf(`${id}:201`).length === 1 && tasksOf(`${id}:202`).length === 1);

    const second = await answeredCall(ana);
    await transferForm(ana, 'Extension', '202');
    await button(ana, 'Consult first').click();
    await ana.getByText('Consulting 202; the caller is waiting.').waitFor();
    await button(ana, 'Back to the caller').click();
    await status(ana).getByText('Back to the caller: done.').waitFor();
    expect(await ana.getByText('Consulting 202; the caller is waiting.').count()).toBe(0);
    expect(bridge.calls.get(`${second}:201`)?.state).toBe('connected');
    expect(bridge.calls.get(`${second}:202`)?.state).toBe('ended');
  });

  it('tells the rep plainly when a transfer is refused: a premium-rate number', async () => {
    const ana = await open();
    const id = await answeredCall(ana);
    await transferForm(ana, 'Phone number', '+1 900 555 0100');
    await button(ana, 'Transfer now').click();
    const refused = status(ana).getByText(
      'Transfer now: not done. Calls to this number are not allowed.',
      { exact: false },
    );
    await refused.waitFor();
    expect(await status(ana).getAttribute('role')).toBe('alert');
    await screenshot(ana, '45-transfer-refused');
    expect(bridge.calls.get(`${id}:201`)?.state).toBe('connected');
  });
});
