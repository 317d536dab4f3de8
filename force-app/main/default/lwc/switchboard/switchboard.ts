// The Switchboard utility: shows the rep's connection to the bridge, pops the caller while
// the phone rings (caller cards, several-match picking, create-record for unknown numbers),
// the running call and the recent calls of this session, and the rep's preferences. The
// socket lives in c/switchboardConnection; this class only turns frames into screen state.
import { LightningElement, wire } from 'lwc';
import { NavigationMixin, type PageReference } from 'lightning/navigation';
import { encodeDefaultFieldValues } from 'lightning/pageReferenceUtils';
import {
  APPLICATION_SCOPE,
  MessageContext,
  subscribe,
  unsubscribe,
  type Subscription,
} from 'lightning/messageService';
import { EnclosingUtilityId, open, updateUtility } from 'lightning/platformUtilityBarApi';
import { IsConsoleNavigation, openTab } from 'lightning/platformWorkspaceApi';
import getToken from '@salesforce/apex/SwitchboardTokenController.getToken';
import getPreferences, {
  type SwitchboardPreferences,
} from '@salesforce/apex/SwitchboardPreferencesController.getPreferences';
import savePreferences from '@salesforce/apex/SwitchboardPreferencesController.savePreferences';
import DIAL_CHANNEL from '@salesforce/messageChannel/Switchboard_Dial__c';
import {
  SwitchboardConnection,
  errorMessage,
  type ConnectionStatus,
} from 'c/switchboardConnection';
import { callLinkFrame, dialFrame, type Call, type CallMatch } from 'c/switchboardProtocol';
import {
  endReasonLabel,
  formatCallNumber,
  formatClock,
  formatDuration,
  numberForRecord,
} from 'c/switchboardFormat';

type ContextValue = Parameters<typeof subscribe>[0];

const UTILITY_LABEL = 'Switchboard';
const MAX_RECENT = 10;

export const DEFAULT_PREFERENCES: SwitchboardPreferences = {
  bridgeUrl: null,
  openSingleMatch: true,
  createFormForUnknownInbound: false,
  createFormForUnknownOutbound: false,
  contactFields: ['Title', 'Account.Name', 'Owner.Name'],
  leadFields: ['Company', 'Status', 'Owner.Name'],
  accountFields: ['Type', 'AnnualRevenue', 'Owner.Name'],
  logCalls: true,
};

interface DialMessage {
  number?: unknown;
  recordId?: unknown;
  source?: unknown;
}

interface MatchView {
  key: string;
  match: CallMatch;
  fields: string[];
  selected: boolean;
}

interface CallView {
  id: string;
  directionLabel: string;
  directionIcon: string;
  numberDisplay: string;
  stateLabel: string;
  stateClass: string;
  isRinging: boolean;
  lookupPending: boolean;
  lookupFailed: boolean;
  hasMatches: boolean;
  severalMatches: boolean;
  matchesHeading: string;
  matches: MatchView[];
  unknown: boolean;
  createContactLabel: string;
  createLeadLabel: string;
}

interface RecentView {
  id: string;
  label: string;
  detail: string;
  icon: string;
  iconLabel: string;
  recordId: string | undefined;
  openLabel: string;
}

function callerName(call: Call): string | undefined {
  const linked = call.matches.find((m) => m.id === call.linkedRecordId);
  const match = linked ?? (call.matches.length === 1 ? call.matches[0] : undefined);
  if (!match) return undefined;
  return match.accountName && match.object !== 'Account'
    ? `${match.name}, ${match.accountName}`
    : match.name;
}

export default class Switchboard extends NavigationMixin(LightningElement) {
  status: ConnectionStatus = { state: 'idle', attempt: 0 };
  userEmail = '';
  extensions: string[] = [];
  warnings: string[] = [];
  preferences: SwitchboardPreferences = { ...DEFAULT_PREFERENCES };
  preferencesLoaded = false;
  preferencesError = '';
  showSettings = false;
  /** Calls in progress and the last ended call, newest first. */
  calls: Call[] = [];
  recent: Call[] = [];
  announcement = '';
  dialMessage = '';
  now = Date.now();

  utilityId: string | undefined;
  isConsole = false;
  messageContext: ContextValue | undefined;

