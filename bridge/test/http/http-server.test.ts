// createHttpApp over real HTTP on 127.0.0.1: health, unknown routes, bad bodies and the
// error policy (SwitchboardErrors keep their status and code; anything else is a plain 500).
import http from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import express from 'express';
import { ErrorCodes, SwitchboardError } from '../../src/errors';
import { createHttpApp, type HealthReport } from '../../src/http/http-server';
import { laneAsRoute, type JsonAnswer, type JsonPostLane } from '../../src/http/json-post-lane';
import { createLogger } from '../../src/logging/logger';
import { Teardown } from '../support/teardown';

let server: http.Server;
let base: string;
let health: HealthReport;
let logLines: string[];
const teardown = new Teardown();

beforeEach(async () => {
  health = { ready: true, details: { pbx: { connected: true } } };
  logLines = [];
  const router = express.Router();
  router.post('/echo', (req, res) => {
    res.json({ got: req.body as unknown });
  });
  router.get('/teapot', () => {
    throw new SwitchboardError(ErrorCodes.PBX_REFUSED, 'No tea', { status: 418, hint: 'Coffee' });
  });
  router.get('/boom', () => {
    throw new Error('secret internals at /srv/x.ts:12');
  });
  router.get('/async-boom', async () => {
    await Promise.resolve();
    throw new Error('async internals');
  });
  // A lane and an express route on one path, telling apart who answered: the lane for the
  // plain posts, express (the same handler) for the rest.
  const lane: JsonPostLane = {
    path: '/lane',
    handle: ({ body }) => {
      if ((body as { boom?: boolean }).boom === true) throw new Error('lane internals');
      // An answer that must wait (the webhook waits for the other bridges), or fails later.
      if ((body as { later?: boolean }).later === true)
        return Promise.resolve().then(() => ({ status: 201, body: { got: body, lane: true } }));
      if ((body as { laterBoom?: boolean }).laterBoom === true)
        return Promise.reject(new Error('later internals'));
      // An answer JSON cannot write (a BigInt): the handler's bug, found only when sending.
      if ((body as { big?: boolean }).big === true) return { status: 202, body: { n: 1n } };
      return { status: 202, body: { got: body, lane: true }, headers: { 'X-Extra': 'yes' } };
    },
  };
  const expressTwin = laneAsRoute({
    ...lane,
    handle: (r) => {
      const answer = lane.handle(r);
      const byExpress = (a: JsonAnswer): JsonAnswer => ({
        ...a,
        body: { got: r.body, lane: false },
      });
      return answer instanceof Promise ? answer.then(byExpress) : byExpress(answer);
    },
  });
  router.post('/lane', expressTwin);
  const app = createHttpApp({
    logger: createLogger({ level: 'info', destination: { write: (l) => logLines.push(l) } }),
    health: () => health,
    routers: [{ path: '/t', router, lanes: [lane] }],
  });
  server = teardown.add(http.createServer(app), (s) => new Promise((resolve) => s.close(resolve)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(() => teardown.run());

async function errorOf(response: Response): Promise<{ code: string; message: string }> {
  const body = (await response.json()) as { error: { code: string; message: string } };
  return body.error;
}

describe('createHttpApp', () => {
  it('answers /healthz 200 with the details when ready, 503 when not', async () => {
    const ok = await fetch(`${base}/healthz`);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ status: 'ok', pbx: { connected: true } });
    health = { ready: false, details: { pbx: { connected: false } } };
    const down = await fetch(`${base}/healthz`);
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ status: 'unavailable' });
  });

  it('answers unknown routes 404 HTTP_NOT_FOUND as JSON', async () => {
    const response = await fetch(`${base}/nope`);
    expect(response.status).toBe(404);
    expect((await errorOf(response)).code).toBe(ErrorCodes.HTTP_NOT_FOUND);
  });

  it('answers malformed JSON 400 HTTP_BAD_JSON and parses good JSON', async () => {
    const bad = await fetch(`${base}/t/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":',
    });
    expect(bad.status).toBe(400);
    expect((await errorOf(bad)).code).toBe(ErrorCodes.HTTP_BAD_JSON);
    const good = await fetch(`${base}/t/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
    });
    expect(await good.json()).toEqual({ got: { a: 1 } });
  });

  it('answers an oversize body 413 HTTP_PAYLOAD_TOO_LARGE', async () => {
    const response = await fetch(`${base}/t/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pad: 'x'.repeat(70_000) }),
    });
    expect(response.status).toBe(413);
    expect((await errorOf(response)).code).toBe(ErrorCodes.HTTP_PAYLOAD_TOO_LARGE);
  });

  it('answers a SwitchboardError with its status, code and hint', async () => {
    const response = await fetch(`${base}/t/teapot`);
    expect(response.status).toBe(418);
    expect(await response.json()).toEqual({
      error: { code: 'PBX_REFUSED', message: 'No tea', hint: 'Coffee' },
    });
  });

  it.each(['/t/boom', '/t/async-boom'])(
    'answers anything else from %s 500 INTERNAL without internals, logged once',
    async (path) => {
      const response = await fetch(`${base}${path}`);
      expect(response.status).toBe(500);
      const text = await response.text();
      expect(JSON.parse(text)).toMatchObject({ error: { code: 'INTERNAL' } });
      expect(text).not.toContain('internals');
      expect(logLines.filter((l) => l.includes('internals'))).toHaveLength(1);
    },
  );

  it('sends no x-powered-by and sets basic security headers', async () => {
    const response = await fetch(`${base}/healthz`);
    expect(response.headers.get('x-powered-by')).toBeNull();
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
  });
});

describe('createHttpApp: JSON POST lanes', () => {
  const post = (body: string | Buffer, headers: Record<string, string> = {}) =>
    fetch(`${base}/t/lane`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });

  it('answers a plain JSON post itself, in the same shape and headers as express would', async () => {
    const response = await post('{"a":1}');
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ got: { a: 1 }, lane: true });
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('x-extra')).toBe('yes');
    const viaCharset = await post('{"a":2}', {
      'content-type': 'Application/JSON; charset="UTF-8"',
    });
    expect(await viaCharset.json()).toEqual({ got: { a: 2 }, lane: true });
  });

  it('leaves to express what it does not read itself: gzip, chunked, another charset, a query', async () => {
    const gzipped = await post(gzipSync('{"a":3}'), { 'content-encoding': 'gzip' });
    expect(await gzipped.json()).toEqual({ got: { a: 3 }, lane: false });
    const chunked = await new Promise<string>((resolve, reject) => {
      const request = http.request(`${base}/t/lane`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      });
      request.on('response', (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => resolve(text));
      });
      request.on('error', reject);
      request.write('{"a":');
      request.end('4}');
    });
    expect(JSON.parse(chunked)).toEqual({ got: { a: 4 }, lane: false });
    const latin1 = await post('{"a":5}', {
      'content-type': 'application/json; charset=iso-8859-1',
    });
    expect(latin1.status).toBe(415);
    expect((await errorOf(latin1)).code).toBe(ErrorCodes.HTTP_BAD_REQUEST);
    const query = await fetch(`${base}/t/lane?x=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":6}',
    });
    expect(await query.json()).toEqual({ got: { a: 6 }, lane: false });
  });

  it.each([
    ['cut JSON', '{"a":'],
    ['a string, not an object or array (strict, as express.json)', '"just text"'],
    ['a number', '42'],
  ])('answers %s 400 HTTP_BAD_JSON, logged once', async (_what, body) => {
    const response = await post(body);
    expect(response.status).toBe(400);
    expect((await errorOf(response)).code).toBe(ErrorCodes.HTTP_BAD_JSON);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(logLines.filter((l) => l.includes(ErrorCodes.HTTP_BAD_JSON))).toHaveLength(1);
  });

  it('reads a body that starts with a UTF-8 byte-order mark, as express.json does', async () => {
    const response = await post(
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('[1]')]),
    );
    expect(await response.json()).toEqual({ got: [1], lane: true });
  });

  it('leaves an oversize body to express: 413 HTTP_PAYLOAD_TOO_LARGE', async () => {
    const response = await post(JSON.stringify({ pad: 'x'.repeat(70_000) }));
    expect(response.status).toBe(413);
    expect((await errorOf(response)).code).toBe(ErrorCodes.HTTP_PAYLOAD_TOO_LARGE);
  });

  it('answers a handler that throws 500 INTERNAL without internals, logged once', async () => {
    const response = await post('{"boom":true}');
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(JSON.parse(text)).toMatchObject({ error: { code: 'INTERNAL' } });
    expect(text).not.toContain('internals');
    expect(logLines.filter((l) => l.includes('lane internals'))).toHaveLength(1);
  });

  it('answers when the handler answers later, on the lane and through express', async () => {
    const response = await post('{"later":true}');
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ got: { later: true }, lane: true });
    const gzipped = await post(gzipSync('{"later":true}'), { 'content-encoding': 'gzip' });
    expect(gzipped.status).toBe(201);
    expect(await gzipped.json()).toEqual({ got: { later: true }, lane: false });
  });

  it('answers an answer that fails later 500 INTERNAL without internals, logged once', async () => {
    const viaLane = () => post('{"laterBoom":true}');
    const viaExpress = () => post(gzipSync('{"laterBoom":true}'), { 'content-encoding': 'gzip' });
    for (const [send, times] of [
      [viaLane, 1],
      [viaExpress, 2],
    ] as const) {
      const response = await send();
      expect(response.status).toBe(500);
      const text = await response.text();
      expect(JSON.parse(text)).toMatchObject({ error: { code: 'INTERNAL' } });
      expect(text).not.toContain('internals');
      expect(logLines.filter((l) => l.includes('later internals'))).toHaveLength(times);
    }
  });

  it("answers 500 INTERNAL, logged once, when the handler's answer cannot be written", async () => {
    const response = await post('{"big":true}');
    expect(response.status).toBe(500);
    expect(await errorOf(response)).toMatchObject({ code: 'INTERNAL' });
    expect(logLines.filter((l) => l.includes('BigInt'))).toHaveLength(1);
  });

  it('survives a post cut off mid-body, and answers the next one', async () => {
    const { port } = server.address() as AddressInfo;
    const socket = connect(port, '127.0.0.1');
    const closed = new Promise((resolve) => socket.on('close', resolve));
    socket.write(
      'POST /t/lane HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
        'Content-Length: 100\r\n\r\n{"a":',
    );
    socket.end();
    socket.resume();
    await closed;
    const next = await post('{"a":7}');
    expect(await next.json()).toEqual({ got: { a: 7 }, lane: true });
  });
});
