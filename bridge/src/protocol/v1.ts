// The WebSocket protocol v1 between the utility-bar component and the bridge, written once:
// every frame (both directions), the Call object, close codes, version and frame size.
// docs/protocol.md is its readable form (a test checks that every frame type and close code
// is documented there). The bridge parses client frames against these types
// (hub/protocol.ts); the component imports them with `import type`, which is erased, so
// nothing of bridge/ reaches the org. Keep this file free of imports.

export const PROTOCOL_VERSION = 1;

/** Larger frames are refused by ws itself (close 1009); no v1 frame needs more. */
export const MAX_FRAME_BYTES = 64 * 1024;

/**
 * Close codes the bridge uses. 4xxx mirror HTTP statuses so they read at a glance.
 * 4403: a browser Origin not in server.allowedOrigins (after an `error` frame saying which).
 */
export const CloseCodes = {
  /** The bridge is shutting down or restarting, or the session expired: reconnect with back-off. */
  GOING_AWAY: 1001,
  /** A frame larger than MAX_FRAME_BYTES (sent by ws). */
  MESSAGE_TOO_BIG: 1009,
  /** The bridge failed while setting up the session: reconnect with back-off. */
  INTERNAL_ERROR: 1011,
  /** The first frame was not a well-formed v1 frame (bad JSON, unknown type, wrong `v`). */
  BAD_FRAME_BEFORE_HELLO: 4400,
  /** Missing, invalid, expired or replayed identity token, or another frame sent before `hello`. */
  UNAUTHORIZED: 4401,
  /** The page's Origin is not allowed; an `error` frame naming it comes first. */
  ORIGIN_NOT_ALLOWED: 4403,
  /** No `hello` within the hello timeout. */
  HELLO_TIMEOUT: 4408,
  /** The client kept sending after being told it was rate limited. */
  RATE_LIMITED: 4429,
} as const;
export type CloseCode = (typeof CloseCodes)[keyof typeof CloseCodes];

// ---------------------------------------------------------------------------------------------
// The Call object

export type CallDirection = 'inbound' | 'outbound';
export type CallState = 'ringing' | 'dialing' | 'connected' | 'ended';
export type LookupState = 'pending' | 'done' | 'failed';
export type MatchObject = 'Contact' | 'Lead' | 'Account';

/**
 * Why a call ended (extension of v1, optional): `completed` after a conversation, `missed`
 * (nobody answered, the caller gave up, or it was busy), `answered-elsewhere` (a ring group or
 * queue call taken by a colleague), `failed` (the PBX could not place it).
 */
export type EndReason =
  'completed' | 'missed' | 'busy' | 'no-answer' | 'answered-elsewhere' | 'failed';

export interface CallMatch {
  id: string;
  object: MatchObject;
  name: string;
  /** The API name of the field whose value matched, e.g. MobilePhone. */
  phoneField: string;
  accountId?: string;
  accountName?: string;
  ownerId?: string;
}

/** Whether a call was logged to Salesforce as a Task, and if not, why (extension of v1). */
export interface CallLogView {
  /** Later bridges may add states; a client shows nothing for one it does not know. */
  state: 'pending' | 'logged' | 'parked' | 'disabled' | 'skipped';
  taskId?: string;
  /** Why it is not logged (yet): the last transient failure, the rejection, or the skip reason. */
  error?: { code: string; message: string };
}

/** When something happened that the bridge did not see: some time in this window (ISO 8601). */
export interface EstimatedTime {
  from: string;
  to: string;
}

