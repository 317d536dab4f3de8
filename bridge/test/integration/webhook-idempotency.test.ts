// Issue 14, hole 3, through the running bridge: webhook events are idempotent. A retried
// `ringing` (no `at`) does not ring an ended call again, a replayed `answered` does not
// reconnect it, the call is logged once, and an `ended` that overtakes its `ringing` leaves
// no ghost call ringing.
import type { RunningBridge } from '../../src/bridge';
import { DEMO_USERS, RepClient, postPbxEvent, startTestBridge } from '../support/test-bridge';
import { Teardown } from '../support/teardown';

const ANA = DEMO_USERS[0]!;

describe('webhook events are idempotent', () => {
  let bridge: RunningBridge;
  const teardown = new Teardown();
  beforeAll(async () => {
    bridge = teardown.add(await startTestBridge(), (b) => b.stop());
  });
  afterAll(() => teardown.run());

  it('a retried ringing and a replayed answered leave an ended call ended, logged once', async () => {
    const rep = await RepClient.connectAs(bridge, ANA.Email);
    const leg = { callId: 'retry-1', extension: '201' };
    const ringing = { ...leg, event: 'ringing', direction: 'inbound', number: '+1 415 555 0100' };
    await postPbxEvent(bridge, ringing);
    await postPbxEvent(bridge, { ...leg, event: 'answered' });
    await postPbxEvent(bridge, { ...leg, event: 'ended' });
    await rep.waitForCall((c) => c.id === 'retry-1:201' && c.log?.state === 'logged', 10_000);
    const framesWhenEnded = rep.callFrames('retry-1').length;

    // The PBX got no answer in time and sends everything again.
    expect(await postPbxEvent(bridge, ringing)).toEqual({
      status: 202,
      body: { accepted: true, duplicates: 1 },
    });
    await postPbxEvent(bridge, { ...leg, event: 'answered' });
    await postPbxEvent(bridge, [{ ...leg, event: 'ended' }]);
    // A marker call afterwards: once it pops, every frame of the retries would have arrived.
    await postPbxEvent(bridge, { ...ringing, callId: 'marker-1' });
    await rep.waitForCall((c) => c.id === 'marker-1:201');
    expect(rep.callFrames('retry-1')).toHaveLength(framesWhenEnded);
    expect(
      bridge.emulatedOrg!.records('Task').filter((t) => t.CallObject === 'retry-1:201'),
    ).toHaveLength(1);
    await postPbxEvent(bridge, { callId: 'marker-1', event: 'ended' });
    rep.close();
  });

  it('an ended that overtakes its ringing leaves no ghost call', async () => {
    const rep = await RepClient.connectAs(bridge, ANA.Email);
    await postPbxEvent(bridge, { callId: 'ghost-1', event: 'ended' });
    await postPbxEvent(bridge, {
      callId: 'ghost-1',
      event: 'ringing',
      direction: 'inbound',
      extension: '201',
      number: '+1 415 555 0100',
    });
    await postPbxEvent(bridge, {
      callId: 'marker-2',
      event: 'ringing',
      direction: 'inbound',
      extension: '201',
      number: '+1 415 555 0100',
    });
    await rep.waitForCall((c) => c.id === 'marker-2:201');
    expect(rep.callFrames('ghost-1')).toEqual([]);
    // A reconnecting tab is not shown it either.
    const again = await RepClient.connectAs(bridge, ANA.Email);
    const ready = again.frames.find((f) => f.type === 'ready')!;
    expect((ready.calls as Array<{ id: string }>).map((c) => c.id)).toEqual(['marker-2:201']);
    await postPbxEvent(bridge, { callId: 'marker-2', event: 'ended' });
    rep.close();
    again.close();
  });
});
