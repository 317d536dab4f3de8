// Presence over the generic webhook, over real HTTP both ways: a rep's presence.set reaches a
// real HTTP receiver standing in for the PBX (pbx.webhook.presenceUrl) as the documented JSON,
// and the PBX's answer decides what the rep is told; a change the PBX POSTs to /pbx/presence
// reaches the rep's utility; bad bodies and tokens are refused with codes.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RunningBridge } from '../../../src/bridge';
import { ErrorCodes } from '../../../src/errors';
import type { Presence } from '../../../src/protocol/v1';
import { setPresence } from '../../support/presence-frames';
import { Teardown } from '../../support/teardown';
import { RepClient, WEBHOOK_TOKEN, startTestBridge } from '../../support/test-bridge';

const ANA = 'ana.lopez@acme.example';
const DIAL_TOKEN = 'dial-token-0123456789abcdef';

/** The PBX's presence endpoint: records each request and answers as told. */
class PresenceReceiver {
  readonly requests: { body: unknown; authorization?: string }[] = [];
  answer: { status: number; body: string } = { status: 204, body: '' };
  private readonly server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      this.requests.push({
        body: JSON.parse(body) as unknown,
        authorization: req.headers.authorization,
      });
      res.writeHead(this.answer.status, { 'content-type': 'application/json' });
      res.end(this.answer.body);
    });
  });

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/presence`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const teardown = new Teardown();
afterEach(() => teardown.run());

async function setUp(presenceUrl?: string): Promise<RunningBridge> {
  return teardown.add(
    await startTestBridge({
      config: {
        pbx: {
          adapter: 'webhook',
          webhook: {
            token: WEBHOOK_TOKEN,
            dialToken: DIAL_TOKEN,
            ...(presenceUrl === undefined ? {} : { presenceUrl }),
          },
        },
      },
    }),
    (b) => b.stop(),
  );
}

async function rep(bridge: RunningBridge): Promise<RepClient> {
  const client = teardown.add(await RepClient.connectAs(bridge, ANA), (c) => c.close());
  await client.waitFor((f) => f.type === 'presence');
  return client;
}

async function postPresence(bridge: RunningBridge, body: unknown, token = WEBHOOK_TOKEN) {
  const response = await fetch(`${bridge.httpUrl}/pbx/presence`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('presence over the webhook', () => {
  it('POSTs the rep’s change to presenceUrl with the dial token, and tells the rep', async () => {
    const receiver = teardown.add(new PresenceReceiver(), (r) => r.close());
    const bridge = await setUp(await receiver.listen());
    const ana = await rep(bridge);
    const ready = await ana.waitFor((f) => f.type === 'ready');
    expect(ready.presence).toMatchObject({
      states: ['available', 'dnd', 'away'],
      queuePause: true,
    });

    expect(await setPresence(ana, { state: 'dnd' })).toMatchObject({
      ok: true,
      presence: { state: 'dnd' },
    });
    expect(await setPresence(ana, { queuePaused: true, pauseReason: 'Lunch' })).toMatchObject({
      ok: true,
    });
    expect(receiver.requests).toEqual([
      { body: { extension: '201', state: 'dnd' }, authorization: `Bearer ${DIAL_TOKEN}` },
      {
        body: { extension: '201', queuePaused: true, pauseReason: 'Lunch' },
        authorization: `Bearer ${DIAL_TOKEN}`,
      },
    ]);
  });

  it('passes on the PBX’s refusal in its words, and keeps the presence', async () => {
    const receiver = teardown.add(new PresenceReceiver(), (r) => r.close());
    const bridge = await setUp(await receiver.listen());
    const ana = await rep(bridge);
    receiver.answer = {
      status: 409,
      body: JSON.stringify({ error: { message: '201 is logged out' } }),
    };
    expect(await setPresence(ana, { state: 'away' })).toMatchObject({
      ok: false,
      error: {
        code: ErrorCodes.PBX_REFUSED,
        message: 'The phone system refused the change: 201 is logged out',
      },
    });
    receiver.answer = { status: 500, body: '' };
    expect(await setPresence(ana, { state: 'away' })).toMatchObject({
      ok: false,
      error: { code: ErrorCodes.PBX_UNREACHABLE },
    });
    expect(bridge.presence.presenceOf('201').state).toBe('available');
  });

  it('says the PBX cannot be reached when nothing listens at presenceUrl', async () => {
    const receiver = new PresenceReceiver();
    const url = await receiver.listen();
    await receiver.close();
    const bridge = await setUp(url);
    const ana = await rep(bridge);
    expect(await setPresence(ana, { state: 'dnd' })).toMatchObject({
      ok: false,
      error: { code: ErrorCodes.PBX_UNREACHABLE },
    });
  });

  it('offers no presence without presenceUrl', async () => {
    const bridge = await setUp();
    const ana = await rep(bridge);
    const ready = await ana.waitFor((f) => f.type === 'ready');
    expect(ready.presence).toEqual({ states: [], queuePause: false, pauseReasons: [] });
    expect(await setPresence(ana, { state: 'dnd' })).toMatchObject({
      ok: false,
      error: { code: ErrorCodes.PRESENCE_NOT_SUPPORTED },
    });
  });

  it('shows a change the PBX POSTs to /pbx/presence in the rep’s utility', async () => {
    const bridge = await setUp();
    const ana = await rep(bridge);
    const answer = await postPresence(bridge, {
      extension: '201',
      state: 'dnd',
      queuePaused: true,
      pauseReason: 'Training',
      at: '2026-12-01T10:00:00Z',
    });
    expect(answer).toEqual({ status: 202, body: { accepted: true } });
    const frame = await ana.waitFor(
      (f) => f.type === 'presence' && (f.presence as Presence).state === 'dnd',
    );
    expect(frame.presence).toEqual({
      state: 'dnd',
      queuePaused: true,
      pauseReason: 'Training',
      changedBy: 'pbx',
      changedAt: '2026-12-01T10:00:00.000Z',
    });
  });

  it.each([
    ['no extension', { state: 'dnd' }, 'extension: is required'],
    ['neither state nor queuePaused', { extension: '201' }, 'state or queuePaused is required'],
    [
      'an unknown state',
      { extension: '201', state: 'busy' },
      'state: must be one of available, dnd, away',
    ],
    ['an unknown field', { extension: '201', state: 'dnd', extention: '201' }, 'extention'],
    [
      'a reason over two lines',
      { extension: '201', queuePaused: true, pauseReason: 'a\nb' },
      'one line',
    ],
    ['a time without a zone', { extension: '201', state: 'dnd', at: '2026-12-01T10:00:00' }, 'at:'],
    ['an array', [{ extension: '201', state: 'dnd' }], 'expected object'],
  ])('refuses a body with %s: 400 PBX_EVENT_INVALID naming it', async (_what, body, words) => {
    const bridge = await setUp();
    const answer = await postPresence(bridge, body);
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({ code: ErrorCodes.PBX_EVENT_INVALID });
    expect((answer.body.error as { message: string }).message).toContain(words);
    expect(bridge.presence.presenceOf('201').state).toBe('available');
  });

  it('refuses a wrong token with 401', async () => {
    const bridge = await setUp();
    const answer = await postPresence(bridge, { extension: '201', state: 'dnd' }, 'wrong-token');
    expect(answer.status).toBe(401);
    expect(answer.body.error).toMatchObject({ code: ErrorCodes.PBX_WEBHOOK_UNAUTHORIZED });
  });
});
