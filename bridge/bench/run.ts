// npm run bench — N authenticated WebSocket clients on the real bridge (child process, emulated
// org, webhook PBX), calls injected at a fixed rate through the webhook; the time until the
// `call` frame reaches the rep's socket, Salesforce API calls per call and the bridge's memory;
// and the same traffic through a bare ws relay (bare-relay.ts) as the baseline.
//
// Bridge and relay run side by side and take turns in short rounds (who goes first alternates),
// so whatever else the machine does in those minutes lands on both: run one after the other,
// three runs at 10,000 reps gave warm p99 ratios of 2.9x, 20.7x and 1.2x. The figure is the
// median of the per-round ratios, with its spread.
//   node bridge/dist/bench/run.js [--clients 1000] [--calls 2000] [--rounds 10] [--rate 100]
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { SignJWT, importPKCS8 } from 'jose';
import WebSocket from 'ws';
import { stringify as toYaml } from 'yaml';
import { rawDataToString } from '../src/hub/websocket-hub';
import { freePort, rssMb } from './process-tools';
import { summarizeRatios } from './round-stats';

interface Options {
  clients: number;
  /** Warm calls through each of bridge and relay, split evenly over the rounds. */
  calls: number;
  rounds: number;
  rate: number;
}

const OPTION_KEYS = ['clients', 'calls', 'rounds', 'rate'] as const;

function parseArgs(argv: string[]): Options {
  const options: Options = { clients: 1000, calls: 2000, rounds: 10, rate: 100 };
  for (let i = 0; i < argv.length; i += 2) {
    const key = OPTION_KEYS.find((k) => argv[i] === `--${k}`);
    const value = Number(argv[i + 1]);
    if (key !== undefined && Number.isInteger(value) && value > 0) options[key] = value;
    else
      throw new Error(
        `unknown or bad option ${argv[i] ?? ''} ${argv[i + 1] ?? ''} (use --clients N --calls N --rounds N --rate N)`,
      );
  }
  return options;
}

const TOKEN = 'bench-webhook-token';
const KNOWN_NUMBERS = Array.from({ length: 50 }, (_v, i) => `+1 (415) 555-${String(1000 + i)}`);

