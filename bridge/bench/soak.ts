// npm run soak — the bridge kept under faults for minutes, and every promise counted. Two real
// bridge processes (one taking calls from the webhook, one from an AMI server replaying the
// real Asterisk captures) against one emulated org; authenticated reps on real WebSockets;
// meanwhile the AMI link drops, Salesforce answers 5xx, REQUEST_LIMIT_EXCEEDED,
// UNABLE_TO_LOCK_ROW and INVALID_SESSION_ID, and each bridge is killed with SIGKILL and
// restarted. Counted: calls that rang for a connected rep vs pops received, ended calls vs
// Tasks in the org (none lost, none doubled), crashes, and each bridge's RSS over time.
// Exits 1 on any loss, double, crash or RSS over the limit. docs/benchmarks.md has figures.
//   node bridge/dist/bench/soak.js [--minutes 2] [--reps 1000] [--kill-every 30] [--rate 4]
//                                  [--log-level warn|info|debug]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import type { Call } from '../src/calls/call';
import { EmulatedOrg } from '../src/demo/emulated-org/emulated-org';
import { rawDataToString } from '../src/hub/websocket-hub';
import { silentLogger } from '../src/logging/logger';
import { AmiTestServer } from '../test/pbx/asterisk/ami-test-server';
import {
  configuredBridge,
  emulatedOrgSections,
  type BridgeProcess,
  type RssSample,
} from './bridge-process';
import { loadSoakCaptures, replayCapture } from './soak-captures';

interface Options {
  minutes: number;
  reps: number;
  /** A bridge is killed every this many seconds (the two take turns). */
  killEvery: number;
  /** Webhook calls started per second (AMI replays run one after another besides). */
  rate: number;
  /** A bridge's RSS above this fails the run. */
  maxRssMb: number;
  /** The bridges' log level: their logs are kept when the run fails (info: every call's story). */
  logLevel: 'warn' | 'info' | 'debug';
}

const DEFAULTS: Options = {
  minutes: 2,
  reps: 1000,
  killEvery: 30,
  rate: 4,
  maxRssMb: 400,
  logLevel: 'warn',
};
const LOG_LEVELS = ['warn', 'info', 'debug'] as const;
const FLAGS: Record<string, Exclude<keyof Options, 'logLevel'>> = {
  minutes: 'minutes',
  reps: 'reps',
  'kill-every': 'killEvery',
  rate: 'rate',
  'max-rss-mb': 'maxRssMb',
};

function parseArgs(argv: readonly string[]): Options {
  const options = { ...DEFAULTS };
  for (let i = 0; i < argv.length; i += 2) {
    const level = LOG_LEVELS.find((l) => l === argv[i + 1]);
    if (argv[i] === '--log-level' && level !== undefined) {
      options.logLevel = level;
      continue;
    }
    const key = FLAGS[argv[i]?.replace(/^--/, '') ?? ''];
    const value = Number(argv[i + 1]);
    if (key === undefined || !Number.isFinite(value) || value <= 0)
      throw new Error(
        `unknown or bad option ${argv[i] ?? ''} ${argv[i + 1] ?? ''} ` +
          '(use --minutes N --reps N --kill-every S --rate N --max-rss-mb N --log-level warn|info|debug)',
      );
    options[key] = value;
  }
  if (options.reps < 4) throw new Error('--reps must be at least 4 (two per bridge)');
  return options;
}

const REPO_ROOT = path.resolve(__dirname, '../../..');
const WEBHOOK_TOKEN = 'soak-webhook-token-0123456789';
const AMI_USER = 'bridge';
const AMI_SECRET = 'bridgepass';
/** Numbers of seeded Contacts: a call from one of them pops a record. */
const KNOWN_NUMBERS = Array.from({ length: 40 }, (_v, i) => `+1415555${String(2000 + i)}`);

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const elapsed = (since: number) => ((Date.now() - since) / 1000).toFixed(0);

