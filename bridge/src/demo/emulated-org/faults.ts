// Failure switches for the emulated org, so tests and the demo can show how the bridge behaves
// when Salesforce is slow, down, out of API calls, rejects a write, or expires every session.

export type FailureKind = 'REQUEST_LIMIT_EXCEEDED' | 500 | 502 | 503 | 504;

export interface WriteRejection {
  errorCode: string;
  message: string;
  fields?: string[];
}

export class OrgFaults {
  /** @internal read by the org */ pendingFailures: FailureKind[] = [];
  /** @internal */ latencyMs = 0;
  /** @internal */ down = false;
  /** @internal */ readonly writeRejections = new Map<string, WriteRejection>();

  constructor(private readonly onExpireSessions: () => void) {}

  /** Every access token issued so far stops working (401 INVALID_SESSION_ID). */
  expireSessions(): void {
    this.onExpireSessions();
  }

  /** The next `count` data-API requests fail with `kind` (403 REQUEST_LIMIT_EXCEEDED or a 5xx). */
  failNext(count: number, kind: FailureKind): void {
    for (let i = 0; i < count; i++) this.pendingFailures.push(kind);
  }

  /** Delay before every response. */
  setLatency(ms: number): void {
    this.latencyMs = Math.max(0, ms);
  }

  /** While down, every request (token endpoint included) answers 503. */
  setDown(down: boolean): void {
    this.down = down;
  }

  /** Creates and updates of `sobject` fail with this error (e.g. a validation rule). */
  rejectWrites(sobject: string, rejection: WriteRejection): void {
    this.writeRejections.set(sobject.toLowerCase(), rejection);
  }

  /** Back to a healthy org (sessions already expired stay expired). */
  clear(): void {
    this.pendingFailures = [];
    this.latencyMs = 0;
    this.down = false;
    this.writeRejections.clear();
  }
}