interface Phase {
  label: string;
  latencies: number[];
  afterReply: number[];
  /** Frames that reached the rep before the PBX got the webhook's HTTP reply. */
  framesBeforeReply: number;
  lost: number;
  rssBeforeMb: number;
  rssAfterMb: number;
  /** CPU time (user + system) the server process spent per call in this phase. */
  cpuMsPerCall: number;
  apiCallsPerCall?: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

/** User + system CPU time of a process so far, in ms (from /proc/<pid>/stat, 100 ticks/s). */
function cpuMs(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function waitForHealthy(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`bridge exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('bridge did not become healthy');
}

/** Opens sockets in batches; each resolves once the server's ready frame arrived. */
async function connectClients(
  count: number,
  open: (i: number) => Promise<WebSocket>,
): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  for (let start = 0; start < count; start += 100) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(100, count - start) }, (_v, j) => open(start + j)),
    );
    sockets.push(...batch);
  }
  return sockets;
}

function openSocket(url: string, firstFrame: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.once('error', reject);
    socket.once('open', () => socket.send(firstFrame));
    const onMessage = (data: WebSocket.RawData) => {
      const frame = JSON.parse(rawDataToString(data)) as { type: string };
      if (frame.type === 'ready') {
        socket.off('message', onMessage);
        resolve(socket);
      } else if (frame.type === 'error') reject(new Error(rawDataToString(data)));
    };
    socket.on('message', onMessage);
  });
}

/**
 * Sends `calls` ringing events at `rate`/s (each followed by its `ended`) and measures, per
 * call, the time from sending the webhook request to the first `call` frame at the rep's
 * socket, and from the webhook's reply to that frame (0 when the frame came first).
 */
async function drive(
  label: string,
  httpUrl: string,
  sockets: WebSocket[],
  options: { calls: number; rate: number },
  pid: number | undefined,
  numberFor: (i: number) => string,
): Promise<Phase> {
  const sentAt = new Map<string, number>();
  const repliedAt = new Map<string, number>();
  const frameAt = new Map<string, number>();
  const onFrame = (data: WebSocket.RawData) => {
    const arrived = performance.now();
    const frame = JSON.parse(rawDataToString(data)) as { type: string; call?: { id: string } };
    if (frame.type !== 'call' || frame.call === undefined) return;
    const callId = frame.call.id.split(':')[0] ?? '';
    if (sentAt.has(callId) && !frameAt.has(callId)) frameAt.set(callId, arrived);
  };
  for (const s of sockets) s.on('message', onFrame);
  const rssBeforeMb = rssMb(pid) ?? NaN;
  const cpuBefore = cpuMs(pid);
  const post = async (body: unknown): Promise<void> => {
    const response = await fetch(`${httpUrl}/pbx/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify(body),
    });
    await response.arrayBuffer();
  };
  const started = performance.now();
  const inflight: Array<Promise<void>> = [];
  for (let i = 0; i < options.calls; i++) {
    const due = started + (i * 1000) / options.rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const callId = `${label}-${i}-${randomUUID().slice(0, 8)}`;
    const extension = String(1000 + (i % sockets.length));
    sentAt.set(callId, performance.now());
    const ring = {
      callId,
      event: 'ringing',
      direction: 'inbound',
      extension,
      number: numberFor(i),
    };
    inflight.push(
      post(ring).then(async () => {
        repliedAt.set(callId, performance.now());
        await post({ callId, event: 'ended', direction: 'inbound', extension });
      }),
    );
  }
  await Promise.all(inflight);
  await new Promise((r) => setTimeout(r, 1000));
  for (const s of sockets) s.off('message', onFrame);
  const latencies: number[] = [];
  const afterReply: number[] = [];
  let framesBeforeReply = 0;
  for (const [callId, arrived] of frameAt) {
    latencies.push(arrived - (sentAt.get(callId) ?? arrived));
    const replied = repliedAt.get(callId) ?? arrived;
    afterReply.push(Math.max(0, arrived - replied));
    if (arrived <= replied) framesBeforeReply++;
  }
  return {
    label,
    latencies: latencies.sort((a, b) => a - b),
    afterReply: afterReply.sort((a, b) => a - b),
    framesBeforeReply,
    lost: options.calls - frameAt.size,
    rssBeforeMb,
    rssAfterMb: rssMb(pid) ?? NaN,
    cpuMsPerCall: (cpuMs(pid) - cpuBefore) / options.calls,
  };
}

async function apiUsed(httpUrl: string): Promise<number> {
  const health = (await (await fetch(`${httpUrl}/healthz`)).json()) as {
    salesforce?: { apiUsage?: { used: number } };
  };
  return health.salesforce?.apiUsage?.used ?? NaN;
}

/** A server under test with its clients connected: the bridge or the bare relay. */
interface Target {
  httpUrl: string;
  sockets: WebSocket[];
  pid: number | undefined;
  stop(): void;
}