/** What reps saw of one call leg (`<pbx call id>:<extension>`). */
interface LegSeen {
  states: Set<Call['state']>;
  /** An internal call is not logged (callLog.callTypes leaves it out by default). */
  internal: boolean;
}

/** One rep: a Salesforce user with an extension, on a real WebSocket to their bridge. */
class Rep {
  ws: WebSocket | undefined;
  /** The bridge incarnation this rep's socket is ready on (0: not connected). */
  readyOn = 0;
  /** The extensions the last `ready` frame listed for this rep. */
  readyWith: readonly string[] = [];
  constructor(
    readonly userId: string,
    readonly extension: string,
    readonly bridge: BridgeProcess,
    private readonly seen: Map<string, LegSeen>,
  ) {}

  async connect(sign: (userId: string) => Promise<string>): Promise<void> {
    const incarnation = this.bridge.incarnation;
    const token = await sign(this.userId);
    const ws = new WebSocket(`ws://127.0.0.1:${String(this.bridge.port)}/ws`);
    this.ws = ws;
    await new Promise<void>((resolve, reject) => {
      ws.once('error', reject);
      ws.once('close', () => reject(new Error('closed before ready')));
      ws.once('open', () => ws.send(JSON.stringify({ v: 1, type: 'hello', token })));
      ws.on('message', (data) => {
        const frame = JSON.parse(rawDataToString(data)) as {
          type: string;
          call?: Call;
          calls?: Call[];
          code?: string;
          extensions?: string[];
        };
        if (frame.type === 'ready') {
          this.readyWith = frame.extensions ?? [];
          for (const call of frame.calls ?? []) this.record(call);
          this.readyOn = incarnation;
          resolve();
        } else if (frame.type === 'call' && frame.call !== undefined) this.record(frame.call);
        else if (frame.type === 'error' && this.readyOn === 0)
          reject(new Error(`hello refused: ${String(frame.code)}`));
      });
    });
    ws.on('close', () => {
      if (this.ws === ws) this.readyOn = 0;
    });
    ws.on('error', () => undefined);
  }

  get ready(): boolean {
    return this.readyOn !== 0 && this.readyOn === this.bridge.incarnation;
  }

  private record(call: Call): void {
    const leg = this.seen.get(call.id) ?? { states: new Set(), internal: call.internal };
    leg.states.add(call.state);
    this.seen.set(call.id, leg);
  }
}

/** A ring the soak caused on a bridge for a rep whose socket was ready at that moment. */
interface Ring {
  legId: string;
  bridge: BridgeProcess;
  incarnation: number;
  at: number;
  /** The AMI link was cut on purpose while this call's frames were being sent. */
  cutLink?: boolean;
  /** The extensions the rep's `ready` frame gave them (to tell a lost pop's cause). */
  readyWith: readonly string[];
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const startedAt = Date.now();
  const dir = mkdtempSync(path.join(tmpdir(), 'switchboard-soak-'));
  const log = (text: string) => process.stdout.write(`[soak ${elapsed(startedAt)}s] ${text}\n`);

  const users = Array.from({ length: options.reps }, (_v, i) => ({
    Id: `005SK${String(i).padStart(10, '0')}AAA`,
    Name: `Soak Rep ${String(i)}`,
    Email: `rep${String(i)}@soak.example`,
    IsActive: true,
  }));
  const org = await EmulatedOrg.start({
    seed: {
      User: users,
      Contact: KNOWN_NUMBERS.map((Phone, i) => ({
        FirstName: 'Soak',
        LastName: `Caller ${String(i)}`,
        Phone,
        OwnerId: users[i % users.length]?.Id ?? null,
      })),
    },
    apiLimit: 100_000_000,
    logger: silentLogger(),
  });
  const certificate = path.join(dir, 'org-certificate.pem');
  writeFileSync(certificate, org.identity.certificatePem);

  const ami = new AmiTestServer({ username: AMI_USER, secret: AMI_SECRET, split: 'random' });
  const amiPort = await ami.listen();
  const half = Math.floor(options.reps / 2);
  const extensionOf = (i: number) => String(i < half ? 20000 + i : 30000 + i - half);

