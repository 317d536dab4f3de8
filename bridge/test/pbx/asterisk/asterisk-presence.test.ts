// Presence with Asterisk, end to end over real TCP and real WebSockets: the ami-devicestate and
// ami-queuepause captures replayed into the bridge reach the rep's utility as presence frames;
// a rep's presence.set reaches the AMI test server as the Setvar / DBPut / DBDel / QueuePause
// actions, which it answers as Asterisk does (events, and each error), and the rep is told.
import type { RunningBridge } from '../../../src/bridge';
import type { ConfigInput } from '../../../src/config/schema';
import { ErrorCodes } from '../../../src/errors';
import type { Presence } from '../../../src/protocol/v1';
import { presences, setPresence } from '../../support/presence-frames';
import { Teardown } from '../../support/teardown';
import { RepClient } from '../../support/test-bridge';
import { loadTimedCapture, timedCallFrames, withTimestamps } from './ami-capture';
import { AmiTestServer, type AmiTestServerOptions } from './ami-test-server';
import { ANA, BEN, startAsteriskBridge } from './asterisk-test-bridge';

const teardown = new Teardown();
afterEach(() => teardown.run());

async function setUp(
  server: AmiTestServerOptions = {},
  presence: Record<string, unknown> = {},
  config: Partial<ConfigInput> = {},
): Promise<{ ami: AmiTestServer; bridge: RunningBridge }> {
  const ami = teardown.add(new AmiTestServer(server), (s) => s.close());
  const port = await ami.listen();
  const bridge = teardown.add(
    await startAsteriskBridge(port, {
      pbx: {
        adapter: 'asterisk',
        asterisk: { host: '127.0.0.1', port, username: 'bridge', secret: 'bridgepass', presence },
      },
      ...config,
    }),
    (b) => b.stop(),
  );
  await ami.waitForLogin();
  return { ami, bridge };
}

async function rep(bridge: RunningBridge, email: string): Promise<RepClient> {
  const client = teardown.add(await RepClient.connectAs(bridge, email), (c) => c.close());
  await client.waitFor((f) => f.type === 'presence');
  return client;
}

/** Replays a capture's streamed frames with the PBX's clock, ending now. */
async function replay(ami: AmiTestServer, name: string): Promise<void> {
  const frames = timedCallFrames(loadTimedCapture(name));
  const start = new Date(Date.now() - ((frames.at(-1)?.at ?? 0) + 1) * 1000);
  await ami.send(withTimestamps(frames, start));
}

