// The Switchboard utility: shows the rep's connection to the bridge, pops the caller while
// the phone rings (caller cards, several-match picking, create-record for unknown numbers),
// the running call and the recent calls of this session, click-to-dial (number box, dial pad,
// redial, record-page requests over LMS), call notes and the call-log status, and the rep's
// preferences. The socket lives in c/switchboardConnection; this class only turns frames into
// screen state.
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
import {
  DEFAULT_READY_SETTINGS,
  callLinkFrame,
  callNoteFrame,
  dialFrame,
  type Call,
  type CallLog,
  type CallMatch,
  type CallNoteResultFrame,
  type FrameError,
  type ReadySettings,
} from 'c/switchboardProtocol';
import {
  endReasonLabel,
  formatCallNumber,
  formatClock,
  formatDuration,
  formatE164,
  numberForRecord,
} from 'c/switchboardFormat';

type ContextValue = Parameters<typeof subscribe>[0];

const UTILITY_LABEL = 'Switchboard';
const MAX_RECENT = 10;
/**
 * A saved note is answered by call.note.result at once. Without an answer in this time (a
 * bridge older than call.note.result, or one that is stuck) the rep is told the note is not
 * confirmed rather than left looking at "Saving…"; saving again is harmless.
 */
export const NOTE_ANSWER_TIMEOUT_MS = 15_000;

/** Dispositions offered for the Task's CallDisposition (a free-text field in Salesforce). */
export const DISPOSITIONS = [
  'Interested',
  'Not interested',
  'Call back',
  'Left voicemail',
  'No answer',
  'Wrong number',
] as const;

/** The dial pad: digit, letters, and what a screen reader says. */
const PAD_KEYS = [
  ['1', ''],
  ['2', 'ABC'],
  ['3', 'DEF'],
  ['4', 'GHI'],
  ['5', 'JKL'],
  ['6', 'MNO'],
  ['7', 'PQRS'],
  ['8', 'TUV'],
  ['9', 'WXYZ'],
  ['*', ''],
  ['0', '+'],
  ['#', ''],
].map(([value = '', letters = '']) => ({
  value,
  letters,
  label: value === '*' ? 'Star' : value === '#' ? 'Pound' : value,
}));

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

/** Where a dial came from: the number box, a recent call, or a record page (LMS). */
type DialSource = 'pad' | 'recent' | 'record';

interface PendingDial {
  requestId: string;
  number: string;
  source: DialSource;
}

interface DialErrorView {
  title: string;
  message: string;
  hint: string;
}

/** A frame sent with a requestId, so an answer or `error` can be matched to it. */
type SentRequest =
  | { kind: 'dial'; number: string; source: DialSource }
  | { kind: 'note'; callId: string }
  | { kind: 'link'; callId: string };

type NoteStatus = 'idle' | 'saving' | 'saved' | 'error';

interface NoteDraft {
  notes: string;
  disposition: string;
  status: NoteStatus;
  error: string;
}

const EMPTY_DRAFT: NoteDraft = { notes: '', disposition: '', status: 'idle', error: '' };

interface LogView {
  show: boolean;
  logged: boolean;
  taskId: string;
  text: string;
  className: string;
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
  showNotes: boolean;
  notes: string;
  dispositionOptions: { value: string; label: string; selected: boolean }[];
  noteSaveDisabled: boolean;
  noteSaving: boolean;
  noteSaved: boolean;
  noteError: string;
  log: LogView;
}

interface RecentView {
  id: string;
  label: string;
  detail: string;
  icon: string;
  iconLabel: string;
  recordId: string | undefined;
  openLabel: string;
  redialNumber: string;
  redialRecordId: string;
  redialLabel: string;
  log: LogView;
}

/** The number as the rep typed or the record holds it, grouped when it is E.164. */
function displayDialNumber(number: string): string {
  return /^\+\d{8,15}$/.test(number) ? formatE164(number) : number;
}