  const bridgeFor = (label: string, pbx: Record<string, unknown>) =>
    configuredBridge(dir, label, {
      ...emulatedOrgSections(org, certificate),
      pbx,
      users: users.map((u, i) => ({ extension: extensionOf(i), email: u.Email })),
      // Retries capped low so a Task held back by a fault is written within the run.
      callLog: { retry: { baseSeconds: 1, maxSeconds: 5 } },
      log: { level: options.logLevel, format: 'json' },
    });
  const webhookBridge = await bridgeFor('webhook', {
    adapter: 'webhook',
    webhook: { token: WEBHOOK_TOKEN },
  });
  const amiBridge = await bridgeFor('asterisk', {
    adapter: 'asterisk',
    asterisk: {
      host: '127.0.0.1',
      port: amiPort,
      username: AMI_USER,
      secret: AMI_SECRET,
      usersFromVoicemail: false,
    },
  });
  const bridges = [webhookBridge, amiBridge];

  const seen = new Map<string, LegSeen>();
  const reps = users.map(
    (u, i) => new Rep(u.Id, extensionOf(i), i < half ? webhookBridge : amiBridge, seen),
  );
  const sign = (userId: string) => org.identity.signToken(userId);
  let reconnectFailures = 0;
  /** Connects a bridge's reps, 50 at a time; a refused hello is tried again. */
  async function connectReps(bridge: BridgeProcess): Promise<void> {
    const mine = reps.filter((r) => r.bridge === bridge);
    for (let from = 0; from < mine.length; from += 50) {
      await Promise.all(
        mine.slice(from, from + 50).map(async (rep) => {
          for (let attempt = 0; attempt < 20 && bridge.alive; attempt++) {
            try {
              await rep.connect(sign);
              return;
            } catch {
              reconnectFailures += 1;
              await sleep(250 * (attempt + 1));
            }
          }
        }),
      );
    }
  }

  log(
    `${String(options.reps)} reps, ${String(options.minutes)} min, a SIGKILL every ` +
      `${String(options.killEvery)} s, ${String(options.rate)} webhook calls/s; work dir ${dir}`,
  );
  await Promise.all(bridges.map((b) => b.start()));
  await Promise.all([connectReps(webhookBridge), connectReps(amiBridge), ami.waitForLogin()]);
  log(`reps connected: ${String(reps.filter((r) => r.ready).length)}`);

  const rings: Ring[] = [];
  /** Legs a webhook call's ringing and ended both reached one bridge incarnation: a Task is due. */
  const webhookEnded = new Set<string>();
  const deadline = startedAt + options.minutes * 60_000;
  const running = () => Date.now() < deadline;
  let notAccepted = 0;
  let amiCutLinks = 0;
  const faultsApplied: Record<string, number> = {};

  const readyRep = (bridge: BridgeProcess, not?: Rep): Rep | undefined => {
    const candidates = reps.filter((r) => r.bridge === bridge && r.ready && r !== not);
    return candidates[Math.floor(Math.random() * candidates.length)];
  };

