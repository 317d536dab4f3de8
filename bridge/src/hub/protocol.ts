// WebSocket protocol v1 between the utility-bar LWC and the bridge: frame schemas, server frame
// types, close codes and the parser that turns browser text into a typed frame or a
// SwitchboardError. docs/protocol.md is the human-readable form of this file; keep them in step.
import { z } from 'zod';
import type { Call, CallLogView } from '../calls/call';
import { ErrorCodes, SwitchboardError, type ErrorCode } from '../errors';

export const PROTOCOL_VERSION = 1;

/** Larger frames are refused by ws itself (close 1009); no v1 frame needs more. */
export const MAX_FRAME_BYTES = 64 * 1024;

/**
 * Close codes the bridge uses. 4xxx mirror HTTP statuses so they read at a glance.
 * 4403: a browser Origin not in server.allowedOrigins (after an `error` frame saying which).
 */
export const CloseCodes = {
  /** The bridge is shutting down or restarting: reconnect with back-off. */
  GOING_AWAY: 1001,
  /** A frame larger than MAX_FRAME_BYTES (sent by ws). */
  MESSAGE_TOO_BIG: 1009,
  /** The bridge failed while setting up the session: reconnect with back-off. */
  INTERNAL_ERROR: 1011,
  /** The first frame was not a well-formed v1 frame (bad JSON, unknown type, wrong `v`). */
  BAD_FRAME_BEFORE_HELLO: 4400,
  /** Missing, invalid, expired or replayed identity token, or another frame sent before `hello`. */
  UNAUTHORIZED: 4401,
  /** Origin not allowed (reserved; see above). */
  ORIGIN_NOT_ALLOWED: 4403,
  /** No `hello` within the hello timeout. */
  HELLO_TIMEOUT: 4408,
  /** The client kept sending after being told it was rate limited. */
  RATE_LIMITED: 4429,
} as const;
export type CloseCode = (typeof CloseCodes)[keyof typeof CloseCodes];

// ---------------------------------------------------------------------------------------------
// Client → bridge

const salesforceId = z
  .string()
  .regex(/^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/, 'must be a 15- or 18-character Salesforce id');
const requestId = z.string().min(1).max(100);
const callId = z.string().min(1).max(200);

// Objects are not strict: a newer client may send fields this bridge does not know (additive
// changes within v1), and they are ignored rather than refused.
export const HelloFrameSchema = z.object({
  v: z.literal(PROTOCOL_VERSION),
  type: z.literal('hello'),
  token: z.string().min(1).max(8192),
});

export const DialFrameSchema = z.object({
  v: z.literal(PROTOCOL_VERSION),
  type: z.literal('dial'),
  requestId,
  number: z.string().trim().min(1).max(64),
  recordId: salesforceId.optional(),
});

export const CallLinkFrameSchema = z.object({
  v: z.literal(PROTOCOL_VERSION),
  type: z.literal('call.link'),
  callId,
  recordId: salesforceId,
  /** Optional correlation id, echoed in an `error` frame if the link fails. */
  requestId: requestId.optional(),
});

export const CallNoteFrameSchema = z
  .object({
    v: z.literal(PROTOCOL_VERSION),
    type: z.literal('call.note'),
    callId,
    notes: z.string().max(32000).optional(),
    disposition: z.string().max(255).optional(),
    /** Optional correlation id: when present the bridge answers with `call.note.result`. */
    requestId: requestId.optional(),
  })
  .refine((frame) => frame.notes !== undefined || frame.disposition !== undefined, {
    message: 'needs notes or disposition',
    path: ['notes'],
  });

export type HelloFrame = z.infer<typeof HelloFrameSchema>;
export type DialFrame = z.infer<typeof DialFrameSchema>;
export type CallLinkFrame = z.infer<typeof CallLinkFrameSchema>;
export type CallNoteFrame = z.infer<typeof CallNoteFrameSchema>;
export type ClientFrame = HelloFrame | DialFrame | CallLinkFrame | CallNoteFrame;
export type ClientFrameType = ClientFrame['type'];

