// npm run bench — N authenticated WebSocket clients on the real bridge (child process, emulated
// org, webhook PBX), calls injected at a fixed rate through the webhook; the time until the
// `call` frame reaches the rep's socket, Salesforce API calls per call, the bridge's CPU per
// call and memory per connected rep; and the same traffic through a bare ws relay
// (bare-relay.ts) as the baseline.
//
// Bridge and relay run side by side and take turns in short rounds (who goes first alternates),
// so whatever else the machine does in those minutes lands on both: run one after the other,
// three runs at 10,000 reps gave warm p99 ratios of 2.9x, 20.7x and 1.2x. Both are warmed up
// first with the same calls. The figure is the median of the ratios per pair of rounds (A B,
// B A: round-stats.ts, pairRatios), with its spread. Each side's clients live in a process of
// their own (rep-pool.ts), as one process may not hold 20,000 sockets.
//   node bridge/dist/bench/run.js [--clients 1000] [--calls 2000] [--rounds 10] [--rate 100]
//     [--bridges N] [--kept-logs N] [--pg-statements K]
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { SignJWT, importPKCS8 } from 'jose';
import { stringify as toYaml } from 'yaml';
import type { MemorySample, PauseSample } from './memory-probe';
import { fetchAgain } from './http-again';
import { fillPostgresOutbox, fillSqliteOutbox } from './kept-logs';
import { freePort, rssMb } from './process-tools';
import {
  BENCH_WEBHOOK_TOKEN,
  KNOWN_NUMBERS,
  type Driven,
  type PoolCommand,
  type PoolReply,
} from './rep-pool';
import { pairRatios, summarizeRatios } from './round-stats';
import { startTestPostgres, type TestPostgres } from '../test/support/postgres-instance';
import { BenchUsageError, parseBenchArgs, type BenchOptions } from './bench-options';
import { PG_STATEMENTS_SETTINGS, PgStatements, statementLines } from './pg-statements';

interface Phase extends Driven {
  rssBeforeMb: number;
  rssAfterMb: number;
  /** CPU time (user + system) the server process(es) spent per call in this phase. */
  cpuMsPerCall: number;
  /** Of which PostgreSQL's (--bridges N). */
  dbCpuMsPerCall: number;
  /** The servers' garbage-collector pauses during the phase (the longest of any, summed counts). */
  pauses: PauseSample;
  apiCallsPerCall?: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

/** User + system CPU time of processes so far, in ms (from /proc/<pid>/stat, 100 ticks/s). */
function cpuMs(pids: number[]): number {
  let total = 0;
  for (const pid of pids) {
    const fields = statFields(pid);
    total += (Number(fields[11]) + Number(fields[12])) * 10;
  }
  return total;
}

/** /proc/<pid>/stat after the command name: [0] state, [1] ppid, [11] utime, [12] stime, … */
function statFields(pid: number): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/**
 * CPU time of a server and its children, in ms: PostgreSQL serves each connection in a process
 * of its own (live ones are counted directly, those that ended through the parent's cutime).
 */
function treeCpuMs(pid: number | undefined): number {
  if (pid === undefined) return 0;
  const own = statFields(pid);
  let total = (Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14])) * 10;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const fields = statFields(Number(entry));
      if (Number(fields[1]) === pid) total += (Number(fields[11]) + Number(fields[12])) * 10;
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

const totalRssMb = (pids: number[]) => pids.reduce((t, pid) => t + (rssMb(pid) ?? NaN), 0);

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

