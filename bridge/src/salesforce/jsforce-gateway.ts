// The SalesforceGateway on jsforce: OAuth client credentials or JWT bearer against the org's My
// Domain, transparent re-authorization when a session expires (one token request however many
// lookups are waiting), and every failure turned into a SwitchboardError with a code and a hint.
// This is the only file that knows jsforce; records leave it as our own SObjectRecord type.
import { createPrivateKey, type KeyObject } from 'node:crypto';
import {
  Connection,
  type StreamPromise,
  type HttpRequest,
  type HttpRequestOptions,
  type HttpResponse,
} from 'jsforce';
import { SignJWT } from 'jose';
import { ErrorCodes, SwitchboardError, toSwitchboardError, type ErrorCode } from '../errors';
import type { Logger } from '../logging/logger';
import {
  compositeChunks,
  QUERIES_PER_COMPOSITE,
  RECORDS_PER_COLLECTION,
  type ApiUsage,
  type BatchAnswer,
  type BatchRead,
  type CreateResult,
  type BulkQueryOptions,
  type BulkQueryPage,
  type DeletedRecords,
  type FieldDescribe,
  type ObjectDescribe,
  type OrgIdentity,
  type SalesforceGateway,
  type SObjectRecord,
} from './gateway';
import type { Soql, Sosl } from './query-builder';

export interface JsforceGatewayOptions {
  loginUrl: string;
  flow: 'client_credentials' | 'jwt_bearer';
  clientId: string;
  clientSecret?: string;
  /** JWT bearer: the integration user's username and the connected app's private key (PEM). */
  username?: string;
  privateKeyPem?: string;
  /** JWT bearer `aud`; defaults to https://login.salesforce.com (test.salesforce.com for sandboxes). */
  jwtAudience?: string;
  apiVersion: string;
  logger: Logger;
  /** Per-request timeout (default 15 s): a phone rings for about 30 s. */
  requestTimeoutMs?: number;
  /**
   * Retries of idempotent GETs on 5xx, network errors, QUERY_TIMEOUT and UNABLE_TO_LOCK_ROW
   * (default 1, after 250 ms). A write is retried only after UNABLE_TO_LOCK_ROW, which means
   * nothing was written.
   */
  getRetries?: number;
  /** How long a token request may take before it counts as failed (default: requestTimeoutMs). */
  tokenTimeoutMs?: number;
  /** How often a Bulk API 2.0 job's state is polled (default 2 s). */
  bulkPollMs?: number;
  /** How long a Bulk API 2.0 job may take before the gateway gives up (default 30 min). */
  bulkTimeoutMs?: number;
}

const AUTH_HINT =
  'Check salesforce.clientId and clientSecret (the consumer key and secret of the External ' +
  'Client App), that the app has a Run-As user for the client credentials flow, and that ' +
  'salesforce.loginUrl is the My Domain URL (https://<domain>.my.salesforce.com).';
const MY_DOMAIN_HINT =
  'The client credentials flow works only on the My Domain host: set salesforce.loginUrl to ' +
  'https://<domain>.my.salesforce.com (Setup › My Domain), not login.salesforce.com or ' +
  'test.salesforce.com.';
const BUSY_HINT =
  'The org is busy (a record locked by another update, or a query that ran too long); the ' +
  'bridge tries again.';
/** Errors Salesforce answers with HTTP 400 that mean "try again", not "you asked wrongly". */
const TRANSIENT_400 = new Set(['UNABLE_TO_LOCK_ROW', 'QUERY_TIMEOUT']);
const JWT_HINT =
  'Check salesforce.clientId, salesforce.username (the integration user, pre-authorized for the ' +
  'app), that the certificate uploaded to the app matches salesforce.privateKeyFile, and ' +
  'salesforce.loginUrl (the My Domain URL).';

interface SalesforceErrorBody {
  message?: unknown;
  errorCode?: unknown;
  fields?: unknown;
}

/** Audience the Salesforce token endpoint expects in a JWT bearer assertion. */
export function defaultJwtAudience(loginUrl: string): string {
  const host = new URL(loginUrl).hostname;
  if (host.endsWith('.sandbox.my.salesforce.com') || host === 'test.salesforce.com')
    return 'https://test.salesforce.com';
  if (host.endsWith('.salesforce.com')) return 'https://login.salesforce.com';
  return loginUrl.replace(/\/+$/, '');
}

