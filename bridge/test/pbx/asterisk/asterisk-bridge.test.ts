// Issue 4's acceptance test: real AMI captures replayed over TCP into the real bridge
// (Asterisk adapter, call tracker, emulated org, hub) and the call timeline each produces at
// an authenticated WebSocket client, as the rep's utility bar would see it.
import type { RunningBridge } from '../../../src/bridge';
import type { Call } from '../../../src/calls/call';
import { RepClient, startTestBridge } from '../../support/test-bridge';
import { callFrames, headerOf, loadCapture } from './ami-capture';
import { AmiTestServer } from './ami-test-server';
import { Teardown } from '../../support/teardown';

const ANA = 'ana.lopez@acme.example';
const BEN = 'ben.okafor@acme.example';

/** A call's states as the rep sees them, repeated frames (e.g. lookup done) collapsed. */
function timeline(calls: readonly Call[]): string[] {
  const out: string[] = [];
  for (const c of calls) {
    const step = [c.state, c.direction, c.number, c.endReason ?? ''].join(' ').trim();
    if (out.at(-1) !== step) out.push(step);
  }
  return out;
}

describe('Asterisk captures → bridge → WebSocket', () => {
  let server: AmiTestServer;
  let bridge: RunningBridge;
  const teardown = new Teardown();

  beforeEach(async () => {
    server = teardown.add(new AmiTestServer({ split: 'random' }), (s) => s.close());
    const port = await server.listen();
    bridge = teardown.add(
      await startTestBridge({
        users: [
          { extension: '201', email: ANA },
          { extension: '202', email: BEN },
        ],
        config: {
          pbx: {
            adapter: 'asterisk',
            asterisk: { host: '127.0.0.1', port, username: 'bridge', secret: 'bridgepass' },
          },
        },
      }),
      (b) => b.stop(),
    );
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
    expect(timeline(ana.callFrames('1795289031.28'))).toEqual([
      'ringing inbound +15551234567',
      'connected inbound +15551234567',
      'ended inbound +15551234567 completed',
    ]);
    ana.close();
  });

  it('sip-inbound-hold: holding does not end the call', async () => {
    const ana = await RepClient.connectAs(bridge, ANA);
    await replayUntilEnded('sip-inbound-hold', [ana], '1795289068.36');
    expect(timeline(ana.callFrames('1795289068.36'))).toEqual([
      'ringing inbound +15551234567',
      'connected inbound +15551234567',
      'ended inbound +15551234567 completed',
    ]);
    ana.close();
  });

  it('local-inbound-abandoned: the caller gives up while Ana’s phone rings (missed)', async () => {
    const ana = await RepClient.connectAs(bridge, ANA);
    await replayUntilEnded('local-inbound-abandoned', [ana], '1795288978.8');
    expect(timeline(ana.callFrames('1795288978.8'))).toEqual([
      'ringing inbound +15550001111',
      'ended inbound +15550001111 missed',
    ]);
    ana.close();
  });

  it('local-inbound-busy: Ben is busy', async () => {
    const ben = await RepClient.connectAs(bridge, BEN);
    await replayUntilEnded('local-inbound-busy', [ben], '1795288986.12');
    expect(timeline(ben.callFrames('1795288986.12'))).toEqual([
      'ringing inbound +15550002222',
      'ended inbound +15550002222 busy',
    ]);
    ben.close();
  });

  it('local-queue-answered: both get the pop; Ben is busy, Ana answers', async () => {
    const ana = await RepClient.connectAs(bridge, ANA);
    const ben = await RepClient.connectAs(bridge, BEN);
    await replayUntilEnded('local-queue-answered', [ana, ben], '1795289012.22');
    expect(timeline(ana.callFrames('1795289012.22'))).toEqual([
      'ringing inbound +15550003333',
      'connected inbound +15550003333',
      'ended inbound +15550003333 completed',
    ]);
    expect(timeline(ben.callFrames('1795289012.22'))).toEqual([
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
