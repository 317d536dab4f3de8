// Issue 4's acceptance test: real AMI captures replayed over TCP into the real bridge
// (Asterisk adapter, call tracker, emulated org, hub) and the call timeline each produces at
// an authenticated WebSocket client, as the rep's utility bar would see it.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RunningBridge } from '../../../src/bridge';
import type { Call } from '../../../src/calls/call';
import type { ConfigInput } from '../../../src/config/schema';
import { RepClient } from '../../support/test-bridge';
import {
  callFrames,
  headerOf,
  headersOf,
  loadCapture,
  loadTimedCapture,
  timedCallFrames,
  withTimestamps,
} from './ami-capture';
import { AmiTestServer } from './ami-test-server';
import { Teardown } from '../../support/teardown';
import { ANA, BEN, startAsteriskBridge } from './asterisk-test-bridge';
import { until } from '../../support/wait-for-value';
import { ORG, screen } from './capture-tasks';

describe('Asterisk captures → bridge → WebSocket', () => {
  let server: AmiTestServer;
  let bridge: RunningBridge;
  const teardown = new Teardown();

  beforeEach(async () => {
    server = teardown.add(new AmiTestServer({ split: 'random' }), (s) => s.close());
    const port = await server.listen();
    bridge = teardown.add(await startAsteriskBridge(port), (b) => b.stop());
    await server.waitForLogin();
  });

  afterEach(() => teardown.run());

  async function replayUntilEnded(name: string, reps: RepClient[], linkedid: string) {
    await server.send(callFrames(loadCapture(name)));
    for (const rep of reps) {
      await rep.waitForCall((c) => c.id.startsWith(`${linkedid}:`) && c.state === 'ended');
    }
  }

  it('sip-inbound-answered: Ana sees ringing, connected, ended (completed)', async () => {
    const ana = await RepClient.connectAs(bridge, ANA);
    await replayUntilEnded('sip-inbound-answered', [ana], '1795289031.28');
    expect(screen(ana.callFrames('1795289031.28'))).toEqual([
      'ringing inbound +15551234567',
      'connected inbound +15551234567',
      'ended inbound +15551234567 completed',
    ]);
    ana.close();
  });

  it('sip-inbound-hold: holding does not end the call', async () => {
    const ana = await RepClient.connectAs(bridge, ANA);
    await replayUntilEnded('sip-inbound-hold', [ana], '1795289068.36');
    expect(screen(ana.callFrames('1795289068.36'))).toEqual([
      'ringing inbound +15551234567',
      'connected inbound +15551234567',
      'ended inbound +15551234567 completed',
    ]);
    ana.close();
  });

  it('local-inbound-abandoned: the caller gives up while Ana’s phone rings (missed)', async () => {
    const ana = await RepClient.connectAs(bridge, ANA);
    await replayUntilEnded('local-inbound-abandoned', [ana], '1795288978.8');
    expect(screen(ana.callFrames('1795288978.8'))).toEqual([
      'ringing inbound +15550001111',
      'ended inbound +15550001111 missed',
    ]);
    ana.close();
  });

  it('local-inbound-busy: Ben is busy', async () => {
    const ben = await RepClient.connectAs(bridge, BEN);
    await replayUntilEnded('local-inbound-busy', [ben], '1795288986.12');
    expect(screen(ben.callFrames('1795288986.12'))).toEqual([
      'ringing inbound +15550002222',
      'ended inbound +15550002222 busy',
    ]);
    ben.close();
  });

  it('local-queue-answered: both get the pop; Ben is busy, Ana answers', async () => {
    const ana = await RepClient.connectAs(bridge, ANA);
    const ben = await RepClient.connectAs(bridge, BEN);
    await replayUntilEnded('local-queue-answered', [ana, ben], '1795289012.22');
    expect(screen(ana.callFrames('1795289012.22'))).toEqual([
      'ringing inbound +15550003333',
      'connected inbound +15550003333',
      'ended inbound +15550003333 completed',
    ]);
    expect(screen(ben.callFrames('1795289012.22'))).toEqual([
      'ringing inbound +15550003333',
      'ended inbound +15550003333 busy',
    ]);
    ana.close();
    ben.close();
  });

  it('click-to-dial: dial → Originate → dial.result ok and an outbound call', async () => {
    const all = callFrames(loadCapture('sip-originate-click2dial'));
    const script = all.slice(all.findIndex((f) => headerOf(f, 'Event') === 'Newchannel'));
    await server.close();
    server = teardown.add(new AmiTestServer({ originateScript: script }), (s) => s.close());
    await server.listen(portOf(bridge));
    await server.waitForLogin();
    const ana = await RepClient.connectAs(bridge, ANA);
    ana.send({ type: 'dial', requestId: 'r-1', number: '+15551234567' });
    const result = await ana.waitFor((f) => f.type === 'dial.result');
    expect(result).toMatchObject({ requestId: 'r-1', ok: true });
    const ended = await ana.waitForCall((c) => c.state === 'ended');
    expect(ended).toMatchObject({
      direction: 'outbound',
      extension: '201',
      endReason: 'completed',
    });
    const originate = server.received.find((a) => a.fields.Action === 'Originate')?.fields;
    expect(originate).toMatchObject({ Channel: 'PJSIP/201', Context: 'from-internal' });
    ana.close();
  });
});

