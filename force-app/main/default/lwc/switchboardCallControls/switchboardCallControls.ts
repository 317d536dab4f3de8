// The call controls of one call: hang up (decline while it rings), hold and resume, and
// transfer — at once (blind), or after consulting the colleague or number first (attended),
// then hand the caller over or go back to them. A colleague is found by name (reps.search).
// The controls the phone system does not offer stay visible but disabled, saying so. What
// became of the last control is shown plainly: done, or refused with why. Every action goes up
// as an event (`control`, `searchreps`); the utility sends it and passes the answer back in `view`.
import { LightningElement, api } from 'lwc';
import type { Call, CallControlAction, RepEntry, TransferTarget } from 'c/switchboardProtocol';
import { formatLabel } from 'c/switchboardFormat';
import LABELS from './labels';

/** What the rep sees of a refusal: the message and what to do. */
export interface ControlRefusal {
  message: string;
  hint: string;
}

/** What the utility knows about this call's controls. */
export interface CallControlsView {
  /** The controls the phone system offers (ready.controls). */
  available: readonly CallControlAction[];
  /** A control sent and not answered yet. */
  pending?: CallControlAction;
  /** The last control's answer: done, or refused with why. */
  result?: { action: CallControlAction; ok: boolean; refusal?: ControlRefusal };
  /** Colleagues found by the last name search. */
  reps: readonly RepEntry[];
}

export const NO_CONTROLS: CallControlsView = { available: [], reps: [] };

/** What a `control` event asks: the action, and where a transfer goes. */
export interface ControlDetail {
  action: CallControlAction;
  to?: TransferTarget;
}

type TargetKind = TransferTarget['kind'];

const ACTION_LABELS: Record<CallControlAction, string> = {
  hangup: LABELS.hangUp,
  transfer: LABELS.transferNow,
  consult: LABELS.consult,
  'consult.complete': LABELS.complete,
  'consult.cancel': LABELS.cancel,
  hold: LABELS.hold,
  resume: LABELS.resume,
};

interface ControlButton {
  action: CallControlAction;
  label: string;
  title: string;
  variant: string;
  disabled: boolean;
}

export default class SwitchboardCallControls extends LightningElement {
  @api call: Call | undefined;
  @api view: CallControlsView = NO_CONTROLS;

  labels = LABELS;
  /** The transfer form is open. */
  transferOpen = false;
  kind: TargetKind = 'extension';
  target = '';
  /** The colleague picked from the name search (a Salesforce user id). */
  repId = '';

  private get state(): Call['state'] | undefined {
    return this.call?.state;
  }

  private offered(action: CallControlAction): boolean {
    return (this.view ?? NO_CONTROLS).available.includes(action);
  }

  private button(action: CallControlAction, label: string, variant = 'neutral'): ControlButton {
    const offered = this.offered(action);
    return {
      action,
      label,
      title: offered ? label : formatLabel(LABELS.unavailable, label),
      variant,
      disabled: !offered || this.view?.pending !== undefined,
    };
  }

  get active(): boolean {
    return this.state !== undefined && this.state !== 'ended';
  }

  get consulting(): string {
    const to = this.call?.consult?.to;
    return to === undefined ? '' : formatLabel(LABELS.consulting, to);
  }

  get held(): boolean {
    return this.call?.held === true;
  }

  /** The row of buttons for the call's state. */
  get buttons(): ControlButton[] {
    const call = this.call;
    if (call === undefined || call.state === 'ended') return [];
    if (call.state !== 'connected')
      return [
        this.button(
          'hangup',
          call.direction === 'inbound' ? LABELS.decline : LABELS.hangUp,
          'destructive',
        ),
      ];
    if (call.consult !== undefined)
      return [
        this.button('consult.complete', LABELS.complete, 'brand'),
        this.button('consult.cancel', LABELS.cancel),
      ];
    return [
      this.button('hangup', LABELS.hangUp, 'destructive'),
      call.held === true ? this.button('resume', LABELS.resume) : this.button('hold', LABELS.hold),
    ];
  }

  /** Transfer opens the form; shown while connected and not consulting. */
  get showTransferToggle(): boolean {
    return this.state === 'connected' && this.call?.consult === undefined;
  }

  get transferToggleDisabled(): boolean {
    return !this.offered('transfer') && !this.offered('consult');
  }

