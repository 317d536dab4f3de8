// The bridge's HTTP face (express): /healthz, the routers the composition root hands in (PBX
// webhook, demo), optional static files, and one error policy — every failure answers as
// JSON `{error: {code, message, hint?}}`, and nothing internal (stacks, causes) reaches a client.
// A router may bring JSON POST lanes (json-post-lane.ts): the plain requests to their paths are
// answered before express sees them, the rest by express with the same handler.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import express from 'express';
import { ErrorCodes, SwitchboardError, isSwitchboardError } from '../errors';
import type { Logger } from '../logging/logger';
import {
  HSTS,
  LaneBodyError,
  SECURITY_HEADERS,
  fitsLane,
  readJsonBody,
  sendJson,
  type JsonAnswer,
  type JsonPostLane,
} from './json-post-lane';

export interface HealthReport {
  ready: boolean;
  details: Record<string, unknown>;
}

export interface HttpAppOptions {
  logger: Logger;
  health: () => HealthReport;
  /**
   * Mounted in order; an absent router (a feature turned off) is skipped. Its lanes' paths are
   * relative to `path` like its routes, and the router must also serve them (laneAsRoute).
   */
  routers: Array<{
    path: string;
    router: express.Router | undefined;
    lanes?: readonly JsonPostLane[];
  }>;
  staticDirs?: Array<{ path: string; dir: string }>;
  /** Largest JSON body accepted, in bytes; PBX events are small. Default 64 KiB. */
  jsonLimitBytes?: number;
}

/** Errors body-parser raises carry a `type`; these are the client's fault, not ours. */
interface BodyParserError {
  type: string;
  status?: number;
}

function isBodyParserError(value: unknown): value is BodyParserError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { type?: unknown }).type === 'string' &&
    typeof (value as { status?: unknown }).status === 'number'
  );
}

/** The bridge's request listener: the JSON POST lanes first, express for everything else. */
export function createHttpApp(options: HttpAppOptions): RequestListener {
  const { logger } = options;
  const limitBytes = options.jsonLimitBytes ?? 64 * 1024;
  const app = expressApp(options, limitBytes);
  const lanes = new Map<string, JsonPostLane>();
  for (const { path, router, lanes: routerLanes } of options.routers)
    if (router) for (const lane of routerLanes ?? []) lanes.set(joinPath(path, lane.path), lane);
  if (lanes.size === 0) return app;
  return (req, res) => {
    const lane = req.method === 'POST' && req.url !== undefined ? lanes.get(req.url) : undefined;
    if (lane === undefined || !fitsLane(req, limitBytes)) {
      app(req, res);
      return;
    }
    const started = logger.isLevelEnabled('debug') ? process.hrtime.bigint() : undefined;
    const failed = (error: unknown): void => {
      if (!res.headersSent) answerFailure(logger, req, res, error);
      else logger.error({ err: String(error), path: req.url }, 'request failed after answering');
    };
    const answerWith = (answer: JsonAnswer): void => {
      try {
        // Inside the try: an answer that cannot be written as JSON is the handler's fault too.
        sendJson(res, answer, isSecure(req));
      } catch (error) {
        failed(error);
        return;
      }
      if (started !== undefined) logRequest(logger, req, res.statusCode, started);
    };
    readJsonBody(req).then(
      (body) => {
        let answer: JsonAnswer | Promise<JsonAnswer>;
        try {
          answer = lane.handle({
            body,
            headers: req.headers,
            remoteAddress: req.socket.remoteAddress,
          });
        } catch (error) {
          failed(error);
          return;
        }
        if (answer instanceof Promise) answer.then(answerWith, failed);
        else answerWith(answer);
      },
      (error: unknown) => {
        // A request cut off mid-body has nobody left to answer.
        if (error instanceof LaneBodyError) answerFailure(logger, req, res, badJson());
        else
          logger.debug(
            { method: req.method, path: req.url, err: String(error) },
            'request aborted',
          );
      },
    );
  };
}

