// Issue 15's call controls on the bridge side, with the simulator PBX: a rep's `call.control`
// over a real WebSocket hangs up, transfers (blind, attended: complete and cancel) and holds
// their own call; the tracker, both reps' screens and the Tasks (one per leg, in the emulated
// org) follow. Every refusal comes back in `call.control.result` with a code and a hint.
import type { RunningBridge } from '../../src/bridge';
import { ErrorCodes } from '../../src/errors';
import { CALL_CONTROL_ACTIONS } from '../../src/protocol/v1';
import { DEMO_USERS, RepClient, startTestBridge } from '../support/test-bridge';
import { Teardown } from '../support/teardown';

const ANA = 'ana.lopez@acme.example';
const BEN = 'ben.okafor@acme.example';
const BEN_ID = DEMO_USERS[1]!.Id;
const CONTACT_ID = '003000000000001AAA';
const CALLER = '+14155550123';
// A colleague's phone picks up 2.5 s after a transfer rings it (the simulator's pace).
jest.setTimeout(20_000);

describe('call controls through the WebSocket, the simulator and the emulated org', () => {
  let bridge: RunningBridge;
  let ana: RepClient;
  let ben: RepClient;
  const teardown = new Teardown();

  beforeAll(async () => {
    bridge = await startTestBridge({
      seed: {
        Contact: [
          { Id: CONTACT_ID, FirstName: 'Grace', LastName: 'Hopper', Phone: '(415) 555-0123' },
        ],
      },
    });
    teardown.add(bridge, (b) => b.stop());
  });
  afterAll(() => teardown.run());

  beforeEach(async () => {
    ana = await RepClient.connectAs(bridge, ANA);
    ben = await RepClient.connectAs(bridge, BEN);
  });
  afterEach(() => {
    ana.close();
    ben.close();
  });

  /** A call to Ana that she has answered, with the caller's Contact found. */
  async function answeredCall(number = CALLER): Promise<{ pbxCallId: string; callId: string }> {
    const pbxCallId = bridge.simulator!.triggerCall({
      extension: '201',
      number,
      answerAfterMs: 0,
      hangupAfterMs: null,
    });
    const callId = `${pbxCallId}:201`;
    await ana.waitForCall((c) => c.id === callId && c.state === 'connected');
    await ana.waitForCall((c) => c.id === callId && c.lookup === 'done');
    return { pbxCallId, callId };
  }

  const logged = (rep: RepClient, callId: string) =>
    rep.waitForCall((c) => c.id === callId && c.log?.state === 'logged', 10_000);

  const tasksOf = (callId: string) =>
    bridge.emulatedOrg!.records('Task').filter((t) => t.CallObject === callId);

  it('tells the rep in ready which controls the PBX offers: the simulator, all', async () => {
    const ready = await ana.waitFor((f) => f.type === 'ready');
    expect(ready.controls).toEqual([...CALL_CONTROL_ACTIONS]);
  });

  it('hangs up an answered call: the leg ends and is logged once', async () => {
    const { callId } = await answeredCall();
    const result = await ana.control(callId, 'hangup');
    expect(result).toMatchObject({ ok: true, callId, action: 'hangup' });
    const ended = await ana.waitForCall((c) => c.id === callId && c.state === 'ended');
    expect(ended.endReason).toBe('completed');
    await logged(ana, callId);
    expect(tasksOf(callId)).toHaveLength(1);
  });

  it('declines a ringing call: only the rep’s leg of a ring group ends', async () => {
    const pbxCallId = bridge.simulator!.triggerCall({
      extension: ['201', '202'],
      number: CALLER,
      answerAfterMs: null,
      hangupAfterMs: null,
    });
    await ben.waitForCall((c) => c.id === `${pbxCallId}:202` && c.state === 'ringing');
    expect(await ana.control(`${pbxCallId}:201`, 'hangup')).toMatchObject({ ok: true });
    await ana.waitForCall((c) => c.id === `${pbxCallId}:201` && c.state === 'ended');
    // Ben's phone still rings; he takes it.
    expect(bridge.simulator!.answer(pbxCallId, '202')).toBe(true);
    await ben.waitForCall((c) => c.id === `${pbxCallId}:202` && c.state === 'connected');
    bridge.simulator!.hangup(pbxCallId);
  });

  it('blind-transfers to a rep picked by name: Ana’s leg ends, Ben pops with the caller', async () => {
    ana.send({ type: 'reps.search', requestId: 'find-1', query: 'oka' });
    const found = await ana.waitFor((f) => f.type === 'reps.result' && f.requestId === 'find-1');
    expect(found.reps).toEqual([{ userId: BEN_ID, name: 'Ben Okafor', extension: '202' }]);

    const { pbxCallId, callId } = await answeredCall();
    const result = await ana.control(callId, 'transfer', { kind: 'rep', value: BEN_ID });
    expect(result).toMatchObject({ ok: true });
    expect((await ana.waitForCall((c) => c.id === callId && c.state === 'ended')).endReason).toBe(
      'completed',
    );
    const bens = await ben.waitForCall((c) => c.id === `${pbxCallId}:202`);
    expect(bens).toMatchObject({ state: 'ringing', number: CALLER });
    expect(bens.matches.map((m) => m.id)).toEqual([CONTACT_ID]);
    await ben.waitForCall((c) => c.id === `${pbxCallId}:202` && c.state === 'connected');
    bridge.simulator!.hangup(pbxCallId);
    await logged(ana, callId);
    await logged(ben, `${pbxCallId}:202`);
    expect(tasksOf(callId)).toHaveLength(1);
    expect(tasksOf(`${pbxCallId}:202`)).toHaveLength(1);
  });

  it('blind-transfers to an outside number that passes the dial policy', async () => {
    const { callId } = await answeredCall();
    expect(
      await ana.control(callId, 'transfer', { kind: 'number', value: '(212) 555-0188' }),
    ).toMatchObject({ ok: true });
    await ana.waitForCall((c) => c.id === callId && c.state === 'ended');
    await logged(ana, callId);
    expect(tasksOf(callId)).toHaveLength(1);
  });

  it('consults Ben, then completes: Ben talks to the caller, one Task per leg', async () => {
    const { pbxCallId, callId } = await answeredCall();
    expect(await ana.control(callId, 'consult', { kind: 'extension', value: '202' })).toMatchObject(
      { ok: true },
    );
    const consulting = await ana.waitForCall((c) => c.id === callId && c.consult !== undefined);
    expect(consulting.consult).toEqual({ to: '202' });
    const benLeg = `${pbxCallId}:202`;
    await ben.waitForCall((c) => c.id === benLeg && c.state === 'ringing' && c.number === '201');
    await ben.waitForCall((c) => c.id === benLeg && c.state === 'connected');

    expect(await ana.control(callId, 'consult.complete')).toMatchObject({ ok: true });
    await ana.waitForCall((c) => c.id === callId && c.state === 'ended');
    const handed = await ben.waitForCall((c) => c.id === benLeg && c.number === CALLER);
    expect(handed.matches.map((m) => m.id)).toEqual([CONTACT_ID]);
    bridge.simulator!.hangup(pbxCallId);
    await logged(ana, callId);
    await logged(ben, benLeg);
    expect(tasksOf(callId)).toHaveLength(1);
    expect(tasksOf(benLeg)).toHaveLength(1);
  });

  it('consults Ben, then cancels: Ben’s leg ends and Ana is back with the caller', async () => {
    const { pbxCallId, callId } = await answeredCall();
    await ana.control(callId, 'consult', { kind: 'extension', value: '202' });
    const benLeg = `${pbxCallId}:202`;
    await ben.waitForCall((c) => c.id === benLeg && c.state === 'connected');
    expect(await ana.control(callId, 'consult.cancel')).toMatchObject({ ok: true });
    await ben.waitForCall((c) => c.id === benLeg && c.state === 'ended');
    const back = await ana.waitForCall(
      (c) => c.id === callId && c.consult === undefined && c.state === 'connected',
    );
    expect(back.number).toBe(CALLER);
    bridge.simulator!.hangup(pbxCallId);
  });

  it('holds and resumes', async () => {
    const { pbxCallId, callId } = await answeredCall();
    expect(await ana.control(callId, 'hold')).toMatchObject({ ok: true });
    await ana.waitForCall((c) => c.id === callId && c.held === true);
    expect(await ana.control(callId, 'resume')).toMatchObject({ ok: true });
    const frames = () => ana.callFrames().filter((c) => c.id === callId);
    await ana.waitForCall(
      (c) =>
        c.id === callId &&
        c.held === undefined &&
        frames().some((f) => f.held === true) &&
        c === frames().at(-1),
    );
    bridge.simulator!.hangup(pbxCallId);
  });

  describe('refuses, with a code and a hint, and leaves the call as it was', () => {
    async function refused(
      rep: RepClient,
      callId: string,
      action: string,
      to?: { kind: string; value: string },
    ): Promise<{ code: string; hint: unknown }> {
      const result = await rep.control(callId, action, to);
      expect(result).toMatchObject({ type: 'call.control.result', ok: false });
      const error = result.error as { code: string; hint?: string };
      expect(typeof error.hint).toBe('string');
      return { code: error.code, hint: error.hint };
    }

    it('another rep’s call, and one that does not exist, alike', async () => {
      const { pbxCallId, callId } = await answeredCall();
      expect((await refused(ben, callId, 'hangup')).code).toBe(ErrorCodes.CONTROL_NOT_YOUR_CALL);
      expect((await refused(ben, 'no-such-call:202', 'hangup')).code).toBe(
        ErrorCodes.CONTROL_NOT_YOUR_CALL,
      );
      expect(bridge.calls.get(callId)?.state).toBe('connected');
      bridge.simulator!.hangup(pbxCallId);
    });

    it('a call that has ended', async () => {
      const { pbxCallId, callId } = await answeredCall();
      bridge.simulator!.hangup(pbxCallId);
      await ana.waitForCall((c) => c.id === callId && c.state === 'ended');
      expect((await refused(ana, callId, 'hangup')).code).toBe(ErrorCodes.CONTROL_CALL_ENDED);
    });

    it('a number the dial policy refuses, one’s own extension, a state it does not fit', async () => {
      const { pbxCallId, callId } = await answeredCall();
      expect(
        (await refused(ana, callId, 'transfer', { kind: 'number', value: '+1 900 555 0100' })).code,
      ).toBe(ErrorCodes.DIAL_NUMBER_NOT_ALLOWED);
      expect(
        (await refused(ana, callId, 'transfer', { kind: 'extension', value: '201' })).code,
      ).toBe(ErrorCodes.CONTROL_BAD_TARGET);
      expect(
        (await refused(ana, callId, 'transfer', { kind: 'extension', value: '2125550188' })).code,
      ).toBe(ErrorCodes.CONTROL_BAD_TARGET);
      expect((await refused(ana, callId, 'resume')).code).toBe(ErrorCodes.CONTROL_NOT_NOW);
      expect((await refused(ana, callId, 'consult.complete')).code).toBe(
        ErrorCodes.CONTROL_NOT_NOW,
      );
      expect(bridge.calls.get(callId)).toMatchObject({ state: 'connected', number: CALLER });
      bridge.simulator!.hangup(pbxCallId);
    });

    it('a transfer without a target is a bad frame, answered with its requestId', async () => {
      const { pbxCallId, callId } = await answeredCall();
      const answer = await ana.control(callId, 'transfer');
      expect(answer).toMatchObject({ type: 'error', code: ErrorCodes.WS_BAD_FRAME });
      bridge.simulator!.hangup(pbxCallId);
    });
  });
});
