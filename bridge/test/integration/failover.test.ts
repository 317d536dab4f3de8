// Failover with real processes: three bridge processes (the CLI, from the sources) on one real
// PostgreSQL started by the suite, each with its own AMI session to the AMI test server, which
// replays a real Asterisk capture; a round-robin TCP proxy in front (the load balancer: carries
// the WebSocket upgrade, no stickiness); Ana's three tabs connect through it with real identity
// tokens and land on the three bridges. A call rings and is answered, the bridge one tab is on
// is killed with SIGKILL, and the tab reconnects through the proxy to another bridge, which
// replays the call in `ready`. The hang-up after the failover gives exactly one Task in the
// emulated org (jsforce over the REST wire format), and every tab popped every call once.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  configuredBridge,
  emulatedOrgSections,
  type BridgeProcess,
} from '../../bench/bridge-process';
import { replayCapture, type CaptureTemplate } from '../../bench/soak-captures';
import type { Call } from '../../src/calls/call';
import { EmulatedOrg } from '../../src/demo/emulated-org/emulated-org';
import { silentLogger } from '../../src/logging/logger';
import { callFrames, headerOf, loadCapture } from '../pbx/asterisk/ami-capture';
import { AmiTestServer } from '../pbx/asterisk/ami-test-server';
import { CAPTURE_ORG_SEED, ORG } from '../pbx/asterisk/capture-tasks';
import { useTestPostgres } from '../support/postgres-server';
import { RoundRobinProxy } from '../support/round-robin-proxy';
import { Teardown } from '../support/teardown';
import { waitForValue } from '../support/wait-for-value';
import { DEMO_USERS, RepClient, type ServerFrame } from '../support/test-bridge';
import { TYPESCRIPT_CLI, typescriptNodeArgs } from '../support/ts-child';

const ANA = DEMO_USERS[0]!;
const AMI = { username: 'bridge', secret: 'bridgepass' };
/** Generous bounds for a busy 2-core machine; every wait ends as soon as its condition holds. */
const WAIT_MS = 20_000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const until = <T>(what: string, check: () => Promise<T | undefined> | T | undefined) =>
  waitForValue(what, check, WAIT_MS);

/** A rep's browser tab: reconnects through the load balancer when its socket closes. */
class Tab {
  readonly connections: RepClient[] = [];
  private reconnecting: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly proxy: RoundRobinProxy,
    private readonly sign: () => Promise<string>,
  ) {}

  /** Connects (a fresh token each time, as the utility asks Apex for one) until `ready`. */
  async open(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        const connection = await RepClient.connectTo(this.proxy.wsUrl, await this.sign());
        await connection.waitFor((f) => f.type === 'ready', WAIT_MS);
        this.connections.push(connection);
        connection.socket.once('close', () => {
          if (this.closed) return;
          this.reconnecting = this.open();
          this.reconnecting.catch(() => undefined); // awaited (and reported) by reconnected()
        });
        return;
      } catch (error) {
        if (attempt >= 20) throw error;
        await sleep(100 * (attempt + 1)); // back-off, as the utility's
      }
    }
  }

  get current(): RepClient {
    return this.connections.at(-1)!;
  }

  /** The bridge (its index behind the proxy) the current connection is on. */
  get bridge(): number | undefined {
    return this.proxy.backendOf(this.current.localPort);
  }

  /** Resolves once the tab is connected again after its socket closed. */
  async reconnected(): Promise<RepClient> {
    await until('the tab to reconnect', () => (this.reconnecting === undefined ? undefined : true));
    await this.reconnecting;
    return this.current;
  }

  close(): void {
    this.closed = true;
    for (const c of this.connections) c.close();
  }
}

/** The `call` frames one connection got for a leg, and the calls its `ready` replayed. */
function seenOn(connection: RepClient, legId: string) {
  const ready = connection.frames.find((f) => f.type === 'ready') as ServerFrame;
  return {
    replayed: ((ready.calls ?? []) as Call[]).filter((c) => c.id === legId),
    frames: connection.callFrames().filter((c) => c.id === legId),
  };
}

/** Pops on a connection: a leg's `call` frames that start it ringing (the utility pops on it). */
function popsOn(connection: RepClient, legId: string): number {
  let pops = 0;
  let previous: Call['state'] | undefined;
  for (const call of seenOn(connection, legId).frames) {
    if (call.state === 'ringing' && previous !== 'ringing') pops += 1;
    previous = call.state;
  }
  return pops;
}

/**
 * The capture's frames in three parts: until the rep's phone rings, until the call is
 * answered (both channels in the bridge), and the hang-up.
 */
function phases(frames: readonly string[]): [string[], string[], string[]] {
  const answeredAt = frames.findIndex(
    (f) => headerOf(f, 'Event') === 'DialEnd' && headerOf(f, 'DialStatus') === 'ANSWER',
  );
  const hangupAt = frames.findIndex(
    (f, i) =>
      i > answeredAt &&
      /^(BridgeLeave|HangupRequest|SoftHangupRequest|Hangup)$/.test(headerOf(f, 'Event') ?? ''),
  );
  if (answeredAt < 0 || hangupAt < 0) throw new Error('the capture has no answer or hang-up');
  return [frames.slice(0, answeredAt), frames.slice(answeredAt, hangupAt), frames.slice(hangupAt)];
}

