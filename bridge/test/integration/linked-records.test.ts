// Issue 14, hole 2, through the running bridge: `call.link` takes only a Contact, Lead or
// Account that exists and that the rep may open (the emulated org's sharing, asked through
// UserRecordAccess); a refused link reaches the rep with a code and never reaches the Task.
import type { RunningBridge } from '../../src/bridge';
import { ErrorCodes } from '../../src/errors';
import { DEMO_USERS, RepClient, postPbxEvent, startTestBridge } from '../support/test-bridge';
import { Teardown } from '../support/teardown';

const ANA = DEMO_USERS[0]!;
const BEN = DEMO_USERS[1]!;
const JANA = '003000000000001AAA';
const BENS_CONTACT = '003000000000002AAA';
const BENS_LEAD = '00Q000000000001AAA';
const OPPORTUNITY = '006000000000001AAA';

describe('call.link accepts only records the rep may link', () => {
  let bridge: RunningBridge;
  const teardown = new Teardown();
  beforeAll(async () => {
    bridge = await startTestBridge({
      seed: {
        Account: [
          { Id: '001000000000001AAA', Name: 'Weber GmbH', OwnerId: ANA.Id },
          { Id: '001000000000002AAA', Name: 'Ben’s client', OwnerId: BEN.Id },
        ],
        Contact: [
          {
            Id: JANA,
            LastName: 'Weber',
            Phone: '+1 415 555 1212',
            AccountId: '001000000000001AAA',
            OwnerId: ANA.Id,
          },
          {
            Id: BENS_CONTACT,
            LastName: 'Secret',
            AccountId: '001000000000002AAA',
            OwnerId: BEN.Id,
          },
        ],
        Lead: [{ Id: BENS_LEAD, LastName: 'Private', Company: 'Ben’s lead', OwnerId: BEN.Id }],
        Opportunity: [
          {
            Id: OPPORTUNITY,
            Name: 'Deal',
            StageName: 'Prospecting',
            CloseDate: '2026-12-31',
            AccountId: '001000000000001AAA',
            OwnerId: ANA.Id,
          },
        ],
      },
    });
    teardown.add(bridge, (b) => b.stop());
    bridge.emulatedOrg!.setSharing('Account', 'Private');
    bridge.emulatedOrg!.setSharing('Contact', 'ControlledByParent');
    bridge.emulatedOrg!.setSharing('Lead', 'Private');
  });
  afterAll(() => teardown.run());

  it('refuses another object, a missing record and one not shared with the rep; the Task never names them', async () => {
    const org = bridge.emulatedOrg!;
    const rep = await RepClient.connectAs(bridge, ANA.Email);
    const event = { callId: 'link-1', direction: 'inbound', extension: '201' };
    await postPbxEvent(bridge, { ...event, event: 'ringing', number: '(415) 555-1212' });
    const call = await rep.waitForCall((c) => c.id === 'link-1:201' && c.lookup === 'done');

    const refusals: Array<[string, string]> = [
      [BEN.Id, ErrorCodes.RECORD_NOT_LINKABLE], // a User
      [OPPORTUNITY, ErrorCodes.RECORD_NOT_LINKABLE],
      ['003000000000099AAA', ErrorCodes.RECORD_NOT_ACCESSIBLE], // no such Contact
      [BENS_CONTACT, ErrorCodes.RECORD_NOT_ACCESSIBLE], // under Ben's private Account
      [BENS_LEAD, ErrorCodes.RECORD_NOT_ACCESSIBLE], // Leads are private, and it is Ben's
    ];
    for (const [recordId, code] of refusals) {
      const requestId = `l-${recordId}`;
      rep.send({ type: 'call.link', callId: call.id, recordId, requestId });
      const error = await rep.waitFor((f) => f.type === 'error' && f.requestId === requestId);
      expect([recordId, error.code]).toEqual([recordId, code]);
      expect(error.hint).toEqual(expect.any(String));
    }
    expect(rep.callFrames('link-1').every((c) => c.linkedRecordId === undefined)).toBe(true);

    // Shared with Ana, the Lead may be linked; the Task then names it, and only it.
    org.share(BENS_LEAD, ANA.Id);
    rep.send({ type: 'call.link', callId: call.id, recordId: BENS_LEAD, requestId: 'l-ok' });
    await rep.waitForCall((c) => c.id === call.id && c.linkedRecordId === BENS_LEAD);
    await postPbxEvent(bridge, { ...event, event: 'ended' });
    await rep.waitForCall((c) => c.id === call.id && c.log?.state === 'logged', 10_000);
    const tasks = org.records('Task').filter((t) => t.CallObject === call.id);
    expect(tasks).toHaveLength(1);
    expect(String(tasks[0]!.WhoId).slice(0, 15)).toBe(BENS_LEAD.slice(0, 15));
    expect(tasks[0]!.WhatId ?? null).toBeNull();
    expect(rep.frames.some((f) => f.type === 'error' && f.requestId === 'l-ok')).toBe(false);
    rep.close();
  });

  it('answers CALL_NOT_FOUND for another rep’s call without asking Salesforce', async () => {
    const org = bridge.emulatedOrg!;
    const ben = await RepClient.connectAs(bridge, BEN.Email);
    const event = { callId: 'link-2', direction: 'inbound', extension: '201' };
    await postPbxEvent(bridge, { ...event, event: 'ringing', number: '(415) 555-1212' });
    const queries = org.counts.query;
    ben.send({ type: 'call.link', callId: 'link-2:201', recordId: JANA, requestId: 'b-1' });
    const error = await ben.waitFor((f) => f.type === 'error' && f.requestId === 'b-1');
    expect(error.code).toBe(ErrorCodes.CALL_NOT_FOUND);
    expect(org.counts.query).toBe(queries);
    await postPbxEvent(bridge, { ...event, event: 'ended' });
    ben.close();
  });
});
