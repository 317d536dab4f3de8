// The generic webhook PBX over real HTTP: POST /pbx/events (auth, validation, batches) through
// the bridge's express app, and dial-out to a local stand-in PBX.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CallEvent } from '../../../src/calls/call';
import { ErrorCodes, SwitchboardError } from '../../../src/errors';
import { CALL_CONTROL_ACTIONS } from '../../../src/protocol/v1';
import { createHttpApp } from '../../../src/http/http-server';
import { silentLogger } from '../../../src/logging/logger';
import { WebhookPbxAdapter } from '../../../src/pbx/webhook/webhook-adapter';
import { createWebhookRoutes } from '../../../src/pbx/webhook/webhook-router';
import { Teardown } from '../../support/teardown';

const TOKEN = 'pbx-token-0123456789';
const NOW = new Date('2025-03-01T10:00:00.000Z');

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
async function close(server: http.Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
}

describe('WebhookPbxAdapter events: POST /pbx/events', () => {
  let server: http.Server;
  let url: string;
  let adapter: WebhookPbxAdapter;
  let received: CallEvent[];
  const teardown = new Teardown();

  beforeEach(async () => {
    received = [];
    adapter = teardown.add(
      new WebhookPbxAdapter({ token: TOKEN, dialTimeoutMs: 1000, logger: silentLogger() }),
      (a) => a.stop(),
    );
    await adapter.start((event) => received.push(event));
    const app = createHttpApp({
      logger: silentLogger(),
      health: () => ({ ready: true, details: {} }),
      routers: [
        {
          path: '/',
          ...createWebhookRoutes({
            adapter,
            token: TOKEN,
            logger: silentLogger(),
            now: () => NOW,
          }),
        },
      ],
    });
    server = teardown.add(http.createServer(app), close);
    url = `${await listen(server)}/pbx/events`;
  });

  afterEach(() => teardown.run());

  const post = (body: unknown, init: { token?: string | null; raw?: string; type?: string } = {}) =>
    fetch(url, {
      method: 'POST',
      headers: {
        'content-type': init.type ?? 'application/json',
        ...(init.token === null ? {} : { authorization: `Bearer ${init.token ?? TOKEN}` }),
      },
      body: init.raw ?? JSON.stringify(body),
    });

  const ringing = {
    callId: 'pbx-1',
    event: 'ringing',
    direction: 'inbound',
    extension: '201',
    number: '+1 415 555 0100',
  };

  it('accepts a ringing event with 202 and emits the CallEvent', async () => {
    const response = await post({ ...ringing, at: '2025-03-01T09:59:58+00:00' });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ accepted: true });
    expect(received).toEqual([
      {
        type: 'ringing',
        pbxCallId: 'pbx-1',
        extension: '201',
        direction: 'inbound',
        number: '+1 415 555 0100',
        at: new Date('2025-03-01T09:59:58.000Z'),
      },
    ]);
  });

  it('defaults `at` to now and passes userEmail, reason and requestId through', async () => {
    expect(
      (
        await post({
          callId: 'o-1',
          event: 'ringing',
          direction: 'outbound',
          userEmail: 'ann@example.com',
          number: '4155550100',
          requestId: 'r-9',
        })
      ).status,
    ).toBe(202);
    expect((await post({ callId: 'o-1', event: 'ended', reason: 'busy' })).status).toBe(202);
    expect(received).toEqual([
      {
        type: 'ringing',
        pbxCallId: 'o-1',
        userEmail: 'ann@example.com',
        direction: 'outbound',
        number: '4155550100',
        dialRequestId: 'r-9',
        at: NOW,
      },
      { type: 'ended', pbxCallId: 'o-1', reason: 'busy', at: NOW },
    ]);
  });

  it('accepts a batch and emits every event in order', async () => {
    const response = await post([
      ringing,
      { callId: 'pbx-1', event: 'answered', extension: '201' },
      { callId: 'pbx-1', event: 'ended', extension: '201' },
    ]);
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ accepted: true, count: 3 });
    expect(received.map((e) => e.type)).toEqual(['ringing', 'answered', 'ended']);
  });

  it.each([
    ['a missing header', null],
    ['a wrong token', 'pbx-token-0123456780'],
    ['a prefix of the token', 'pbx-token'],
  ])('answers 401 PBX_WEBHOOK_UNAUTHORIZED for %s and emits nothing', async (_name, token) => {
    const response = await post(ringing, { token });
    expect(response.status).toBe(401);
    const body = (await response.json()) as { error: { code: string; hint?: string } };
    expect(body.error.code).toBe(ErrorCodes.PBX_WEBHOOK_UNAUTHORIZED);
    expect(body.error.hint).toContain('Bearer');
    expect(received).toEqual([]);
  });

  const badBodies: Array<[string, unknown, string]> = [
    ['missing callId', { ...ringing, callId: undefined }, 'callId'],
    ['empty callId', { ...ringing, callId: '' }, 'callId'],
    ['overlong callId', { ...ringing, callId: 'x'.repeat(129) }, 'callId'],
    ['a bad event', { ...ringing, event: 'hold' }, 'event'],
    ['a bad direction', { ...ringing, direction: 'sideways' }, 'direction'],
    ['no direction on ringing', { ...ringing, direction: undefined }, 'direction'],
    ['no extension or userEmail', { ...ringing, extension: undefined }, 'extension'],
    ['a bad extension', { ...ringing, extension: '20 1' }, 'extension'],
    ['a bad userEmail', { ...ringing, extension: undefined, userEmail: 'ann' }, 'userEmail'],
    ['no number on ringing', { ...ringing, number: undefined }, 'number'],
    ['a number that is not a string', { ...ringing, number: 4155550100 }, 'number'],
    ['a bad at', { ...ringing, at: 'yesterday' }, 'at'],
    ['an at without a time zone', { ...ringing, at: '2025-03-01T10:00:00' }, 'at'],
    ['a bad reason', { callId: 'c', event: 'ended', reason: 'bored' }, 'reason'],
    ['an unknown key', { ...ringing, extention: '201' }, 'extention'],
    ['a batch with one bad event', [ringing, { ...ringing, event: 'x' }], '[1].event'],
    ['an empty batch', [], 'batch'],
    ['a batch of garbage', [1, 2], '[0]'],
    ['a batch over the limit', Array.from({ length: 101 }, () => ringing), 'batch'],
  ];
  it.each(badBodies)(
    'answers 400 PBX_EVENT_INVALID naming the field for %s',
    async (_name, body, field) => {
      const response = await post(body);
      expect(response.status).toBe(400);
      const { error } = (await response.json()) as {
        error: { code: string; message: string; hint: string };
      };
      expect(error.code).toBe(ErrorCodes.PBX_EVENT_INVALID);
      expect(error.message).toContain(field);
      expect(error.hint).toContain('docs/webhook.md');
      expect(received).toEqual([]);
    },
  );

  it.each([
    ['non-JSON text', '{"callId": "x", ', 'application/json', 400, ErrorCodes.HTTP_BAD_JSON],
    ['a JSON string', '"ringing"', 'application/json', 400, ErrorCodes.HTTP_BAD_JSON],
    ['a form body', 'callId=x', 'application/x-www-form-urlencoded', 400, 'PBX_EVENT_INVALID'],
    [
      'an oversize body',
      JSON.stringify({ ...ringing, pad: 'x'.repeat(70_000) }),
      'application/json',
      413,
      ErrorCodes.HTTP_PAYLOAD_TOO_LARGE,
    ],
  ])('answers %s with a coded error', async (_name, raw, type, status, code) => {
    const response = await post(undefined, { raw, type });
    expect(response.status).toBe(status);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(code);
    expect(received).toEqual([]);
  });

  describe('a repeat changes nothing', () => {
    const answered = { callId: 'pbx-1', event: 'answered', extension: '201' };

    it('drops a retried event without `at` or `eventId`, and says so', async () => {
      expect(await (await post(ringing)).json()).toEqual({ accepted: true });
      const retry = await post(ringing);
      expect(retry.status).toBe(202);
      expect(await retry.json()).toEqual({ accepted: true, duplicates: 1 });
      await post(answered);
      await post([answered, { ...answered, extension: '202' }]);
      expect(received.map((e) => [e.type, e.extension])).toEqual([
        ['ringing', '201'],
        ['answered', '201'],
        ['answered', '202'],
      ]);
    });

    it('tells events apart by `at`, and by `eventId` when the PBX sends one', async () => {
      await post({ ...ringing, at: '2025-03-01T09:00:00Z' });
      await post({ ...ringing, at: '2025-03-01T09:00:00.000+00:00' }); // the same instant
      await post({ ...ringing, at: '2025-03-01T09:05:00Z' }); // a queue's next round
      await post({ ...ringing, eventId: 'e-1' });
      await post({ ...ringing, eventId: 'e-1', at: '2025-03-01T09:09:00Z' }); // retried, re-stamped
      await post({ ...ringing, eventId: 'e-2' });
      expect(received.map((e) => e.at.toISOString())).toEqual([
        '2025-03-01T09:00:00.000Z',
        '2025-03-01T09:05:00.000Z',
        NOW.toISOString(),
        NOW.toISOString(),
      ]);
    });

    it('checks `eventId` like every other field', async () => {
      const response = await post({ ...ringing, eventId: '' });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({
        error: {
          code: ErrorCodes.PBX_EVENT_INVALID,
          message: expect.stringContaining('eventId') as unknown,
        },
      });
    });
  });

  it('takes held, resumed and transferred (with toExtension) for call controls', async () => {
    const events = [
      { callId: 'pbx-1', event: 'held', extension: '201', at: '2025-03-01T10:00:01Z' },
      { callId: 'pbx-1', event: 'resumed', extension: '201', at: '2025-03-01T10:00:02Z' },
      { callId: 'pbx-1', event: 'transferred', extension: '201', toExtension: '202' },
    ];
    expect((await post(events)).status).toBe(202);
    expect(
      received.map((e) => [e.type, e.extension, 'toExtension' in e ? e.toExtension : '']),
    ).toEqual([
      ['held', '201', ''],
      ['resumed', '201', ''],
      ['transferred', '201', '202'],
    ]);
    const missing = await post({ callId: 'pbx-1', event: 'transferred', extension: '201' });
    expect(missing.status).toBe(400);
    expect(await missing.text()).toContain('toExtension: is required for transferred');
  });

  it('answers 503 until the adapter is started, so the PBX retries', async () => {
    await adapter.stop();
    const response = await post(ringing);
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(adapter.isConnected()).toBe(false);
    // Refused is not applied: the retry after the start is no repeat.
    await adapter.start((event) => received.push(event));
    expect(await (await post(ringing)).json()).toEqual({ accepted: true });
    expect(received).toHaveLength(1);
  });

  it('keeps going when the listener throws for one event of a batch', async () => {
    await adapter.start((event) => {
      if (event.type === 'answered') throw new Error('boom');
      received.push(event);
    });
    const response = await post([
      ringing,
      { callId: 'pbx-1', event: 'answered' },
      { ...ringing, extension: '202' },
    ]);
    expect(response.status).toBe(202);
    expect(received).toHaveLength(2);
  });
});

