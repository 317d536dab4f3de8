// The utility's requests to the bridge and what became of them: dials ("Calling …" until the
// PBX answers, or why it could not call), call notes (the draft per call, "Saving…", "Saved"
// or why not) and links of a call to the record the rep picked. Each request carries a
// requestId so that its answer, or an `error` frame, finds it; when the socket drops nothing
// in flight will be answered. Publishes a new RequestsView on every change for the template.
import {
  callLinkFrame,
  callNoteFrame,
  dialFrame,
  type ClientFrame,
  type FrameError,
} from 'c/switchboardProtocol';
import type { DialErrorView } from 'c/switchboardDialPad';
import { EMPTY_DRAFT, type NoteDraft } from 'c/switchboardCallNotes';
import { formatLabel } from 'c/switchboardFormat';
import { errorText } from './errorText';
import LABELS from './labels';

/**
 * A saved note is answered by call.note.result at once. Without an answer in this time (a
 * bridge older than call.note.result, or one that is stuck) the rep is told the note is not
 * confirmed rather than left looking at "Saving…"; saving again is harmless.
 */
export const NOTE_ANSWER_TIMEOUT_MS = 15000;

/** Where a dial came from: the number box, a recent call, or a record page (LMS). */
export type DialSource = 'pad' | 'recent' | 'record';

export interface PendingDial {
  requestId: string;
  number: string;
  source: DialSource;
}

export interface RequestsView {
  /** Dials the PBX has not answered yet ("Calling …"). */
  pendingDials: PendingDial[];
  /** The last dial that failed, until dismissed or the next dial. */
  dialError: DialErrorView | null;
  /** A call.link the bridge refused. */
  linkError: string;
  /** Notes and disposition per call id, kept while the call moves to recent calls. */
  drafts: Record<string, NoteDraft>;
}

export const NO_REQUESTS: RequestsView = {
  pendingDials: [],
  dialError: null,
  linkError: '',
  drafts: {},
};

/** A frame sent with a requestId, so an answer or `error` can be matched to it. */
type SentRequest =
  | { kind: 'dial'; number: string; source: DialSource }
  | { kind: 'note'; callId: string }
  | { kind: 'link'; callId: string };

export interface RequestsOptions {
  /** Sends a frame if connected; false when it could not go out. */
  send(frame: ClientFrame): boolean;
  onChange(view: RequestsView): void;
}

function dialError(number: string, message: string, hint: string): DialErrorView {
  return { title: formatLabel(LABELS.couldNotCall, number), message, hint };
}

export class BridgeRequests {
  private view: RequestsView = NO_REQUESTS;
  private readonly sent = new Map<string, SentRequest>();
  private readonly timers = new Set<number>();
  private counter = 0;

  constructor(private readonly options: RequestsOptions) {}

  draftFor(callId: string): NoteDraft {
    return this.view.drafts[callId] ?? EMPTY_DRAFT;
  }

  private update(change: Partial<RequestsView>): void {
    this.view = { ...this.view, ...change };
    this.options.onChange(this.view);
  }

  private setDraft(callId: string, change: Partial<NoteDraft>): void {
    this.update({
      drafts: { ...this.view.drafts, [callId]: { ...this.draftFor(callId), ...change } },
    });
  }

  private nextRequestId(kind: string): string {
    return `${kind}-${Date.now()}-${++this.counter}`;
  }

  // ---- dials --------------------------------------------------------------------------

  /** Every dial goes through here: the number box, the pad, redial and the record page. */
  dial(rawNumber: string, recordId: string | undefined, source: DialSource): void {
    const number = rawNumber.trim();
    if (!number) return;
    const requestId = this.nextRequestId('dial');
    if (!this.options.send(dialFrame(requestId, number, recordId))) {
      this.update({
        dialError: dialError(number, LABELS.dialNotConnected, LABELS.dialNotConnectedHint),
      });
      return;
    }
    this.sent.set(requestId, { kind: 'dial', number, source });
    this.update({
      dialError: null,
      pendingDials: [...this.view.pendingDials, { requestId, number, source }],
    });
  }

  /** The PBX took or refused a dial; returns the dial when it was placed. */
  dialAnswered(
    requestId: string,
    ok: boolean,
    error: FrameError | undefined,
  ): PendingDial | undefined {
    const request = this.sent.get(requestId);
    this.sent.delete(requestId);
    this.update({ pendingDials: this.view.pendingDials.filter((p) => p.requestId !== requestId) });
    if (request?.kind !== 'dial') return undefined;
    if (ok) return { requestId, number: request.number, source: request.source };
    this.showDialError(request.number, error);
    return undefined;
  }

