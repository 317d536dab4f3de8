// The boundary between the bridge and a phone system. Each adapter (asterisk, webhook,
// simulator) translates vendor traffic into CallEvents and places calls; nothing vendor-
// specific crosses this interface.
import type { CallEvent, ResumeState } from '../calls/call';
import type { CallControlAction } from '../protocol/v1';
import type { PbxUser } from '../users/user-directory';
import type {
  PbxPresenceSupport,
  PresenceChange,
  PresenceListener,
  PresenceReport,
} from '../presence/presence';

export interface DialRequest {
  requestId: string;
  /** The rep's own extension: their phone rings first. */
  extension: string;
  /** The number in the form the PBX wants (see phone.dialFormat), e.g. 815551234567. */
  number: string;
  /**
   * The number the rep dialed, as the call's number (E.164 when it is one): what the pop and
   * the Task show and what the caller lookup searches. Defaults to `number`.
   */
  callNumber?: string;
  /** Caller id to present on the rep's phone while it rings (the remote number or name). */
  callerIdName?: string;
}

/**
 * Where a transfer or consultation goes, checked by the bridge: a colleague's extension, or a
 * number that passed the dial policy, in the form the PBX dials (phone/dial-policy.ts).
 */
export interface ControlTarget {
  /** What the PBX is asked to dial: an extension's digits, or the number in the dial format. */
  dial: string;
  /** The colleague's extension when the target is one (their leg pops with the caller). */
  extension?: string;
}

/** A call control the call core checked (the rep's own call, not ended, in the right state). */
export interface PbxControlRequest {
  action: CallControlAction;
  /** The PBX's id of the call, as its CallEvents carried it. */
  pbxCallId: string;
  /** The rep's extension: the leg the control acts on. */
  extension: string;
  /** For `transfer` and `consult`. */
  to?: ControlTarget;
}

export interface DialResult {
  /** The PBX call id the originated call will carry in its CallEvents, when known. */
  pbxCallId?: string;
}

/** What listUsers reports: the PBX's users with their emails (users/ maps them to reps). */
export type { PbxUser } from '../users/user-directory';

export type CallEventListener = (event: CallEvent) => void;

/** What the bridge knew of calls under way when it last stopped (the call core's store). */
export type { ResumeState } from '../calls/call';

/** One thing wrong with the PBX set-up, and what to do about it. */
export interface PbxFinding {
  message: string;
  fix: string;
}

/** What an adapter can tell about its own set-up, for `check` (check/steps/pbx-step.ts). */
export interface PbxSelfCheck {
  summary: string;
  /** The bridge cannot work with this PBX as set up. */
  problems: PbxFinding[];
  /** Worth fixing; the bridge works. */
  warnings: PbxFinding[];
}

/** Features in use that need more of the PBX than calls and dialing do. */
export interface PbxUses {
  /** directory.astdb: caller names written into the PBX. */
  callerNamePush: boolean;
  /** Whether this adapter places the calls (false: it only adds events next to another). */
  dialing?: boolean;
  /** What reps may set from the utility (pbx.presence): states at all, and queue pause. */
  presence?: { states: boolean; queuePause: boolean };
}

export interface PbxAdapter {
  readonly name: string;
  /** Begin delivering events to the listener. Resolves once connected (or gives up cleanly). */
  start(listener: CallEventListener): Promise<void>;
  stop(): Promise<void>;
  /** Ring the rep's extension, then the number. Rejects with a SwitchboardError (DIAL_/PBX_ codes). */
  dial(request: DialRequest): Promise<DialResult>;
  /** Users with emails the PBX can report itself; empty when it has none. */
  listUsers(): Promise<PbxUser[]>;
  /** Whether the adapter currently has a working link to the PBX (for /healthz and status). */
  isConnected(): boolean;
  /**
   * Before start(), after a restart: the calls the bridge had. An adapter that can ask the PBX
   * what is still up ends the rest; without this method they end on their next event or expire.
   */
  resume?(state: ResumeState): void;
  /** Told whenever the link to the PBX goes up or down (reps see "phone system not connected"). */
  onConnectionChange?(listener: (connected: boolean) => void): void;
  /**
   * Looks at the PBX the way `check` reports it: can the bridge log in, may it do what it needs.
   * Without it, check says there is nothing to look at (the simulator).
   */
  selfCheck?(uses: PbxUses): Promise<PbxSelfCheck>;
  /**
   * The call controls this adapter offers as configured (what `ready.controls` tells the
   * utility). Without it, or without `control`, none.
   */
  controls?(): readonly CallControlAction[];
  /**
   * Has the PBX do one call control. Resolves once the PBX accepted it; what follows (legs
   * ending, ringing, on hold) arrives as CallEvents. Rejects with a SwitchboardError (PBX_ codes).
   */
  control?(request: PbxControlRequest): Promise<void>;

  // Presence (presence/): all optional; without presenceSupport the utility offers none.
  /** The presence states and queue pause this PBX can express as configured. */
  presenceSupport?(): PbxPresenceSupport;
  /** Sets one extension's state and/or queue pause. Rejects with a SwitchboardError (PBX_ codes). */
  setPresence?(extension: string, change: PresenceChange): Promise<void>;
  /** Asks the PBX for one extension's presence, where it can say; undefined when it cannot. */
  readPresence?(extension: string): Promise<PresenceReport | undefined>;
  /** Told of every presence change the PBX reports, also those made on the phone. */
  onPresenceChange?(listener: PresenceListener): void;
}
