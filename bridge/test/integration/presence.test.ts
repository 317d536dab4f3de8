// Issue 15 item 2 on the bridge side, with the simulator PBX: a rep sets Available / Do not
// disturb / Away and pauses or resumes their queue membership over a real WebSocket; every tab
// of that rep (and only that rep) is told; a change made on the phone reaches the utility; what
// is not offered is refused with a code; and the simulator acts on it (no caller rings a rep on
// DND, a paused rep is left out of ring-group calls).
import type { RunningBridge } from '../../src/bridge';
import { ErrorCodes, SwitchboardError } from '../../src/errors';
import type { Presence } from '../../src/protocol/v1';
import {
  DEMO_MAPPINGS,
  RepClient,
  startTestBridge,
  type TestBridgeOptions,
} from '../support/test-bridge';
import { presences, setPresence, waitForPresence } from '../support/presence-frames';
import { Teardown } from '../support/teardown';

const ANA = 'ana.lopez@acme.example';
const BEN = 'ben.okafor@acme.example';
const CHLOE = 'chloe.martin@acme.example';

const teardown = new Teardown();
afterEach(() => teardown.run());

async function bridgeWith(options: TestBridgeOptions = {}): Promise<RunningBridge> {
  return teardown.add(await startTestBridge(options), (b) => b.stop());
}

async function rep(bridge: RunningBridge, email: string): Promise<RepClient> {
  return teardown.add(await RepClient.connectAs(bridge, email), (c) => c.close());
}

describe('presence over the socket (simulator PBX)', () => {
  it('says in ready what may be set, then the presence of each of the rep’s extensions', async () => {
    const bridge = await bridgeWith();
    const ana = await rep(bridge, ANA);
    const ready = await ana.waitFor((f) => f.type === 'ready');
    expect(ready.presence).toEqual({
      states: ['available', 'dnd', 'away'],
      queuePause: true,
      pauseReasons: ['Break', 'Lunch', 'Meeting', 'Training'],
    });
    expect(await waitForPresence(ana, '201', () => true)).toMatchObject({
      state: 'available',
      queuePaused: false,
    });
    // The presence frame comes after ready, never before.
    const types = ana.frames.map((f) => f.type);
    expect(types.indexOf('presence')).toBeGreaterThan(types.indexOf('ready'));
  });

  it('sets Do not disturb: the answer, and every tab of the rep, and no one else, hear of it', async () => {
    const bridge = await bridgeWith();
    const ana = await rep(bridge, ANA);
    const anaOtherTab = await rep(bridge, ANA);
    const ben = await rep(bridge, BEN);
    await waitForPresence(ben, '202', () => true);

    const result = await setPresence(ana, { state: 'dnd' });
    expect(result).toMatchObject({ ok: true, presence: { state: 'dnd', changedBy: 'rep' } });
    await waitForPresence(anaOtherTab, '201', (p) => p.state === 'dnd');
    expect(bridge.presence.presenceOf('201').state).toBe('dnd');
    expect(ben.frames.filter((f) => f.type === 'presence' && f.extension === '201')).toEqual([]);

    // Back to Available.
    expect(await setPresence(ana, { state: 'available' })).toMatchObject({
      ok: true,
      presence: { state: 'available' },
    });
    await waitForPresence(anaOtherTab, '201', (p) => p.state === 'available');
  });

  it('sets only the rep’s own presence: an extension named in the frame is ignored', async () => {
    const bridge = await bridgeWith();
    const ana = await rep(bridge, ANA);
    const ben = await rep(bridge, BEN);
    await waitForPresence(ben, '202', () => true);

    const result = await setPresence(ana, { state: 'away', extension: '202' });
    expect(result).toMatchObject({ ok: true, presence: { state: 'away' } });
    expect(bridge.presence.presenceOf('201').state).toBe('away');
    expect(bridge.presence.presenceOf('202').state).toBe('available');
    expect(presences(ben, '202').map((p) => p.state)).toEqual(['available']);
  });

  it('shows a change made on the phone, marked as from the phone system', async () => {
    const bridge = await bridgeWith();
    const ana = await rep(bridge, ANA);
    await waitForPresence(ana, '201', () => true);

    bridge.simulator!.changeOnPhone('201', { state: 'dnd' });
    expect(await waitForPresence(ana, '201', (p) => p.state === 'dnd')).toMatchObject({
      changedBy: 'pbx',
    });
    bridge.simulator!.changeOnPhone('201', { queuePaused: true, pauseReason: 'Training' });
    expect(await waitForPresence(ana, '201', (p) => p.queuePaused)).toMatchObject({
      state: 'dnd',
      pauseReason: 'Training',
      changedBy: 'pbx',
    });
  });

  it('a tab that connects later is told the presence the PBX reports now', async () => {
    const bridge = await bridgeWith();
    await bridge.presence.set(['201'], { state: 'away' });
    const ana = await rep(bridge, ANA);
    expect(await waitForPresence(ana, '201', () => true)).toMatchObject({ state: 'away' });
  });

  it('gives what the PBX answers when asked no change time: nothing changed then', async () => {
    const bridge = await bridgeWith();
    bridge.simulator!.changeOnPhone('202', { state: 'dnd' });
    const ana = await rep(bridge, ANA);
    expect(await waitForPresence(ana, '201')).toEqual({
      state: 'available',
      queuePaused: false,
      changedBy: 'pbx',
    });
  });

  it('pauses the queues with a reason and resumes them, keeping the state', async () => {
    const bridge = await bridgeWith();
    const ana = await rep(bridge, ANA);
    await setPresence(ana, { state: 'away' });

    const paused = await setPresence(ana, { queuePaused: true, pauseReason: 'Lunch' });
    expect(paused.presence).toMatchObject({
      state: 'away',
      queuePaused: true,
      pauseReason: 'Lunch',
    });
    const resumed = await setPresence(ana, { queuePaused: false });
    expect(resumed.presence).toMatchObject({ state: 'away', queuePaused: false });
    expect((resumed.presence as Presence).pauseReason).toBeUndefined();
  });

  it('refuses what pbx.presence does not offer, saying what is', async () => {
    const bridge = await bridgeWith({
      config: {
        pbx: {
          adapter: 'simulator',
          simulator: { intervalSeconds: 0 },
          presence: { states: ['available', 'dnd'], queuePause: false },
        },
      },
    });
    const ana = await rep(bridge, ANA);
    const ready = await ana.waitFor((f) => f.type === 'ready');
    expect(ready.presence).toEqual({
      states: ['available', 'dnd'],
      queuePause: false,
      pauseReasons: [],
    });

    const away = await setPresence(ana, { state: 'away' });
    expect(away).toMatchObject({ ok: false, error: { code: ErrorCodes.PRESENCE_NOT_SUPPORTED } });
    expect((away.error as { hint: string }).hint).toContain('available, dnd');
    const pause = await setPresence(ana, { queuePaused: true });
    expect(pause).toMatchObject({ ok: false, error: { code: ErrorCodes.PRESENCE_NOT_SUPPORTED } });
    expect(bridge.presence.presenceOf('201')).toMatchObject({
      state: 'available',
      queuePaused: false,
    });
  });

  it('refuses a rep without an extension', async () => {
    const bridge = await bridgeWith({ users: DEMO_MAPPINGS.slice(0, 2) });
    const chloe = await rep(bridge, CHLOE);
    expect(await setPresence(chloe, { state: 'dnd' })).toMatchObject({
      ok: false,
      error: { code: ErrorCodes.PRESENCE_NO_EXTENSION },
    });
  });

  it.each([
    ['neither state nor queuePaused', {}],
    ['an unknown state', { state: 'busy' }],
    ['a reason without a pause', { queuePaused: false, pauseReason: 'Lunch' }],
    ['a reason over two lines', { queuePaused: true, pauseReason: 'Lunch\r\nEvent: Hangup' }],
    ['a reason that is too long', { queuePaused: true, pauseReason: 'x'.repeat(41) }],
  ])('refuses a frame with %s (WS_BAD_FRAME), the socket stays open', async (_what, fields) => {
    const bridge = await bridgeWith();
    const ana = await rep(bridge, ANA);
    ana.send({ type: 'presence.set', requestId: 'bad-1', ...fields });
    const error = await ana.waitFor((f) => f.type === 'error' && f.requestId === 'bad-1');
    expect(error.code).toBe(ErrorCodes.WS_BAD_FRAME);
    expect(await setPresence(ana, { state: 'dnd' })).toMatchObject({ ok: true });
  });

  it('tells the rep when the PBX cannot be reached, and keeps the presence it had', async () => {
    const bridge = await bridgeWith();
    const ana = await rep(bridge, ANA);
    bridge.simulator!.setLinkUp(false);
    expect(await setPresence(ana, { state: 'dnd' })).toMatchObject({
      ok: false,
      error: { code: ErrorCodes.PBX_UNREACHABLE },
    });
    expect(bridge.presence.presenceOf('201').state).toBe('available');
  });
});

