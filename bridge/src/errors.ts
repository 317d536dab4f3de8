// The one error type of the bridge, and every error code it can produce, grouped by area.
// Codes are stable: they reach logs, HTTP bodies and WebSocket frames, and admins search for them.

export const ErrorCodes = {
  // config/
  CONFIG_FILE_UNREADABLE: 'CONFIG_FILE_UNREADABLE',
  CONFIG_YAML_INVALID: 'CONFIG_YAML_INVALID',
  CONFIG_INVALID: 'CONFIG_INVALID',
  // hub/ — identity token and WebSocket protocol
  AUTH_TOKEN_MISSING: 'AUTH_TOKEN_MISSING',
  AUTH_TOKEN_INVALID: 'AUTH_TOKEN_INVALID',
  AUTH_TOKEN_EXPIRED: 'AUTH_TOKEN_EXPIRED',
  AUTH_TOKEN_REPLAYED: 'AUTH_TOKEN_REPLAYED',
  AUTH_WRONG_AUDIENCE: 'AUTH_WRONG_AUDIENCE',
  AUTH_ORG_NOT_ALLOWED: 'AUTH_ORG_NOT_ALLOWED',
  AUTH_TOKEN_TOO_LONG_LIVED: 'AUTH_TOKEN_TOO_LONG_LIVED',
  /** An identity or a Salesforce user whose email imitates a mapped one (users/email-identity.ts). */
  AUTH_EMAIL_LOOKALIKE: 'AUTH_EMAIL_LOOKALIKE',
  /** An admin frame from a token without the admin role (hub, Switchboard Setup). */
  AUTH_NOT_ADMIN: 'AUTH_NOT_ADMIN',
  WS_ORIGIN_NOT_ALLOWED: 'WS_ORIGIN_NOT_ALLOWED',
  WS_BAD_FRAME: 'WS_BAD_FRAME',
  WS_UNKNOWN_TYPE: 'WS_UNKNOWN_TYPE',
  WS_UNSUPPORTED_VERSION: 'WS_UNSUPPORTED_VERSION',
  WS_HELLO_TIMEOUT: 'WS_HELLO_TIMEOUT',
  WS_NOT_AUTHENTICATED: 'WS_NOT_AUTHENTICATED',
  WS_RATE_LIMITED: 'WS_RATE_LIMITED',
  CALL_NOT_FOUND: 'CALL_NOT_FOUND',
  /** call.link / dial.recordId of an object the feature does not link (salesforce/linkable-records.ts). */
  RECORD_NOT_LINKABLE: 'RECORD_NOT_LINKABLE',
  /** call.link / dial.recordId of a record that does not exist or the rep may not open. */
  RECORD_NOT_ACCESSIBLE: 'RECORD_NOT_ACCESSIBLE',
  // controls/ — call controls (call.control)
  /** The call is not on one of the rep's extensions (or unknown: a rep cannot probe others' calls). */
  CONTROL_NOT_YOUR_CALL: 'CONTROL_NOT_YOUR_CALL',
  /** The call has ended: nothing left to hang up, transfer or hold. */
  CONTROL_CALL_ENDED: 'CONTROL_CALL_ENDED',
  /** This PBX (as configured) does not offer the control. */
  CONTROL_NOT_SUPPORTED: 'CONTROL_NOT_SUPPORTED',
  /** Not in the call's current state (hold a ringing call, complete without a consultation). */
  CONTROL_NOT_NOW: 'CONTROL_NOT_NOW',
  /** A transfer target that is missing, unknown, or the rep's own extension. */
  CONTROL_BAD_TARGET: 'CONTROL_BAD_TARGET',
  // pbx/
  PBX_WEBHOOK_UNAUTHORIZED: 'PBX_WEBHOOK_UNAUTHORIZED',
  PBX_EVENT_INVALID: 'PBX_EVENT_INVALID',
  PBX_WEBHOOK_NOT_READY: 'PBX_WEBHOOK_NOT_READY',
  /** Applied here, but not passed on to the other bridges (PostgreSQL): the PBX retries. */
  PBX_WEBHOOK_NOT_PASSED_ON: 'PBX_WEBHOOK_NOT_PASSED_ON',
  PBX_UNKNOWN_EXTENSION: 'PBX_UNKNOWN_EXTENSION',
  PBX_UNREACHABLE: 'PBX_UNREACHABLE',
  PBX_REFUSED: 'PBX_REFUSED',
  PBX_LOGIN_UNANSWERED: 'PBX_LOGIN_UNANSWERED',
  PBX_PROTOCOL_ERROR: 'PBX_PROTOCOL_ERROR',
  PBX_ACTION_UNAVAILABLE: 'PBX_ACTION_UNAVAILABLE',
  // dial
  DIAL_NO_EXTENSION: 'DIAL_NO_EXTENSION',
  DIAL_INVALID_NUMBER: 'DIAL_INVALID_NUMBER',
  DIAL_NUMBER_NOT_ALLOWED: 'DIAL_NUMBER_NOT_ALLOWED',
  DIAL_IN_PROGRESS: 'DIAL_IN_PROGRESS',
  DIAL_RATE_LIMITED: 'DIAL_RATE_LIMITED',
  DIAL_NOT_SUPPORTED: 'DIAL_NOT_SUPPORTED',
  DIAL_PHONE_BUSY: 'DIAL_PHONE_BUSY',
  DIAL_PHONE_NO_ANSWER: 'DIAL_PHONE_NO_ANSWER',
  // presence/ — the rep's presence and queue pause (presence.set)
  /** The PBX (or pbx.presence) does not offer this state, or queue pause, here. */
  PRESENCE_NOT_SUPPORTED: 'PRESENCE_NOT_SUPPORTED',
  /** The rep has no extension, so there is no presence to set. */
  PRESENCE_NO_EXTENSION: 'PRESENCE_NO_EXTENSION',
  // salesforce/
  SF_AUTH_FAILED: 'SF_AUTH_FAILED',
  SF_SESSION_EXPIRED: 'SF_SESSION_EXPIRED',
  SF_REQUEST_LIMIT: 'SF_REQUEST_LIMIT',
  SF_UNAVAILABLE: 'SF_UNAVAILABLE',
  SF_REQUEST_REJECTED: 'SF_REQUEST_REJECTED',
  SF_BAD_QUERY_VALUE: 'SF_BAD_QUERY_VALUE',
  SF_FIELD_NOT_ACCESSIBLE: 'SF_FIELD_NOT_ACCESSIBLE',
  SF_PICKLIST_VALUE_MISSING: 'SF_PICKLIST_VALUE_MISSING',
  // demo/ — emulated org seed data
  DEMO_SEED_UNREADABLE: 'DEMO_SEED_UNREADABLE',
  DEMO_SEED_INVALID: 'DEMO_SEED_INVALID',
  // storage/ — the embedded database
  STORAGE_OPEN_FAILED: 'STORAGE_OPEN_FAILED',
  STORAGE_MIGRATION_FAILED: 'STORAGE_MIGRATION_FAILED',
  STORAGE_SCHEMA_TOO_NEW: 'STORAGE_SCHEMA_TOO_NEW',
  /** The database refused a write (disk full, locked, read-only): call-log-service.ts holds it. */
  STORAGE_WRITE_FAILED: 'STORAGE_WRITE_FAILED',
  // call-log/
  CALL_LOG_DISABLED: 'CALL_LOG_DISABLED',
  CALL_LOG_NOT_LOGGED: 'CALL_LOG_NOT_LOGGED',
  CALL_LOG_NOTE_TOO_LATE: 'CALL_LOG_NOTE_TOO_LATE',
  CALL_LOG_NOTE_INVALID: 'CALL_LOG_NOTE_INVALID',
  CALL_LOG_NOT_PARKED: 'CALL_LOG_NOT_PARKED',
  CALL_LOG_NO_OWNER: 'CALL_LOG_NO_OWNER',
  // directory/index and phonebook/
  DIRECTORY_SYNC_FAILED: 'DIRECTORY_SYNC_FAILED',
  DIRECTORY_ASTDB_PUSH_FAILED: 'DIRECTORY_ASTDB_PUSH_FAILED',
  /** Several bridges could not share a lookup through PostgreSQL: each searches itself. */
  DIRECTORY_LOOKUP_NOT_SHARED: 'DIRECTORY_LOOKUP_NOT_SHARED',
  /** Another bridge shared a lookup answer or record change this one cannot read (versions differ). */
  DIRECTORY_LOOKUP_ANSWER_INVALID: 'DIRECTORY_LOOKUP_ANSWER_INVALID',
  SF_BULK_JOB_FAILED: 'SF_BULK_JOB_FAILED',
  PHONEBOOK_UNAUTHORIZED: 'PHONEBOOK_UNAUTHORIZED',
  PHONEBOOK_NOT_CONFIGURED: 'PHONEBOOK_NOT_CONFIGURED',
  PHONEBOOK_BAD_REQUEST: 'PHONEBOOK_BAD_REQUEST',
  // http/
  HTTP_NOT_FOUND: 'HTTP_NOT_FOUND',
  HTTP_BAD_JSON: 'HTTP_BAD_JSON',
  HTTP_PAYLOAD_TOO_LARGE: 'HTTP_PAYLOAD_TOO_LARGE',
  HTTP_BAD_REQUEST: 'HTTP_BAD_REQUEST',
  HTTP_UNAUTHORIZED: 'HTTP_UNAUTHORIZED',
  HTTP_PORT_UNAVAILABLE: 'HTTP_PORT_UNAVAILABLE',
  INTERNAL: 'INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export interface SwitchboardErrorOptions {
  /** What the reader can do about it: the next step, not a restatement. */
  hint?: string;
  /** HTTP status when this error answers a request. */
  status?: number;
  /** Expected in operation (bad input, outage) rather than a bug. Defaults to true. */
  operational?: boolean;
  cause?: unknown;
  /** Structured, non-secret context for logs. */
  details?: Record<string, unknown>;
}

