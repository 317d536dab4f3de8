// Admin endpoints under /admin, for whoever runs the bridge: one status document (PBX,
// Salesforce, sockets, calls, call-log outbox) and the parked call logs, visible and retryable.
// Bearer-token protected (server.adminToken); without a token configured they do not exist.
import express from 'express';
import { ErrorCodes, SwitchboardError } from '../errors';
import { bearerToken, secretMatcher } from './bearer-token';

export interface AdminRoutesOptions {
  token: string;
  /** The status document, assembled by the composition root from every part. */
  status: () => Record<string, unknown>;
  callLogs: {
    listParked(): unknown[];
    retryParked(callId: string): Promise<unknown>;
  };
}

export function createAdminRouter(options: AdminRoutesOptions): express.Router {
  const router = express.Router();
  const tokenMatches = secretMatcher(options.token);

  router.use((req, _res, next) => {
    if (!tokenMatches(bearerToken(req.headers))) {
      next(
        new SwitchboardError(ErrorCodes.HTTP_UNAUTHORIZED, 'Admin token missing or wrong', {
          status: 401,
          hint: 'Send Authorization: Bearer <server.adminToken>.',
        }),
      );
      return;
    }
    next();
  });

  router.get('/status', (_req, res) => {
    res.json(options.status());
  });

  router.get('/call-logs/parked', (_req, res) => {
    res.json({ parked: options.callLogs.listParked() });
  });

  // Express 5 hands a rejection (CALL_LOG_NOT_PARKED) to the error policy.
  router.post('/call-logs/:callId/retry', async (req, res) => {
    res.json({ status: await options.callLogs.retryParked(req.params.callId) });
  });

  return router;
}
