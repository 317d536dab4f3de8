// Presence over the generic webhook (docs/webhook.md, "Presence"): the bridge POSTs a rep's
// change to pbx.webhook.presenceUrl, and the PBX POSTs a change made on the phone or in the
// PBX to /pbx/presence, validated here as strictly as call events (unknown keys refused).
import { z } from 'zod';
import { ErrorCodes, SwitchboardError } from '../../errors';
import type { Logger } from '../../logging/logger';
import type { PresenceChange, PresenceReport } from '../../presence/presence';
import { refusalText } from './webhook-refusal';
import { describeIssues } from './webhook-event-schema';

export const WebhookPresenceSchema = z
  .object({
    extension: z
      .string({
        error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string'),
      })
      .regex(/^[0-9A-Za-z*#]{1,20}$/, 'must be 1–20 letters, digits, * or #'),
    state: z
      .enum(['available', 'dnd', 'away'], { error: 'must be one of available, dnd, away' })
      .optional(),
    queuePaused: z.boolean({ error: 'must be true or false' }).optional(),
    pauseReason: z
      .string({ error: 'must be a string' })
      .max(40, 'is longer than 40')
      .regex(/^[^\u0000-\u001f\u007f]*$/, 'must be one line')
      .optional(),
    at: z
      .string({ error: 'must be an ISO 8601 date-time' })
      .pipe(
        z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time with a time zone' }),
      )
      .optional(),
  })
  .strict()
  .refine((body) => body.state !== undefined || body.queuePaused !== undefined, {
    message: 'state or queuePaused is required',
    path: ['state'],
  });

/** A PBX's presence body as a report, or a PBX_EVENT_INVALID naming the field. */
export function parsePresenceBody(body: unknown, now: Date): PresenceReport | SwitchboardError {
  const parsed = WebhookPresenceSchema.safeParse(body);
  if (!parsed.success)
    return new SwitchboardError(ErrorCodes.PBX_EVENT_INVALID, describeIssues(parsed.error), {
      status: 400,
      hint: 'See docs/webhook.md, "Presence", for the body.',
    });
  const { extension, state, queuePaused, pauseReason, at } = parsed.data;
  return {
    extension,
    ...(state === undefined ? {} : { states: [state] }),
    ...(queuePaused === undefined ? {} : { queuePaused }),
    ...(queuePaused === true && pauseReason !== undefined && pauseReason !== ''
      ? { pauseReason }
      : {}),
    at: at === undefined ? now : new Date(at),
  };
}

export interface PresenceTarget {
  url: string;
  /** Sent as the bearer token (pbx.webhook.dialToken), when set. */
  token?: string;
  timeoutMs: number;
  logger: Logger;
}

/** POSTs one extension's change; any 2xx is done. Rejects with PBX_REFUSED / PBX_UNREACHABLE. */
export async function postPresence(
  target: PresenceTarget,
  extension: string,
  change: PresenceChange,
): Promise<void> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (target.token !== undefined) headers.authorization = `Bearer ${target.token}`;
  const failed = (
    code: typeof ErrorCodes.PBX_REFUSED | typeof ErrorCodes.PBX_UNREACHABLE,
    message: string,
    cause?: unknown,
  ) => {
    target.logger.warn({ extension, code }, `presence change not taken by the PBX: ${message}`);
    return new SwitchboardError(code, message, {
      status: 502,
      hint:
        code === ErrorCodes.PBX_REFUSED
          ? 'The PBX said no; its answer is above.'
          : 'Check pbx.webhook.presenceUrl and that the PBX is up.',
      ...(cause === undefined ? {} : { cause }),
    });
  };
  const answer = await fetch(target.url, {
    method: 'POST',
    headers,
    body: JSON.stringify({ extension, ...change }),
    signal: AbortSignal.timeout(target.timeoutMs),
    redirect: 'error',
  }).catch((error: unknown) => {
    throw failed(ErrorCodes.PBX_UNREACHABLE, 'The phone system cannot be reached', error);
  });
  if (answer.ok) return;
  const reason = refusalText(await answer.text().catch(() => ''));
  if (answer.status >= 400 && answer.status < 500)
    throw failed(
      ErrorCodes.PBX_REFUSED,
      reason === ''
        ? 'The phone system refused the change'
        : `The phone system refused the change: ${reason}`,
    );
  throw failed(
    ErrorCodes.PBX_UNREACHABLE,
    `The phone system failed to take the change (HTTP ${answer.status})`,
  );
}