  async function postEvent(body: Record<string, unknown>): Promise<number | undefined> {
    const incarnation = webhookBridge.incarnation;
    try {
      const response = await fetch(`${webhookBridge.httpUrl}/pbx/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${WEBHOOK_TOKEN}` },
        body: JSON.stringify(body),
      });
      await response.arrayBuffer();
      return response.status === 202 ? incarnation : undefined;
    } catch {
      return undefined; // the bridge is down
    }
  }

  /** A PBX delivers an event until the bridge takes it (it is down while being restarted). */
  async function deliver(body: Record<string, unknown>): Promise<number | undefined> {
    for (let attempt = 0; attempt < 60; attempt++) {
      const incarnation = await postEvent(body);
      if (incarnation !== undefined) return incarnation;
      await sleep(500);
    }
    return undefined;
  }

  async function webhookCall(n: number): Promise<void> {
    const rep = readyRep(webhookBridge);
    if (rep === undefined) return;
    const callId = `soak-w-${String(n)}`;
    const legId = `${callId}:${rep.extension}`;
    const number =
      n % 3 === 0 ? `+1303555${String(n % 10_000).padStart(4, '0')}` : KNOWN_NUMBERS[n % 40];
    const base = { callId, direction: 'inbound', extension: rep.extension };
    const rangOn = await postEvent({ ...base, event: 'ringing', number });
    if (rangOn === undefined) {
      notAccepted += 1;
      return;
    }
    rings.push({
      legId,
      bridge: webhookBridge,
      incarnation: rangOn,
      at: Date.now(),
      readyWith: rep.readyWith,
    });
    await sleep(300 + Math.random() * 1500);
    const answered = n % 5 !== 0;
    if (answered) await deliver({ ...base, event: 'answered' });
    await sleep(300 + Math.random() * 2000);
    const endedOn = await deliver({
      ...base,
      event: 'ended',
      reason: answered ? 'completed' : 'missed',
    });
    if (endedOn === rangOn) webhookEnded.add(legId);
  }

  const captures = loadSoakCaptures(REPO_ROOT);
  async function amiCall(n: number): Promise<void> {
    const first = readyRep(amiBridge);
    const second = first === undefined ? undefined : readyRep(amiBridge, first);
    if (first === undefined || second === undefined) return;
    const template = captures[n % captures.length];
    if (template === undefined) return;
    const replay = replayCapture(template, n, first.extension, second.extension);
    const incarnation = amiBridge.incarnation;
    // Every 7th call the PBX link drops halfway through it.
    const cut = n % 7 === 3;
    const frames = cut
      ? replay.frames.slice(0, Math.ceil(replay.frames.length / 2))
      : replay.frames;
    try {
      await ami.send(frames);
    } catch {
      return; // no bridge logged in (it is being restarted): the PBX's calls go unseen
    }
    const rung = template.rings === '201' ? first : second;
    rings.push({
      legId: `${replay.linkedid}:${rung.extension}`,
      readyWith: rung.readyWith,
      bridge: amiBridge,
      incarnation,
      at: Date.now(),
      cutLink: cut,
    });
    if (cut) {
      amiCutLinks += 1;
      ami.dropAll();
      await ami.waitForLogin(ami.logins + 1).catch(() => undefined);
    }
  }

  const SALESFORCE_FAULTS: Array<[string, () => void]> = [
    ['503 on queries', () => org.faults.failNext(3, 503, ['query', 'search'])],
    ['500 on Task create', () => org.faults.failNext(2, 500, 'create')],
    ['REQUEST_LIMIT_EXCEEDED', () => org.faults.failNext(2, 'REQUEST_LIMIT_EXCEEDED')],
    ['UNABLE_TO_LOCK_ROW on create', () => org.faults.failNext(3, 'UNABLE_TO_LOCK_ROW', 'create')],
    ['INVALID_SESSION_ID (sessions expired)', () => org.faults.expireSessions()],
    ['502 on anything', () => org.faults.failNext(2, 502)],
  ];

  const loops: Array<Promise<void>> = [];
  // Webhook calls at the rate asked, each living a few seconds.
  loops.push(
    (async () => {
      const calls: Array<Promise<void>> = [];
      for (let n = 0; running(); n++) {
        calls.push(webhookCall(n));
        await sleep(1000 / options.rate);
      }
      await Promise.all(calls);
    })(),
  );
  // AMI replays, one after another.
  loops.push(
    (async () => {
      for (let n = 0; running(); n++) {
        await amiCall(n);
        await sleep(150);
      }
    })(),
  );
  // Salesforce faults, one every 2 s in turn.
  loops.push(
    (async () => {
      for (let n = 0; running(); n++) {
        const [name, apply] = SALESFORCE_FAULTS[n % SALESFORCE_FAULTS.length] ?? [
          '',
          () => undefined,
        ];
        apply();
        faultsApplied[name] = (faultsApplied[name] ?? 0) + 1;
        await sleep(2000);
      }
    })(),
  );
  // SIGKILL, the two bridges in turn; restart at once and reconnect the reps.
  loops.push(
    (async () => {
      for (let n = 0; ; n++) {
        await sleep(Math.min(options.killEvery * 1000, deadline - Date.now()));
        // No kill in the last seconds: the bridge would still be coming back when traffic stops.
        if (deadline - Date.now() < 5000) return;
        const bridge = bridges[n % 2] as BridgeProcess;
        await bridge.kill();
        log(`SIGKILL ${bridge.label} (#${String(bridge.incarnation)})`);
        await bridge.start();
        await connectReps(bridge);
        log(
          `${bridge.label} back (#${String(bridge.incarnation)}), reps ready: ${String(reps.filter((r) => r.ready).length)}`,
        );
      }
    })(),
  );
  // RSS every 2 s.
  loops.push(
    (async () => {
      while (running()) {
        for (const b of bridges) b.sampleRss(startedAt);
        await sleep(2000);
      }
    })(),
  );
  await Promise.all(loops);

  // Drain: faults off, then wait until every due Task is in the org (or give up after 90 s).
  org.faults.clear();
  log('traffic stopped; waiting for pops and Tasks to drain');
  const isSoakCall = (callObject: string) => /^(soak-w-\d+|1\d{9}\.\d+):/.test(callObject);
  // Counted with maps, not by scanning: the org answers the bridges from this same process, and
  // an hour's ~27,000 Tasks scanned per due call kept it from answering for minutes.
  const taskCounts = (): TaskCounts => {
    const counts: TaskCounts = { byLeg: new Map(), byCall: new Map() };
    for (const task of org.records('Task')) {
      const callObject = typeof task.CallObject === 'string' ? task.CallObject : '';
      if (!isSoakCall(callObject)) continue;
      counts.byLeg.set(callObject, (counts.byLeg.get(callObject) ?? 0) + 1);
      const call = pbxCallOf(callObject);
      counts.byCall.set(call, (counts.byCall.get(call) ?? 0) + 1);
    }
    return counts;
  };
  // docs/call-logging.md: one Task per answered conversation, and ONE missed-call Task per call
  // nobody answered. A queue call answered by one member leaves no Task for the legs that only
  // rang; a queue call nobody answered (as far as the bridge saw: an AMI cut while the members
  // ring, the call gone at reconnect) has one Task, under whichever leg rang first.
  const dueTasks = (): Due[] => {
    const due = new Map<string, Due>([...webhookEnded].map((l) => [l, { leg: l }]));
    const answeredCalls = new Set<string>();
    for (const [legId, leg] of seen)
      if (leg.states.has('connected')) answeredCalls.add(pbxCallOf(legId));
    for (const [legId, leg] of seen) {
      if (!leg.states.has('ended') || leg.internal || due.has(legId)) continue;
      const call = pbxCallOf(legId);
      if (leg.states.has('connected')) due.set(legId, { leg: legId });
      else if (!answeredCalls.has(call)) due.set(`${call}:*`, { call });
    }
    return [...due.values()];
  };
  const drainUntil = Date.now() + 90_000;
  for (;;) {
    const counts = taskCounts();
    const missing = dueTasks().filter((d) => tasksFor(d, counts) === 0);
    if (missing.length === 0 || Date.now() > drainUntil) break;
    await sleep(1000);
  }
  for (const b of bridges) b.sampleRss(startedAt);

  // Counting.
  const popped = (legId: string) => seen.has(legId);
  // A ring is excused only when its bridge was killed within 5 s of it (a pop normally takes
  // milliseconds): a pop missing for longer before a kill is counted as lost.
  const killedLater = (ring: Ring) => {
    const killedAt = ring.bridge.killedAt.get(ring.incarnation);
    return killedAt !== undefined && killedAt - ring.at < 5000;
  };
  const lostPops = rings.filter((r) => !popped(r.legId) && !killedLater(r) && r.cutLink !== true);
  const cutPops = rings.filter((r) => !popped(r.legId) && (killedLater(r) || r.cutLink === true));
  const counts = taskCounts();
  const due = dueTasks();
  const lostTasks = due.filter((d) => tasksFor(d, counts) === 0).map(dueLabel);
  const doubled = [
    ...[...counts.byLeg].filter(([, n]) => n > 1).map(([legId]) => legId),
    ...due.filter((d) => d.call !== undefined && tasksFor(d, counts) > 1).map(dueLabel),
  ];
  const dueLegs = new Set(due.map((d) => d.leg));
  const dueCalls = new Set(due.map((d) => d.call));
  const covered = (legId: string) => dueLegs.has(legId) || dueCalls.has(pbxCallOf(legId));
  // Calls whose end no bridge saw: cut by a SIGKILL (or an AMI link cut) while in progress.
  // The bridge holds calls in progress in memory only, so these are never logged.
  const neverLogged = rings.filter((r) => !covered(r.legId) && !counts.byLeg.has(r.legId));
  const crashes = bridges.flatMap((b) => b.crashes);
  const errorLines = bridges.flatMap((b) => b.errorLines);
  const peak = (b: BridgeProcess) => Math.max(0, ...b.rss.map((s) => s.mb));
  const overRss = bridges.filter((b) => peak(b) > options.maxRssMb);

  const rssLine = (b: BridgeProcess) => {
    const byIncarnation = new Map<number, RssSample[]>();
    for (const s of b.rss)
      byIncarnation.set(s.incarnation, [...(byIncarnation.get(s.incarnation) ?? []), s]);
    const spans = [...byIncarnation].map(([inc, samples]) => {
      const first = samples[Math.min(samples.length - 1, 2)]?.mb ?? 0;
      const last = samples[samples.length - 1]?.mb ?? 0;
      const lived = (samples[samples.length - 1]?.at ?? 0) - (samples[0]?.at ?? 0);
      return `#${String(inc)} ${first.toFixed(0)}→${last.toFixed(0)} MB in ${lived.toFixed(0)} s`;
    });
    return `${b.label}: peak ${peak(b).toFixed(0)} MB; ${spans.join(', ')}`;
  };
  const webhookRings = rings.filter((r) => r.bridge === webhookBridge).length;
  const lines = [
    `Command: npm run soak -- --minutes ${String(options.minutes)} --reps ${String(options.reps)} --kill-every ${String(options.killEvery)} --rate ${String(options.rate)}`,
    `Machine: ${String(cpus().length)} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}; ran ${elapsed(startedAt)} s`,
    `Reps: ${String(options.reps)} (${String(half)} on the webhook bridge, ${String(options.reps - half)} on the AMI bridge); refused or failed reconnects retried: ${String(reconnectFailures)}`,
    `Rang for a connected rep: ${String(rings.length)} (webhook ${String(webhookRings)}, AMI replays ${String(rings.length - webhookRings)}); pops received: ${String(rings.length - lostPops.length - cutPops.length)}; lost: ${String(lostPops.length)}`,
    `  not counted as lost: ${String(cutPops.length)} rings whose bridge was SIGKILLed or whose AMI link was cut before the pop (${String(amiCutLinks)} link cuts); webhook ringing refused while a bridge was down: ${String(notAccepted)}`,
    `Ended calls a Task was due for: ${String(due.length)}; Tasks: ${String([...counts.byLeg.values()].reduce((a, b) => a + b, 0))}; lost: ${String(lostTasks.length)}; doubled: ${String(doubled.length)}`,
    `  calls in progress when their bridge was SIGKILLed or their AMI link cut, whose end no bridge saw (never logged: not promised today): ${String(neverLogged.length)}`,
    `SIGKILLs: ${bridges.map((b) => `${b.label} ${String(b.kills)}`).join(', ')}; crashes: ${String(crashes.length)}; error/fatal log lines: ${String(errorLines.length)}`,
    `Salesforce faults: ${Object.entries(faultsApplied)
      .map(([k, v]) => `${k} ×${String(v)}`)
      .join(', ')}`,
    `RSS (limit ${String(options.maxRssMb)} MB): ${bridges.map(rssLine).join(' | ')}`,
  ];
  for (const line of lines) process.stdout.write(`${line}\n`);
  const verdict = (bad: boolean) => (bad ? 'FAIL' : 'ok');
  const table: Array<[string, string, boolean]> = [
    [
      'pops received / rang',
      `${String(rings.length - lostPops.length - cutPops.length)} / ${String(rings.length - cutPops.length)} (lost ${String(lostPops.length)})`,
      lostPops.length > 0,
    ],
    [
      'Tasks / due',
      `${String(due.length - lostTasks.length)} / ${String(due.length)} (lost ${String(lostTasks.length)}, doubled ${String(doubled.length)})`,
      lostTasks.length + doubled.length > 0,
    ],
    [
      'crashes',
      `${String(crashes.length)} (SIGKILLs ${String(bridges.reduce((n, b) => n + b.kills, 0))}, AMI cuts ${String(amiCutLinks)})`,
      crashes.length > 0,
    ],
    [
      'peak RSS MB',
      `${bridges.map((b) => `${b.label} ${peak(b).toFixed(0)}`).join(', ')} (limit ${String(options.maxRssMb)})`,
      overRss.length > 0,
    ],
  ];
  for (const [what, figures, bad] of table)
    process.stdout.write(
      `| ${what.padEnd(20)} | ${figures.padEnd(52)} | ${verdict(bad).padEnd(4)} |\n`,
    );
  for (const line of [...crashes, ...errorLines].slice(0, 10)) process.stdout.write(`  ${line}\n`);
  if (lostPops.length > 0)
    process.stdout.write(
      `  lost pops: ${lostPops
        .slice(0, 10)
        .map(
          (r) =>
            `${r.legId} at ${((r.at - startedAt) / 1000).toFixed(0)} s (${r.bridge.label} ` +
            `#${String(r.incarnation)}, ready with [${r.readyWith.join(' ')}])`,
        )
        .join(', ')}\n`,
    );
  if (lostTasks.length > 0)
    process.stdout.write(`  lost Tasks: ${lostTasks.slice(0, 10).join(', ')}\n`);
  if (doubled.length > 0)
    process.stdout.write(`  doubled Tasks: ${doubled.slice(0, 10).join(', ')}\n`);

  for (const rep of reps) rep.ws?.terminate();
  await Promise.all(bridges.map((b) => b.kill()));
  await ami.close();
  await org.stop();
  const failed =
    lostPops.length > 0 ||
    lostTasks.length > 0 ||
    doubled.length > 0 ||
    crashes.length > 0 ||
    overRss.length > 0;
  if (failed)
    process.stdout.write(`  bridge logs (${options.logLevel} and above) kept in ${dir}\n`);
  else rmSync(dir, { recursive: true, force: true });
  process.stdout.write(
    failed ? 'SOAK FAILED\n' : 'soak passed: nothing lost, nothing doubled, no crash\n',
  );
  process.exit(failed ? 1 : 0);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `soak failed to run: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});

/** The PBX call a leg belongs to: leg ids are `<pbx call id>:<extension>`. */
function pbxCallOf(legId: string): string {
  return legId.slice(0, legId.lastIndexOf(':'));
}

/** A Task the org must hold: for one leg (a conversation), or once for a call nobody answered. */
type Due = { leg: string; call?: undefined } | { call: string; leg?: undefined };

function dueLabel(due: Due): string {
  return due.leg ?? `${due.call}:* (missed call)`;
}

/** The soak's Tasks in the org, by CallObject (`<pbx call id>:<extension>`) and by PBX call. */
interface TaskCounts {
  byLeg: Map<string, number>;
  byCall: Map<string, number>;
}

/** Tasks in the org for what is due. */
function tasksFor(due: Due, counts: TaskCounts): number {
  return due.leg !== undefined
    ? (counts.byLeg.get(due.leg) ?? 0)
    : (counts.byCall.get(due.call) ?? 0);
}
