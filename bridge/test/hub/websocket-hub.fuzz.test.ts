// Property-based tests of the hub over real sockets, against the whole bridge (emulated org,
// simulator PBX, the real handlers for dial, call.link and call.note): random first frames and
// tokens before hello, random frame sequences after it. The bridge answers every frame with a
// v1 frame or a coded error, closes a socket only for the reasons docs/protocol.md gives, never
// fails inside (no INTERNAL, no error in its log), and keeps serving. Input classes:
// docs/testing.md.
import fc from 'fast-check';
import WebSocket from 'ws';
import type { RunningBridge } from '../../src/bridge';
import { ErrorCodes } from '../../src/errors';
import { rawDataToString } from '../../src/hub/websocket-hub';
import { CloseCodes, SERVER_FRAME_TYPES } from '../../src/protocol/v1';
import { captureLogger, type CapturedLine } from '../support/capture-logger';
import { FUZZ_TIMEOUT_MS, anyJson, fuzz, hostileString } from '../support/fuzz';
import {
  DEMO_USERS,
  postPbxEvent,
  startTestBridge,
  type ServerFrame,
} from '../support/test-bridge';

jest.setTimeout(FUZZ_TIMEOUT_MS);

const ANA = DEMO_USERS[0]!;
const CODES = new Set<string>(Object.values(ErrorCodes));

/** A raw browser socket: what it received and how it closed. */
class Socket {
  readonly frames: ServerFrame[] = [];
  closeCode: number | undefined;
  private readonly changed: Array<() => void> = [];
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.frames.push(JSON.parse(rawDataToString(data)) as ServerFrame);
      this.notify();
    });
    ws.on('close', (code) => {
      this.closeCode = code;
      this.notify();
    });
    ws.on('error', () => undefined);
  }

  static async open(url: string): Promise<Socket> {
    const ws = new WebSocket(url);
    const socket = new Socket(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    return socket;
  }

  /** Waits until the predicate holds (checked on every frame and on close). */
  async until(predicate: () => boolean): Promise<void> {
    while (!predicate()) {
      if (this.closeCode !== undefined) return;
      await new Promise<void>((resolve) => this.changed.push(resolve));
    }
  }

  private notify(): void {
    for (const resolve of this.changed.splice(0)) resolve();
  }
}

/** Every frame is a v1 server frame, and every error in it is coded and not a bridge failure. */
function expectWellFormed(frames: readonly ServerFrame[]): void {
  for (const frame of frames) {
    expect(frame.v).toBe(1);
    expect(SERVER_FRAME_TYPES).toContain(frame.type);
    const error = (frame.type === 'error' ? frame : frame.error) as
      { code: string; message: string } | undefined;
    if (error === undefined) continue;
    expect(CODES.has(error.code)).toBe(true);
    expect(error.code).not.toBe(ErrorCodes.INTERNAL);
    expect(error.message).not.toBe('');
  }
}