  private connection: SwitchboardConnection | undefined;
  private subscription: Subscription | undefined;
  private clock: number | undefined;
  /** Per call id: what has already happened once (navigate, create form, announce, pop). */
  private autoNavigated = new Set<string>();
  private autoCreated = new Set<string>();
  private popped = new Set<string>();
  private announced = new Map<string, string>();
  private utilityLabels = new Map<string, string>();
  private dialRequests = 0;

  @wire(EnclosingUtilityId)
  wiredUtilityId(value: string | undefined): void {
    this.utilityId = value ?? undefined;
  }

  @wire(IsConsoleNavigation)
  wiredIsConsole(value: boolean | undefined): void {
    this.isConsole = value === true;
  }

  @wire(MessageContext)
  wiredMessageContext(value: ContextValue | undefined): void {
    this.messageContext = value;
    this.subscribeToDial();
  }

  override connectedCallback(): void {
    this.start().catch(() => undefined);
  }

  override disconnectedCallback(): void {
    this.connection?.stop();
    this.connection = undefined;
    if (this.subscription) unsubscribe(this.subscription);
    this.subscription = undefined;
    this.stopClock();
  }

  private async start(): Promise<void> {
    this.status = { state: 'connecting', attempt: 0 };
    try {
      const loaded = await getPreferences();
      this.preferences = { ...DEFAULT_PREFERENCES, ...loaded };
      this.preferencesLoaded = true;
    } catch (error) {
      this.preferencesError = errorMessage(error);
    }
    this.connection = new SwitchboardConnection({
      url: this.preferences.bridgeUrl,
      getToken: () => getToken(),
      origin: window.location.origin,
      listener: {
        onStatus: (status) => {
          this.status = status;
        },
        onReady: (frame) => {
          this.userEmail = frame.user.email;
          this.extensions = frame.extensions;
          this.warnings = frame.warnings;
          this.replaceCalls(frame.calls);
        },
        onCall: (frame) => {
          this.upsertCall(frame.call);
        },
        onDialResult: (frame) => {
          this.dialMessage = frame.ok
            ? ''
            : `Could not dial: ${frame.error?.message ?? 'the phone system refused the call'}`;
        },
        onError: (frame) => {
          this.dialMessage = frame.requestId ? `Could not dial: ${frame.message}` : '';
        },
      },
    });
    this.connection.start();
  }

  // ---- calls ---------------------------------------------------------------------------

  /** After (re)connecting the bridge replays the active calls: they replace ours. */
  private replaceCalls(active: Call[]): void {
    const activeIds = new Set(active.map((c) => c.id));
    // Calls we showed as active that the bridge no longer has ended while we were away.
    const vanished = this.calls.filter((c) => c.state !== 'ended' && !activeIds.has(c.id));
    for (const call of vanished) this.addRecent({ ...call, state: 'ended' });
    this.calls = this.calls.filter((c) => c.state === 'ended' && !activeIds.has(c.id));
    for (const call of active) this.upsertCall(call);
    if (vanished.length > 0) this.resetUtility();
  }

  private upsertCall(call: Call): void {
    const others = this.calls.filter((c) => c.id !== call.id);
    if (call.state === 'ended') {
      this.addRecent(call);
      // Keep only one ended call on screen, and only while nothing else is going on.
      this.calls = [...others.filter((c) => c.state !== 'ended'), call];
      this.resetUtility();
    } else {
      this.calls = [call, ...others.filter((c) => c.state !== 'ended')];
    }
    this.react(call);
    this.updateClock();
  }

  private addRecent(call: Call): void {
    this.recent = [call, ...this.recent.filter((c) => c.id !== call.id)].slice(0, MAX_RECENT);
  }

