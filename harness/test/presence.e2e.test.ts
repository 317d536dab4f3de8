// The real Switchboard utility in chromium against a real bridge (simulator PBX): the rep sets
// Do not disturb and pauses the queues from the header, with the keyboard; a change made on the
// desk phone shows in the utility; the German utility says it in German.
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

describe('presence in the browser', () => {
  let bridge: RunningBridge;
  let browser: Browser;
  let opened: Page | undefined;

  beforeAll(async () => {
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser.close();
  });

  beforeEach(async () => {
    bridge = await startHarnessBridge(0);
  });

  afterEach(async () => {
    if (opened !== undefined) {
      expect(pageProblems(opened)).toEqual([]);
      await opened.close();
      opened = undefined;
    }
    await bridge.stop();
  });

  it('sets Do not disturb and pauses the queues from the utility, with the keyboard', async () => {
    const page = (opened = await openHarness(browser, bridge));
    const status = page.getByLabel('My status');
    await status.waitFor();
    expect(await status.inputValue()).toBe('available');
    await screenshot(page, 'presence-available');

    // Act: Tab to the status picker and choose Do not disturb with the keyboard
    for (let i = 0; i < 15 && !(await status.evaluate((el) => el.matches(':focus'))); i += 1)
      await page.keyboard.press('Tab');
    expect(await status.evaluate((el) => el.matches(':focus'))).toBe(true);
    await page.keyboard.press('ArrowDown');
    await until(() => bridge.presence.presenceOf('201').state === 'dnd');
    // The simulator now rings no caller through to Ana
    expect(() =>
      bridge.simulator!.triggerCall({ extension: '201', number: '+14155550100' }),
    ).toThrow(/Do not disturb/);

    // Act: pause the queue calls for lunch
    await page.getByLabel('Pause reason').selectOption('Lunch');
    await page.getByRole('button', { name: 'Pause queue calls' }).click();
    await page.getByText('Queue calls paused: Lunch').waitFor();
    expect(bridge.presence.presenceOf('201')).toMatchObject({
      state: 'dnd',
      queuePaused: true,
      pauseReason: 'Lunch',
    });
    expect(await status.inputValue()).toBe('dnd');
    await screenshot(page, 'presence-dnd-paused');

    // Act: resume
    await page.getByRole('button', { name: 'Resume queue calls' }).click();
    await page.getByRole('button', { name: 'Pause queue calls' }).waitFor();
    expect(bridge.presence.presenceOf('201').queuePaused).toBe(false);
  });

  it('shows a change made on the desk phone, and says so', async () => {
    const page = (opened = await openHarness(browser, bridge));
    const status = page.getByLabel('My status');
    await status.waitFor();

    // Act: Ana presses DND on her desk phone (the demo API)
    const response = await fetch(`${bridge.httpUrl}/demo/presence`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ extension: '201', state: 'away' }),
    });
    expect(response.status).toBe(202);

    // Assert
    await page.getByText(/^Changed on your phone or by the phone system at /).waitFor();
    expect(await status.inputValue()).toBe('away');
    await screenshot(page, 'presence-changed-on-phone');
  });

  it('speaks German to a German rep', async () => {
    const page = (opened = await openHarness(browser, bridge, undefined, { lang: 'de' }));
    await page.getByLabel('Mein Status').waitFor();
    await page.getByRole('button', { name: 'Warteschlangen pausieren' }).waitFor();
    await screenshot(page, 'presence-german');
  });
});
