// The rep's call controls in flight (c/switchboardCallControls shows them): each `call.control`
// carries a requestId so that its `call.control.result` — or an `error` frame for a frame the
// bridge could not read — finds it; the last answer per call is kept to show (done, or refused
// in the rep's words). Also the colleagues found by name for a transfer (`reps.search`): only
// the answer to the latest search counts. Publishes a new view on every change.
import {
  callControlFrame,
  repsSearchFrame,
  type CallControlAction,
  type CallControlResultFrame,
  type ClientFrame,
  type FrameError,
  type RepEntry,
  type RepsResultFrame,
  type TransferTarget,
} from 'c/switchboardProtocol';
import type { CallControlsView } from 'c/switchboardCallControls';
import { errorText } from './errorText';
import notConnected from '@salesforce/label/c.Switchboard_Control_Not_Connected';

export interface CallControlsState {
  available: readonly CallControlAction[];
  /** Per call id: the control in flight and the last answer. */
  calls: Record<string, Partial<Pick<CallControlsView, 'pending' | 'result'>>>;
  reps: readonly RepEntry[];
}

export const NO_CALL_CONTROLS: CallControlsState = { available: [], calls: {}, reps: [] };

export interface CallControlsOptions {
  /** Sends a frame if connected; false when it could not go out. */
  send(frame: ClientFrame): boolean;
  onChange(state: CallControlsState): void;
}

export class CallControlRequests {
  private state: CallControlsState = NO_CALL_CONTROLS;
  private readonly sent = new Map<string, { callId: string; action: CallControlAction }>();
  private lastSearch = '';
  private counter = 0;

  constructor(private readonly options: CallControlsOptions) {}

  /** What one call's controls component shows. */
  static viewFor(state: CallControlsState, callId: string): CallControlsView {
    return { available: state.available, reps: state.reps, ...state.calls[callId] };
  }

  /** The controls the bridge's PBX offers (ready.controls). */
  setAvailable(available: readonly CallControlAction[]): void {
    this.publish({ ...this.state, available: [...available] });
  }

  control(callId: string, action: CallControlAction, to?: TransferTarget): void {
    const requestId = `control-${++this.counter}`;
    if (!this.options.send(callControlFrame(requestId, callId, action, to))) {
      this.answer(callId, { action, ok: false, refusal: { message: notConnected, hint: '' } });
      return;
    }
    this.sent.set(requestId, { callId, action });
    this.setCall(callId, { pending: action });
  }

  searchReps(query: string): void {
    const requestId = `reps-${++this.counter}`;
    if (this.options.send(repsSearchFrame(requestId, query))) this.lastSearch = requestId;
  }

  answered(frame: CallControlResultFrame): void {
    const sent = this.sent.get(frame.requestId);
    if (sent === undefined) return;
    this.sent.delete(frame.requestId);
    this.answer(sent.callId, {
      action: sent.action,
      ok: frame.ok,
      ...(frame.ok ? {} : { refusal: errorText(frame.error, notConnected) }),
    });
  }

  repsFound(frame: RepsResultFrame): void {
    if (frame.requestId !== this.lastSearch) return; // an older search answered late
    this.publish({ ...this.state, reps: Array.isArray(frame.reps) ? frame.reps : [] });
  }

  /** An `error` frame for one of our controls (a frame the bridge could not read). */
  refused(requestId: string | undefined, error: FrameError): void {
    const sent = requestId === undefined ? undefined : this.sent.get(requestId);
    if (requestId === undefined || sent === undefined) return;
    this.sent.delete(requestId);
    this.answer(sent.callId, { action: sent.action, ok: false, refusal: errorText(error, '') });
  }

  /** The socket dropped: nothing in flight will be answered. */
  dropAll(): void {
    for (const { callId, action } of this.sent.values())
      this.answer(callId, { action, ok: false, refusal: { message: notConnected, hint: '' } });
    this.sent.clear();
  }

  private answer(callId: string, result: NonNullable<CallControlsView['result']>): void {
    this.setCall(callId, { result });
  }

  private setCall(
    callId: string,
    view: Partial<Pick<CallControlsView, 'pending' | 'result'>>,
  ): void {
    this.publish({ ...this.state, calls: { ...this.state.calls, [callId]: view } });
  }

  private publish(state: CallControlsState): void {
    this.state = state;
    this.options.onChange(state);
  }
}
