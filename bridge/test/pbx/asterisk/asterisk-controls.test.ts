// Issue 15's call controls on Asterisk, on real traffic: the bridge (Asterisk adapter, calls,
// call log, emulated org, hub) against the AMI test server replaying the captures in which the
// recorder sent the same actions (sip-ami-hangup, sip-ami-blindtransfer, sip-attended-transfer,
// sip-attended-transfer-cancel). Each capture is replayed up to its action; the rep's control
// must send that action on the rep's own channel, and the server then streams the rest, as
// Asterisk did. The reps' screens and the Tasks (one per leg) must follow.
import type { RunningBridge } from '../../../src/bridge';
import type { Call } from '../../../src/calls/call';
import { ErrorCodes } from '../../../src/errors';
import { Teardown } from '../../support/teardown';
import { RepClient } from '../../support/test-bridge';
import {
  headerOf,
  loadTimedCapture,
  timedCallFrames,
  withTimestamps,
  type TimedCapture,
} from './ami-capture';
import { AmiTestServer, type AmiTestServerOptions } from './ami-test-server';
import { ANA, BEN, startAsteriskBridge } from './asterisk-test-bridge';
import { until } from '../../support/wait-for-value';
import { ORG } from './capture-tasks';

const CALLER = '+15551234567';
// Each test replays a capture in parts and waits for the Tasks: seconds on a busy machine.
jest.setTimeout(30_000);

/**
 * The capture's streamed frames cut at these offsets (seconds), with the PBX's own clock: the
 * part before the first cut, then one part per cut.
 */
function parts(capture: TimedCapture, cuts: number[]): string[][] {
  const frames = timedCallFrames(capture);
  const start = new Date(Date.now() - ((frames.at(-1)?.at ?? 0) + 2) * 1000);
  const bounds = [0, ...cuts, Infinity];
  return bounds.slice(1).map((end, i) =>
    withTimestamps(
      frames.filter((f) => f.at >= (bounds[i] ?? 0) && f.at < end),
      start,
    ),
  );
}

/** When the recorder sent `action` (the n-th one of that name). */
function sentAt(capture: TimedCapture, action: string, n = 0): number {
  const sent = capture.sent.filter((f) => headerOf(f.text, 'Action') === action)[n];
  if (sent === undefined) throw new Error(`${capture.name} never sent ${action}`);
  return sent.at;
}

