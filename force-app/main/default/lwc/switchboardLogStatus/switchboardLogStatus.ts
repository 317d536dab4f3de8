// Whether a call became a Task (call.log): "Logged", a link that opens the Task; "Logging…";
// "Not logged: <Salesforce's reason>"; nothing for calls that are not logged (disabled,
// skipped). Shown under the call on screen and, compact, in the recent calls.
import { LightningElement, api } from 'lwc';
import type { CallLog } from 'c/switchboardProtocol';
import { formatLabel } from 'c/switchboardFormat';
import LABELS from './labels';

const TEXT_CLASS: Record<string, string> = {
  logged: 'slds-text-color_success',
  pending: 'slds-text-color_weak',
};

export default class SwitchboardLogStatus extends LightningElement {
  @api log: CallLog | undefined;
  /** The recent-calls form: no icon, no top margin. */
  @api compact = false;

  labels = LABELS;

  get show(): boolean {
    const state = this.log?.state;
    return state === 'logged' || state === 'pending' || state === 'parked';
  }

  get logged(): boolean {
    return this.log?.state === 'logged' && Boolean(this.log.taskId);
  }

  get text(): string {
    const state = this.log?.state;
    if (state === 'logged') return LABELS.logged;
    if (state === 'pending') return LABELS.logging;
    return formatLabel(LABELS.notLogged, this.log?.error?.message ?? LABELS.taskRejected);
  }

  get textClass(): string {
    return TEXT_CLASS[this.log?.state ?? ''] ?? 'slds-text-color_error';
  }

  get withIcon(): boolean {
    return !this.compact;
  }

  get statusClass(): string {
    return this.compact ? 'slds-text-body_small' : 'slds-m-top_small slds-text-body_small';
  }

  /** The same data-id as before this was its own component, so tests and tools find it. */
  get statusId(): string {
    return this.compact ? 'recent-log' : 'log-status';
  }

  get taskButtonId(): string | undefined {
    return this.compact ? undefined : 'log-task';
  }

  handleOpenTask(): void {
    const recordId = this.log?.taskId;
    if (recordId) this.dispatchEvent(new CustomEvent('openrecord', { detail: { recordId } }));
  }
}
