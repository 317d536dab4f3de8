// Sockets that come and go without authenticating — scanners, a flood, a page stuck on a bad
// token — summarized instead of logged one by one: 2,000 such sockets used to write 6,000 info
// lines. Each socket's detail goes to debug; at info, one line per interval counts them. The
// first refusal of each kind in an interval is still logged in full at warn, so that a
// misconfiguration (a wrong auth.certificate) shows at once with its hint.
import type { SwitchboardError } from '../errors';
import type { Logger } from '../logging/logger';

/** Refusal codes counted separately; beyond this, further codes count under "other". */
const MAX_CODES = 32;

export class ConnectionChurn {
  private closedUnauthenticated = 0;
  private refused = new Map<string, number>();
  /** Codes already logged in full this interval. */
  private readonly shown = new Set<string>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly logger: Logger,
    private readonly intervalMs: number,
  ) {
    this.timer = setInterval(() => {
      this.flush();
    }, intervalMs);
    this.timer.unref();
  }

  /** A socket refused before it authenticated (bad token, bad first frame, hello timeout). */
  refusedSocket(error: SwitchboardError, fields: Record<string, unknown>): void {
    const code =
      this.refused.has(error.code) || this.refused.size < MAX_CODES ? error.code : 'other';
    this.refused.set(code, (this.refused.get(code) ?? 0) + 1);
    const line = { ...fields, code: error.code, hint: error.hint };
    if (this.shown.has(error.code)) {
      this.logger.debug(line, `ws rejected: ${error.message}`);
      return;
    }
    this.shown.add(error.code);
    this.logger.warn(
      { ...line, note: 'further refusals of this kind are counted in the next ws churn summary' },
      `ws rejected: ${error.message}`,
    );
  }

  /** A socket closed without ever authenticating. */
  closedWithoutAuthenticating(fields: Record<string, unknown>): void {
    this.closedUnauthenticated += 1;
    this.logger.debug(fields, 'ws closed before authenticating');
  }

  /** Logs the interval's counts at info, if anything happened, and starts a new interval. */
  flush(): void {
    if (this.closedUnauthenticated > 0 || this.refused.size > 0) {
      const refused = Object.fromEntries(this.refused);
      this.logger.info(
        {
          closedUnauthenticated: this.closedUnauthenticated,
          refused,
          intervalSeconds: Math.round(this.intervalMs / 1000),
        },
        `ws churn: ${String(this.closedUnauthenticated)} socket(s) closed without authenticating`,
      );
    }
    this.closedUnauthenticated = 0;
    this.refused = new Map();
    this.shown.clear();
  }

  stop(): void {
    clearInterval(this.timer);
    this.flush();
  }
}