/** The real bridge (child process) on the emulated org (another), its reps connected. */
async function startBridgeTarget(options: Options, dir: string): Promise<Target> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signingKey = await importPKCS8(
    privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    'RS256',
  );
  const certFile = path.join(dir, 'org-public.pem');
  writeFileSync(certFile, publicKey.export({ type: 'spki', format: 'pem' }).toString());
  const users = Array.from({ length: options.clients }, (_v, i) => ({
    Id: `005${String(i).padStart(12, '0')}AAA`,
    Name: `Rep ${i}`,
    Email: `rep${i}@bench.example`,
    IsActive: true,
  }));
  const contacts = KNOWN_NUMBERS.map((phone, i) => ({
    FirstName: 'Bench',
    LastName: `Contact ${i}`,
    Phone: phone,
    OwnerId: users[i % users.length]?.Id,
  }));
  const seedFile = path.join(dir, 'seed.json');
  writeFileSync(seedFile, JSON.stringify({ User: users, Contact: contacts }));
  const orgProcess = spawn(
    process.execPath,
    [path.join(__dirname, 'emulated-org-process.js'), seedFile],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const org = JSON.parse(await firstLine(orgProcess)) as {
    url: string;
    orgId: string;
    clientId: string;
    clientSecret: string;
  };
  const port = await freePort();
  const configFile = path.join(dir, 'bench.yaml');
  writeFileSync(
    configFile,
    toYaml({
      server: { port, host: '127.0.0.1' },
      auth: { certificate: certFile, orgIds: [org.orgId] },
      salesforce: { loginUrl: org.url, clientId: org.clientId, clientSecret: org.clientSecret },
      storage: { database: path.join(dir, 'bench.db') },
      lookup: { cacheTtlSeconds: 600 },
      pbx: { adapter: 'webhook', webhook: { token: TOKEN } },
      users: users.map((u, i) => ({ extension: String(1000 + i), email: u.Email })),
      log: { level: 'warn' },
      callLog: { enabled: process.env.BENCH_CALL_LOG !== '0' },
    }),
  );
  const child = spawn(
    process.execPath,
    [
      ...(process.env.BENCH_PROFILE_DIR === undefined
        ? []
        : ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`]),
      path.join(__dirname, '../src/cli.js'),
      'start',
      '--config',
      configFile,
    ],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const stop = () => {
    child.kill('SIGTERM');
    orgProcess.kill('SIGTERM');
  };
  const httpUrl = `http://127.0.0.1:${port}`;
  try {
    await waitForHealthy(httpUrl, child);
    const now = Math.floor(Date.now() / 1000);
    const sockets = await connectClients(options.clients, async (i) => {
      const token = await new SignJWT({ email: `rep${i}@bench.example` })
        .setProtectedHeader({ alg: 'RS256' })
        .setIssuer(org.orgId)
        .setSubject(users[i]?.Id ?? '')
        .setAudience('switchboard-bridge')
        .setIssuedAt(now)
        .setExpirationTime(now + 300)
        .setJti(randomUUID())
        .sign(signingKey);
      return openSocket(
        `ws://127.0.0.1:${port}/ws`,
        JSON.stringify({ v: 1, type: 'hello', token }),
      );
    });
    return { httpUrl, sockets, pid: child.pid, stop };
  } catch (error) {
    stop();
    throw error;
  }
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    if (child.stdout === null) {
      reject(new Error('child has no stdout'));
      return;
    }
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`child exited with ${String(code)}`)));
  });
}

/** The bare relay (child process), its clients connected. */
async function startRelayTarget(options: Options): Promise<Target> {
  const child = spawn(process.execPath, [path.join(__dirname, 'bare-relay.js')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const { port } = JSON.parse(await firstLine(child)) as { port: number };
    const sockets = await connectClients(options.clients, (i) =>
      openSocket(`ws://127.0.0.1:${port}/ws`, JSON.stringify({ extension: String(1000 + i) })),
    );
    return {
      httpUrl: `http://127.0.0.1:${port}`,
      sockets,
      pid: child.pid,
      stop: () => child.kill('SIGTERM'),
    };
  } catch (error) {
    child.kill('SIGTERM');
    throw error;
  }
}

/** One side's rounds as one phase: every latency, CPU per call over all of them, RSS across. */
function pooled(label: string, rounds: Phase[], calls: number): Phase {
  const sorted = (key: 'latencies' | 'afterReply') =>
    rounds.flatMap((r) => r[key]).sort((a, b) => a - b);
  const sum = (f: (r: Phase) => number) => rounds.reduce((t, r) => t + f(r), 0);
  return {
    label,
    latencies: sorted('latencies'),
    afterReply: sorted('afterReply'),
    framesBeforeReply: sum((r) => r.framesBeforeReply),
    lost: sum((r) => r.lost),
    rssBeforeMb: rounds[0]?.rssBeforeMb ?? NaN,
    rssAfterMb: rounds.at(-1)?.rssAfterMb ?? NaN,
    cpuMsPerCall: sum((r) => r.cpuMsPerCall * calls) / (calls * rounds.length),
    apiCallsPerCall: rounds[0]?.apiCallsPerCall,
  };
}

function row(phase: Phase): string {
  const f = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : 'n/a');
  const l = phase.latencies;
  const r = phase.afterReply;
  const before = `${Math.round((100 * phase.framesBeforeReply) / Math.max(1, l.length))}%`;
  return `| ${phase.label} | ${l.length} | ${phase.lost} | ${f(percentile(l, 50))} | ${f(percentile(l, 99))} | ${f(l[l.length - 1] ?? NaN)} | ${before} | ${f(percentile(r, 99))} | ${phase.apiCallsPerCall === undefined ? '—' : f(phase.apiCallsPerCall)} | ${f(phase.cpuMsPerCall)} | ${f(phase.rssBeforeMb)} → ${f(phase.rssAfterMb)} |`;
}