function portOf(running: RunningBridge): number {
  const asterisk = running.config.pbx.asterisk;
  if (asterisk === undefined) throw new Error('no asterisk config');
  return asterisk.port;
}

describe('Asterisk through the bridge: what issue 11 found on a live PBX', () => {
  jest.setTimeout(30_000);
  const teardown = new Teardown();

  async function amiServer(options: ConstructorParameters<typeof AmiTestServer>[0] = {}, port = 0) {
    const s = teardown.add(new AmiTestServer(options), (started) => started.close());
    await s.listen(port);
    return s;
  }

  async function asteriskBridge(port: number, config: Partial<ConfigInput> = {}) {
    // Stopping twice is harmless: a test may stop a bridge itself to restart it.
    return teardown.add(await startAsteriskBridge(port, config), (b) => b.stop());
  }

  async function rep(b: RunningBridge, email: string): Promise<RepClient> {
    return teardown.add(await RepClient.connectAs(b, email), (client) => client.close());
  }

  afterEach(() => teardown.run());

  function taskOf(b: RunningBridge, callId: string): Record<string, unknown> | undefined {
    return b.emulatedOrg!.records('Task').find((t) => t.CallObject === callId);
  }

  const s1 = loadTimedCapture('ami-reconnect-ringing.session1');
  const s2 = loadTimedCapture('ami-reconnect-ringing.session2');
  const listing = timedCallFrames(s2)
    .filter((f) => headerOf(f.text, 'Event') === 'CoreShowChannel')
    .map((f) => headersOf(f.text));
  const afterListing = timedCallFrames(s2).filter((f) => headerOf(f.text, 'ActionID') !== 'csc-1');

  it('AMI cut while ringing: the rep is told the phone system is away, then sees the answer; the Task says its duration is estimated', async () => {
    let server = await amiServer();
    const b = await asteriskBridge(server.port);
    await server.waitForLogin();
    const ana = await rep(b, ANA);
    expect(ana.frames.find((f) => f.type === 'ready')).toMatchObject({ pbx: { connected: true } });

    await server.send(withTimestamps(timedCallFrames(s1), new Date(Date.now() - 2000)));
    await ana.waitForCall((c) => c.state === 'ringing');
    const port = server.port;
    await server.close();
    await ana.waitFor((f) => f.type === 'pbx' && f.connected === false);

    server = await amiServer({ channels: () => listing }, port);
    await server.waitForLogin();
    await ana.waitFor((f) => f.type === 'pbx' && f.connected === true);
    await ana.waitForCall((c) => c.state === 'connected');
    await server.send(withTimestamps(afterListing, new Date(Date.now() - 309)));
    const logged = await ana.waitForCall((c) => c.log?.state === 'logged', 10_000);

    expect(screen(ana.callFrames('1796153599.34'))).toEqual([
      'ringing inbound +15551234567',
      'connected inbound +15551234567',
      'ended inbound +15551234567 completed',
    ]);
    expect(logged.estimated?.answeredAt).toBeDefined();
    expect(logged.estimated?.endedAt).toBeUndefined();
    const seconds = Math.round(
      (Date.parse(logged.endedAt!) - Date.parse(logged.answeredAt!)) / 1000,
    );
    expect(taskOf(b, logged.id)).toMatchObject({
      CallDurationInSeconds: seconds,
      WhoId: ORG.alice,
      Description: expect.stringMatching(/estimated/i) as unknown,
    });
  });

  it('a bridge restart mid-call: the call is kept, and ends with its exact duration', async () => {
    const capture = loadTimedCapture('sip-inbound-answered');
    const frames = timedCallFrames(capture);
    const firstHangup = frames.findIndex((f) => headerOf(f.text, 'Event') === 'Hangup');
    const start = new Date(Date.now() - 10_000);
    const database = path.join(mkdtempSync(path.join(tmpdir(), 'switchboard-restart-')), 'sb.db');
    // The PBX still has both channels of the call when the bridge is back (the shape of
    // ami-reconnect-ringing.session2's CoreShowChannel items, for this call's channels).
    let channels: Record<string, string>[] = [];
    const server = await amiServer({ channels: () => channels });
    const first = await asteriskBridge(server.port, { storage: { database } });
    await server.waitForLogin();
    const ana = await rep(first, ANA);
    await server.send(withTimestamps(frames.slice(0, firstHangup), start));
    await ana.waitForCall((c) => c.state === 'connected');
    // Notes typed during the call wait for its real end, not for the restart.
    ana.send({
      type: 'call.note',
      callId: '1795289031.28:201',
      notes: 'Wants 40 seats',
      requestId: 'n1',
    });
    expect(await ana.waitFor((f) => f.type === 'call.note.result')).toMatchObject({ ok: true });
    await first.stop();

    channels = listing.map((item) => ({
      ...item,
      Channel: item.Channel?.includes('201') ? 'PJSIP/201-00000001' : 'PJSIP/trunk-00000000',
      Uniqueid: item.Channel?.includes('201') ? '1795289031.29' : '1795289031.28',
      Linkedid: '1795289031.28',
    }));
    const second = await asteriskBridge(server.port, { storage: { database } });
    await server.waitForLogin(2);
    const again = await rep(second, ANA);
    const ready = again.frames.find((f) => f.type === 'ready');
    expect((ready?.calls as Call[]).map((c) => [c.id, c.state])).toEqual([
      ['1795289031.28:201', 'connected'],
    ]);
    await server.send(withTimestamps(frames.slice(firstHangup), start));
    const logged = await again.waitForCall((c) => c.log?.state === 'logged', 10_000);
    // DialEnd ANSWER at +3.646, Hangup at +8.653, on both sides of the restart.
    expect(taskOf(second, '1795289031.28:201')).toMatchObject({
      CallDurationInSeconds: 5,
      Description: 'Wants 40 seats',
    });
    expect(logged.estimated).toBeUndefined();
  });

  it('a call that ends while the bridge is down is ended and logged after the restart, its end estimated', async () => {
    const capture = loadTimedCapture('sip-inbound-answered');
    const frames = timedCallFrames(capture);
    const firstHangup = frames.findIndex((f) => headerOf(f.text, 'Event') === 'Hangup');
    const database = path.join(mkdtempSync(path.join(tmpdir(), 'switchboard-restart-')), 'sb.db');
    const server = await amiServer({ channels: () => [] });
    const first = await asteriskBridge(server.port, { storage: { database } });
    await server.waitForLogin();
    const ana = await rep(first, ANA);
    await server.send(withTimestamps(frames.slice(0, firstHangup), new Date(Date.now() - 5000)));
    await ana.waitForCall((c) => c.state === 'connected');
    const stoppedAt = Date.now();
    await first.stop();

    // Meanwhile the caller hangs up: the PBX lists no channel when the bridge is back.
    const second = await asteriskBridge(server.port, { storage: { database } });
    await server.waitForLogin(2);
    await until(() => taskOf(second, '1795289031.28:201') !== undefined, 'the Task');
    const task = taskOf(second, '1795289031.28:201')!;
    expect(task).toMatchObject({
      CallType: 'Inbound',
      Status: 'Completed',
      WhoId: ORG.alice,
      Description: expect.stringMatching(/estimated/i) as unknown,
    });
    // Answered ~1.4 s before the stop (+3.646 of a capture ending 5 s ago); ended somewhere
    // between the stop and the restart.
    expect(task.CallDurationInSeconds).toBeGreaterThanOrEqual(1);
    expect(task.CallDurationInSeconds).toBeLessThanOrEqual(
      Math.ceil((Date.now() - stoppedAt) / 1000) + 2,
    );
  });

  it('click-to-dial with dialFormat national: Asterisk dials 815551234567, the call and its Task are +15551234567', async () => {
    const all = callFrames(loadCapture('sip-originate-click2dial'));
    const script = all.slice(all.findIndex((f) => headerOf(f, 'Event') === 'Newchannel'));
    const server = await amiServer({ originateScript: script });
    const b = await asteriskBridge(server.port, {
      phone: { defaultCountry: 'US', dialFormat: 'national', outsideLinePrefix: '8' },
    });
    await server.waitForLogin();
    const ana = await rep(b, ANA);
    ana.send({ type: 'dial', requestId: 'r-national', number: '+1 555 123 4567' });
    expect(await ana.waitFor((f) => f.type === 'dial.result')).toMatchObject({ ok: true });
    const originate = server.received.find((a) => a.fields.Action === 'Originate')?.fields;
    expect(originate).toMatchObject({ Exten: '815551234567' });
    const logged = await ana.waitForCall((c) => c.log?.state === 'logged', 10_000);
    expect(logged).toMatchObject({
      direction: 'outbound',
      number: '+15551234567',
      e164: '+15551234567',
      matches: [expect.objectContaining({ id: ORG.alice }) as unknown],
    });
    expect(taskOf(b, logged.id)).toMatchObject({
      CallType: 'Outbound',
      WhoId: ORG.alice,
      WhatId: ORG.acme,
    });
  });

  it.each([
    ['sip-originate-own-busy', 'DIAL_PHONE_BUSY'],
    ['sip-originate-own-noanswer', 'DIAL_PHONE_NO_ANSWER'],
  ])(
    'click-to-dial while the rep’s own phone is not free (%s): %s, and no Task',
    async (name, code) => {
      const all = callFrames(loadCapture(name));
      const script = all.slice(all.findIndex((f) => headerOf(f, 'Event') === 'Newchannel'));
      const server = await amiServer({ originateScript: script });
      const b = await asteriskBridge(server.port);
      await server.waitForLogin();
      const ana = await rep(b, ANA);
      ana.send({ type: 'dial', requestId: 'r-own', number: '+1 555 123 4567' });
      const result = await ana.waitFor((f) => f.type === 'dial.result');
      expect(result).toMatchObject({ ok: false, error: { code } });
      expect((result.error as { hint?: string }).hint).toMatch(/Nothing was dialed/);
      const ended = await ana.waitForCall((c) => c.state === 'ended' && c.log !== undefined);
      expect(ended).toMatchObject({ notDialed: true, log: { state: 'skipped' } });
      expect(b.emulatedOrg!.records('Task')).toEqual([]);
    },
  );
});
