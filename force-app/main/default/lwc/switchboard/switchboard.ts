// The Switchboard utility: owns the connection to the bridge (c/switchboardConnection) and
// the screen state — the rep's calls, recent calls, dials and notes in flight, preferences —
// and announces the caller; what happens once per call (open the utility, open or create a
// record) is ./screenPop. What each part looks like is a child component that gets its data through
// @api properties and tells this one what the rep did through events.
import { LightningElement, wire } from 'lwc';
import { NavigationMixin, type PageReference } from 'lightning/navigation';
import { MessageContext } from 'lightning/messageService';
import { EnclosingUtilityId, open, updateUtility } from 'lightning/platformUtilityBarApi';
import { IsConsoleNavigation, openTab } from 'lightning/platformWorkspaceApi';
import getToken from '@salesforce/apex/SwitchboardTokenController.getToken';
import {
  SwitchboardConnection,
  errorMessage,
  notEnabledProblem,
  type ConnectionStatus,
} from 'c/switchboardConnection';
import { DEFAULT_READY_SETTINGS, type Call, type ReadySettings } from 'c/switchboardProtocol';
import { formatLabel } from 'c/switchboardFormat';
import {
  UTILITY_LABEL,
  announcement,
  applyCall,
  linkCall,
  notesOpen,
  replaceActiveCalls,
  nameKey,
  utilityItem,
  visibleCall,
  type CallLists,
  type VisibleNames,
  type NotesContext,
  type UtilityItem,
} from 'c/switchboardCalls';
import { EMPTY_DRAFT, type NoteDraft } from 'c/switchboardCallNotes';
import type { ControlDetail } from 'c/switchboardCallControls';
import type { PreferenceName } from 'c/switchboardPreferences';
import { CallClock } from './callClock';
import { BridgeRequests, NO_REQUESTS, type DialSource, type RequestsView } from './requests';
import {
  DEFAULT_PREFERENCES,
  loadPreferences,
  saveRepPreferences,
  type SwitchboardPreferences,
} from './preferences';
import { NO_PRESENCE_VIEW, PresenceRequests, type PresenceChange } from './presence';
import { RecordDials, type MessageContextValue } from './recordDials';
import { CallControlRequests, NO_CALL_CONTROLS, type CallControlsState } from './callControls';
import { ScreenPop, newRecordPage, recordPage } from './screenPop';
import LABELS from './labels';

export default class Switchboard extends NavigationMixin(LightningElement) {
  status: ConnectionStatus = { state: 'idle', attempt: 0 };
  userEmail = '';
  extensions: string[] = [];
  warnings: string[] = [];
  /** The bridge cannot see the phone system (ready.pbx, then pbx frames): calls do not ring here. */
  pbxDown = false;
  /** The bridge's call-log settings (ready.settings): when notes are still taken. */
  bridgeSettings: ReadySettings = { ...DEFAULT_READY_SETTINGS };
  preferences: SwitchboardPreferences = { ...DEFAULT_PREFERENCES };
  preferencesError = '';
  /** Calls in progress and the last ended call (newest first), and this session's recent calls. */
  lists: CallLists = { calls: [], recent: [] };
  announcement = '';
  now = Date.now();
  /** The number box of the dial pad. */
  dialNumber = '';
  /** Dials, notes and links sent to the bridge and what became of them (see ./requests). */
  requestsView: RequestsView = NO_REQUESTS;
  /** The rep's presence and queue pause, and a change under way (see ./presence). */
  presenceView = NO_PRESENCE_VIEW;
  /** Hang up, transfer, hold: what the phone system offers and each call's last control. */
  controlsState: CallControlsState = NO_CALL_CONTROLS;

  labels = LABELS;
  utilityId: string | undefined;
  isConsole = false;
  messageContext: MessageContextValue | undefined;

