// One side's reps for `npm run bench`, in a process of their own (forked by run.ts): the
// WebSocket clients of either the bridge(s) or the bare relay, the PBX webhook calls posted at a
// fixed rate, and the time each call's first `call` frame takes to reach its rep. A process may
// hold only so many open files (20,000 on the development VM, not raisable there), and at
// 10,000 reps bridge and relay side by side need 20,000 client sockets: one pool per side keeps
// each under the limit. run.ts measures the servers' CPU and memory around each command.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { rawDataToString } from '../src/hub/websocket-hub';
import { fetchAgain } from './http-again';

export const BENCH_WEBHOOK_TOKEN = 'bench-webhook-token';
/** Numbers of the Contacts seeded in the emulated org: looked up once, then the cache answers. */
export const KNOWN_NUMBERS = Array.from(
  { length: 50 },
  (_v, i) => `+1 (415) 555-${String(1000 + i)}`,
);

/** What run.ts asks of a pool (IPC messages). */
export type PoolCommand =
  | {
      type: 'connect';
      /** One entry per rep, in extension order (rep i has extension 1000 + i). */
      sockets: Array<{ url: string; firstFrame: string }>;
    }
  | {
      type: 'drive';
      label: string;
      calls: number;
      rate: number;
      /** Where the PBX posts; call i goes to webhookUrls[i % length] (a load balancer's turn). */
      webhookUrls: string[];
      /** `warm`: the seeded numbers; `cold`: numbers nobody has (each is a full lookup). */
      numbers: 'warm' | 'cold';
    }
  | { type: 'close' };

/** What one drive measured at the reps' end. */
export interface Driven {
  label: string;
  /** Send → first `call` frame at the rep, ms, sorted. */
  latencies: number[];
  /** Webhook reply → that frame, ms (0 when the frame came first), sorted. */
  afterReply: number[];
  /** Frames that reached the rep before the PBX got the webhook's HTTP reply. */
  framesBeforeReply: number;
  lost: number;
  /** Every WebSocket frame the reps received during the drive (all kinds), per call. */
  framesPerCall: number;
  /** Webhook posts sent again after their connection failed. */
  retried: number;
}

export type PoolReply =
  | { type: 'connected'; count: number }
  | { type: 'driven'; result: Driven }
  | { type: 'failed'; error: string };

/** How long after the last webhook reply a pop may still arrive before it counts as lost. */
const LATE_MS = 10_000;

function numberFor(numbers: 'warm' | 'cold', i: number): string {
  return numbers === 'warm'
    ? (KNOWN_NUMBERS[i % KNOWN_NUMBERS.length] ?? '')
    : `+1 (303) 555-${String(1000 + i).padStart(4, '0')}`;
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

/** Opens sockets in batches of 100; each resolves once the server's ready frame arrived. */
async function connect(entries: Array<{ url: string; firstFrame: string }>): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  for (let start = 0; start < entries.length; start += 100) {
    const batch = await Promise.all(
      entries.slice(start, start + 100).map((e) => openSocket(e.url, e.firstFrame)),
    );
    sockets.push(...batch);
  }
  return sockets;
}

/**
 * Sends `calls` ringing events at `rate`/s (each followed by its `ended`) and measures, per
 * call, the time from sending the webhook request to the first `call` frame at the rep's
 * socket, and from the webhook's reply to that frame.
 */
async function drive(
  sockets: WebSocket[],
  command: Extract<PoolCommand, { type: 'drive' }>,
): Promise<Driven> {
  const { label, calls, rate, webhookUrls } = command;
  const sentAt = new Map<string, number>();
  const repliedAt = new Map<string, number>();
  const frameAt = new Map<string, number>();
  let frames = 0;
  const onFrame = (data: WebSocket.RawData) => {
    const arrived = performance.now();
    frames += 1;
    const frame = JSON.parse(rawDataToString(data)) as { type: string; call?: { id: string } };
    if (frame.type !== 'call' || frame.call === undefined) return;
    const callId = frame.call.id.split(':')[0] ?? '';
    if (sentAt.has(callId) && !frameAt.has(callId)) frameAt.set(callId, arrived);
  };
  for (const s of sockets) s.on('message', onFrame);
  let retried = 0;
  // A post whose kept-alive connection closed under it is sent again, as a PBX retries (events
  // are idempotent): counted and reported (http-again.ts).
  const post = async (url: string, body: unknown): Promise<void> => {
    await fetchAgain(
      `${url}/pbx/events`,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${BENCH_WEBHOOK_TOKEN}`,
        },
        body: JSON.stringify(body),
      },
      { onRetry: () => (retried += 1) },
    );
  };
  const started = performance.now();
  const inflight: Array<Promise<void>> = [];
  for (let i = 0; i < calls; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const callId = `${label}-${i}-${randomUUID().slice(0, 8)}`;
    const extension = String(1000 + (i % sockets.length));
    const url = webhookUrls[i % webhookUrls.length] ?? '';
    sentAt.set(callId, performance.now());
    const ring = {
      callId,
      event: 'ringing',
      direction: 'inbound',
      extension,
      number: numberFor(command.numbers, i),
    };
    inflight.push(
      post(url, ring).then(async () => {
        repliedAt.set(callId, performance.now());
        await post(url, { callId, event: 'ended', direction: 'inbound', extension });
      }),
    );
  }
  await Promise.all(inflight);
  // A second for the frames that follow a call (its log's status); longer, up to LATE_MS, for
  // a pop still on its way (through another bridge, on a starved machine): only one that never
  // came is lost.
  const tailFrom = performance.now();
  while (
    performance.now() - tailFrom < 1000 ||
    (frameAt.size < calls && performance.now() - tailFrom < LATE_MS)
  )
    await new Promise((r) => setTimeout(r, 100));
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
    lost: calls - frameAt.size,
    framesPerCall: frames / calls,
    retried,
  };
}

function reply(message: PoolReply): void {
  process.send?.(message);
}

if (require.main === module) {
  let sockets: WebSocket[] = [];
  process.on('message', (command: PoolCommand) => {
    const work = async (): Promise<void> => {
      if (command.type === 'connect') {
        sockets = await connect(command.sockets);
        reply({ type: 'connected', count: sockets.length });
      } else if (command.type === 'drive') {
        reply({ type: 'driven', result: await drive(sockets, command) });
      } else {
        for (const s of sockets) s.terminate();
        process.exit(0);
      }
    };
    work().catch((error: unknown) => {
      reply({
        type: 'failed',
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      });
    });
  });
}