describe('WebhookPbxAdapter dial-out', () => {
  let pbx: http.Server;
  let pbxUrl: string;
  let requests: Array<{ headers: http.IncomingHttpHeaders; body: unknown }>;
  let reply: (res: http.ServerResponse) => void;
  const teardown = new Teardown();

  beforeEach(async () => {
    requests = [];
    reply = (res) => res.writeHead(200).end();
    pbx = http.createServer((req, res) => {
      let text = '';
      req.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      req.on('end', () => {
        requests.push({ headers: req.headers, body: JSON.parse(text) as unknown });
        reply(res);
      });
    });
    // The PBX server in use: a test may replace it.
    teardown.add(pbx, () => close(pbx));
    pbxUrl = `${await listen(pbx)}/dial`;
  });

  afterEach(() => teardown.run());

  const adapterFor = (dialUrl: string | undefined, dialToken?: string, dialTimeoutMs = 2000) =>
    new WebhookPbxAdapter({
      token: TOKEN,
      dialUrl,
      dialToken,
      dialTimeoutMs,
      logger: silentLogger(),
    });
  const request = { requestId: 'r-1', extension: '201', number: '+14155550100' };

  async function failure(promise: Promise<unknown>): Promise<SwitchboardError> {
    try {
      await promise;
    } catch (error) {
      if (error instanceof SwitchboardError) return error;
      throw error;
    }
    throw new Error('expected the dial to fail');
  }

  it('POSTs {requestId, extension, number} with the dial token and returns the PBX call id', async () => {
    reply = (res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"callId":"pbx-77"}');
    const result = await adapterFor(pbxUrl, 'dial-secret').dial(request);
    expect(result).toEqual({ pbxCallId: 'pbx-77' });
    expect(requests).toHaveLength(1);
    expect(requests[0]?.body).toEqual(request);
    expect(requests[0]?.headers.authorization).toBe('Bearer dial-secret');
    expect(requests[0]?.headers['content-type']).toBe('application/json');
  });

  it('sends no Authorization header without a dial token and accepts an empty 2xx', async () => {
    reply = (res) => res.writeHead(204).end();
    expect(await adapterFor(pbxUrl).dial(request)).toEqual({});
    expect(requests[0]?.headers.authorization).toBeUndefined();
  });

  it("turns a 4xx into PBX_REFUSED carrying the PBX's message", async () => {
    reply = (res) =>
      res
        .writeHead(409, { 'content-type': 'application/json' })
        .end('{"error":{"message":"extension 201 is busy"}}');
    const error = await failure(adapterFor(pbxUrl).dial(request));
    expect(error.code).toBe(ErrorCodes.PBX_REFUSED);
    expect(error.message).toContain('extension 201 is busy');
  });

  it('turns a 5xx into PBX_UNREACHABLE', async () => {
    reply = (res) => res.writeHead(503).end('down');
    const error = await failure(adapterFor(pbxUrl).dial(request));
    expect(error.code).toBe(ErrorCodes.PBX_UNREACHABLE);
  });

  it('turns a closed port into PBX_UNREACHABLE', async () => {
    const closedUrl = pbxUrl;
    await close(pbx);
    pbx = http.createServer(); // for afterEach
    await listen(pbx);
    const error = await failure(adapterFor(closedUrl).dial(request));
    expect(error.code).toBe(ErrorCodes.PBX_UNREACHABLE);
  });

  it('turns a PBX that never answers into PBX_UNREACHABLE after the timeout', async () => {
    reply = () => undefined; // hold the request open
    const error = await failure(adapterFor(pbxUrl, undefined, 50).dial(request));
    expect(error.code).toBe(ErrorCodes.PBX_UNREACHABLE);
    expect(error.message).toContain('50 ms');
  });

  it('answers DIAL_NOT_SUPPORTED without a dialUrl', async () => {
    const error = await failure(adapterFor(undefined).dial(request));
    expect(error.code).toBe(ErrorCodes.DIAL_NOT_SUPPORTED);
    expect(requests).toEqual([]);
  });

  it('reports no users', async () => {
    expect(await adapterFor(pbxUrl).listUsers()).toEqual([]);
  });

  describe('call controls to the controlUrl', () => {
    const controlsTo = (controlUrl: string | undefined, controls?: ('hangup' | 'hold')[]) =>
      new WebhookPbxAdapter({
        token: TOKEN,
        controlUrl,
        controls,
        dialToken: 'dial-secret',
        dialTimeoutMs: 2000,
        logger: silentLogger(),
      });
    const transfer = {
      action: 'transfer' as const,
      pbxCallId: 'pbx-9',
      extension: '201',
      to: { dial: '202', extension: '202' },
    };

    it('POSTs {requestId, action, callId, extension, to} with the dial token', async () => {
      reply = (res) => res.writeHead(202).end();
      const adapter = controlsTo(pbxUrl);
      expect(adapter.controls()).toEqual(CALL_CONTROL_ACTIONS);
      await adapter.control(transfer);
      expect(requests).toHaveLength(1);
      expect(requests[0]?.headers.authorization).toBe('Bearer dial-secret');
      const body = requests[0]?.body as Record<string, unknown>;
      expect(body.requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect({ ...body, requestId: 'checked' }).toEqual({
        requestId: 'checked',
        action: 'transfer',
        callId: 'pbx-9',
        extension: '201',
        to: { dial: '202', extension: '202' },
      });
    });

    it("passes the PBX's refusal on, and a 5xx as unreachable", async () => {
      reply = (res) =>
        res.writeHead(409, { 'content-type': 'application/json' }).end('{"message":"202 is busy"}');
      const refused = await failure(controlsTo(pbxUrl).control(transfer));
      expect([refused.code, refused.message]).toEqual([
        ErrorCodes.PBX_REFUSED,
        'The phone system refused it: 202 is busy',
      ]);
      reply = (res) => res.writeHead(500).end();
      expect((await failure(controlsTo(pbxUrl).control(transfer))).code).toBe(
        ErrorCodes.PBX_UNREACHABLE,
      );
    });

    it('offers only the configured controls, none without a controlUrl; asks nothing for the rest', async () => {
      expect(controlsTo(undefined).controls()).toEqual([]);
      expect(controlsTo(pbxUrl, ['hangup', 'hold']).controls()).toEqual(['hangup', 'hold']);
      const error = await failure(controlsTo(pbxUrl, ['hangup', 'hold']).control(transfer));
      expect(error.code).toBe(ErrorCodes.CONTROL_NOT_SUPPORTED);
      expect((await failure(controlsTo(undefined).control(transfer))).code).toBe(
        ErrorCodes.CONTROL_NOT_SUPPORTED,
      );
      expect(requests).toEqual([]);
    });
  });
});
