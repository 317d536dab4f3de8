// Switchboard WebSocket protocol v1 as the browser sees it: the frame and Call types (declared
// once, in the bridge's bridge/src/protocol/v1.ts, and imported as types only: erased at compile
// time, so nothing of the bridge reaches the org), parsing of bridge frames, and builders for
// client frames. No UI, no I/O.
import type {
  AdminCheckFrame,
  AdminResultFrame,
  AdminRetryFrame,
  AdminStatus,
  AdminStatusFrame,
  AdminSubscribeFrame,
  CallControlAction,
  CallControlFrame,
  CallControlResultFrame,
  CallLogView,
  CloseCodes as ProtocolCloseCodes,
  PROTOCOL_VERSION as ProtocolVersion,
  ReadyFrame as ProtocolReadyFrame,
  ServerFrame as ProtocolServerFrame,
  ReadySettings,
  CallFrame,
  CallLinkFrame,
  CallNoteFrame,
  CallNoteResultFrame,
  Call,
  DialFrame,
  DialResultFrame,
  ErrorFrame,
  HelloFrame,
  PbxStatus,
  PresenceFrame,
  PresenceResultFrame,
  PresenceSetFrame,
  PresenceState,
  PresenceSupport,
  RepsResultFrame,
  RepsSearchFrame,
  TransferTarget,
} from '../../../../../bridge/src/protocol/v1';

export type {
  AdminConnectedUser,
  AdminDirectoryStatus,
  AdminLogEntry,
  AdminMappingRow,
  AdminParkedLog,
  AdminResultFrame,
  AdminStatus,
  AdminStatusFrame,
  CheckProblem,
  CheckReport,
  CheckStatus,
  CheckStepResult,
  Call,
  CallControlAction,
  CallControlFrame,
  CallControlResultFrame,
  CallDirection,
  CallFrame,
  CallLinkFrame,
  CallMatch,
  CallNoteFrame,
  CallNoteResultFrame,
  CallState,
  ClientFrame,
  DialFrame,
  DialResultFrame,
  EndReason,
  ErrorFrame,
  FrameError,
  HelloFrame,
  LookupState,
  MatchObject,
  PbxFrame,
  PbxStatus,
  Presence,
  PresenceFrame,
  PresenceResultFrame,
  PresenceSetFrame,
  PresenceState,
  PresenceSupport,
  ReadySettings,
  RepEntry,
  RepsResultFrame,
  RepsSearchFrame,
  TransferTarget,
} from '../../../../../bridge/src/protocol/v1';

/** The run-time constants this component needs; the compiler holds them to the protocol's. */
export const PROTOCOL_VERSION: typeof ProtocolVersion = 1;

/**
 * The close codes this component tells apart, named as in the protocol; any other close is
 * retried with back-off. The compiler and a test hold them to the protocol's.
 */
export const CloseCodes = {
  /** The first frame was not a v1 frame: this component and the bridge disagree on the protocol. */
  BAD_FRAME_BEFORE_HELLO: 4400,
  /** The sign-in token was refused (or a frame came before `hello`). */
  UNAUTHORIZED: 4401,
  ORIGIN_NOT_ALLOWED: 4403,
  HELLO_TIMEOUT: 4408,
} as const satisfies Partial<typeof ProtocolCloseCodes>;

/** The call's log status (Call.log); a later bridge may send a state this component does not know. */
export type CallLog = CallLogView;
export type CallLogState = CallLogView['state'];

/** What a bridge older than ready.settings does: the defaults of its config. */
export const DEFAULT_READY_SETTINGS: ReadySettings = { noteGraceSeconds: 300, logCalls: true };

/** What a bridge older than ready.presence offers: no presence control. */
export const NO_PRESENCE_SUPPORT: PresenceSupport = {
  states: [],
  queuePause: false,
  pauseReasons: [],
};

/**
 * A ready frame as parseServerFrame returns it: settings, pbx, presence and controls always set
 * (the bridge's, or the defaults: a bridge older than the pbx field never said its phone system
 * was down, one older than presence or controls offers none).
 */
export interface ReadyFrame extends Omit<
  ProtocolReadyFrame,
  'settings' | 'pbx' | 'presence' | 'controls'
> {
  settings: ReadySettings;
  pbx: PbxStatus;
  presence: PresenceSupport;
  controls: CallControlAction[];
}

/** What parseServerFrame returns: the protocol's server frames, with ReadyFrame as above. */
export type ServerFrame = Exclude<ProtocolServerFrame, ProtocolReadyFrame> | ReadyFrame;