  /** The one-time reactions to a call: pop the utility, announce, open or create records. */
  private react(call: Call): void {
    if (call.state === 'ringing' || call.state === 'dialing') this.popUtility(call);
    if (call.state !== 'ended') this.announce(call);
    if (call.lookup !== 'done' || call.state === 'ended') return;

    if (
      call.matches.length === 1 &&
      this.preferences.openSingleMatch &&
      !call.linkedRecordId &&
      !this.autoNavigated.has(call.id)
    ) {
      this.autoNavigated.add(call.id);
      const only = call.matches[0];
      if (only) this.openRecord(only.id);
    }
    if (this.isUnknown(call) && !this.autoCreated.has(call.id)) {
      const wanted =
        call.direction === 'inbound'
          ? this.preferences.createFormForUnknownInbound
          : this.preferences.createFormForUnknownOutbound;
      if (wanted) {
        this.autoCreated.add(call.id);
        this.createRecord('Contact', call);
      }
    }
  }

  private isUnknown(call: Call): boolean {
    return call.lookup === 'done' && call.matches.length === 0 && !call.withheld && !call.internal;
  }

  /** Opens the utility once per call; keeps its label naming the caller as the lookup ends. */
  private popUtility(call: Call): void {
    const id = this.utilityId;
    if (!id) return;
    const who = callerName(call) ?? formatCallNumber(call);
    const verb = call.direction === 'inbound' ? 'Ringing' : 'Calling';
    const label = `${verb}: ${who}`;
    if (!this.popped.has(call.id)) {
      this.popped.add(call.id);
      open(id, { autoFocus: false }).catch(() => undefined);
    }
    if (this.utilityLabels.get(call.id) === label) return;
    this.utilityLabels.set(call.id, label);
    updateUtility(id, { highlighted: true, label }).catch(() => undefined);
  }

  private resetUtility(): void {
    const id = this.utilityId;
    if (!id || this.calls.some((c) => c.state === 'ringing' || c.state === 'dialing')) return;
    updateUtility(id, { highlighted: false, label: UTILITY_LABEL }).catch(() => undefined);
  }

  private announce(call: Call): void {
    const who = callerName(call);
    const number = formatCallNumber(call);
    let text: string;
    if (call.state === 'connected') {
      text = `Connected with ${who ?? number}`;
    } else {
      const what = call.direction === 'inbound' ? 'Incoming call from' : 'Calling';
      if (who) text = `${what} ${who}`;
      else if (call.lookup === 'done' && call.matches.length > 1)
        text = `${what} ${number}, ${call.matches.length} possible callers`;
      else if (this.isUnknown(call)) text = `${what} ${number}, not in Salesforce`;
      else text = `${what} ${number}`;
    }
    if (this.announced.get(call.id) === text) return;
    this.announced.set(call.id, text);
    this.announcement = text;
  }

  // ---- navigation ---------------------------------------------------------------------

  private navigate(pageReference: PageReference, recordId?: string): void {
    if (this.isConsole) {
      const tab = recordId ? { recordId, focus: true } : { pageReference, focus: true };
      openTab(tab).catch(() => {
        this[NavigationMixin.Navigate](pageReference);
      });
      return;
    }
    this[NavigationMixin.Navigate](pageReference);
  }

  private openRecord(recordId: string): void {
    this.navigate(
      { type: 'standard__recordPage', attributes: { recordId, actionName: 'view' } },
      recordId,
    );
  }

  private createRecord(objectApiName: 'Contact' | 'Lead', call: Call): void {
    this.navigate({
      type: 'standard__objectPage',
      attributes: { objectApiName, actionName: 'new' },
      state: { defaultFieldValues: encodeDefaultFieldValues({ Phone: numberForRecord(call) }) },
    });
  }

  private findCall(id: string | undefined): Call | undefined {
    return this.calls.find((c) => c.id === id) ?? this.recent.find((c) => c.id === id);
  }

  handleOpenRecord(event: CustomEvent<{ recordId?: string }>): void {
    const recordId = event.detail.recordId;
    if (recordId) this.openRecord(recordId);
  }

  handleOpenRecent(event: Event): void {
    const recordId = (event.currentTarget as HTMLElement).dataset.recordId;
    if (recordId) this.openRecord(recordId);
  }

  /** Several matches: the rep says which one is calling; the bridge logs the call on it. */
  handlePick(event: CustomEvent<{ recordId?: string }>): void {
    const callId = (event.currentTarget as HTMLElement).dataset.callId;
    const recordId = event.detail.recordId;
    const call = this.findCall(callId);
    if (!call || !recordId) return;
    this.connection?.send(callLinkFrame(call.id, recordId));
    const linked = { ...call, linkedRecordId: recordId };
    this.calls = this.calls.map((c) => (c.id === call.id ? linked : c));
    this.recent = this.recent.map((c) => (c.id === call.id ? linked : c));
    this.announce(linked);
    this.openRecord(recordId);
  }

