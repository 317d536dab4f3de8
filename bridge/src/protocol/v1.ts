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

/** A call as one rep sees it: one leg, on one extension. */
export interface Call {
  id: string;
  direction: CallDirection;
  state: CallState;
  extension: string;
  /** The remote party's number as the PBX gave it. */
  number: string;
  e164: string | null;
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

export type ClientFrame = HelloFrame | DialFrame | CallLinkFrame | CallNoteFrame;
export type ClientFrameType = ClientFrame['type'];

/** Every client frame type, once. */
export const CLIENT_FRAME_TYPES = everyType<ClientFrameType>({
  hello: true,
  dial: true,
  'call.link': true,
  'call.note': true,
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

export interface ErrorFrame extends FrameError {
  v: typeof PROTOCOL_VERSION;
  type: 'error';
  requestId?: string;
}

export type ServerFrame =
  ReadyFrame | CallFrame | DialResultFrame | CallNoteResultFrame | ErrorFrame;
export type ServerFrameType = ServerFrame['type'];

/** Every server frame type, once. */
export const SERVER_FRAME_TYPES = everyType<ServerFrameType>({
  ready: true,
  call: true,
  'dial.result': true,
  'call.note.result': true,
  error: true,
});

/** A list of frame types that the compiler checks is whole: a record needs every key, no other. */
function everyType<T extends string>(all: Record<T, true>): T[] {
  return Object.keys(all) as T[];
}