function ratioLine(name: string, ratios: number[]): string {
  const r = summarizeRatios(ratios);
  const x = (n: number) => `${n.toFixed(2)}x`;
  return (
    `${name}: median ${x(r.median)} over ${ratios.length} rounds (quartiles ${x(r.q1)}–${x(r.q3)}, ` +
    `range ${x(r.min)}–${x(r.max)}); the running median stays within ±10 % from round ${r.stableFrom}. ` +
    `Per round: ${ratios.map((v) => v.toFixed(2)).join(' ')}`
  );
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const dir = mkdtempSync(path.join(tmpdir(), 'switchboard-bench-'));
  const warmNumber = (i: number) => KNOWN_NUMBERS[i % KNOWN_NUMBERS.length] ?? '';
  const round = { calls: Math.ceil(options.calls / options.rounds), rate: options.rate };
  const bridge = await startBridgeTarget(options, dir);
  let relay: Target | undefined;
  try {
    relay = await startRelayTarget(options);
    const run = (
      label: string,
      target: Target,
      shape: { calls: number; rate: number },
      numberFor: (i: number) => string,
    ) =>
      drive(label, target.httpUrl, target.sockets, { ...options, ...shape }, target.pid, numberFor);

    // Warm the bridge's lookup cache for the known numbers (the relay has none).
    await run('warmup', bridge, { ...round, calls: KNOWN_NUMBERS.length }, warmNumber);
    const warmRounds: Phase[] = [];
    const bareRounds: Phase[] = [];
    const usedBefore = await apiUsed(bridge.httpUrl);
    for (let r = 0; r < options.rounds; r++) {
      // Alternate who goes first, so a trend within a round's seconds favours neither.
      const order: Array<'bridge' | 'bare'> = r % 2 === 0 ? ['bridge', 'bare'] : ['bare', 'bridge'];
      for (const side of order) {
        if (side === 'bridge') warmRounds.push(await run('warm', bridge, round, warmNumber));
        else bareRounds.push(await run('bare', relay, round, warmNumber));
      }
    }
    const usedAfterWarm = await apiUsed(bridge.httpUrl);
    const warm = pooled('bridge, warm', warmRounds, round.calls);
    warm.apiCallsPerCall = (usedAfterWarm - usedBefore) / (round.calls * options.rounds);
    const bare = pooled('bare relay', bareRounds, round.calls);

    const coldCalls = Math.min(options.calls, 300);
    const cold = await run(
      'cold',
      bridge,
      { calls: coldCalls, rate: options.rate },
      (i) => `+1 (303) 555-${String(1000 + i).padStart(4, '0')}`,
    );
    cold.label = 'bridge, cold';
    cold.apiCallsPerCall = ((await apiUsed(bridge.httpUrl)) - usedAfterWarm) / coldCalls;

    const perRound = (f: (p: Phase) => number) =>
      warmRounds.map((w, i) => f(w) / f(bareRounds[i]!));
    const lines = [
      `Command: npm run bench -- --clients ${options.clients} --calls ${options.calls} --rounds ${options.rounds} --rate ${options.rate}`,
      `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`,
      `Warm traffic: ${options.rounds} rounds of ${round.calls} calls through each of bridge and relay, alternating; cold: ${coldCalls} calls after them.`,
      '',
      '| run | frames | lost | send→frame p50 ms | p99 ms | max ms | frame before reply | reply→frame p99 ms | SF API calls/call | server CPU ms/call | server RSS MB (before → after) |',
      '|---|---|---|---|---|---|---|---|---|---|---|',
      row(warm),
      row(cold),
      row(bare),
      '',
      ratioLine(
        'Bridge warm p99 / bare relay p99',
        perRound((p) => percentile(p.latencies, 99)),
      ),
      ratioLine(
        'Bridge warm p50 / bare relay p50',
        perRound((p) => percentile(p.latencies, 50)),
      ),
      ratioLine(
        'Bridge / relay server CPU per call',
        perRound((p) => p.cpuMsPerCall),
      ),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    for (const s of [...bridge.sockets, ...relay.sockets]) s.terminate();
  } finally {
    bridge.stop();
    relay?.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