  handleCreate(event: Event): void {
    const target = event.currentTarget as HTMLElement;
    const call = this.findCall(target.dataset.callId);
    const object = target.dataset.object === 'Lead' ? 'Lead' : 'Contact';
    if (call) this.createRecord(object, call);
  }

  handleRetry(): void {
    if (!this.connection) {
      this.start().catch(() => undefined);
      return;
    }
    this.connection.retryNow();
  }

  // ---- click-to-dial over Lightning Message Service -----------------------------------

  private subscribeToDial(): void {
    if (this.subscription || !this.messageContext) return;
    this.subscription = subscribe(
      this.messageContext,
      DIAL_CHANNEL,
      (message) => {
        this.handleDialMessage(message as DialMessage);
      },
      { scope: APPLICATION_SCOPE },
    );
  }

  private handleDialMessage(message: DialMessage): void {
    if (typeof message.number !== 'string' || !message.number.trim()) return;
    const recordId = typeof message.recordId === 'string' ? message.recordId : undefined;
    const requestId = `dial-${Date.now()}-${++this.dialRequests}`;
    const sent = this.connection?.send(dialFrame(requestId, message.number.trim(), recordId));
    this.dialMessage = sent ? '' : 'Could not dial: Switchboard is not connected.';
  }

  // ---- preferences --------------------------------------------------------------------

  handleToggleSettings(): void {
    this.showSettings = !this.showSettings;
  }

  async handlePreferenceChange(event: Event): Promise<void> {
    const input = event.target as HTMLInputElement;
    const name = input.name as
      'openSingleMatch' | 'createFormForUnknownInbound' | 'createFormForUnknownOutbound';
    const previous = this.preferences;
    this.preferences = { ...previous, [name]: input.checked };
    try {
      await savePreferences({
        openSingleMatch: this.preferences.openSingleMatch,
        createFormForUnknownInbound: this.preferences.createFormForUnknownInbound,
        createFormForUnknownOutbound: this.preferences.createFormForUnknownOutbound,
      });
      this.preferencesError = '';
    } catch (error) {
      this.preferences = previous;
      this.preferencesError = `Your preference was not saved: ${errorMessage(error)}`;
    }
  }

  // ---- the running timer --------------------------------------------------------------

  private updateClock(): void {
    this.now = Date.now();
    const running = this.calls.some((c) => c.state === 'connected');
    if (running && this.clock === undefined) {
      // A once-a-second tick is the call timer itself; nothing else drives it.
      // eslint-disable-next-line @lwc/lwc/no-async-operation
      this.clock = window.setInterval(() => {
        this.now = Date.now();
      }, 1000);
    } else if (!running) {
      this.stopClock();
    }
  }

  private stopClock(): void {
    if (this.clock !== undefined) window.clearInterval(this.clock);
    this.clock = undefined;
  }

  // ---- what the template shows --------------------------------------------------------

  get isConnecting(): boolean {
    return this.status.state === 'connecting' || this.status.state === 'idle';
  }

  get showConnected(): boolean {
    return this.status.state === 'connected';
  }

  get hasProblem(): boolean {
    return this.status.state === 'disconnected' || this.status.state === 'failed';
  }

  get problemIsPermanent(): boolean {
    return this.status.state === 'failed';
  }

  get problemTitle(): string {
    return this.status.state === 'failed' ? 'Not connected' : 'Not connected — reconnecting';
  }

  get problemIcon(): string {
    return this.status.state === 'failed' ? 'utility:error' : 'utility:warning';
  }

  get problemVariant(): string {
    return this.status.state === 'failed' ? 'error' : 'warning';
  }

  get problemMessage(): string {
    return this.status.problem?.message ?? '';
  }

  get problemAction(): string {
    return this.status.problem?.action ?? '';
  }

  get retryText(): string {
    const ms = this.status.retryInMs;
    if (this.status.state !== 'disconnected' || ms === undefined) return '';
    return `Next attempt in ${Math.max(1, Math.round(ms / 1000))} s.`;
  }

