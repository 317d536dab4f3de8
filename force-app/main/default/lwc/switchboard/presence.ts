// The rep's presence as the utility shows it (c/switchboardPresence draws it): what the bridge
// offers here (ready.presence), the presence of the rep's extension (presence frames, also
// changes from the phone), and the one presence.set under way with its answer or refusal.
// Publishes a new PresenceView on every change for the template.
import {
  NO_PRESENCE_SUPPORT,
  presenceSetFrame,
  type ClientFrame,
  type FrameError,
  type Presence,
  type PresenceSupport,
  type PresenceResultFrame,
} from 'c/switchboardProtocol';
import { formatLabel } from 'c/switchboardFormat';
import { errorText } from './errorText';
import LABELS from './labels';

export interface PresenceView {
  support: PresenceSupport;
  /** The rep's (first) extension's presence as the bridge last said; undefined until it did. */
  presence: Presence | undefined;
  pending: boolean;
  /** Why the last change was refused; empty when it was not. */
  error: string;
}

export const NO_PRESENCE_VIEW: PresenceView = {
  support: NO_PRESENCE_SUPPORT,
  presence: undefined,
  pending: false,
  error: '',
};

export interface PresenceChange {
  state?: Presence['state'];
  queuePaused?: boolean;
  pauseReason?: string;
}

export class PresenceRequests {
  private view: PresenceView = NO_PRESENCE_VIEW;
  private extension: string | undefined;
  private pendingId: string | undefined;
  private counter = 0;

  constructor(
    private readonly options: {
      send(frame: ClientFrame): boolean;
      onChange(view: PresenceView): void;
    },
  ) {}

  private update(change: Partial<PresenceView>): void {
    this.view = { ...this.view, ...change };
    this.options.onChange(this.view);
  }

  /** A (re)connected socket: what is offered, and whose presence the utility shows. */
  ready(support: PresenceSupport, extensions: readonly string[]): void {
    this.extension = extensions[0];
    this.pendingId = undefined;
    this.update({ support, presence: undefined, pending: false, error: '' });
  }

  /** A presence frame: the rep's extension changed (from any tab, the phone or the PBX). */
  changed(extension: string, presence: Presence): void {
    if (extension === this.extension) this.update({ presence });
  }

  /** The rep chose a state or a queue pause; one change at a time. */
  set(change: PresenceChange): void {
    if (this.pendingId !== undefined) return;
    const requestId = `presence-${Date.now()}-${++this.counter}`;
    if (!this.options.send(presenceSetFrame(requestId, change))) return;
    this.pendingId = requestId;
    this.update({ pending: true, error: '' });
  }

  answered(frame: PresenceResultFrame): void {
    if (frame.requestId !== this.pendingId) return;
    if (!frame.ok) {
      this.refused(frame.requestId, frame.error);
      return;
    }
    this.pendingId = undefined;
    this.update({ pending: false, ...(frame.presence ? { presence: frame.presence } : {}) });
  }

  /** A refusal (presence.result, or an `error` frame for a bad frame) of the change under way. */
  refused(requestId: string | undefined, error: FrameError | undefined): void {
    if (requestId === undefined || requestId !== this.pendingId) return;
    this.pendingId = undefined;
    const text = formatLabel(LABELS.presenceNotChanged, errorText(error, '').message);
    this.update({ pending: false, error: text });
  }

  /** The socket dropped: nothing under way will be answered. */
  dropAll(): void {
    this.pendingId = undefined;
    if (this.view.pending) this.update({ pending: false });
  }
}
