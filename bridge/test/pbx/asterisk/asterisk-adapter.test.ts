// The real AsteriskPbxAdapter over real TCP against the AMI test server replaying real
// Asterisk 22 captures: timelines under every way TCP may cut the bytes, reconnect and
// recovery, PBX restart, bad login, malformed frames, click-to-dial and users.
import { Writable } from 'node:stream';
import type { CallEvent } from '../../../src/calls/call';
import { ConfigSchema } from '../../../src/config/schema';
import { ErrorCodes, SwitchboardError } from '../../../src/errors';
import { createLogger, type Logger } from '../../../src/logging/logger';
import { AsteriskPbxAdapter } from '../../../src/pbx/asterisk/asterisk-adapter';
import { callFrames, headerOf, loadCapture } from './ami-capture';
import { AmiTestServer, type AmiTestServerOptions } from './ami-test-server';
import { CAPTURE_TIMELINES, steps } from './capture-timelines';

interface Harness {
  server: AmiTestServer;
  adapter: AsteriskPbxAdapter;
  events: CallEvent[];
  logs: string[];
}

const running: Harness[] = [];

function recordingLogger(level: 'info' | 'debug' = 'debug'): { logger: Logger; logs: string[] } {
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(chunk.toString('utf8'));
      done();
    },
  });
  return { logger: createLogger({ level, destination }), logs };
}

function asteriskConfig(port: number, secret = 'bridgepass') {
  const config = ConfigSchema.parse({
    salesforce: { emulate: 'demo' },
    pbx: {
      adapter: 'asterisk',
      asterisk: { host: '127.0.0.1', port, username: 'bridge', secret, reconnectMaxSeconds: 0.2 },
    },
  });
  const asterisk = config.pbx.asterisk;
  if (asterisk === undefined) throw new Error('schema dropped pbx.asterisk');
  return asterisk;
}

async function harness(
  options: AmiTestServerOptions = {},
  secret?: string,
  server = new AmiTestServer(options),
  { logger, logs } = recordingLogger(),
): Promise<Harness & { started: Promise<void> }> {
  const port = await server.listen();
  const adapter = new AsteriskPbxAdapter({
    config: asteriskConfig(port, secret),
    logger,
    reconnectInitialMs: 20,
  });
  const events: CallEvent[] = [];
  const h = { server, adapter, events, logs };
  running.push(h);
  const started = adapter.start((e) => events.push(e));
  return { ...h, started };
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i += 1) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

afterEach(async () => {
  for (const h of running.splice(0)) {
    await h.adapter.stop();
    await h.server.close();
  }
});

describe('AsteriskPbxAdapter replaying real captures over TCP', () => {
  const splits = ['frames', 'random', 'bytes'] as const;
  const matrix = CAPTURE_TIMELINES.flatMap(([name, linkedid, timeline]) =>
    splits
      .filter((split) => split !== 'bytes' || name.startsWith('sip-inbound-answered'))
      .map((split) => [name, split, linkedid, timeline] as const),
  );

  it.each(matrix)('%s (%s) yields its timeline', async (name, split, linkedid, timeline) => {
    const h = await harness({ split });
    await h.started;
    expect(h.adapter.isConnected()).toBe(true);
    await h.server.send(callFrames(loadCapture(name)));
    await until(() => h.events.length >= timeline.length, `${String(timeline.length)} events`);
    expect(steps(h.events)).toEqual(timeline);
    expect(h.events.every((e) => e.pbxCallId === linkedid)).toBe(true);
  });
});