/** A call as one rep sees it: one leg, on one extension. */
export interface Call {
  id: string;
  direction: CallDirection;
  state: CallState;
  extension: string;
  /** The remote party's number as the PBX gave it. */
  number: string;
  e164: string | null;
  /**
   * `e164` as a rep reads it, formatted by the bridge: the national form for numbers of
   * `phone.defaultCountry`, the international one otherwise. Absent when `e164` is null.
   * Extension of v1.
   */
  display?: string;
  withheld: boolean;
  internal: boolean;
  startedAt: string;
  answeredAt?: string;
  endedAt?: string;
  endReason?: EndReason;
  lookup: LookupState;
  matches: CallMatch[];
  /** The record the rep chose (call.link) or dialed from; extension of v1. */
  linkedRecordId?: string;
  /** Whether the call was logged to Salesforce as a Task, and if not, why; extension of v1. */
  log?: CallLogView;
  /**
   * Times the bridge had to estimate because it could not see the PBX then (an AMI cut, a
   * bridge restart): `answeredAt` / `endedAt` are the middle of the window; extension of v1.
   */
  estimated?: { answeredAt?: EstimatedTime; endedAt?: EstimatedTime };
  /** A click-to-dial that ended at the rep's own phone: the number was never dialed (extension of v1). */
  notDialed?: boolean;
  /** The rep put the call on hold (from the utility or the phone), extension of v1. */
  held?: boolean;
  /** The rep is consulting a colleague or number before an attended transfer (extension of v1). */
  consult?: ConsultView;
}

// ---------------------------------------------------------------------------------------------
// Call controls (extension of v1): the rep's desk phone does what the rep clicks.

/**
 * What a rep may ask of one of their own calls. `hangup` also declines a ringing call;
 * `transfer` is a blind transfer; `consult` starts an attended transfer, which
 * `consult.complete` hands over and `consult.cancel` abandons (back to the caller).
 */
export type CallControlAction =
  'hangup' | 'transfer' | 'consult' | 'consult.complete' | 'consult.cancel' | 'hold' | 'resume';

/** Every call control, once. */
export const CALL_CONTROL_ACTIONS = everyType<CallControlAction>({
  hangup: true,
  transfer: true,
  consult: true,
  'consult.complete': true,
  'consult.cancel': true,
  hold: true,
  resume: true,
});

/**
 * Where a transfer or consultation goes: an extension, a rep (by Salesforce user id, found with
 * `reps.search`; the bridge rings their extension), or a number (the dial policy applies).
 */
export interface TransferTarget {
  kind: 'extension' | 'rep' | 'number';
  value: string;
}

/** The consultation of an attended transfer under way on a call. */
export interface ConsultView {
  /** Whom the rep consults, as the rep would say it: an extension, a rep's name or a number. */
  to: string;
}

/** A colleague a rep can transfer to (`reps.result`). */
export interface RepEntry {
  userId: string;
  name: string;
  extension: string;
}

// ---------------------------------------------------------------------------------------------
// Client → bridge

export interface HelloFrame {
  v: typeof PROTOCOL_VERSION;
  type: 'hello';
  token: string;
}

export interface DialFrame {
  v: typeof PROTOCOL_VERSION;
  type: 'dial';
  requestId: string;
  number: string;
  recordId?: string;
}

export interface CallLinkFrame {
  v: typeof PROTOCOL_VERSION;
  type: 'call.link';
  callId: string;
  recordId: string;
  /** Optional correlation id, echoed in an `error` frame if the link fails. */
  requestId?: string;
}

export interface CallNoteFrame {
  v: typeof PROTOCOL_VERSION;
  type: 'call.note';
  callId: string;
  notes?: string;
  disposition?: string;
  /** Optional correlation id: when present the bridge answers with `call.note.result`. */
  requestId?: string;
}

/** A call control on one of the rep's own calls (extension of v1); answered by `call.control.result`. */
export interface CallControlFrame {
  v: typeof PROTOCOL_VERSION;
  type: 'call.control';
  requestId: string;
  callId: string;
  action: CallControlAction;
  /** For `transfer` and `consult`: where the call goes. */
  to?: TransferTarget;
}

/** Colleagues to transfer to, by name (extension of v1); answered by `reps.result`. */
export interface RepsSearchFrame {
  v: typeof PROTOCOL_VERSION;
  type: 'reps.search';
  requestId: string;
  query: string;
}

/**
 * Set the rep's own presence and/or pause or resume their queue membership (extension of v1).
 * It applies to every extension of the rep who sends it, never to anyone else's; answered by
 * `presence.result`. At least one of `state` and `queuePaused` is required.
 */