describe('the simulator acts on presence', () => {
  it('rings no caller through to a rep on Do not disturb; their own dial still rings them', async () => {
    const bridge = await bridgeWith();
    const simulator = bridge.simulator!;
    await bridge.presence.set(['201'], { state: 'dnd' });
    expect(() => simulator.triggerCall({ extension: '201', number: '+14155550100' })).toThrow(
      expect.objectContaining({ code: ErrorCodes.PBX_REFUSED }) as SwitchboardError,
    );
    const ana = await rep(bridge, ANA);
    const ben = await rep(bridge, BEN);
    const group = simulator.triggerCall({
      extension: ['201', '202'],
      number: '+14155550100',
      answerAfterMs: null,
      hangupAfterMs: null,
    });
    await ben.waitForCall((c) => c.id === `${group}:202`);
    const outbound = simulator.triggerCall({
      direction: 'outbound',
      extension: '201',
      number: '+14155550100',
      answerAfterMs: null,
      hangupAfterMs: null,
    });
    await ana.waitForCall((c) => c.id === `${outbound}:201`);
    expect(ana.callFrames(group)).toEqual([]);
  });

  it('leaves a paused rep out of ring-group calls, not out of calls to them', async () => {
    const bridge = await bridgeWith();
    const simulator = bridge.simulator!;
    await bridge.presence.set(['201'], { queuePaused: true, pauseReason: 'Lunch' });
    const ana = await rep(bridge, ANA);
    const ben = await rep(bridge, BEN);
    const spec = { number: '+14155550100', answerAfterMs: null, hangupAfterMs: null };
    const group = simulator.triggerCall({ ...spec, extension: ['201', '202'] });
    await ben.waitForCall((c) => c.id === `${group}:202`);
    const direct = simulator.triggerCall({ ...spec, extension: '201' });
    await ana.waitForCall((c) => c.id === `${direct}:201`);
    expect(ana.callFrames(group)).toEqual([]);
  });
});