describe('AsteriskPbxAdapter link handling', () => {
  const capture = loadCapture('sip-inbound-answered');
  const frames = callFrames(capture);
  const answeredAt = frames.findIndex((f) => headerOf(f, 'Event') === 'DialEnd') + 1;
  const repChannel = {
    Channel: 'PJSIP/201-00000001',
    ChannelState: '6',
    ChannelStateDesc: 'Up',
    CallerIDNum: '201',
    ConnectedLineNum: '+15551234567',
    Context: 'from-internal',
    Exten: '',
    Uniqueid: '1795289031.29',
    Linkedid: '1795289031.28',
    Application: 'AppDial',
    ApplicationData: '(Outgoing Line)',
    BridgeId: '51108f7e-6c9b-44cf-b499-dabef2e5058b',
  };

  it('keeps a call through a dropped connection and finishes it after reconnecting', async () => {
    let channels: Record<string, string>[] = [];
    const h = await harness({ channels: () => channels });
    await h.started;
    await h.server.send(frames.slice(0, answeredAt));
    await until(() => h.events.length === 2, 'ringing and answered');
    channels = [repChannel];
    h.server.dropAll();
    await until(() => !h.adapter.isConnected(), 'the drop to be noticed');
    await h.server.waitForLogin(2);
    await until(() => h.adapter.isConnected(), 'reconnect');
    expect(h.server.received.filter((a) => a.fields.Action === 'CoreShowChannels')).toHaveLength(2);
    await h.server.send(frames.slice(answeredAt));
    await until(() => h.events.length === 3, 'the end of the call');
    expect(steps(h.events)).toEqual([
      ['ringing', '201', 'inbound:+15551234567'],
      ['answered', '201'],
      ['ended', '201', 'completed'],
    ]);
  });

  it('ends a call that finished while the PBX was restarting', async () => {
    const h = await harness({ channels: () => [] });
    await h.started;
    await h.server.send(frames.slice(0, answeredAt));
    await until(() => h.events.length === 2, 'ringing and answered');
    // A restart: the listener goes away, comes back on the same port with no channels.
    const port = h.server.port;
    await h.server.close();
    const restarted = new AmiTestServer({ channels: () => [] });
    await restarted.listen(port);
    running.push({ ...h, server: restarted });
    await restarted.waitForLogin(1);
    await until(() => h.events.length === 3, 'the vanished call to end');
    expect(steps(h.events).at(-1)).toEqual(['ended', '201', 'completed']);
  });

  it('rebuilds a call already under way when it first connects (a rep reloading mid-call)', async () => {
    const h = await harness({ channels: () => [repChannel] });
    await h.started;
    expect(steps(h.events)).toEqual([
      ['ringing', '201', 'inbound:+15551234567'],
      ['answered', '201'],
    ]);
    expect(h.events[0]?.pbxCallId).toBe('1795289031.28');
  });

  it('rejects start with PBX_REFUSED and a hint on a bad login, never logging the secret', async () => {
    const h = await harness({}, 'wrong-secret-123');
    const error = await h.started.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SwitchboardError);
    expect((error as SwitchboardError).code).toBe(ErrorCodes.PBX_REFUSED);
    expect((error as SwitchboardError).hint).toMatch(/pbx\.asterisk\.secret/);
    expect(h.adapter.isConnected()).toBe(false);
    expect(h.logs.join('')).not.toContain('wrong-secret-123');
    expect(h.logs.join('')).toContain(ErrorCodes.PBX_REFUSED);
  });

  it('skips a malformed frame (logged with PBX_PROTOCOL_ERROR) and ignores unknown events', async () => {
    const h = await harness({ split: 'random' });
    await h.started;
    await h.server.send([
      'Event: FutureThing\r\nPrivilege: call,all\r\nWhatever: 1\r\n\r\n',
      'this is not a header line\r\nEvent: Hangup\r\nCallerIDNum: +15551234567\r\n\r\n',
      ...frames,
    ]);
    await until(() => h.events.length === 3, 'the call after the bad frame');
    expect(steps(h.events).map((s) => s[0])).toEqual(['ringing', 'answered', 'ended']);
    const problems = h.logs.filter((l) => l.includes(ErrorCodes.PBX_PROTOCOL_ERROR));
    expect(problems).toHaveLength(1);
  });

  it('masks phone numbers of a malformed frame in the log at info level', async () => {
    const recorded = recordingLogger('info');
    const h = await harness({}, undefined, undefined, recorded);
    const logs = recorded.logs;
    await h.started;
    await h.server.send(['not a header\r\nEvent: Hangup\r\nCallerIDNum: +15551234567\r\n\r\n']);
    await until(() => logs.some((l) => l.includes(ErrorCodes.PBX_PROTOCOL_ERROR)), 'the log');
    const line = logs.find((l) => l.includes(ErrorCodes.PBX_PROTOCOL_ERROR)) ?? '';
    expect(line).toContain('CallerIDNum');
    expect(line).not.toContain('5551234567');
  });
});