  get transferToggleTitle(): string {
    return this.transferToggleDisabled
      ? formatLabel(LABELS.unavailable, LABELS.transfer)
      : LABELS.transfer;
  }

  get showTransferForm(): boolean {
    return this.transferOpen && this.showTransferToggle && !this.transferToggleDisabled;
  }

  get kindOptions(): { value: TargetKind; label: string }[] {
    return [
      { value: 'extension', label: LABELS.kindExtension },
      { value: 'rep', label: LABELS.kindRep },
      { value: 'number', label: LABELS.kindNumber },
    ];
  }

  get byName(): boolean {
    return this.kind === 'rep';
  }

  get targetLabel(): string {
    if (this.kind === 'rep') return LABELS.repName;
    return this.kind === 'number' ? LABELS.kindNumber : LABELS.kindExtension;
  }

  get repOptions(): { value: string; label: string }[] {
    return (this.view?.reps ?? []).map((rep) => ({
      value: rep.userId,
      label: `${rep.name} (${rep.extension})`,
    }));
  }

  get hasReps(): boolean {
    return this.byName && (this.view?.reps.length ?? 0) > 0;
  }

  get noRepFound(): boolean {
    return this.byName && this.target.trim() !== '' && (this.view?.reps.length ?? 0) === 0;
  }

  /** The colleague to transfer to: the one picked, or the only one found. */
  get chosenRepId(): string {
    const reps = this.view?.reps ?? [];
    if (reps.some((r) => r.userId === this.repId)) return this.repId;
    return reps.length === 1 ? (reps[0]?.userId ?? '') : '';
  }

  private get transferTarget(): TransferTarget | undefined {
    if (this.kind === 'rep') {
      const id = this.chosenRepId;
      return id === '' ? undefined : { kind: 'rep', value: id };
    }
    const value = this.target.trim();
    return value === '' ? undefined : { kind: this.kind, value };
  }

  get transferNowDisabled(): boolean {
    return (
      !this.offered('transfer') ||
      this.transferTarget === undefined ||
      this.view?.pending !== undefined
    );
  }

  get consultDisabled(): boolean {
    return (
      !this.offered('consult') ||
      this.transferTarget === undefined ||
      this.view?.pending !== undefined
    );
  }

  get pendingText(): string {
    const pending = this.view?.pending;
    return pending === undefined ? '' : formatLabel(LABELS.pending, ACTION_LABELS[pending]);
  }

  get doneText(): string {
    const result = this.view?.result;
    return result?.ok === true ? formatLabel(LABELS.done, ACTION_LABELS[result.action]) : '';
  }

  get refusedText(): string {
    const result = this.view?.result;
    if (result === undefined || result.ok) return '';
    const why = [result.refusal?.message ?? '', result.refusal?.hint ?? '']
      .filter((s) => s !== '')
      .join(' ');
    return formatLabel(LABELS.refused, ACTION_LABELS[result.action], why);
  }

  get show(): boolean {
    return this.active || this.doneText !== '' || this.refusedText !== '';
  }

  private control(action: CallControlAction, to?: TransferTarget): void {
    const detail: ControlDetail = to === undefined ? { action } : { action, to };
    this.dispatchEvent(new CustomEvent('control', { detail }));
  }

  handleButton(event: Event): void {
    const action = (event.currentTarget as HTMLElement).dataset.action as CallControlAction;
    this.control(action);
  }

  handleToggleTransfer(): void {
    this.transferOpen = !this.transferOpen;
  }

  handleKind(event: CustomEvent<{ value: string }>): void {
    this.kind = event.detail.value as TargetKind;
    this.target = '';
    this.repId = '';
  }

  handleTarget(event: CustomEvent<{ value?: string }>): void {
    this.target = event.detail?.value ?? (event.target as HTMLInputElement).value ?? '';
    if (this.byName && this.target.trim() !== '')
      this.dispatchEvent(new CustomEvent('searchreps', { detail: { query: this.target.trim() } }));
  }

  handleRep(event: CustomEvent<{ value: string }>): void {
    this.repId = event.detail.value;
  }

  handleTransferNow(): void {
    const to = this.transferTarget;
    if (to === undefined) return;
    this.transferOpen = false;
    this.control('transfer', to);
  }

  handleConsult(): void {
    const to = this.transferTarget;
    if (to === undefined) return;
    this.transferOpen = false;
    this.control('consult', to);
  }
}
