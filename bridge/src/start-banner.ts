// What `switchboard-bridge start` prints for the person at the terminal once the bridge runs
// against an emulated org: only what is true for this configuration — which Salesforce and
// which PBX, the URLs that exist, and the demo's tokens only in the demo (a configuration's own
// secrets are never printed, only the key that holds them).
import type { RunningBridge } from './bridge';
import type { Config } from './config/schema';

export interface StartBannerInput {
  config: Config;
  /** Started without --config: the built-in demo configuration. */
  demo: boolean;
  bridge: Pick<RunningBridge, 'httpUrl' | 'wsUrl' | 'adapter' | 'simulator' | 'demoEndpoints'>;
  /** The browser page (harness) is built and served at / with the demo endpoints. */
  pageBuilt: boolean;
}

export function startBanner({ config, demo, bridge, pageBuilt }: StartBannerInput): string {
  const url = bridge.httpUrl;
  /** A secret: the demo's own (public) value, else the key that holds it. */
  const secret = (value: string | undefined, key: string) =>
    demo && value !== undefined ? value : `<${key}>`;
  const simulator = bridge.simulator;
  const pbx =
    simulator !== undefined
      ? 'simulated PBX'
      : config.pbx.adapter === 'asterisk'
        ? `Asterisk (AMI ${config.pbx.asterisk?.host ?? ''}:${config.pbx.asterisk?.port ?? ''})`
        : 'PBX webhook';
  const org = demo
    ? 'emulated Salesforce org'
    : `emulated Salesforce org (salesforce.emulate: ${config.salesforce.emulate ?? ''})`;
  const lines = [
    '',
    demo
      ? `Switchboard demo is running: ${org}, ${pbx}.`
      : `Switchboard bridge is running: ${org}, ${pbx}.`,
  ];
  const row = (label: string, text: string) => lines.push(`  ${`${label}:`.padEnd(24)}${text}`);

  if (bridge.demoEndpoints && pageBuilt)
    row(
      'Open the utility bar',
      demo ? `${url}/   (as another rep: ${url}/?as=ben.okafor@acme.example)` : `${url}/`,
    );
  else if (bridge.demoEndpoints)
    lines.push('  (the browser page is not built: run npm run build:harness)');
  else
    lines.push(
      '  No demo endpoints or browser page: the bridge listens beyond this machine (server.host).',
    );
  row('Health', `${url}/healthz`);
  if (config.server.adminToken !== undefined)
    row(
      'Status',
      `curl -H 'authorization: Bearer ${secret(config.server.adminToken, 'server.adminToken')}' ${url}/admin/status`,
    );
  if (config.directory.enabled)
    row(
      'PBX phonebook',
      `${url}/directory/phonebook.vcf?token=${secret(config.directory.phonebook.token, 'directory.phonebook.token')} (also .csv, /directory/phonebook/yealink.xml)`,
    );
  row('WebSocket', bridge.wsUrl);
  if (config.pbx.webhook !== undefined)
    row(
      'PBX events',
      `POST ${url}/pbx/events with 'authorization: Bearer ${secret(config.pbx.webhook.token, 'pbx.webhook.token')}'`,
    );
  if (simulator !== undefined && bridge.demoEndpoints)
    row(
      'Ring a phone yourself',
      `curl -X POST ${url}/demo/calls -H 'content-type: application/json' -d '{"extension":"${simulator.extensions[0] ?? '201'}","number":"+1 415 555 1212"}'`,
    );
  const seconds = config.pbx.simulator.intervalSeconds;
  const rings =
    simulator === undefined
      ? ''
      : seconds > 0
        ? `The simulator rings extensions ${simulator.extensions.join(', ')} every ${seconds} s. `
        : 'The simulator rings only when asked. ';
  lines.push(`  ${rings}Ctrl-C stops.`, '');
  return lines.join('\n');
}
