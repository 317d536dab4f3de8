// The rep's presence in the utility's header: Available / Do not disturb / Away, and queue
// pause with a reason, as far as the bridge offers them here (ready.presence). Shows the state
// the bridge last reported — also one changed on the desk phone or by the phone system, said
// so in a polite live region — and tells its parent what the rep chose (presencechange: a
// state, or a queue pause with its reason); the parent sends it and passes back whether it is
// under way or was refused.
import { LightningElement, api } from 'lwc';
import type { Presence, PresenceState, PresenceSupport } from 'c/switchboardProtocol';
import { formatClock, formatLabel } from 'c/switchboardFormat';
import LABELS from './labels';

const STATE_LABELS: Record<PresenceState, string> = {
  available: LABELS.available,
  dnd: LABELS.dnd,
  away: LABELS.away,
};

export default class SwitchboardPresence extends LightningElement {
  @api support: PresenceSupport = { states: [], queuePause: false, pauseReasons: [] };
  /** The presence of the rep's extension as the bridge last said; undefined until it did. */
  @api presence: Presence | undefined;
  /** A change the rep asked for is on its way to the phone system. */
  @api pending = false;
  /** Why the last change was refused, in the rep's words; empty when it was not. */
  @api error = '';

  labels = LABELS;
  /** The reason picked for the next queue pause ('' = none). */
  reason = '';

  get hasStates(): boolean {
    return this.support.states.length > 0;
  }

  get state(): PresenceState {
    return this.presence?.state ?? 'available';
  }

  get stateOptions(): { value: string; label: string }[] {
    return this.support.states.map((value) => ({ value, label: STATE_LABELS[value] }));
  }

  get reasonOptions(): { value: string; label: string }[] {
    return [
      { value: '', label: LABELS.noReason },
      ...this.support.pauseReasons.map((reason) => ({ value: reason, label: reason })),
    ];
  }

  get disabled(): boolean {
    return this.pending || this.presence === undefined;
  }

  get paused(): boolean {
    return this.presence?.queuePaused === true;
  }

  get pausedText(): string {
    const reason = this.presence?.pauseReason;
    return reason ? formatLabel(LABELS.pausedWithReason, reason) : LABELS.paused;
  }

  get dotClass(): string {
    return `switchboard__presence-dot switchboard__presence-dot_${this.state}`;
  }

  /** "Saving…" while under way; who changed it when the phone or the phone system did. */
  get note(): string {
    if (this.pending) return LABELS.saving;
    const presence = this.presence;
    if (presence?.changedBy !== 'pbx' || !presence.changedAt) return '';
    return formatLabel(LABELS.changedOnPhone, formatClock(presence.changedAt));
  }

  /** The select shows the bridge's state again after a refused or answered change. */
  override renderedCallback(): void {
    const select = this.template?.querySelector<HTMLSelectElement>('[data-id="presence-state"]');
    if (select && select.value !== this.state) select.value = this.state;
  }

  handleStateChange(event: Event): void {
    const state = (event.target as HTMLSelectElement).value as PresenceState;
    if (state === this.state) return;
    this.dispatchEvent(new CustomEvent('presencechange', { detail: { state } }));
  }

  handleReasonChange(event: Event): void {
    this.reason = (event.target as HTMLSelectElement).value;
  }

  handlePause(): void {
    const detail = this.reason
      ? { queuePaused: true, pauseReason: this.reason }
      : { queuePaused: true };
    this.dispatchEvent(new CustomEvent('presencechange', { detail }));
  }

  handleResume(): void {
    this.dispatchEvent(new CustomEvent('presencechange', { detail: { queuePaused: false } }));
  }
}
