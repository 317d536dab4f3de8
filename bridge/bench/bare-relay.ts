// The benchmark's baseline: the least a relay can do — HTTP POST in, parse, forward a frame to
// the sockets registered for the extension. No auth, no lookup, no state. Run as a child process
// by run.ts so its memory and CPU are measured alone.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { rawDataToString } from '../src/hub/websocket-hub';

const byExtension = new Map<string, Set<WebSocket>>();
const server = http.createServer((req, res) => {
  if (req.method !== 'POST' || req.url !== '/pbx/events') {
    res.writeHead(404).end();
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
      callId: string;
      extension: string;
      number: string;
      event: string;
    };
    const frame = JSON.stringify({
      v: 1,
      type: 'call',
      call: { id: `${event.callId}:${event.extension}`, number: event.number, state: event.event },
    });
    for (const socket of byExtension.get(event.extension) ?? []) socket.send(frame);
    res.writeHead(202, { 'content-type': 'application/json' }).end('{"accepted":true}');
  });
});
const wss = new WebSocketServer({ server, path: '/ws' });
wss.on('connection', (socket) => {
  socket.once('message', (data) => {
    const { extension } = JSON.parse(rawDataToString(data)) as { extension: string };
    const set = byExtension.get(extension) ?? new Set<WebSocket>();
    set.add(socket);
    byExtension.set(extension, set);
    socket.send(JSON.stringify({ v: 1, type: 'ready' }));
    socket.on('close', () => set.delete(socket));
  });
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
});
// Stopped with SIGTERM like a bridge: exit normally, so that a CPU profile asked for with
// BENCH_PROFILE_DIR (--cpu-prof, written at exit) is written for the relay too.
process.once('SIGTERM', () => {
  process.exit(0);
});
