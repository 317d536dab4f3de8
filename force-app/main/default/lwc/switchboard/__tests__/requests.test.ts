// switchboard/requests: dials, notes and links in flight — what the rep is told when one cannot
// be sent, is refused, or is cut off because the socket dropped.
import { ErrorCodes } from '../../../../../../bridge/src/errors';
import { TRANSLATED_ERROR_CODES } from '../errorText';
import { BridgeRequests, NOTE_ANSWER_TIMEOUT_MS, type RequestsView } from '../requests';

function setUp(connected = true) {
  const sent: { type: string; requestId?: string }[] = [];
  const views: RequestsView[] = [];
  const requests = new BridgeRequests({
    send: (frame) => {
      if (connected) sent.push(frame);
      return connected;
    },
    onChange: (view) => views.push(view),
  });
  const view = () => views[views.length - 1];
  return { requests, sent, view };
}

describe('switchboard requests', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('says a dial cannot go out while not connected, and ignores an empty number', () => {
    const { requests, sent, view } = setUp(false);
    requests.dial('   ', undefined, 'pad');
    expect(view()).toBeUndefined();
    requests.dial('+14155550178', undefined, 'pad');
    expect(sent).toEqual([]);
    expect(view()?.dialError).toEqual({
      title: 'Could not call +14155550178',
      message: 'Switchboard is not connected.',
      hint: 'It reconnects by itself; try again once it says Connected.',
    });
    expect(view()?.pendingDials).toEqual([]);
  });

  it('cuts off what is in flight when the socket drops, and says so', () => {
    // Arrange: a dial waiting for the PBX and a note being saved
    const { requests, view } = setUp();
    requests.dial('202', undefined, 'pad');
    requests.editNote('call-1', { notes: 'Call back Friday' });
    requests.saveNote('call-1');
    expect(view()?.pendingDials).toHaveLength(1);
    expect(view()?.drafts['call-1']?.status).toBe('saving');
    // Act
    requests.dropAll();
    // Assert
    expect(view()?.pendingDials).toEqual([]);
    expect(view()?.dialError?.message).toBe(
      'The connection to Switchboard dropped before the phone system answered.',
    );
    expect(view()?.drafts['call-1']).toMatchObject({
      status: 'error',
      notes: 'Call back Friday',
      error: 'The connection dropped while saving. Save again once connected.',
    });
  });

  it('shows a refused link until dismissed', () => {
    const { requests, sent, view } = setUp();
    requests.link('call-1', '00QHs00000LEA02');
    requests.refused(sent[0]?.requestId, { code: 'CALL_NOT_FOUND', message: 'No such call.' });
    expect(view()?.linkError).toBe(
      'The call could not be linked to that record: This call is no longer known to the phone system.',
    );
    requests.dismissLinkError();
    expect(view()?.linkError).toBe('');
  });

  it("shows a refusal in the rep's words for a known code, and the bridge's for a new one", () => {
    // Arrange: two dials in flight
    const { requests, sent, view } = setUp();
    requests.dial('202', undefined, 'pad');
    requests.dial('203', undefined, 'pad');
    // Act: the PBX says the rep's own phone is busy (bridge English in message and hint)
    requests.dialAnswered(sent[0]!.requestId!, false, {
      code: 'DIAL_PHONE_BUSY',
      message: 'Your phone is busy (bridge wording)',
      hint: 'bridge hint',
    });
    // Assert: the Custom Labels for the code
    expect(view()?.dialError).toMatchObject({
      message: 'Your phone is busy.',
      hint: 'Finish the call on your phone, then dial again. Nothing was dialed.',
    });
    // Act: a code added to protocol v1 after this component was built
    requests.dialAnswered(sent[1]!.requestId!, false, {
      code: 'DIAL_SOMETHING_NEW',
      message: 'Something new went wrong',
      hint: 'Do the new thing.',
    });
    // Assert: the bridge's own words rather than nothing
    expect(view()?.dialError).toMatchObject({
      message: 'Something new went wrong',
      hint: 'Do the new thing.',
    });
  });

  it('has its own words only for codes the bridge really sends', () => {
    const bridgeCodes = Object.values(ErrorCodes) as string[];
    for (const code of TRANSLATED_ERROR_CODES) expect(bridgeCodes).toContain(code);
  });

  it('fires no timer after it was stopped', () => {
    // Arrange: a note without an answer
    jest.useFakeTimers();
    const { requests, view } = setUp();
    requests.editNote('call-1', { disposition: 'No answer' });
    requests.saveNote('call-1');
    // Act: the component goes away, then the answer time passes
    requests.stop();
    jest.advanceTimersByTime(NOTE_ANSWER_TIMEOUT_MS);
    // Assert: still the last state it had
    expect(view()?.drafts['call-1']?.status).toBe('saving');
  });
});
