// The real AsteriskPbxAdapter over real TCP against the AMI test server replaying real
// Asterisk 22 captures: timelines under every way TCP may cut the bytes, reconnect and
// recovery, PBX restart, bad login, malformed frames, click-to-dial and users.
import { Writable } from 'node:stream';
import type { CallEvent } from '../../../src/calls/call';
import { ConfigSchema } from '../../../src/config/schema';
import { ErrorCodes, SwitchboardError } from '../../../src/errors';
import { createLogger, type Logger } from '../../../src/logging/logger';
import { AsteriskPbxAdapter } from '../../../src/pbx/asterisk/asterisk-adapter';
import { reconnectDelayMs } from '../../../src/pbx/asterisk/ami-client';
import {
  callFrames,
  headerOf,
  headersOf,
  loadCapture,
  loadTimedCapture,
  timedCallFrames,
  withTimestamps,
  type TimedCapture,
} from './ami-capture';
import { AmiTestServer, type AmiTestServerOptions } from './ami-test-server';
import { until } from '../../support/wait-for-value';
import { CAPTURE_TIMELINES, steps } from './capture-timelines';
import { Teardown } from '../../support/teardown';

interface Harness {
  server: AmiTestServer;
  adapter: AsteriskPbxAdapter;
  events: CallEvent[];
  logs: string[];
}

const teardown = new Teardown();

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
  now?: () => Date,
): Promise<Harness & { started: Promise<void> }> {
  teardown.add(server, (s) => s.close());
  const port = await server.listen();
  const adapter = teardown.add(
    new AsteriskPbxAdapter({
      config: asteriskConfig(port, secret),
      logger,
      reconnectInitialMs: 20,
      ...(now === undefined ? {} : { now }),
    }),
    (a) => a.stop(),
  );
  const events: CallEvent[] = [];
  const h = { server, adapter, events, logs };
  const started = adapter.start((e) => events.push(e));
  return { ...h, started };
}

afterEach(() => teardown.run());

