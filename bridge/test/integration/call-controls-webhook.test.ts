// Call controls through the generic webhook PBX, over real HTTP both ways: a rep's
// `call.control` reaches a stand-in PBX (a real HTTP server at pbx.webhook.controlUrl) as the
// documented POST, and what that PBX then reports on POST /pbx/events (held, transferred,
// answered) reaches both reps' screens and the Tasks, as docs/webhook.md says.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RunningBridge } from '../../src/bridge';
import { CALL_CONTROL_ACTIONS } from '../../src/protocol/v1';
import {
  DEMO_USERS,
  RepClient,
  WEBHOOK_TOKEN,
  postPbxEvent,
  startTestBridge,
} from '../support/test-bridge';
import { Teardown } from '../support/teardown';

const ANA = 'ana.lopez@acme.example';
const BEN = 'ben.okafor@acme.example';
const CONTACT_ID = '003000000000001AAA';

interface ControlRequest {
  requestId: string;
  action: string;
  callId: string;
  extension: string;
  to?: { dial: string; extension?: string };
}

describe('call controls through the webhook PBX', () => {
  const teardown = new Teardown();
  let bridge: RunningBridge;
  const received: ControlRequest[] = [];
  /** What the stand-in PBX does with a control before it answers 202: report its events. */
  let onControl: (request: ControlRequest) => Promise<void> = () => Promise.resolve();

  beforeAll(async () => {
    const pbx = http.createServer((req, res) => {
      let text = '';
      req.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      req.on('end', () => {
        const request = JSON.parse(text) as ControlRequest;
        received.push(request);
        void onControl(request).then(() => res.writeHead(202).end());
      });
    });
    await new Promise<void>((resolve) => pbx.listen(0, '127.0.0.1', resolve));
    teardown.add(pbx, (s) => {
      s.closeAllConnections();
      return new Promise((resolve) => s.close(resolve));
    });
    const controlUrl = `http://127.0.0.1:${(pbx.address() as AddressInfo).port}/control`;
    bridge = teardown.add(
      await startTestBridge({
        seed: {
          Contact: [
            { Id: CONTACT_ID, FirstName: 'Grace', LastName: 'Hopper', Phone: '(415) 555-0123' },
          ],
        },
        config: { pbx: { adapter: 'webhook', webhook: { token: WEBHOOK_TOKEN, controlUrl } } },
      }),
      (b) => b.stop(),
    );
  });
  afterAll(() => teardown.run());

  const event = (body: Record<string, unknown>) =>
    postPbxEvent(bridge, { at: new Date().toISOString(), ...body });

  it('holds, then transfers to Ben; the PBX’s events move both screens; one Task per leg', async () => {
    const ana = teardown.add(await RepClient.connectAs(bridge, ANA), (c) => c.close());
    const ben = teardown.add(await RepClient.connectAs(bridge, BEN), (c) => c.close());
    expect((await ana.waitFor((f) => f.type === 'ready')).controls).toEqual(CALL_CONTROL_ACTIONS);
    const callId = 'wh-ctl-1';
    await event({
      callId,
      event: 'ringing',
      direction: 'inbound',
      extension: '201',
      number: '+14155550123',
    });
    await event({ callId, event: 'answered', extension: '201' });
    await ana.waitForCall(
      (c) => c.id === `${callId}:201` && c.state === 'connected' && c.lookup === 'done',
    );

    onControl = async () => {
      await event({ callId, event: 'held', extension: '201' });
    };
    ana.send({ type: 'call.control', requestId: 'h-1', callId: `${callId}:201`, action: 'hold' });
    expect(await ana.waitFor((f) => f.type === 'call.control.result')).toMatchObject({ ok: true });
    expect(received.at(-1)).toMatchObject({ action: 'hold', callId, extension: '201' });
    expect(Object.keys(received.at(-1) ?? {}).sort()).toEqual([
      'action',
      'callId',
      'extension',
      'requestId',
    ]);
    await ana.waitForCall((c) => c.id === `${callId}:201` && c.held === true);

    onControl = async (request) => {
      await event({
        callId,
        event: 'transferred',
        extension: '201',
        toExtension: request.to?.extension,
      });
      await event({ callId, event: 'answered', extension: '202' });
    };
    ana.send({
      type: 'call.control',
      requestId: 't-1',
      callId: `${callId}:201`,
      action: 'transfer',
      to: { kind: 'rep', value: DEMO_USERS[1]!.Id },
    });
    await ana.waitFor(
      (f) => f.type === 'call.control.result' && f.requestId === 't-1' && f.ok === true,
    );
    expect(received.at(-1)).toMatchObject({
      action: 'transfer',
      to: { dial: '202', extension: '202' },
    });
    await ana.waitForCall((c) => c.id === `${callId}:201` && c.state === 'ended');
    const bens = await ben.waitForCall((c) => c.id === `${callId}:202` && c.state === 'connected');
    expect(bens.matches.map((m) => m.id)).toEqual([CONTACT_ID]);

    await event({ callId, event: 'ended' });
    await ana.waitForCall((c) => c.id === `${callId}:201` && c.log?.state === 'logged', 10_000);
    await ben.waitForCall((c) => c.id === `${callId}:202` && c.log?.state === 'logged', 10_000);
    const tasks = bridge
      .emulatedOrg!.records('Task')
      .filter((t) => String(t.CallObject).startsWith(callId));
    expect(tasks.map((t) => t.CallObject).sort()).toEqual([`${callId}:201`, `${callId}:202`]);
  });
});