describe('call controls on Asterisk, replayed from the captures', () => {
  const teardown = new Teardown();
  let server: AmiTestServer;
  let bridge: RunningBridge;
  let ana: RepClient;
  let ben: RepClient;

  async function start(options: AmiTestServerOptions): Promise<void> {
    server = teardown.add(new AmiTestServer({ split: 'random', ...options }), (s) => s.close());
    bridge = teardown.add(await startAsteriskBridge(await server.listen()), (b) => b.stop());
    await server.waitForLogin();
    ana = teardown.add(await RepClient.connectAs(bridge, ANA), (c) => c.close());
    ben = teardown.add(await RepClient.connectAs(bridge, BEN), (c) => c.close());
  }

  afterEach(() => teardown.run());

  const sentActions = (name: string) =>
    server.received.filter((r) => r.fields.Action === name).map((r) => r.fields);
  const leg = (pbxCallId: string, extension: string) => `${pbxCallId}:${extension}`;
  const loggedOnce = async (rep: RepClient, callId: string) => {
    await rep.waitForCall((c: Call) => c.id === callId && c.log?.state === 'logged', 10_000);
    expect(bridge.emulatedOrg!.records('Task').filter((t) => t.CallObject === callId)).toHaveLength(
      1,
    );
  };

  it('offers what the manager user may send: hang up, transfer and consult, not hold', async () => {
    await start({});
    await until(() => (bridge.adapter.controls?.() ?? []).length > 0, 'ListCommands read');
    const later = teardown.add(await RepClient.connectAs(bridge, ANA), (c) => c.close());
    expect((await later.waitFor((f) => f.type === 'ready')).controls).toEqual([
      'hangup',
      'transfer',
      'consult',
      'consult.complete',
      'consult.cancel',
    ]);
  });

  it('a manager.conf reload that grants write = call reaches a connected rep with the next pbx frame', async () => {
    await start({ write: ['originate', 'reporting'] });
    await until(
      () => server.received.some((r) => r.fields.Action === 'ListCommands'),
      'ListCommands',
    );
    const rep = teardown.add(await RepClient.connectAs(bridge, ANA), (c) => c.close());
    expect((await rep.waitFor((f) => f.type === 'ready')).controls).toEqual([]);
    // The admin gives the manager user every write class; the session drops and logs in again.
    server.reloadManagerUser(undefined);
    server.dropAll();
    await rep.waitFor((f) => f.type === 'pbx' && f.connected === false);
    const back = await rep.waitFor((f) => f.type === 'pbx' && f.connected === true);
    expect(back.controls).toEqual([
      'hangup',
      'transfer',
      'consult',
      'consult.complete',
      'consult.cancel',
    ]);
  });

  it('hang up: Hangup on the rep’s channel (sip-ami-hangup), the leg ends and is logged once', async () => {
    const capture = loadTimedCapture('sip-ami-hangup');
    const [before = [], after = []] = parts(capture, [sentAt(capture, 'Hangup')]);
    await start({ afterActions: [{ action: 'Hangup', frames: after }] });
    const id = '1796153476.26';
    await server.send(before);
    await ana.waitForCall((c) => c.id === leg(id, '201') && c.state === 'connected');

    expect(await ana.control(leg(id, '201'), 'hangup')).toMatchObject({ ok: true });
    expect(sentActions('Hangup')).toEqual([
      expect.objectContaining({ Channel: 'PJSIP/201-00000017', Cause: '16' }),
    ]);
    const ended = await ana.waitForCall((c) => c.id === leg(id, '201') && c.state === 'ended');
    expect(ended.endReason).toBe('completed');
    await loggedOnce(ana, leg(id, '201'));
  });

  it('blind transfer: BlindTransfer to 202 (sip-ami-blindtransfer); Ben pops with Alice', async () => {
    const capture = loadTimedCapture('sip-ami-blindtransfer');
    const [before = [], after = []] = parts(capture, [sentAt(capture, 'BlindTransfer')]);
    await start({ afterActions: [{ action: 'BlindTransfer', frames: after }] });
    const id = '1796153452.23';
    await server.send(before);
    await ana.waitForCall((c) => c.id === leg(id, '201') && c.state === 'connected');

    const result = await ana.control(leg(id, '201'), 'transfer', {
      kind: 'extension',
      value: '202',
    });
    expect(result).toMatchObject({ ok: true });
    expect(sentActions('BlindTransfer')).toEqual([
      expect.objectContaining({
        Channel: 'PJSIP/201-00000014',
        Context: 'from-internal',
        Exten: '202',
      }),
    ]);
    await ana.waitForCall((c) => c.id === leg(id, '201') && c.state === 'ended');
    const bens = await ben.waitForCall((c) => c.id === leg(id, '202') && c.state === 'connected');
    expect(bens.number).toBe(CALLER);
    expect(bens.matches.map((m) => m.id)).toEqual([ORG.alice]);
    await loggedOnce(ana, leg(id, '201'));
    await loggedOnce(ben, leg(id, '202'));
  });

  it('attended transfer: Atxfer, then Hangup hands Alice to Ben (sip-attended-transfer)', async () => {
    const capture = loadTimedCapture('sip-attended-transfer');
    // 201 left at +16.752 s (the recorder's phone hung up; the bridge sends Hangup instead).
    const [before = [], consulting = [], after = []] = parts(capture, [
      sentAt(capture, 'Atxfer'),
      16.752,
    ]);
    await start({
      afterActions: [
        { action: 'Atxfer', frames: consulting },
        { action: 'Hangup', frames: after },
      ],
    });
    const id = '1796153348.13';
    await server.send(before);
    await ana.waitForCall((c) => c.id === leg(id, '201') && c.state === 'connected');

    const asked = await ana.control(leg(id, '201'), 'consult', {
      kind: 'extension',
      value: '202',
    });
    expect(asked).toMatchObject({ ok: true });
    expect(sentActions('Atxfer')).toEqual([
      expect.objectContaining({
        Channel: 'PJSIP/201-0000000e',
        Context: 'from-internal',
        Exten: '202',
      }),
    ]);
    await ana.waitForCall((c) => c.id === leg(id, '201') && c.consult?.to === '202');
    await ben.waitForCall((c) => c.id === leg(id, '202') && c.state === 'connected');

    expect(await ana.control(leg(id, '201'), 'consult.complete')).toMatchObject({ ok: true });
    expect(sentActions('Hangup')).toEqual([
      expect.objectContaining({ Channel: 'PJSIP/201-0000000e' }),
    ]);
    await ana.waitForCall((c) => c.id === leg(id, '201') && c.state === 'ended');
    const handed = await ben.waitForCall((c) => c.id === leg(id, '202') && c.number === CALLER);
    expect(handed.matches.map((m) => m.id)).toEqual([ORG.alice]);
    await loggedOnce(ana, leg(id, '201'));
    await loggedOnce(ben, leg(id, '202'));
  });

  it('attended transfer cancelled: CancelAtxfer, Ben’s leg ends, Ana is back with Alice', async () => {
    const capture = loadTimedCapture('sip-attended-transfer-cancel');
    const [before = [], consulting = [], after = []] = parts(capture, [
      sentAt(capture, 'Atxfer'),
      sentAt(capture, 'CancelAtxfer'),
    ]);
    await start({
      afterActions: [
        { action: 'Atxfer', frames: consulting },
        { action: 'CancelAtxfer', frames: after },
      ],
    });
    const id = '1796153394.18';
    await server.send(before);
    await ana.waitForCall((c) => c.id === leg(id, '201') && c.state === 'connected');
    await ana.control(leg(id, '201'), 'consult', { kind: 'extension', value: '202' });
    await ben.waitForCall((c) => c.id === leg(id, '202') && c.state === 'connected');

    expect(await ana.control(leg(id, '201'), 'consult.cancel')).toMatchObject({ ok: true });
    expect(sentActions('CancelAtxfer')).toEqual([
      expect.objectContaining({ Channel: 'PJSIP/201-00000011' }),
    ]);
    await ben.waitForCall((c) => c.id === leg(id, '202') && c.state === 'ended');
    await ana.waitForCall((c) => c.id === leg(id, '201') && c.consult === undefined);
    // Alice hangs up later, still talking to Ana: Ana's leg was never transferred.
    const anas = await ana.waitForCall((c) => c.id === leg(id, '201') && c.state === 'ended');
    expect(anas).toMatchObject({ number: CALLER, endReason: 'completed' });
    await loggedOnce(ana, leg(id, '201'));
    // Ben only ever talked to Ana: an internal call, not logged (as capture-tasks.ts says).
    await ben.waitForCall((c) => c.id === leg(id, '202') && c.log?.state === 'skipped', 10_000);
    expect(bridge.emulatedOrg!.records('Task')).toHaveLength(1);
  });

  it('refuses another rep’s call before asking Asterisk, and tells Asterisk’s own refusal', async () => {
    const capture = loadTimedCapture('sip-ami-hangup');
    const [before = []] = parts(capture, [sentAt(capture, 'Hangup')]);
    await start({});
    const id = '1796153476.26';
    await server.send(before);
    await ana.waitForCall((c) => c.id === leg(id, '201') && c.state === 'connected');

    const notYours = await ben.control(leg(id, '201'), 'hangup');
    expect(notYours).toMatchObject({
      ok: false,
      error: { code: ErrorCodes.CONTROL_NOT_YOUR_CALL },
    });
    expect(sentActions('Hangup')).toEqual([]);

    // The channel went away without an event reaching the bridge: Asterisk says so.
    server.forgetChannel('PJSIP/201-00000017');
    const refused = await ana.control(leg(id, '201'), 'hangup');
    expect(refused).toMatchObject({ ok: false, error: { code: ErrorCodes.PBX_REFUSED } });
    expect((refused.error as { message: string }).message).toContain('No such channel');
  });

  it('a manager user without write = call: no controls offered, each refused as unsupported', async () => {
    const capture = loadTimedCapture('sip-ami-hangup');
    const [before = []] = parts(capture, [sentAt(capture, 'Hangup')]);
    await start({ write: ['originate', 'reporting'] });
    await until(
      () => server.received.some((r) => r.fields.Action === 'ListCommands'),
      'ListCommands',
    );
    const later = teardown.add(await RepClient.connectAs(bridge, ANA), (c) => c.close());
    expect((await later.waitFor((f) => f.type === 'ready')).controls).toEqual([]);
    const id = '1796153476.26';
    await server.send(before);
    await ana.waitForCall((c) => c.id === leg(id, '201') && c.state === 'connected');
    const result = await ana.control(leg(id, '201'), 'hangup');
    expect(result).toMatchObject({ ok: false, error: { code: ErrorCodes.CONTROL_NOT_SUPPORTED } });
    expect(sentActions('Hangup')).toEqual([]);
  });
});
