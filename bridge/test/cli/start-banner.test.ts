// The start banner says what is true for the running bridge: the demo's simulated PBX, page and
// public demo tokens only in the demo; with --config and an emulated org, the configured PBX,
// the URLs that exist and the keys that hold secrets, never their values.
import { loadConfig, parseConfig } from '../../src/config/load';
import { startBridge } from '../../src/bridge';
import { silentLogger } from '../../src/logging/logger';
import { startBanner } from '../../src/start-banner';
import { Teardown } from '../support/teardown';

describe('start banner', () => {
  const teardown = new Teardown();
  afterEach(() => teardown.run());

  /** A --config bridge: the emulated org and the webhook PBX, with these server settings. */
  async function startConfigured(server: Record<string, unknown>) {
    const config = parseConfig({
      server,
      salesforce: { emulate: 'demo' },
      pbx: { adapter: 'webhook', webhook: { token: 'webhook-secret-0123456789' } },
      storage: { database: ':memory:' },
    });
    const bridge = teardown.add(await startBridge(config, { logger: silentLogger() }), (b) =>
      b.stop(),
    );
    return { config, bridge };
  }

  it('in the demo: the simulated PBX, the page, the demo tokens and how to ring a phone', async () => {
    // The demo configuration, on a free port.
    const config = loadConfig({ env: { SWITCHBOARD__SERVER__PORT: '0' } });
    const bridge = teardown.add(await startBridge(config, { logger: silentLogger() }), (b) =>
      b.stop(),
    );

    const banner = startBanner({ config, demo: true, bridge, pageBuilt: true });

    expect(banner).toContain(
      'Switchboard demo is running: emulated Salesforce org, simulated PBX.',
    );
    expect(banner).toContain(`Open the utility bar:   ${bridge.httpUrl}/`);
    expect(banner).toContain("authorization: Bearer demo-admin-token'");
    expect(banner).toContain('phonebook.vcf?token=demo-phonebook-token');
    expect(banner).toContain(`curl -X POST ${bridge.httpUrl}/demo/calls`);
    expect(banner).toContain('The simulator rings extensions 201, 202, 203 every 8 s.');
    expect(banner).toContain(bridge.wsUrl);
  });

  it('with --config and an emulated org: the configured PBX and URLs, no demo, no secrets', async () => {
    const { config, bridge } = await startConfigured({
      port: 0,
      host: '127.0.0.1',
      adminToken: 'admin-secret-0123456789',
    });

    const banner = startBanner({ config, demo: false, bridge, pageBuilt: true });

    expect(banner).toContain(
      'Switchboard bridge is running: emulated Salesforce org (salesforce.emulate: demo), PBX webhook.',
    );
    expect(banner).toContain(`POST ${bridge.httpUrl}/pbx/events`);
    expect(banner).toContain("authorization: Bearer <server.adminToken>'");
    expect(banner).toContain("authorization: Bearer <pbx.webhook.token>'");
    expect(banner).toContain(`${bridge.httpUrl}/healthz`);
    expect(banner).not.toMatch(/simulat|demo-admin-token|demo-phonebook-token|\/demo\/calls/i);
    expect(banner).not.toContain('secret-0123456789');
    // No directory configured: no phonebook line.
    expect(banner).not.toContain('phonebook');
  });

  it('says there are no demo endpoints when the bridge listens beyond this machine', async () => {
    const { config, bridge } = await startConfigured({ port: 0, host: '0.0.0.0' });

    const banner = startBanner({ config, demo: false, bridge, pageBuilt: true });

    expect(bridge.demoEndpoints).toBe(false);
    expect(banner).toContain('No demo endpoints or browser page');
    expect(banner).not.toContain('Open the utility bar');
  });
});
