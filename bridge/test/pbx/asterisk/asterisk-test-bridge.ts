// Test helpers: a real bridge whose PBX is an AMI test server (Asterisk adapter), with the
// captures' org (capture-tasks.ts) and reps Ana (201) and Ben (202).
import type { RunningBridge } from '../../../src/bridge';
import type { ConfigInput } from '../../../src/config/schema';
import { startTestBridge } from '../../support/test-bridge';
import { CAPTURE_ORG_SEED } from './capture-tasks';

export const ANA = 'ana.lopez@acme.example';
export const BEN = 'ben.okafor@acme.example';

/** Starts the bridge against the AMI server on `port`; `config` adds to or replaces sections. */
export function startAsteriskBridge(
  port: number,
  config: Partial<ConfigInput> = {},
): Promise<RunningBridge> {
  return startTestBridge({
    seed: CAPTURE_ORG_SEED,
    users: [
      { extension: '201', email: ANA },
      { extension: '202', email: BEN },
    ],
    config: {
      pbx: {
        adapter: 'asterisk',
        asterisk: { host: '127.0.0.1', port, username: 'bridge', secret: 'bridgepass' },
      },
      ...config,
    },
  });
}

/** Waits (up to 10 s) until `check` holds. */
