// Tests for WebSocketHub over real sockets: an http server on 127.0.0.1 port 0 and ws clients.
// They cover authentication (every rejection closes 4401 with a coded error frame), the hello
// timeout, the Origin check, frame errors that keep the socket open, fan-out of call updates
// per extension, heartbeats, rate limiting, handler results and failures, and log hygiene.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { Writable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { SignJWT } from 'jose';
import WebSocket from 'ws';
import type { Call } from '../../src/calls/call';
import { ErrorCodes, SwitchboardError } from '../../src/errors';
import { createLogger, type Logger } from '../../src/logging/logger';
import type { RepClaims, UserDirectory } from '../../src/users/user-directory';
import type { CallControlAction, ServerFrame } from '../../src/protocol/v1';
import {
  WebSocketHub,
  type HubHandlers,
  type WebSocketHubOptions,
} from '../../src/hub/websocket-hub';
import {
  AUDIENCE,
  ORG_ID,
  USER_ID,
  generateKeys,
  signToken,
  testVerifier,
  type TestKeys,
} from './identity-tokens';
import { Teardown } from '../support/teardown';
import { until } from '../support/wait-for-value';

const LIGHTNING = 'https://acme.lightning.force.com';

function makeCall(id: string, extension: string, state: Call['state'] = 'ringing'): Call {
  return {
    id,
    direction: 'inbound',
    state,
    extension,
    number: '+4930123456',
    e164: '+4930123456',
    withheld: false,
    internal: false,
    startedAt: '2025-01-01T10:00:00.000Z',
    lookup: 'done',
    matches: [],
  };
}

/** A ws client that queues what it receives, so tests can await the next frame or the close. */
class TestClient {
  readonly socket: WebSocket;
  readonly opened: Promise<void>;
  readonly closed: Promise<{ code: number; reason: string }>;
  private readonly frames: ServerFrame[] = [];
  private readonly waiters: ((frame: ServerFrame) => void)[] = [];

  constructor(url: string, options: WebSocket.ClientOptions = {}) {
    this.socket = new WebSocket(url, options);
    this.opened = new Promise((resolve, reject) => {
      this.socket.once('open', () => {
        resolve();
      });
      this.socket.once('error', reject);
    });
    // Refused upgrades and terminations raise errors the tests inspect by other means.
    this.socket.on('error', () => undefined);
    this.opened.catch(() => undefined);
    this.closed = new Promise((resolve) => {
      this.socket.once('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
      });
    });
    this.socket.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString()) as ServerFrame;
      const waiter = this.waiters.shift();
      if (waiter === undefined) this.frames.push(frame);
      else waiter(frame);
    });
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  next(): Promise<ServerFrame> {
    const frame = this.frames.shift();
    if (frame !== undefined) return Promise.resolve(frame);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Frames received and not yet taken with next(). */
  pending(): readonly ServerFrame[] {
    return this.frames;
  }
}

/** A user directory whose bindings the test sets: email → extensions, email → user id. */
class FakeUsers implements UserDirectory {
  readonly extensions = new Map<string, string[]>([
    ['rep@example.com', ['201']],
    ['other@example.com', ['202']],
  ]);
  /** email → the Salesforce user the email is bound to (default: the test tokens' user). */
  readonly owners = new Map<string, string>();
  extensionsForRep(rep: RepClaims): string[] {
    const owner = this.salesforceUserIdForEmail(rep.email);
    return owner.slice(0, 15) === rep.userId.slice(0, 15) ? this.extensionsForEmail(rep.email) : [];
  }
  warningsForRep(rep: RepClaims): string[] {
    if (this.extensionsForRep(rep).length > 0) return [];
    return this.extensionsForEmail(rep.email).length === 0
      ? [`No PBX user has the email ${rep.email}.`]
      : [`Another Salesforce user has the email ${rep.email}.`];
  }
  extensionsForEmail(email: string): string[] {
    return this.extensions.get(email.toLowerCase()) ?? [];
  }
  emailForExtension(): string | undefined {
    return undefined;
  }
  salesforceUserIdForEmail(email: string): string {
    return this.owners.get(email.toLowerCase()) ?? USER_ID;
  }
}

/** A full garbage collection (the test process runs without --expose-gc). */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

