// Property-based tests of the generic PBX webhook: the event schema on its own, and POST
// /pbx/events over real HTTP through the bridge's express app. Whatever a PBX (or anyone with
// network access) sends, the answer is 202 with every event handed on, or a 4xx naming the
// problem with a code and a hint, and then nothing is handed on. Never a 500, never a partial
// batch. Input classes: docs/testing.md.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import type { CallEvent } from '../../../src/calls/call';
import { ErrorCodes } from '../../../src/errors';
import { createHttpApp } from '../../../src/http/http-server';
import { silentLogger } from '../../../src/logging/logger';
import { WebhookPbxAdapter } from '../../../src/pbx/webhook/webhook-adapter';
import {
  MAX_BATCH,
  WebhookEventSchema,
  describeIssues,
  toCallEvent,
} from '../../../src/pbx/webhook/webhook-event-schema';
import { createWebhookRoutes } from '../../../src/pbx/webhook/webhook-router';
import { FUZZ_TIMEOUT_MS, anyJson, fuzz, hostileString } from '../../support/fuzz';

jest.setTimeout(FUZZ_TIMEOUT_MS);

const TOKEN = 'fuzz-webhook-token-0123456789';
const NOW = new Date('2026-03-01T10:00:00.000Z');

/** Field values a PBX might send, right and wrong. */
const eventFields = {
  callId: fc.oneof(fc.stringMatching(/^[A-Za-z0-9.:-]{1,40}$/), hostileString(140)),
  event: fc.oneof(fc.constantFrom('ringing', 'answered', 'ended'), hostileString(10)),
  direction: fc.oneof(fc.constantFrom('inbound', 'outbound'), hostileString(10)),
  extension: fc.oneof(fc.stringMatching(/^[0-9*#]{1,6}$/), hostileString(24)),
  userEmail: fc.oneof(fc.emailAddress(), hostileString(30)),
  number: fc.oneof(
    fc.constantFrom('+1 415 555 0100', '(415) 555-1212', 'anonymous', ''),
    hostileString(70),
  ),
  at: fc.oneof(
    fc
      .date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
      .map((d) => d.toISOString()),
    fc.constantFrom('2026-03-01T10:00:00+01:00', '2026-03-01T10:00:00', '2026-02-30T10:00:00Z'),
    hostileString(30),
  ),
  reason: fc.oneof(fc.constantFrom('completed', 'missed', 'busy', 'failed'), hostileString(10)),
  requestId: hostileString(140),
};

/** Objects made of the event's fields (each present or not, right or wrong) and stray keys. */
const eventLike: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(
    fc.record(eventFields, { requiredKeys: [] }),
    fc.dictionary(
      fc.string({ maxLength: 10 }).map((k) => `x${k}`),
      anyJson,
      { maxKeys: 2 },
    ),
    fc.dictionary(fc.constantFrom(...Object.keys(eventFields)), anyJson, { maxKeys: 1 }),
  )
  .map(([fields, stray, wrongType]) => ({ ...fields, ...stray, ...wrongType }));

/** Events that follow docs/webhook.md, with unique call ids. */
const validEvent = fc
  .record({
    callId: fc.uuid(),
    event: fc.constantFrom('ringing', 'answered', 'ended'),
    direction: fc.constantFrom('inbound', 'outbound'),
    extension: fc.stringMatching(/^[0-9]{3,4}$/),
    number: fc.constantFrom('+1 415 555 0100', '0711 1234567', 'anonymous'),
    at: fc
      .date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true })
      .map((d) => d.toISOString()),
  })
  .map((e) =>
    e.event === 'ringing' ? e : { callId: e.callId, event: e.event, extension: e.extension },
  );

describe('WebhookEventSchema (property-based)', () => {
  it('parses any JSON value to an event with a valid date, or names the problem', () => {
    fc.assert(
      fc.property(fc.oneof(eventLike, anyJson), (body) => {
        const result = WebhookEventSchema.safeParse(body);
        if (!result.success) {
          expect(describeIssues(result.error)).not.toBe('');
          return;
        }
        const event = toCallEvent(result.data, NOW);
        expect(Number.isFinite(event.at.getTime())).toBe(true);
        expect(event.pbxCallId).toBe(result.data.callId);
        if (event.type === 'ringing')
          expect(event.extension ?? event.userEmail).not.toBeUndefined();
      }),
      fuzz(1000),
    );
  });
});

describe('POST /pbx/events (property-based, real HTTP)', () => {
  let server: http.Server;
  let url: string;
  let received: CallEvent[];
  const adapter = new WebhookPbxAdapter({
    token: TOKEN,
    dialTimeoutMs: 1000,
    logger: silentLogger(),
  });

  beforeAll(async () => {
    await adapter.start((event) => received.push(event));
    const routes = createWebhookRoutes({
      adapter,
      token: TOKEN,
      logger: silentLogger(),
      now: () => NOW,
    });
    server = http.createServer(
      createHttpApp({
        logger: silentLogger(),
        health: () => ({ ready: true, details: {} }),
        routers: [{ path: '/', ...routes }],
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/pbx/events`;
  });

  afterAll(async () => {
    await adapter.stop();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  async function post(
    body: string,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; json: Record<string, unknown> }> {
    received = [];
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${TOKEN}`,
        ...headers,
      },
      body,
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  }

  /** A refusal: 4xx, a known code with a hint, and no event handed on. */
  function expectRefused(
    answer: { status: number; json: Record<string, unknown> },
    ...codes: string[]
  ) {
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
    const error = answer.json.error as { code: string; message: string; hint?: string };
    expect(codes).toContain(error.code);
    expect(error.message).not.toBe('');
    expect(error.hint).toEqual(expect.any(String));
    expect(received).toEqual([]);
  }

  it('answers any JSON body with 202 and every event, or 400 and none', async () => {
    const body = fc.oneof(
      eventLike,
      validEvent,
      fc.array(fc.oneof(validEvent, eventLike), { maxLength: 4 }),
      anyJson,
    );
    await fc.assert(
      fc.asyncProperty(body, async (value) => {
        const answer = await post(JSON.stringify(value));
        if (answer.status === 202) {
          const items = Array.isArray(value) ? value : [value];
          expect(received).toHaveLength(items.length);
          return;
        }
        // A bare JSON scalar (null, 42, "x") is refused by the JSON parser, the rest by the schema.
        expectRefused(answer, ErrorCodes.PBX_EVENT_INVALID, ErrorCodes.HTTP_BAD_JSON);
      }),
      fuzz(200),
    );
  });

  it('hands on valid events and batches exactly as sent', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(validEvent, { minLength: 1, maxLength: 5 }),
        fc.boolean(),
        async (events, asBatch) => {
          const body = asBatch ? events : events[0];
          const answer = await post(JSON.stringify(body));
          expect(answer.status).toBe(202);
          const sent = asBatch ? events : events.slice(0, 1);
          expect(received).toEqual(sent.map((e) => toCallEvent(WebhookEventSchema.parse(e), NOW)));
        },
      ),
      fuzz(100),
    );
  });

  it('refuses a batch of more than the limit, whole', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: MAX_BATCH + 1, max: MAX_BATCH + 20 }), async (n) => {
        const events = Array.from({ length: n }, (_v, i) => ({
          callId: `c-${i}`,
          event: 'ended',
          extension: '201',
        }));
        expectRefused(await post(JSON.stringify(events)), ErrorCodes.PBX_EVENT_INVALID);
      }),
      fuzz(5),
    );
  });

  it('answers bodies that are not JSON with 400 HTTP_BAD_JSON', async () => {
    await fc.assert(
      fc.asyncProperty(hostileString(200), async (text) => {
        let isJson = true;
        try {
          JSON.parse(text);
        } catch {
          isJson = false;
        }
        fc.pre(!isJson && text.trim() !== '');
        expectRefused(await post(text), ErrorCodes.HTTP_BAD_JSON);
      }),
      fuzz(100),
    );
  });

  it('refuses bodies without a JSON content type', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'application/xml'),
        validEvent,
        async (type, event) => {
          const answer = await post(JSON.stringify(event), { 'content-type': type });
          expectRefused(answer, ErrorCodes.PBX_EVENT_INVALID);
        },
      ),
      fuzz(20),
    );
  });

  it('answers 401 PBX_WEBHOOK_UNAUTHORIZED for any other Authorization header', async () => {
    const header = fc.oneof(
      hostileString(60).map((s) => s.replace(/[^\t\x20-\x7e]/g, '')),
      fc.string({ maxLength: 40 }).map((s) => `Bearer ${s.replace(/[^\x21-\x7e]/g, '')}`),
      fc.constant(`Bearer ${TOKEN.slice(0, -1)}`),
      fc.constant(`Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}`),
    );
    await fc.assert(
      fc.asyncProperty(header, validEvent, async (authorization, event) => {
        fc.pre(authorization.trim() !== `Bearer ${TOKEN}`);
        const answer = await post(JSON.stringify(event), { authorization });
        expect(answer.status).toBe(401);
        expectRefused(answer, ErrorCodes.PBX_WEBHOOK_UNAUTHORIZED);
      }),
      fuzz(100),
    );
  });
});