describe('failover: a bridge killed with SIGKILL mid-call', () => {
  const postgres = useTestPostgres();
  const teardown = new Teardown();
  let org: EmulatedOrg;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'switchboard-failover-'));
    teardown.add(dir, (d) => rmSync(d, { recursive: true, force: true }));
    org = teardown.add(
      await EmulatedOrg.start({
        seed: { User: DEMO_USERS, ...CAPTURE_ORG_SEED },
        logger: silentLogger(),
      }),
      (o) => o.stop(),
    );
  });
  afterAll(() => teardown.run());

  it('moves the rep to another bridge with the call, and logs it once', async () => {
    const url = await postgres.freshDatabase();
    const ami = new AmiTestServer({ ...AMI, split: 'random' });
    const amiPort = await ami.listen();
    teardown.add(ami, (a) => a.close());
    const certificate = path.join(dir, 'org.pem');
    writeFileSync(certificate, org.identity.certificatePem);

    const bridges: BridgeProcess[] = [];
    for (const label of ['bridge-0', 'bridge-1', 'bridge-2']) {
      const sections = {
        ...emulatedOrgSections(org, certificate),
        phone: { defaultCountry: 'US' },
        storage: { postgres: { url, poolSize: 4 } },
        pbx: {
          adapter: 'asterisk',
          asterisk: { host: '127.0.0.1', port: amiPort, ...AMI, usersFromVoicemail: false },
        },
        users: [
          { extension: '201', email: ANA.Email },
          { extension: '202', email: DEMO_USERS[1]!.Email },
        ],
        log: { level: 'warn', format: 'json' },
      };
      const bridge = await configuredBridge(
        dir,
        label,
        sections,
        typescriptNodeArgs(TYPESCRIPT_CLI),
      );
      bridges.push(teardown.add(bridge, (b) => b.kill()));
    }
    // One first: it fills the transpile cache (ts-child.ts) the other two then load from.
    await bridges[0]!.start();
    await Promise.all(bridges.slice(1).map((b) => b.start()));
    await ami.waitForLogin(bridges.length);
    const proxy = teardown.add(await RoundRobinProxy.start(bridges.map((b) => b.port)), (p) =>
      p.stop(),
    );

    // Ana's three tabs, one after another through the balancer: one on each bridge.
    const tabs = [0, 1, 2].map(() => new Tab(proxy, () => org.identity.signToken(ANA.Id)));
    for (const tab of tabs) {
      teardown.add(tab, (t) => t.close());
      await tab.open();
    }
    expect(tabs.map((t) => t.bridge).sort()).toEqual([0, 1, 2]);

    const template: CaptureTemplate = {
      name: 'sip-inbound-answered',
      rings: '201',
      frames: callFrames(loadCapture('sip-inbound-answered')),
    };
    const first = replayCapture(template, 1, '201', '202');
    const legId = `${first.linkedid}:201`;
    const [ring, answer, hangUp] = phases(first.frames);

    // It rings: every tab pops it, with Alice (the caller's Contact) found.
    await ami.send(ring);
    for (const tab of tabs)
      await tab.current.waitForCall(
        (c) => c.id === legId && c.state === 'ringing' && c.lookup === 'done',
        WAIT_MS,
      );
    expect(
      tabs.map((t) =>
        seenOn(t.current, legId)
          .frames.at(-1)
          ?.matches.map((m) => m.id),
      ),
    ).toEqual([[ORG.alice], [ORG.alice], [ORG.alice]]);
    await ami.send(answer);
    for (const tab of tabs)
      await tab.current.waitForCall((c) => c.id === legId && c.state === 'connected', WAIT_MS);

    // The bridge of the first tab dies mid-call.
    const victim = tabs[0]!;
    const killedBridge = victim.bridge!;
    const before = victim.current;
    await bridges[killedBridge]!.kill();
    const moved = await victim.reconnected();
    expect(moved).not.toBe(before);
    expect(victim.bridge).not.toBe(killedBridge);
    expect(seenOn(moved, legId).replayed).toEqual([
      expect.objectContaining({ id: legId, state: 'connected', direction: 'inbound' }),
    ]);

    // The caller hangs up: the surviving bridges both see it end; one Task.
    await ami.send(hangUp);
    for (const connection of [moved, tabs[1]!.current, tabs[2]!.current])
      await connection.waitForCall((c) => c.id === legId && c.log?.state === 'logged', WAIT_MS);

    // A second call after the failover pops on every tab once too.
    const second = replayCapture(template, 2, '201', '202');
    const secondLeg = `${second.linkedid}:201`;
    await ami.send(second.frames);
    for (const tab of tabs)
      await tab.current.waitForCall(
        (c) => c.id === secondLeg && c.log?.state === 'logged',
        WAIT_MS,
      );

    // Exactly once: the shared outbox holds one row per leg, each sent; the org one Task each.
    const db = await postgres.pool(url);
    await until('every call log to be sent', async () => {
      const { rows } = await db.query<{ call_id: string; state: string }>(
        'SELECT call_id, state FROM call_log_outbox ORDER BY call_id',
      );
      return rows.length === 2 && rows.every((r) => r.state === 'sent') ? rows : undefined;
    });
    const tasks = (leg: string) => org.records('Task').filter((t) => t.CallObject === leg);
    expect(tasks(legId)).toEqual([expect.objectContaining({ WhoId: ORG.alice })]);
    expect(tasks(secondLeg)).toHaveLength(1);

    // No pop lost or doubled: the first call popped once on each tab's first connection and was
    // only replayed (connected) to the moved one; the second popped once wherever a tab was.
    expect(tabs.map((t) => popsOn(t.connections[0]!, legId))).toEqual([1, 1, 1]);
    expect(popsOn(moved, legId)).toBe(0);
    expect(tabs.map((t) => popsOn(t.current, secondLeg))).toEqual([1, 1, 1]);
    expect(tabs.map((t) => t.connections.length)).toEqual([2, 1, 1]);
    // The surviving bridges did not crash or log errors on the way.
    expect(bridges.flatMap((b) => [...b.crashes, ...b.errorLines])).toEqual([]);
  }, 120_000);
});