export interface PresenceSetFrame {
  v: typeof PROTOCOL_VERSION;
  type: 'presence.set';
  requestId: string;
  state?: PresenceState;
  /** true: take no queue calls (queue pause); false: take them again. */
  queuePaused?: boolean;
  /** Why the rep pauses (one of ready.presence.pauseReasons, or free text); with queuePaused: true. */
  pauseReason?: string;
}

// Admin frames (extension of v1): only a session whose identity token carries
// `switchboard_roles: ["admin"]` may send them; anyone else gets an `error` frame
// AUTH_NOT_ADMIN and keeps the socket.

/** Start (or renew) the live status: `admin.status` now, and again every few seconds. */
export interface AdminSubscribeFrame {
  v: typeof PROTOCOL_VERSION;
  type: 'admin.subscribe';
  requestId?: string;
}

/** Send a parked call log to Salesforce again (after fixing what Salesforce refused). */
export interface AdminRetryFrame {
  v: typeof PROTOCOL_VERSION;
  type: 'admin.retry';
  requestId: string;
  callId: string;
}

/** Run the installation check again; its report comes with the next `admin.status`. */
export interface AdminCheckFrame {
  v: typeof PROTOCOL_VERSION;
  type: 'admin.check';
  requestId: string;
}

export type ClientFrame =
  | HelloFrame
  | DialFrame
  | CallLinkFrame
  | CallNoteFrame
  | CallControlFrame
  | RepsSearchFrame
  | PresenceSetFrame
  | AdminSubscribeFrame
  | AdminRetryFrame
  | AdminCheckFrame;
export type ClientFrameType = ClientFrame['type'];

/** Every client frame type, once. */
export const CLIENT_FRAME_TYPES = everyType<ClientFrameType>({
  hello: true,
  dial: true,
  'call.link': true,
  'call.note': true,
  'call.control': true,
  'reps.search': true,
  'presence.set': true,
  'admin.subscribe': true,
  'admin.retry': true,
  'admin.check': true,
});

// ---------------------------------------------------------------------------------------------
// Bridge → client

/** Bridge settings the utility needs to behave like the bridge (extension of v1). */
export interface ReadySettings {
  /** How long after hang-up `call.note` is still accepted (callLog.noteGraceSeconds). */
  noteGraceSeconds: number;
  /** Whether ended calls are logged as Tasks at all (callLog.enabled); false: notes are refused. */
  logCalls: boolean;
}

/** The bridge's link to the phone system (extension of v1). */
export interface PbxStatus {
  /** False while the bridge cannot reach the PBX: no calls ring, dial fails with PBX_UNREACHABLE. */
  connected: boolean;
}

export interface ReadyFrame {
  v: typeof PROTOCOL_VERSION;
  type: 'ready';
  user: { id: string; email: string };
  extensions: string[];
  /** Calls in progress on the rep's extensions: what a reconnecting tab must show again. */
  calls: Call[];
  warnings: string[];
  /** Extension of v1; older bridges leave it out. */
  settings?: ReadySettings;
  /** The phone system link when the rep connected (extension of v1; `pbx` frames follow). */
  pbx?: PbxStatus;
  /**
   * The call controls this bridge's PBX offers (extension of v1): the utility shows the others
   * as unavailable. Absent from older bridges: none.
   */
  controls?: CallControlAction[];
  /**
   * What of presence this PBX supports (extension of v1; absent: none). A `presence` frame per
   * extension follows the ready frame.
   */
  presence?: PresenceSupport;
}

/** The phone system link went down or came back (extension of v1). */
export interface PbxFrame extends PbxStatus {
  v: typeof PROTOCOL_VERSION;
  type: 'pbx';
  /**
   * The call controls the PBX offers now, as in `ready.controls` (extension of v1; absent from
   * older bridges: unchanged). What Asterisk's manager user may send is only known after its
   * login, and may change with a reload of manager.conf.
   */
  controls?: CallControlAction[];
}