export class JsforceSalesforceGateway implements SalesforceGateway {
  private readonly conn: Connection;
  private readonly logger: Logger;
  private readonly privateKey: KeyObject | undefined;
  private identity: OrgIdentity | undefined;
  private authInFlight: Promise<OrgIdentity> | undefined;
  private lastAuthError: SwitchboardError | undefined;
  private usage: ApiUsage | undefined;

  constructor(private readonly options: JsforceGatewayOptions) {
    this.logger = options.logger;
    if (options.flow === 'client_credentials' && (options.clientSecret ?? '') === '')
      throw new SwitchboardError(
        ErrorCodes.SF_AUTH_FAILED,
        'The client credentials flow needs a client secret',
        { hint: AUTH_HINT },
      );
    if (options.flow === 'jwt_bearer') {
      if ((options.username ?? '') === '' || (options.privateKeyPem ?? '') === '')
        throw new SwitchboardError(
          ErrorCodes.SF_AUTH_FAILED,
          'The JWT bearer flow needs a username and a private key',
          { hint: JWT_HINT },
        );
      try {
        this.privateKey = createPrivateKey(options.privateKeyPem ?? '');
      } catch (error) {
        throw new SwitchboardError(
          ErrorCodes.SF_AUTH_FAILED,
          'The JWT bearer private key is not a readable PEM key',
          {
            hint: JWT_HINT,
            cause: error,
          },
        );
      }
    }
    this.conn = new Connection({
      loginUrl: options.loginUrl,
      version: options.apiVersion,
      oauth2: {
        loginUrl: options.loginUrl,
        clientId: options.clientId,
        ...(options.flow === 'client_credentials' ? { clientSecret: options.clientSecret } : {}),
      },
      // These flows issue no refresh token: re-authorize from scratch. jsforce calls this on a
      // 401, waits for it (one at a time) and replays the request.
      refreshFn: (_conn, callback) => {
        this.lastAuthError = undefined;
        this.authenticate().then(
          () => {
            callback(null, this.conn.accessToken ?? undefined);
          },
          (error: unknown) => {
            this.lastAuthError = error instanceof SwitchboardError ? error : undefined;
            callback(error instanceof Error ? error : new Error(String(error)));
          },
        );
      },
    });
  }

  async connect(): Promise<OrgIdentity> {
    return this.identity ?? this.authenticate();
  }

  /** Single flight: concurrent callers share one token request. */
  private authenticate(): Promise<OrgIdentity> {
    this.authInFlight ??= this.requestToken().finally(() => {
      this.authInFlight = undefined;
    });
    return this.authInFlight;
  }

