import {
  adminCheckFrame,
  adminRetryFrame,
  adminSubscribeFrame,
  callLinkFrame,
  callNoteFrame,
  dialFrame,
  helloFrame,
  parseServerFrame,
  presenceSetFrame,
} from 'c/switchboardProtocol';

const call = {
  id: 'c1',
  direction: 'inbound',
  state: 'ringing',
  extension: '201',
  number: '4155551212',
  e164: '+14155551212',
  display: '(415) 555-1212',
  withheld: false,
  internal: false,
  startedAt: '2024-01-01T10:00:00.000Z',
  lookup: 'pending',
  matches: [],
};

describe('c-switchboard-protocol', () => {
  it('parses ready frames and defaults missing lists', () => {
    // Arrange: a ready frame from an older bridge without warnings
    const text = JSON.stringify({
      v: 1,
      type: 'ready',
      user: { id: '005', email: 'ana@acme.example' },
      calls: [call, { broken: true }],
    });
    // Act
    const frame = parseServerFrame(text);
    // Assert: the malformed call is dropped, lists exist
    expect(frame).toMatchObject({ type: 'ready', extensions: [], warnings: [] });
    expect(frame?.type === 'ready' && frame.calls).toHaveLength(1);
  });

  it('takes ready.settings from the bridge, and the old defaults from older bridges', () => {
    const ready = { v: 1, type: 'ready', user: { id: '005', email: 'a@b.c' }, calls: [] };
    expect(parseServerFrame(JSON.stringify(ready))).toMatchObject({
      settings: { noteGraceSeconds: 300, logCalls: true },
    });
    const settings = { noteGraceSeconds: 60, logCalls: false };
    expect(parseServerFrame(JSON.stringify({ ...ready, settings }))).toMatchObject({ settings });
    // An odd field keeps its default, the good one is used.
    expect(
      parseServerFrame(
        JSON.stringify({ ...ready, settings: { noteGraceSeconds: '60', logCalls: false } }),
      ),
    ).toMatchObject({ settings: { noteGraceSeconds: 300, logCalls: false } });
  });

  it('takes ready.pbx, and a connected phone system from bridges that do not say', () => {
    const ready = { v: 1, type: 'ready', user: { id: '005', email: 'a@b.c' }, calls: [] };
    expect(parseServerFrame(JSON.stringify(ready))).toMatchObject({ pbx: { connected: true } });
    expect(parseServerFrame(JSON.stringify({ ...ready, pbx: { connected: false } }))).toMatchObject(
      { pbx: { connected: false } },
    );
  });

  it('takes ready.presence, leaving out states it does not know; none from older bridges', () => {
    const ready = { v: 1, type: 'ready', user: { id: '005', email: 'a@b.c' }, calls: [] };
    expect(parseServerFrame(JSON.stringify(ready))).toMatchObject({
      presence: { states: [], queuePause: false, pauseReasons: [] },
    });
    const presence = {
      states: ['available', 'dnd', 'lunch'],
      queuePause: true,
      pauseReasons: ['Break', 3],
    };
    expect(parseServerFrame(JSON.stringify({ ...ready, presence }))).toMatchObject({
      presence: { states: ['available', 'dnd'], queuePause: true, pauseReasons: ['Break'] },
    });
  });

  it('parses presence and presence.result frames, and builds presence.set', () => {
    const presence = { state: 'dnd', queuePaused: false, changedBy: 'pbx' };
    const frame = { v: 1, type: 'presence', extension: '201', presence };
    expect(parseServerFrame(JSON.stringify(frame))).toEqual(frame);
    expect(parseServerFrame(JSON.stringify({ ...frame, presence: {} }))).toBeNull();
    expect(parseServerFrame(JSON.stringify({ ...frame, extension: 201 }))).toBeNull();
    const result = { v: 1, type: 'presence.result', requestId: 'p-1', ok: true, presence };
    expect(parseServerFrame(JSON.stringify(result))).toEqual(result);
    expect(parseServerFrame(JSON.stringify({ ...result, ok: 'yes' }))).toBeNull();
    expect(presenceSetFrame('p-2', { queuePaused: false, pauseReason: 'Lunch' })).toEqual({
      v: 1,
      type: 'presence.set',
      requestId: 'p-2',
      queuePaused: false,
    });
    expect(presenceSetFrame('p-3', { state: 'away' })).toEqual({
      v: 1,
      type: 'presence.set',
      requestId: 'p-3',
      state: 'away',
    });
  });

  it('parses pbx frames: the phone system link went down or came back', () => {
    expect(parseServerFrame(JSON.stringify({ v: 1, type: 'pbx', connected: false }))).toEqual({
      v: 1,
      type: 'pbx',
      connected: false,
    });
    expect(parseServerFrame(JSON.stringify({ v: 1, type: 'pbx', connected: true }))).toEqual({
      v: 1,
      type: 'pbx',
      connected: true,
    });
    expect(parseServerFrame(JSON.stringify({ v: 1, type: 'pbx', connected: 'no' }))).toBeNull();
    expect(parseServerFrame(JSON.stringify({ v: 1, type: 'pbx' }))).toBeNull();
    // The controls the PBX offers now, when the bridge says (a newer bridge; names only).
    const withControls = {
      v: 1,
      type: 'pbx',
      connected: true,
      controls: ['hangup', 7, 'transfer'],
    };
    expect(parseServerFrame(JSON.stringify(withControls))).toEqual({
      v: 1,
      type: 'pbx',
      connected: true,
      controls: ['hangup', 'transfer'],
    });
  });

  it('parses call.note.result frames and drops ones without requestId or ok', () => {
    const result = {
      v: 1,
      type: 'call.note.result',
      requestId: 'n1',
      ok: true,
      log: { state: 'logged', taskId: '00T' },
    };
    expect(parseServerFrame(JSON.stringify(result))).toEqual(result);
    expect(parseServerFrame(JSON.stringify({ ...result, requestId: 7 }))).toBeNull();
    expect(parseServerFrame(JSON.stringify({ ...result, ok: 'yes' }))).toBeNull();
  });

  it('parses call frames', () => {
    expect(parseServerFrame(JSON.stringify({ v: 1, type: 'call', call }))).toEqual({
      v: 1,
      type: 'call',
      call,
    });
  });

  it('ignores what it cannot use instead of throwing', () => {
    expect(parseServerFrame('not json')).toBeNull();
    expect(parseServerFrame(JSON.stringify({ v: 2, type: 'call', call }))).toBeNull();
    expect(parseServerFrame(JSON.stringify({ v: 1, type: 'presence' }))).toBeNull();
    expect(parseServerFrame(JSON.stringify({ v: 1, type: 'call', call: {} }))).toBeNull();
    expect(parseServerFrame('[1]')).toBeNull();
  });

  it('builds client frames with the protocol version', () => {
    expect(helloFrame('t')).toEqual({ v: 1, type: 'hello', token: 't' });
    expect(callLinkFrame('c1', '003')).toEqual({
      v: 1,
      type: 'call.link',
      callId: 'c1',
      recordId: '003',
    });
    expect(dialFrame('r1', '+1415')).toEqual({
      v: 1,
      type: 'dial',
      requestId: 'r1',
      number: '+1415',
    });
    expect(dialFrame('r1', '+1415', '003')).toMatchObject({ recordId: '003' });
  });

  it('builds call.note frames with only the parts the rep gave', () => {
    // Act + Assert: notes and a request id; a disposition alone
    expect(callNoteFrame('c1', { notes: 'Wants a quote' }, 'n-1')).toEqual({
      v: 1,
      type: 'call.note',
      callId: 'c1',
      notes: 'Wants a quote',
      requestId: 'n-1',
    });
    expect(callNoteFrame('c1', { disposition: 'Interested' })).toEqual({
      v: 1,
      type: 'call.note',
      callId: 'c1',
      disposition: 'Interested',
    });
    expect(callLinkFrame('c1', '003', 'l-1')).toMatchObject({ requestId: 'l-1' });
  });

  it('parses the Setup page frames, and drops an admin.status without its lists', () => {
    const status = {
      at: '2024-01-01T10:00:00.000Z',
      startedAt: '2024-01-01T09:00:00.000Z',
      pbx: { adapter: 'asterisk', connected: true },
      salesforce: { connected: true },
      connected: [],
      mapping: [],
      mismatches: [],
      directory: { enabled: false },
      callLog: { enabled: true, counts: {}, parked: [] },
      recentErrors: [],
    };
    expect(parseServerFrame(JSON.stringify({ v: 1, type: 'admin.status', status }))).toEqual({
      v: 1,
      type: 'admin.status',
      status,
    });
    const withoutMapping: Record<string, unknown> = { ...status };
    delete withoutMapping.mapping;
    expect(
      parseServerFrame(JSON.stringify({ v: 1, type: 'admin.status', status: withoutMapping })),
    ).toBeNull();
    expect(
      parseServerFrame(JSON.stringify({ v: 1, type: 'admin.result', requestId: 'r', ok: false })),
    ).toMatchObject({ type: 'admin.result', ok: false });
    expect(parseServerFrame(JSON.stringify({ v: 1, type: 'admin.result', ok: true }))).toBeNull();
  });

  it('builds the admin frames', () => {
    expect(adminSubscribeFrame()).toEqual({ v: 1, type: 'admin.subscribe' });
    expect(adminRetryFrame('r-1', 'c1')).toEqual({
      v: 1,
      type: 'admin.retry',
      requestId: 'r-1',
      callId: 'c1',
    });
    expect(adminCheckFrame('c-1')).toEqual({ v: 1, type: 'admin.check', requestId: 'c-1' });
  });
});
