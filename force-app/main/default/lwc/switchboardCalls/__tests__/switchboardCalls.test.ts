// c/switchboardCalls: which calls stay on screen and which move to recent calls, when notes
// are taken, and what the utility bar item and the live region say about a call.
import {
  MAX_RECENT,
  announcement,
  applyCall,
  callerName,
  nextNotesClose,
  notesOpen,
  replaceActiveCalls,
  utilityItem,
} from 'c/switchboardCalls';
import CALL from './data/callFromContact.json';

type Call = typeof CALL & Record<string, unknown>;
const call = (change: Record<string, unknown> = {}): Call => ({ ...CALL, ...change }) as Call;
const ids = (calls: { id: string }[]) => calls.map((c) => c.id);
const empty = { calls: [], recent: [] };

describe('c-switchboard-calls', () => {
  it('shows the newest call first and keeps one ended call while nothing else runs', () => {
    // Act: call-1 rings, call-2 rings, call-1 ends
    let lists = applyCall(empty, call());
    lists = applyCall(lists, call({ id: 'call-2' }));
    lists = applyCall(lists, call({ state: 'ended' }));
    // Assert
    expect(ids(lists.calls)).toEqual(['call-2', 'call-1']);
    expect(ids(lists.recent)).toEqual(['call-1']);
    // Act: call-2 is answered: the ended call-1 leaves the screen
    lists = applyCall(lists, call({ id: 'call-2', state: 'connected' }));
    expect(ids(lists.calls)).toEqual(['call-2']);
  });

  it('files a late update of a call no longer shown under recent calls only', () => {
    // Arrange: call-2 ran and ended on screen
    const running = applyCall(empty, call({ id: 'call-2', state: 'connected' }));
    const shown = applyCall(running, call({ id: 'call-2', state: 'ended' }));
    // Act: the log status of call-1, which ended before this page connected
    const late = applyCall(shown, call({ state: 'ended', log: { state: 'logged' } }));
    // Assert    expect(ids(late.calls)).toEqual(['call-2']);
    expect(ids(late.recent)).toEqual(['call-1', 'call-2']);
  });

  it(`keeps ${MAX_RECENT} recent calls`, () => {
    let lists: ReturnType<typeof applyCall> = empty;
    for (let i = 0; i < MAX_RECENT + 2; i++)
      lists = applyCall(lists, call({ id: `call-${i}`, state: 'ended' }));
    expect(lists.recent).toHaveLength(MAX_RECENT);
    expect(lists.recent[0]?.id).toBe(`call-${MAX_RECENT + 1}`);
  });

  it("after a reconnect, the bridge's active calls replace ours; vanished ones ended", () => {
    const before = applyCall(applyCall(empty, call()), call({ id: 'call-2' }));
    const after = replaceActiveCalls(before, [call({ id: 'call-2', state: 'connected' })]);
    expect(ids(after.calls)).toEqual(['call-2']);
    expect(after.recent.map((c) => [c.id, c.state])).toEqual([['call-1', 'ended']]);
  });

  it('takes notes while connected and for the grace period after hang-up', () => {
    const settings = { noteGraceSeconds: 120, logCalls: true };
    const endedAt = '2024-05-01T10:01:00.000Z';
    const ended = call({ state: 'ended', endedAt });
    const at = (iso: string) => ({ settings, logCalls: true, now: Date.parse(iso) });
    expect(notesOpen(call({ state: 'connected' }), at(endedAt))).toBe(true);
    expect(notesOpen(call(), at(endedAt))).toBe(false);
    expect(notesOpen(ended, at('2024-05-01T10:02:59.000Z'))).toBe(true);
    expect(notesOpen(ended, at('2024-05-01T10:03:00.000Z'))).toBe(false);
    expect(nextNotesClose([ended], at(endedAt))).toBe(Date.parse('2024-05-01T10:03:00.000Z'));
    // Not when calls are not logged: by the org, the bridge, or for this call
    expect(notesOpen(ended, { ...at(endedAt), logCalls: false })).toBe(false);
    const off = { ...at(endedAt), settings: { ...settings, logCalls: false } };
    expect(notesOpen(ended, off)).toBe(false);
    expect(notesOpen(call({ ...ended, log: { state: 'skipped' } }), at(endedAt))).toBe(false);
  });

  it('names the caller in the utility bar: ringing, calling, on call, then itself', () => {
    expect(utilityItem([call()])).toEqual({
      highlighted: true,
      label: 'Ringing: Marcus Lee, Golden Gate Analytics Inc.',
    });
    expect(utilityItem([call({ direction: 'outbound', state: 'dialing', matches: [] })])).toEqual({
      highlighted: true,
      label: 'Calling: (415) 555-1212',
    });
    expect(utilityItem([call({ state: 'connected' })])).toEqual({
      highlighted: false,
      label: 'On call: Marcus Lee, Golden Gate Analytics Inc.',
    });
    expect(utilityItem([call({ state: 'ended' })])).toEqual({
      highlighted: false,
      label: 'Switchboard',
    });
  });

  it('announces the caller, several possible callers, or an unknown number', () => {
    expect(announcement(call())).toBe('Incoming call from Marcus Lee, Golden Gate Analytics Inc.');
    const two = [...CALL.matches, { ...CALL.matches[0], id: '003Hs00000CON04' }];
    expect(announcement(call({ matches: two }))).toBe(
      'Incoming call from (415) 555-1212, 2 possible callers',
    );
    expect(announcement(call({ direction: 'outbound', matches: [] }))).toBe(
      'Calling (415) 555-1212, not in Salesforce',
    );
    expect(announcement(call({ state: 'connected', matches: [] }))).toBe(
      'Connected with (415) 555-1212',
    );
    // The record the rep linked names the caller among several
    expect(callerName(call({ matches: two, linkedRecordId: '003Hs00000CON04' }))).toBe(
      'Marcus Lee, Golden Gate Analytics Inc.',
    );
  });
});