/** Answers the next IPC message of `type` from `child` (or fails when it exits or reports). */
function nextMessage<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: { type: string; error?: string }) => {
      if (message.type !== type && message.type !== 'failed') return;
      done();
      if (message.type === 'failed') reject(new Error(message.error));
      else resolve(message as T);
    };
    const onExit = (code: number | null) => {
      done();
      reject(new Error(`child exited with ${String(code)} while ${type} was awaited`));
    };
    const done = () => {
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/** One side's rep pool (rep-pool.ts) in its own process. */
class Pool {
  private readonly child = fork(path.join(__dirname, 'rep-pool.js'), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });

  async connect(sockets: Array<{ url: string; firstFrame: string }>): Promise<void> {
    const answer = nextMessage<PoolReply>(this.child, 'connected');
    this.child.send({ type: 'connect', sockets } satisfies PoolCommand);
    await answer;
  }

  async drive(command: Extract<PoolCommand, { type: 'drive' }>): Promise<Driven> {
    const answer = nextMessage<Extract<PoolReply, { type: 'driven' }>>(this.child, 'driven');
    this.child.send(command);
    return (await answer).result;
  }

  close(): void {
    if (this.child.connected) this.child.send({ type: 'close' } satisfies PoolCommand);
    else this.child.kill('SIGTERM');
  }
}

/**
 * Node options for a server the bench starts: the memory probe, and if asked a CPU profile
 * (`BENCH_PROFILE_DIR`) or a symbol map for Linux `perf` (`BENCH_PERF_MAP=1`).
 */