  private async requestToken(): Promise<OrgIdentity> {
    const timeoutMs = this.options.tokenTimeoutMs ?? this.options.requestTimeoutMs ?? 15_000;
    let timer: NodeJS.Timeout | undefined;
    try {
      const authorize =
        this.options.flow === 'client_credentials'
          ? this.conn.authorize({ grant_type: 'client_credentials' })
          : this.assertion().then((assertion) =>
              this.conn.authorize({
                grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
                assertion,
              }),
            );
      // A token endpoint that accepts the request and never answers must not hold every
      // waiting lookup: after the timeout they fail, and the next request asks again.
      const timedOut = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => {
          reject(
            new SwitchboardError(
              ErrorCodes.SF_UNAVAILABLE,
              `Salesforce's token endpoint did not answer within ${Math.round(timeoutMs / 1000)} s`,
              {
                status: 503,
                hint: `Check that ${this.options.loginUrl} is reachable from the bridge; the next request tries again.`,
              },
            ),
          );
        }, timeoutMs);
      });
      authorize.catch(() => undefined); // a late failure after the timeout is not unhandled
      const userInfo = await Promise.race([authorize, timedOut]);
      this.identity = {
        orgId: userInfo.organizationId,
        userId: userInfo.id,
        instanceUrl: this.conn.instanceUrl,
      };
      this.logger.info(
        { orgId: this.identity.orgId, userId: this.identity.userId, flow: this.options.flow },
        'authorized with Salesforce',
      );
      return this.identity;
    } catch (error) {
      throw this.tokenError(error);
    } finally {
      clearTimeout(timer);
    }
  }

  private async assertion(): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return (
      new SignJWT({})
        .setProtectedHeader({ alg: 'RS256' })
        .setIssuer(this.options.clientId)
        .setSubject(this.options.username ?? '')
        .setAudience(this.options.jwtAudience ?? defaultJwtAudience(this.options.loginUrl))
        // Salesforce wants exp within 3 minutes.
        .setExpirationTime(now + 170)
        .sign(this.privateKey as KeyObject)
    );
  }

  private tokenError(error: unknown): SwitchboardError {
    if (error instanceof SwitchboardError) return error;
    const name = error instanceof Error ? error.name : '';
    const message = error instanceof Error ? error.message : String(error);
    if (/^ERROR_HTTP_5\d\d$/.test(name) || isNetworkError(error))
      return new SwitchboardError(
        ErrorCodes.SF_UNAVAILABLE,
        `Salesforce token endpoint unreachable: ${message.slice(0, 200)}`,
        {
          cause: error,
          status: 503,
          hint: `Check that ${this.options.loginUrl} is reachable from the bridge and that Salesforce is not in maintenance (status.salesforce.com).`,
        },
      );
    return new SwitchboardError(
      ErrorCodes.SF_AUTH_FAILED,
      `Salesforce refused the login (${name || 'error'}): ${message.slice(0, 200)}`,
      {
        cause: error,
        status: 502,
        hint: /not supported on this domain/i.test(message)
          ? MY_DOMAIN_HINT
          : this.options.flow === 'jwt_bearer'
            ? JWT_HINT
            : AUTH_HINT,
        details: { error: name },
      },
    );
  }

  // ------------------------------------------------------------------ requests

  /** One REST call with our own error mapping and limit tracking, jsforce handling the session. */
  private async send<T>(
    request: HttpRequest,
    onResponse?: (response: HttpResponse) => void,
  ): Promise<T> {
    if (this.identity === undefined) await this.connect();
    const retries = request.method === 'GET' ? (this.options.getRetries ?? 1) : 0;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.sendOnce<T>(request, retries, onResponse);
      } catch (error) {
        // Busy-org answers (HTTP 400, so jsforce does not retry them): a GET may be asked
        // again; a write only after a lock error, which means nothing was written.
        const busy = error instanceof SwitchboardError ? error.details?.errorCode : undefined;
        const retryable =
          typeof busy === 'string' &&
          TRANSIENT_400.has(busy) &&
          (request.method === 'GET' || busy === 'UNABLE_TO_LOCK_ROW');
        if (!retryable || attempt >= Math.max(retries, 1)) throw error;
        this.logger.debug({ errorCode: busy, attempt: attempt + 1 }, 'Salesforce busy; retrying');
        await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** attempt));
      }
    }
  }

  private async sendOnce<T>(
    request: HttpRequest,
    retries: number,
    onResponse?: (response: HttpResponse) => void,
  ): Promise<T> {
    const transport = new MappingTransport(this.conn._transport, (response, count) => {
      this.inspect(response, count);
      onResponse?.(response);
    });
    const options: HttpRequestOptions & { transport: MappingTransport } = {
      transport,
      timeout: this.options.requestTimeoutMs ?? 15_000,
      retry: { maxRetries: retries, minTimeout: 250, methods: ['GET'] },
    };
    try {
      return await this.conn.request<T>(request, options);
    } catch (error) {
      throw this.requestError(error);
    }
  }

  /** Sees every response before jsforce does: limits, and errors turned into ours. */
  private inspect(response: HttpResponse, unauthorizedCount: number): void {
    const limit = /api-usage=(\d+)\/(\d+)/.exec(response.headers['sforce-limit-info'] ?? '');
    if (limit?.[1] !== undefined && limit[2] !== undefined)
      this.usage = { used: Number(limit[1]), max: Number(limit[2]) };
    const status = response.statusCode;
    if (status === 401) {
      // The first 401 goes to jsforce, which re-authorizes and replays; a fresh session
      // refused again means something else is wrong, and looping would hide it.
      if (unauthorizedCount > 1)
        throw new SwitchboardError(
          ErrorCodes.SF_SESSION_EXPIRED,
          'Salesforce refused a freshly issued session',
          {
            status: 502,
            hint: 'Check the app policies (IP relaxation, session policies) and that the Run-As user has API access.',
          },
        );
      return;
    }
    if (status < 400) return;
    throw salesforceError(status, parseErrorBody(response));
  }

  private requestError(error: unknown): SwitchboardError {
    if (error instanceof SwitchboardError) return error;
    const message = error instanceof Error ? error.message : String(error);
    if (message.startsWith('Unable to refresh session'))
      return (
        this.lastAuthError ??
        new SwitchboardError(ErrorCodes.SF_AUTH_FAILED, message, { cause: error, hint: AUTH_HINT })
      );
    if (isNetworkError(error))
      return new SwitchboardError(
        ErrorCodes.SF_UNAVAILABLE,
        `Salesforce unreachable: ${message.slice(0, 200)}`,
        {
          cause: error,
          status: 503,
          hint: `Check that ${this.conn.instanceUrl || this.options.loginUrl} is reachable from the bridge.`,
        },
      );
    return new SwitchboardError(ErrorCodes.SF_REQUEST_REJECTED, message.slice(0, 300), {
      cause: error,
      status: 502,
    });
  }

  // ------------------------------------------------------------------ gateway

  async query(soql: Soql, options: { limit?: number } = {}): Promise<SObjectRecord[]> {
    const out: SObjectRecord[] = [];
    let page = await this.send<QueryPage>({
      method: 'GET',
      url: `${this.base()}/query?q=${encodeURIComponent(soql)}`,
    });
    for (;;) {
      for (const record of page.records) out.push(toSObjectRecord(record));
      if (options.limit !== undefined && out.length >= options.limit)
        return out.slice(0, options.limit);
      if (page.done || page.nextRecordsUrl === undefined) return out;
      page = await this.send<QueryPage>({ method: 'GET', url: page.nextRecordsUrl });
    }
  }

  async count(soql: Soql): Promise<number> {
    const page = await this.send<QueryPage>({
      method: 'GET',
      url: `${this.base()}/query?q=${encodeURIComponent(soql)}`,
    });
    return page.totalSize;
  }

  async queryBatch(queries: readonly Soql[]): Promise<SObjectRecord[][]> {
    const results: SObjectRecord[][] = [];
    for (let start = 0; start < queries.length; start += QUERIES_PER_COMPOSITE) {
      const chunk = queries.slice(start, start + QUERIES_PER_COMPOSITE);
      const pages = await this.compositeGets(
        chunk.map((soql) => `${this.base()}/query?q=${encodeURIComponent(soql)}`),
      );
      for (const page of pages) {
        if (!page.ok) throw page.error;
        results.push(await this.restOfQuery(page.body as QueryPage));
      }
    }
    return results;
  }

  /**
   * GET requests as one Composite request (not all-or-none): each one's answer body, or the
   * error Salesforce gave it (as its own request would have thrown), in order.
   */
  private async compositeGets(
    urls: readonly string[],
  ): Promise<Array<{ ok: true; body: unknown } | { ok: false; error: SwitchboardError }>> {
    const answer = await this.send<{ compositeResponse?: CompositeSubresponse[] }>({
      method: 'POST',
      url: `${this.base()}/composite`,
      body: JSON.stringify({
        allOrNone: false,
        compositeRequest: urls.map((url, i) => ({ method: 'GET', url, referenceId: `r${i}` })),
      }),
      headers: { 'content-type': 'application/json' },
    });
    const byReference = new Map(
      (answer.compositeResponse ?? []).map((sub) => [sub.referenceId, sub]),
    );
    return urls.map((_url, i) => {
      const sub = byReference.get(`r${i}`);
      if (sub !== undefined && sub.httpStatusCode < 400) return { ok: true, body: sub.body };
      return {
        ok: false,
        error: salesforceError(
          sub?.httpStatusCode ?? 502,
          firstError(sub?.body) ?? {
            errorCode: 'COMPOSITE_ANSWER_MISSING',
            message: 'Salesforce answered the Composite request without this subrequest',
          },
        ),
      };
    });
  }

  /** A query's records from its first page on, following nextRecordsUrl. */
  private async restOfQuery(first: QueryPage): Promise<SObjectRecord[]> {
    const out: SObjectRecord[] = [];
    let page = first;
    for (;;) {
      for (const record of page.records) out.push(toSObjectRecord(record));
      if (page.done || page.nextRecordsUrl === undefined) return out;
      page = await this.send<QueryPage>({ method: 'GET', url: page.nextRecordsUrl });
    }
  }

  async search(sosl: Sosl): Promise<SObjectRecord[]> {
    const result = await this.send<{ searchRecords?: RawRecord[] }>({
      method: 'GET',
      url: `${this.base()}/search?q=${encodeURIComponent(sosl)}`,
    });
    return (result.searchRecords ?? []).map(toSObjectRecord);
  }

  async create(sobject: string, fields: Record<string, unknown>): Promise<string> {
    const result = await this.send<{
      id?: string;
      success?: boolean;
      errors?: SalesforceErrorBody[];
    }>({
      method: 'POST',
      url: `${this.base()}/sobjects/${encodeURIComponent(sobject)}`,
      body: JSON.stringify(fields),
      headers: { 'content-type': 'application/json' },
    });
    if (result.success !== true || typeof result.id !== 'string')
      throw new SwitchboardError(
        ErrorCodes.SF_REQUEST_REJECTED,
        `Salesforce did not create the ${sobject}`,
        {
          details: { errors: result.errors },
        },
      );
    return result.id;
  }

  async createMany(
    sobject: string,
    records: readonly Record<string, unknown>[],
  ): Promise<CreateResult[]> {
    if (records.length > RECORDS_PER_COLLECTION)
      throw new RangeError(
        `at most ${RECORDS_PER_COLLECTION} records per sObject Collections create`,
      );
    if (records.length === 0) return [];
    const results = await this.send<SaveResult[]>({
      method: 'POST',
      url: `${this.base()}/composite/sobjects`,
      body: JSON.stringify({
        allOrNone: false,
        records: records.map((fields) => ({ attributes: { type: sobject }, ...fields })),
      }),
      headers: { 'content-type': 'application/json' },
    });
    return records.map((_fields, i): CreateResult => {
      const result = Array.isArray(results) ? results[i] : undefined;
      if (result?.success === true && typeof result.id === 'string')
        return { ok: true, id: result.id };
      return {
        ok: false,
        error: salesforceError(
          400,
          firstError(result?.errors) ?? {
            errorCode: 'SAVE_RESULT_MISSING',
            message: `Salesforce did not say whether the ${sobject} was created`,
          },
        ),
      };
    });
  }

  async update(sobject: string, id: string, fields: Record<string, unknown>): Promise<void> {
    await this.send<undefined>({
      method: 'PATCH',
      url: `${this.base()}/sobjects/${encodeURIComponent(sobject)}/${encodeURIComponent(id)}`,
      body: JSON.stringify(fields),
      headers: { 'content-type': 'application/json' },
    });
  }

  async retrieve(sobject: string, id: string, fields: string[]): Promise<SObjectRecord | null> {
    try {
      const record = await this.send<RawRecord>({
        method: 'GET',
        url: `${this.base()}/sobjects/${encodeURIComponent(sobject)}/${encodeURIComponent(id)}?fields=${encodeURIComponent(fields.join(','))}`,
      });
      return toSObjectRecord(record);
    } catch (error) {
      if (error instanceof SwitchboardError && error.details?.status === 404) return null;
      throw error;
    }
  }

  async *bulkQuery(soql: Soql, options: BulkQueryOptions): AsyncIterable<BulkQueryPage> {
    options.onRequest?.();
    const resume = options.resume;
    const job =
      resume === undefined
        ? await this.send<BulkJobInfo>({
            method: 'POST',
            url: `${this.base()}/jobs/query`,
            body: JSON.stringify({ operation: 'query', query: soql }),
            headers: { 'content-type': 'application/json' },
          })
        : await this.send<BulkJobInfo>({
            method: 'GET',
            url: `${this.base()}/jobs/query/${encodeURIComponent(resume.jobId)}`,
          });
    const jobUrl = `${this.base()}/jobs/query/${encodeURIComponent(job.id)}`;
    const started = Date.now();
    let info = job;
    while (info.state !== 'JobComplete') {
      if (info.state === 'Failed' || info.state === 'Aborted')
        throw new SwitchboardError(
          ErrorCodes.SF_BULK_JOB_FAILED,
          `Bulk API query job ${job.id} ${info.state.toLowerCase()}: ${typeof info.errorMessage === 'string' ? info.errorMessage.slice(0, 300) : ''}`,
          {
            status: 502,
            hint: 'Setup › Bulk Data Load Jobs shows the job; the query or the integration user’s access to an object or field is the usual cause.',
          },
        );
      if (Date.now() - started > (this.options.bulkTimeoutMs ?? 30 * 60_000))
        throw new SwitchboardError(
          ErrorCodes.SF_BULK_JOB_FAILED,
          `Bulk API query job ${job.id} did not finish in time`,
          {
            status: 504,
            hint: 'The org may be busy; the next sync resumes where this one stopped.',
          },
        );
      if (info !== job || info.state !== 'UploadComplete')
        await new Promise((resolve) => setTimeout(resolve, this.options.bulkPollMs ?? 2000));
      options.onRequest?.();
      info = await this.send<BulkJobInfo>({ method: 'GET', url: jobUrl });
    }
    const total = info.numberRecordsProcessed;
    let fetched = 0;
    let locator: string | undefined = resume?.locator ?? undefined;
    do {
      const params = new URLSearchParams();
      if (options.pageSize !== undefined) params.set('maxRecords', String(options.pageSize));
      if (locator !== undefined) params.set('locator', locator);
      let headers: Record<string, string> = {};
      options.onRequest?.();
      // jsforce parses text/csv responses into rows of strings (csv-parse, header row as keys).
      const rows = await this.send<unknown>(
        {
          method: 'GET',
          url: `${jobUrl}/results${params.size > 0 ? `?${params.toString()}` : ''}`,
        },
        (response) => {
          headers = response.headers;
        },
      );
      const next = headers['sforce-locator'];
      locator = next === undefined || next === '' || next === 'null' ? undefined : next;
      const records = (Array.isArray(rows) ? (rows as Record<string, string>[]) : []).map((row) =>
        fromCsvRow(row, options.sobjectType),
      );
      fetched += records.length;
      options.onProgress?.(fetched, total);
      yield { records, fetched, total, jobId: job.id, nextLocator: locator };
    } while (locator !== undefined);
  }

  async describe(sobject: string): Promise<ObjectDescribe> {
    const raw = await this.send<{ name?: unknown; fields?: Record<string, unknown>[] }>({
      method: 'GET',
      url: `${this.base()}/sobjects/${encodeURIComponent(sobject)}/describe`,
    });
    return {
      name: typeof raw.name === 'string' ? raw.name : sobject,
      fields: (raw.fields ?? []).flatMap((f): FieldDescribe[] =>
        typeof f.name === 'string'
          ? [
              {
                name: f.name,
                type: typeof f.type === 'string' ? f.type : 'string',
                createable: f.createable === true,
                updateable: f.updateable === true,
                picklistValues: (Array.isArray(f.picklistValues) ? f.picklistValues : []).flatMap(
                  (v: Record<string, unknown>) =>
                    typeof v.value === 'string'
                      ? [
                          {
                            value: v.value,
                            label: typeof v.label === 'string' ? v.label : v.value,
                            active: v.active !== false,
                            defaultValue: v.defaultValue === true,
                          },
                        ]
                      : [],
                ),
                restrictedPicklist: f.restrictedPicklist === true,
                referenceTo: Array.isArray(f.referenceTo)
                  ? f.referenceTo.filter((t): t is string => typeof t === 'string')
                  : [],
                relationshipName:
                  typeof f.relationshipName === 'string' ? f.relationshipName : null,
              },
            ]
          : [],
      ),
    };
  }

  async getDeleted(sobject: string, start: Date, end: Date): Promise<DeletedRecords> {
    return toDeletedRecords(
      await this.send<DeletedAnswer>({ method: 'GET', url: this.deletedUrl(sobject, start, end) }),
    );
  }

  private deletedUrl(sobject: string, start: Date, end: Date): string {
    return `${this.base()}/sobjects/${encodeURIComponent(sobject)}/deleted/?start=${encodeURIComponent(isoSeconds(start))}&end=${encodeURIComponent(isoSeconds(end))}`;
  }

  async readBatch(reads: readonly BatchRead[]): Promise<BatchAnswer[]> {
    const answers: BatchAnswer[] = [];
    for (const chunk of compositeChunks(reads)) {
      const bodies = await this.compositeGets(
        chunk.map((read) =>
          read.kind === 'query'
            ? `${this.base()}/query?q=${encodeURIComponent(read.soql)}`
            : this.deletedUrl(read.sobject, read.start, read.end),
        ),
      );
      for (const [i, read] of chunk.entries()) {
        const body = bodies[i];
        if (body?.ok !== true) {
          answers.push(body ?? { ok: false, error: toSwitchboardError(new Error('no answer')) });
          continue;
        }
        try {
          answers.push(
            read.kind === 'query'
              ? { ok: true, records: await this.restOfQuery(body.body as QueryPage) }
              : { ok: true, deleted: toDeletedRecords(body.body as DeletedAnswer) },
          );
        } catch (error) {
          // A further page of the query failed.
          answers.push({ ok: false, error: toSwitchboardError(error) });
        }
      }
    }
    return answers;
  }

  apiUsage(): ApiUsage | undefined {
    return this.usage;
  }

  private base(): string {
    return `/services/data/v${this.options.apiVersion}`;
  }
}

