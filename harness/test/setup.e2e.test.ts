// Switchboard Setup, the real compiled component in chromium against a real bridge: an admin
// (Chloe, who holds Switchboard_Admin in the sample org, so her token carries the admin role)
// sees the bridge live — links, connected reps with their tabs, the mapping, parked call logs
// with retry, the installation check — and a rep (Ana) is refused by the bridge itself.
import type { Page } from 'playwright-core';
import type { RunningBridge } from '../../bridge/src/bridge';
import {
  launchBrowser,
  pageProblems,
  screenshot,
  startHarnessBridge,
  until,
  type Browser,
} from './harness-session';

const CHLOE = 'chloe.martin@acme.example';
const ANA = 'ana.lopez@acme.example';

/** Opens the Setup page as `as` (in `lang`). */
async function openSetup(browser: Browser, bridge: RunningBridge, as: string, lang = 'en') {
  const page = await browser.context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  await page.goto(`${bridge.httpUrl}/?${new URLSearchParams({ page: 'setup', as, lang })}`);
  return { page, problems };
}

describe('Switchboard Setup in the browser', () => {
  let bridge: RunningBridge;
  let browser: Browser;
  let page: Page | undefined;
  let problems: string[] = [];

  beforeAll(async () => {
    [bridge, browser] = await Promise.all([startHarnessBridge(), launchBrowser()]);
  });

  afterAll(async () => {
    await Promise.all([browser.close(), bridge.stop()]);
  });

  afterEach(async () => {
    if (page === undefined) return;
    expect(problems).toEqual([]);
    expect(pageProblems(page)).toEqual([]);
    await page.close();
    page = undefined;
  });

  it('shows an admin the bridge live, retries a parked call log and runs the check', async () => {
    // A rep works meanwhile: Ana has the utility open in two tabs.
    const ana1 = await openSetup(browser, bridge, ANA);
    const ana2 = await openSetup(browser, bridge, ANA);
    ({ page, problems } = await openSetup(browser, bridge, CHLOE));
    const shown = page;

    // Links: the simulator PBX and the emulated org with its API usage.
    const links = shown.locator('[data-id="links"]');
    await links.getByText('Phone system: Connected').waitFor();
    await expect(links.innerText()).resolves.toMatch(
      /Salesforce: Connected[\s\S]*API requests used today/,
    );

    // Connected reps, with how many tabs: Ana's two, Chloe's utility and this page.
    const reps = shown.locator('[data-id="reps"]');
    await expect(reps.locator(`tr[data-user="${ANA}"] [data-id="tabs"]`).innerText()).resolves.toBe(
      '2',
    );
    await expect(reps.locator(`tr[data-user="${CHLOE}"]`).innerText()).resolves.toMatch(/admin/);
    await expect(
      reps.locator(`tr[data-user="${CHLOE}"] [data-id="tabs"]`).innerText(),
    ).resolves.toBe('2');
    // The mapping, PBX → Salesforce.
    const mapping = shown.locator('[data-id="mapping"]');
    await expect(mapping.locator('tr[data-extension="201"]').innerText()).resolves.toContain(
      'Ana Lopez',
    );
    await expect(mapping.locator('tr[data-extension="203"]').innerText()).resolves.toContain(
      'Chloe Martin',
    );
    // The demo runs the directory index: its first sync's result, per object.
    await expect(shown.locator('[data-id="directory"]').innerText()).resolves.toMatch(
      /\d+ records, \d+ numbers; last sync [\s\S]*Contact: /,
    );

    // One tab closes: the page follows without a reload.
    await ana2.page.close();
    await reps.locator(`tr[data-user="${ANA}"] [data-id="tabs"]`).getByText('1').waitFor();

    // Salesforce refuses a call log: it is parked, shown with the reason, and sent on Retry.
    const org = bridge.emulatedOrg!;
    org.faults.rejectWrites('Task', {
      errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
      message: 'Subject must mention the product',
    });
    const callId = bridge.simulator!.triggerCall({
      extension: '202',
      number: '+1 415 555 0178',
      answerAfterMs: 0,
      hangupAfterMs: 50,
    });
    const parked = shown.locator(`[data-id="parked"] tr[data-parked^="${callId}"]`);
    await parked.waitFor({ timeout: 15_000 });
    await expect(parked.innerText()).resolves.toContain(
      'FIELD_CUSTOM_VALIDATION_EXCEPTION: Subject must mention the product',
    );
    await screenshot(shown, 'setup-admin-parked', { fullPage: true });
    org.faults.clear();
    await parked.getByRole('button', { name: 'Retry' }).click();
    await parked.waitFor({ state: 'detached', timeout: 15_000 });
    await until(() => org.records('Task').some((t) => String(t.CallObject).startsWith(callId)));

    // The installation check, run from the page: every step with its mark and summary.
    await shown.locator('[data-id="run-check"] button').click();
    const headline = shown.locator('[data-id="check-headline"]');
    await headline.waitFor({ timeout: 60_000 });
    const check = shown.locator('[data-id="check"]');
    await expect(check.locator('[data-step="salesforce-login"]').innerText()).resolves.toMatch(
      /^✓Salesforce login — connected to org/,
    );
    await expect(check.locator('li[data-step]').count()).resolves.toBe(7);
    await screenshot(shown, 'setup-admin', { fullPage: true });
    await ana1.page.close();
  });

  it('shows a rep that only Switchboard admins may see it: the bridge refuses the token', async () => {
    ({ page, problems } = await openSetup(browser, bridge, ANA));
    const refused = page.locator('[data-id="setup-refused"]');
    await refused.waitFor();
    await expect(refused.innerText()).resolves.toContain(
      'Only Switchboard admins can see this page.',
    );
    await expect(refused.innerText()).resolves.toContain('Switchboard Admin permission set');
    await expect(page.locator('[data-id="links"]').count()).resolves.toBe(0);
    await screenshot(page, 'setup-rep-refused');
  });

  it('speaks German to a German admin', async () => {
    ({ page, problems } = await openSetup(browser, bridge, CHLOE, 'de'));
    await page.locator('[data-id="links"]').getByText('Telefonanlage: Verbunden').waitFor();
    await expect(page.locator('c-switchboard-setup h1').innerText()).resolves.toBe(
      'Switchboard-Einrichtung',
    );
    await expect(page.locator('[data-id="parked"]').innerText()).resolves.toContain(
      'Zurückgestellte Anrufprotokolle',
    );
    await expect(page.locator('[data-id="run-check"]').innerText()).resolves.toBe(
      'Prüfung starten',
    );
    await screenshot(page, 'setup-admin-de', { fullPage: true });
  });
});
