// Test support for `check`: a real set-up to look at — an emulated org reached by the client
// credentials flow at its own URL (as a real org at its My Domain), its identity certificate as
// auth.certificate, the AMI test server as the Asterisk PBX — written to a YAML file and checked
// the way `switchboard-bridge check --config` does. Each test breaks one thing.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { runCheckCommand } from '../../../src/check-command';
import type { CheckReport, CheckStatus, CheckStepId } from '../../../src/check/check-report';
import { EmulatedOrg, type EmulatedOrgOptions } from '../../../src/demo/emulated-org/emulated-org';
import { silentLogger } from '../../../src/logging/logger';
import { AmiTestServer, type AmiTestServerOptions } from '../../pbx/asterisk/ami-test-server';
import { salesforceConfigFor } from '../../support/org-gateway';
import { DEMO_MAPPINGS, DEMO_USERS } from '../../support/test-bridge';

const dir = mkdtempSync(path.join(tmpdir(), 'switchboard-check-'));

export const AMI_USER = 'switchboard';
export const AMI_SECRET = 'ami-secret-0123456789abcdef';
export const WEBHOOK_TOKEN = 'webhook-token-0123456789abcdefghij';

export function startOrg(options: Partial<EmulatedOrgOptions> = {}): Promise<EmulatedOrg> {
  return EmulatedOrg.start({ seed: { User: DEMO_USERS }, ...options });
}

export async function startAmi(options: AmiTestServerOptions = {}): Promise<AmiTestServer> {
  const ami = new AmiTestServer({ username: AMI_USER, secret: AMI_SECRET, ...options });
  await ami.listen();
  return ami;
}

/** A configuration with every step in order: the org, its certificate, Asterisk, the reps. */
export function healthyConfig(org: EmulatedOrg, ami: AmiTestServer): Record<string, unknown> {
  return {
    server: {
      port: 0,
      host: '127.0.0.1',
      publicUrl: 'wss://127.0.0.1:9/ws',
      allowedOrigins: ['https://acme.lightning.force.com'],
    },
    auth: { certificate: org.identity.certificatePem },
    salesforce: salesforceConfigFor(org),
    pbx: {
      adapter: 'asterisk',
      asterisk: {
        host: '127.0.0.1',
        port: ami.port,
        username: AMI_USER,
        secret: AMI_SECRET,
        usersFromVoicemail: false,
      },
    },
    users: DEMO_MAPPINGS,
    storage: { database: ':memory:' },
    log: { level: 'silent' },
  };
}

/** Writes the configuration as YAML (or the text as given) and runs check on it. */
export function check(
  config: Record<string, unknown> | string,
  options: { env?: NodeJS.ProcessEnv; trustedCa?: string[] } = {},
): Promise<CheckReport> {
  const file = path.join(dir, `switchboard-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, typeof config === 'string' ? config : stringify(config));
  return runCheckCommand({
    file,
    env: options.env ?? {},
    logger: silentLogger(),
    ...(options.trustedCa === undefined ? {} : { trustedCa: options.trustedCa }),
  });
}

/** Every step's status, by id. */
export function statuses(report: CheckReport): Record<CheckStepId, CheckStatus> {
  return Object.fromEntries(report.steps.map((s) => [s.id, s.status])) as Record<
    CheckStepId,
    CheckStatus
  >;
}

/** The steps that failed. */
export function failed(report: CheckReport): CheckStepId[] {
  return report.steps.filter((s) => s.status === 'fail').map((s) => s.id);
}

/** The one failing step's problems as "message → fix" lines. */
export function problemsOf(report: CheckReport, id: CheckStepId): string[] {
  const step = report.steps.find((s) => s.id === id);
  return (step?.problems ?? []).map((p) => `${p.message} → ${p.fix}`);
}

/** A deep copy with one path changed. */
export function withKey(
  config: Record<string, unknown>,
  key: string,
  value: unknown,
): Record<string, unknown> {
  const copy = structuredClone(config);
  const parts = key.split('.');
  let node = copy;
  for (const part of parts.slice(0, -1)) node = node[part] as Record<string, unknown>;
  node[parts[parts.length - 1] as string] = value;
  return copy;
}
