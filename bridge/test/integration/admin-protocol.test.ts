// The admin frames of protocol v1 through the running bridge, as the Switchboard Setup page uses
// them: a token carrying the admin role (Apex adds it for the Switchboard_Admin custom
// permission; the emulated org for that permission set) gets the live status — links, who is
// connected with how many tabs, the mapping, parked call logs, the last check, recent warnings —
// may retry a parked log and run the check; a rep's token is refused and keeps its socket.
import type { RunningBridge } from '../../src/bridge';
import { CHECK_STEPS } from '../../src/check/check-steps';
import { createLogger } from '../../src/logging/logger';
import { RecentLog } from '../../src/logging/recent-log';
import type { AdminStatus } from '../../src/protocol/v1';
import {
  DEMO_USERS,
  RepClient,
  postPbxEvent,
  startTestBridge,
  type ServerFrame,
} from '../support/test-bridge';
import { waitForValue } from '../support/wait-for-value';

jest.setTimeout(60_000);

const [ANA, , CHLOE] = DEMO_USERS as [
  (typeof DEMO_USERS)[0],
  (typeof DEMO_USERS)[0],
  (typeof DEMO_USERS)[0],
];

/** The next admin.status after the frames seen so far that satisfies `predicate`. */
async function nextStatus(
  client: RepClient,
  predicate: (status: AdminStatus) => boolean = () => true,
): Promise<AdminStatus> {
  const seen = client.frames.length;
  const frame = await client.waitFor(
    (f) =>
      f.type === 'admin.status' &&
      client.frames.indexOf(f) >= seen &&
      predicate(f.status as AdminStatus),
    10_000,
  );
  return frame.status as AdminStatus;
}

/** Asks for the status now (subscribe again) and returns it. */
async function statusNow(client: RepClient): Promise<AdminStatus> {
  const next = nextStatus(client);
  client.send({ type: 'admin.subscribe' });
  return next;
}

function result(client: RepClient, requestId: string): Promise<ServerFrame> {
  return client.waitFor((f) => f.type === 'admin.result' && f.requestId === requestId, 30_000);
}

