// The utility's call controls in flight: each answer finds its control by requestId; a refusal
// is told in the rep's words; a dropped socket answers nothing; only the latest name search counts.
import { CallControlRequests, type CallControlsState } from '../callControls';

function setUp(connected = true) {
  const sent: Record<string, unknown>[] = [];
  let state: CallControlsState | undefined;
  const controls = new CallControlRequests({
    send: (frame) => {
      sent.push(frame as unknown as Record<string, unknown>);
      return connected;
    },
    onChange: (next) => {
      state = next;
    },
  });
  const view = (callId: string) => CallControlRequests.viewFor(state!, callId);
  return { controls, sent, view };
}

describe('CallControlRequests', () => {
  it('sends a control, shows it pending, then done', () => {
    const { controls, sent, view } = setUp();
    controls.setAvailable(['hangup', 'transfer']);
    controls.control('c:201', 'transfer', { kind: 'extension', value: '202' });
    expect(sent[0]).toMatchObject({
      v: 1,
      type: 'call.control',
      callId: 'c:201',
      action: 'transfer',
      to: { kind: 'extension', value: '202' },
    });
    expect(view('c:201')).toMatchObject({ available: ['hangup', 'transfer'], pending: 'transfer' });
    const requestId = String(sent[0]!.requestId);
    controls.answered({
      v: 1,
      type: 'call.control.result',
      requestId,
      callId: 'c:201',
      action: 'transfer',
      ok: true,
    });
    expect(view('c:201')).toEqual({
      available: ['hangup', 'transfer'],
      reps: [],
      result: { action: 'transfer', ok: true },
    });
  });

  it('tells a refusal in the rep’s words, from a result or an error frame', () => {
    const { controls, sent, view } = setUp();
    controls.control('c:201', 'hold');
    controls.answered({
      v: 1,
      type: 'call.control.result',
      requestId: String(sent[0]!.requestId),
      callId: 'c:201',
      action: 'hold',
      ok: false,
      error: { code: 'CONTROL_CALL_ENDED', message: 'The call has already ended.' },
    });
    expect(view('c:201').result).toEqual({
      action: 'hold',
      ok: false,
      refusal: { message: 'The call has already ended.', hint: '' },
    });
    controls.control('c:201', 'consult');
    controls.refused(String(sent[1]!.requestId), { code: 'WS_BAD_FRAME', message: 'to is needed' });
    expect(view('c:201').result).toMatchObject({ action: 'consult', ok: false });
    // An error frame for someone else's request changes nothing.
    controls.refused('dial-7', { code: 'X', message: 'y' });
    expect(view('c:201').result?.action).toBe('consult');
  });

  it('says so when nothing could be sent, and when the socket dropped before the answer', () => {
    const offline = setUp(false);
    offline.controls.control('c:201', 'hangup');
    expect(offline.view('c:201').result).toMatchObject({ action: 'hangup', ok: false });
    expect(offline.view('c:201').pending).toBeUndefined();
    const { controls, view } = setUp();
    controls.control('c:201', 'hangup');
    controls.dropAll();
    expect(view('c:201').result?.refusal?.message).toMatch(/not connected/);
  });

  it('keeps only the answer to the latest name search', () => {
    const { controls, sent, view } = setUp();
    controls.searchReps('b');
    controls.searchReps('be');
    const ben = { userId: '005000000000002AAA', name: 'Ben Okafor', extension: '202' };
    controls.repsFound({
      v: 1,
      type: 'reps.result',
      requestId: String(sent[1]!.requestId),
      reps: [ben],
    });
    controls.repsFound({
      v: 1,
      type: 'reps.result',
      requestId: String(sent[0]!.requestId),
      reps: [],
    });
    expect(view('c:201').reps).toEqual([ben]);
  });
});
