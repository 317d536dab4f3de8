// An emulated Salesforce org: a real HTTP server, in memory, seeded from JSON, speaking the REST
// wire format jsforce uses (OAuth token endpoint, query with nextRecordsUrl paging, SOSL search,
// sObject create/retrieve/update/describe, Composite and sObject Collections create (composite.ts),
// limits, Sforce-Limit-Info on every API response,
// errors as `[{message, errorCode}]`). It is as strict as a real org where the bridge could
// trip: the integration user's field-level security, Person Accounts, restricted picklists,
// phone search by index tokens, getDeleted's one-minute rule, Bulk queries that time out with
// ORDER BY, client credentials only on My Domain. The demo runs the bridge against it, and the
// tests drive the real jsforce gateway through it, including faults (expired sessions, limits,
// outages, row locks, query timeouts, a hung token endpoint, rejections).
import {
  createHmac,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jwtVerify } from 'jose';
import { ErrorCodes, SwitchboardError } from '../../errors';
import type { Logger } from '../../logging/logger';
import { silentLogger } from '../../logging/logger';
import { FieldAccessPolicy, type FieldAccessLevel } from './access';
import { describeObject } from './describe';
import { OrgFaults, type FailureKind, type RequestKind } from './faults';
import { IdFactory, to18 } from './ids';
import { ADMIN_PERMISSION, OrgIdentitySigner } from './identity';
import { insertRecord, seedHasPersonAccounts, updateRecord } from './person-accounts';
import { OrgSchema, type FieldDef, type ObjectDef } from './schema';
import type { SeedData } from './seed';
import {
  effectivePermissions,
  needsViewSetup,
  setUpProfiles,
  userPermissionAccessRow,
  type UserPermissions,
} from './user-permissions';
import {
  execute,
  parseSoql,
  planQuery,
  shape,
  unsupportedObject,
  type EngineContext,
} from './soql-engine';
import { SharingPolicy, queryUserRecordAccess, type OrgWideDefault } from './sharing';
import { parseSearch, runSearch } from './sosl-engine';
import {
  createCollection,
  runComposite,
  type CompositeHost,
  type DataReply,
  type DataRequest,
} from './composite';
import {
  OrgApiError,
  RecordStore,
  sfDateTime,
  type Fields,
  type StoredRecord,
  type WriteOptions,
} from './store';

export { loadSeed, parseSeed, type SeedData } from './seed';
export { OrgFaults, type FailureKind, type RequestKind, type WriteRejection } from './faults';
export type { FieldAccessLevel } from './access';
export type { UserPermissions } from './user-permissions';

/** A picklist an org defines its own way (`Task.CallDisposition`, renamed Task statuses). */
export interface PicklistOption {
  values: readonly (
    string | { value: string; label?: string; default?: boolean; closed?: boolean }
  )[];
  /** Refuse other values on create and update (default true). */
  restricted?: boolean;
}
export type { IdentityTokenOverrides } from './identity';

export interface EmulatedOrgOptions {
  seed: SeedData;
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  logger?: Logger;
  /** Highest API version the org offers (default 62.0). */
  apiVersion?: string;
  /** Records per query response before nextRecordsUrl (Salesforce: 2000). */
  queryBatchSize?: number;
  /** How long a record created or changed through the API stays invisible to search. */
  searchIndexLagMs?: number;
  /** Daily API request limit reported in Sforce-Limit-Info (default 15000). */
  apiLimit?: number;
  /** API requests already used today when the org starts (other integrations; default 0). */
  apiUsedToday?: number;
  /** Connected app credentials; generated when omitted. */
  clientId?: string;
  clientSecret?: string;
  /** Public key (SPKI PEM) or certificate of the connected app for JWT bearer; a pair is generated otherwise. */
  jwtBearerPublicKeyPem?: string;
  /** Username of the integration ("Run As") user; created if no seed User has it. */
  integrationUsername?: string;
  orgId?: string;
  /** Time source (epoch ms) for audit fields, search index lag and tokens; tests inject one. */
  clock?: () => number;
  /** The org has Person Accounts (also switched on by person records in the seed). */
  personAccounts?: boolean;
  /**
   * The integration user's field-level security per `Object.Field`, on top of the seed's
   * FieldPermissions rows (or of full access when the seed has none).
   */
  fieldPermissions?: Readonly<Record<string, FieldAccessLevel>>;
  /**
   * Picklists by `Object.Field`. `Task.Status` values may say `closed`; they become the
   * TaskStatus rows, as `Task.Priority` values become TaskPriority rows.
   */
  picklists?: Readonly<Record<string, PicklistOption>>;
  /**
   * false: the org answers as login.salesforce.com does, refusing the client credentials flow
   * ("request not supported on this domain"); default true (a My Domain host).
   */
  myDomain?: boolean;
  /**
   * The integration user's own permissions, as a profile of exactly these (user-permissions.ts);
   * default: the API-only integration profile (API Enabled, API Only).
   */
  integrationUserPermissions?: Partial<UserPermissions>;
  /**
   * false: the connected app has no Run-As user, and the client credentials flow answers
   * `invalid_grant` "no client credentials user enabled", as Salesforce does. Default true.
   */
  clientCredentialsRunAs?: boolean;
  /**
   * A Bulk API query with ORDER BY over more rows than this fails as a real one times out
   * (ORDER BY turns PK chunking off). Default 0: any ORDER BY in a Bulk query fails.
   */
  bulkOrderByRowLimit?: number;
  /**
   * Organization-wide defaults for reps (not the integration user, which sees everything), by
   * object: `{ Lead: 'Private' }` (`Public` is `ReadWrite`); see sharing.ts. Private means a
   * rep sees only the records they own (and a Contact of an Account they own). Also set by an
   * `Organization` seed row (DefaultAccountAndContactAccess, DefaultLeadAccess 'None').
   * Default public read/write, as a new org's Account/Contact/Lead sharing is.
   */
  sharing?: Partial<Record<string, OrgWideDefault | 'Public'>>;
}

export type CallKind = 'token' | RequestKind;

/** A Bulk API 2.0 query job: run at creation (the store is in memory), served page by page. */
interface BulkJob {
  id: string;
  object: string;
  /** Header row and data rows, already CSV-encoded. */
  header: string;
  rows: string[];
  polled: boolean;
  /** Set when the job fails (a Bulk query that timed out). */
  errorMessage?: string;
}

interface Session {
  userId: string;
}

interface Cursor {
  records: Record<string, unknown>[];
  totalSize: number;
}