describe('AsteriskPbxAdapter replaying real captures over TCP', () => {
  const splits = ['frames', 'random', 'bytes'] as const;
  const matrix = CAPTURE_TIMELINES.flatMap(([name, timeline]) =>
    splits
      .filter((split) => split !== 'bytes' || name.startsWith('sip-inbound-answered'))
      .map((split) => [name, split, timeline] as const),
  );

  it.each(matrix)('%s (%s) yields its timeline', async (name, split, timeline) => {
    const h = await harness({ split });
    await h.started;
    expect(h.adapter.isConnected()).toBe(true);
    await h.server.send(callFrames(loadCapture(name)));
    // A capture without calls: an action's round trip shows every frame before it was read.
    if (timeline.steps.length === 0) await h.adapter.listUsers();
    await until(() => h.events.length >= timeline.steps.length, 'the events');
    expect(steps(h.events)).toEqual(timeline.steps);
    expect([...new Set(h.events.map((e) => e.pbxCallId))]).toEqual(timeline.callIds);
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
    await until(() => h.events.length === 4, 'the end of the call');
    expect(steps(h.events)).toEqual([
      ['ringing', '201', 'inbound:+15551234567'],
      ['answered', '201'],
      ['ended', '201', 'completed'],
      ['finished', undefined, '1795289031.28'],
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
    teardown.add(restarted, (s) => s.close());
    await restarted.waitForLogin(1);
    await until(() => h.events.length === 4, 'the vanished call to end');
    expect(steps(h.events).slice(2)).toEqual([
      ['ended', '201', 'completed'],
      ['finished', undefined, '1795289031.28'],
    ]);
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
    await until(() => h.events.length === 4, 'the call after the bad frame');
    expect(steps(h.events).map((s) => s[0])).toEqual(['ringing', 'answered', 'ended', 'finished']);
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
    await until(() => h.events.length === 4, 'the whole call');
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
      ['finished', undefined, '1795289120.43'],
    ]);
  });

  it('keeps the number the rep dialed as the call’s number when the PBX dials another form', async () => {
    // dialFormat national + outsideLinePrefix 8: Asterisk dials 815551234567; the pop, the
    // lookup and the Task are about +15551234567.
    const h = await harness({ originateScript: originateScript('sip-originate-click2dial') });
    await h.started;
    await h.adapter.dial({
      requestId: 'req-e164',
      extension: '201',
      number: '815551234567',
      callNumber: '+15551234567',
    });
    const originate = h.server.received.find((a) => a.fields.Action === 'Originate')?.fields;
    expect(originate).toMatchObject({ Exten: '815551234567' });
    await until(() => h.events.length >= 1, 'the ring');
    expect(h.events[0]).toMatchObject({
      type: 'ringing',
      number: '+15551234567',
      dialRequestId: 'req-e164',
    });
  });

  it.each([
    // A Local channel into Busy(): OriginateResponse Reason 5.
    ['local-originate-busy', '202', ErrorCodes.DIAL_PHONE_BUSY, 'Your phone is busy', 'busy'],
    // A real SIP phone answering 486: Reason 0, but DialEnd BUSY and Cause 17 before it.
    ['sip-originate-own-busy', '201', ErrorCodes.DIAL_PHONE_BUSY, 'Your phone is busy', 'busy'],
    // The phone rings out: Reason 3, no DialEnd, Hangup Cause 19 after the response.
    [
      'sip-originate-own-noanswer',
      '201',
      ErrorCodes.DIAL_PHONE_NO_ANSWER,
      'Your phone did not answer',
      'no-answer',
    ],
  ])(
    '%s: tells the rep their own phone was not free (%s) and the number was never dialed',
    async (capture, extension, code, message, reason) => {
      const h = await harness({ originateScript: originateScript(capture) });
      await h.started;
      const error = await h.adapter
        .dial({ requestId: 'req-2', extension, number: '815551234567', callNumber: '+15551234567' })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(error).toBeInstanceOf(SwitchboardError);
      expect(error).toMatchObject({ code, message });
      expect((error as SwitchboardError).hint).toMatch(/Nothing was dialed/);
      await until(() => h.events.some((e) => e.type === 'finished'), 'the call to finish');
      expect(steps(h.events)).toEqual([
        ['ringing', extension, 'outbound:+15551234567'],
        ['ended', extension, `${reason} not-dialed`],
        ['finished', undefined, h.events[0]?.pbxCallId],
      ]);
    },
  );

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

describe('AsteriskPbxAdapter across an AMI cut (the two captured sessions)', () => {
  const s1 = loadTimedCapture('ami-reconnect-ringing.session1');
  const s2 = loadTimedCapture('ami-reconnect-ringing.session2');
  const at = (capture: TimedCapture, seconds: number) =>
    new Date(capture.startedAt.getTime() + seconds * 1000);
  /** Session 2's answer to CoreShowChannels: the two channels, Up, as Asterisk listed them. */
  const listing = timedCallFrames(s2)
    .filter((f) => headerOf(f.text, 'Event') === 'CoreShowChannel')
    .map((f) => headersOf(f.text));
  /** What session 2 streamed besides that answer. */
  const afterListing = timedCallFrames(s2).filter((f) => headerOf(f.text, 'ActionID') !== 'csc-1');

  it('a call answered while the link was down is connected at reconnect, then ends', async () => {
    const clock = { now: at(s1, 0) };
    const h = await harness({}, undefined, undefined, recordingLogger(), () => clock.now);
    const changes: boolean[] = [];
    h.adapter.onConnectionChange((connected) => changes.push(connected));
    await h.started;
    await until(() => changes.length === 1, 'connected');

    // Session 1: 201 rings; the link drops 1.5 s into the ringing (Logoff at +1.969).
    clock.now = at(s1, 0.3);
    await h.server.send(withTimestamps(timedCallFrames(s1), s1.startedAt));
    await until(() => h.events.length === 1, 'the ring');
    clock.now = at(s1, 1.969);
    const port = h.server.port;
    await h.server.close();
    await until(() => !h.adapter.isConnected(), 'the cut to be noticed');
    expect(changes).toEqual([true, false]);

    // Session 2: Asterisk is back; the bridge logs in and asks CoreShowChannels at +0.309.
    clock.now = at(s2, 0.309);
    const server = new AmiTestServer({ channels: () => listing });
    await server.listen(port);
    teardown.add(server, (s) => s.close());
    await server.waitForLogin(1);
    await until(() => h.events.length === 2, 'the answer found at reconnect');
    await until(() => changes.length === 3, 'connected again');
    expect(changes).toEqual([true, false, true]);
    await server.send(withTimestamps(afterListing, s2.startedAt));
    await until(() => h.events.length === 4, 'the end of the call');

    expect(steps(h.events)).toEqual([
      ['ringing', '201', 'inbound:+15551234567'],
      ['answered', '201'],
      ['ended', '201', 'completed'],
      ['finished', undefined, '1796153599.34'],
    ]);
    // Ringing and the end are the PBX's own times; the answer happened unseen in the gap.
    expect(h.events[0]?.at).toEqual(at(s1, 0.265));
    expect(h.events[1]?.estimate).toEqual({ from: at(s1, 1.969), to: at(s2, 0.309) });
    expect(h.events[2]?.at).toEqual(at(s2, 7.286));
    expect(h.events[2]?.estimate).toBeUndefined();
  });

  it('a call that ended while the link was down ends at reconnect, estimated within the gap', async () => {
    const clock = { now: at(s1, 0.3) };
    const h = await harness(
      { channels: () => [] },
      undefined,
      undefined,
      recordingLogger(),
      () => clock.now,
    );
    await h.started;
    await h.server.send(withTimestamps(timedCallFrames(s1), s1.startedAt));
    await until(() => h.events.length === 1, 'the ring');
    clock.now = at(s1, 1.969);
    const port = h.server.port;
    await h.server.close();
    await until(() => !h.adapter.isConnected(), 'the cut');
    clock.now = at(s2, 20);
    const server = new AmiTestServer({ channels: () => [] });
    await server.listen(port);
    teardown.add(server, (s) => s.close());
    await until(() => h.events.length === 3, 'the vanished call to end');
    expect(steps(h.events).slice(1)).toEqual([
      ['ended', '201', 'missed'],
      ['finished', undefined, '1796153599.34'],
    ]);
    expect(h.events[1]?.estimate).toEqual({ from: at(s1, 1.969), to: at(s2, 20) });
  });
});

describe('AMI reconnect schedule', () => {
  it('retries at once, then backs off with jitter under the ceiling', () => {
    const low = () => 0;
    const high = () => 0.999999;
    const table = [1, 2, 3, 4, 5, 6, 7, 20].map((attempt) => [
      reconnectDelayMs(attempt, 500, 5000, low),
      reconnectDelayMs(attempt, 500, 5000, high),
    ]);
    expect(table).toEqual([
      [50, 100],
      [250, 500],
      [500, 1000],
      [1000, 2000],
      [2000, 4000],
      [2500, 5000],
      [2500, 5000],
      [2500, 5000],
    ]);
    // An 8 s outage: the attempts fall at most 5 s apart, so the bridge is back within
    // 5 s of the PBX, where the old schedule (30 s ceiling) had grown to 8 s waits.
    let elapsed = 0;
    let attempt = 0;
    while (elapsed < 8000) elapsed += reconnectDelayMs(++attempt, 500, 5000, high);
    expect(elapsed - 8000).toBeLessThanOrEqual(5000);
  });

  it('reconnects after a drop without waiting for a long backoff', async () => {
    const h = await harness();
    await h.started;
    for (let i = 2; i <= 4; i += 1) {
      h.server.dropAll();
      await h.server.waitForLogin(i);
    }
    expect(h.server.logins).toBe(4);
  });
});

describe('AsteriskPbxAdapter: a module Asterisk does not have', () => {
  it('says which action and module is missing when voicemail users cannot be read', async () => {
    const h = await harness({ unknownActions: ['VoicemailUsersList'] });
    await h.started;
    await expect(h.adapter.listUsers()).resolves.toEqual([]);
    const line = h.logs.find((l) => l.includes('voicemail users')) ?? '';
    expect(line).toContain(ErrorCodes.PBX_ACTION_UNAVAILABLE);
    expect(line).toContain('VoicemailUsersList');
    expect(line).toContain('app_voicemail');
    expect(line).not.toContain(ErrorCodes.PBX_REFUSED);
  });
});
