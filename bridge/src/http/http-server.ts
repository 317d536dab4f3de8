// The bridge's HTTP face (express): /healthz, the routers the composition root hands in (PBX
// webhook, demo), optional static files, and one error policy — every failure answers as
// JSON `{error: {code, message, hint?}}`, and nothing internal (stacks, causes) reaches a client.
import express from 'express';
import { ErrorCodes, SwitchboardError, isSwitchboardError } from '../errors';
import type { Logger } from '../logging/logger';

export interface HealthReport {
  ready: boolean;
  details: Record<string, unknown>;
}

export interface HttpAppOptions {
  logger: Logger;
  health: () => HealthReport;
  /** Mounted in order; an absent router (a feature turned off) is skipped. */
  routers: Array<{ path: string; router: express.Router | undefined }>;
  staticDirs?: Array<{ path: string; dir: string }>;
  /** Largest JSON body accepted (express/body-parser syntax); PBX events are small. */
  jsonLimit?: string;
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

export function createHttpApp(options: HttpAppOptions): express.Express {
  const { logger } = options;
  const app = express();
  app.disable('x-powered-by');
  // Behind a reverse proxy the client address is in X-Forwarded-For; we only log it.
  app.set('trust proxy', false);

  app.use((req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Content-Security-Policy', "frame-ancestors 'none'");
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    if (req.secure) res.setHeader('Strict-Transport-Security', 'max-age=15552000');
    next();
  });

  // Access log at debug only: at info, a busy PBX webhook would drown everything else.
  app.use((req, res, next) => {
    if (!logger.isLevelEnabled('debug')) {
      next();
      return;
    }
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      logger.debug(
        {
          method: req.method,
          path: req.path,
          status: res.statusCode,
          ms: Number(process.hrtime.bigint() - started) / 1e6,
        },
        'http request',
      );
    });
    next();
  });

  app.use(express.json({ limit: options.jsonLimit ?? '64kb' }));

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
      const failure = toHttpError(error);
      const fields = { code: failure.code, method: req.method, path: req.path };
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
      res.status(failure.status).json({ error: failure.toJSON() });
    },
  );

  return app;
}

/** Maps whatever a route or middleware threw to the error a client is shown. */
function toHttpError(error: unknown): SwitchboardError {
  if (isSwitchboardError(error)) return error;
  if (isBodyParserError(error)) {
    if (error.type === 'entity.parse.failed')
      return new SwitchboardError(ErrorCodes.HTTP_BAD_JSON, 'The request body is not valid JSON', {
        status: 400,
        hint: 'Send a JSON object with Content-Type: application/json.',
      });
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
