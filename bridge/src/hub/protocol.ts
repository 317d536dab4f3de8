// Parsing of the frames a rep's browser sends (WebSocket protocol v1, protocol/v1.ts): zod
// schemas typed against the protocol's frame types, and the parser that turns browser text into
// a typed frame or a SwitchboardError. docs/protocol.md is the readable form of the protocol.
import { z } from 'zod';
import { ErrorCodes, SwitchboardError, type ErrorCode } from '../errors';
import {
  CALL_CONTROL_ACTIONS,
  CLIENT_FRAME_TYPES,
  PROTOCOL_VERSION,
  type CallControlAction,
  type TransferTarget,
  type ClientFrame,
  type ClientFrameType,
  type ErrorFrame,
} from '../protocol/v1';

// ---------------------------------------------------------------------------------------------
// Client → bridge

const salesforceId = z
  .string()
  .regex(/^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/, 'must be a 15- or 18-character Salesforce id');
const requestId = z.string().min(1).max(100);
const callId = z.string().min(1).max(200);
/** The controls that go somewhere: without `to` they are refused as a bad frame. */
export const ACTIONS_WITH_TARGET: ReadonlySet<CallControlAction> = new Set(['transfer', 'consult']);

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

const TARGET_RULES: Record<TransferTarget['kind'], z.ZodString> = {
  extension: z.string().regex(/^[0-9*#]{1,15}$/, 'must be an extension: up to 15 digits'),
  rep: salesforceId,
  number: z.string().trim().min(1).max(64),
};

export const CallControlFrameSchema = z
  .object({
    v: z.literal(PROTOCOL_VERSION),
    type: z.literal('call.control'),
    requestId,
    callId,
    action: z.enum(CALL_CONTROL_ACTIONS as [CallControlAction, ...CallControlAction[]]),
    to: z
      .object({
        kind: z.enum(['extension', 'rep', 'number']),
        value: z.string().max(64),
      })
      .superRefine((to, context) => {
        const checked = TARGET_RULES[to.kind].safeParse(to.value);
        if (!checked.success)
          context.addIssue({
            code: 'custom',
            path: ['value'],
            message: checked.error.issues[0]?.message ?? 'is not valid',
          });
      })
      .optional(),
  })
  .refine((frame) => !ACTIONS_WITH_TARGET.has(frame.action) || frame.to !== undefined, {
    message: 'is needed for transfer and consult',
    path: ['to'],
  });

export const RepsSearchFrameSchema = z.object({
  v: z.literal(PROTOCOL_VERSION),
  type: z.literal('reps.search'),
  requestId,
  query: z.string().trim().min(1).max(100),
});

export const PresenceSetFrameSchema = z
  .object({
    v: z.literal(PROTOCOL_VERSION),
    type: z.literal('presence.set'),
    requestId,
    state: z.enum(['available', 'dnd', 'away']).optional(),
    queuePaused: z.boolean().optional(),
    // One short line: the PBX keeps it in a header (PausedReason) or a JSON field.
    pauseReason: z
      .string()
      .trim()
      .min(1)
      .max(40)
      .regex(/^[^\u0000-\u001f\u007f,|]+$/, 'must be one line without , or |')
      .optional(),
  })
  .refine((frame) => frame.state !== undefined || frame.queuePaused !== undefined, {
    message: 'needs state or queuePaused',
    path: ['state'],
  })
  .refine((frame) => frame.pauseReason === undefined || frame.queuePaused === true, {
    message: 'goes only with queuePaused: true',
    path: ['pauseReason'],
  });

export const AdminSubscribeFrameSchema = z.object({
  v: z.literal(PROTOCOL_VERSION),
  type: z.literal('admin.subscribe'),
  requestId: requestId.optional(),
});

export const AdminRetryFrameSchema = z.object({
  v: z.literal(PROTOCOL_VERSION),
  type: z.literal('admin.retry'),
  requestId,
  callId,
});

export const AdminCheckFrameSchema = z.object({
  v: z.literal(PROTOCOL_VERSION),
  type: z.literal('admin.check'),
  requestId,
});

const CLIENT_SCHEMAS = {
  hello: HelloFrameSchema,
  dial: DialFrameSchema,
  'call.link': CallLinkFrameSchema,
  'call.note': CallNoteFrameSchema,
  'call.control': CallControlFrameSchema,
  'reps.search': RepsSearchFrameSchema,
  'presence.set': PresenceSetFrameSchema,
  'admin.subscribe': AdminSubscribeFrameSchema,
  'admin.retry': AdminRetryFrameSchema,
  'admin.check': AdminCheckFrameSchema,
} as const satisfies Record<ClientFrameType, z.ZodType>;

/**
 * Compile-time: each schema parses to exactly its frame type of protocol/v1.ts. A field added to,
 * dropped from, or made optional on one side only makes its entry of SchemaMatches false, and
 * the constant below fails the type check (hover SchemaMatches to see which frame).
 */
type Mutual<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Same<A, B> = Mutual<A, B> extends true ? Mutual<Required<A>, Required<B>> : false;
type SchemaMatches = {
  [T in ClientFrameType]: Same<
    z.infer<(typeof CLIENT_SCHEMAS)[T]>,
    Extract<ClientFrame, { type: T }>
  >;
};
export const SCHEMAS_MATCH_PROTOCOL: SchemaMatches[ClientFrameType] extends true ? true : false =
  true;

function isClientFrameType(type: string): type is ClientFrameType {
  return (CLIENT_FRAME_TYPES as readonly string[]).includes(type);
}

// ---------------------------------------------------------------------------------------------
// Bridge → client

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
      `This bridge understands ${CLIENT_FRAME_TYPES.join(', ')}. A newer client may need a newer bridge.`,
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
