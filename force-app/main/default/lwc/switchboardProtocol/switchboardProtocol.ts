// Switchboard WebSocket protocol v1 as the browser sees it (docs/design.md): the frame and
// Call types, parsing of bridge frames, and builders for client frames. No UI, no I/O.

export const PROTOCOL_VERSION = 1;

export type CallDirection = 'inbound' | 'outbound';
export type CallState = 'ringing' | 'dialing' | 'connected' | 'ended';
export type LookupState = 'pending' | 'done' | 'failed';
export type MatchObject = 'Contact' | 'Lead' | 'Account';
export type EndReason =
  'completed' | 'missed' | 'busy' | 'no-answer' | 'answered-elsewhere' | 'failed';

export interface CallMatch {
  id: string;
  object: MatchObject;
  name: string;
  phoneField: string;
  accountId?: string;
  accountName?: string;
  ownerId?: string;
}

/** Call-log states of v1; `CallLog.state` is a plain string since later bridges may add some. */
export type CallLogState = 'pending' | 'logged' | 'parked' | 'disabled' | 'skipped';

export interface CallLog {
  state: string;
  taskId?: string;
  error?: { code: string; message: string };
}

/** What the bridge says went wrong, and what to do about it. */
export interface FrameError {
  code: string;
  message: string;
  hint?: string;
}

export interface Call {
  id: string;
  direction: CallDirection;
  state: CallState;
  extension: string;
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
  linkedRecordId?: string;
  log?: CallLog;
}

/** The bridge's call-log settings (ready.settings, extension of v1). */
export interface ReadySettings {
  /** call.note is accepted until this long after the call ended. */
  noteGraceSeconds: number;
  /** False: the bridge logs no calls and refuses notes. */
  logCalls: boolean;
}

/** What a bridge older than ready.settings does: the defaults of its config. */
export const DEFAULT_READY_SETTINGS: ReadySettings = { noteGraceSeconds: 300, logCalls: true };

export interface ReadyFrame {
  v: 1;
  type: 'ready';
  user: { id: string; email: string };
  extensions: string[];
  calls: Call[];
  warnings: string[];
  /** Always set by parseServerFrame: the bridge's, or DEFAULT_READY_SETTINGS from older ones. */
  settings: ReadySettings;
}
export interface CallFrame {
  v: 1;
  type: 'call';
  call: Call;
}
export interface DialResultFrame {
  v: 1;
  type: 'dial.result';
  requestId: string;
  ok: boolean;
  callId?: string;
  error?: FrameError;
}
/** The answer to a call.note sent with a requestId (extension of v1). */
export interface CallNoteResultFrame {
  v: 1;
  type: 'call.note.result';
  requestId: string;
  ok: boolean;
  log?: CallLog;
  error?: FrameError;
}
export interface ErrorFrame {
  v: 1;
  type: 'error';
  code: string;
  message: string;
  hint?: string;
  requestId?: string;
}
export type ServerFrame =
  ReadyFrame | CallFrame | DialResultFrame | CallNoteResultFrame | ErrorFrame;

export interface HelloFrame {
  v: 1;
  type: 'hello';
  token: string;
}
export interface DialFrame {
  v: 1;
  type: 'dial';
  requestId: string;
  number: string;
  recordId?: string;
}
export interface CallLinkFrame {
  v: 1;
  type: 'call.link';
  callId: string;
  recordId: string;
  requestId?: string;
}
export interface CallNoteFrame {
  v: 1;
  type: 'call.note';
  callId: string;
  notes?: string;
  disposition?: string;
  requestId?: string;
}
export type ClientFrame = HelloFrame | DialFrame | CallLinkFrame | CallNoteFrame;

/** Close codes the bridge uses (RFC 6455 private range). */
export const CloseCodes = {
  /** The first frame was not a v1 frame: this component and the bridge disagree on the protocol. */
  PROTOCOL_ERROR: 4400,
  BAD_TOKEN: 4401,
  ORIGIN_NOT_ALLOWED: 4403,
  HELLO_TIMEOUT: 4408,
} as const;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** ready.settings as far as it is usable; each missing or odd field keeps its default. */
function readySettings(value: unknown): ReadySettings {
  const settings = isObject(value) ? value : {};
  const grace = settings.noteGraceSeconds;
  return {
    noteGraceSeconds:
      typeof grace === 'number' && Number.isFinite(grace) && grace >= 0
        ? grace
        : DEFAULT_READY_SETTINGS.noteGraceSeconds,
    logCalls:
      typeof settings.logCalls === 'boolean' ? settings.logCalls : DEFAULT_READY_SETTINGS.logCalls,
  };
}

function isCall(value: unknown): value is Call {
  return (
    isObject(value) &&
    typeof value.id === 'string' &&
    typeof value.state === 'string' &&
    typeof value.direction === 'string' &&
    Array.isArray(value.matches)
  );
}

/**
 * Parses one text frame from the bridge. Returns null for anything this client cannot use
 * (not JSON, another protocol version, an unknown type): newer bridges may add frame types,
 * and an old component must ignore them rather than break.
 */
export function parseServerFrame(text: string): ServerFrame | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isObject(parsed) || parsed.v !== PROTOCOL_VERSION) return null;
  switch (parsed.type) {
    case 'ready':
      if (!isObject(parsed.user) || !Array.isArray(parsed.calls)) return null;
      return {
        ...(parsed as unknown as ReadyFrame),
        extensions: Array.isArray(parsed.extensions) ? (parsed.extensions as string[]) : [],
        warnings: Array.isArray(parsed.warnings) ? (parsed.warnings as string[]) : [],
        calls: parsed.calls.filter(isCall),
        settings: readySettings(parsed.settings),
      };
    case 'call':
      return isCall(parsed.call) ? (parsed as unknown as CallFrame) : null;
    case 'dial.result':
      return typeof parsed.requestId === 'string' ? (parsed as unknown as DialResultFrame) : null;
    case 'call.note.result':
      return typeof parsed.requestId === 'string' && typeof parsed.ok === 'boolean'
        ? (parsed as unknown as CallNoteResultFrame)
        : null;
    case 'error':
      return typeof parsed.code === 'string' ? (parsed as unknown as ErrorFrame) : null;
    default:
      return null;
  }
}

export function helloFrame(token: string): HelloFrame {
  return { v: 1, type: 'hello', token };
}

export function callLinkFrame(callId: string, recordId: string, requestId?: string): CallLinkFrame {
  return requestId === undefined
    ? { v: 1, type: 'call.link', callId, recordId }
    : { v: 1, type: 'call.link', callId, recordId, requestId };
}

/** Notes and/or a disposition for the call's Task; the bridge needs at least one of them. */
export function callNoteFrame(
  callId: string,
  note: { notes?: string; disposition?: string },
  requestId?: string,
): CallNoteFrame {
  const frame: CallNoteFrame = { v: 1, type: 'call.note', callId };
  if (note.notes !== undefined) frame.notes = note.notes;
  if (note.disposition !== undefined) frame.disposition = note.disposition;
  if (requestId !== undefined) frame.requestId = requestId;
  return frame;
}

export function dialFrame(requestId: string, number: string, recordId?: string): DialFrame {
  return recordId === undefined
    ? { v: 1, type: 'dial', requestId, number }
    : { v: 1, type: 'dial', requestId, number, recordId };
}

export function isActive(call: Call): boolean {
  return call.state !== 'ended';
}