const DEFAULT_VERSION = '62.0';
const NOT_FOUND = new OrgApiError(404, 'NOT_FOUND', 'The requested resource does not exist');

class TokenEndpointError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
  ) {
    super(description);
  }
}

export class EmulatedOrg {
  readonly faults: OrgFaults;
  /** Every request that reached the org, by kind, whatever its outcome. */
  readonly counts: Record<CallKind, number> = {
    token: 0,
    query: 0,
    queryMore: 0,
    search: 0,
    create: 0,
    update: 0,
    retrieve: 0,
    describe: 0,
    bulk: 0,
    deleted: 0,
    composite: 0,
    other: 0,
  };
  /** The subrequests of the Composite requests the org received, by kind. */
  readonly subrequests: Record<CallKind, number> = { ...this.counts };
  /** SOSL the org received, with the search terms it parsed from each (for injection tests). */
  readonly searches: { sosl: string; terms: string[] }[] = [];
  readonly url: string;
  readonly credentials: { clientId: string; clientSecret: string };
  /** For the JWT bearer flow: the integration username, and the private key when the org made the pair. */
  readonly jwtBearer: { username: string; privateKeyPem: string | undefined };

  private apiCallCount = 0;
  private usageTotal = 0;
  private readonly sessions = new Map<string, Session>();
  private readonly cursors = new Map<string, Cursor>();
  private readonly bulkJobs = new Map<string, BulkJob>();
  private readonly deletions: { type: string; id: string; at: number }[] = [];
  private readonly ctx: EngineContext;
  /** The integration user's field-level security (other users see every field). */
  readonly fieldAccess: FieldAccessPolicy;
  /** Who may open which record (sharing.ts): what UserRecordAccess reports for a rep. */
  readonly sharing: SharingPolicy;

  private constructor(
    private readonly server: Server,
    readonly orgId: string,
    readonly apiVersion: string,
    readonly identity: OrgIdentitySigner,
    private readonly store: RecordStore,
    private readonly schema: OrgSchema,
    private readonly integrationUserId: string,
    private readonly jwtKey: KeyObject,
    private readonly options: Required<
      Pick<
        EmulatedOrgOptions,
        | 'queryBatchSize'
        | 'searchIndexLagMs'
        | 'apiLimit'
        | 'clock'
        | 'myDomain'
        | 'bulkOrderByRowLimit'
        | 'clientCredentialsRunAs'
      >
    >,
    private readonly logger: Logger,
    credentials: { clientId: string; clientSecret: string },
    jwtBearer: { username: string; privateKeyPem: string | undefined },
    fieldAccess: FieldAccessPolicy,
  ) {
    this.fieldAccess = fieldAccess;
    const address = server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    this.url = `http://${host}:${address.port}`;
    this.credentials = credentials;
    this.jwtBearer = jwtBearer;
    this.faults = new OrgFaults(() => {
      this.sessions.clear();
    });
    this.ctx = { schema, store, clock: options.clock };
    this.sharing = new SharingPolicy(store);
    this.sharing.grantViewAll(integrationUserId);
  }