  private connection: SwitchboardConnection | undefined;
  /** Click-to-dial from a record page (Lightning Message Service), see ./recordDials. */
  private readonly recordDials = new RecordDials((number, recordId) =>
    this.requests.dial(number, recordId, 'record'),
  );
  private readonly clock = new CallClock({
    tick: (now) => {
      this.now = now;
    },
    calls: () => this.lists.calls,
    notes: () => ({ settings: this.bridgeSettings, logCalls: this.preferences.logCalls }),
  });
  private readonly screenPop = new ScreenPop({
    openUtility: () => {
      if (!this.utilityId) return false;
      open(this.utilityId, { autoFocus: false }).catch(() => undefined);
      return true;
    },
    openRecord: (recordId) => this.openRecord(recordId),
    createRecord: (objectApiName, call) => this.navigate(newRecordPage(objectApiName, call)),
  });
  /** Per call id: what was last announced, so a frame that changes nothing is not re-read. */
  private announced = new Map<string, string>();
  /**
   * What Lightning Data Service let this rep see of each matched record (by 15-character id).
   * Everything the rep reads — cards, the utility label, announcements, recent calls — takes
   * names from here, never from the bridge, which reads as the integration user.
   */
  visibleNames: VisibleNames = new Map();
  /** What the utility bar item says now (as configured until a call changes it). */
  private utilityShown: UtilityItem = { highlighted: false, label: UTILITY_LABEL };

  // Not rendered itself: it publishes a new requestsView (which is) on every change.
  private readonly requests = new BridgeRequests({
    send: (frame) => this.connection?.send(frame) === true,
    onChange: (view) => {
      this.requestsView = view;
    },
  });

  private readonly presence = new PresenceRequests({
    send: (frame) => this.connection?.send(frame) === true,
    onChange: (view) => {
      this.presenceView = view;
    },
  });

  private readonly controls = new CallControlRequests({
    send: (frame) => this.connection?.send(frame) === true,
    onChange: (state) => {
      this.controlsState = state;
    },
  });

  @wire(EnclosingUtilityId)
  wiredUtilityId(value: string | undefined): void {
    this.utilityId = value ?? undefined;
  }

  @wire(IsConsoleNavigation)
  wiredIsConsole(value: boolean | undefined): void {
    this.isConsole = value === true;
  }

  @wire(MessageContext)
  wiredMessageContext(value: MessageContextValue | undefined): void {
    this.messageContext = value;
    this.recordDials.start(value);
  }

  override connectedCallback(): void {
    this.start().catch(() => undefined);
  }

  override disconnectedCallback(): void {
    this.connection?.stop();
    this.connection = undefined;
    this.recordDials.stop();
    this.clock.stop();
    this.requests.stop();
  }

  private async start(): Promise<void> {
    this.status = { state: 'connecting', attempt: 0 };
    try {
      this.preferences = await loadPreferences();
    } catch (error) {
      // Not enabled for this user: say so, rather than "no bridge URL is set".
      const notEnabled = notEnabledProblem(errorMessage(error));
      if (notEnabled !== undefined) {
        this.status = { state: 'failed', problem: notEnabled, attempt: 0 };
        return;
      }
      this.preferencesError = errorMessage(error);
    }
    this.connection = new SwitchboardConnection({
      url: this.preferences.bridgeUrl,
      getToken: () => getToken(),
      origin: window.location.origin,
      listener: {
        onStatus: (status) => {
          this.status = status;
          if (status.state !== 'connected' && status.state !== 'connecting') {
            this.requests.dropAll();
            this.presence.dropAll();
            this.controls.dropAll();
          }
        },
        onReady: (frame) => {
          this.userEmail = frame.user.email;
          this.extensions = frame.extensions;
          this.warnings = frame.warnings;
          this.bridgeSettings = frame.settings;
          this.pbxDown = !frame.pbx.connected;
          this.presence.ready(frame.presence, frame.extensions);
          this.controls.setAvailable(frame.controls);
          this.lists = replaceActiveCalls(this.lists, frame.calls);
          for (const call of frame.calls) this.react(call);
          this.afterCallsChanged();
        },
        onCall: (frame) => {
          this.lists = applyCall(this.lists, frame.call);
          this.react(frame.call);
          this.afterCallsChanged();
        },
        onDialResult: (frame) => {
          const dialed = this.requests.dialAnswered(frame.requestId, frame.ok, frame.error);
          if (dialed?.source === 'pad' && this.dialNumber.trim() === dialed.number)
            this.dialNumber = '';
        },
        onNoteResult: (frame) => {
          this.requests.noteAnswered(frame.requestId, frame.ok, frame.error);
        },
        onError: (frame) => {
          this.requests.refused(frame.requestId, frame);
          this.presence.refused(frame.requestId, frame);
          this.controls.refused(frame.requestId, frame);
        },
        onControlResult: (frame) => this.controls.answered(frame),
        onRepsResult: (frame) => this.controls.repsFound(frame),
        onPbx: (frame) => {
          this.pbxDown = !frame.connected;
          if (frame.controls) this.controls.setAvailable(frame.controls);
        },
        onPresence: (frame) => this.presence.changed(frame.extension, frame.presence),
        onPresenceResult: (frame) => this.presence.answered(frame),
      },
    });
    this.connection.start();
  }