describe('AsteriskPbxAdapter click-to-dial and users', () => {
  /** A capture's frames from the first event after its Originate was queued. */
  function originateScript(name: string): string[] {
    const all = callFrames(loadCapture(name));
    return all.slice(all.findIndex((f) => headerOf(f, 'Event') === 'Newchannel'));
  }

  it('originates from the rep phone and resolves with the call id on OriginateResponse Success', async () => {
    const h = await harness({ originateScript: originateScript('sip-originate-click2dial') });
    await h.started;
    const result = await h.adapter.dial({
      requestId: 'req-1',
      extension: '201',
      number: '815551234567',
      callerIdName: 'Acme Corp',
    });
    expect(result).toEqual({ pbxCallId: '1795289120.43' });
    const originate = h.server.received.find((a) => a.fields.Action === 'Originate')?.fields;
    expect(originate).toMatchObject({
      Channel: 'PJSIP/201',
      Context: 'from-internal',
      Exten: '815551234567',
      Priority: '1',
      CallerID: '"Acme Corp" <815551234567>',
      Async: 'true',
      ActionID: 'dial-req-1',
    });
    await until(() => h.events.length === 3, 'the whole call');
    expect(h.events[0]).toMatchObject({
      type: 'ringing',
      extension: '201',
      direction: 'outbound',
      number: '815551234567',
      dialRequestId: 'req-1',
    });
    expect(steps(h.events).slice(1)).toEqual([
      ['answered', '201'],
      ['ended', '201', 'completed'],
    ]);
  });

  it('rejects with PBX_REFUSED "your phone is busy" on OriginateResponse Failure reason 5', async () => {
    const h = await harness({ originateScript: originateScript('local-originate-busy') });
    await h.started;
    const error = await h.adapter
      .dial({ requestId: 'req-2', extension: '202', number: '915551234567' })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toMatchObject({ code: ErrorCodes.PBX_REFUSED, message: 'your phone is busy' });
    await until(() => h.events.length === 2, 'the busy leg to end');
    expect(steps(h.events)).toEqual([
      ['ringing', '202', 'outbound:915551234567'],
      ['ended', '202', 'busy'],
    ]);
  });

  it('rejects with PBX_UNREACHABLE when not connected', async () => {
    const h = await harness();
    await h.started;
    h.server.dropAll();
    await until(() => !h.adapter.isConnected(), 'the drop');
    await expect(
      h.adapter.dial({ requestId: 'req-3', extension: '201', number: '5550100' }),
    ).rejects.toMatchObject({ code: ErrorCodes.PBX_UNREACHABLE });
  });

  it('reads extension ↔ email from VoicemailUsersList, skipping boxes without an email', async () => {
    const h = await harness({
      voicemailUsers: [
        {
          VMContext: 'default',
          VoiceMailbox: '201',
          Fullname: 'Ana Lopez',
          Email: 'ana.lopez@acme.example',
        },
        { VMContext: 'default', VoiceMailbox: '202', Fullname: 'Ben Okafor', Email: '' },
      ],
    });
    await h.started;
    await expect(h.adapter.listUsers()).resolves.toEqual([
      { extension: '201', email: 'ana.lopez@acme.example', name: 'Ana Lopez' },
    ]);
  });
});
