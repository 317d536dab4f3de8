// The bridge as its integration user's permission set allows, through the running bridge: with
// exactly the shipped Switchboard_Integration permission set it pops and logs without a single
// missing-permission warning; without Read on Contact.HomePhone it still pops from the fields it
// can read (index on and off) and says once which permission to grant.
import type { RunningBridge } from '../../src/bridge';
import { captureLogger } from '../support/capture-logger';
import { integrationFieldPermissions } from '../support/integration-permission-set';
import { DEMO_USERS, RepClient, postPbxEvent, startTestBridge } from '../support/test-bridge';

const ANA = DEMO_USERS[0]!;

function seed(without: string[]) {
  return {
    FieldPermissions: integrationFieldPermissions(without),
    Account: [{ Id: '001000000000001AAA', Name: 'Weber GmbH', BillingCountry: 'Germany' }],
    Contact: [
      {
        Id: '003000000000001AAA',
        FirstName: 'Jana',
        LastName: 'Weber',
        Phone: '07131 123456',
        AccountId: '001000000000001AAA',
        OwnerId: ANA.Id,
      },
      {
        Id: '003000000000002AAA',
        FirstName: 'Only',
        LastName: 'Home',
        HomePhone: '+1 415 555 0199',
        OwnerId: ANA.Id,
      },
    ],
  };
}

async function ring(bridge: RunningBridge, rep: RepClient, callId: string, number: string) {
  await postPbxEvent(bridge, {
    callId,
    event: 'ringing',
    direction: 'inbound',
    extension: '201',
    number,
  });
  return rep.waitForCall((c) => c.id === `${callId}:201` && c.lookup !== 'pending', 10_000);
}

describe.each([
  { index: 'off', directory: { enabled: false } },
  { index: 'on', directory: { enabled: true } },
])('the integration user as its permission set allows (index $index)', ({ directory }) => {
  let bridge: RunningBridge | undefined;
  afterEach(async () => {
    await bridge?.stop();
    bridge = undefined;
  });

  it('needs nothing the shipped permission set does not grant', async () => {
    const { logger, lines } = captureLogger();
    bridge = await startTestBridge({ seed: seed([]), logger, config: { directory } });
    const rep = await RepClient.connectAs(bridge, ANA.Email);

    const popped = await ring(bridge, rep, 'full-1', '+497131123456');
    expect(popped).toMatchObject({
      lookup: 'done',
      matches: [expect.objectContaining({ id: '003000000000001AAA', phoneField: 'Phone' })],
    });
    const home = await ring(bridge, rep, 'full-2', '+14155550199');
    expect(home.matches).toEqual([
      expect.objectContaining({ id: '003000000000002AAA', phoneField: 'HomePhone' }),
    ]);
    const event = { callId: 'full-1', direction: 'inbound', extension: '201' };
    await postPbxEvent(bridge, { ...event, event: 'ended', reason: 'busy' });
    await rep.waitForCall((c) => c.id === 'full-1:201' && c.log?.state === 'logged', 10_000);

    const task = bridge.emulatedOrg!.records('Task').find((t) => t.CallObject === 'full-1:201');
    expect(task).toMatchObject({
      Subject: expect.stringContaining('call') as unknown,
      CallType: 'Inbound',
      // An inbound call nobody answered is Missed, busy or not (docs/call-logging.md).
      CallDisposition: 'Missed',
      WhoId: '003000000000001AAA',
    });
    // Not one warning: no missing permission, no refused query (the user mapping included).
    expect(lines.filter((l) => l.level === 'warn' || l.level === 'error')).toEqual([]);
    rep.close();
  });

  it('names each missing permission at start, before any call', async () => {
    const { logger, lines } = captureLogger();
    bridge = await startTestBridge({
      seed: seed(['Contact.HomePhone', 'Task.CallDisposition']),
      logger,
      config: { directory },
    });
    const missing = () =>
      lines
        .filter((l) => l.code === 'SF_FIELD_NOT_ACCESSIBLE')
        .map((l) => `${String(l.object)}.${String(l.field)}:${String(l.permission)}`)
        .sort();
    const deadline = Date.now() + 10_000;
    while (missing().length < 2 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 25));
    expect(missing()).toEqual(['Contact.HomePhone:Read', 'Task.CallDisposition:Edit']);
  });

  it('pops from the fields it can read without Read on HomePhone, and names the permission once', async () => {
    const { logger, lines } = captureLogger();
    bridge = await startTestBridge({
      seed: seed(['Contact.HomePhone']),
      logger,
      config: { directory },
    });
    const rep = await RepClient.connectAs(bridge, ANA.Email);

    const popped = await ring(bridge, rep, 'fls-1', '+497131123456');
    expect(popped).toMatchObject({
      lookup: 'done',
      matches: [expect.objectContaining({ id: '003000000000001AAA', name: 'Jana Weber' })],
    });
    // Stored only where the bridge may not look: no match, and not a failed lookup.
    const home = await ring(bridge, rep, 'fls-2', '+14155550199');
    expect(home).toMatchObject({ lookup: 'done', matches: [] });
    await ring(bridge, rep, 'fls-3', '+497131123456');

    const missing = lines.filter((l) => l.code === 'SF_FIELD_NOT_ACCESSIBLE');
    expect(missing).toEqual([
      expect.objectContaining({
        level: 'warn',
        object: 'Contact',
        field: 'HomePhone',
        permission: 'Read',
        permissionSet: 'Switchboard_Integration',
      }),
    ]);
    expect(missing[0]?.msg).toMatch(
      /Grant Read on Contact\.HomePhone in the Switchboard_Integration permission set/,
    );
    rep.close();
  });
});