describe('WebSocketHub', () => {
  let keys: TestKeys;
  let server: Server;
  let hub: WebSocketHub;
  let url: string;
  let users: FakeUsers;
  let activeCalls: Call[];
  let dial: jest.MockedFunction<HubHandlers['dial']>;
  let linkRecord: jest.MockedFunction<HubHandlers['linkRecord']>;
  let addNote: jest.MockedFunction<HubHandlers['addNote']>;
  let logLines: string[];
  let clients: TestClient[];
  const teardown = new Teardown();

  beforeAll(() => {
    keys = generateKeys();
  });

  async function start(overrides: Partial<WebSocketHubOptions> = {}): Promise<void> {
    logLines = [];
    const logger: Logger = createLogger({
      level: 'trace',
      destination: new Writable({
        write(chunk: Buffer, _encoding, callback) {
          logLines.push(chunk.toString());
          callback();
        },
      }),
    });
    const verifier = await testVerifier(keys, logger);
    server = teardown.add(
      createServer((_req, res) => {
        res.statusCode = 404;
        res.end();
      }),
      (s) => new Promise((resolve) => s.close(resolve)),
    );
    hub = new WebSocketHub({
      verifier,
      users,
      calls: {
        activeCallsForExtensions: (extensions) =>
          activeCalls.filter((call) => extensions.includes(call.extension)),
      },
      handlers: { dial, linkRecord, addNote },
      allowedOrigins: [LIGHTNING],
      // Heartbeats are driven by hand in their test; a long interval keeps the others quiet.
      heartbeatMs: 60_000,
      helloTimeoutMs: 10_000,
      logger,
      ...overrides,
    });
    teardown.add(hub, (h) => h.close());
    hub.attach(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws`;
  }

  function connect(options: WebSocket.ClientOptions = {}, path = url): TestClient {
    const client = new TestClient(path, options);
    clients.push(client);
    return client;
  }

  /** Connects, says hello with a fresh token for `email`, and returns the client after ready. */
  async function connectAs(email = 'rep@example.com', options: WebSocket.ClientOptions = {}) {
    const client = connect(options);
    await client.opened;
    client.send({
      v: 1,
      type: 'hello',
      token: await signToken(keys.privateKey, { claims: { email } }),
    });
    const ready = await client.next();
    expect(ready.type).toBe('ready');
    return { client, ready };
  }

  beforeEach(() => {
    users = new FakeUsers();
    activeCalls = [];
    clients = [];
    dial = jest.fn((_rep, _frame) => Promise.resolve({ callId: 'call-1' }));
    linkRecord = jest.fn();
    addNote = jest.fn();
  });

  afterEach(async () => {
    for (const client of clients) {
      if (client.socket.readyState !== WebSocket.CLOSED) client.socket.terminate();
    }
    await teardown.run();
  });

  describe('authentication', () => {
    it('answers a valid hello with ready: user, extensions, replayed active calls, warnings', async () => {
      await start();
      activeCalls = [makeCall('c1', '201', 'connected'), makeCall('c2', '202')];

      const { ready } = await connectAs();

      expect(ready).toEqual({
        v: 1,
        type: 'ready',
        user: { id: '005000000000001AAA', email: 'rep@example.com' },
        extensions: ['201'],
        calls: [makeCall('c1', '201', 'connected')],
        warnings: [],
      });
      expect(hub.stats()).toEqual({ sockets: 1, authenticated: 1, reps: 1 });
    });

    it('gives the extensions the directory binds to the token’s user id, not to its email', async () => {
      await start();
      activeCalls = [makeCall('c1', '201')];
      // The directory bound rep@example.com to a different user than the token's subject.
      users.owners.set('rep@example.com', '005000000000099AAA');
      const { ready } = await connectAs();
      expect(ready).toMatchObject({ extensions: [], calls: [] });
      expect((ready as { warnings: string[] }).warnings).toEqual([
        expect.stringContaining('Another Salesforce user has the email'),
      ]);
      // The user the email belongs to gets the phone (15- and 18-character ids compare equal).
      users.owners.set('rep@example.com', '005000000000001');
      const second = await connectAs();
      expect(second.ready).toMatchObject({ extensions: ['201'] });
    });

    it('includes the call-log settings in ready when the hub has them', async () => {
      await start({ settings: { noteGraceSeconds: 120, logCalls: false } });
      const { ready } = await connectAs();
      expect(ready).toMatchObject({
        type: 'ready',
        settings: { noteGraceSeconds: 120, logCalls: false },
      });
    });

    it('says in ready whether the phone system is connected, and tells every rep when that changes', async () => {
      let connected = false;
      await start({ pbxStatus: () => ({ connected }) });
      const rep = await connectAs('rep@example.com');
      const other = await connectAs('other@example.com');
      expect(rep.ready).toMatchObject({ pbx: { connected: false } });
      const stranger = connect();
      await stranger.opened;
      connected = true;
      hub.publishPbxStatus({ connected: true });
      expect(await rep.client.next()).toEqual({ v: 1, type: 'pbx', connected: true });
      expect(await other.client.next()).toEqual({ v: 1, type: 'pbx', connected: true });
      // A socket that has not authenticated learns nothing: its first frame is its ready.
      stranger.send({
        v: 1,
        type: 'hello',
        token: await signToken(keys.privateKey, { claims: { email: 'rep@example.com' } }),
      });
      expect(await stranger.next()).toMatchObject({ type: 'ready', pbx: { connected: true } });
    });

    it('sends the controls the PBX offers now with each pbx frame', async () => {
      let controls: CallControlAction[] = [];
      await start({ pbxStatus: () => ({ connected: false }), controls: () => controls });
      const rep = await connectAs('rep@example.com');
      expect(rep.ready).toMatchObject({ controls: [] });
      controls = ['hangup', 'transfer'];
      hub.publishPbxStatus({ connected: true });
      expect(await rep.client.next()).toEqual({
        v: 1,
        type: 'pbx',
        connected: true,
        controls: ['hangup', 'transfer'],
      });
    });

    it('passes on the directory warnings for a rep without an extension', async () => {
      await start();
      const { ready } = await connectAs('nobody@example.com');
      expect(ready).toMatchObject({
        extensions: [],
        warnings: ['No PBX user has the email nobody@example.com.'],
      });
    });

    const rejections: [string, () => Promise<string>, string][] = [
      [
        'a forged signature',
        () => signToken(generateKeys().privateKey),
        ErrorCodes.AUTH_TOKEN_INVALID,
      ],
      [
        'an expired token',
        () => signToken(keys.privateKey, { iat: Math.floor(Date.now() / 1000) - 1000 }),
        ErrorCodes.AUTH_TOKEN_EXPIRED,
      ],
      [
        'a wrong audience',
        () => signToken(keys.privateKey, { claims: { aud: 'x' } }),
        ErrorCodes.AUTH_WRONG_AUDIENCE,
      ],
      [
        'another org',
        () => signToken(keys.privateKey, { claims: { iss: '00D000000000009EAA' } }),
        ErrorCodes.AUTH_ORG_NOT_ALLOWED,
      ],
      [
        'HS256 signed with the public key (algorithm confusion)',
        () =>
          new SignJWT({ email: 'rep@example.com', jti: 'j' })
            .setProtectedHeader({ alg: 'HS256' })
            .setIssuer(ORG_ID)
            .setSubject('005000000000001AAA')
            .setAudience(AUDIENCE)
            .setIssuedAt()
            .setExpirationTime('5m')
            .sign(new TextEncoder().encode(keys.publicKeyPem)),
        ErrorCodes.AUTH_TOKEN_INVALID,
      ],
    ];

    it.each(rejections)(
      'rejects %s: error frame, then close 4401',
      async (_name, makeToken, code) => {
        await start();
        const client = connect();
        await client.opened;
        const token = await makeToken();

        client.send({ v: 1, type: 'hello', token });

        expect(await client.next()).toMatchObject({ v: 1, type: 'error', code });
        expect((await client.closed).code).toBe(4401);
        // The token never reaches the log, whatever happened to it.
        expect(logLines.join('')).not.toContain(token);
      },
    );

    it('rejects a replayed token on a second socket', async () => {
      await start();
      const token = await signToken(keys.privateKey, { claims: { email: 'rep@example.com' } });
      const first = connect();
      await first.opened;
      first.send({ v: 1, type: 'hello', token });
      expect((await first.next()).type).toBe('ready');

      const second = connect();
      await second.opened;
      second.send({ v: 1, type: 'hello', token });

      expect(await second.next()).toMatchObject({ code: ErrorCodes.AUTH_TOKEN_REPLAYED });
      expect((await second.closed).code).toBe(4401);
      expect(logLines.join('')).not.toContain(token);
    });

    it('closes 4408 when no hello arrives in time', async () => {
      await start({ helloTimeoutMs: 20 });
      const client = connect();

      expect(await client.next()).toMatchObject({ code: ErrorCodes.WS_HELLO_TIMEOUT });
      expect((await client.closed).code).toBe(4408);
    });

    it('closes 4401 when another frame comes before hello', async () => {
      await start();
      const client = connect();
      await client.opened;

      client.send({ v: 1, type: 'dial', requestId: 'r1', number: '+4930123' });

      expect(await client.next()).toMatchObject({ code: ErrorCodes.WS_NOT_AUTHENTICATED });
      expect((await client.closed).code).toBe(4401);
      expect(dial).not.toHaveBeenCalled();
    });

    it('closes 4400 when the first frame is not a v1 frame at all', async () => {
      await start();
      const client = connect();
      await client.opened;

      client.send({ v: 2, type: 'hello', token: 'x' });

      expect(await client.next()).toMatchObject({ code: ErrorCodes.WS_UNSUPPORTED_VERSION });
      expect((await client.closed).code).toBe(4400);
    });

    it('handles frames sent right after hello once the rep is authenticated', async () => {
      await start();
      const client = connect();
      await client.opened;

      client.send({ v: 1, type: 'hello', token: await signToken(keys.privateKey) });
      client.send({ v: 1, type: 'dial', requestId: 'r1', number: '+4930123' });

      expect((await client.next()).type).toBe('ready');
      expect(await client.next()).toMatchObject({ type: 'dial.result', requestId: 'r1', ok: true });
    });
  });

  describe('limits', () => {
    it('closes an authenticated session after maxSessionMs so the utility signs in again', async () => {
      await start({ maxSessionMs: 50 });
      const { client } = await connectAs();
      // 1001: reconnect (the utility fetches a fresh token, so permissions are checked again).
      expect((await client.closed).code).toBe(1001);
      expect(hub.stats().authenticated).toBe(0);
    });

    it('refuses sockets beyond maxSockets with 503, and accepts again once one closes', async () => {
      await start({ maxSockets: 1 });
      const { client } = await connectAs();
      const refused = connect();
      const status = await new Promise<number | undefined>((resolve) => {
        refused.socket.on('unexpected-response', (_req, res) => {
          resolve(res.statusCode);
        });
      });
      expect(status).toBe(503);
      client.socket.close();
      await client.closed;
      const { ready } = await connectAs();
      expect(ready.type).toBe('ready');
    });
  });

  describe('memory per rep', () => {
    it('keeps neither the upgrade request nor its headers once the rep is connected', async () => {
      await start();
      let request: WeakRef<IncomingMessage> | undefined;
      server.prependListener('upgrade', (req: IncomingMessage) => {
        request = new WeakRef(req);
      });
      const { client } = await connectAs();
      // 10,000 reps held 10,000 requests (~20 objects each) through a socket listener.
      await until(() => {
        collectGarbage();
        return request?.deref() === undefined;
      }, 'the upgrade request to be collected');
      expect(client.socket.readyState).toBe(WebSocket.OPEN);
    });
  });

  describe('origin check at the upgrade', () => {
    it('tells a browser from a foreign origin why, then closes with 4403', async () => {
      await start();
      const client = connect({ origin: 'https://evil.example' });
      // The page sees the reason (a plain HTTP 403 would surface only as 1006).
      const frame = await client.next();
      expect(frame).toMatchObject({
        type: 'error',
        code: ErrorCodes.WS_ORIGIN_NOT_ALLOWED,
        hint: expect.stringContaining('server.allowedOrigins') as unknown,
      });
      expect((await client.closed).code).toBe(4403);
      // It never became a session, and the refusal is logged once per origin.
      expect(hub.stats().authenticated).toBe(0);
      const again = connect({ origin: 'https://evil.example' });
      expect((await again.closed).code).toBe(4403);
      expect(
        logLines.filter((line) => line.includes(ErrorCodes.WS_ORIGIN_NOT_ALLOWED)),
      ).toHaveLength(1);
    });

    it('accepts an allowed origin and clients that send none', async () => {
      await start();
      const browser = connect({ origin: LIGHTNING });
      const tool = connect();
      await Promise.all([browser.opened, tool.opened]);
      expect(hub.stats().sockets).toBe(2);
    });

    it('answers 404 for another path', async () => {
      await start();
      const client = connect({}, url.replace('/ws', '/other'));
      const status = await new Promise<number>((resolve) => {
        client.socket.on('unexpected-response', (_req, res) => {
          resolve(res.statusCode ?? 0);
        });
        client.socket.on('error', () => undefined);
      });
      expect(status).toBe(404);
    });
  });

  describe('frames after ready', () => {
    it.each([
      ['bad JSON', '{nope', ErrorCodes.WS_BAD_FRAME],
      ['an unknown type', '{"v":1,"type":"transfer"}', ErrorCodes.WS_UNKNOWN_TYPE],
      ['a wrong version', '{"v":3,"type":"dial"}', ErrorCodes.WS_UNSUPPORTED_VERSION],
      ['a second hello', '{"v":1,"type":"hello","token":"t"}', ErrorCodes.WS_BAD_FRAME],
    ])('answers %s with an error frame and keeps the socket open', async (_name, text, code) => {
      await start();
      const { client } = await connectAs();

      client.send(text);
      expect(await client.next()).toMatchObject({ v: 1, type: 'error', code });

      // Still open and still served.
      client.send({ v: 1, type: 'dial', requestId: 'r2', number: '+4930123' });
      expect(await client.next()).toMatchObject({ type: 'dial.result', requestId: 'r2', ok: true });
    });

    it('echoes the requestId of a refused frame', async () => {
      await start();
      const { client } = await connectAs();
      client.send({ v: 1, type: 'dial', requestId: 'r9', number: '' });
      expect(await client.next()).toMatchObject({ code: ErrorCodes.WS_BAD_FRAME, requestId: 'r9' });
    });

    it('relays dial to the handler with the rep and their current extensions', async () => {
      await start();
      const { client } = await connectAs();
      users.extensions.set('rep@example.com', ['201', '203']);

      client.send({
        v: 1,
        type: 'dial',
        requestId: 'r1',
        number: '+4930123',
        recordId: '003000000000001AAA',
      });

      expect(await client.next()).toEqual({
        v: 1,
        type: 'dial.result',
        requestId: 'r1',
        ok: true,
        callId: 'call-1',
      });
      expect(dial).toHaveBeenCalledWith(
        {
          orgId: ORG_ID,
          userId: '005000000000001AAA',
          email: 'rep@example.com',
          extensions: ['201', '203'],
        },
        { v: 1, type: 'dial', requestId: 'r1', number: '+4930123', recordId: '003000000000001AAA' },
      );
    });

    it('turns a SwitchboardError from the dial handler into ok:false with its code', async () => {
      await start();
      dial.mockRejectedValue(
        new SwitchboardError(ErrorCodes.DIAL_NO_EXTENSION, 'You have no extension.', {
          hint: 'Ask an admin.',
        }),
      );
      const { client } = await connectAs();

      client.send({ v: 1, type: 'dial', requestId: 'r1', number: '+4930123' });

      expect(await client.next()).toEqual({
        v: 1,
        type: 'dial.result',
        requestId: 'r1',
        ok: false,
        error: {
          code: ErrorCodes.DIAL_NO_EXTENSION,
          message: 'You have no extension.',
          hint: 'Ask an admin.',
        },
      });
    });

    it('survives a handler that throws a plain error, without leaking its message', async () => {
      await start();
      dial.mockImplementation(() => {
        throw new Error('socket hang up at 10.0.0.5');
      });
      const { client } = await connectAs();

      client.send({ v: 1, type: 'dial', requestId: 'r1', number: '+4930123' });
      const result = await client.next();

      expect(result).toMatchObject({
        type: 'dial.result',
        ok: false,
        error: { code: ErrorCodes.INTERNAL },
      });
      expect(JSON.stringify(result)).not.toContain('10.0.0.5');
      client.send({ v: 1, type: 'call.link', callId: 'c1', recordId: '003000000000001AAA' });
      await new Promise((resolve) => setImmediate(resolve));
      expect(hub.stats().authenticated).toBe(1);
    });

    it('relays call.link and call.note, and reports their failures with the requestId', async () => {
      await start();
      addNote.mockRejectedValue(
        new SwitchboardError(ErrorCodes.CALL_NOT_FOUND, 'No such call.', { hint: 'Reload.' }),
      );
      const { client } = await connectAs();

      client.send({ v: 1, type: 'call.link', callId: 'c1', recordId: '003000000000001AAA' });
      client.send({
        v: 1,
        type: 'call.note',
        callId: 'c1',
        notes: 'Wants a quote',
        requestId: 'n1',
      });

      // The answer to the request, then the error frame clients before call.note.result read.
      expect(await client.next()).toEqual({
        v: 1,
        type: 'call.note.result',
        requestId: 'n1',
        ok: false,
        error: { code: ErrorCodes.CALL_NOT_FOUND, message: 'No such call.', hint: 'Reload.' },
      });
      expect(await client.next()).toEqual({
        v: 1,
        type: 'error',
        code: ErrorCodes.CALL_NOT_FOUND,
        message: 'No such call.',
        hint: 'Reload.',
        requestId: 'n1',
      });
      expect(linkRecord).toHaveBeenCalledWith(
        expect.objectContaining({ userId: '005000000000001AAA' }),
        { v: 1, type: 'call.link', callId: 'c1', recordId: '003000000000001AAA' },
      );
    });

    it('answers call.note with a requestId by call.note.result ok and the log status', async () => {
      await start();
      addNote.mockResolvedValueOnce({ state: 'logged', taskId: '00T000000000001AAA' });
      addNote.mockReturnValueOnce(undefined);
      const { client } = await connectAs();

      client.send({
        v: 1,
        type: 'call.note',
        callId: 'c1',
        disposition: 'Interested',
        requestId: 'n1',
      });
      expect(await client.next()).toEqual({
        v: 1,
        type: 'call.note.result',
        requestId: 'n1',
        ok: true,
        log: { state: 'logged', taskId: '00T000000000001AAA' },
      });
      // A call still in progress has no log status yet: ok without `log`.
      client.send({ v: 1, type: 'call.note', callId: 'c2', notes: 'Later', requestId: 'n2' });
      expect(await client.next()).toEqual({
        v: 1,
        type: 'call.note.result',
        requestId: 'n2',
        ok: true,
      });
      expect(addNote).toHaveBeenLastCalledWith(
        expect.objectContaining({ userId: '005000000000001AAA', extensions: ['201'] }),
        { v: 1, type: 'call.note', callId: 'c2', notes: 'Later', requestId: 'n2' },
      );
    });

    it('answers call.note without a requestId only when it fails, with an error frame', async () => {
      await start();
      addNote.mockReturnValueOnce({ state: 'pending' });
      addNote.mockImplementationOnce(() => {
        throw new SwitchboardError(ErrorCodes.CALL_LOG_NOTE_TOO_LATE, 'Too late.');
      });
      const { client } = await connectAs();

      client.send({ v: 1, type: 'call.note', callId: 'c1', notes: 'Fine' });
      client.send({ v: 1, type: 'call.note', callId: 'c1', notes: 'Late' });

      expect(await client.next()).toEqual({
        v: 1,
        type: 'error',
        code: ErrorCodes.CALL_LOG_NOTE_TOO_LATE,
        message: 'Too late.',
      });
      // Nothing else: the hub handles frames in order, so a reply would arrive before the pong.
      const ponged = new Promise((resolve) => client.socket.once('pong', resolve));
      client.socket.ping();
      await ponged;
      expect(client.pending()).toEqual([]);
      expect(addNote).toHaveBeenCalledTimes(2);
    });

    it('rate limits a flooding client with WS_RATE_LIMITED and drops the excess', async () => {
      // A frozen clock: the bucket never refills, so the count is exact.
      await start({ rateLimit: { perSecond: 1, burst: 3 }, now: () => 0 });
      const { client } = await connectAs(); // hello takes one token

      for (let i = 1; i <= 4; i += 1) {
        client.send({ v: 1, type: 'dial', requestId: `r${i}`, number: '+4930123' });
      }

      // The refusal is sent at once, the dial results when the handler resolves: any order.
      const replies = [await client.next(), await client.next(), await client.next()];
      expect(replies).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ type: 'dial.result', requestId: 'r1', ok: true }),
          expect.objectContaining({ type: 'dial.result', requestId: 'r2', ok: true }),
          expect.objectContaining({ type: 'error', code: ErrorCodes.WS_RATE_LIMITED }),
        ]),
      );
      // r3 and r4 were dropped and only the first drop was answered. A ping round trip
      // proves it: the hub handles frames in order, so any reply would be here before the pong.
      const ponged = new Promise((resolve) => client.socket.once('pong', resolve));
      client.socket.ping();
      await ponged;
      expect(client.pending()).toEqual([]);
      expect(dial).toHaveBeenCalledTimes(2);
    });

    it('closes with 1009 on a frame larger than 64 KiB', async () => {
      await start();
      const { client } = await connectAs();
      client.send({ v: 1, type: 'call.note', callId: 'c1', notes: 'x'.repeat(70 * 1024) });
      expect((await client.closed).code).toBe(1009);
    });
  });

  describe('publishing calls', () => {
    it('sends a call to every socket of the reps on its extension and to no one else', async () => {
      await start();
      const tab1 = await connectAs('rep@example.com');
      const tab2 = await connectAs('Rep@Example.com');
      const other = await connectAs('other@example.com');
      expect(hub.stats()).toEqual({ sockets: 3, authenticated: 3, reps: 1 });

      hub.publishCall(makeCall('c1', '201'));
      hub.publishCall(makeCall('c2', '202'));

      expect(await tab1.client.next()).toEqual({ v: 1, type: 'call', call: makeCall('c1', '201') });
      expect(await tab2.client.next()).toEqual({ v: 1, type: 'call', call: makeCall('c1', '201') });
      expect(await other.client.next()).toEqual({
        v: 1,
        type: 'call',
        call: makeCall('c2', '202'),
      });
      expect(tab1.client.pending()).toEqual([]);
      expect(tab2.client.pending()).toEqual([]);
    });

    it('follows a changed mapping on the next hello or refresh', async () => {
      await start();
      const { client } = await connectAs('rep@example.com');
      users.extensions.set('rep@example.com', ['205']);

      hub.refreshExtensions();
      hub.publishCall(makeCall('old', '201'));
      hub.publishCall(makeCall('new', '205'));

      expect(await client.next()).toMatchObject({ type: 'call', call: { id: 'new' } });
    });

    it('stops sending to a closed socket', async () => {
      await start();
      const { client } = await connectAs();
      client.socket.close();
      await client.closed;
      await new Promise((resolve) => setImmediate(resolve));

      expect(hub.stats().sockets).toBe(0);
      expect(() => {
        hub.publishCall(makeCall('c1', '201'));
      }).not.toThrow();
    });
  });

  describe('heartbeat and shutdown', () => {
    it('terminates a socket that missed a pong and keeps one that answered', async () => {
      await start();
      const healthy = await connectAs('rep@example.com');
      const dead = await connectAs('other@example.com', { autoPong: false });
      const pinged = new Promise((resolve) => healthy.client.socket.once('ping', resolve));

      hub.checkHeartbeats();
      await pinged;
      // A round trip after the ping: the healthy client's pong is now in at the hub.
      healthy.client.send('{nope');
      expect(await healthy.client.next()).toMatchObject({ code: ErrorCodes.WS_BAD_FRAME });
      hub.checkHeartbeats();

      expect((await dead.client.closed).code).toBe(1006);
      expect(healthy.client.socket.readyState).toBe(WebSocket.OPEN);
      expect(hub.stats().sockets).toBe(1);
    });

    it('pings a slice of the sockets at a time, each socket in exactly one slice', async () => {
      await start({ heartbeatSlices: 2 });
      const reps = await Promise.all(
        ['a@example.com', 'b@example.com', 'c@example.com', 'd@example.com'].map((email) =>
          connectAs(email),
        ),
      );
      const pings = reps.map(() => 0);
      reps.forEach(({ client }, i) =>
        client.socket.on('ping', () => {
          pings[i] = (pings[i] ?? 0) + 1;
        }),
      );
      const roundTrip = async () => {
        // A frame each way after the pings: every ping sent so far has arrived.
        for (const { client } of reps) {
          client.send('{nope');
          expect(await client.next()).toMatchObject({ code: ErrorCodes.WS_BAD_FRAME });
        }
      };

      hub.checkHeartbeats(0);
      await roundTrip();
      const first = [...pings];
      hub.checkHeartbeats(1);
      await roundTrip();

      expect(first.filter((n) => n === 1)).toHaveLength(2);
      expect(pings).toEqual([1, 1, 1, 1]);
      expect(hub.stats().sockets).toBe(4);
    });

    it('forgets a closed socket: its slice pings only the sockets still open', async () => {
      await start({ heartbeatSlices: 1 });
      const gone = await connectAs('a@example.com');
      const staying = await connectAs('b@example.com');
      gone.client.socket.close();
      await until(() => hub.stats().sockets === 1, 'the closed socket to be gone from the hub');

      const pinged = new Promise((resolve) => staying.client.socket.once('ping', resolve));
      hub.checkHeartbeats(0);
      await pinged;
      // ws answers a ping before it emits 'ping': a frame each way after it, and the staying
      // client's pong is in at the hub before the next tick.
      staying.client.send('{nope');
      expect(await staying.client.next()).toMatchObject({ code: ErrorCodes.WS_BAD_FRAME });
      hub.checkHeartbeats(0);

      // A closed socket left in its slice would miss the pong and be "terminated" here.
      expect(logLines.filter((line) => line.includes('missed heartbeat'))).toEqual([]);
      expect(staying.client.socket.readyState).toBe(WebSocket.OPEN);
    });

    it('closes every socket with 1001 on close()', async () => {
      await start();
      const { client } = await connectAs();
      const waiting = connect();
      await waiting.opened;

      await hub.close();

      expect((await client.closed).code).toBe(1001);
      expect((await waiting.closed).code).toBe(1001);
      expect(hub.stats().sockets).toBe(0);
    });
  });

  it('summarizes sockets that never authenticate instead of logging three lines each', async () => {
    await start({ churnSummaryMs: 3_600_000 });
    const sockets = 300;
    const refused = [...Array(sockets).keys()].map(async () => {
      const client = connect();
      await client.opened;
      client.send({ v: 1, type: 'hello', token: 'not.a.token' });
      return client.closed;
    });
    const closes = await Promise.all(refused);
    expect(closes.every((close) => close.code === 4401)).toBe(true);
    await until(() => hub.stats().sockets === 0, 'every socket to be closed');
    await hub.close();

    const lines = logLines.map((line) => JSON.parse(line) as { level: string; msg: string });
    const atInfoOrAbove = lines.filter((line) => line.level !== 'debug' && line.level !== 'trace');
    // One refusal in full (with its hint), then one summary: not 900 lines.
    expect(atInfoOrAbove.map((line) => line.msg)).toEqual([
      'ws rejected: The identity token is malformed.',
      `ws churn: ${sockets} socket(s) closed without authenticating`,
    ]);
    expect(atInfoOrAbove[1]).toMatchObject({
      closedUnauthenticated: sockets,
      refused: { [ErrorCodes.AUTH_TOKEN_INVALID]: sockets },
    });
    // The detail is still there for whoever turns on debug.
    expect(lines.filter((line) => line.msg === 'ws connected')).toHaveLength(sockets);
  });

  it('logs connect, auth and close with the user id and never the token', async () => {
    await start();
    const token = await signToken(keys.privateKey);
    const client = connect();
    await client.opened;
    client.send({ v: 1, type: 'hello', token });
    await client.next();
    client.socket.close();
    await client.closed;
    await new Promise((resolve) => setImmediate(resolve));

    const log = logLines.join('');
    expect(log).toContain('"msg":"ws connected"');
    expect(log).toMatch(/"userId":"005000000000001AAA".*"msg":"ws authenticated"/);
    expect(log).toMatch(/"userId":"005000000000001AAA".*"msg":"ws closed"/);
    expect(log).not.toContain(token);
    expect(log).not.toContain(token.split('.')[2]);
  });
});