  // ---- what happens once per call ------------------------------------------------------

  /** Reactions to a call: pop the utility, announce, open or create records (./screenPop). */
  private react(call: Call): void {
    if (call.state === 'ended') return;
    // The dial the rep placed has become a call: it is no longer "Calling …".
    if (call.direction === 'outbound') this.requests.clearPendingDials();
    this.screenPop.react(call, this.preferences);
    this.announce(call);
  }

  /** A call as this rep may see it (names from LDS only). */
  private seen(call: Call): Call {
    return visibleCall(call, this.visibleNames);
  }

  private announce(call: Call): void {
    const text = announcement(this.seen(call));
    if (this.announced.get(call.id) === text) return;
    this.announced.set(call.id, text);
    this.announcement = text;
  }

  private afterCallsChanged(): void {
    const id = this.utilityId;
    const wanted = utilityItem(this.lists.calls.map((c) => this.seen(c)));
    const shown = this.utilityShown;
    if (id && (shown.label !== wanted.label || shown.highlighted !== wanted.highlighted)) {
      this.utilityShown = wanted;
      updateUtility(id, wanted).catch(() => undefined);
    }
    this.clock.update();
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
    this.navigate(recordPage(recordId), recordId);
  }

  private findCall(id: string | undefined): Call | undefined {
    const { calls, recent } = this.lists;
    return calls.find((c) => c.id === id) ?? recent.find((c) => c.id === id);
  }

  // ---- what the rep did in a child ----------------------------------------------------

  /** A caller card, a recent call or the Logged link (a Task). */
  handleOpenRecord(event: CustomEvent<{ recordId?: string }>): void {
    if (event.detail.recordId) this.openRecord(event.detail.recordId);
  }

  /**
   * A caller card heard from Lightning Data Service what the rep may see of its record: the
   * utility label and the announcement may now name the caller (or still not).
   */
  handleVisibleName(
    event: CustomEvent<{
      callId: string;
      recordId?: string;
      name: string | null;
      accountName: string | null;
    }>,
  ): void {
    const { callId, recordId, name, accountName } = event.detail;
    if (!recordId) return;
    const key = nameKey(recordId);
    const before = this.visibleNames.get(key);
    if (before?.name === name && before?.accountName === accountName) return;
    this.visibleNames = new Map(this.visibleNames).set(key, { name, accountName });
    const call = this.findCall(callId);
    if (call && call.state !== 'ended') this.announce(call);
    this.afterCallsChanged();
  }

  /** Several matches: the rep says which one is calling; the bridge logs the call on it. */
  handlePick(event: CustomEvent<{ callId: string; recordId: string }>): void {
    const { callId, recordId } = event.detail;
    if (!this.findCall(callId) || !recordId) return;
    this.requests.link(callId, recordId);
    this.lists = linkCall(this.lists, callId, recordId);
    const linked = this.findCall(callId);
    if (linked) this.announce(linked);
    this.afterCallsChanged();
    this.openRecord(recordId);
  }