interface RawRecord {
  attributes?: { type?: string; url?: string };
  [field: string]: unknown;
}

/** The getDeleted resource's answer. */
interface DeletedAnswer {
  deletedRecords?: { id?: unknown; deletedDate?: unknown }[];
  earliestDateAvailable?: unknown;
  latestDateCovered?: unknown;
}

function toDeletedRecords(result: DeletedAnswer): DeletedRecords {
  return {
    records: (result.deletedRecords ?? []).flatMap((r) =>
      typeof r.id === 'string'
        ? [{ id: r.id, deletedAt: typeof r.deletedDate === 'string' ? r.deletedDate : '' }]
        : [],
    ),
    earliestDateAvailable:
      typeof result.earliestDateAvailable === 'string' ? result.earliestDateAvailable : undefined,
    latestDateCovered:
      typeof result.latestDateCovered === 'string' ? result.latestDateCovered : undefined,
  };
}

interface CompositeSubresponse {
  referenceId: string;
  httpStatusCode: number;
  body: unknown;
}

interface SaveResult {
  id?: unknown;
  success?: unknown;
  errors?: unknown;
}

interface QueryPage {
  totalSize: number;
  done: boolean;
  nextRecordsUrl?: string;
  records: RawRecord[];
}

interface BulkJobInfo {
  id: string;
  state: 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Failed' | 'Aborted';
  numberRecordsProcessed?: number;
  errorMessage?: unknown;
}