describe('presence with Asterisk', () => {
  it('shows DND set and cleared on the PBX (ami-devicestate) as it happens, from the PBX', async () => {
    const { ami, bridge } = await setUp({ split: 'random' });
    const ana = await rep(bridge, ANA);
    await replay(ami, 'ami-devicestate');
    await ana.waitFor(
      (f) =>
        f.type === 'presence' &&
        (f.presence as Presence).state === 'available' &&
        presences(ana).length > 2,
    );
    expect(presences(ana).map((p) => `${p.state}:${p.changedBy}`)).toEqual([
      'available:pbx',
      'dnd:pbx',
      'available:pbx',
    ]);
  });

  it('shows the queue pause made on the PBX (ami-queuepause), with its reason', async () => {
    const { ami, bridge } = await setUp({ split: 'bytes' });
    const ana = await rep(bridge, ANA);
    await replay(ami, 'ami-queuepause');
    await ana.waitFor((f) => f.type === 'presence' && presences(ana).length === 3);
    expect(presences(ana).map((p) => [p.queuePaused, p.pauseReason ?? ''])).toEqual([
      [false, ''],
      [true, 'Lunch'],
      [false, ''],
    ]);
  });

  it('sets DND with Setvar (presence first) and the rep’s tabs follow the PBX’s events', async () => {
    const { ami, bridge } = await setUp();
    const ana = await rep(bridge, ANA);
    const ben = await rep(bridge, BEN);
    const result = await setPresence(ana, { state: 'dnd' });
    expect(result).toMatchObject({ ok: true, presence: { state: 'dnd', changedBy: 'rep' } });
    const setvars = ami.received.filter((a) => a.fields.Action === 'Setvar').map((a) => a.fields);
    expect(setvars).toEqual([
      expect.objectContaining({ Variable: 'PRESENCE_STATE(CustomPresence:201)', Value: 'dnd,,' }),
      expect.objectContaining({ Variable: 'DEVICE_STATE(Custom:DND201)', Value: 'BUSY' }),
    ]);
    // The PBX's own events about it are the rep's change, not "changed on the phone".
    expect(presences(ana).every((p) => p.state === 'available' || p.changedBy === 'rep')).toBe(
      true,
    );
    expect(presences(ben)).toEqual([]);

    expect(await setPresence(ana, { state: 'away' })).toMatchObject({
      ok: true,
      presence: { state: 'away' },
    });
    expect(bridge.presence.presenceOf('201').state).toBe('away');
  });

  it('writes DND into AstDB when configured, and reads it when a rep connects', async () => {
    const { ami, bridge } = await setUp({}, { astdbFamily: 'DND' });
    ami.astdb.set('/DND/202', 'YES');
    const ben = await rep(bridge, BEN);
    expect(presences(ben, '202')[0]).toMatchObject({ state: 'dnd' });

    const ana = await rep(bridge, ANA);
    expect(presences(ana)[0]).toMatchObject({ state: 'available' });
    await setPresence(ana, { state: 'dnd' });
    expect(ami.astdb.get('/DND/201')).toBe('YES');
    await setPresence(ana, { state: 'available' });
    expect(ami.astdb.has('/DND/201')).toBe(false);
    // Already gone: DBDel's "Database entry not found" is no failure.
    expect(await setPresence(ana, { state: 'away' })).toMatchObject({ ok: true });
  });

  it('pauses the rep’s queue membership with QueuePause, and says when they are in no queue', async () => {
    const { ami, bridge } = await setUp({ queues: { 'sales-sip': ['PJSIP/201'] } });
    const ana = await rep(bridge, ANA);
    const ben = await rep(bridge, BEN);
    const paused = await setPresence(ana, { queuePaused: true, pauseReason: 'Lunch' });
    expect(paused).toMatchObject({
      ok: true,
      presence: { queuePaused: true, pauseReason: 'Lunch' },
    });
    expect(ami.received.find((a) => a.fields.Action === 'QueuePause')?.fields).toMatchObject({
      Interface: 'PJSIP/201',
      Paused: 'true',
      Reason: 'Lunch',
    });
    expect(await setPresence(ana, { queuePaused: false })).toMatchObject({
      ok: true,
      presence: { queuePaused: false },
    });

    const refused = await setPresence(ben, { queuePaused: true });
    expect(refused).toMatchObject({
      ok: false,
      error: { code: ErrorCodes.PBX_REFUSED, message: 'Asterisk has no queue member PJSIP/202' },
    });
    expect(bridge.presence.presenceOf('202').queuePaused).toBe(false);
  });

  it('names the manager.conf class a refused action needs', async () => {
    const { bridge } = await setUp({
      write: ['originate', 'reporting'],
      queues: { q: ['PJSIP/201'] },
    });
    const ana = await rep(bridge, ANA);
    const dnd = await setPresence(ana, { state: 'dnd' });
    expect(dnd).toMatchObject({ ok: false, error: { code: ErrorCodes.PBX_REFUSED } });
    expect((dnd.error as { hint: string }).hint).toContain('write = call');
    const pause = await setPresence(ana, { queuePaused: true });
    expect((pause.error as { hint: string }).hint).toContain('write = agent');
    expect(bridge.presence.presenceOf('201')).toMatchObject({
      state: 'available',
      queuePaused: false,
    });
  });

  it('says when Asterisk has no queues at all (app_queue not loaded)', async () => {
    const { bridge } = await setUp({ unknownActions: ['QueuePause'] });
    const ana = await rep(bridge, ANA);
    expect(await setPresence(ana, { queuePaused: true })).toMatchObject({
      ok: false,
      error: { code: ErrorCodes.PBX_ACTION_UNAVAILABLE },
    });
  });

  it('check warns about each missing class, naming what it turns off', async () => {
    const { bridge } = await setUp({ write: ['originate', 'reporting'] }, { astdbFamily: 'DND' });
    const step = (await bridge.check.run()).steps.find((s) => s.id === 'pbx');
    expect(step?.problems).toEqual([]);
    const warnings = step?.warnings.map((w) => w.message).join('\n') ?? '';
    expect(warnings).toContain('write = call is missing');
    expect(warnings).toContain('Setvar (presence from the utility');
    expect(warnings).toContain('write = agent is missing');
    expect(warnings).toContain('QueuePause (queue pause from the utility), so that is off.');
    expect(warnings).toContain('write = system is missing');
  });
});