  private showDialError(number: string, error: FrameError | undefined): void {
    const text = errorText(error, LABELS.dialRefused);
    this.update({ dialError: dialError(number, text.message, text.hint) });
  }

  /** The dial the rep placed has become a call: it is no longer "Calling …". */
  clearPendingDials(): void {
    if (this.view.pendingDials.length > 0) this.update({ pendingDials: [] });
  }

  dismissDialError(): void {
    this.update({ dialError: null });
  }

  // ---- links --------------------------------------------------------------------------

  link(callId: string, recordId: string): void {
    const requestId = this.nextRequestId('link');
    if (this.options.send(callLinkFrame(callId, recordId, requestId)))
      this.sent.set(requestId, { kind: 'link', callId });
  }

  dismissLinkError(): void {
    this.update({ linkError: '' });
  }

  // ---- call notes ---------------------------------------------------------------------

  editNote(callId: string, change: Partial<Pick<NoteDraft, 'notes' | 'disposition'>>): void {
    this.setDraft(callId, { ...change, status: 'idle', error: '' });
  }

  saveNote(callId: string): void {
    const draft = this.draftFor(callId);
    if (!draft.notes.trim() && !draft.disposition) return;
    const requestId = this.nextRequestId('note');
    const note = {
      notes: draft.notes,
      ...(draft.disposition ? { disposition: draft.disposition } : {}),
    };
    if (!this.options.send(callNoteFrame(callId, note, requestId))) {
      this.setDraft(callId, { status: 'error', error: LABELS.notesNotConnected });
      return;
    }
    this.sent.set(requestId, { kind: 'note', callId });
    this.setDraft(callId, { status: 'saving', error: '' });
    // "Saved" comes only with call.note.result; this only ends an unanswered wait.
    // eslint-disable-next-line @lwc/lwc/no-async-operation
    const timer = window.setTimeout(() => {
      this.timers.delete(timer);
      if (!this.sent.delete(requestId)) return;
      if (this.draftFor(callId).status === 'saving')
        this.setDraft(callId, { status: 'error', error: LABELS.notesNotConfirmed });
    }, NOTE_ANSWER_TIMEOUT_MS);
    this.timers.add(timer);
  }

  /** The bridge stored the note (ok), or says why not. */
  noteAnswered(requestId: string, ok: boolean, error: FrameError | undefined): void {
    const request = this.sent.get(requestId);
    if (request?.kind !== 'note') return;
    this.sent.delete(requestId);
    if (ok) this.setDraft(request.callId, { status: 'saved', error: '' });
    else this.showNoteError(request.callId, error);
  }

  private showNoteError(callId: string, error: FrameError | undefined): void {
    const { message, hint } = errorText(error, LABELS.notesCouldNotSave);
    this.setDraft(callId, { status: 'error', error: hint ? `${message} ${hint}` : message });
  }

  // ---- failures -----------------------------------------------------------------------

  /**
   * An `error` frame answering one of our requests; errors without one concern no button.
   * A failed note is answered by call.note.result and then this frame (for older clients):
   * the request is gone by then, so the error is not shown twice.
   */
  refused(requestId: string | undefined, error: FrameError): void {
    if (requestId === undefined) return;
    const request = this.sent.get(requestId);
    this.sent.delete(requestId);
    if (request?.kind === 'dial') {
      this.update({
        pendingDials: this.view.pendingDials.filter((p) => p.requestId !== requestId),
      });
      this.showDialError(request.number, error);
    } else if (request?.kind === 'note') {
      this.showNoteError(request.callId, error);
    } else if (request?.kind === 'link') {
      this.update({ linkError: formatLabel(LABELS.linkRefused, errorText(error, '').message) });
    }
  }

  /** The socket dropped: nothing in flight will be answered. */
  dropAll(): void {
    for (const [requestId, request] of this.sent) {
      this.sent.delete(requestId);
      if (request.kind === 'dial')
        this.showDialError(request.number, {
          code: 'DISCONNECTED',
          message: LABELS.dialDropped,
          hint: LABELS.dialDroppedHint,
        });
      else if (request.kind === 'note' && this.draftFor(request.callId).status === 'saving')
        this.setDraft(request.callId, { status: 'error', error: LABELS.notesDropped });
    }
    this.clearPendingDials();
  }

  /** The component is gone: no timer may fire into it. */
  stop(): void {
    for (const timer of this.timers) window.clearTimeout(timer);
    this.timers.clear();
  }
}