// ---------------------------------------------------------------------------------------------
// Presence (extension of v1)

/** Available; Do not disturb (the PBX rings no call through); Away (shown to colleagues). */
export type PresenceState = 'available' | 'dnd' | 'away';

/** What the rep may set here: the states this PBX can express, and whether queues can pause. */
export interface PresenceSupport {
  states: PresenceState[];
  queuePause: boolean;
  /** Reasons the utility offers for a queue pause (pbx.presence.pauseReasons). */
  pauseReasons: string[];
}

/** One extension's presence, as the bridge last learned it (from the rep or from the PBX). */
export interface Presence {
  state: PresenceState;
  /** Paused in the PBX's queues: no queue call rings this extension. */
  queuePaused: boolean;
  pauseReason?: string;
  /** Who changed it last: the rep from the utility, or the phone / the PBX itself. */
  changedBy: 'rep' | 'pbx';
  /** When it last changed (ISO 8601); absent when the bridge has not seen a change yet. */
  changedAt?: string;
}

/**
 * The presence of one of the rep's extensions (extension of v1): after `ready`, and whenever it
 * changes — from this or another tab, from the phone, or from the PBX.
 */
export interface PresenceFrame {
  v: typeof PROTOCOL_VERSION;
  type: 'presence';
  extension: string;
  presence: Presence;
}

/** The answer to `presence.set` (extension of v1). */
export interface PresenceResultFrame {
  v: typeof PROTOCOL_VERSION;
  type: 'presence.result';
  requestId: string;
  ok: boolean;
  /** On success: the presence of the rep's (first) extension afterwards. */
  presence?: Presence;
  error?: FrameError;
}

export interface CallFrame {
  v: typeof PROTOCOL_VERSION;
  type: 'call';
  call: Call;
}

/** What the bridge says went wrong, and what to do about it. */
export interface FrameError {
  /** A stable error code (bridge/src/errors.ts); codes may be added within v1. */
  code: string;
  message: string;
  hint?: string;
}

export interface DialResultFrame {
  v: typeof PROTOCOL_VERSION;
  type: 'dial.result';
  requestId: string;
  ok: boolean;
  /** The PBX's id for the call it placed, when the PBX says (not a Call.id). */
  callId?: string;
  error?: FrameError;
}

/** The answer to a `call.note` that carried a requestId (extension of v1). */
export interface CallNoteResultFrame {
  v: typeof PROTOCOL_VERSION;
  type: 'call.note.result';
  requestId: string;
  ok: boolean;
  /** On success: the call's log status after the note was stored, when the call has one yet. */
  log?: CallLogView;
  error?: FrameError;
}

/** The answer to `call.control` (extension of v1): done, or refused with why. */
export interface CallControlResultFrame {
  v: typeof PROTOCOL_VERSION;
  type: 'call.control.result';
  requestId: string;
  callId: string;
  action: CallControlAction;
  /** True: the PBX accepted the control; the call's changes follow as `call` frames. */
  ok: boolean;
  error?: FrameError;
}

/** The answer to `reps.search` (extension of v1): at most 10 colleagues, by name. */
export interface RepsResultFrame {
  v: typeof PROTOCOL_VERSION;
  type: 'reps.result';
  requestId: string;
  reps: RepEntry[];
}

export interface ErrorFrame extends FrameError {
  v: typeof PROTOCOL_VERSION;
  type: 'error';
  requestId?: string;
}

// ---------------------------------------------------------------------------------------------
// Admin status (extension of v1): what the Switchboard Setup page shows.

/** The installation check (`switchboard-bridge check`), step by step. */
export type CheckStepId =
  | 'configuration'
  | 'identity-certificate'
  | 'salesforce-login'
  | 'salesforce-access'
  | 'users'
  | 'browser-access'
  | 'pbx';
export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

/** One thing wrong, and what to do about it. */
export interface CheckProblem {
  message: string;
  fix: string;
}

