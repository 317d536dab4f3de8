// POST /pbx/events: authenticates the PBX (bearer token, constant-time compare), validates
// one event or a batch, and hands them to the WebhookPbxAdapter, which drops repeats. Answers
// 202 as soon as the events are accepted: the PBX never waits for Salesforce. It is a JSON POST
// lane (http/json-post-lane.ts): plain posts are answered without express. POST
// /pbx/presence does the same for a rep's presence changed on the phone or in the PBX.
import type { IncomingHttpHeaders } from 'node:http';
import express from 'express';
import { ErrorCodes, SwitchboardError } from '../../errors';
import type { Logger } from '../../logging/logger';
import type { KeyedCallEvent, WebhookPbxAdapter } from './webhook-adapter';
import { eventKey } from './webhook-dedup';
import { MAX_BATCH, WebhookEventSchema, describeIssues, toCallEvent } from './webhook-event-schema';
import { bearerToken, secretMatcher } from '../../http/bearer-token';
import {
  laneAsRoute,
  sendJson,
  type JsonAnswer,
  type JsonPostLane,
} from '../../http/json-post-lane';
import { parsePresenceBody } from './webhook-presence';

export interface WebhookRouterOptions {
  adapter: WebhookPbxAdapter;
  token: string;
  logger: Logger;
  now?: () => Date;
}

/** The webhook's routes: the express router, and the lane that answers plain event posts. */
export interface WebhookRoutes {
  /** POST /pbx/events (what the lane leaves to express) and POST /pbx/presence; mount at /. */
  router: express.Router;
  /** POST /pbx/events without express: two per call (http/json-post-lane.ts). */
  lanes: readonly JsonPostLane[];
}

export function createWebhookRoutes(options: WebhookRouterOptions): WebhookRoutes {
  const { adapter, logger } = options;
  const now = options.now ?? (() => new Date());
  const tokenMatches = secretMatcher(options.token);
  const router = express.Router();

  /** 401 (logged) unless the PBX sent the token; undefined when it did. */
  const refusal = (
    headers: IncomingHttpHeaders,
    ip: string | undefined,
  ): JsonAnswer | undefined => {
    if (tokenMatches(bearerToken(headers))) return undefined;
    const header = headers.authorization ?? '';
    logger.warn(
      { code: ErrorCodes.PBX_WEBHOOK_UNAUTHORIZED, ip, hasHeader: header !== '' },
      'PBX webhook call with a missing or wrong token',
    );
    return {
      status: 401,
      headers: { 'WWW-Authenticate': 'Bearer realm="switchboard-pbx"' },
      body: {
        error: new SwitchboardError(
          ErrorCodes.PBX_WEBHOOK_UNAUTHORIZED,
          header === '' ? 'The Authorization header is missing' : 'The bearer token is wrong',
          { hint: 'Send Authorization: Bearer <pbx.webhook.token from the bridge config>.' },
        ).toJSON(),
      },
    };
  };
  const notReady = (): JsonAnswer => ({
    status: 503,
    headers: { 'Retry-After': '5' },
    body: {
      error: new SwitchboardError(ErrorCodes.PBX_WEBHOOK_NOT_READY, 'The bridge is starting', {
        hint: 'Retry in a few seconds.',
      }).toJSON(),
    },
  });

  /** The relay's failure is logged there, once; the PBX retries and the retry passes them on. */
  const notPassedOn = (): JsonAnswer => ({
    status: 503,
    headers: { 'Retry-After': '1' },
    body: {
      error: new SwitchboardError(
        ErrorCodes.PBX_WEBHOOK_NOT_PASSED_ON,
        'The events were applied here but could not be passed on to the other bridges',
        { hint: 'Send them again: this bridge passes them on without applying them twice.' },
      ).toJSON(),
    },
  });

  const events: JsonPostLane = {
    path: '/pbx/events',
    handle: ({ body, headers, remoteAddress }) => {
      const refused = refusal(headers, remoteAddress);
      if (refused !== undefined) return refused;
      const parsed = parseEvents(body, now());
      if (parsed instanceof SwitchboardError) {
        logger.warn({ code: parsed.code, problem: parsed.message }, 'PBX webhook event rejected');
        return { status: 400, body: { error: parsed.toJSON() } };
      }
      const received = adapter.receive(parsed, now().getTime());
      if (received === undefined) return notReady();
      const { duplicates, passedOn } = received;
      const accepted: JsonAnswer = {
        status: 202,
        body: {
          accepted: true,
          ...(Array.isArray(body) ? { count: parsed.length } : {}),
          ...(duplicates > 0 ? { duplicates } : {}),
        },
      };
      // Several bridges: "accepted" once the others have the events too (webhook-relay.ts).
      return passedOn === undefined ? accepted : passedOn.then(() => accepted, notPassedOn);
    },
  };
  router.post(events.path, laneAsRoute(events));

  router.post('/pbx/presence', (req, res) => {
    const refused = refusal(req.headers, req.socket.remoteAddress);
    if (refused !== undefined) {
      sendJson(res, refused, req.secure);
      return;
    }
    const report = parsePresenceBody(req.body ?? null, now());
    if (report instanceof SwitchboardError) {
      logger.warn({ code: report.code, problem: report.message }, 'PBX presence rejected');
      res.status(400).json({ error: report.toJSON() });
      return;
    }
    if (adapter.receivePresence(report)) res.status(202).json({ accepted: true });
    else sendJson(res, notReady(), req.secure);
  });

  return { router, lanes: [events] };
}

function invalid(message: string): SwitchboardError {
  return new SwitchboardError(ErrorCodes.PBX_EVENT_INVALID, message, {
    status: 400,
    hint: 'See docs/webhook.md for the event format.',
  });
}

/** One event (an object) or a batch (an array of 1..MAX_BATCH), all valid, or an error. */
function parseEvents(body: unknown, now: Date): KeyedCallEvent[] | SwitchboardError {
  if (body === undefined)
    return invalid('The body must be JSON sent with Content-Type: application/json');
  const items: unknown[] = Array.isArray(body) ? body : [body];
  if (Array.isArray(body) && (body.length === 0 || body.length > MAX_BATCH))
    return invalid(`A batch must hold 1 to ${MAX_BATCH} events; it has ${body.length}`);
  const events: KeyedCallEvent[] = [];
  for (const [index, item] of items.entries()) {
    if (typeof item !== 'object' || item === null || Array.isArray(item))
      return invalid(
        Array.isArray(body)
          ? `[${index}]: must be an event object`
          : 'The body must be an event object or an array of them',
      );
    const result = WebhookEventSchema.safeParse(item);
    if (!result.success)
      return invalid(describeIssues(result.error, Array.isArray(body) ? [index] : []));
    events.push({ event: toCallEvent(result.data, now), key: eventKey(result.data) });
  }
  return events;
}