describe('WebSocketHub with real sockets (property-based)', () => {
  let bridge: RunningBridge;
  let log: CapturedLine[];

  beforeAll(async () => {
    const captured = captureLogger();
    log = captured.lines;
    bridge = await startTestBridge({ logger: captured.logger });
  });
  afterAll(() => bridge.stop());

  /** A socket that said hello as Ana with a token the org signed, once it is ready (or closed). */
  async function signedIn(): Promise<Socket> {
    const socket = await Socket.open(bridge.wsUrl);
    const token = await bridge.emulatedOrg!.identity.signToken(ANA.Id);
    socket.ws.send(JSON.stringify({ v: 1, type: 'hello', token }));
    await socket.until(() => socket.frames.some((f) => f.type === 'ready'));
    return socket;
  }

  afterEach(async () => {
    // The bridge still serves a rep, and nothing failed inside it.
    const socket = await signedIn();
    expect(socket.frames.map((f) => f.type)).toContain('ready');
    socket.ws.terminate();
    expect(log.filter((l) => l.level === 'error' || l.level === 'fatal')).toEqual([]);
  });

  it('answers any first frame with ready, or an error frame and a close for the reason given', async () => {
    const firstFrame = fc.oneof(
      hostileString(200).map((text) => ({ text })),
      anyJson.map((value) => ({ text: JSON.stringify(value) })),
      fc
        .record({
          v: fc.oneof(fc.constant(1), anyJson),
          type: fc.constantFrom('hello', 'dial', 'call.link', 'call.note', 'ready', 'x'),
          token: fc.oneof(fc.string({ maxLength: 100 }), anyJson),
        })
        .map((frame) => ({ text: JSON.stringify(frame) })),
      fc.uint8Array({ minLength: 1, maxLength: 100 }).map((bytes) => ({ binary: bytes })),
    );
    await fc.assert(
      fc.asyncProperty(firstFrame, async (first) => {
        const socket = await Socket.open(bridge.wsUrl);
        if ('binary' in first) socket.ws.send(Buffer.from(first.binary), { binary: true });
        else socket.ws.send(first.text);
        // Binary frames are refused but the socket may still say hello; text closes it.
        await socket.until(() => 'binary' in first && socket.frames.length > 0);
        expectWellFormed(socket.frames);
        if ('binary' in first) {
          expect(socket.frames).toEqual([
            expect.objectContaining({ type: 'error', code: ErrorCodes.WS_BAD_FRAME }),
          ]);
        } else {
          expect([CloseCodes.BAD_FRAME_BEFORE_HELLO, CloseCodes.UNAUTHORIZED]).toContain(
            socket.closeCode,
          );
          expect(socket.frames).toEqual([expect.objectContaining({ type: 'error' })]);
        }
        socket.ws.terminate();
      }),
      fuzz(80),
    );
  });

  it('answers any token, signed or not, with ready or a coded refusal and a close', async () => {
    const now = Math.floor(Date.now() / 1000);
    const overrides = fc.record(
      {
        aud: fc.oneof(fc.constant('switchboard-bridge'), hostileString(30)),
        iss: fc.oneof(fc.constant(bridge.emulatedOrg!.orgId), fc.constant('00D000000000999AAA')),
        exp: fc.integer({ min: now - 3600, max: now + 3600 }),
        iat: fc.integer({ min: now - 3600, max: now + 3600 }),
        jti: fc.oneof(fc.uuid(), fc.constantFrom('same-jti', ''), hostileString(40)),
        email: fc.oneof(fc.constant(ANA.Email), fc.emailAddress(), hostileString(40)),
      },
      { requiredKeys: [] },
    );
    const garbage = fc
      .array(fc.base64String({ maxLength: 60 }), { minLength: 1, maxLength: 4 })
      .map((parts) => parts.join('.').replace(/=/g, ''));
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          overrides.map((o) => ({ overrides: o })),
          garbage.map((token) => ({ token })),
        ),
        async (input) => {
          const token =
            'token' in input
              ? input.token
              : await bridge.emulatedOrg!.identity.signToken(ANA.Id, input.overrides);
          const socket = await Socket.open(bridge.wsUrl);
          socket.ws.send(JSON.stringify({ v: 1, type: 'hello', token }));
          await socket.until(() => socket.frames.length > 0);
          await socket.until(() => socket.frames[0]?.type === 'ready');
          expectWellFormed(socket.frames);
          const first = socket.frames[0];
          if (first?.type !== 'ready') {
            // A token that is not even a string of 1–8192 characters is a bad hello frame.
            expect([socket.closeCode, String(first?.code).replace(/_.*$/, '_')]).toEqual(
              first?.code === ErrorCodes.WS_BAD_FRAME
                ? [CloseCodes.BAD_FRAME_BEFORE_HELLO, 'WS_']
                : [CloseCodes.UNAUTHORIZED, 'AUTH_'],
            );
          }
          socket.ws.terminate();
        },
      ),
      fuzz(60),
    );
  });

  it('answers any frames after hello with v1 frames or coded errors, and keeps the socket', async () => {
    const callId = fc.constantFrom('fuzz-call:201', 'no-such-call', '', 'x'.repeat(201));
    const recordId = fc.oneof(
      fc.constantFrom('003000000000001AAA', '005000000000001AAA', '001000000000001'),
      fc.stringMatching(/^[a-zA-Z0-9]{15,18}$/),
      hostileString(20),
    );
    const frame = fc.oneof(
      fc.record(
        {
          v: fc.constant(1),
          type: fc.constant('dial'),
          requestId: fc.string({ minLength: 1, maxLength: 20 }),
          number: fc.oneof(
            fc.constantFrom('+1 415 555 0100', '0711 1234567', '1-800-FLOWERS', '911', '+1900555'),
            hostileString(70),
          ),
          recordId,
        },
        { requiredKeys: ['v', 'type', 'requestId', 'number'] },
      ),
      fc.record(
        {
          v: fc.constant(1),
          type: fc.constant('call.link'),
          callId,
          recordId,
          requestId: fc.string({ maxLength: 20 }),
        },
        { requiredKeys: ['v', 'type', 'callId', 'recordId'] },
      ),
      fc.record(
        {
          v: fc.constant(1),
          type: fc.constant('call.note'),
          callId,
          notes: hostileString(300),
          disposition: hostileString(30),
          requestId: fc.string({ maxLength: 20 }),
        },
        { requiredKeys: ['v', 'type', 'callId'] },
      ),
      fc.constant({ v: 1, type: 'hello', token: 'again' }),
      anyJson,
      hostileString(100),
    );
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(frame, { maxLength: 10 }), async (frames) => {
        run += 1;
        // A call ringing for Ana, so some frames name a call she has.
        const pbxCallId = `fuzz-${run}`;
        await postPbxEvent(bridge, {
          callId: pbxCallId,
          event: 'ringing',
          direction: 'inbound',
          extension: '201',
          number: '+1 415 555 0100',
        });
        const socket = await signedIn();
        for (const f of frames) {
          const text = typeof f === 'string' ? f : JSON.stringify(f);
          socket.ws.send(text.replace('fuzz-call:201', `${pbxCallId}:201`));
        }
        // A note with a requestId is always answered: once it is, every frame before it was.
        socket.ws.send(
          JSON.stringify({
            v: 1,
            type: 'call.note',
            callId: 'sentinel',
            notes: 'n',
            requestId: `sentinel-${run}`,
          }),
        );
        await socket.until(() =>
          socket.frames.some(
            (f) => f.type === 'call.note.result' && f.requestId === `sentinel-${run}`,
          ),
        );
        expect(socket.closeCode).toBeUndefined();
        expectWellFormed(socket.frames);
        socket.ws.terminate();
        await postPbxEvent(bridge, { callId: pbxCallId, event: 'ended', extension: '201' });
      }),
      fuzz(40),
    );
  });
});