/** getDeleted wants seconds precision: 2024-05-01T10:00:00Z. */
function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * A Bulk API CSV row as the REST shape would have it: `Account.Name` nested, an empty cell null
 * (Bulk CSV cannot tell empty from null), and the type the query was for.
 */
function fromCsvRow(row: Record<string, string>, sobjectType: string): SObjectRecord {
  const out: Record<string, unknown> = {};
  for (const [column, cell] of Object.entries(row)) {
    const value = cell === '' ? null : cell;
    const path = column.split('.');
    let target = out;
    for (const part of path.slice(0, -1)) {
      const existing = target[part];
      if (existing === null || typeof existing !== 'object') target[part] = {};
      target = target[part] as Record<string, unknown>;
    }
    target[path[path.length - 1] ?? column] = value;
  }
  return { ...out, Id: typeof out.Id === 'string' ? out.Id : '', sobjectType };
}

/** Strips `attributes` (nested parents too) and names the type, so jsforce shapes stay here. */
export function toSObjectRecord(raw: RawRecord): SObjectRecord {
  const out = stripAttributes(raw);
  const idFromUrl = raw.attributes?.url?.split('/').pop() ?? '';
  return {
    ...out,
    Id: typeof raw.Id === 'string' ? raw.Id : idFromUrl,
    sobjectType: raw.attributes?.type ?? '',
  };
}

