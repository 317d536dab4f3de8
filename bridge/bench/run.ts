// npm run bench — N authenticated WebSocket clients on the real bridge (child process, emulated
// org, webhook PBX), calls injected at a fixed rate through the webhook; the time until the
// `call` frame reaches the rep's socket, Salesforce API calls per call and the bridge's memory;
// then the same traffic through a bare ws relay (bare-relay.ts) as the baseline.
//   node bridge/dist/bench/run.js [--clients 1000] [--calls 1000] [--rate 100]
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

interface Options {
  clients: number;
  calls: number;
  rate: number;
}

function parseArgs(argv: string[]): Options {
  const options: Options = { clients: 1000, calls: 1000, rate: 100 };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i]?.replace(/^--/, '');
    const value = Number(argv[i + 1]);
    if (
      (key === 'clients' || key === 'calls' || key === 'rate') &&
      Number.isFinite(value) &&
      value > 0
    )
      options[key] = value;
    else
      throw new Error(
        `unknown or bad option ${argv[i] ?? ''} ${argv[i + 1] ?? ''} (use --clients N --calls N --rate N)`,
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
  options: Options,
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

async function benchBridge(options: Options, dir: string): Promise<Phase[]> {
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
    // Warm the lookup cache for the known numbers, then measure warm and cold traffic.
    await drive(
      'warmup',
      httpUrl,
      sockets,
      { ...options, calls: KNOWN_NUMBERS.length },
      child.pid,
      (i) => KNOWN_NUMBERS[i % KNOWN_NUMBERS.length] ?? '',
    );
    const usedBefore = await apiUsed(httpUrl);
    const warm = await drive(
      'warm',
      httpUrl,
      sockets,
      options,
      child.pid,
      (i) => KNOWN_NUMBERS[i % KNOWN_NUMBERS.length] ?? '',
    );
    const usedAfterWarm = await apiUsed(httpUrl);
    warm.apiCallsPerCall = (usedAfterWarm - usedBefore) / options.calls;
    const coldCalls = Math.min(options.calls, 300);
    const cold = await drive(
      'cold',
      httpUrl,
      sockets,
      { ...options, calls: coldCalls },
      child.pid,
      (i) => `+1 (303) 555-${String(1000 + i).padStart(4, '0')}`,
    );
    cold.apiCallsPerCall = ((await apiUsed(httpUrl)) - usedAfterWarm) / coldCalls;
    for (const s of sockets) s.terminate();
    return [warm, cold];
  } finally {
    child.kill('SIGTERM');
    orgProcess.kill('SIGTERM');
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

async function benchBareRelay(options: Options): Promise<Phase> {
  const child = spawn(process.execPath, [path.join(__dirname, 'bare-relay.js')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const { port } = JSON.parse(await firstLine(child)) as { port: number };
    const sockets = await connectClients(options.clients, (i) =>
      openSocket(`ws://127.0.0.1:${port}/ws`, JSON.stringify({ extension: String(1000 + i) })),
    );
    const phase = await drive(
      'bare',
      `http://127.0.0.1:${port}`,
      sockets,
      options,
      child.pid,
      (i) => KNOWN_NUMBERS[i % KNOWN_NUMBERS.length] ?? '',
    );
    for (const s of sockets) s.terminate();
    return phase;
  } finally {
    child.kill('SIGTERM');
  }
}

function row(phase: Phase): string {
  const f = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : 'n/a');
  const l = phase.latencies;
  const r = phase.afterReply;
  const before = `${Math.round((100 * phase.framesBeforeReply) / Math.max(1, l.length))}%`;
  return `| ${phase.label} | ${l.length} | ${phase.lost} | ${f(percentile(l, 50))} | ${f(percentile(l, 99))} | ${f(l[l.length - 1] ?? NaN)} | ${before} | ${f(percentile(r, 99))} | ${phase.apiCallsPerCall === undefined ? '—' : f(phase.apiCallsPerCall)} | ${f(phase.cpuMsPerCall)} | ${f(phase.rssBeforeMb)} → ${f(phase.rssAfterMb)} |`;
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const dir = mkdtempSync(path.join(tmpdir(), 'switchboard-bench-'));
  const [warm, cold] = await benchBridge(options, dir);
  const bare = await benchBareRelay(options);
  const lines = [
    `Command: npm run bench -- --clients ${options.clients} --calls ${options.calls} --rate ${options.rate}`,
    `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`,
    '',
    '| run | frames | lost | send→frame p50 ms | p99 ms | max ms | frame before reply | reply→frame p99 ms | SF API calls/call | server CPU ms/call | server RSS MB (before → after) |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    row(warm!),
    row(cold!),
    row(bare),
    '',
    `Bridge warm p99 / bare relay p99: ${(percentile(warm!.latencies, 99) / percentile(bare.latencies, 99)).toFixed(2)}x`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