  handleCreate(event: CustomEvent<{ callId: string; objectApiName: 'Contact' | 'Lead' }>): void {
    const call = this.findCall(event.detail.callId);
    if (call) this.navigate(newRecordPage(event.detail.objectApiName, call));
  }

  handleRetry(): void {
    if (this.connection) this.connection.retryNow();
    else this.start().catch(() => undefined);
  }

  handleDismissLinkError(): void {
    this.requests.dismissLinkError();
  }

  /** The presence control: a state, or a queue pause with its reason. */
  handlePresenceChange(event: CustomEvent<PresenceChange>): void {
    this.presence.set(event.detail);
  }

  handleDialNumberChange(event: CustomEvent<{ number: string }>): void {
    this.dialNumber = event.detail.number;
  }

  /** The number box (source pad) or a recent call's call button (source recent). */
  handleDial(event: CustomEvent<{ number: string; recordId?: string; source: DialSource }>): void {
    const { number, recordId, source } = event.detail;
    this.requests.dial(number, recordId, source);
  }

  /** Hang up, transfer or hold one of the rep's calls; find colleagues to transfer to. */
  handleControl(event: CustomEvent<ControlDetail & { callId: string }>): void {
    this.controls.control(event.detail.callId, event.detail.action, event.detail.to);
  }

  handleSearchReps(event: CustomEvent<{ query: string }>): void {
    this.controls.searchReps(event.detail.query);
  }

  handleDismissDialError(): void {
    this.requests.dismissDialError();
  }

  handleDraftChange(event: CustomEvent<{ callId: string } & Partial<NoteDraft>>): void {
    const { callId, ...change } = event.detail;
    this.requests.editNote(callId, change);
  }

  handleSaveNotes(event: CustomEvent<{ callId: string }>): void {
    this.requests.saveNote(event.detail.callId);
  }

  async handlePreferenceChange(
    event: CustomEvent<{ name: PreferenceName; checked: boolean }>,
  ): Promise<void> {
    const previous = this.preferences;
    this.preferences = { ...previous, [event.detail.name]: event.detail.checked };
    try {
      await saveRepPreferences(this.preferences);
      this.preferencesError = '';
    } catch (error) {
      this.preferences = previous;
      this.preferencesError = formatLabel(LABELS.preferenceNotSaved, errorMessage(error));
    }
  }

  private get notesContext(): NotesContext {
    return { settings: this.bridgeSettings, logCalls: this.preferences.logCalls, now: this.now };
  }

  // ---- what the template shows --------------------------------------------------------

  get showConnected(): boolean {
    return this.status.state === 'connected';
  }

  /** The presence control, where the bridge offers something to set. */
  get showPresence(): boolean {
    const { support } = this.presenceView;
    return this.showConnected && (support.states.length > 0 || support.queuePause);
  }

  /** "No calls right now…" — not while the phone system is down, when calls cannot appear. */
  get showIdle(): boolean {
    return this.showConnected && !this.pbxDown && this.lists.calls.length === 0;
  }

  get hasRecent(): boolean {
    return this.lists.recent.length > 0;
  }

  /** Recent calls as this rep may see them (names from LDS only). */
  get recentCalls(): Call[] {
    return this.lists.recent.map((call) => this.seen(call));
  }

  /** Each call panel's data: the call, the fields its caller cards show, notes and controls. */
  get callItems() {
    const context = this.notesContext;
    return this.lists.calls.map((call) => ({
      key: call.id,
      call: this.seen(call),
      notesOpen: notesOpen(call, context),
      draft: this.requestsView.drafts[call.id] ?? EMPTY_DRAFT,
      controls: CallControlRequests.viewFor(this.controlsState, call.id),
    }));
  }

  get matchFields(): Record<string, string[]> {
    const { contactFields, leadFields, accountFields } = this.preferences;
    return { Contact: contactFields, Lead: leadFields, Account: accountFields };
  }
}