/** The control actions a frame lists (unknown names kept: the controls code ignores them). */
function controlActions(value: unknown): CallControlAction[] | undefined {
  return Array.isArray(value)
    ? (value.filter((c) => typeof c === 'string') as CallControlAction[])
    : undefined;
}

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

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** ready.presence as far as it is usable; states this component does not know are left out. */
function presenceSupport(value: unknown): PresenceSupport {
  if (!isObject(value)) return NO_PRESENCE_SUPPORT;
  const known = ['available', 'dnd', 'away'];
  return {
    states: strings(value.states).filter((s) => known.includes(s)) as PresenceSupport['states'],
    queuePause: value.queuePause === true,
    pauseReasons: strings(value.pauseReasons),
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
        pbx: { connected: !isObject(parsed.pbx) || parsed.pbx.connected !== false },
        presence: presenceSupport(parsed.presence),
        controls: controlActions(parsed.controls) ?? [],
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
    case 'admin.status':
      return isAdminStatus(parsed.status) ? (parsed as unknown as AdminStatusFrame) : null;
    case 'admin.result':
      return typeof parsed.requestId === 'string' && typeof parsed.ok === 'boolean'
        ? (parsed as unknown as AdminResultFrame)
        : null;
    case 'call.control.result':
      return typeof parsed.requestId === 'string' && typeof parsed.ok === 'boolean'
        ? (parsed as unknown as CallControlResultFrame)
        : null;
    case 'reps.result':
      return typeof parsed.requestId === 'string' && Array.isArray(parsed.reps)
        ? (parsed as unknown as RepsResultFrame)
        : null;
    case 'pbx': {
      if (typeof parsed.connected !== 'boolean') return null;
      const controls = controlActions(parsed.controls);
      return {
        v: PROTOCOL_VERSION,
        type: 'pbx',
        connected: parsed.connected,
        ...(controls === undefined ? {} : { controls }),
      };
    }
    case 'presence':
      return typeof parsed.extension === 'string' &&
        isObject(parsed.presence) &&
        typeof parsed.presence.state === 'string'
        ? (parsed as unknown as PresenceFrame)
        : null;
    case 'presence.result':
      return typeof parsed.requestId === 'string' && typeof parsed.ok === 'boolean'
        ? (parsed as unknown as PresenceResultFrame)
        : null;
    default:
      return null;
  }
}

/** The lists the Setup page walks must be lists; the rest it shows as it comes. */
function isAdminStatus(value: unknown): value is AdminStatus {
  return (
    isObject(value) &&
    isObject(value.pbx) &&
    isObject(value.salesforce) &&
    isObject(value.callLog) &&
    Array.isArray(value.callLog.parked) &&
    isObject(value.directory) &&
    ['connected', 'mapping', 'mismatches', 'recentErrors'].every((key) => Array.isArray(value[key]))
  );
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

/** The rep's own presence and/or queue pause (the bridge knows whose extensions). */
export function presenceSetFrame(
  requestId: string,
  change: { state?: PresenceState; queuePaused?: boolean; pauseReason?: string },
): PresenceSetFrame {
  const frame: PresenceSetFrame = { v: 1, type: 'presence.set', requestId };
  if (change.state !== undefined) frame.state = change.state;
  if (change.queuePaused !== undefined) frame.queuePaused = change.queuePaused;
  if (change.queuePaused === true && change.pauseReason) frame.pauseReason = change.pauseReason;
  return frame;
}

/** A call control on one of the rep's own calls; `to` for transfer and consult. */
export function callControlFrame(
  requestId: string,
  callId: string,
  action: CallControlAction,
  to?: TransferTarget,
): CallControlFrame {
  return to === undefined
    ? { v: 1, type: 'call.control', requestId, callId, action }
    : { v: 1, type: 'call.control', requestId, callId, action, to };
}

export function repsSearchFrame(requestId: string, query: string): RepsSearchFrame {
  return { v: 1, type: 'reps.search', requestId, query };
}

export function isActive(call: Call): boolean {
  return call.state !== 'ended';
}

/** Admin frames (the Setup page; the bridge answers them only for an admin's token). */
export function adminSubscribeFrame(requestId?: string): AdminSubscribeFrame {
  return requestId === undefined
    ? { v: 1, type: 'admin.subscribe' }
    : { v: 1, type: 'admin.subscribe', requestId };
}

export function adminRetryFrame(requestId: string, callId: string): AdminRetryFrame {
  return { v: 1, type: 'admin.retry', requestId, callId };
}

export function adminCheckFrame(requestId: string): AdminCheckFrame {
  return { v: 1, type: 'admin.check', requestId };
}