export interface CheckStepResult {
  id: CheckStepId;
  title: string;
  /** Where the admin set this up, e.g. "docs/install.md step 3". */
  guide: string;
  status: CheckStatus;
  /** What was found, in one line (or why the step was skipped). */
  summary: string;
  /** Why the step fails: each stops the bridge from working as installed. */
  problems: CheckProblem[];
  /** Worth fixing, but the bridge works: a step with only these passes with "!". */
  warnings: CheckProblem[];
}

export interface CheckReport {
  /** No step failed. */
  ok: boolean;
  checkedAt: string;
  /** What was checked: the config file, or the running bridge's configuration. */
  source: string;
  steps: CheckStepResult[];
}

/** A rep (or admin) connected right now. */
export interface AdminConnectedUser {
  userId: string;
  email: string;
  extensions: string[];
  /** Open sockets: browser tabs, or the utility and the Setup page. */
  tabs: number;
  admin: boolean;
}

/** One extension of the mapping PBX ↔ Salesforce. */
export interface AdminMappingRow {
  extension: string;
  email: string;
  /** The active Salesforce user with this email; absent: the extension pops for nobody. */
  salesforceUserId?: string;
  name?: string;
}

export interface AdminParkedLog {
  callId: string;
  extension: string;
  subject: string;
  error: { code: string; message: string };
  attempts: number;
  parkedAt: string;
}

export interface AdminDirectoryStatus {
  enabled: boolean;
  /** Every object has finished its first load: lookups come from the index. */
  ready?: boolean;
  syncing?: boolean;
  lastSyncAt?: string | null;
  lastError?: { code: string; message: string } | null;
  totalRecords?: number;
  numbers?: number;
  /** Per object: the sync phase and how many records are loaded. */
  objects?: Record<string, { phase: string; loaded: number }>;
}

/** A warning or error the bridge logged recently (no secrets; numbers masked as in the log). */
export interface AdminLogEntry {
  at: string;
  level: 'warn' | 'error' | 'fatal';
  message: string;
  code?: string;
  component?: string;
}

export interface AdminStatus {
  at: string;
  startedAt: string;
  pbx: { adapter: string; connected: boolean };
  salesforce: {
    connected: boolean;
    orgId?: string;
    instanceUrl?: string;
    apiUsage?: { used: number; max: number };
  };
  connected: AdminConnectedUser[];
  mapping: AdminMappingRow[];
  /** Reps the mapping misses the other way (Salesforce → PBX), from the last check. */
  mismatches: CheckProblem[];
  directory: AdminDirectoryStatus;
  callLog: {
    enabled: boolean;
    counts: Record<string, number>;
    parked: AdminParkedLog[];
  };
  /** The last installation check; absent until one ran. */
  check?: CheckReport;
  recentErrors: AdminLogEntry[];
}

export interface AdminStatusFrame {
  v: typeof PROTOCOL_VERSION;
  type: 'admin.status';
  status: AdminStatus;
}

/** The answer to admin.retry and admin.check (and admin.subscribe with a requestId). */
export interface AdminResultFrame {
  v: typeof PROTOCOL_VERSION;
  type: 'admin.result';
  requestId: string;
  ok: boolean;
  error?: FrameError;
}

export type ServerFrame =
  | ReadyFrame
  | CallFrame
  | DialResultFrame
  | CallNoteResultFrame
  | CallControlResultFrame
  | RepsResultFrame
  | ErrorFrame
  | AdminStatusFrame
  | AdminResultFrame
  | PbxFrame
  | PresenceFrame
  | PresenceResultFrame;
export type ServerFrameType = ServerFrame['type'];

/** Every server frame type, once. */
export const SERVER_FRAME_TYPES = everyType<ServerFrameType>({
  ready: true,
  call: true,
  'dial.result': true,
  'call.note.result': true,
  'call.control.result': true,
  'reps.result': true,
  error: true,
  'admin.status': true,
  'admin.result': true,
  pbx: true,
  presence: true,
  'presence.result': true,
});

/** A list of frame types that the compiler checks is whole: a record needs every key, no other. */
function everyType<T extends string>(all: Record<T, true>): T[] {
  return Object.keys(all) as T[];
}