  static async start(options: EmulatedOrgOptions): Promise<EmulatedOrg> {
    const clock = options.clock ?? Date.now;
    const logger = options.logger ?? silentLogger();
    const pod = 'Hs000';
    const orgId = options.orgId ?? to18(`00D${pod}${randomBytes(4).toString('hex').slice(0, 7)}`);
    const schema = new OrgSchema();
    const store = new RecordStore(schema, new IdFactory(pod), clock);
    const integrationUsername = options.integrationUsername ?? 'integration@switchboard.example';
    if (options.personAccounts === true || seedHasPersonAccounts(options.seed))
      schema.enablePersonAccounts();
    const fieldAccess = new FieldAccessPolicy();
    const integrationUserId = loadSeedInto(
      store,
      schema,
      options.seed,
      integrationUsername,
      clock,
      fieldAccess,
    );
    setUpPicklists(store, schema, options.picklists ?? {}, clock);
    setUpProfiles(store, schema, integrationUserId, options.integrationUserPermissions, clock());
    for (const [path, level] of Object.entries(options.fieldPermissions ?? {}))
      fieldAccess.override(path, level);

    let jwtKey: KeyObject;
    let privateKeyPem: string | undefined;
    if (options.jwtBearerPublicKeyPem === undefined) {
      const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
      jwtKey = pair.publicKey;
      privateKeyPem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    } else {
      // Accepts an SPKI public key or an X.509 certificate, like the connected app's upload.
      jwtKey = createPublicKey(options.jwtBearerPublicKeyPem);
    }

    const identity = await OrgIdentitySigner.create(
      orgId,
      (userId) => {
        const email = store.get(userId)?.fields.Email;
        return typeof email === 'string' ? email : undefined;
      },
      clock,
      // Apex checks the custom permission; here a permission set of that name grants it.
      (userId) => {
        const assignments = schema.object('PermissionSetAssignment');
        if (assignments === undefined) return false;
        return store
          .list(assignments)
          .some(
            (a) =>
              a.fields.AssigneeId === userId &&
              store.get(String(a.fields.PermissionSetId))?.fields.Name === ADMIN_PERMISSION,
          );
      },
    );

    let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => {
      res.statusCode = 503;
      res.end();
    };
    const server = createServer((req, res) => {
      handler(req, res);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const org = new EmulatedOrg(
      server,
      orgId,
      options.apiVersion ?? DEFAULT_VERSION,
      identity,
      store,
      schema,
      integrationUserId,
      jwtKey,
      {
        queryBatchSize: options.queryBatchSize ?? 2000,
        searchIndexLagMs: options.searchIndexLagMs ?? 0,
        apiLimit: options.apiLimit ?? 15000,
        clock,
        myDomain: options.myDomain ?? true,
        bulkOrderByRowLimit: options.bulkOrderByRowLimit ?? 0,
        clientCredentialsRunAs: options.clientCredentialsRunAs ?? true,
      },
      logger,
      {
        clientId: options.clientId ?? `3MVG9${randomBytes(30).toString('base64url')}`,
        clientSecret: options.clientSecret ?? randomBytes(32).toString('hex').toUpperCase(),
      },
      { username: integrationUsername, privateKeyPem },
      fieldAccess,
    );
    org.usageTotal = options.apiUsedToday ?? 0;
    const sharing = { ...sharingFromSeed(options.seed), ...options.sharing };
    for (const [object, level] of Object.entries(sharing))
      if (level !== undefined)
        org.sharing.setDefault(object, level === 'Public' ? 'ReadWrite' : level);
    handler = (req, res) => void org.handle(req, res);
    logger.info({ url: org.url, orgId }, 'emulated Salesforce org listening');
    return org;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => {
      this.server.close(() => {
        resolve();
      });
    });
  }

  /** Data-API requests received (everything under /services/data/vXX.X/). */
  get apiCalls(): number {
    return this.apiCallCount;
  }

  resetCounters(): void {
    this.apiCallCount = 0;
    for (const key of Object.keys(this.counts) as CallKind[]) {
      this.counts[key] = 0;
      this.subrequests[key] = 0;
    }
    this.searches.length = 0;
  }

  /** Current records of a type (copies), in insertion order. */
  records(type: string): Record<string, unknown>[] {
    const def = this.schema.object(type);
    return def === undefined ? [] : this.store.list(def).map((r) => ({ ...r.fields }));
  }

  /** Inserts directly (no API call, no validation of read-only fields); searchable at once. */
  insert(type: string, fields: Record<string, unknown>): Record<string, unknown> {
    const def = this.schema.object(type) ?? this.schema.learnObject(type);
    const record = this.insertRecord(def, fields, {
      actorId: this.integrationUserId,
      searchableAt: this.options.clock(),
      trusted: true,
    });
    return { ...record.fields };
  }

  /**
   * Whether a user may see a record under the org's sharing (what a rep's Lightning Data
   * Service answers, and what UserRecordAccess reports): sharing.ts.
   */
  canSee(userId: string, recordId: string): boolean {
    const record = this.store.get(recordId);
    return record !== undefined && this.sharing.accessFor(userId, record) !== 'None';
  }

  /** An object's organization-wide default (`'Contact', 'Private'`), as in Sharing Settings. */
  setSharing(object: string, level: OrgWideDefault): void {
    this.sharing.setDefault(object, level);
  }

  /** A manual share: this user may read (or edit) this record. */
  share(recordId: string, userId: string, level: 'Read' | 'Edit' = 'Read'): void {
    this.sharing.share(recordId, userId, level);
  }

  /** Assigns the permission set with this API name (created if the org has none) to a user. */
  assignPermissionSet(
    userId: string,
    name: string,
    permissions: Partial<UserPermissions> = {},
  ): void {
    const setDef = this.schema.object('PermissionSet');
    const assignmentDef = this.schema.object('PermissionSetAssignment');
    if (setDef === undefined || assignmentDef === undefined) throw new Error('no permission sets');
    const write = {
      actorId: this.integrationUserId,
      searchableAt: this.options.clock(),
      trusted: true,
    };
    const permissionSet =
      this.store.list(setDef).find((p) => p.fields.Name === name) ??
      this.store.insert(
        setDef,
        {
          Name: name,
          Label: name.replace(/_/g, ' '),
          IsOwnedByProfile: false,
          ...Object.fromEntries(
            Object.entries(permissions).map(([permission, on]) => [`Permissions${permission}`, on]),
          ),
        },
        write,
      );
    this.store.insert(
      assignmentDef,
      { AssigneeId: to18(userId), PermissionSetId: permissionSet.fields.Id },
      write,
    );
  }

  /** Changes what the integration user may do with one field (`'Contact.HomePhone'`). */
  setFieldAccess(path: string, level: FieldAccessLevel): void {
    this.fieldAccess.override(path, level);
  }

  /** Updates directly; searchable at once. */
  update(type: string, id: string, fields: Record<string, unknown>): void {
    const record = this.store.get(id);
    if (record === undefined || record.def.name.toLowerCase() !== type.toLowerCase())
      throw new Error(`No ${type} with id ${id}`);
    this.updateRecord(record, fields, {
      actorId: this.integrationUserId,
      searchableAt: this.options.clock(),
      trusted: true,
    });
  }

  /** Deletes directly (no API call); the deletion is reported by the getDeleted resource. */
  delete(type: string, id: string): void {
    const record = this.store.get(id);
    if (record === undefined || record.def.name.toLowerCase() !== type.toLowerCase())
      throw new Error(`No ${type} with id ${id}`);
    const gone = [record];
    // Deleting a person account deletes its person contact with it.
    const personContact =
      typeof record.fields.PersonContactId === 'string'
        ? this.store.get(record.fields.PersonContactId)
        : undefined;
    if (personContact !== undefined) gone.push(personContact);
    for (const r of gone) {
      this.store.remove(r);
      this.deletions.push({ type: r.def.name, id: String(r.fields.Id), at: this.options.clock() });
    }
  }

  /** Every insert goes through here: Person Accounts get their name and person contact. */
  private insertRecord(def: ObjectDef, fields: Fields, write: WriteOptions): StoredRecord {
    return insertRecord(this.store, this.schema, def, fields, write);
  }

  private updateRecord(record: StoredRecord, fields: Fields, write: WriteOptions): void {
    updateRecord(this.store, this.schema, record, fields, write);
  }

  // ------------------------------------------------------------------ HTTP

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://org.invalid');
    const path = url.pathname;
    try {
      if (this.faults.latencyMs > 0) await delay(this.faults.latencyMs);
      if (req.method === 'POST' && path === '/services/oauth2/token') {
        await this.handleToken(req, res);
      } else if (path === '/services/data' || path === '/services/data/') {
        this.sendJson(res, 200, this.versions(), false);
      } else if (path.startsWith('/services/data/')) {
        await this.handleData(req, res, url);
      } else if (/^\/id\/[^/]+\/[^/]+$/.test(path)) {
        this.authenticate(req);
        const userId = path.split('/')[3] ?? '';
        const user = this.store.get(userId);
        if (user === undefined) throw NOT_FOUND;
        this.sendJson(res, 200, {
          id: `${this.url}${path}`,
          organization_id: this.orgId,
          user_id: user.fields.Id,
          username: user.fields.Username,
          email: user.fields.Email,
          display_name: user.fields.Name,
        });
      } else {
        throw NOT_FOUND;
      }
    } catch (error) {
      if (error instanceof OrgApiError) {
        this.sendJson(res, error.status, error.body());
      } else if (error instanceof TokenEndpointError) {
        this.sendJson(
          res,
          error.status,
          { error: error.error, error_description: error.description },
          false,
        );
      } else {
        this.logger.error({ err: error, path }, 'emulated org failed on a request');
        this.sendJson(res, 500, [
          { errorCode: 'UNKNOWN_EXCEPTION', message: 'An unexpected error occurred.' },
        ]);
      }
    } finally {
      this.logger.debug(
        { method: req.method, path, status: res.statusCode },
        'emulated org request',
      );
    }
  }