const CLIENT_SCHEMAS = {
  hello: HelloFrameSchema,
  dial: DialFrameSchema,
  'call.link': CallLinkFrameSchema,
  'call.note': CallNoteFrameSchema,
} as const satisfies Record<ClientFrameType, z.ZodType>;

function isClientFrameType(type: string): type is ClientFrameType {
  return Object.prototype.hasOwnProperty.call(CLIENT_SCHEMAS, type);
}

// ---------------------------------------------------------------------------------------------
// Bridge → client

/** Bridge settings the utility needs to behave like the bridge (extension of v1). */
export interface ReadySettings {
  /** How long after hang-up `call.note` is still accepted (callLog.noteGraceSeconds). */
  noteGraceSeconds: number;
  /** Whether ended calls are logged as Tasks at all (callLog.enabled). */
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

export interface FrameError {
  code: ErrorCode;
  message: string;
  hint?: string;
}

export interface DialResultFrame {
  v: typeof PROTOCOL_VERSION;
  type: 'dial.result';
  requestId: string;
  ok: boolean;
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

export function errorFrame(error: SwitchboardError, requestId?: string): ErrorFrame {
  return {
    v: PROTOCOL_VERSION,
    type: 'error',
    ...error.toJSON(),
    ...(requestId === undefined ? {} : { requestId }),
  };
}

// ---------------------------------------------------------------------------------------------
// Parsing

const HINT_FRAME =
  'Frames are JSON objects such as {"v":1,"type":"dial","requestId":"r1","number":"+4930…"}; see docs/protocol.md.';

/**
 * Parses one text frame. Throws SwitchboardError WS_BAD_FRAME (not JSON, not an object, a
 * field out of bounds), WS_UNSUPPORTED_VERSION (`v` is not 1) or WS_UNKNOWN_TYPE. When the
 * frame carried a usable `requestId`, the error's details hold it so the reply can echo it.
 */
export function parseClientFrame(text: string): ClientFrame {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw frameError(ErrorCodes.WS_BAD_FRAME, 'The frame is not valid JSON.', HINT_FRAME);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw frameError(ErrorCodes.WS_BAD_FRAME, 'The frame is not a JSON object.', HINT_FRAME);
  }
  const record = value as Record<string, unknown>;
  const correlation = requestId.safeParse(record['requestId']);
  const echo = correlation.success ? correlation.data : undefined;

  if (record['v'] !== PROTOCOL_VERSION) {
    throw frameError(
      ErrorCodes.WS_UNSUPPORTED_VERSION,
      `Protocol version ${JSON.stringify(record['v'] ?? null)} is not supported; this bridge speaks v${PROTOCOL_VERSION}.`,
      'Every frame needs "v": 1. If the utility component is newer than the bridge, upgrade the bridge.',
      echo,
    );
  }
  const type = record['type'];
  if (typeof type !== 'string') {
    throw frameError(ErrorCodes.WS_BAD_FRAME, 'The frame has no "type".', HINT_FRAME, echo);
  }
  if (!isClientFrameType(type)) {
    throw frameError(
      ErrorCodes.WS_UNKNOWN_TYPE,
      `Unknown frame type ${JSON.stringify(type.slice(0, 40))}.`,
      `This bridge understands ${Object.keys(CLIENT_SCHEMAS).join(', ')}. A newer client may need a newer bridge.`,
      echo,
    );
  }
  const result = CLIENT_SCHEMAS[type].safeParse(value);
  if (!result.success) {
    const problems = result.error.issues
      .map((issue) => `${issue.path.map(String).join('.') || '(frame)'} ${issue.message}`)
      .join('; ');
    throw frameError(
      ErrorCodes.WS_BAD_FRAME,
      `Invalid ${type} frame: ${problems}.`,
      HINT_FRAME,
      echo,
    );
  }
  return result.data;
}

function frameError(code: ErrorCode, message: string, hint: string, echo?: string) {
  return new SwitchboardError(code, message, {
    hint,
    status: 400,
    ...(echo === undefined ? {} : { details: { requestId: echo } }),
  });
}

/** The requestId a parse error carried, if any (see parseClientFrame). */
export function requestIdOf(error: SwitchboardError): string | undefined {
  const value = error.details?.['requestId'];
  return typeof value === 'string' ? value : undefined;
}