/** "Logged" (a link to the Task), "Logging…", "Not logged: …"; nothing when not logged. */
function logView(log: CallLog | undefined): LogView {
  const none = { show: false, logged: false, taskId: '', text: '', className: '' };
  switch (log?.state) {
    case 'logged':
      return {
        show: true,
        logged: Boolean(log.taskId),
        taskId: log.taskId ?? '',
        text: 'Logged',
        className: 'slds-text-color_success',
      };
    case 'pending':
      return { ...none, show: true, text: 'Logging…', className: 'slds-text-color_weak' };
    case 'parked':
      return {
        ...none,
        show: true,
        text: `Not logged: ${log.error?.message ?? 'Salesforce rejected the Task'}`,
        className: 'slds-text-color_error',
      };
    default:
      return none;
  }
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
  /** The bridge's call-log settings (ready.settings): when notes are still taken. */
  bridgeSettings: ReadySettings = { ...DEFAULT_READY_SETTINGS };
  preferences: SwitchboardPreferences = { ...DEFAULT_PREFERENCES };
  preferencesLoaded = false;
  preferencesError = '';
  showSettings = false;
  /** Calls in progress and the last ended call, newest first. */
  calls: Call[] = [];
  recent: Call[] = [];
  announcement = '';
  now = Date.now();

  /** Click-to-dial: the number box, the pad, dials awaiting the PBX, the last failure. */
  dialNumber = '';
  showDialPad = false;
  pendingDials: PendingDial[] = [];
  dialError: DialErrorView | null = null;
  /** A call.link the bridge refused. */
  linkError = '';
  /** Notes and disposition per call id, kept while the call moves to recent calls. */
  noteDrafts: Record<string, NoteDraft> = {};

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
  /** What the utility bar item says now (as configured until a call changes it). */
  private utilityShown = { highlighted: false, label: UTILITY_LABEL };
  private requestCounter = 0;
  private requests = new Map<string, SentRequest>();
  private graceTimer: number | undefined;

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
    if (this.graceTimer !== undefined) window.clearTimeout(this.graceTimer);
    this.graceTimer = undefined;
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
          if (status.state !== 'connected' && status.state !== 'connecting') this.dropRequests();
        },
        onReady: (frame) => {
          this.userEmail = frame.user.email;
          this.extensions = frame.extensions;
          this.warnings = frame.warnings;
          this.bridgeSettings = frame.settings;
          this.replaceCalls(frame.calls);
          this.scheduleGraceEnd();
        },
        onCall: (frame) => {
          this.upsertCall(frame.call);
        },
        onDialResult: (frame) => {
          this.handleDialResult(frame.requestId, frame.ok, frame.error);
        },
        onNoteResult: (frame) => {
          this.handleNoteResult(frame);
        },
        onError: (frame) => {
          this.handleRequestError(frame.requestId, frame);
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
    this.syncUtility();
  }

  private upsertCall(call: Call): void {
    const others = this.calls.filter((c) => c.id !== call.id);
    const shown = others.length !== this.calls.length;
    if (call.state === 'ended' && !shown) {
      // A late update (the log status) of a call no longer on screen, or of one that ended
      // before this page connected: it must not push the call the rep is looking at away.
      this.addRecent(call);
      return;
    }
    // The dial the rep placed has become a call: it is no longer "Calling …".
    if (call.direction === 'outbound' && call.state !== 'ended') this.pendingDials = [];
    if (call.state === 'ended') {
      this.addRecent(call);
      // Keep only one ended call on screen, and only while nothing else is going on.
      this.calls = [...others.filter((c) => c.state !== 'ended'), call];
    } else {
      this.calls = [call, ...others.filter((c) => c.state !== 'ended')];
    }
    this.react(call);
    this.syncUtility();
    this.updateClock();
  }

  /** Newest first; a call already listed is updated where it is. */
  private addRecent(call: Call): void {
    if (this.recent.some((c) => c.id === call.id)) {
      this.recent = this.recent.map((c) => (c.id === call.id ? call : c));
      return;
    }
    this.recent = [call, ...this.recent].slice(0, MAX_RECENT);
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

  /** Opens the utility once per call, when it starts ringing or dialing. */
  private popUtility(call: Call): void {
    const id = this.utilityId;
    if (!id || this.popped.has(call.id)) return;
    this.popped.add(call.id);
    open(id, { autoFocus: false }).catch(() => undefined);
  }

  /**
   * The utility bar item names the ringing call (highlighted), else the call in progress,
   * else it is just the utility again; its label follows the lookup result.
   */
  private syncUtility(): void {
    const id = this.utilityId;
    if (!id) return;
    const ringing = this.calls.find((c) => c.state === 'ringing' || c.state === 'dialing');
    const talking = this.calls.find((c) => c.state === 'connected');
    const who = (call: Call) => callerName(call) ?? formatCallNumber(call);
    let wanted = { highlighted: false, label: UTILITY_LABEL };
    if (ringing)
      wanted = {
        highlighted: true,
        label: `${ringing.direction === 'inbound' ? 'Ringing' : 'Calling'}: ${who(ringing)}`,
      };
    else if (talking) wanted = { highlighted: false, label: `On call: ${who(talking)}` };
    const shown = this.utilityShown;
    if (shown.label === wanted.label && shown.highlighted === wanted.highlighted) return;
    this.utilityShown = wanted;
    updateUtility(id, wanted).catch(() => undefined);
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
    const requestId = this.nextRequestId('link');
    if (this.connection?.send(callLinkFrame(call.id, recordId, requestId)))
      this.requests.set(requestId, { kind: 'link', callId: call.id });
    const linked = { ...call, linkedRecordId: recordId };
    this.calls = this.calls.map((c) => (c.id === call.id ? linked : c));
    this.recent = this.recent.map((c) => (c.id === call.id ? linked : c));
    this.announce(linked);
    this.syncUtility();
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
    if (typeof message.number !== 'string') return;
    const recordId = typeof message.recordId === 'string' ? message.recordId : undefined;
    this.placeCall(message.number, recordId, 'record');
  }

  private nextRequestId(kind: string): string {
    return `${kind}-${Date.now()}-${++this.requestCounter}`;
  }

  /** Every dial goes through here: the number box, the pad, redial and the record page. */
  private placeCall(rawNumber: string, recordId: string | undefined, source: DialSource): void {
    const number = rawNumber.trim();
    if (!number) return;
    const requestId = this.nextRequestId('dial');
    const sent = this.connection?.send(dialFrame(requestId, number, recordId)) === true;
    if (!sent) {
      this.dialError = {
        title: `Could not call ${displayDialNumber(number)}`,
        message: 'Switchboard is not connected.',
        hint: 'It reconnects by itself; try again once it says Connected.',
      };
      return;
    }
    this.dialError = null;
    this.requests.set(requestId, { kind: 'dial', number, source });
    this.pendingDials = [...this.pendingDials, { requestId, number, source }];
  }

  private handleDialResult(requestId: string, ok: boolean, error: FrameError | undefined): void {
    const request = this.requests.get(requestId);
    this.requests.delete(requestId);
    this.pendingDials = this.pendingDials.filter((p) => p.requestId !== requestId);
    if (request?.kind !== 'dial') return;
    if (ok) {
      if (request.source === 'pad' && this.dialNumber.trim() === request.number)
        this.dialNumber = '';
      return;
    }
    this.showDialError(request.number, error);
  }

  private showDialError(number: string, error: FrameError | undefined): void {
    this.dialError = {
      title: `Could not call ${displayDialNumber(number)}`,
      message: error?.message ?? 'The phone system refused the call.',
      hint: error?.hint ?? '',
    };
  }

  /** The bridge stored the note (ok), or says why not. */
  private handleNoteResult(frame: CallNoteResultFrame): void {
    const request = this.requests.get(frame.requestId);
    if (request?.kind !== 'note') return;
    this.requests.delete(frame.requestId);
    if (frame.ok) {
      this.setDraft(request.callId, { status: 'saved', error: '' });
      return;
    }
    this.showNoteError(request.callId, frame.error);
  }

  private showNoteError(callId: string, error: FrameError | undefined): void {
    const message = error?.message ?? 'Switchboard could not save the note.';
    const hint = error?.hint ? ` ${error.hint}` : '';
    this.setDraft(callId, { status: 'error', error: `${message}${hint}` });
  }

  /**
   * An `error` frame answering one of our requests; errors without one concern no button.
   * A failed note is answered by call.note.result and then this frame (for older clients):
   * the request is gone by then, so the error is not shown twice.
   */
  private handleRequestError(requestId: string | undefined, error: FrameError): void {
    if (requestId === undefined) return;
    const request = this.requests.get(requestId);
    this.requests.delete(requestId);
    if (!request) return;
    if (request.kind === 'dial') {
      this.pendingDials = this.pendingDials.filter((p) => p.requestId !== requestId);
      this.showDialError(request.number, error);
    } else if (request.kind === 'note') {
      this.showNoteError(request.callId, error);
    } else {
      this.linkError = `The call could not be linked to that record: ${error.message}`;
    }
  }

  /** The socket dropped: nothing in flight will be answered. */
  private dropRequests(): void {
    for (const [requestId, request] of this.requests) {
      if (request.kind === 'dial')
        this.showDialError(request.number, {
          code: 'DISCONNECTED',
          message: 'The connection to Switchboard dropped before the phone system answered.',
          hint: 'Check your phone; try again once Switchboard says Connected.',
        });
      else if (request.kind === 'note' && this.noteDrafts[request.callId]?.status === 'saving')
        this.setDraft(request.callId, {
          status: 'error',
          error: 'The connection dropped while saving. Save again once connected.',
        });
      this.requests.delete(requestId);
    }
    this.pendingDials = [];
  }

  handleDialInput(event: Event): void {
    this.dialNumber = (event.target as HTMLInputElement).value;
  }

  handleDialKeydown(event: KeyboardEvent): void {
    if (event.key !== 'Enter') return;
    event.preventDefault();
    this.placeCall((event.target as HTMLInputElement).value, undefined, 'pad');
  }

  handleDialClick(): void {
    this.placeCall(this.dialNumber, undefined, 'pad');
  }

  handlePadKey(event: Event): void {
    const key = (event.currentTarget as HTMLElement).dataset.key ?? '';
    this.dialNumber = `${this.dialNumber}${key}`;
  }

  handleToggleDialPad(): void {
    this.showDialPad = !this.showDialPad;
  }

  handleRedial(event: Event): void {
    const data = (event.currentTarget as HTMLElement).dataset;
    this.placeCall(data.number ?? '', data.recordId || undefined, 'recent');
  }

  handleDismissDialError(): void {
    this.dialError = null;
  }

  handleDismissLinkError(): void {
    this.linkError = '';
  }

  // ---- call notes and the call log ----------------------------------------------------

  private draftFor(callId: string): NoteDraft {
    return this.noteDrafts[callId] ?? EMPTY_DRAFT;
  }

  private setDraft(callId: string, change: Partial<NoteDraft>): void {
    this.noteDrafts = { ...this.noteDrafts, [callId]: { ...this.draftFor(callId), ...change } };
  }

  /** lightning-textarea fires change on every keystroke; its value is on the element. */
  handleNotesInput(event: Event): void {
    const target = event.target as HTMLElement & { value: string };
    const callId = target.dataset.callId;
    if (callId) this.setDraft(callId, { notes: target.value, status: 'idle', error: '' });
  }

  handleDispositionChange(event: Event): void {
    const target = event.target as HTMLSelectElement;
    const callId = target.dataset.callId;
    if (callId) this.setDraft(callId, { disposition: target.value, status: 'idle', error: '' });
  }

  handleSaveNotes(event: Event): void {
    const callId = (event.currentTarget as HTMLElement).dataset.callId;
    if (!callId) return;
    const draft = this.draftFor(callId);
    if (!draft.notes.trim() && !draft.disposition) return;
    const requestId = this.nextRequestId('note');
    const frame = callNoteFrame(
      callId,
      { notes: draft.notes, ...(draft.disposition ? { disposition: draft.disposition } : {}) },
      requestId,
    );
    if (this.connection?.send(frame) !== true) {
      this.setDraft(callId, {
        status: 'error',
        error: 'Switchboard is not connected. Save again once it says Connected.',
      });
      return;
    }
    this.requests.set(requestId, { kind: 'note', callId });
    this.setDraft(callId, { status: 'saving', error: '' });
    // "Saved" comes only with call.note.result; this only ends an unanswered wait.
    // eslint-disable-next-line @lwc/lwc/no-async-operation
    window.setTimeout(() => {
      if (!this.requests.has(requestId)) return;
      this.requests.delete(requestId);
      if (this.draftFor(callId).status === 'saving')
        this.setDraft(callId, {
          status: 'error',
          error: 'Switchboard did not confirm the note. Save again.',
        });
    }, NOTE_ANSWER_TIMEOUT_MS);
  }

  handleOpenTask(event: Event): void {
    const taskId = (event.currentTarget as HTMLElement).dataset.taskId;
    if (taskId) this.openRecord(taskId);
  }

  /** How long after hang-up the bridge takes notes (ready.settings.noteGraceSeconds). */
  private get noteGraceMs(): number {
    return this.bridgeSettings.noteGraceSeconds * 1000;
  }

  /** Notes are offered while connected and until the grace period after hang-up ends. */
  private notesOpen(call: Call): boolean {
    if (!this.preferences.logCalls || !this.bridgeSettings.logCalls) return false;
    if (call.log?.state === 'disabled' || call.log?.state === 'skipped') return false;
    if (call.state === 'connected') return true;
    if (call.state !== 'ended') return false;
    const ended = Date.parse(call.endedAt ?? '');
    return Number.isFinite(ended) && this.now < ended + this.noteGraceMs;
  }

  /** Re-renders when the earliest open grace period ends, so its notes form goes away. */
  private scheduleGraceEnd(): void {
    if (this.graceTimer !== undefined) window.clearTimeout(this.graceTimer);
    this.graceTimer = undefined;
    const ends = this.calls
      .filter((c) => c.state === 'ended' && this.notesOpen(c))
      .map((c) => Date.parse(c.endedAt ?? '') + this.noteGraceMs);
    if (ends.length === 0) return;
    const wait = Math.max(0, Math.min(...ends) - Date.now()) + 50;
    // The end of the grace period is a moment in time; nothing else would re-render then.
    // eslint-disable-next-line @lwc/lwc/no-async-operation
    this.graceTimer = window.setTimeout(() => {
      this.graceTimer = undefined;
      this.now = Date.now();
      this.scheduleGraceEnd();
    }, wait);
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
    this.scheduleGraceEnd();
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
      directionIcon: inbound ? 'utility:incoming_call' : 'utility:outbound_call',
      numberDisplay: number,
      stateLabel,
      stateClass,
      isRinging: call.state === 'ringing',
      lookupPending: call.lookup === 'pending',
      lookupFailed: call.lookup === 'failed',
      hasMatches: call.matches.length > 0,
      severalMatches: several,
      matchesHeading: several
        ? inbound
          ? `${call.matches.length} records have this number — who is calling?`
          : `${call.matches.length} records have this number — who are you calling?`
        : inbound
          ? 'Caller'
          : 'Calling',
      matches: call.matches.map((match) => ({
        key: `${call.id}-${match.id}`,
        match,
        fields: this.fieldsFor(match),
        selected: match.id === call.linkedRecordId,
      })),
      unknown: this.isUnknown(call),
      createContactLabel: `Create Contact with ${number}`,
      createLeadLabel: `Create Lead with ${number}`,
      ...this.notesViewOf(call),
      log: logView(call.log),
    };
  }

  private notesViewOf(call: Call) {
    const draft = this.draftFor(call.id);
    return {
      showNotes: this.notesOpen(call),
      notes: draft.notes,
      dispositionOptions: [
        { value: '', label: '--None--', selected: draft.disposition === '' },
        ...DISPOSITIONS.map((value) => ({
          value,
          label: value,
          selected: draft.disposition === value,
        })),
      ],
      noteSaveDisabled: draft.status === 'saving' || (!draft.notes.trim() && !draft.disposition),
      noteSaving: draft.status === 'saving',
      noteSaved: draft.status === 'saved',
      noteError: draft.status === 'error' ? `Not saved: ${draft.error}` : '',
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
      const redialNumber = call.withheld ? '' : (call.e164 ?? call.number.trim());
      return {
        id: call.id,
        label,
        detail: `${formatClock(call.startedAt)} · ${endReasonLabel(call.endReason)}${duration}`,
        icon: inbound ? 'utility:incoming_call' : 'utility:outbound_call',
        iconLabel: inbound ? 'Incoming' : 'Outgoing',
        recordId,
        openLabel: `Open ${label}`,
        redialNumber,
        redialRecordId: call.linkedRecordId ?? '',
        redialLabel: `Call ${label} again`,
        log: logView(call.log),
      };
    });
  }

  get showSettingsText(): string {
    return String(this.showSettings);
  }

  get hasPendingDials(): boolean {
    return this.pendingDials.length > 0;
  }

  get pendingDialViews(): { key: string; text: string }[] {
    return this.pendingDials.map((p) => ({
      key: p.requestId,
      text: `Calling ${displayDialNumber(p.number)}…`,
    }));
  }

  get dialCallDisabled(): boolean {
    return !this.dialNumber.trim();
  }

  get padKeys(): typeof PAD_KEYS {
    return PAD_KEYS;
  }

  get showDialPadText(): string {
    return String(this.showDialPad);
  }

  get dialPadIcon(): string {
    return this.showDialPad ? 'utility:chevrondown' : 'utility:chevronright';
  }

  get settingsIcon(): string {
    return this.showSettings ? 'utility:chevrondown' : 'utility:chevronright';
  }
}