function joinPath(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}${path}`;
}

function isSecure(req: IncomingMessage): boolean {
  return (req.socket as Partial<TLSSocket>).encrypted === true;
}

function logRequest(logger: Logger, req: IncomingMessage, status: number, started: bigint): void {
  logger.debug(
    {
      method: req.method,
      path: (req.url ?? '').split('?')[0],
      status,
      ms: Number(process.hrtime.bigint() - started) / 1e6,
    },
    'http request',
  );
}

/** The one error policy: the client sees a code, a message and a hint; the log says more. */
function answerFailure(
  logger: Logger,
  req: IncomingMessage,
  res: ServerResponse,
  error: unknown,
): void {
  const failure = toHttpError(error);
  const fields = { code: failure.code, method: req.method, path: (req.url ?? '').split('?')[0] };
  if (failure.status >= 500) {
    logger.error(
      { ...fields, err: error instanceof Error ? (error.stack ?? error.message) : error },
      'request failed',
    );
  } else if (failure.status === 404) {
    logger.debug(fields, failure.message);
  } else {
    logger.warn({ ...fields, status: failure.status }, failure.message);
  }
  sendJson(res, { status: failure.status, body: { error: failure.toJSON() } }, isSecure(req));
}

function expressApp(options: HttpAppOptions, limitBytes: number): express.Express {
  const { logger } = options;
  const app = express();
  app.disable('x-powered-by');
  // Behind a reverse proxy the client address is in X-Forwarded-For; we only log it.
  app.set('trust proxy', false);

  app.use((req, res, next) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    if (req.secure) res.setHeader('Strict-Transport-Security', HSTS);
    next();
  });

  // Access log at debug only: at info, a busy PBX webhook would drown everything else.
  app.use((req, res, next) => {
    if (!logger.isLevelEnabled('debug')) {
      next();
      return;
    }
    const started = process.hrtime.bigint();
    res.on('finish', () => logRequest(logger, req, res.statusCode, started));
    next();
  });

  app.use(express.json({ limit: limitBytes }));

  app.get('/healthz', (_req, res) => {
    const report = options.health();
    res.setHeader('Cache-Control', 'no-store');
    res
      .status(report.ready ? 200 : 503)
      .json({ ...report.details, status: report.ready ? 'ok' : 'unavailable' });
  });

  for (const { path, router } of options.routers) if (router) app.use(path, router);
  for (const { path, dir } of options.staticDirs ?? [])
    app.use(path, express.static(dir, { index: 'index.html', fallthrough: true }));

  app.use((req, _res, next) => {
    next(
      new SwitchboardError(ErrorCodes.HTTP_NOT_FOUND, `No route for ${req.method} ${req.path}`, {
        status: 404,
        hint: 'The bridge serves GET /healthz, POST /pbx/events and the WebSocket at /ws.',
      }),
    );
  });

  // Express recognizes an error handler by its four parameters.
  app.use(
    (error: unknown, req: express.Request, res: express.Response, next: express.NextFunction) => {
      if (res.headersSent) {
        next(error);
        return;
      }
      answerFailure(logger, req, res, error);
    },
  );

  return app;
}

/** Maps whatever a route or middleware threw to the error a client is shown. */
function toHttpError(error: unknown): SwitchboardError {
  if (isSwitchboardError(error)) return error;
  if (isBodyParserError(error)) {
    if (error.type === 'entity.parse.failed') return badJson();
    if (error.type === 'entity.too.large')
      return new SwitchboardError(
        ErrorCodes.HTTP_PAYLOAD_TOO_LARGE,
        'The request body is too large',
        {
          status: 413,
          hint: 'Send one event per request, or smaller batches.',
        },
      );
    if (error.status !== undefined && error.status >= 400 && error.status < 500)
      return new SwitchboardError(ErrorCodes.HTTP_BAD_REQUEST, 'The request body cannot be read', {
        status: error.status,
        hint: 'Send UTF-8 JSON with Content-Type: application/json.',
      });
  }
  return new SwitchboardError(ErrorCodes.INTERNAL, 'Internal error', {
    status: 500,
    hint: 'The bridge log has the details.',
    operational: false,
  });
}

function badJson(): SwitchboardError {
  return new SwitchboardError(ErrorCodes.HTTP_BAD_JSON, 'The request body is not valid JSON', {
    status: 400,
    hint: 'Send a JSON object with Content-Type: application/json.',
  });
}
