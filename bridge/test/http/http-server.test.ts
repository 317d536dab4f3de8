// createHttpApp over real HTTP on 127.0.0.1: health, unknown routes, bad bodies and the
// error policy (SwitchboardErrors keep their status and code; anything else is a plain 500).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { ErrorCodes, SwitchboardError } from '../../src/errors';
import { createHttpApp, type HealthReport } from '../../src/http/http-server';
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
  const app = createHttpApp({
    logger: createLogger({ level: 'info', destination: { write: (l) => logLines.push(l) } }),
    health: () => health,
    routers: [{ path: '/t', router }],
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