  get retryLabel(): string {
    return this.status.state === 'failed' ? 'Try again' : 'Retry now';
  }

  get connectedText(): string {
    const ext = this.extensions;
    const on =
      ext.length === 0
        ? 'with no extension'
        : ext.length === 1
          ? `on extension ${ext[0] ?? ''}`
          : `on extensions ${ext.join(', ')}`;
    return `Connected as ${this.userEmail} ${on}`;
  }

  get hasWarnings(): boolean {
    return this.warnings.length > 0;
  }

  get warningItems(): { key: string; text: string }[] {
    return this.warnings.map((text, index) => ({ key: `w${index}`, text }));
  }

  get hasCalls(): boolean {
    return this.calls.length > 0;
  }

  get showIdle(): boolean {
    return this.showConnected && this.calls.length === 0;
  }

  get callViews(): CallView[] {
    return this.calls.map((call) => this.viewOf(call));
  }

  private fieldsFor(match: CallMatch): string[] {
    const prefs = this.preferences;
    if (match.object === 'Contact') return prefs.contactFields;
    if (match.object === 'Lead') return prefs.leadFields;
    return prefs.accountFields;
  }

  private viewOf(call: Call): CallView {
    const inbound = call.direction === 'inbound';
    let stateLabel: string;
    let stateClass = 'slds-badge';
    switch (call.state) {
      case 'ringing':
        stateLabel = 'Ringing';
        stateClass = 'slds-badge slds-theme_warning';
        break;
      case 'dialing':
        stateLabel = 'Dialing';
        stateClass = 'slds-badge slds-theme_warning';
        break;
      case 'connected': {
        const since = Date.parse(call.answeredAt ?? call.startedAt);
        stateLabel = `Connected ${formatDuration(this.now - since)}`;
        stateClass = 'slds-badge slds-theme_success';
        break;
      }
      default:
        stateLabel = `Ended · ${endReasonLabel(call.endReason)}`;
    }
    const several = call.matches.length > 1;
    const number = formatCallNumber(call);
    return {
      id: call.id,
      directionLabel: inbound ? 'Incoming call' : 'Outgoing call',
      directionIcon: inbound ? 'utility:incoming_call' : 'utility:outgoing_call',
      numberDisplay: number,
      stateLabel,
      stateClass,
      isRinging: call.state === 'ringing',
      lookupPending: call.lookup === 'pending',
      lookupFailed: call.lookup === 'failed',
      hasMatches: call.matches.length > 0,
      severalMatches: several,
      matchesHeading: several
        ? `${call.matches.length} records have this number — who is calling?`
        : 'Caller',
      matches: call.matches.map((match) => ({
        key: `${call.id}-${match.id}`,
        match,
        fields: this.fieldsFor(match),
        selected: match.id === call.linkedRecordId,
      })),
      unknown: this.isUnknown(call),
      createContactLabel: `Create Contact with ${number}`,
      createLeadLabel: `Create Lead with ${number}`,
    };
  }

  get hasRecent(): boolean {
    return this.recent.length > 0;
  }

  get recentViews(): RecentView[] {
    return this.recent.map((call) => {
      const name = callerName(call);
      const inbound = call.direction === 'inbound';
      const recordId =
        call.linkedRecordId ?? (call.matches.length === 1 ? call.matches[0]?.id : undefined);
      const duration =
        call.answeredAt && call.endedAt
          ? ` · ${formatDuration(Date.parse(call.endedAt) - Date.parse(call.answeredAt))}`
          : '';
      const label = name ?? formatCallNumber(call);
      return {
        id: call.id,
        label,
        detail: `${formatClock(call.startedAt)} · ${endReasonLabel(call.endReason)}${duration}`,
        icon: inbound ? 'utility:incoming_call' : 'utility:outgoing_call',
        iconLabel: inbound ? 'Incoming' : 'Outgoing',
        recordId,
        openLabel: `Open ${label}`,
      };
    });
  }

  get showSettingsText(): string {
    return String(this.showSettings);
  }

  get settingsIcon(): string {
    return this.showSettings ? 'utility:chevrondown' : 'utility:chevronright';
  }
}