function stripAttributes(raw: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (key === 'attributes') continue;
    out[key] =
      value !== null && typeof value === 'object' && !Array.isArray(value)
        ? stripAttributes(value as Record<string, unknown>)
        : value;
  }
  return out;
}

/** Salesforce's answer to a request (or to one subrequest or record of it) as our error. */
function salesforceError(
  status: number,
  body: { errorCode: string; message: string; fields?: unknown },
): SwitchboardError {
  const details = {
    status,
    errorCode: body.errorCode,
    ...(body.fields === undefined ? {} : { fields: body.fields }),
  };
  let code: ErrorCode;
  let hint: string;
  if (status === 403 && body.errorCode === 'REQUEST_LIMIT_EXCEEDED') {
    code = ErrorCodes.SF_REQUEST_LIMIT;
    hint =
      'The org has used its daily API requests; lookups resume when the 24-hour window frees some. Setup › Company Information shows the usage.';
  } else if (status >= 500 || status === 420 || status === 429) {
    code = ErrorCodes.SF_UNAVAILABLE;
    hint =
      'Salesforce answered with a server error; the bridge retries on the next call. Check status.salesforce.com.';
  } else if (TRANSIENT_400.has(body.errorCode)) {
    code = ErrorCodes.SF_UNAVAILABLE;
    hint = BUSY_HINT;
  } else {
    code = ErrorCodes.SF_REQUEST_REJECTED;
    hint =
      status === 404
        ? 'The record or resource does not exist (deleted, or not visible to the integration user).'
        : 'Salesforce rejected the request; details.errorCode says why (a validation rule, a missing field permission, a bad query).';
  }
  return new SwitchboardError(code, `Salesforce ${status} ${body.errorCode}: ${body.message}`, {
    status: code === ErrorCodes.SF_REQUEST_REJECTED ? 502 : 503,
    hint,
    details,
  });
}

