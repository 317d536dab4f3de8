// CallTracker: how CallEvents move legs through ringing/dialing → connected → ended,
// including ring groups, transfers, duplicates, unknown calls, expiry and the cap.
import type { CallEvent, EndReason } from '../../src/calls/call';
import { CallTracker, legId, type RingInfo } from '../../src/calls/call-tracker';

const T0 = Date.parse('2025-03-01T10:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000);
const EXTERNAL: RingInfo = { e164: '+14155550100', withheld: false, internal: false };

function ringing(
  pbxCallId: string,
  extension: string,
  seconds = 0,
  direction: 'inbound' | 'outbound' = 'inbound',
): Extract<CallEvent, { type: 'ringing' }> {
  return {
    type: 'ringing',
    pbxCallId,
    extension,
    direction,
    number: '(415) 555-0100',
    at: at(seconds),
  };
}
const answered = (pbxCallId: string, extension?: string, seconds = 5): CallEvent => ({
  type: 'answered',
  pbxCallId,
  extension,
  at: at(seconds),
});
const ended = (
  pbxCallId: string,
  extension?: string,
  seconds = 60,
  reason?: EndReason,
): CallEvent => ({ type: 'ended', pbxCallId, extension, reason, at: at(seconds) });

describe('CallTracker', () => {
  it('names each leg `${pbxCallId}:${extension}`', () => {
    expect(legId('abc.1', '201')).toBe('abc.1:201');
  });

  describe('hold and consultation (call controls)', () => {
    const hold = (type: 'held' | 'resumed', seconds: number): CallEvent => ({
      type,
      pbxCallId: 'h1',
      extension: '201',
      at: at(seconds),
    });

    it('holds a connected leg once, resumes it, and ignores hold on a ringing leg', () => {
      const tracker = new CallTracker();
      tracker.apply(ringing('h1', '201'), EXTERNAL);
      expect(tracker.apply(hold('held', 1))).toEqual([]);
      tracker.apply(answered('h1', '201'));
      expect(tracker.apply(hold('held', 10)).map((c) => c.held)).toEqual([true]);
      expect(tracker.apply(hold('held', 11))).toEqual([]); // a repeated Hold changes nothing
      expect(tracker.apply(hold('resumed', 20)).map((c) => c.held)).toEqual([undefined]);
    });

    it('forgets hold and consultation when the leg ends', () => {
      const tracker = new CallTracker();
      tracker.apply(ringing('h1', '201'), EXTERNAL);
      tracker.apply(answered('h1', '201'));
      tracker.apply(hold('held', 10));
      expect(tracker.setConsult('h1:201', { to: '202' })?.consult).toEqual({ to: '202' });
      const [over] = tracker.apply(ended('h1', '201'));
      expect(over).toMatchObject({ state: 'ended' });
      expect(over?.held).toBeUndefined();
      expect(over?.consult).toBeUndefined();
      expect(tracker.setConsult('h1:201', { to: '203' })).toBeUndefined();
    });
  });

  describe('single leg lifecycles', () => {
    const cases: Array<{
      name: string;
      events: CallEvent[];
      state: string;
      endReason?: EndReason;
      answered: boolean;
    }> = [
      {
        name: 'inbound answered then hung up → completed',
        events: [ringing('c1', '201'), answered('c1', '201'), ended('c1', '201')],
        state: 'ended',
        endReason: 'completed',
        answered: true,
      },
      {
        name: 'inbound never answered → missed',
        events: [ringing('c1', '201'), ended('c1')],
        state: 'ended',
        endReason: 'missed',
        answered: false,
      },
      {
        name: 'outbound never answered → no-answer',
        events: [ringing('c1', '201', 0, 'outbound'), ended('c1', '201')],
        state: 'ended',
        endReason: 'no-answer',
        answered: false,
      },
      {
        name: 'the PBX reason wins over the derived one',
        events: [ringing('c1', '201', 0, 'outbound'), ended('c1', '201', 3, 'busy')],
        state: 'ended',
        endReason: 'busy',
        answered: false,
      },
      {
        name: 'answered without an extension connects the only leg',
        events: [ringing('c1', '201'), answered('c1')],
        state: 'connected',
        answered: true,
      },
    ];
    it.each(cases)('$name', ({ events, state, endReason, answered: wasAnswered }) => {
      const tracker = new CallTracker();
      for (const event of events) tracker.apply(event, EXTERNAL);
      const call = tracker.get('c1:201');
      expect(call?.state).toBe(state);
      expect(call?.endReason).toBe(endReason);
      expect(call?.answeredAt !== undefined).toBe(wasAnswered);
    });

    it('reports inbound as ringing and outbound as dialing, with the number facts', () => {
      const tracker = new CallTracker();
      const [inbound] = tracker.apply(ringing('c1', '201'), EXTERNAL);
      const [outbound] = tracker.apply(ringing('c2', '202', 0, 'outbound'), EXTERNAL);
      expect(inbound).toMatchObject({
        id: 'c1:201',
        state: 'ringing',
        direction: 'inbound',
        extension: '201',
        number: '(415) 555-0100',
        e164: '+14155550100',
        startedAt: at(0).toISOString(),
        lookup: 'pending',
        matches: [],
      });
      expect(outbound?.state).toBe('dialing');
    });

    it('needs no lookup for withheld, internal or unparseable numbers', () => {
      const tracker = new CallTracker();
      const [withheld] = tracker.apply(ringing('a', '201'), {
        e164: null,
        withheld: true,
        internal: false,
      });
      const [internal] = tracker.apply(ringing('b', '201'), {
        e164: null,
        withheld: false,
        internal: true,
      });
      const [unparseable] = tracker.apply(ringing('c', '201'));
      expect([withheld?.lookup, internal?.lookup, unparseable?.lookup]).toEqual([
        'done',
        'done',
        'done',
      ]);
    });
  });

  describe('ring groups and queues', () => {
    it('ends the other ringing legs as answered-elsewhere when one rep answers', () => {
      const tracker = new CallTracker();
      tracker.apply(ringing('q1', '201'), EXTERNAL);
      tracker.apply(ringing('q1', '202'), EXTERNAL);
      tracker.apply(ringing('q1', '203'), EXTERNAL);
      const changed = tracker.apply(answered('q1', '202', 4));
      expect(changed.map((c) => [c.id, c.state, c.endReason])).toEqual([
        ['q1:202', 'connected', undefined],
        ['q1:201', 'ended', 'answered-elsewhere'],
        ['q1:203', 'ended', 'answered-elsewhere'],
      ]);
      expect(tracker.activeCallsForExtensions(['201', '202', '203']).map((c) => c.id)).toEqual([
        'q1:202',
      ]);
      tracker.apply(ended('q1'));
      expect(tracker.get('q1:202')?.endReason).toBe('completed');
      expect(tracker.get('q1:201')?.endReason).toBe('answered-elsewhere');
    });

    it('connects the caller’s dialing leg of an internal call when the callee answers', () => {
      const tracker = new CallTracker();
      const internal: RingInfo = { e164: null, withheld: false, internal: true };
      tracker.apply(ringing('i1', '201', 0, 'outbound'), internal);
      tracker.apply(ringing('i1', '202', 0, 'inbound'), internal);
      const changed = tracker.apply(answered('i1', '202', 3));
      expect(changed.map((c) => [c.id, c.state, c.endReason])).toEqual([
        ['i1:202', 'connected', undefined],
        ['i1:201', 'connected', undefined],
      ]);
    });

    it('makes a leg for a phone that answered without ringing (pickup) from its sibling', () => {
      const tracker = new CallTracker();
      tracker.apply(ringing('q1', '201'), EXTERNAL);
      const changed = tracker.apply(answered('q1', '209'));
      expect(changed.map((c) => [c.id, c.state])).toEqual([
        ['q1:209', 'connected'],
        ['q1:201', 'ended'],
      ]);
      expect(tracker.get('q1:209')?.e164).toBe('+14155550100');
    });

    it('rings an agent again in the next queue round after the leg ended', () => {
      const tracker = new CallTracker();
      tracker.apply(ringing('q1', '201', 0), EXTERNAL);
      tracker.apply(ended('q1', '201', 15));
      const again = tracker.apply(ringing('q1', '201', 30), EXTERNAL);
      expect(again.map((c) => c.state)).toEqual(['ringing']);
      expect(tracker.get('q1:201')?.startedAt).toBe(at(30).toISOString());
    });
  });

  describe('transfers', () => {
    it('ends the old leg and rings the new extension with the same number and matches', () => {
      const tracker = new CallTracker();
      tracker.apply(ringing('c1', '201'), EXTERNAL);
      tracker.setLookup('c1:201', 'done', [
        { id: '003000000000001AAA', object: 'Contact', name: 'Ada', phoneField: 'Phone' },
      ]);
      tracker.linkRecord('c1:201', '003000000000001AAA');
      tracker.apply(answered('c1', '201'));
      const changed = tracker.apply({
        type: 'transferred',
        pbxCallId: 'c1',
        extension: '201',
        toExtension: '305',
        at: at(30),
      });
      expect(changed.map((c) => [c.id, c.state, c.endReason])).toEqual([
        ['c1:201', 'ended', 'completed'],
        ['c1:305', 'ringing', undefined],
      ]);
      expect(changed[1]).toMatchObject({
        number: '(415) 555-0100',
        e164: '+14155550100',
        lookup: 'done',
        linkedRecordId: '003000000000001AAA',
      });
      expect(changed[1]?.matches).toHaveLength(1);
      // Applying the same transfer again changes nothing.
      expect(
        tracker.apply({
          type: 'transferred',
          pbxCallId: 'c1',
          extension: '201',
          toExtension: '305',
          at: at(30),
        }),
      ).toEqual([]);
    });
  });

  describe('duplicates and unknown calls', () => {
    it('changes nothing on a repeated event', () => {
      const tracker = new CallTracker();
      expect(tracker.apply(ringing('c1', '201'), EXTERNAL)).toHaveLength(1);
      expect(tracker.apply(ringing('c1', '201'), EXTERNAL)).toEqual([]);
      expect(tracker.apply(answered('c1', '201'))).toHaveLength(1);
      expect(tracker.apply(answered('c1', '201'))).toEqual([]);
      expect(tracker.apply(ended('c1', '201'))).toHaveLength(1);
      expect(tracker.apply(ended('c1', '201'))).toEqual([]);
      expect(tracker.apply(ended('c1'))).toEqual([]);
      // A late retry of the first ringing does not revive the call.
      expect(tracker.apply(ringing('c1', '201', 0), EXTERNAL)).toEqual([]);
      expect(tracker.apply(answered('c1', '201'))).toEqual([]);
      expect(tracker.get('c1:201')?.state).toBe('ended');
    });

    it('ignores answered, ended and transferred for calls it never saw ring', () => {
      const tracker = new CallTracker();
      expect(tracker.apply(answered('nope', '201'))).toEqual([]);
      expect(tracker.apply(answered('nope'))).toEqual([]);
      expect(tracker.apply(ended('nope', '201'))).toEqual([]);
      expect(
        tracker.apply({ type: 'transferred', pbxCallId: 'nope', toExtension: '2', at: at(0) }),
      ).toEqual([]);
      expect(tracker.activeCount).toBe(0);
    });

    it('ignores a ringing without an extension', () => {
      const tracker = new CallTracker();
      const event: CallEvent = { ...ringing('c1', '201'), extension: undefined };
      expect(tracker.apply(event, EXTERNAL)).toEqual([]);
    });

    it('returns snapshots that later changes do not alter', () => {
      const tracker = new CallTracker();
      const [first] = tracker.apply(ringing('c1', '201'), EXTERNAL);
      tracker.apply(answered('c1', '201'));
      expect(first?.state).toBe('ringing');
    });
  });

  describe('memory bounds', () => {
    it('ends legs ringing or connected for too long, and forgets them after retention', () => {
      const tracker = new CallTracker({
        maxRingMs: 60_000,
        maxConnectedMs: 600_000,
        endedRetentionMs: 120_000,
      });
      tracker.apply(ringing('ring', '201', 0), EXTERNAL);
      tracker.apply(ringing('talk', '202', 0), EXTERNAL);
      tracker.apply(answered('talk', '202', 10));
      expect(tracker.expireStale(at(60))).toEqual([]);
      expect(tracker.expireStale(at(61)).map((c) => [c.id, c.endReason])).toEqual([
        ['ring:201', 'missed'],
      ]);
      expect(tracker.get('ring:201')?.endedAt).toBe(at(61).toISOString());
      expect(tracker.expireStale(at(611)).map((c) => [c.id, c.endReason])).toEqual([
        ['talk:202', 'completed'],
      ]);
      expect(tracker.get('ring:201')).toBeUndefined(); // ended at 61 s, retention 120 s
      expect(tracker.get('talk:202')).toBeDefined();
      expect(tracker.legsOf('ring')).toEqual([]);
    });

    it('remembers at most maxEnded ended legs', () => {
      const tracker = new CallTracker({ maxEnded: 2 });
      for (const id of ['a', 'b', 'c']) {
        tracker.apply(ringing(id, '201'), EXTERNAL);
        tracker.apply(ended(id));
      }
      expect(tracker.get('a:201')).toBeUndefined();
      expect(tracker.get('b:201')?.state).toBe('ended');
      expect(tracker.get('c:201')?.state).toBe('ended');
    });

    it('ends the oldest active leg when the cap is reached', () => {
      const tracker = new CallTracker({ maxActive: 2 });
      tracker.apply(ringing('a', '201', 0), EXTERNAL);
      tracker.apply(ringing('b', '202', 1), EXTERNAL);
      const changed = tracker.apply(ringing('c', '203', 2), EXTERNAL);
      expect(changed.map((c) => [c.id, c.state])).toEqual([
        ['a:201', 'ended'],
        ['c:203', 'ringing'],
      ]);
      expect(tracker.activeCount).toBe(2);
    });
  });

  describe('events out of order and a PBX clock that is off', () => {
    it('an `ended` that overtakes its `ringing` leaves no ringing call behind', () => {
      const tracker = new CallTracker();
      expect(tracker.apply(ended('early', undefined, 60))).toEqual([]);
      expect(tracker.apply(ringing('early', '201', 0), EXTERNAL)).toEqual([]);
      expect(tracker.apply(ringing('early', '202', 90), EXTERNAL)).toEqual([]);
      expect(tracker.activeCount).toBe(0);
      // Ended for one leg only: the other legs of the call still ring.
      tracker.apply(ended('leg', '201', 60));
      expect(tracker.apply(ringing('leg', '201', 0), EXTERNAL)).toEqual([]);
      expect(tracker.apply(ringing('leg', '202', 0), EXTERNAL).map((c) => c.id)).toEqual([
        'leg:202',
      ]);
    });

    it('forgets such an early `ended` after the retention, on the bridge’s clock', () => {
      const tracker = new CallTracker({ endedRetentionMs: 120_000 });
      tracker.apply(ended('early', undefined, 0));
      tracker.expireStale(at(121));
      expect(tracker.apply(ringing('early', '201', 130), EXTERNAL)).toHaveLength(1);
    });

    it('expires stale calls by when the bridge got them, whatever the PBX clock says', () => {
      const tracker = new CallTracker({ maxRingMs: 60_000, endedRetentionMs: 120_000 });
      // A PBX an hour behind, and one an hour ahead, both ringing at bridge time 0.
      tracker.apply(ringing('behind', '201', -3600), EXTERNAL, at(0));
      tracker.apply(ringing('ahead', '202', 3600), EXTERNAL, at(0));
      expect(tracker.expireStale(at(30))).toEqual([]); // not ended at once
      expect(tracker.expireStale(at(61)).map((c) => c.id)).toEqual(['behind:201', 'ahead:202']);
      expect(tracker.get('ahead:202')?.startedAt).toBe(at(3600).toISOString()); // shown as sent
      expect(tracker.expireStale(at(200))).toEqual([]);
      expect(tracker.get('ahead:202')).toBeUndefined(); // forgotten 120 s after it ended
    });
  });

  describe('links, lookups and queries', () => {
    it('links a record to an active or recently ended call, not to an unknown one', () => {
      const tracker = new CallTracker();
      tracker.apply(ringing('c1', '201'), EXTERNAL);
      expect(tracker.linkRecord('c1:201', '00Q000000000001AAA')?.linkedRecordId).toBe(
        '00Q000000000001AAA',
      );
      tracker.apply(ended('c1'));
      expect(tracker.linkRecord('c1:201', '003000000000001AAA')?.linkedRecordId).toBe(
        '003000000000001AAA',
      );
      expect(tracker.linkRecord('zz:201', '003000000000001AAA')).toBeUndefined();
    });

    it('lets a late ring-group leg inherit the lookup of its siblings', () => {
      const tracker = new CallTracker();
      tracker.apply(ringing('q1', '201'), EXTERNAL);
      tracker.setLookup('q1:201', 'done', [
        { id: '00Q000000000001AAA', object: 'Lead', name: 'Bo', phoneField: 'Phone' },
      ]);
      const [late] = tracker.apply(ringing('q1', '202'), EXTERNAL);
      expect(late?.lookup).toBe('done');
      expect(late?.matches.map((m) => m.id)).toEqual(['00Q000000000001AAA']);
    });

    it('answers activeCallsForExtensions and keeps the dial request id', () => {
      const tracker = new CallTracker();
      tracker.apply({ ...ringing('o1', '201', 0, 'outbound'), dialRequestId: 'r-1' }, EXTERNAL);
      tracker.apply(ringing('i1', '202'), EXTERNAL);
      expect(tracker.activeCallsForExtensions(['201']).map((c) => c.id)).toEqual(['o1:201']);
      expect(tracker.activeCallsForExtensions([])).toEqual([]);
      expect(tracker.dialRequestIdOf('o1:201')).toBe('r-1');
      expect(tracker.pbxCallIdOf('o1:201')).toBe('o1');
    });
  });
});

describe('CallTracker: what a live Asterisk needs (issue 11)', () => {
  const window = { from: at(10), to: at(20) };

  it('`finished` ends what is left of the call; an estimated end is marked with its window', () => {
    const tracker = new CallTracker();
    tracker.apply(ringing('c1', '201'), EXTERNAL);
    tracker.apply(answered('c1', '201'), EXTERNAL);
    const [call] = tracker.apply(
      { type: 'finished', pbxCallId: 'c1', at: at(15), estimate: window },
      EXTERNAL,
    );
    expect(call).toMatchObject({
      state: 'ended',
      endReason: 'completed',
      endedAt: at(15).toISOString(),
      estimated: { endedAt: { from: at(10).toISOString(), to: at(20).toISOString() } },
    });
    expect(tracker.hasActiveLegs('c1')).toBe(false);
  });

  it('marks an estimated answer and a click-to-dial that was never dialed', () => {
    const tracker = new CallTracker();
    tracker.apply(ringing('c1', '201'), EXTERNAL);
    const [connected] = tracker.apply(
      { type: 'answered', pbxCallId: 'c1', extension: '201', at: at(15), estimate: window },
      EXTERNAL,
    );
    expect(connected?.estimated).toEqual({
      answeredAt: { from: at(10).toISOString(), to: at(20).toISOString() },
    });
    tracker.apply(ringing('c2', '202', 0, 'outbound'), EXTERNAL);
    const [notDialed] = tracker.apply(
      {
        type: 'ended',
        pbxCallId: 'c2',
        extension: '202',
        reason: 'busy',
        notDialed: true,
        at: at(1),
      },
      EXTERNAL,
    );
    expect(notDialed).toMatchObject({ endReason: 'busy', notDialed: true });
  });

  it('an attended transfer hands the caller to the consulted rep, whose talk time starts then', () => {
    const tracker = new CallTracker();
    tracker.apply(ringing('c1', '201'), EXTERNAL);
    tracker.apply(answered('c1', '201', 2), EXTERNAL);
    tracker.setLookup('c1:201', 'done', [
      { id: '003000000000001AAA', object: 'Contact', name: 'Ada', phoneField: 'Phone' },
    ]);
    // The consultation: 201 calls 202 under the same PBX call.
    tracker.apply(
      { ...ringing('c1', '202', 4), number: '201' },
      {
        e164: null,
        withheld: false,
        internal: true,
      },
    );
    tracker.apply(answered('c1', '202', 6), EXTERNAL);
    const changed = tracker.apply(
      { type: 'transferred', pbxCallId: 'c1', extension: '201', toExtension: '202', at: at(16) },
      EXTERNAL,
    );
    expect(changed.map((c) => [c.id, c.state])).toEqual([
      ['c1:201', 'ended'],
      ['c1:202', 'connected'],
    ]);
    expect(changed[1]).toMatchObject({
      number: '(415) 555-0100',
      e164: '+14155550100',
      internal: false,
      lookup: 'done',
      answeredAt: at(16).toISOString(),
      matches: [{ id: '003000000000001AAA' }],
    });
  });

  it('restores the legs of a previous run that had not ended', () => {
    const before = new CallTracker();
    before.apply(ringing('c1', '201'), EXTERNAL);
    const [live] = before.apply(answered('c1', '201'), EXTERNAL);
    before.apply(ringing('c2', '202'), EXTERNAL);
    const [gone] = before.apply(ended('c2', '202'), EXTERNAL);
    const after = new CallTracker();
    const restored = after.restore([
      { call: live!, pbxCallId: 'c1' },
      { call: gone!, pbxCallId: 'c2' },
    ]);
    expect(restored.map((c) => c.id)).toEqual(['c1:201']);
    expect(after.get('c1:201')).toEqual(live);
    expect(after.activeCallsForExtensions(['201', '202']).map((c) => c.id)).toEqual(['c1:201']);
    // Restoring again changes nothing.
    expect(after.restore([{ call: live!, pbxCallId: 'c1' }])).toEqual([]);
  });
});
