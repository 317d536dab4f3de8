// Issue 5's acceptance tests on the bridge side: a rep's `dial` frame over a real WebSocket
// reaches a PBX (a local HTTP server standing in for pbx.webhook.dialUrl) as an originate for
// the rep's extension and the number in E.164; the PBX's outbound ringing then pops already
// linked to the record dialed from. Every refusal reaches the rep with a code and a message.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RunningBridge } from '../../src/bridge';
import { ErrorCodes } from '../../src/errors';
import {
  DEMO_USERS,
  RepClient,
  WEBHOOK_TOKEN,
  postPbxEvent,
  startTestBridge,
  type ServerFrame,
} from '../support/test-bridge';
import { Teardown } from '../support/teardown';

const ANA = 'ana.lopez@acme.example';
const CHLOE = 'chloe.martin@acme.example';
const CONTACT_ID = '003000000000001AAA';
const CONTACT = {
  Id: CONTACT_ID,
  FirstName: 'Grace',
  LastName: 'Hopper',
  MobilePhone: '(415) 555-0101',
  Phone: '415.555.0102',
  OwnerId: DEMO_USERS[0]!.Id,
};

type PbxBehaviour = 'accept' | 'refuse' | 'hold';

/** The PBX's dial-out endpoint: records each originate and answers as told. */
class FakePbx {
  readonly originates: Array<Record<string, unknown>> = [];
  behaviour: PbxBehaviour = 'accept';
  private held: Array<() => void> = [];
  private counter = 0;
  private readonly server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      this.originates.push(JSON.parse(body) as Record<string, unknown>);
      const answer = () => {
        if (this.behaviour === 'refuse') {
          res.writeHead(403, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { message: 'extension 201 may not call out' } }));
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ callId: `out-${Date.now()}-${++this.counter}` }));
      };
      if (this.behaviour === 'hold') this.held.push(answer);
      else answer();
    });
  });

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/originate`;
  }

  release(): void {
    const held = this.held;
    this.held = [];
    for (const answer of held) answer();
  }

  close(): Promise<void> {
    this.release();
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** Ben's, and Leads are private in this org: Ana may not link a call to it. */
const BENS_LEAD = '00Q000000000001EAA';

async function startBridgeDialingTo(dialUrl: string): Promise<RunningBridge> {
  const bridge = await startTestBridge({
    seed: {
      Contact: [CONTACT],
      Lead: [
        {
          Id: BENS_LEAD,
          LastName: 'Private',
          Company: 'Ben’s',
          MobilePhone: '(415) 555-0177',
          OwnerId: DEMO_USERS[1]!.Id,
        },
      ],
    },
    // Chloe has a Salesforce user but no extension.
    users: [
      { extension: '201', email: ANA },
      { extension: '202', email: 'ben.okafor@acme.example' },
    ],
    config: {
      pbx: { adapter: 'webhook', webhook: { token: WEBHOOK_TOKEN, dialUrl, dialTimeoutMs: 2000 } },
    },
  });
  bridge.emulatedOrg!.setSharing('Lead', 'Private');
  return bridge;
}

let sequence = 0;
const nextRequestId = () => `d-${Date.now()}-${++sequence}`;

/** Sends a dial and waits for its dial.result. */
async function dial(
  rep: RepClient,
  number: string,
  recordId?: string,
): Promise<{ requestId: string; result: ServerFrame }> {
  const requestId = nextRequestId();
  rep.send({ type: 'dial', requestId, number, ...(recordId === undefined ? {} : { recordId }) });
  const result = await rep.waitFor((f) => f.type === 'dial.result' && f.requestId === requestId);
  return { requestId, result };
}

describe('click-to-dial through the WebSocket, the bridge and the webhook PBX', () => {
  let pbx: FakePbx;
  let bridge: RunningBridge;
  const teardown = new Teardown();
  beforeAll(async () => {
    pbx = teardown.add(new FakePbx(), (p) => p.close());
    bridge = teardown.add(await startBridgeDialingTo(await pbx.listen()), (b) => b.stop());
  });
  afterAll(() => teardown.run());
  beforeEach(() => {
    pbx.behaviour = 'accept';
    pbx.originates.length = 0;
  });

  it('a click on the mobile number originates from 201, and the call pops linked to the record', async () => {
    const rep = await RepClient.connectAs(bridge, ANA);
    // The number exactly as stored on the Contact.
    const { requestId: browserRequestId, result } = await dial(
      rep,
      CONTACT.MobilePhone,
      CONTACT_ID,
    );
    expect(pbx.originates).toEqual([
      { requestId: expect.any(String) as unknown, extension: '201', number: '+14155550101' },
    ]);
    // The PBX gets the bridge's own dial id, not the one the browser chose.
    const requestId = pbx.originates[0]!.requestId;
    expect(requestId).not.toBe(browserRequestId);
    expect(result).toMatchObject({ ok: true, callId: expect.stringMatching(/^out-/) as unknown });

    // The PBX rings the rep's phone first and reports the leg with the dial's requestId.
    const callId = result.callId as string;
    const ringing = await postPbxEvent(bridge, {
      callId,
      event: 'ringing',
      direction: 'outbound',
      extension: '201',
      number: '+14155550101',
      requestId,
    });
    expect(ringing.status).toBe(202);
    const popped = await rep.waitForCall((c) => c.id.startsWith(callId) && c.lookup === 'done');
    expect(popped).toMatchObject({
      direction: 'outbound',
      extension: '201',
      e164: '+14155550101',
      linkedRecordId: CONTACT_ID,
      matches: [
        expect.objectContaining({ id: CONTACT_ID, object: 'Contact', phoneField: 'MobilePhone' }),
      ],
    });
    // Linked from the first frame on: the utility never shows it unlinked.
    expect(rep.callFrames(callId).every((c) => c.linkedRecordId === CONTACT_ID)).toBe(true);
    await postPbxEvent(bridge, { callId, event: 'ended', extension: '201' });
    rep.close();
  });

  it('a dial from a second tab of the same rep works, and both tabs see the call', async () => {
    const first = await RepClient.connectAs(bridge, ANA);
    const second = await RepClient.connectAs(bridge, ANA);
    const { result } = await dial(second, CONTACT.Phone, CONTACT_ID);
    expect(result).toMatchObject({ ok: true });
    expect(pbx.originates).toEqual([
      { requestId: expect.any(String) as unknown, extension: '201', number: '+14155550102' },
    ]);
    const requestId = pbx.originates[0]!.requestId;
    // The answer goes to the tab that asked only.
    expect(first.frames.some((f) => f.type === 'dial.result')).toBe(false);

    const callId = result.callId as string;
    await postPbxEvent(bridge, {
      callId,
      event: 'ringing',
      direction: 'outbound',
      extension: '201',
      number: '+14155550102',
      requestId,
    });
    for (const tab of [first, second]) {
      const call = await tab.waitForCall((c) => c.id.startsWith(callId));
      expect(call.linkedRecordId).toBe(CONTACT_ID);
    }
    await postPbxEvent(bridge, { callId, event: 'ended', extension: '201' });
    first.close();
    second.close();
  });

  it('a double click originates once; the second click gets DIAL_IN_PROGRESS', async () => {
    const rep = await RepClient.connectAs(bridge, ANA);
    const firstId = nextRequestId();
    const secondId = nextRequestId();
    rep.send({ type: 'dial', requestId: firstId, number: '(415) 555-0177' });
    rep.send({ type: 'dial', requestId: secondId, number: '(415) 555-0177' });
    const first = await rep.waitFor((f) => f.type === 'dial.result' && f.requestId === firstId);
    const second = await rep.waitFor((f) => f.type === 'dial.result' && f.requestId === secondId);
    expect(first).toMatchObject({ ok: true });
    expect(second).toMatchObject({
      ok: false,
      error: { code: ErrorCodes.DIAL_IN_PROGRESS, message: 'A call is already being placed' },
    });
    expect(pbx.originates).toHaveLength(1);
    rep.close();
  });

  it('two dials at once from two tabs: one originate, the other gets DIAL_IN_PROGRESS', async () => {
    // The PBX takes its time answering the first, so the second arrives while it is in flight.
    pbx.behaviour = 'hold';
    const tabA = await RepClient.connectAs(bridge, ANA);
    const tabB = await RepClient.connectAs(bridge, ANA);
    const firstId = nextRequestId();
    tabA.send({ type: 'dial', requestId: firstId, number: '(415) 555-0188' });
    while (pbx.originates.length === 0) await new Promise((r) => setTimeout(r, 5));
    const { result: second } = await dial(tabB, '(415) 555-0199');
    pbx.release();
    const first = await tabA.waitFor((f) => f.type === 'dial.result' && f.requestId === firstId);
    expect(first).toMatchObject({ ok: true });
    expect(second).toMatchObject({ ok: false, error: { code: ErrorCodes.DIAL_IN_PROGRESS } });
    expect(pbx.originates).toHaveLength(1);
    tabA.close();
    tabB.close();
  });

  it('a rep with no extension gets DIAL_NO_EXTENSION, and the PBX is not asked', async () => {
    const rep = await RepClient.connectAs(bridge, CHLOE);
    const { result } = await dial(rep, '(415) 555-0101', CONTACT_ID);
    expect(result).toMatchObject({
      ok: false,
      error: {
        code: ErrorCodes.DIAL_NO_EXTENSION,
        message: `No phone extension is mapped to ${CHLOE}`,
        hint: expect.stringContaining('users') as unknown,
      },
    });
    expect(pbx.originates).toHaveLength(0);
    rep.close();
  });

  it('a dial from a record the rep may not link is refused before the PBX is asked', async () => {
    const rep = await RepClient.connectAs(bridge, ANA);
    const refusals: Array<[string, string]> = [
      [DEMO_USERS[1]!.Id, ErrorCodes.RECORD_NOT_LINKABLE], // a User
      ['006000000000001AAA', ErrorCodes.RECORD_NOT_LINKABLE], // an Opportunity
      ['003000000000099AAA', ErrorCodes.RECORD_NOT_ACCESSIBLE], // no such Contact
      [BENS_LEAD, ErrorCodes.RECORD_NOT_ACCESSIBLE], // not shared with Ana
    ];
    for (const [recordId, code] of refusals) {
      const { result } = await dial(rep, '(415) 555-0177', recordId);
      expect([recordId, result]).toMatchObject([
        recordId,
        { ok: false, error: { code, hint: expect.any(String) as unknown } },
      ]);
    }
    expect(pbx.originates).toHaveLength(0);
    rep.close();
  });

  it('dials without the link when Salesforce cannot say whether the rep may link the record', async () => {
    const org = bridge.emulatedOrg!;
    const rep = await RepClient.connectAs(bridge, ANA);
    org.faults.setDown(true);
    try {
      const { result } = await dial(rep, CONTACT.Phone, CONTACT_ID);
      expect(result).toMatchObject({ ok: true });
    } finally {
      org.faults.setDown(false);
    }
    expect(pbx.originates).toHaveLength(1);
    const ringing = await postPbxEvent(bridge, {
      callId: 'unchecked-1',
      event: 'ringing',
      direction: 'outbound',
      extension: '201',
      number: '+14155550102',
      requestId: pbx.originates[0]!.requestId,
    });
    expect(ringing.status).toBe(202);
    const popped = await rep.waitForCall(
      (c) => c.id.startsWith('unchecked-1') && c.lookup !== 'pending',
    );
    expect(popped.linkedRecordId).toBeUndefined();
    await postPbxEvent(bridge, { callId: 'unchecked-1', event: 'ended', extension: '201' });
    rep.close();
  });

  it('an invalid number gets DIAL_INVALID_NUMBER, and the PBX is not asked', async () => {
    const rep = await RepClient.connectAs(bridge, ANA);
    const { result } = await dial(rep, 'call me maybe');
    expect(result).toMatchObject({
      ok: false,
      error: {
        code: ErrorCodes.DIAL_INVALID_NUMBER,
        message: 'That does not look like a phone number',
      },
    });
    expect(pbx.originates).toHaveLength(0);
    rep.close();
  });

  it('premium and special numbers get DIAL_NUMBER_NOT_ALLOWED with a hint; the PBX is not asked', async () => {
    const rep = await RepClient.connectAs(bridge, ANA);
    for (const number of ['+1 900 555 0100', '+882 16 1234 5678', '1-900-FLOWERS']) {
      const { result } = await dial(rep, number);
      expect(result).toMatchObject({
        ok: false,
        error: {
          code: ErrorCodes.DIAL_NUMBER_NOT_ALLOWED,
          message: expect.stringMatching(/not allowed/) as unknown,
          hint: expect.stringContaining('phone.dialPolicy') as unknown,
        },
      });
    }
    expect(pbx.originates).toHaveLength(0);
    rep.close();
  });

  it('a vanity number is dialed on the keypad’s digits, not cut at its letters', async () => {
    const rep = await RepClient.connectAs(bridge, ANA);
    const { result } = await dial(rep, '1-800-FLOWERS');
    expect(result).toMatchObject({ ok: true });
    expect(pbx.originates.map((o) => o.number)).toEqual(['+18003569377']);
    rep.close();
  });

  it('a PBX refusal (HTTP 403) reaches the rep as PBX_REFUSED with the PBX’s reason', async () => {
    pbx.behaviour = 'refuse';
    const rep = await RepClient.connectAs(bridge, ANA);
    const { result } = await dial(rep, '(415) 555-0123');
    expect(result).toMatchObject({
      ok: false,
      error: {
        code: ErrorCodes.PBX_REFUSED,
        message: 'The phone system refused the call: extension 201 may not call out',
      },
    });
    expect(pbx.originates).toHaveLength(1);
    // Refused is not "in progress": the rep may try again straight away.
    pbx.behaviour = 'accept';
    const { result: again } = await dial(rep, '(415) 555-0123');
    expect(again).toMatchObject({ ok: true });
    rep.close();
  });
});

describe('click-to-dial when the PBX cannot be reached', () => {
  let bridge: RunningBridge;
  const teardown = new Teardown();
  beforeAll(async () => {
    // A port that was just free and is closed again: the connection is refused.
    const probe = http.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    bridge = teardown.add(await startBridgeDialingTo(`http://127.0.0.1:${port}/originate`), (b) =>
      b.stop(),
    );
  });
  afterAll(() => teardown.run());

  it('gives the rep PBX_UNREACHABLE, and the bridge keeps serving', async () => {
    const rep = await RepClient.connectAs(bridge, ANA);
    const { result } = await dial(rep, '(415) 555-0101', CONTACT_ID);
    expect(result).toMatchObject({
      ok: false,
      error: {
        code: ErrorCodes.PBX_UNREACHABLE,
        message: 'The phone system cannot be reached',
        hint: expect.stringContaining('pbx.webhook.dialUrl') as unknown,
      },
    });
    // Still alive: the next dial is answered too (and not refused as in progress).
    const { result: again } = await dial(rep, '(415) 555-0101');
    expect(again).toMatchObject({ ok: false, error: { code: ErrorCodes.PBX_UNREACHABLE } });
    rep.close();
  });
});
