// The check the bridge runs on itself at start: the same steps on its own Salesforce connection
// and PBX, with the Bridge URL looked at as a browser in the org sees it (TLS from a CA the
// "browser" trusts), each step in the log in the words `check` prints — and a Bridge URL that
// leads to a bridge refusing the org's origin, or a certificate browsers refuse, fails the
// browser step.
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generate } from 'selfsigned';
import { parseConfig } from '../../src/config/load';
import type { ConfigInput } from '../../src/config/schema';
import { startBridge, type RunningBridge } from '../../src/bridge';
import { stepLines } from '../../src/check/check-report';
import { silentLogger } from '../../src/logging/logger';
import { captureLogger } from '../support/capture-logger';
import { DEMO_MAPPINGS, DEMO_USERS, startTestBridge } from '../support/test-bridge';
import {
  check,
  failed,
  healthyConfig,
  problemsOf,
  startAmi,
  startOrg,
} from './support/check-setup';

jest.setTimeout(120_000);

const LIGHTNING = 'https://acme.lightning.force.com';

/** A CA the test's "browsers" trust, and a certificate it issued for 127.0.0.1. */
async function certificates() {
  const ca = await generate([{ name: 'commonName', value: 'Acme Test CA' }], {
    keySize: 2048,
    algorithm: 'sha256',
    extensions: [{ name: 'basicConstraints', cA: true }],
  });
  const leaf = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keySize: 2048,
    algorithm: 'sha256',
    ca: { key: ca.private, cert: ca.cert },
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
  });
  return { ca: ca.cert, cert: leaf.cert, key: leaf.private };
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('the check at start', () => {
  let bridge: RunningBridge | undefined;
  afterEach(async () => {
    await bridge?.stop();
    bridge = undefined;
  });

  it('passes every step on a healthy bridge and logs each in the words check prints', async () => {
    const tls = await certificates();
    const port = await freePort();
    const dir = mkdtempSync(path.join(tmpdir(), 'switchboard-boot-check-'));
    const seed = path.join(dir, 'seed.json');
    writeFileSync(seed, JSON.stringify({ User: DEMO_USERS }));
    const input: ConfigInput = {
      server: {
        port,
        host: '127.0.0.1',
        tls: { certFile: tls.cert, keyFile: tls.key },
        publicUrl: `wss://127.0.0.1:${port}/ws`,
        allowedOrigins: [LIGHTNING],
      },
      salesforce: { emulate: seed },
      pbx: { adapter: 'simulator', simulator: { intervalSeconds: 0 } },
      users: DEMO_MAPPINGS,
      storage: { database: ':memory:' },
    };
    const { logger, lines } = captureLogger();
    bridge = await startBridge(parseConfig(input), {
      logger,
      configInput: input,
      configSource: 'switchboard.yaml',
      checkTrustedCa: [tls.ca],
    });
    const report = await bridge.check.run();

    expect(failed(report)).toEqual([]);
    const browser = report.steps.find((s) => s.id === 'browser-access');
    expect(browser?.status).toBe('pass');
    expect(browser?.summary).toContain(
      `a browser at ${LIGHTNING} reaches wss://127.0.0.1:${port}/ws`,
    );
    // The log says what the terminal says, step by step.
    for (const step of report.steps)
      expect(lines.map((l) => l.msg)).toContain(`check ${stepLines(step)[0] ?? ''}`);
    expect(bridge.check.report).toBe(report);
  });

  it('fails the browser step when a browser would refuse the certificate at the Bridge URL', async () => {
    const tls = await certificates();
    const other = await startTestBridge({
      config: {
        server: {
          port: 0,
          host: '127.0.0.1',
          tls: { certFile: tls.cert, keyFile: tls.key },
          allowedOrigins: ['https://someone-else.lightning.force.com'],
        },
      },
    });
    const org = await startOrg();
    const ami = await startAmi();
    try {
      const config = healthyConfig(org, ami);
      const report = await check({
        ...config,
        server: { ...(config.server as object), publicUrl: other.wsUrl },
      });
      expect(failed(report)).toEqual(['browser-access']);
      expect(problemsOf(report, 'browser-access').join('\n')).toMatch(
        /A browser would refuse the TLS certificate at wss:\/\/127.0.0.1:\d+\/ws \(UNABLE_TO_VERIFY_LEAF_SIGNATURE/,
      );
    } finally {
      await ami.close();
      await org.stop();
      await other.stop();
    }
  });

  it('names an origin the bridge at the Bridge URL refuses (close 4403)', async () => {
    const tls = await certificates();
    const other = await startBridge(
      parseConfig({
        server: {
          port: 0,
          host: '127.0.0.1',
          tls: { certFile: tls.cert, keyFile: tls.key },
          allowedOrigins: ['https://someone-else.lightning.force.com'],
        },
        salesforce: { emulate: 'demo' },
        pbx: { adapter: 'simulator', simulator: { intervalSeconds: 0 } },
        storage: { database: ':memory:' },
        log: { level: 'silent' },
      }),
      { logger: silentLogger() },
    );
    const org = await startOrg();
    const ami = await startAmi();
    try {
      const config = healthyConfig(org, ami);
      const report = await check(
        { ...config, server: { ...(config.server as object), publicUrl: other.wsUrl } },
        { trustedCa: [tls.ca] },
      );
      expect(failed(report)).toEqual(['browser-access']);
      expect(problemsOf(report, 'browser-access').join('\n')).toContain(
        `refuses browsers from ${LIGHTNING} (close 4403)`,
      );
    } finally {
      await ami.close();
      await org.stop();
      await other.stop();
    }
  });
});