describe('admin frames', () => {
  let bridge: RunningBridge;
  const recent = new RecentLog();
  beforeAll(async () => {
    bridge = await startTestBridge({
      seed: {
        User: DEMO_USERS,
        PermissionSet: [{ Id: '0PS000000000001AAA', Name: 'Switchboard_Admin' }],
        PermissionSetAssignment: [{ AssigneeId: CHLOE.Id, PermissionSetId: '0PS000000000001AAA' }],
        Contact: [{ Id: '003000000000001AAA', LastName: 'Weber', Phone: '+1 415 555 1212' }],
      },
      logger: createLogger({ level: 'warn', destination: { write: () => undefined }, recent }),
      recentLog: recent,
    });
  });
  afterAll(() => bridge.stop());

  it('gives an admin the live status: links, connected reps with their tabs, the mapping', async () => {
    const admin = await RepClient.connectAs(bridge, CHLOE.Email);
    const tab1 = await RepClient.connectAs(bridge, ANA.Email);
    const tab2 = await RepClient.connectAs(bridge, ANA.Email);
    admin.send({ type: 'admin.subscribe', requestId: 'sub-1' });
    expect(await result(admin, 'sub-1')).toMatchObject({ ok: true });
    const status = (await admin.waitFor((f) => f.type === 'admin.status')).status as AdminStatus;

    expect(status.pbx).toEqual({ adapter: 'simulator', connected: true });
    expect(status.salesforce).toMatchObject({
      connected: true,
      orgId: bridge.emulatedOrg!.orgId,
      apiUsage: { max: 15000 },
    });
    expect(status.connected).toEqual([
      {
        userId: ANA.Id,
        email: ANA.Email,
        extensions: ['201'],
        tabs: 2,
        admin: false,
      },
      {
        userId: CHLOE.Id,
        email: CHLOE.Email,
        extensions: ['203'],
        tabs: 1,
        admin: true,
      },
    ]);
    expect(status.mapping).toEqual([
      { extension: '201', email: ANA.Email, salesforceUserId: ANA.Id, name: 'Ana Lopez' },
      expect.objectContaining({ extension: '202', email: 'ben.okafor@acme.example' }),
      expect.objectContaining({ extension: '203', salesforceUserId: CHLOE.Id }),
    ]);
    expect(status.directory).toEqual({ enabled: false });
    expect(status.callLog).toMatchObject({ enabled: true, parked: [] });

    // One tab closes: the next status says so.
    tab2.close();
    const after = await nextStatus(
      admin,
      (s) => s.connected.find((u) => u.userId === ANA.Id)?.tabs === 1,
    );
    expect(after.connected).toHaveLength(2);
    tab1.close();
    admin.close();
  });

  it('refuses every admin frame from a rep’s token and keeps the rep’s socket open', async () => {
    const rep = await RepClient.connectAs(bridge, ANA.Email);
    for (const [type, extra] of [
      ['admin.subscribe', {}],
      ['admin.check', {}],
      ['admin.retry', { callId: 'x:201' }],
    ] as const) {
      rep.send({ type, requestId: `r-${type}`, ...extra });
      expect(
        await rep.waitFor((f) => f.type === 'error' && f.requestId === `r-${type}`),
      ).toMatchObject({
        code: 'AUTH_NOT_ADMIN',
        hint: expect.stringContaining('Switchboard Admin') as unknown,
      });
    }
    expect(rep.frames.some((f) => f.type === 'admin.status' || f.type === 'admin.result')).toBe(
      false,
    );
    expect(rep.closeCode).toBeUndefined();
    // A token whose roles claim names no role the bridge knows is a rep's token.
    const forged = await RepClient.connect(
      bridge,
      await bridge.emulatedOrg!.identity.signToken(ANA.Id, { roles: ['superuser', 'Admin'] }),
    );
    await forged.waitFor((f) => f.type === 'ready');
    forged.send({ type: 'admin.subscribe', requestId: 'f-1' });
    expect(await forged.waitFor((f) => f.requestId === 'f-1')).toMatchObject({
      type: 'error',
      code: 'AUTH_NOT_ADMIN',
    });
    rep.close();
    forged.close();

    // The refusal is among the recent errors an admin sees.
    const admin = await RepClient.connectAs(bridge, CHLOE.Email);
    const status = await statusNow(admin);
    expect(status.recentErrors).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        code: 'AUTH_NOT_ADMIN',
        component: 'hub',
        message: 'admin.subscribe refused: the token has no admin role',
      }),
    );
    admin.close();
  });

  it('shows a parked call log and sends it on admin.retry', async () => {
    const org = bridge.emulatedOrg!;
    org.faults.rejectWrites('Task', {
      errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
      message: 'Subject must mention the product',
    });
    const admin = await RepClient.connectAs(bridge, CHLOE.Email);
    admin.send({ type: 'admin.subscribe' });
    const event = { callId: 'adm-parked', direction: 'inbound', extension: '201' };
    await postPbxEvent(bridge, { ...event, event: 'ringing', number: '(415) 555-1212' });
    await postPbxEvent(bridge, { ...event, event: 'answered' });
    await postPbxEvent(bridge, { ...event, event: 'ended' });
    // The log waits for the caller's lookup (the emulated org, over HTTP), which a busy machine
    // may not have answered by the end: wait for the log to be parked, not for one drain.
    const parked = await waitForValue('the call log to be parked', async () => {
      await bridge.callLog.flush();
      const status = await statusNow(admin);
      return status.callLog.parked.some((p) => p.callId === 'adm-parked:201') ? status : undefined;
    });
    expect(parked.callLog.parked).toContainEqual(
      expect.objectContaining({
        callId: 'adm-parked:201',
        extension: '201',
        error: expect.objectContaining({ code: 'FIELD_CUSTOM_VALIDATION_EXCEPTION' }) as unknown,
      }),
    );
    expect(parked.callLog.counts.parked).toBeGreaterThanOrEqual(1);

    // A retry of a call that is not parked is refused with the reason.
    admin.send({ type: 'admin.retry', requestId: 'retry-0', callId: 'nobody:201' });
    expect(await result(admin, 'retry-0')).toMatchObject({
      ok: false,
      error: { code: 'CALL_LOG_NOT_PARKED' },
    });

    org.faults.clear();
    admin.send({ type: 'admin.retry', requestId: 'retry-1', callId: 'adm-parked:201' });
    expect(await result(admin, 'retry-1')).toMatchObject({ ok: true });
    await bridge.callLog.flush();
    expect(org.records('Task').filter((t) => t.CallObject === 'adm-parked:201')).toHaveLength(1);
    const after = await statusNow(admin);
    expect(after.callLog.parked.map((p) => p.callId)).not.toContain('adm-parked:201');
    admin.close();
  });

  it('runs the installation check on admin.check and shows its report and the mismatches', async () => {
    const admin = await RepClient.connectAs(bridge, CHLOE.Email);
    admin.send({ type: 'admin.subscribe' });
    const before = await admin.waitFor((f) => f.type === 'admin.status');
    expect((before.status as AdminStatus).check).toBeUndefined();
    admin.send({ type: 'admin.check', requestId: 'chk-1' });
    expect(await result(admin, 'chk-1')).toMatchObject({ ok: true });
    const status = await nextStatus(admin, (s) => s.check !== undefined);
    expect(status.check?.steps.map((s) => s.id)).toEqual(CHECK_STEPS.map((s) => s.id));
    expect(status.check?.steps.find((s) => s.id === 'salesforce-login')?.status).toBe('pass');
    // The same facts as the check's users step, both ways.
    const users = status.check?.steps.find((s) => s.id === 'users');
    expect(status.mismatches).toEqual([...(users?.problems ?? []), ...(users?.warnings ?? [])]);
    admin.close();
  });
});
