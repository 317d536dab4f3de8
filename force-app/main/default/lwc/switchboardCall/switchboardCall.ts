// One call on screen: direction, the number as a rep reads it, its state and timer, the
// lookup (pending, failed, the caller cards, "who is calling?" among several matches, or
// Create Contact / Create Lead for an unknown number), the call-log status and the notes.
// Its controls (hang up, hold, transfer) are c/switchboardCallControls. Everything the rep does
// goes up as an event naming the call; the parent acts on it.
import { LightningElement, api } from 'lwc';
import type { Call, CallLog, CallMatch } from 'c/switchboardProtocol';
import { endReasonLabel, formatCallNumber, formatDuration, formatLabel } from 'c/switchboardFormat';
import { isUnknownCaller } from 'c/switchboardCalls';
import type { NoteDraft } from 'c/switchboardCallNotes';
import { NO_CONTROLS, type CallControlsView, type ControlDetail } from 'c/switchboardCallControls';
import LABELS from './labels';

interface MatchView {
  key: string;
  match: CallMatch;
  fields: string[];
  selected: boolean;
}

export default class SwitchboardCall extends LightningElement {
  @api call: Call | undefined;
  /** Fields the caller cards show per object, as the admin chose them (Title, Owner.Name). */
  @api matchFields: Record<string, string[]> = {};
  /** The clock the call timer runs on (ms); the parent ticks it once a second. */
  @api now = Date.now();
  /** Whether the bridge still takes notes for this call. */
  @api notesOpen = false;
  @api draft: NoteDraft | undefined;
  /** Hang up, hold, transfer: what the phone system offers and this call's last control. */
  @api controls: CallControlsView = NO_CONTROLS;

  labels = LABELS;

  private get inbound(): boolean {
    return this.call?.direction === 'inbound';
  }

  get callId(): string {
    return this.call?.id ?? '';
  }

  get directionLabel(): string {
    return this.inbound ? LABELS.incoming : LABELS.outgoing;
  }

  get directionIcon(): string {
    return this.inbound ? 'utility:incoming_call' : 'utility:outbound_call';
  }

  get numberDisplay(): string {
    return this.call ? formatCallNumber(this.call) : '';
  }

  get stateLabel(): string {
    const call = this.call;
    switch (call?.state) {
      case 'ringing':
        return LABELS.ringing;
      case 'dialing':
        return LABELS.dialing;
      case 'connected': {
        const since = Date.parse(call.answeredAt ?? call.startedAt);
        return formatLabel(LABELS.connected, formatDuration(this.now - since));
      }
      default:
        return formatLabel(LABELS.ended, endReasonLabel(call?.endReason));
    }
  }

  get stateClass(): string {
    switch (this.call?.state) {
      case 'ringing':
      case 'dialing':
        return 'slds-badge slds-theme_warning';
      case 'connected':
        return 'slds-badge slds-theme_success';
      default:
        return 'slds-badge';
    }
  }

  get lookupPending(): boolean {
    return this.call?.lookup === 'pending';
  }

  get lookupFailed(): boolean {
    return this.call?.lookup === 'failed';
  }

  get hasMatches(): boolean {
    return (this.call?.matches.length ?? 0) > 0;
  }

  get severalMatches(): boolean {
    return (this.call?.matches.length ?? 0) > 1;
  }

  get matchesHeading(): string {
    const count = this.call?.matches.length ?? 0;
    if (count > 1)
      return formatLabel(this.inbound ? LABELS.severalIncoming : LABELS.severalOutgoing, count);
    return this.inbound ? LABELS.caller : LABELS.callee;
  }

  get matches(): MatchView[] {
    const call = this.call;
    if (!call) return [];
    return call.matches.map((match) => ({
      key: `${call.id}-${match.id}`,
      match,
      fields: this.matchFields[match.object] ?? [],
      selected: match.id === call.linkedRecordId,
    }));
  }

  get unknown(): boolean {
    return this.call ? isUnknownCaller(this.call) : false;
  }

  get log(): CallLog | undefined {
    return this.call?.log;
  }

  /** An unknown number: a new Contact or Lead with it filled in. */
  get createButtons(): { object: string; label: string; title: string; icon: string }[] {
    return [
      ['Contact', 'utility:adduser', LABELS.createContact, LABELS.createContactWith],
      ['Lead', 'utility:lead', LABELS.createLead, LABELS.createLeadWith],
    ].map(([object = '', icon = '', label = '', title = '']) => ({
      object,
      label,
      title: formatLabel(title, this.numberDisplay),
      icon,
    }));
  }

  private fire(name: string, detail: object): void {
    this.dispatchEvent(new CustomEvent(name, { detail: { callId: this.callId, ...detail } }));
  }

  /** A caller card's name, or the Logged link of the call's Task. */
  handleOpenRecord(event: CustomEvent<{ recordId?: string }>): void {
    this.fire('openrecord', { recordId: event.detail.recordId });
  }

  handlePick(event: CustomEvent<{ recordId?: string }>): void {
    this.fire('pick', { recordId: event.detail.recordId });
  }

  /** What Lightning Data Service let the rep see of a match (its name, or nothing). */
  handleVisibleName(event: CustomEvent<object>): void {
    this.fire('visiblename', event.detail);
  }

  handleCreate(event: Event): void {
    const object = (event.currentTarget as HTMLElement).dataset.object;
    this.fire('create', { objectApiName: object === 'Lead' ? 'Lead' : 'Contact' });
  }

  handleDraftChange(event: CustomEvent<Partial<NoteDraft>>): void {
    this.fire('draftchange', event.detail);
  }

  handleSaveNotes(): void {
    this.fire('savenotes', {});
  }

  handleControl(event: CustomEvent<ControlDetail>): void {
    this.fire('control', event.detail);
  }

  handleSearchReps(event: CustomEvent<{ query: string }>): void {
    this.fire('searchreps', event.detail);
  }
}
