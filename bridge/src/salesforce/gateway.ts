// What the bridge needs from Salesforce, in our own types. The jsforce implementation
// (jsforce-gateway.ts) is the only code that knows jsforce; the emulated org in demo/ speaks
// the same REST wire format so the same implementation runs in the demo and in tests.
import type { SwitchboardError } from '../errors';
import type { Soql, Sosl } from './query-builder';

/** A record as returned by query or search: API field names to values, plus its type. */
export interface SObjectRecord {
  Id: string;
  /** The sObject type, e.g. Contact (from the REST `attributes.type`). */
  sobjectType: string;
  [field: string]: unknown;
}

export interface OrgIdentity {
  orgId: string;
  /** The integration user the bridge acts as. */
  userId: string;
  instanceUrl: string;
}

export interface ApiUsage {
  used: number;
  max: number;
}

/** One page of a Bulk API 2.0 query's results, with the job's progress so far. */
export interface BulkQueryPage {
  records: SObjectRecord[];
  /** Records delivered so far, this page included. */
  fetched: number;
  /** Records the job found (known once the job completed). */
  total: number | undefined;
  /** The job, and the locator of the page after this one (undefined: this was the last). */
  jobId: string;
  nextLocator: string | undefined;
}

export interface BulkQueryOptions {
  /** The SObject type of the query (Bulk CSV rows carry no type). */
  sobjectType: string;
  /** Records per results page (Bulk API `maxRecords`). */
  pageSize?: number;
  onProgress?: (fetched: number, total: number | undefined) => void;
  /** Called for every API request the job makes (creation, each state poll, each page). */
  onRequest?: () => void;
  /**
   * Continue reading an existing job's results from this locator (a load interrupted between
   * pages) instead of creating a job; the query is then not sent again.
   */
  resume?: { jobId: string; locator: string | null };
}

/** One field as the integration user sees it (sObject Describe). */
export interface FieldDescribe {
  name: string;
  type: string;
  createable: boolean;
  updateable: boolean;
  picklistValues: { value: string; label: string; active: boolean; defaultValue: boolean }[];
  restrictedPicklist: boolean;
  referenceTo: string[];
  relationshipName: string | null;
}

/** An object's fields the integration user can read (Salesforce leaves the others out). */
export interface ObjectDescribe {
  name: string;
  fields: FieldDescribe[];
}

export interface DeletedRecords {
  records: { id: string; deletedAt: string }[];
  /** ISO timestamps as Salesforce reports them. */
  earliestDateAvailable: string | undefined;
  latestDateCovered: string | undefined;
}

/** One record's outcome in a batch create (sObject Collections): its id, or why it was refused. */
export type CreateResult = { ok: true; id: string } | { ok: false; error: SwitchboardError };

/** Composite: at most 25 subrequests, of which at most 5 queries, counted as one API call. */
export const QUERIES_PER_COMPOSITE = 5;
/** Composite: at most this many subrequests in one request. */
export const SUBREQUESTS_PER_COMPOSITE = 25;

/** One read in a Composite batch (readBatch): a SOQL query or a getDeleted window. */
export type BatchRead =
  { kind: 'query'; soql: Soql } | { kind: 'deleted'; sobject: string; start: Date; end: Date };

/** A batch read's answer: what query or getDeleted returns, or the error it would throw. */
export type BatchAnswer =
  | { ok: true; records: SObjectRecord[] }
  | { ok: true; deleted: DeletedRecords }
  | { ok: false; error: SwitchboardError };

/**
 * The reads split into Composite requests, in order: each at most SUBREQUESTS_PER_COMPOSITE
 * subrequests of which at most QUERIES_PER_COMPOSITE queries.
 */
export function compositeChunks<T extends BatchRead>(reads: readonly T[]): T[][] {
  const chunks: T[][] = [];
  let chunk: T[] = [];
  let queries = 0;
  for (const read of reads) {
    const query = read.kind === 'query' ? 1 : 0;
    if (chunk.length === SUBREQUESTS_PER_COMPOSITE || queries + query > QUERIES_PER_COMPOSITE) {
      chunks.push(chunk);
      chunk = [];
      queries = 0;
    }
    chunk.push(read);
    queries += query;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

/** sObject Collections: at most 200 records per create, counted as one API call. */
export const RECORDS_PER_COLLECTION = 200;

export interface SalesforceGateway {
  /** Authenticate (if not yet) and report which org and user the bridge is connected as. */
  connect(): Promise<OrgIdentity>;
  /** SOQL query, following nextRecordsUrl until done (or until `limit` records). */
  query(soql: Soql, options?: { limit?: number }): Promise<SObjectRecord[]>;
  /** `SELECT COUNT() FROM …`: the number of records (totalSize). Optional. */
  count?(soql: Soql): Promise<number>;
  /**
   * Several SOQL queries for the price of one API call per QUERIES_PER_COMPOSITE (the Composite
   * resource); the results in the order asked, each the query's first page (up to 2,000
   * records, then nextRecordsUrl is followed). Rejects as `query` would when one query fails.
   * Optional: without it each query is sent on its own.
   */
  queryBatch?(queries: readonly Soql[]): Promise<SObjectRecord[][]>;
  /** SOSL search; hits in the order Salesforce returned them. */
  search(sosl: Sosl): Promise<SObjectRecord[]>;
  create(sobject: string, fields: Record<string, unknown>): Promise<string>;
  /**
   * Creates up to RECORDS_PER_COLLECTION records of one type in one API call (sObject
   * Collections, not all-or-none): one result per record, in order, a refused record carrying
   * its own SwitchboardError. Rejects only when the request as a whole fails (then nothing was
   * created, or — a timeout, a lost answer — it is not known what was). Optional.
   */
  createMany?(
    sobject: string,
    records: readonly Record<string, unknown>[],
  ): Promise<CreateResult[]>;
  update(sobject: string, id: string, fields: Record<string, unknown>): Promise<void>;
  retrieve(sobject: string, id: string, fields: string[]): Promise<SObjectRecord | null>;
  /**
   * Bulk API 2.0 query for large result sets: creates the job, waits for it, and yields the
   * results page by page (CSV mapped to records; relationship columns such as Account.Name
   * become nested objects, empty cells null). Optional: gateways without it are queried with
   * `query` instead.
   */
  bulkQuery?(soql: Soql, options: BulkQueryOptions): AsyncIterable<BulkQueryPage>;
  /**
   * The object's fields as the integration user sees them (sObject Describe): only readable
   * fields, with createable/updateable and picklist values. Optional: without it every field is
   * taken to be readable and writable.
   */
  describe?(sobject: string): Promise<ObjectDescribe>;
  /** Records of a type deleted between start and end (the getDeleted resource). */
  getDeleted?(sobject: string, start: Date, end: Date): Promise<DeletedRecords>;
  /**
   * Queries and getDeleted reads in one Composite request per compositeChunks chunk (one API
   * call each; a query's further pages are a request each): one answer per read, in order, a
   * failed read carrying the error its own request would have thrown. Rejects only when a
   * request as a whole fails. Optional: without it each read is sent on its own.
   */
  readBatch?(reads: readonly BatchRead[]): Promise<BatchAnswer[]>;
  /** The last `Sforce-Limit-Info` the org sent, if any. */
  apiUsage(): ApiUsage | undefined;
}
