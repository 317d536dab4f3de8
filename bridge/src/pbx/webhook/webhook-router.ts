// POST /pbx/events: authenticates the PBX (bearer token, constant-time compare), validates
// one event or a batch, and hands them to the WebhookPbxAdapter, which drops repeats. Answers
// 202 as soon as the events are accepted: the PBX never waits for Salesforce. POST
// /pbx/presence does the same for a rep's presence changed on the phone or in the PBX.
import express from 'express';
import { ErrorCodes, SwitchboardError } from '../../errors';
import type { Logger } from '../../logging/logger';
import type { KeyedCallEvent, WebhookPbxAdapter } from './webhook-adapter';
import { eventKey } from './webhook-dedup';
import { MAX_BATCH, WebhookEventSchema, describeIssues, toCallEvent } from './webhook-event-schema';
import { bearerToken, secretMatcher } from '../../http/bearer-token';
import { parsePresenceBody } from './webhook-presence';

export interface WebhookRouterOptions {
  adapter: WebhookPbxAdapter;
  token: string;
  logger: Logger;
  now?: () => Date;
}

export function createWebhookRouter(options: WebhookRouterOptions): express.Router {
  const { adapter, logger } = options;
  const now = options.now ?? (() => new Date());
  const tokenMatches = secretMatcher(options.token);
  const router = express.Router();

  /** Answers 401 (logged) unless the PBX sent the token; true when it did not. */
  const refused = (req: express.Request, res: express.Response): boolean => {
    if (tokenMatches(bearerToken(req.headers))) return false;
    const header = req.headers.authorization ?? '';
    logger.warn(
      {
        code: ErrorCodes.PBX_WEBHOOK_UNAUTHORIZED,
        ip: req.socket.remoteAddress,
        hasHeader: header !== '',
      },
      'PBX webhook call with a missing or wrong token',
    );
    res.setHeader('WWW-Authenticate', 'Bearer realm="switchboard-pbx"');
    res.status(401).json({
      error: new SwitchboardError(
        ErrorCodes.PBX_WEBHOOK_UNAUTHORIZED,
        header === '' ? 'The Authorization header is missing' : 'The bearer token is wrong',
        { hint: 'Send Authorization: Bearer <pbx.webhook.token from the bridge config>.' },
      ).toJSON(),
    });
    return true;
  };
  const notReady = (res: express.Response): void => {
    res.setHeader('Retry-After', '5');
    res.status(503).json({
      error: new SwitchboardError(ErrorCodes.PBX_WEBHOOK_NOT_READY, 'The bridge is starting', {
        hint: 'Retry in a few seconds.',
      }).toJSON(),
    });
  };

  router.post('/pbx/events', (req, res) => {
    if (refused(req, res)) return;
    const parsed = parseEvents(req.body, now());
    if (parsed instanceof SwitchboardError) {
      logger.warn({ code: parsed.code, problem: parsed.message }, 'PBX webhook event rejected');
      res.status(400).json({ error: parsed.toJSON() });
      return;
    }
    const duplicates = adapter.receive(parsed, now().getTime());
    if (duplicates === undefined) {
      notReady(res);
      return;
    }
    accepted(res, {
      accepted: true,
      ...(Array.isArray(req.body) ? { count: parsed.length } : {}),
      ...(duplicates > 0 ? { duplicates } : {}),
    });
  });

  router.post('/pbx/presence', (req, res) => {
    if (refused(req, res)) return;
    const report = parsePresenceBody(req.body ?? null, now());
    if (report instanceof SwitchboardError) {
      logger.warn({ code: report.code, problem: report.message }, 'PBX presence rejected');
      res.status(400).json({ error: report.toJSON() });
      return;
    }
    if (adapter.receivePresence(report)) res.status(202).json({ accepted: true });
    else notReady(res);
  });

  return router;
}

/**
 * 202 with its JSON body, without what res.json adds for a cacheable answer (an ETag, a hash
 * of every body): nobody revalidates a webhook's answer, and it is two per call.
 */
function accepted(res: express.Response, body: Record<string, unknown>): void {
  res.status(202).setHeader('Content-Type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(body));
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