/** The first error of a Salesforce error list (`[{errorCode|statusCode, message, fields}]`). */
function firstError(
  parsed: unknown,
): { errorCode: string; message: string; fields?: unknown } | undefined {
  const first = (Array.isArray(parsed) ? parsed[0] : parsed) as
    (SalesforceErrorBody & { statusCode?: unknown }) | undefined;
  const errorCode = typeof first?.errorCode === 'string' ? first.errorCode : first?.statusCode;
  if (first === undefined || typeof errorCode !== 'string') return undefined;
  return {
    errorCode,
    message: typeof first.message === 'string' ? first.message.slice(0, 500) : '',
    ...(first.fields === undefined ? {} : { fields: first.fields }),
  };
}

function parseErrorBody(response: HttpResponse): {
  errorCode: string;
  message: string;
  fields?: unknown;
} {
  try {
    const first = firstError(JSON.parse(response.body) as unknown);
    if (first !== undefined) return first;
  } catch {
    // Not JSON: a maintenance page or a proxy's error.
  }
  return {
    errorCode: `HTTP_${response.statusCode}`,
    message: response.body.slice(0, 200).replace(/\s+/g, ' '),
  };
}

function isNetworkError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  return (
    error.name === 'FetchError' ||
    error.name === 'AbortError' ||
    (typeof code === 'string' && /^(E[A-Z]+|UND_ERR.*)$/.test(code))
  );
}

/**
 * Wraps jsforce's transport for one logical request (replays included): sees each response
 * first, so errors carry the HTTP status jsforce would drop, and counts 401s.
 */
class MappingTransport {
  private unauthorized = 0;

  constructor(
    private readonly inner: Connection['_transport'],
    private readonly check: (response: HttpResponse, unauthorizedCount: number) => void,
  ) {}

  httpRequest(req: HttpRequest, options?: HttpRequestOptions): StreamPromise<HttpResponse> {
    const pending = this.inner.httpRequest(req, options);
    const checked = pending.then((response) => {
      if (response.statusCode === 401) this.unauthorized++;
      this.check(response, this.unauthorized);
      return response;
    });
    // jsforce pipes the raw stream and awaits the promise: keep its stream, swap the promise.
    // (jsforce's StreamPromise class is not exported from its entry point.)
    // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
    return Object.assign(checked, { stream: () => pending.stream() });
  }
}
