// Starts a real bridge in-process for integration tests: emulated org (seeded from a JSON
// file written per test), simulator PBX with no automatic calls, the webhook open, port 0.
// Reps connect over a real WebSocket and authenticate with tokens signed by the emulated org.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { parseConfig } from '../../src/config/load';
import type { ConfigInput } from '../../src/config/schema';
import { startBridge, type RunningBridge } from '../../src/bridge';
import type { Call } from '../../src/calls/call';
import { silentLogger, type Logger } from '../../src/logging/logger';
import type { RecentLog } from '../../src/logging/recent-log';
import { rawDataToString } from '../../src/hub/websocket-hub';

export const WEBHOOK_TOKEN = 'test-webhook-token-0123456789';
export const ADMIN_TOKEN = 'test-admin-token-0123456789';

export interface TestBridgeOptions {
  /** Seed records; Users 201..203 of the demo are added unless the seed has Users. */
  seed?: Record<string, Array<Record<string, unknown>>>;
  defaultCountry?: string;
  users?: Array<{ extension: string; email: string }>;
  config?: Partial<ConfigInput>;
  /** Where the bridge logs (default: nowhere). */
  logger?: Logger;
  /** The warnings `logger` also keeps (createLogger's `recent`), for the admin status. */
  recentLog?: RecentLog;
}

export const DEMO_USERS = [
  { Id: '005000000000001AAA', Name: 'Ana Lopez', Email: 'ana.lopez@acme.example', IsActive: true },
  {
    Id: '005000000000002AAA',
    Name: 'Ben Okafor',
    Email: 'ben.okafor@acme.example',
    IsActive: true,
  },
  {
    Id: '005000000000003AAA',
    Name: 'Chloe Martin',
    Email: 'chloe.martin@acme.example',
    IsActive: true,
  },
];

export const DEMO_MAPPINGS = [
  { extension: '201', email: 'ana.lopez@acme.example' },
  { extension: '202', email: 'ben.okafor@acme.example' },
  { extension: '203', email: 'chloe.martin@acme.example' },
];

export async function startTestBridge(options: TestBridgeOptions = {}): Promise<RunningBridge> {
  const dir = mkdtempSync(path.join(tmpdir(), 'switchboard-test-'));
  const seedFile = path.join(dir, 'seed.json');
  const seed = { User: DEMO_USERS, ...(options.seed ?? {}) };
  writeFileSync(seedFile, JSON.stringify(seed));
  const input: ConfigInput = {
    server: {
      port: 0,
      host: '127.0.0.1',
      heartbeatSeconds: 30,
      helloTimeoutSeconds: 5,
      adminToken: ADMIN_TOKEN,
    },
    salesforce: { emulate: seedFile },
    phone: { defaultCountry: options.defaultCountry ?? 'US' },
    lookup: { cacheTtlSeconds: 60 },
    pbx: {
      adapter: 'simulator',
      simulator: { intervalSeconds: 0 },
      webhook: { token: WEBHOOK_TOKEN },
    },
    users: options.users ?? DEMO_MAPPINGS,
    storage: { database: ':memory:' },
    log: { level: 'silent' },
    ...options.config,
  };
  return startBridge(parseConfig(input), {
    logger: options.logger ?? silentLogger(),
    ...(options.recentLog === undefined ? {} : { recentLog: options.recentLog }),
  });
}

export interface ServerFrame {
  v: number;
  type: string;
  [key: string]: unknown;
}

/** A rep's browser: one authenticated socket that records every frame it receives. */
export class RepClient {
  readonly frames: ServerFrame[] = [];
  closeCode: number | undefined;
  /** This end's TCP port (which connection a proxy in between saw). */
  localPort: number | undefined;
  private waiters: Array<() => void> = [];

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.frames.push(JSON.parse(rawDataToString(data)) as ServerFrame);
      this.notify();
    });
    socket.on('close', (code) => {
      this.closeCode = code;
      this.notify();
    });
  }

  static async connect(
    bridge: RunningBridge,
    token: string,
    headers: Record<string, string> = {},
  ): Promise<RepClient> {
    return RepClient.connectTo(bridge.wsUrl, token, headers);
  }

  /** Connects to a WebSocket URL (a bridge's, or a load balancer's in front of several). */
  static async connectTo(
    url: string,
    token: string,
    headers: Record<string, string> = {},
  ): Promise<RepClient> {
    const socket = new WebSocket(url, { headers });
    const client = new RepClient(socket);
    socket.once('upgrade', (response) => {
      client.localPort = response.socket.localPort;
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    socket.send(JSON.stringify({ v: 1, type: 'hello', token }));
    return client;
  }

  /** Connects as the seed user with this email, with a fresh token from the emulated org. */
  static async connectAs(bridge: RunningBridge, email: string): Promise<RepClient> {
    const user = DEMO_USERS.find((u) => u.Email === email);
    if (user === undefined) throw new Error(`no test user ${email}`);
    const client = await RepClient.connect(
      bridge,
      await bridge.emulatedOrg!.identity.signToken(user.Id),
    );
    await client.waitFor((f) => f.type === 'ready');
    return client;
  }

  send(frame: Record<string, unknown>): void {
    this.socket.send(JSON.stringify({ v: 1, ...frame }));
  }

  /** Resolves with the first frame (already received or still to come) that matches. */
  async waitFor(
    predicate: (frame: ServerFrame) => boolean,
    timeoutMs = 5000,
  ): Promise<ServerFrame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.find(predicate);
      if (found !== undefined) return found;
      if (this.closeCode !== undefined)
        throw new Error(`socket closed (${this.closeCode}) while waiting`);
      const remaining = deadline - Date.now();
      if (remaining <= 0)
        throw new Error(`timed out; frames so far: ${JSON.stringify(this.frames).slice(0, 2000)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /**
   * Sends a call control and resolves with its answer: `call.control.result`, or the `error`
   * frame a frame the bridge could not read gets.
   */
  async control(
    callId: string,
    action: string,
    to?: { kind: string; value: string },
  ): Promise<ServerFrame> {
    const requestId = `control-${String(++RepClient.controls)}`;
    this.send({ type: 'call.control', requestId, callId, action, ...(to ? { to } : {}) });
    return this.waitFor(
      (f) => (f.type === 'call.control.result' || f.type === 'error') && f.requestId === requestId,
    );
  }

  private static controls = 0;

  async waitForClose(timeoutMs = 5000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (this.closeCode === undefined) {
      if (Date.now() > deadline) throw new Error('socket did not close');
      await new Promise((r) => setTimeout(r, 20));
    }
    return this.closeCode;
  }

  /** The `call` frames received for one PBX call, in order. */
  callFrames(pbxCallId?: string): Call[] {
    return this.frames
      .filter((f) => f.type === 'call')
      .map((f) => f.call as Call)
      .filter((c) => pbxCallId === undefined || c.id.startsWith(`${pbxCallId}:`));
  }

  async waitForCall(predicate: (call: Call) => boolean, timeoutMs = 5000): Promise<Call> {
    const frame = await this.waitFor(
      (f) => f.type === 'call' && predicate(f.call as Call),
      timeoutMs,
    );
    return frame.call as Call;
  }

  close(): void {
    this.socket.terminate();
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

/** POSTs a webhook event as a PBX would. */
export async function postPbxEvent(
  bridge: RunningBridge,
  body: unknown,
  token: string = WEBHOOK_TOKEN,
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${bridge.httpUrl}/pbx/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body: parsed };
}