  private versions(): { label: string; url: string; version: string }[] {
    const max = Number(this.apiVersion);
    const out = [];
    for (let v = 20; v <= max; v++)
      out.push({ label: `v${v}.0`, url: `/services/data/v${v}.0`, version: `${v}.0` });
    return out;
  }

  private sendJson(res: ServerResponse, status: number, body: unknown, apiUsage = true): void {
    if (res.headersSent) return;
    res.statusCode = status;
    res.setHeader('Content-Type', 'application/json;charset=UTF-8');
    if (apiUsage)
      res.setHeader('Sforce-Limit-Info', `api-usage=${this.usageTotal}/${this.options.apiLimit}`);
    res.end(body === undefined ? undefined : JSON.stringify(body));
  }

  private async handleToken(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.counts.token++;
    if (this.faults.down) {
      res.statusCode = 503;
      res.setHeader('Content-Type', 'text/html');
      res.end('<html><body>Service Unavailable</body></html>');
      return;
    }
    const params = new URLSearchParams(await readBody(req));
    // A hung login: the request is read and never answered (stop() closes the socket).
    if (this.faults.tokenHangs) return;
    const grantType = params.get('grant_type');
    let userId: string;
    if (grantType === 'client_credentials' && !this.options.myDomain) {
      throw new TokenEndpointError(400, 'invalid_grant', 'request not supported on this domain');
    } else if (grantType === 'client_credentials') {
      if (!this.options.clientCredentialsRunAs)
        throw new TokenEndpointError(400, 'invalid_grant', 'no client credentials user enabled');
      let clientId = params.get('client_id');
      let clientSecret = params.get('client_secret');
      const basic = /^Basic\s+(.+)$/i.exec(req.headers.authorization ?? '');
      if (basic?.[1] !== undefined) {
        const [id, secret] = Buffer.from(basic[1], 'base64').toString('utf8').split(':');
        clientId = id ?? null;
        clientSecret = secret ?? null;
      }
      if (clientId !== this.credentials.clientId)
        throw new TokenEndpointError(400, 'invalid_client_id', 'client identifier invalid');
      if (clientSecret !== this.credentials.clientSecret)
        throw new TokenEndpointError(400, 'invalid_client', 'invalid client credentials');
      userId = this.integrationUserId;
    } else if (grantType === 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
      userId = await this.verifyAssertion(params.get('assertion') ?? '');
    } else {
      throw new TokenEndpointError(400, 'unsupported_grant_type', 'grant type not supported');
    }
    const accessToken = `${this.orgId.slice(0, 15)}!${randomBytes(48).toString('base64url')}`;
    this.sessions.set(accessToken, { userId });
    const issuedAt = String(this.options.clock());
    const id = `${this.url}/id/${this.orgId}/${userId}`;
    this.sendJson(
      res,
      200,
      {
        access_token: accessToken,
        scope: 'api',
        instance_url: this.url,
        id,
        token_type: 'Bearer',
        issued_at: issuedAt,
        signature: createHmac('sha256', this.credentials.clientSecret)
          .update(id + issuedAt)
          .digest('base64'),
      },
      false,
    );
  }

  private async verifyAssertion(assertion: string): Promise<string> {
    let payload: { iss?: string; sub?: string; exp?: number };
    try {
      ({ payload } = await jwtVerify(assertion, this.jwtKey, {
        algorithms: ['RS256'],
        audience: [
          this.url,
          `${this.url}/`,
          'https://login.salesforce.com',
          'https://test.salesforce.com',
        ],
        currentDate: new Date(this.options.clock()),
        requiredClaims: ['iss', 'sub', 'exp'],
      }));
    } catch {
      throw new TokenEndpointError(400, 'invalid_grant', 'invalid assertion');
    }
    if (payload.iss !== this.credentials.clientId)
      throw new TokenEndpointError(400, 'invalid_client_id', 'client identifier invalid');
    if ((payload.exp ?? 0) * 1000 > this.options.clock() + 5 * 60_000)
      throw new TokenEndpointError(
        400,
        'invalid_grant',
        'expiration time is too far in the future',
      );
    const sub = (payload.sub ?? '').toLowerCase();
    const user = this.store
      .list(this.schema.object('User') as NonNullable<ReturnType<OrgSchema['object']>>)
      .find(
        (u) => typeof u.fields.Username === 'string' && u.fields.Username.toLowerCase() === sub,
      );
    if (user === undefined || user.fields.IsActive === false)
      throw new TokenEndpointError(400, 'invalid_grant', "user hasn't approved this consumer");
    return String(user.fields.Id);
  }

  private authenticate(req: IncomingMessage): Session {
    const match = /^(?:Bearer|OAuth)\s+(.+)$/i.exec(req.headers.authorization ?? '');
    const session = match?.[1] === undefined ? undefined : this.sessions.get(match[1].trim());
    if (session === undefined)
      throw new OrgApiError(401, 'INVALID_SESSION_ID', 'Session expired or invalid');
    return session;
  }

