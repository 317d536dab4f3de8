// The JSON a PBX POSTs to /pbx/events (docs/webhook.md), validated strictly with zod and
// translated into CallEvents. Unknown keys are rejected: a typo such as `extention` must fail
// loudly rather than ring nobody.
import { z } from 'zod';
import type { CallEvent, EndReason } from '../../calls/call';

const END_REASONS = [
  'completed',
  'missed',
  'busy',
  'no-answer',
  'answered-elsewhere',
  'failed',
] as const satisfies readonly EndReason[];

/** Most events a single request may carry as a batch (an array). */
export const MAX_BATCH = 100;

const requiredString = (what: string) =>
  z.string({
    error: (issue) => (issue.input === undefined ? 'is required' : `must be ${what}`),
  });

export const WebhookEventSchema = z
  .object({
    callId: requiredString('a string').min(1, 'must not be empty').max(128, 'is longer than 128'),
    event: z.enum(['ringing', 'answered', 'ended', 'held', 'resumed', 'transferred'], {
      error: 'must be one of ringing, answered, ended, held, resumed, transferred',
    }),
    direction: z.enum(['inbound', 'outbound'], { error: 'must be inbound or outbound' }).optional(),
    extension: requiredString('a string')
      .regex(/^[0-9A-Za-z*#]{1,20}$/, 'must be 1–20 letters, digits, * or #')
      .optional(),
    userEmail: requiredString('an email address')
      .max(254)
      .pipe(z.email('must be an email address'))
      .optional(),
    /** The remote party; may be empty or "anonymous" when withheld. */
    number: requiredString('a string').max(64, 'is longer than 64').optional(),
    at: requiredString('an ISO 8601 date-time')
      .pipe(
        z.iso.datetime({
          offset: true,
          error: 'must be an ISO 8601 date-time with a time zone, e.g. 2025-03-01T10:00:00Z',
        }),
      )
      .optional(),
    /** ended only: why (defaults: completed if answered, else missed / no-answer). */
    reason: z.enum(END_REASONS, { error: `must be one of ${END_REASONS.join(', ')}` }).optional(),
    /** The PBX's id of this event, unique per event: a repeat with it is dropped (webhook-dedup.ts). */
    eventId: requiredString('a string')
      .min(1, 'must not be empty')
      .max(128, 'is longer than 128')
      .optional(),
    /** transferred only: the colleague's extension the caller went to. */
    toExtension: requiredString('a string')
      .regex(/^[0-9A-Za-z*#]{1,20}$/, 'must be 1–20 letters, digits, * or #')
      .optional(),
    /** ringing (outbound) only: the requestId of the bridge's dial-out that placed this call. */
    requestId: requiredString('a string').min(1).max(128).optional(),
  })
  .strict()
  .superRefine((body, ctx) => {
    if (body.event === 'transferred' && body.toExtension === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['toExtension'],
        message: 'is required for transferred',
      });
    if (body.event !== 'ringing') return;
    if (body.direction === undefined)
      ctx.addIssue({ code: 'custom', path: ['direction'], message: 'is required for ringing' });
    if (body.number === undefined)
      ctx.addIssue({ code: 'custom', path: ['number'], message: 'is required for ringing' });
    if (body.extension === undefined && body.userEmail === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['extension'],
        message: 'extension or userEmail is required for ringing',
      });
  });

export type WebhookEvent = z.output<typeof WebhookEventSchema>;

/** The first few problems, each naming its field: `callId: is required; [2].event: …`. */
export function describeIssues(error: z.ZodError, prefix: Array<string | number> = []): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      const path = [...prefix, ...issue.path]
        .map((part, i) =>
          typeof part === 'number' ? `[${part}]` : i === 0 ? String(part) : `.${String(part)}`,
        )
        .join('');
      return path === '' ? issue.message : `${path}: ${issue.message}`;
    })
    .join('; ');
}

export function toCallEvent(body: WebhookEvent, now: Date): CallEvent {
  const base = {
    pbxCallId: body.callId,
    at: body.at === undefined ? now : new Date(body.at),
    ...(body.extension === undefined ? {} : { extension: body.extension }),
    ...(body.userEmail === undefined ? {} : { userEmail: body.userEmail }),
  };
  switch (body.event) {
    case 'ringing':
      return {
        ...base,
        type: 'ringing',
        direction: body.direction ?? 'inbound',
        number: body.number ?? '',
        ...(body.requestId === undefined ? {} : { dialRequestId: body.requestId }),
      };
    case 'answered':
    case 'held':
    case 'resumed':
      return { ...base, type: body.event };
    case 'transferred':
      return { ...base, type: 'transferred', toExtension: body.toExtension ?? '' };
    case 'ended':
      return {
        ...base,
        type: 'ended',
        ...(body.reason === undefined ? {} : { reason: body.reason }),
      };
  }
}
