// Test support for the browser harness: a real bridge (demo org, simulator PBX, no random
// calls) serving harness/dist, and Debian chromium driven by playwright-core.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { startBridge, type RunningBridge } from '../../bridge/src/bridge';
import { demoConfigInput, parseConfig } from '../../bridge/src/config/load';
import { loadSeed } from '../../bridge/src/demo/emulated-org/emulated-org';
import { createLogger } from '../../bridge/src/logging/logger';
import { RecentLog } from '../../bridge/src/logging/recent-log';

export const HARNESS_DIR = path.resolve(__dirname, '..', 'dist');
export const SCREENSHOT_DIR = path.resolve(__dirname, '..', '..', 'test-results', 'screenshots');

/** Flags that keep Debian's chromium quiet and headless in containers and CI. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** The sample org's reps (User.Extension in bridge/src/demo/sample-org.json). */
export const HARNESS_USERS = [
  { extension: '201', email: 'ana.lopez@acme.example' },
  { extension: '202', email: 'ben.okafor@acme.example' },
  { extension: '203', email: 'chloe.martin@acme.example' },
];

export interface HarnessBridgeOptions {
  /** The PBX users (extension ↔ email); leave a rep out to test a rep without an extension. */
  users?: { extension: string; email: string }[];
  /** Seed records added to the sample org's (e.g. an Organization row with sharing defaults). */
  seedExtras?: Record<string, Record<string, unknown>[]>;
}

export async function startHarnessBridge(
  port = 0,
  options: HarnessBridgeOptions = {},
): Promise<RunningBridge> {
  if (!existsSync(path.join(HARNESS_DIR, 'app.js')))
    throw new Error('harness/dist is missing: run `npm run build:harness` first');
  let emulate = 'demo';
  if (options.seedExtras !== undefined) {
    emulate = path.join(mkdtempSync(path.join(tmpdir(), 'switchboard-seed-')), 'seed.json');
    writeFileSync(emulate, JSON.stringify({ ...loadSeed('demo'), ...options.seedExtras }));
  }
  const config = parseConfig({
    ...demoConfigInput(),
    salesforce: { emulate },
    server: { port, host: '127.0.0.1' },
    pbx: { adapter: 'simulator', simulator: { intervalSeconds: 0 } },
    users: options.users ?? HARNESS_USERS,
    log: { level: 'silent' },
  });
  // Nothing printed, but warnings kept for the Setup page, as the CLI keeps them.
  const recentLog = new RecentLog();
  const logger = createLogger({
    level: 'warn',
    destination: { write: () => undefined },
    recent: recentLog,
  });
  return startBridge(config, { logger, harnessDir: HARNESS_DIR, recentLog });
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<Browser> {
  const userDataDir = mkdtempSync(path.join(tmpdir(), 'switchboard-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1100, height: 720 },
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Who the page is for, besides the rep (`as`): their language and locale. */
export interface HarnessUser {
  /** de renders the German translation; en by default. */
  lang?: string;
  /** The Salesforce locale (de-DE); the language's usual one by default. */
  locale?: string;
  /** The Salesforce time zone; the browser's by default. */
  tz?: string;
}

/**
 * Opens the harness (as `as`, default Ana; in `user`'s language) and waits until the component
 * says it is connected.
 */
export async function openHarness(
  browser: Browser,
  bridge: RunningBridge,
  as?: string,
  user: HarnessUser = {},
): Promise<Page> {
  const page = await browser.context.newPage();
  const log: PageLog = { problems: [], tolerated: [], tolerating: [] };
  pageLogs.set(page, log);
  const report = (text: string) => {
    if (log.tolerating.some((pattern) => pattern.test(text))) log.tolerated.push(text);
    else log.problems.push(text);
  };
  page.on('pageerror', (error) => {
    report(error.message);
  });
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    // "Failed to load resource" names no URL in its text; the location has it.
    const url = message.location().url;
    report(url && !message.text().includes(url) ? `${message.text()} (${url})` : message.text());
  });
  const query = new URLSearchParams({ ...(as === undefined ? {} : { as }), ...user }).toString();
  await page.goto(`${bridge.httpUrl}/${query ? `?${query}` : ''}`);
  try {
    await page.locator('[data-id="status-connected"]').waitFor({ timeout: 15_000 });
  } catch (error) {
    await screenshot(page, 'failed-to-connect');
    const shown = await page
      .locator('c-switchboard')
      .innerText()
      .catch(() => '(nothing)');
    throw new Error(
      `The component did not connect. It shows: ${shown}\nPage errors: ${log.problems.join('\n')}`,
      { cause: error },
    );
  }
  return page;
}

interface PageLog {
  /** Page errors and console errors nobody expected: a test fails on any. */
  problems: string[];
  /** Errors a test said to expect, e.g. while it stopped the bridge on purpose. */
  tolerated: string[];
  tolerating: RegExp[];
}
const pageLogs = new WeakMap<Page, PageLog>();

export function pageProblems(page: Page): string[] {
  return pageLogs.get(page)?.problems ?? [];
}

/**
 * While a test breaks something on purpose (stops the bridge), the browser rightly logs the
 * failed requests and sockets: errors matching `patterns` are expected until the returned
 * function is called, which gives back what was tolerated. Any other error is still a problem.
 */
export function tolerateProblems(page: Page, patterns: RegExp[]): () => string[] {
  const log = pageLogs.get(page);
  if (!log) throw new Error('tolerateProblems: open the page with openHarness');
  log.tolerating = patterns;
  return () => {
    log.tolerating = [];
    return log.tolerated.splice(0);
  };
}

/** What the browser logs when the page reaches for a bridge that is not listening. */
export function bridgeDownErrors(bridge: RunningBridge): RegExp[] {
  const origin = bridge.httpUrl.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const host = origin.replace(/^http/, '');
  return [
    new RegExp(`ERR_CONNECTION_REFUSED.*\\(${origin}/`),
    new RegExp(`WebSocket connection to 'ws${host}/ws' failed`),
  ];
}

export interface NavigationRecord {
  pageReference: {
    type: string;
    attributes: Record<string, string>;
    state?: Record<string, string>;
  };
  via: string;
}

export async function navigations(page: Page): Promise<NavigationRecord[]> {
  return page.evaluate(
    () =>
      (globalThis as unknown as { __switchboard: { navigations: NavigationRecord[] } })
        .__switchboard.navigations,
  );
}

export async function screenshot(
  page: Page,
  name: string,
  options: { fullPage?: boolean } = {},
): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, ...options });
  return file;
}

/** Plays the record page's click-to-dial component: a Switchboard_Dial__c message. */
export async function publishDial(
  page: Page,
  message: { number: string; recordId?: string; source?: string },
): Promise<void> {
  await page.evaluate((m) => {
    (
      globalThis as unknown as { __switchboard: { publishDial(message: unknown): void } }
    ).__switchboard.publishDial(m);
  }, message);
}

/** Waits for something the bridge does in the background (the call-log worker, say). */
export async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline)
      throw new Error(`not true within ${timeoutMs} ms: ${String(condition)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
