// The real Switchboard utility in chromium as a German rep sees it (?lang=de: the German
// translation of the Custom Labels, locale de-DE): German words, German numbers and times,
// through a call from the seed org's German customer, answered and hung up.
import type { Page } from 'playwright-core';
import type { RunningBridge } from '../../bridge/src/bridge';
import {
  launchBrowser,
  openHarness,
  pageProblems,
  screenshot,
  startHarnessBridge,
  type Browser,
} from './harness-session';

// From bridge/src/demo/sample-org.json: the Account Neckar Maschinenbau GmbH (AnnualRevenue
// 48000000) and its Contacts share this number.
const NECKAR_NUMBER = '+49 7131 123456';
const BERLIN = 'Europe/Berlin';

describe('the utility of a German rep', () => {
  let bridge: RunningBridge;
  let browser: Browser;
  let page: Page | undefined;

  beforeAll(async () => {
    [bridge, browser] = await Promise.all([startHarnessBridge(), launchBrowser()]);
  });

  afterAll(async () => {
    await Promise.all([browser.close(), bridge.stop()]);
  });

  afterEach(async () => {
    if (page === undefined) return;
    expect(pageProblems(page)).toEqual([]);
    await page.close();
  });

  it('speaks German and writes numbers and times the German way', async () => {
    page = await openHarness(browser, bridge, undefined, { lang: 'de', tz: BERLIN });
    const shown = page;

    // Assert: connected, in German
    await expect(shown.locator('[data-id="status-connected"] p').innerText()).resolves.toBe(
      'Verbunden als ana.lopez@acme.example mit Nebenstelle 201',
    );
    await expect(shown.locator('html').getAttribute('lang')).resolves.toBe('de');
    await shown.getByRole('button', { name: 'Wähltastatur' }).waitFor();

    // Act: the German customer calls Ana
    const id = bridge.simulator!.triggerCall({
      extension: '201',
      number: NECKAR_NUMBER,
      answerAfterMs: null,
      hangupAfterMs: null,
    });

    // Assert: German call panel, and the Account's revenue with German digit grouping
    await expect(
      shown.locator('[data-call-id] .slds-text-title_caps').innerText(),
    ).resolves.toMatch(/eingehender anruf/i);
    await shown.locator('[data-id="state"]').getByText('Klingelt').waitFor();
    const [ringing] = bridge.calls.activeCallsForExtensions(['201']);
    const started = ringing?.startedAt;
    expect(started).toBeDefined();
    const account = shown.locator('c-switchboard-caller-card').filter({
      has: shown.locator('.switchboard-card__name', { hasText: 'Neckar Maschinenbau GmbH' }),
    });
    await account.locator('dt').getByText('Jahresumsatz', { exact: true }).waitFor();
    await account.locator('dd').getByText('48.000.000', { exact: true }).waitFor();
    // The org's object labels in German (getObjectInfo), the rep's button in German
    await shown.getByText('Kontakt · Neckar Maschinenbau GmbH').first().waitFor();
    await shown.getByRole('button', { name: 'Das ist der Anrufer' }).first().waitFor();
    await expect(shown.locator('[data-id="utility-label"]').innerText()).resolves.toMatch(
      /^Klingelt: /,
    );
    await account.scrollIntoViewIfNeeded();
    await screenshot(shown, '20-german-ringing');

    // Act: Ana answers, then hangs up
    bridge.simulator!.answer(id);
    await shown
      .locator('[data-id="state"]')
      .getByText(/^Verbunden \d:\d\d$/)
      .waitFor();
    await expect(shown.locator('[data-id="utility-label"]').innerText()).resolves.toMatch(
      /^Im Gespräch: /,
    );
    bridge.simulator!.hangup(id);

    // Assert: the ended call and its recent-calls row, with the time on a German 24-hour clock
    await shown.locator('[data-id="state"]').getByText('Beendet · Abgeschlossen').waitFor();
    const detail = shown.locator('[data-id="recent"] .slds-text-color_weak').first();
    await detail.waitFor();
    const text = await detail.innerText();
    expect(text).toMatch(/^\d\d:\d\d · Abgeschlossen · \d:\d\d$/);
    expect(text).not.toMatch(/AM|PM/);
    const berlinTime = { hour: '2-digit', minute: '2-digit', timeZone: BERLIN } as const;
    expect(text.slice(0, 5)).toBe(new Date(started ?? '').toLocaleTimeString('de-DE', berlinTime));
    await expect(shown.getByRole('heading', { name: 'Letzte Anrufe' }).count()).resolves.toBe(1);

    // Assert: notes in German; the dispositions read German, the Task gets the stored value
    await shown.getByLabel('Gesprächsnotizen').waitFor();
    await expect(
      shown.getByLabel('Ergebnis').locator('option[value="Call back"]').innerText(),
    ).resolves.toBe('Rückruf');
    await shown.getByRole('button', { name: 'Notizen speichern' }).waitFor();
    await shown.locator('[data-id="log-status"]').getByText('Protokolliert').waitFor();
    await detail.scrollIntoViewIfNeeded();
    await screenshot(shown, '21-german-ended');
  });

  it("tells a refused dial in German, not in the bridge's English", async () => {
    page = await openHarness(browser, bridge, undefined, { lang: 'de', tz: BERLIN });
    await page.locator('[data-id="status-connected"]').waitFor();

    // Act: a number no phone system can dial (the bridge refuses it: DIAL_INVALID_NUMBER)
    await page.locator('[data-id="dial-number"]').fill('+49 1');
    await page.locator('[data-id="dial-call"]').click();

    // Assert: the Custom Labels' German for the code, and none of the bridge's English words
    const refusal = page.locator('[data-id="dial-error"]');
    await refusal.getByText('Diese Nummer kann nicht gewählt werden.').waitFor();
    await refusal.getByText('Prüfen Sie die Nummer und die Landesvorwahl.').waitFor();
    await expect(refusal.innerText()).resolves.not.toMatch(/does not look like a phone number/);
    await screenshot(page, '22-german-dial-refused');
  });

  it('says in German that the phone system is not connected', async () => {
    page = await openHarness(browser, bridge, undefined, { lang: 'de', tz: BERLIN });
    const shown = page;
    await shown.locator('[data-id="status-connected"]').waitFor();
    bridge.simulator!.setLinkUp(false);
    try {
      const pbx = shown.locator('[data-id="status-pbx"]');
      await expect(pbx.locator('[data-id="heading"]').innerText()).resolves.toBe(
        'Telefonanlage nicht verbunden',
      );
      await expect(pbx.locator('[data-id="detail"]').innerText()).resolves.toBe(
        'Ihr Telefon funktioniert weiterhin. Switchboard verbindet sich von selbst wieder.',
      );
      await screenshot(shown, '23-german-phone-system-down');
    } finally {
      bridge.simulator!.setLinkUp(true);
    }
  });
});
