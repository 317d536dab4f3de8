// Failure switches for the emulated org, so tests and the demo can show how the bridge behaves
// when Salesforce is slow, down, busy (row locks, query timeouts), out of API calls, rejects a
// write, expires every session, or its token endpoint stops answering.

/**
 * `UNABLE_TO_LOCK_ROW` and `QUERY_TIMEOUT` are what a busy org answers with HTTP 400 (many Tasks
 * touching one Account, a heavy query); the numbers are HTTP 5xx (503 is SERVER_UNAVAILABLE).
 */
export type FailureKind =
  'REQUEST_LIMIT_EXCEEDED' | 'UNABLE_TO_LOCK_ROW' | 'QUERY_TIMEOUT' | 500 | 502 | 503 | 504;

/** Which data-API requests a failure may hit (as counted in `org.counts`). */
export type RequestKind =
  | 'query'
  | 'queryMore'
  | 'search'
  | 'create'
  | 'update'
  | 'retrieve'
  | 'describe'
  | 'bulk'
  | 'deleted'
  | 'composite'
  | 'other';

export interface PendingFailure {
  kind: FailureKind;
  /** Only requests of these kinds fail; undefined = the next requests whatever they are. */
  only: readonly RequestKind[] | undefined;
}

export interface WriteRejection {
  errorCode: string;
  message: string;
  fields?: string[];
  /**
   * Only writes whose record (the values sent, over the stored ones on an update) this
   * accepts are rejected: a validation rule that fails some records and passes others.
   */
  when?: (record: Readonly<Record<string, unknown>>) => boolean;
}

export class OrgFaults {
  /** @internal read by the org */ pendingFailures: PendingFailure[] = [];
  /** @internal */ latencyMs = 0;
  /** @internal */ down = false;
  /** @internal */ tokenHangs = false;
  /** @internal */ readonly writeRejections = new Map<string, WriteRejection>();

  constructor(private readonly onExpireSessions: () => void) {}

  /** Every access token issued so far stops working (401 INVALID_SESSION_ID). */
  expireSessions(): void {
    this.onExpireSessions();
  }

  /**
   * The next `count` data-API requests fail with `kind`; with `only`, the next requests of those
   * kinds (e.g. `'create'`: a row lock on Task insert while queries still work).
   */
  failNext(count: number, kind: FailureKind, only?: RequestKind | readonly RequestKind[]): void {
    const kinds = only === undefined ? undefined : typeof only === 'string' ? [only] : only;
    for (let i = 0; i < count; i++) this.pendingFailures.push({ kind, only: kinds });
  }

  /** @internal The failure for a request of this kind, if one is pending (it is used up). */
  takeFailure(kind: RequestKind): FailureKind | undefined {
    const at = this.pendingFailures.findIndex((f) => f.only === undefined || f.only.includes(kind));
    if (at < 0) return undefined;
    return this.pendingFailures.splice(at, 1)[0]?.kind;
  }

  /**
   * While set, token requests are accepted but never answered (a hung login); the data API
   * keeps working for sessions already issued.
   */
  hangTokenRequests(hang: boolean): void {
    this.tokenHangs = hang;
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
    this.tokenHangs = false;
    this.writeRejections.clear();
  }
}
