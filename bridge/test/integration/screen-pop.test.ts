// Issue 2's acceptance tests: a PBX event in through the real webhook, the lookup through
// jsforce against the emulated org, the pop out through a real authenticated WebSocket.
import type { RunningBridge } from '../../src/bridge';
import { DEMO_USERS, RepClient, postPbxEvent, startTestBridge } from '../support/test-bridge';
import { Teardown } from '../support/teardown';

const ANA = 'ana.lopez@acme.example';
const ANA_ID = DEMO_USERS[0]!.Id;
const BEN_ID = DEMO_USERS[1]!.Id;

let sequence = 0;
const nextCallId = () => `it-${Date.now()}-${++sequence}`;

function ring(bridge: RunningBridge, number: string, extra: Record<string, unknown> = {}) {
  const callId = nextCallId();
  return postPbxEvent(bridge, {
    callId,
    event: 'ringing',
    direction: 'inbound',
    extension: '201',
    number,
    ...extra,
  }).then((response) => ({ callId, response }));
}

describe('screen pop through webhook, emulated org and WebSocket', () => {
  describe.each([
    { stored: '+49 7131 123456', caller: '+497131123456', country: 'DE', shown: '07131 123456' },
    { stored: '07131 123456', caller: '+497131123456', country: 'DE', shown: '07131 123456' },
    {
      stored: '0049 (0)7131-123456',
      caller: '+497131123456',
      country: 'DE',
      shown: '07131 123456',
    },
    { stored: '(415) 555-1212', caller: '+14155551212', country: 'US', shown: '(415) 555-1212' },
    // The PBX may deliver the caller in national form too.
    { stored: '+1 415 555 1212', caller: '4155551212', country: 'US', shown: '(415) 555-1212' },
  ])('a Contact stored as "$stored" ($country)', ({ stored, caller, country, shown }) => {
    let bridge: RunningBridge;
    const teardown = new Teardown();
    beforeAll(async () => {
      bridge = await startTestBridge({
        defaultCountry: country,
        seed: {
          Contact: [
            {
              Id: '003000000000001AAA',
              FirstName: 'Jana',
              LastName: 'Weber',
              Phone: stored,
              OwnerId: ANA_ID,
            },
          ],
        },
      });
      teardown.add(bridge, (b) => b.stop());
    });
    afterAll(() => teardown.run());

    it(`pops for a caller ${caller}: pending first, then the Contact`, async () => {
      const rep = await RepClient.connectAs(bridge, ANA);
      const { callId, response } = await ring(bridge, caller);
      expect(response.status).toBe(202);
      // The ring reaches the rep before the lookup is done, then again with the match.
      const pending = await rep.waitForCall((c) => c.id.startsWith(callId));
      expect(pending).toMatchObject({
        state: 'ringing',
        direction: 'inbound',
        extension: '201',
        lookup: 'pending',
        // As reps of this country write their own numbers (the component shows it as is).
        display: shown,
      });
      const done = await rep.waitForCall((c) => c.id.startsWith(callId) && c.lookup === 'done');
      expect(done.matches).toEqual([
        expect.objectContaining({
          id: '003000000000001AAA',
          object: 'Contact',
          name: 'Jana Weber',
          phoneField: 'Phone',
        }),
      ]);
      rep.close();
    });
  });

  describe('with the demo-like org', () => {
    let bridge: RunningBridge;
    const teardown = new Teardown();
    beforeAll(async () => {
      bridge = await startTestBridge({
        seed: {
          Account: [
            {
              Id: '001000000000001AAA',
              Name: 'Northwind Traders',
              Phone: '+1 212 555 0100',
              OwnerId: BEN_ID,
            },
          ],
          Contact: [
            // Two records share one number: the rep's own record must come first, even though
            // the other one was modified more recently.
            {
              Id: '003000000000010AAA',
              FirstName: 'Old',
              LastName: 'Mine',
              MobilePhone: '212.555.0199',
              OwnerId: ANA_ID,
              AccountId: '001000000000001AAA',
              LastModifiedDate: '2024-01-01T00:00:00.000Z',
            },
            {
              Id: '003000000000011AAA',
              FirstName: 'New',
              LastName: 'Theirs',
              Phone: '+1 (212) 555-0199',
              OwnerId: BEN_ID,
              LastModifiedDate: '2026-01-01T00:00:00.000Z',
            },
            {
              Id: '003000000000012AAA',
              FirstName: 'Partial',
              LastName: 'Digits',
              Phone: '+1 212 555 01999',
              OwnerId: BEN_ID,
            },
          ],
          Lead: [
            {
              Id: '00Q000000000001AAA',
              FirstName: 'Lee',
              LastName: 'Outbound',
              Company: 'Contoso',
              Phone: '(646) 555-0142',
              OwnerId: ANA_ID,
              IsConverted: false,
            },
          ],
        },
      });
      teardown.add(bridge, (b) => b.stop());
    });
    afterAll(() => teardown.run());

    it('sends two matches ranked: the rep’s own record first, and never a partial digit match', async () => {
      const rep = await RepClient.connectAs(bridge, ANA);
      const { callId } = await ring(bridge, '+12125550199');
      const done = await rep.waitForCall((c) => c.id.startsWith(callId) && c.lookup === 'done');
      expect(done.matches.map((m) => m.id)).toEqual(['003000000000010AAA', '003000000000011AAA']);
      expect(done.matches[0]).toMatchObject({
        phoneField: 'MobilePhone',
        accountId: '001000000000001AAA',
        accountName: 'Northwind Traders',
      });
      rep.close();
    });

    it('gives an unknown number no match', async () => {
      const rep = await RepClient.connectAs(bridge, ANA);
      const { callId } = await ring(bridge, '+1 305 555 0000');
      const done = await rep.waitForCall((c) => c.id.startsWith(callId) && c.lookup === 'done');
      expect(done.matches).toEqual([]);
      expect(done.e164).toBe('+13055550000');
      // This bridge is at home in the US: a US number reads in its national form.
      expect(done.display).toBe('(305) 555-0000');
      rep.close();
    });

    it.each([
      ['withheld', 'anonymous', { withheld: true, internal: false }],
      ['internal', '202', { withheld: false, internal: true }],
    ])('does not look up a %s number', async (_kind, number, flags) => {
      const rep = await RepClient.connectAs(bridge, ANA);
      const searchesBefore = bridge.emulatedOrg!.apiCalls;
      const { callId } = await ring(bridge, number);
      const call = await rep.waitForCall((c) => c.id.startsWith(callId));
      expect(call).toMatchObject({ ...flags, e164: null, matches: [] });
      expect(call.display).toBeUndefined();
      expect(call.lookup).not.toBe('pending');
      expect(bridge.emulatedOrg!.apiCalls).toBe(searchesBefore);
      rep.close();
    });

    it('pops an outbound call', async () => {
      const rep = await RepClient.connectAs(bridge, ANA);
      const { callId } = await ring(bridge, '6465550142', { direction: 'outbound' });
      const done = await rep.waitForCall((c) => c.id.startsWith(callId) && c.lookup === 'done');
      expect(done).toMatchObject({ direction: 'outbound', state: 'dialing' });
      expect(done.matches).toEqual([
        expect.objectContaining({ id: '00Q000000000001AAA', object: 'Lead' }),
      ]);
      rep.close();
    });

    it('follows the call through answered and ended', async () => {
      const rep = await RepClient.connectAs(bridge, ANA);
      const { callId } = await ring(bridge, '+12125550100');
      await rep.waitForCall((c) => c.id.startsWith(callId) && c.lookup === 'done');
      expect(
        (
          await postPbxEvent(bridge, {
            callId,
            event: 'answered',
            direction: 'inbound',
            extension: '201',
          })
        ).status,
      ).toBe(202);
      const connected = await rep.waitForCall(
        (c) => c.id.startsWith(callId) && c.state === 'connected',
      );
      expect(connected.matches[0]).toMatchObject({ object: 'Account', name: 'Northwind Traders' });
      await postPbxEvent(bridge, {
        callId,
        event: 'ended',
        direction: 'inbound',
        extension: '201',
      });
      const ended = await rep.waitForCall((c) => c.id.startsWith(callId) && c.state === 'ended');
      expect(ended.endReason).toBe('completed');
      rep.close();
    });

    it('renews an expired Salesforce session and still pops', async () => {
      const rep = await RepClient.connectAs(bridge, ANA);
      bridge.emulatedOrg!.faults.expireSessions();
      const { callId } = await ring(bridge, '+1 212 555 0100');
      const done = await rep.waitForCall((c) => c.id.startsWith(callId) && c.lookup === 'done');
      expect(done.matches).toEqual([expect.objectContaining({ id: '001000000000001AAA' })]);
      rep.close();
    });

    it('still rings the rep with lookup "failed" when Salesforce is down', async () => {
      const rep = await RepClient.connectAs(bridge, ANA);
      bridge.emulatedOrg!.faults.setDown(true);
      try {
        const { callId } = await ring(bridge, '+1 718 555 0123');
        const first = await rep.waitForCall((c) => c.id.startsWith(callId));
        expect(first.state).toBe('ringing');
        const failed = await rep.waitForCall(
          (c) => c.id.startsWith(callId) && c.lookup === 'failed',
          15_000,
        );
        expect(failed.matches).toEqual([]);
      } finally {
        bridge.emulatedOrg!.faults.setDown(false);
      }
      rep.close();
    }, 20_000);

    it('keeps SOSL reserved characters in a number from changing the search', async () => {
      const rep = await RepClient.connectAs(bridge, ANA);
      const { callId, response } = await ring(bridge, '212555"} RETURNING User(Id) FIND {0199');
      // The number is accepted (a PBX may send anything) but only digits can reach the search.
      expect(response.status).toBe(202);
      const done = await rep.waitForCall((c) => c.id.startsWith(callId) && c.lookup !== 'pending');
      expect(done.matches.every((m) => m.object !== ('User' as string))).toBe(true);
      const searches = bridge.emulatedOrg!.searches;
      expect(searches.length).toBeGreaterThan(0);
      for (const { sosl, terms } of searches) {
        expect(sosl).not.toMatch(/RETURNING User/);
        for (const term of terms) expect(term).toMatch(/^\d+( \d+)*$/);
      }
      rep.close();
    });

    it('replays active calls to a rep who reconnects, on every tab', async () => {
      const { callId } = await ring(bridge, '+12125550100');
      const tabOne = await RepClient.connectAs(bridge, ANA);
      const tabTwo = await RepClient.connectAs(bridge, ANA);
      for (const tab of [tabOne, tabTwo]) {
        const ready = await tab.waitFor((f) => f.type === 'ready');
        expect((ready.calls as Array<{ id: string }>).some((c) => c.id.startsWith(callId))).toBe(
          true,
        );
        expect(ready.extensions).toEqual(['201']);
      }
      await postPbxEvent(bridge, {
        callId,
        event: 'answered',
        direction: 'inbound',
        extension: '201',
      });
      await tabOne.waitForCall((c) => c.id.startsWith(callId) && c.state === 'connected');
      await tabTwo.waitForCall((c) => c.id.startsWith(callId) && c.state === 'connected');
      tabOne.close();
      tabTwo.close();
    });

    it('keeps the cache when the rep picks one of the matches, not when they link a new record', async () => {
      const rep = await RepClient.connectAs(bridge, ANA);
      const org = bridge.emulatedOrg!;
      const first = await ring(bridge, '+1 212 555 0199');
      const done = await rep.waitForCall(
        (c) => c.id.startsWith(first.callId) && c.lookup === 'done',
      );
      const searches = org.counts.search;
      // Picking a match: the next ring of that number is still answered from the cache.
      rep.send({ type: 'call.link', callId: done.id, recordId: done.matches[1]!.id });
      await rep.waitForCall((c) => c.id === done.id && c.linkedRecordId !== undefined);
      const second = await ring(bridge, '+1 212 555 0199');
      await rep.waitForCall((c) => c.id.startsWith(second.callId) && c.lookup === 'done');
      expect(org.counts.search).toBe(searches);
      // Linking a record the search did not find (one the rep just created): the directory
      // notes it, so the next ring asks Salesforce again and finds it.
      const created = String(org.insert('Contact', { LastName: 'Created', OwnerId: ANA_ID }).Id);
      rep.send({ type: 'call.link', callId: done.id, recordId: created });
      await rep.waitForCall((c) => c.id === done.id && c.linkedRecordId === created);
      const third = await ring(bridge, '+1 212 555 0199');
      await rep.waitForCall((c) => c.id.startsWith(third.callId) && c.lookup === 'done');
      expect(org.counts.search).toBeGreaterThan(searches);
      rep.close();
    });

    it('does not send a rep the calls of another extension', async () => {
      const ben = await RepClient.connectAs(bridge, 'ben.okafor@acme.example');
      const ana = await RepClient.connectAs(bridge, ANA);
      const { callId } = await ring(bridge, '+12125550100');
      await ana.waitForCall((c) => c.id.startsWith(callId) && c.lookup === 'done');
      expect(ben.callFrames(callId)).toEqual([]);
      ben.close();
      ana.close();
    });
  });
});