export class SwitchboardError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly status: number;
  readonly operational: boolean;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: SwitchboardErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SwitchboardError';
    this.code = code;
    this.hint = options.hint;
    this.status = options.status ?? 500;
    this.operational = options.operational ?? true;
    this.details = options.details;
  }

  /** The shape sent to browsers and PBXes: code, message and hint; never a stack or a cause. */
  toJSON(): { code: ErrorCode; message: string; hint?: string } {
    return this.hint === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, hint: this.hint };
  }
}

export function isSwitchboardError(value: unknown): value is SwitchboardError {
  return value instanceof SwitchboardError;
}

/** Wraps anything thrown into a SwitchboardError, keeping the original as the cause. */
export function toSwitchboardError(value: unknown, fallback: ErrorCode = ErrorCodes.INTERNAL) {
  if (value instanceof SwitchboardError) return value;
  const message = value instanceof Error ? value.message : String(value);
  return new SwitchboardError(fallback, message, { cause: value, operational: false });
}

/** What a log line says about a failure: its code, message and hint, never a stack. */
export function errorLogFields(error: unknown): Record<string, unknown> {
  if (isSwitchboardError(error)) return { code: error.code, err: error.message, hint: error.hint };
  return { code: ErrorCodes.INTERNAL, err: error instanceof Error ? error.message : String(error) };
}