function serverArgs(): string[] {
  return [
    '--expose-gc',
    '--require',
    path.join(__dirname, 'memory-probe.js'),
    ...(process.env.BENCH_PROFILE_DIR === undefined
      ? []
      : ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`]),
    ...(process.env.BENCH_PERF_MAP === '1'
      ? ['--perf-basic-prof', '--interpreted-frames-native-stack']
      : []),
  ];
}

/** Asks each server's probe (memory-probe.ts) one question; their answers, in order. */
function askProbes<T>(servers: ChildProcess[], type: 'memory' | 'pauses'): Promise<T[]> {
  return Promise.all(
    servers.map((child) => {
      const answer = nextMessage<{ sample: T }>(child, type);
      child.send({ type });
      return answer.then((a) => a.sample);
    }),
  );
}

/** Heap and RSS of the servers after a full GC (memory-probe.ts), summed, in bytes. */
async function memoryOf(servers: ChildProcess[]): Promise<MemorySample> {
  const samples = await askProbes<MemorySample>(servers, 'memory');
  const sum = (key: keyof MemorySample) => samples.reduce((t, s) => t + s[key], 0);
  return {
    rss: sum('rss'),
    heapUsed: sum('heapUsed'),
    external: sum('external'),
    arrayBuffers: sum('arrayBuffers'),
  };
}

/**
 * Salesforce API requests the org counted so far (Sforce-Limit-Info, org-wide), as the bridges
 * last saw it: the highest of their views.
 */
async function apiUsed(httpUrls: string[]): Promise<number> {
  const views = await Promise.all(
    httpUrls.map(async (url) => {
      const health = JSON.parse((await fetchAgain(`${url}/healthz`)).body) as {
        salesforce?: { apiUsage?: { used: number } };
      };
      return health.salesforce?.apiUsage?.used ?? NaN;
    }),
  );
  return Math.max(...views);
}

/** Memory the servers of one side hold per connected rep: after connecting minus before. */
interface PerRep {
  heapKb: number;
  rssKb: number;
  before: MemorySample;
  after: MemorySample;
}

/** A side under test with its reps connected: the bridge(s) or the bare relay. */
interface Target {
  /** Where the PBX posts webhook events (one per bridge). */
  webhookUrls: string[];
  pool: Pool;
  pids: number[];
  /** The server processes (the memory probe answers in them). */
  servers: ChildProcess[];
  /** PostgreSQL's postmaster, when the side has one (--bridges N): its CPU counts too. */
  dbPid?: number;
  perRep: PerRep;
  /** The bridge side: what the emulated org received so far, by kind. */
  orgRequests?: () => Promise<OrgRequests>;
  /** The bridges' PostgreSQL statement counts (--bridges N --pg-statements K). */
  pgStatements?: PgStatements;
  stop(): Promise<void>;
}

/** Connects the side's reps through its pool, measuring the servers' memory around it. */
async function connectReps(
  servers: ChildProcess[],
  pool: Pool,
  sockets: Array<{ url: string; firstFrame: string }>,
): Promise<PerRep> {
  const before = await memoryOf(servers);
  await pool.connect(sockets);
  // Let the last sessions' follow-up work (presence, admin pushes) finish before measuring.
  await new Promise((r) => setTimeout(r, 2000));
  const after = await memoryOf(servers);
  return {
    heapKb: (after.heapUsed - before.heapUsed) / 1024 / sockets.length,
    rssKb: (after.rss - before.rss) / 1024 / sockets.length,
    before,
    after,
  };
}

/** The real bridge (child process) on the emulated org (another), its reps connected. */
async function startBridgeTarget(options: BenchOptions, dir: string): Promise<Target> {
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
  const orgLines = orgOutput(orgProcess);
  const org = JSON.parse(await orgLines.next()) as {
    url: string;
    orgId: string;
    clientId: string;
    clientSecret: string;
  };
  const pool = new Pool();
  const children: ChildProcess[] = [];
  let postgres: TestPostgres | undefined;
  let pgStatements: PgStatements | undefined;
  const stop = async () => {
    pool.close();
    await Promise.all(children.map(stopChild));
    orgProcess.kill('SIGTERM');
    await pgStatements?.close();
    await postgres?.stop();
  };
  try {
    // Several bridges share one real PostgreSQL, as in production (docs/deployment.md).
    const counting = options.bridges > 1 && options.pgStatements > 0;
    postgres =
      options.bridges > 1
        ? await startTestPostgres(counting ? { settings: PG_STATEMENTS_SETTINGS } : {})
        : undefined;
    const postgresUrl = await postgres?.freshDatabase();
    pgStatements =
      counting && postgresUrl !== undefined ? await PgStatements.open(postgresUrl) : undefined;
    if (options.keptLogs > 0 && postgresUrl !== undefined)
      await fillPostgresOutbox(postgresUrl, options.keptLogs);
    const ports: number[] = [];
    for (let b = 0; b < options.bridges; b++) {
      const port = await freePort();
      const configFile = path.join(dir, `bench-${b}.yaml`);
      if (options.keptLogs > 0 && postgresUrl === undefined)
        fillSqliteOutbox(path.join(dir, `bench-${b}.db`), options.keptLogs);
      writeFileSync(
        configFile,
        toYaml({
          server: { port, host: '127.0.0.1' },
          auth: { certificate: certFile, orgIds: [org.orgId] },
          salesforce: { loginUrl: org.url, clientId: org.clientId, clientSecret: org.clientSecret },
          storage: {
            database: path.join(dir, `bench-${b}.db`),
            ...(postgresUrl === undefined ? {} : { postgres: { url: postgresUrl } }),
          },
          lookup: { cacheTtlSeconds: 600 },
          pbx: { adapter: 'webhook', webhook: { token: BENCH_WEBHOOK_TOKEN } },
          users: users.map((u, i) => ({ extension: String(1000 + i), email: u.Email })),
          log: { level: 'warn' },
          callLog: { enabled: process.env.BENCH_CALL_LOG !== '0' },
        }),
      );
      const child = spawn(
        process.execPath,
        [...serverArgs(), path.join(__dirname, '../src/cli.js'), 'start', '--config', configFile],
        { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] },
      );
      children.push(child);
      ports.push(port);
      await waitForHealthy(`http://127.0.0.1:${port}`, child);
    }
    const now = Math.floor(Date.now() / 1000);
    // Rep i on bridge ⌊i·N/reps⌋ (contiguous blocks), while the PBX posts call i to bridge
    // i mod N (a load balancer's turn): most calls reach their rep through another bridge.
    const sockets = await Promise.all(
      users.map(async (user, i) => ({
        url: `ws://127.0.0.1:${ports[Math.floor((i * ports.length) / users.length)] ?? 0}/ws`,
        firstFrame: JSON.stringify({
          v: 1,
          type: 'hello',
          token: await new SignJWT({ email: user.Email })
            .setProtectedHeader({ alg: 'RS256' })
            .setIssuer(org.orgId)
            .setSubject(users[i]?.Id ?? '')
            .setAudience('switchboard-bridge')
            .setIssuedAt(now)
            .setExpirationTime(now + 300)
            .setJti(randomUUID())
            .sign(signingKey),
        }),
      })),
    );
    const perRep = await connectReps(children, pool, sockets);
    return {
      webhookUrls: ports.map((port) => `http://127.0.0.1:${port}`),
      pool,
      pids: children.map((c) => c.pid ?? -1),
      servers: children,
      ...(postgres?.pid === undefined ? {} : { dbPid: postgres.pid }),
      perRep,
      orgRequests: () => orgRequests(orgProcess, orgLines),
      ...(pgStatements === undefined ? {} : { pgStatements }),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** SIGTERM, and resolves once the process is gone (a bridge closes its sockets first). */
function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  return exited;
}

/** The org's output, line by line: its address first, then its answers to SIGUSR2. */
function orgOutput(child: ChildProcess): { next(): Promise<string> } {
  if (child.stdout === null) throw new Error('child has no stdout');
  const waiting: Array<(line: string) => void> = [];
  const lines: string[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    const take = waiting.shift();
    if (take === undefined) lines.push(line);
    else take(line);
  });
  return {
    next: () =>
      new Promise((resolve, reject) => {
        const line = lines.shift();
        if (line !== undefined) resolve(line);
        else waiting.push(resolve);
        child.once('exit', (code) => reject(new Error(`child exited with ${String(code)}`)));
      }),
  };
}

/** Requests the org received so far by kind (Composite subrequests as `composite/<kind>`). */
type OrgRequests = Record<string, number>;

async function orgRequests(
  child: ChildProcess,
  lines: { next(): Promise<string> },
): Promise<OrgRequests> {
  const answer = lines.next();
  child.kill('SIGUSR2');
  const { requests, subrequests } = JSON.parse(await answer) as {
    requests: Record<string, number>;
    subrequests: Record<string, number>;
  };
  const all: OrgRequests = { ...requests };
  for (const [kind, n] of Object.entries(subrequests)) all[`composite/${kind}`] = n;
  return all;
}

/** What the org received between two readings, per call: "query 0.50, create 0.10". */
function requestsPerCall(before: OrgRequests, after: OrgRequests, calls: number): string {
  const parts = Object.keys(after)
    .map((kind) => [kind, ((after[kind] ?? 0) - (before[kind] ?? 0)) / calls] as const)
    .filter(([, perCall]) => perCall > 0)
    .map(([kind, perCall]) => `${kind} ${perCall.toFixed(3)}`);
  return parts.length === 0 ? 'none' : parts.join(', ');
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
async function startRelayTarget(options: BenchOptions): Promise<Target> {
  const child = spawn(process.execPath, [...serverArgs(), path.join(__dirname, 'bare-relay.js')], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const pool = new Pool();
  const stop = async () => {
    pool.close();
    await stopChild(child);
  };
  try {
    const { port } = JSON.parse(await firstLine(child)) as { port: number };
    const sockets = Array.from({ length: options.clients }, (_v, i) => ({
      url: `ws://127.0.0.1:${port}/ws`,
      firstFrame: JSON.stringify({ extension: String(1000 + i) }),
    }));
    const perRep = await connectReps([child], pool, sockets);
    return {
      webhookUrls: [`http://127.0.0.1:${port}`],
      pool,
      pids: [child.pid ?? -1],
      servers: [child],
      perRep,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** One drive of a side's pool, with the servers' CPU and memory around it. */
async function run(
  target: Target,
  label: string,
  shape: { calls: number; rate: number },
  numbers: 'warm' | 'cold',
): Promise<Phase> {
  const rssBeforeMb = totalRssMb(target.pids);
  const cpuBefore = cpuMs(target.pids);
  const dbCpuBefore = treeCpuMs(target.dbPid);
  await pausesOf(target.servers); // starts the count afresh
  const driven = await target.pool.drive({
    type: 'drive',
    label,
    ...shape,
    webhookUrls: target.webhookUrls,
    numbers,
  });
  return {
    ...driven,
    rssBeforeMb,
    rssAfterMb: totalRssMb(target.pids),
    cpuMsPerCall:
      (cpuMs(target.pids) - cpuBefore + treeCpuMs(target.dbPid) - dbCpuBefore) / shape.calls,
    dbCpuMsPerCall: (treeCpuMs(target.dbPid) - dbCpuBefore) / shape.calls,
    pauses: await pausesOf(target.servers),
  };
}

/** The servers' garbage-collector pauses since they were last asked (memory-probe.ts). */
async function pausesOf(servers: ChildProcess[]): Promise<PauseSample> {
  return combinePauses(await askProbes<PauseSample>(servers, 'pauses'));
}

function combinePauses(samples: PauseSample[]): PauseSample {
  return {
    count: samples.reduce((t, s) => t + s.count, 0),
    major: samples.reduce((t, s) => t + s.major, 0),
    totalMs: samples.reduce((t, s) => t + s.totalMs, 0),
    longestMs: Math.max(0, ...samples.map((s) => s.longestMs)),
  };
}

/** Garbage collection over a side's rounds: how much, and the longest pause against p99. */
function pausesLine(name: string, rounds: Phase[]): string {
  const p = combinePauses(rounds.map((r) => r.pauses));
  const calls = rounds.reduce((t, r) => t + r.latencies.length + r.lost, 0);
  const longest = rounds.map((r) => r.pauses.longestMs).sort((a, b) => a - b);
  return (
    `${name} garbage collection: ${p.count} pauses (${p.major} full), ${((1000 * p.totalMs) / Math.max(1, calls)).toFixed(0)} µs per call; ` +
    `longest pause per round: median ${percentile(longest, 50).toFixed(1)} ms, worst ${(longest.at(-1) ?? NaN).toFixed(1)} ms`
  );
}

/** One side's rounds as one phase: every latency, CPU per call over all of them, RSS across. */
function pooled(label: string, rounds: Phase[]): Phase {
  const sorted = (key: 'latencies' | 'afterReply') =>
    rounds.flatMap((r) => r[key]).sort((a, b) => a - b);
  const sum = (f: (r: Phase) => number) => rounds.reduce((t, r) => t + f(r), 0);
  return {
    label,
    latencies: sorted('latencies'),
    afterReply: sorted('afterReply'),
    framesBeforeReply: sum((r) => r.framesBeforeReply),
    lost: sum((r) => r.lost),
    framesPerCall: sum((r) => r.framesPerCall) / Math.max(1, rounds.length),
    retried: sum((r) => r.retried),
    rssBeforeMb: rounds[0]?.rssBeforeMb ?? NaN,
    rssAfterMb: rounds.at(-1)?.rssAfterMb ?? NaN,
    cpuMsPerCall: sum((r) => r.cpuMsPerCall) / Math.max(1, rounds.length),
    dbCpuMsPerCall: sum((r) => r.dbCpuMsPerCall) / Math.max(1, rounds.length),
    pauses: combinePauses(rounds.map((r) => r.pauses)),
    apiCallsPerCall: rounds[0]?.apiCallsPerCall,
  };
}

function row(phase: Phase): string {
  const f = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : 'n/a');
  const l = phase.latencies;
  const r = phase.afterReply;
  const before = `${Math.round((100 * phase.framesBeforeReply) / Math.max(1, l.length))}%`;
  return `| ${phase.label} | ${l.length} | ${phase.lost} | ${f(percentile(l, 50))} | ${f(percentile(l, 99))} | ${f(l[l.length - 1] ?? NaN)} | ${before} | ${f(percentile(r, 99))} | ${f(phase.framesPerCall)} | ${phase.apiCallsPerCall === undefined ? '—' : f(phase.apiCallsPerCall)} | ${f(phase.cpuMsPerCall)} | ${f(phase.rssBeforeMb)} → ${f(phase.rssAfterMb)} |`;
}

function ratioLine(name: string, ratios: number[]): string {
  const r = summarizeRatios(ratios);
  const x = (n: number) => `${n.toFixed(2)}x`;
  return (
    `${name}: median ${x(r.median)} over ${ratios.length} ${ratios.length === 1 ? 'pair' : 'pairs'} of rounds (quartiles ${x(r.q1)}–${x(r.q3)}, ` +
    `range ${x(r.min)}–${x(r.max)}); the running median stays within ±10 % from pair ${r.stableFrom}. ` +
    `Per pair: ${ratios.map((v) => v.toFixed(2)).join(' ')}`
  );
}

function perRepLine(name: string, target: Target, reps: number): string {
  const { perRep } = target;
  const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
  return (
    `${name}: ${perRep.heapKb.toFixed(1)} KB heap and ${perRep.rssKb.toFixed(1)} KB RSS per connected rep ` +
    `(after a full GC, ${reps} reps: heap ${mb(perRep.before.heapUsed)} → ${mb(perRep.after.heapUsed)} MB, ` +
    `RSS ${mb(perRep.before.rss)} → ${mb(perRep.after.rss)} MB)`
  );
}

async function main(): Promise<void> {
  const options = parseBenchArgs(process.argv.slice(2));
  const dir = mkdtempSync(path.join(tmpdir(), 'switchboard-bench-'));
  const round = { calls: Math.ceil(options.calls / options.rounds), rate: options.rate };
  const loadAtStart = loadavg();
  const bridge = await startBridgeTarget(options, dir);
  let relay: Target | undefined;
  try {
    relay = await startRelayTarget(options);

    // Warm the bridge's lookup cache for the known numbers (the relay has none), and both
    // sides' compiled code, with a round's worth of calls each: unwarmed, the relay spent
    // 0.93-1.02 ms a call in its first round and 0.56-0.65 from its fourth (docs/benchmarks.md).
    const warmup = { ...round, calls: Math.max(KNOWN_NUMBERS.length, round.calls) };
    await run(bridge, 'warmup', warmup, 'warm');
    await run(relay, 'warmup', warmup, 'warm');
    const warmRounds: Phase[] = [];
    const bareRounds: Phase[] = [];
    const usedBefore = await apiUsed(bridge.webhookUrls);
    const requestsBefore = await bridge.orgRequests?.();
    await bridge.pgStatements?.reset();
    for (let r = 0; r < options.rounds; r++) {
      // Alternate who goes first, so a trend within a round's seconds favours neither.
      const order: Array<'bridge' | 'bare'> = r % 2 === 0 ? ['bridge', 'bare'] : ['bare', 'bridge'];
      for (const side of order) {
        if (side === 'bridge') warmRounds.push(await run(bridge, 'warm', round, 'warm'));
        else bareRounds.push(await run(relay, 'bare', round, 'warm'));
      }
    }
    const usedAfterWarm = await apiUsed(bridge.webhookUrls);
    const requestsAfterWarm = await bridge.orgRequests?.();
    const statementsWarm = await bridge.pgStatements?.read();
    const warm = pooled('bridge, warm', warmRounds);
    warm.apiCallsPerCall = (usedAfterWarm - usedBefore) / (round.calls * options.rounds);
    const bare = pooled('bare relay', bareRounds);

    const coldCalls = Math.min(options.calls, 300);
    const cold = await run(bridge, 'cold', { calls: coldCalls, rate: options.rate }, 'cold');
    cold.label = 'bridge, cold';
    cold.apiCallsPerCall = ((await apiUsed(bridge.webhookUrls)) - usedAfterWarm) / coldCalls;
    const requestsAfterCold = await bridge.orgRequests?.();
    const requestLines =
      requestsBefore === undefined ||
      requestsAfterWarm === undefined ||
      requestsAfterCold === undefined
        ? []
        : [
            `Requests the org received per call, by kind (warm): ${requestsPerCall(requestsBefore, requestsAfterWarm, round.calls * options.rounds)}`,
            `Requests the org received per call, by kind (cold): ${requestsPerCall(requestsAfterWarm, requestsAfterCold, coldCalls)}`,
          ];

    const perPair = (f: (runs: readonly Phase[]) => number) =>
      pairRatios(warmRounds, bareRounds, f);
    const pooledPercentile = (p: number) => (runs: readonly Phase[]) =>
      percentile(
        runs.flatMap((r) => r.latencies).sort((a, b) => a - b),
        p,
      );
    const cpuPerCall = (runs: readonly Phase[]) =>
      runs.reduce((t, r) => t + r.cpuMsPerCall, 0) / Math.max(1, runs.length);
    const load = (l: number[]) => l.map((v) => v.toFixed(1)).join(' ');
    const lines = [
      `Command: npm run bench -- --clients ${options.clients} --calls ${options.calls} --rounds ${options.rounds} --rate ${options.rate}${options.bridges > 1 ? ` --bridges ${options.bridges}` : ''}${options.keptLogs > 0 ? ` --kept-logs ${options.keptLogs}` : ''}${options.pgStatements > 0 ? ` --pg-statements ${options.pgStatements}` : ''}`,
      `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}; load average ${load(loadAtStart)} at the start, ${load(loadavg())} at the end`,
      `Warm traffic: ${options.rounds} rounds of ${round.calls} calls through each of bridge and relay, alternating; cold: ${coldCalls} calls after them.`,
      '',
      '| run | frames | lost | send→frame p50 ms | p99 ms | max ms | frame before reply | reply→frame p99 ms | WS frames/call | SF API calls/call | server CPU ms/call | server RSS MB (before → after) |',
      '|---|---|---|---|---|---|---|---|---|---|---|---|',
      row(warm),
      row(cold),
      row(bare),
      '',
      `Webhook posts sent again after a failed connection (bridge warm / cold / relay): ${warm.retried} / ${cold.retried} / ${bare.retried}`,
      ...requestLines,
      ...(bridge.dbPid === undefined
        ? []
        : [
            `Of the bridges' server CPU per call, PostgreSQL's (all its processes): warm ${warm.dbCpuMsPerCall.toFixed(2)} ms, cold ${cold.dbCpuMsPerCall.toFixed(2)} ms`,
          ]),
      pausesLine('Bridge warm', warmRounds),
      pausesLine('Bare relay', bareRounds),
      perRepLine('Bridge memory', bridge, options.clients),
      perRepLine('Bare relay memory', relay, options.clients),
      '',
      ratioLine('Bridge warm p99 / bare relay p99', perPair(pooledPercentile(99))),
      ratioLine('Bridge warm p50 / bare relay p50', perPair(pooledPercentile(50))),
      ratioLine('Bridge / relay server CPU per call', perPair(cpuPerCall)),
      `Server CPU ms per call by round, bridge / relay: ${warmRounds
        .map(
          (w, i) =>
            `${w.cpuMsPerCall.toFixed(2)} / ${bareRounds[i]?.cpuMsPerCall.toFixed(2) ?? '—'}`,
        )
        .join(', ')}`,
      ...(statementsWarm === undefined
        ? []
        : [
            '',
            ...statementLines(statementsWarm, round.calls * options.rounds, options.pgStatements),
          ]),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await Promise.all([bridge.stop(), relay?.stop()]);
  }
}

main().catch((error: unknown) => {
  if (error instanceof BenchUsageError) {
    process.stderr.write(`bench: ${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