  private async handleData(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const match = /^\/services\/data\/v(\d+\.\d)(\/.*)?$/.exec(url.pathname);
    const version = match?.[1];
    const rest = (match?.[2] ?? '/').replace(/\/+$/, '') || '/';
    const kind = classify(req.method ?? 'GET', rest);
    this.apiCallCount++;
    this.counts[kind]++;
    if (this.faults.down)
      throw new OrgApiError(503, 'SERVER_UNAVAILABLE', 'Salesforce is down for maintenance.');
    if (version === undefined || Number(version) > Number(this.apiVersion) || Number(version) < 20)
      throw NOT_FOUND;
    const session = this.authenticate(req);
    const failure = this.faults.takeFailure(kind === 'token' ? 'other' : kind);
    if (failure !== undefined) throw failureError(failure);
    const ctx = this.contextFor(session);
    this.usageTotal++;
    if (this.usageTotal > this.options.apiLimit)
      throw new OrgApiError(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');

    const method = req.method ?? 'GET';
    const segments = rest.split('/').filter((s) => s !== '');
    if (method === 'GET' && segments[0] === 'jobs' && segments[3] === 'results') {
      const job = this.bulkJobs.get(segments[2] ?? '');
      if (job === undefined || segments[1] !== 'query' || segments.length > 4) throw NOT_FOUND;
      this.sendBulkResults(res, job, url.searchParams);
      return;
    }
    const body = method === 'GET' ? undefined : await readJson(req);
    const request = { method, url, version, body };
    const reply =
      method === 'POST' && rest === '/composite'
        ? runComposite(body, version, this.compositeHost(session, ctx))
        : this.route(request, session, ctx);
    if (reply.location !== undefined) res.setHeader('Location', reply.location);
    if (reply.status === 204) {
      res.statusCode = 204;
      res.setHeader('Sforce-Limit-Info', `api-usage=${this.usageTotal}/${this.options.apiLimit}`);
      res.end();
    } else this.sendJson(res, reply.status, reply.body);
  }

  /** What a Composite request needs of the org: its subrequests, run as the same user. */
  private compositeHost(session: Session, ctx: EngineContext): CompositeHost {
    return {
      transaction: (work) => this.store.transaction(work),
      route: (request) => {
        this.subrequests[classify(request.method, dataPath(request.url))]++;
        return this.route(request, session, ctx);
      },
    };
  }

  /**
   * One data-API request, answered without touching the HTTP response: the top-level request
   * and each Composite subrequest go through here.
   */
  private route(request: DataRequest, session: Session, ctx: EngineContext): DataReply {
    const { method, url, version, body } = request;
    const rest = dataPath(url);
    const segments = rest.split('/').filter((s) => s !== '');
    const ok = (payload: unknown): DataReply => ({ status: 200, body: payload });
    if (method === 'GET' && rest === '/') {
      return ok({
        limits: `/services/data/v${version}/limits`,
        query: `/services/data/v${version}/query`,
        search: `/services/data/v${version}/search`,
        sobjects: `/services/data/v${version}/sobjects`,
      });
    } else if (method === 'GET' && rest === '/limits') {
      return ok({
        DailyApiRequests: {
          Max: this.options.apiLimit,
          Remaining: Math.max(0, this.options.apiLimit - this.usageTotal),
        },
      });
    } else if (method === 'GET' && (rest === '/query' || rest === '/queryAll')) {
      return ok(this.query(url.searchParams.get('q'), version, ctx, session));
    } else if (method === 'GET' && segments[0] === 'query' && segments.length === 2) {
      return ok(this.queryMore(segments[1] ?? '', version));
    } else if (method === 'POST' && rest === '/jobs/query') {
      return ok(this.createBulkJob(body, ctx));
    } else if (method === 'GET' && segments[0] === 'jobs' && segments[1] === 'query') {
      const job = this.bulkJobs.get(segments[2] ?? '');
      if (job === undefined || segments.length !== 3) throw NOT_FOUND;
      return ok(this.pollBulkJob(job));
    } else if (
      method === 'GET' &&
      segments[0] === 'sobjects' &&
      segments[2] === 'deleted' &&
      segments.length === 3
    ) {
      return ok(this.getDeleted(segments[1] ?? '', url.searchParams));
    } else if (
      method === 'GET' &&
      segments[0] === 'sobjects' &&
      segments[2] === 'describe' &&
      segments.length === 3
    ) {
      const def = this.objectFor(segments[1] ?? '');
      return ok(describeObject(def, (field) => this.levelFor(session, def, field), version));
    } else if (method === 'GET' && rest === '/search') {
      return ok({ searchRecords: this.search(url.searchParams.get('q'), version, ctx) });
    } else if (method === 'POST' && rest === '/composite/sobjects') {
      return ok(
        createCollection(body, (type, fields) => this.create(type, fields, session), {
          transaction: (work) => this.store.transaction(work),
        }),
      );
    } else if (segments[0] === 'sobjects' && segments.length === 2 && method === 'POST') {
      const id = this.create(segments[1] ?? '', body, session);
      return {
        status: 201,
        body: { id, success: true, errors: [] },
        location: `/services/data/v${version}/sobjects/${segments[1] ?? ''}/${id}`,
      };
    } else if (segments[0] === 'sobjects' && segments.length === 3 && method === 'GET') {
      const fields = url.searchParams.get('fields');
      return ok(this.retrieve(segments[1] ?? '', segments[2] ?? '', fields, version, ctx));
    } else if (segments[0] === 'sobjects' && segments.length === 3 && method === 'PATCH') {
      this.patch(segments[1] ?? '', segments[2] ?? '', body, session);
      return { status: 204, body: null };
    }
    throw NOT_FOUND;
  }

  /** Field-level security applies to the integration user; other users see every field. */
  private levelFor(session: Session, def: ObjectDef, field: FieldDef): FieldAccessLevel {
    return session.userId === this.integrationUserId ? this.fieldAccess.level(def, field) : 'edit';
  }

  private contextFor(session: Session): EngineContext {
    return {
      ...this.ctx,
      canRead: (def, field) => this.levelFor(session, def, field) !== 'none',
    };
  }

  private writeOptions(session: Session): WriteOptions {
    return {
      actorId: session.userId,
      searchableAt: this.options.clock() + this.options.searchIndexLagMs,
      access: (def, field) => this.levelFor(session, def, field),
    };
  }

  private query(
    q: string | null,
    version: string,
    ctx: EngineContext,
    session: Session,
  ): Record<string, unknown> {
    if (q === null || q.trim() === '')
      throw new OrgApiError(400, 'MALFORMED_QUERY', 'A query string is required');
    const parsed = parseSoql(q);
    if (parsed.sObject?.toLowerCase() === 'userrecordaccess') {
      const rows = queryUserRecordAccess(parsed, session.userId, this.sharing, this.store, version);
      return { totalSize: rows.length, done: true, records: rows };
    }
    const object = parsed.sObject ?? '';
    const permissions = () => effectivePermissions(this.store, this.schema, session.userId);
    // Who holds which permission is setup data: without View Setup it does not exist for you.
    if (needsViewSetup(object) && !permissions().ViewSetup) throw unsupportedObject(object);
    const plan = planQuery(parsed, ctx);
    const records =
      plan.def.name === 'UserPermissionAccess'
        ? execute(plan, ctx, [userPermissionAccessRow(this.schema, permissions())])
        : execute(plan, ctx);
    if (plan.count) return { totalSize: records.length, done: true, records: [] };
    const shaped = records.map((r) => shape(plan, r, ctx, version));
    return this.page({ records: shaped, totalSize: shaped.length }, 0, version);
  }

  private page(cursor: Cursor, offset: number, version: string): Record<string, unknown> {
    const end = offset + this.options.queryBatchSize;
    const batch = cursor.records.slice(offset, end);
    if (end >= cursor.records.length)
      return { totalSize: cursor.totalSize, done: true, records: batch };
    let locator = [...this.cursors.entries()].find(([, c]) => c === cursor)?.[0];
    if (locator === undefined) {
      locator = to18(`01gHs000${randomBytes(4).toString('hex').slice(0, 7)}`);
      this.cursors.set(locator, cursor);
    }
    return {
      totalSize: cursor.totalSize,
      done: false,
      nextRecordsUrl: `/services/data/v${version}/query/${locator}-${end}`,
      records: batch,
    };
  }

  private queryMore(locatorWithOffset: string, version: string): Record<string, unknown> {
    const m = /^([A-Za-z0-9]{18})-(\d+)$/.exec(locatorWithOffset);
    const cursor = m?.[1] === undefined ? undefined : this.cursors.get(m[1]);
    if (m === null || cursor === undefined)
      throw new OrgApiError(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
    const result = this.page(cursor, Number(m[2]), version);
    if (result.done === true && m[1] !== undefined) this.cursors.delete(m[1]);
    return result;
  }

  private search(q: string | null, version: string, ctx: EngineContext): Record<string, unknown>[] {
    if (q === null || q.trim() === '')
      throw new OrgApiError(
        400,
        'MALFORMED_SEARCH',
        'No search term found. The search term must be enclosed in braces.',
      );
    const search = parseSearch(q, ctx);
    this.searches.push({ sosl: q, terms: search.terms.map((t) => t.text) });
    return runSearch(search, ctx, version);
  }

  private createBulkJob(body: unknown, ctx: EngineContext): Record<string, unknown> {
    const spec = asFields(body);
    if (spec.operation !== 'query' && spec.operation !== 'queryAll')
      throw new OrgApiError(400, 'INVALIDJOB', 'operation must be query or queryAll');
    if (typeof spec.query !== 'string' || spec.query.trim() === '')
      throw new OrgApiError(400, 'INVALIDJOB', 'query is required');
    const plan = planQuery(parseSoql(spec.query), ctx);
    if (plan.count)
      throw new OrgApiError(400, 'INVALIDJOB', 'Aggregate queries are not supported by Bulk API');
    const columns = plan.select.map((p) => [...p.relationshipNames, p.leaf].join('.'));
    const matched = execute(plan, ctx);
    const rows = matched.map((record) => {
      const shaped = shape(plan, record, ctx, this.apiVersion);
      return plan.select
        .map((p) => {
          let value: unknown = shaped;
          for (const part of [...p.relationshipNames, p.leafDef.name]) {
            value =
              value !== null && typeof value === 'object'
                ? (value as Record<string, unknown>)[
                    Object.keys(value).find((k) => k.toLowerCase() === part.toLowerCase()) ?? part
                  ]
                : undefined;
          }
          return csvCell(value);
        })
        .join(',');
    });
    const id = to18(`750Hs000${randomBytes(4).toString('hex').slice(0, 7)}`);
    const job: BulkJob = {
      id,
      object: plan.def.name,
      header: columns.map(csvCell).join(','),
      rows,
      polled: false,
      // ORDER BY turns PK chunking off: on a large object the query runs past the time limit.
      ...(plan.orderBy.length > 0 && matched.length > this.options.bulkOrderByRowLimit
        ? {
            errorMessage:
              'InternalServerError : QUERY_TIMEOUT: Your query request was running for too long. (ORDER BY disables PK chunking)',
          }
        : {}),
    };
    this.bulkJobs.set(id, job);
    return this.bulkJobInfo(job, 'UploadComplete');
  }

  /** In progress when first asked, complete from then on: the client's polling is exercised. */
  private pollBulkJob(job: BulkJob): Record<string, unknown> {
    const state = !job.polled
      ? 'InProgress'
      : job.errorMessage === undefined
        ? 'JobComplete'
        : 'Failed';
    job.polled = true;
    return this.bulkJobInfo(job, state);
  }

  private bulkJobInfo(job: BulkJob, state: string): Record<string, unknown> {
    return {
      id: job.id,
      operation: 'query',
      object: job.object,
      state,
      concurrencyMode: 'Parallel',
      contentType: 'CSV',
      apiVersion: Number(this.apiVersion),
      lineEnding: 'LF',
      columnDelimiter: 'COMMA',
      ...(state === 'JobComplete' ? { numberRecordsProcessed: job.rows.length } : {}),
      ...(state === 'Failed' ? { errorMessage: job.errorMessage } : {}),
    };
  }

  private sendBulkResults(res: ServerResponse, job: BulkJob, params: URLSearchParams): void {
    if (!job.polled || job.errorMessage !== undefined)
      throw new OrgApiError(400, 'INVALIDJOBSTATE', 'Job is not complete');
    const maxRecords = Number(params.get('maxRecords') ?? 50000);
    if (!Number.isInteger(maxRecords) || maxRecords < 1)
      throw new OrgApiError(400, 'INVALIDPARAMETER', 'maxRecords must be a positive integer');
    const locator = params.get('locator');
    const offset =
      locator === null ? 0 : Number.parseInt(Buffer.from(locator, 'base64url').toString(), 10);
    if (!Number.isInteger(offset) || offset < 0 || offset > job.rows.length)
      throw new OrgApiError(400, 'INVALIDPARAMETER', 'invalid locator');
    const page = job.rows.slice(offset, offset + maxRecords);
    const end = offset + page.length;
    res.statusCode = 200;
    res.setHeader('Content-Type', 'text/csv');
    res.setHeader('Sforce-Limit-Info', `api-usage=${this.usageTotal}/${this.options.apiLimit}`);
    res.setHeader('Sforce-NumberOfRecords', String(page.length));
    res.setHeader(
      'Sforce-Locator',
      end >= job.rows.length ? 'null' : Buffer.from(String(end)).toString('base64url'),
    );
    res.end([job.header, ...page].join('\n') + '\n');
  }

  private getDeleted(type: string, params: URLSearchParams): Record<string, unknown> {
    const def = this.objectFor(type);
    const start = Date.parse(params.get('start') ?? '');
    const end = Date.parse(params.get('end') ?? '');
    if (Number.isNaN(start) || Number.isNaN(end) || start >= end)
      throw new OrgApiError(
        400,
        'INVALID_REPLICATION_DATE',
        'start and end must be dates, start before end',
      );
    // Salesforce ignores the seconds and wants more than one minute between the two.
    const minute = (t: number) => t - (t % 60_000);
    if (minute(end) - minute(start) <= 60_000)
      throw new OrgApiError(
        400,
        'INVALID_REPLICATION_DATE',
        'EndDate must be at least one minute greater than startDate',
      );
    const earliest = this.options.clock() - 30 * 24 * 3600_000;
    if (start < earliest)
      throw new OrgApiError(
        400,
        'INVALID_REPLICATION_DATE',
        'startDate before org replication enabled date',
      );
    // Salesforce covers whole minutes; the last one reported is where the next call starts.
    const covered = Math.min(end, this.options.clock());
    const coveredMinute = covered - (covered % 60_000);
    return {
      deletedRecords: this.deletions
        .filter((d) => d.type === def.name && d.at >= start && d.at < coveredMinute)
        .map((d) => ({ id: d.id, deletedDate: sfDateTime(d.at) })),
      earliestDateAvailable: sfDateTime(earliest - (earliest % 60_000)),
      latestDateCovered: sfDateTime(coveredMinute),
    };
  }

  private objectFor(type: string) {
    const def = this.schema.object(type);
    if (def === undefined) throw NOT_FOUND;
    return def;
  }

  private checkWrite(type: string, fields: Fields): void {
    const rejection = this.faults.writeRejections.get(type.toLowerCase());
    if (rejection !== undefined && (rejection.when?.(fields) ?? true))
      throw new OrgApiError(400, rejection.errorCode, rejection.message, rejection.fields);
  }

  private create(type: string, body: unknown, session: Session): string {
    const def = this.objectFor(type);
    if (def.setup === true)
      throw new OrgApiError(
        400,
        'INVALID_TYPE_FOR_OPERATION',
        `entity type ${def.name} does not support create`,
      );
    const fields = asFields(body);
    this.checkWrite(def.name, fields);
    const record = this.insertRecord(def, fields, this.writeOptions(session));
    return String(record.fields.Id);
  }

  private findRecord(type: string, id: string): StoredRecord {
    const def = this.objectFor(type);
    const record = /^[A-Za-z0-9]{15}([A-Za-z0-9]{3})?$/.test(id) ? this.store.get(id) : undefined;
    if (record === undefined || record.def !== def || record.fields.IsDeleted === true)
      throw NOT_FOUND;
    return record;
  }

  private retrieve(
    type: string,
    id: string,
    fields: string | null,
    version: string,
    ctx: EngineContext,
  ): Record<string, unknown> {
    const record = this.findRecord(type, id);
    const canRead = ctx.canRead ?? (() => true);
    const names =
      fields === null || fields.trim() === ''
        ? [...record.def.fields.values()].filter((f) => canRead(record.def, f)).map((f) => f.name)
        : fields.split(',').map((f) => f.trim());
    const plan = planQuery(parseSoql(`SELECT ${names.join(', ')} FROM ${record.def.name}`), ctx);
    // The sObject Rows resource always includes the Id, asked for or not.
    return { ...shape(plan, record, ctx, version), Id: record.fields.Id };
  }

  private patch(type: string, id: string, body: unknown, session: Session): void {
    const record = this.findRecord(type, id);
    if (record.def.setup === true)
      throw new OrgApiError(
        400,
        'INVALID_TYPE_FOR_OPERATION',
        `entity type ${record.def.name} does not support update`,
      );
    const fields = asFields(body);
    this.checkWrite(record.def.name, { ...record.fields, ...fields });
    this.updateRecord(record, fields, this.writeOptions(session));
  }
}

/** A CSV cell as Bulk API 2.0 writes it: null empty, everything else quoted when needed. */
function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A data-API URL's path after /services/data/vXX.X, without a trailing slash. */
function dataPath(url: URL): string {
  return url.pathname.replace(/^\/services\/data\/v\d+\.\d/, '').replace(/\/+$/, '') || '/';
}

function classify(method: string, rest: string): CallKind {
  if (rest.startsWith('/jobs/query')) return 'bulk';
  if (method === 'GET' && /^\/sobjects\/[^/]+\/deleted$/.test(rest)) return 'deleted';
  if (method === 'GET' && /^\/sobjects\/[^/]+\/describe$/.test(rest)) return 'describe';
  if (method === 'GET' && (rest === '/query' || rest === '/queryAll')) return 'query';
  if (method === 'GET' && rest.startsWith('/query/')) return 'queryMore';
  if (method === 'GET' && rest === '/search') return 'search';
  if (rest === '/composite') return 'composite';
  // A Collections create is a create, however many records it carries (faults hit it alike).
  if (method === 'POST' && rest === '/composite/sobjects') return 'create';
  if (rest.startsWith('/sobjects/')) {
    if (method === 'POST') return 'create';
    if (method === 'PATCH') return 'update';
    if (method === 'GET') return 'retrieve';
  }
  return 'other';
}

function failureError(kind: FailureKind): OrgApiError {
  if (kind === 'REQUEST_LIMIT_EXCEEDED')
    return new OrgApiError(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');
  if (kind === 'UNABLE_TO_LOCK_ROW')
    return new OrgApiError(
      400,
      'UNABLE_TO_LOCK_ROW',
      'unable to obtain exclusive access to this record or 1 records: 001Hs00000ACC01AAA',
    );
  if (kind === 'QUERY_TIMEOUT')
    return new OrgApiError(400, 'QUERY_TIMEOUT', 'Your query request was running for too long.');
  if (kind === 500)
    return new OrgApiError(
      500,
      'UNKNOWN_EXCEPTION',
      'An unexpected error occurred. Please include this ErrorId if you contact support: 1234567-8901 (-123456789)',
    );
  return new OrgApiError(kind, 'SERVER_UNAVAILABLE', 'Server temporarily unavailable.');
}

function asFields(body: unknown): Fields {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new OrgApiError(
      400,
      'JSON_PARSER_ERROR',
      'The request body must be a JSON object of field names to values',
    );
  return body as Fields;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > 1_000_000)
      throw new OrgApiError(413, 'REQUEST_ENTITY_TOO_LARGE', 'Request body too large');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const text = await readBody(req);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new OrgApiError(
      400,
      'JSON_PARSER_ERROR',
      'Unexpected character in the request body: not JSON',
    );
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Loads seed records (Users first, so owners exist) and returns the integration user's id. */
function loadSeedInto(
  store: RecordStore,
  schema: OrgSchema,
  seed: SeedData,
  integrationUsername: string,
  clock: () => number,
  fieldAccess: FieldAccessPolicy,
): string {
  const userDef = schema.object('User');
  if (userDef === undefined) throw new Error('schema without User');
  const now = clock();
  const seedUsers = seed.User ?? [];
  const existing = seedUsers.find(
    (u) =>
      typeof u.Username === 'string' &&
      u.Username.toLowerCase() === integrationUsername.toLowerCase(),
  );
  let integrationUserId = '';
  if (existing === undefined) {
    const user = store.insert(
      userDef,
      {
        FirstName: 'Switchboard',
        LastName: 'Integration',
        Username: integrationUsername,
        Email: integrationUsername,
        Alias: 'sbint',
        IsActive: true,
      },
      { actorId: '', searchableAt: now, trusted: true },
    );
    integrationUserId = String(user.fields.Id);
    user.fields.CreatedById = integrationUserId;
    user.fields.LastModifiedById = integrationUserId;
  }
  // FieldPermissions rows are the integration user's permission set: only the fields they
  // grant are readable (PermissionsRead) or editable (PermissionsEdit).
  for (const [index, row] of (seed.FieldPermissions ?? []).entries()) {
    if (typeof row.Field !== 'string' || !/^[A-Za-z0-9_]+\.[A-Za-z0-9_]+$/.test(row.Field))
      throw new SwitchboardError(
        ErrorCodes.DEMO_SEED_INVALID,
        `Seed FieldPermissions[${index}]: Field must be Object.Field, e.g. Contact.HomePhone`,
        {
          hint: 'A FieldPermissions row: { "Field": "Contact.Phone", "PermissionsRead": true, "PermissionsEdit": false }',
        },
      );
    fieldAccess.grant(
      row.Field,
      row.PermissionsEdit === true ? 'edit' : row.PermissionsRead === true ? 'read' : 'none',
    );
  }
  const order = [
    'User',
    ...Object.keys(seed).filter(
      (t) => t !== 'User' && t !== 'FieldPermissions' && t !== 'Organization',
    ),
  ];
  for (const type of order) {
    const def = schema.object(type) ?? schema.learnObject(type);
    for (const [index, input] of (seed[type] ?? []).entries()) {
      const fields = { ...input };
      if (def === userDef && fields.Username === undefined && typeof fields.Email === 'string')
        fields.Username = fields.Email;
      try {
        insertRecord(store, schema, def, fields, {
          actorId: integrationUserId,
          searchableAt: now,
          trusted: true,
        });
      } catch (error) {
        throw new SwitchboardError(
          ErrorCodes.DEMO_SEED_INVALID,
          `Seed ${type}[${index}]: ${error instanceof Error ? error.message : String(error)}`,
          {
            cause: error,
            hint: 'Each record needs the fields Salesforce requires (Contact: LastName; Lead: LastName and Company; Account: Name, or LastName for a Person Account) and a unique Id if it has one.',
          },
        );
      }
    }
  }
  if (existing !== undefined) {
    // The integration user came from the seed: attribute the seed's audit fields to it.
    const user = store
      .list(userDef)
      .find((u) => String(u.fields.Username).toLowerCase() === integrationUsername.toLowerCase());
    integrationUserId = String(user?.fields.Id);
    for (const type of order) {
      const def = schema.object(type);
      if (def === undefined) continue;
      for (const record of store.list(def))
        for (const field of ['CreatedById', 'LastModifiedById', 'OwnerId'])
          if (record.fields[field] === '') record.fields[field] = integrationUserId;
    }
  }
  return integrationUserId;
}

type PicklistOptionValue = Exclude<PicklistOption['values'][number], string>;

const STANDARD_TASK_STATUSES: PicklistOptionValue[] = [
  { value: 'Not Started', default: true },
  { value: 'In Progress' },
  { value: 'Completed', closed: true },
  { value: 'Waiting on someone else' },
  { value: 'Deferred' },
];
const STANDARD_TASK_PRIORITIES: PicklistOptionValue[] = [
  { value: 'High' },
  { value: 'Normal', default: true },
  { value: 'Low' },
];

/**
 * Task Status and Priority are the TaskStatus and TaskPriority rows (seeded, from
 * options.picklists, or a new org's standard values); other picklists come from the options.
 */
function setUpPicklists(
  store: RecordStore,
  schema: OrgSchema,
  picklists: Readonly<Record<string, PicklistOption>>,
  clock: () => number,
): void {
  const write = { actorId: '', searchableAt: clock(), trusted: true };
  const rowsFor = (objectName: 'TaskStatus' | 'TaskPriority', field: string) => {
    const def = schema.object(objectName);
    if (def === undefined) return;
    const option = picklists[`Task.${field}`];
    if (option !== undefined) for (const row of [...store.list(def)]) store.remove(row);
    if (store.list(def).length === 0) {
      const values =
        option?.values ?? (field === 'Status' ? STANDARD_TASK_STATUSES : STANDARD_TASK_PRIORITIES);
      values.forEach((v, i) => {
        const value: PicklistOptionValue = typeof v === 'string' ? { value: v } : v;
        store.insert(
          def,
          {
            ApiName: value.value,
            MasterLabel: value.label ?? value.value,
            IsDefault: value.default === true,
            SortOrder: i + 1,
            ...(objectName === 'TaskStatus'
              ? { IsClosed: value.closed === true }
              : { IsHighPriority: value.value === 'High' }),
          },
          write,
        );
      });
    }
    const rows = [...store.list(def)].sort(
      (a, b) => Number(a.fields.SortOrder ?? 0) - Number(b.fields.SortOrder ?? 0),
    );
    schema.setPicklist(`Task.${field}`, {
      values: rows.map((r) => ({
        value: String(r.fields.ApiName ?? r.fields.MasterLabel),
        label: String(r.fields.MasterLabel ?? r.fields.ApiName),
        default: r.fields.IsDefault === true,
      })),
      restricted: option?.restricted ?? true,
    });
  };
  rowsFor('TaskStatus', 'Status');
  rowsFor('TaskPriority', 'Priority');
  for (const [path, option] of Object.entries(picklists)) {
    if (path === 'Task.Status' || path === 'Task.Priority') continue;
    schema.setPicklist(path, {
      values: option.values,
      ...(option.restricted === undefined ? {} : { restricted: option.restricted }),
    });
  }
}

/** The Organization seed row's sharing defaults: 'None' is Private, anything else Public. */
function sharingFromSeed(seed: SeedData): NonNullable<EmulatedOrgOptions['sharing']> {
  const org = seed.Organization?.[0];
  if (org === undefined) return {};
  const level = (value: unknown) => (value === 'None' ? 'Private' : 'Public');
  return {
    Account: level(org.DefaultAccountAndContactAccess),
    Contact: level(org.DefaultAccountAndContactAccess),
    Lead: level(org.DefaultLeadAccess),
  };
}
