// Counts the Salesforce API requests the directory makes (sync, fallback searches, noted
// records), for the status endpoint: the point of the index is to spend fewer of the org's daily
// requests, so the admin should see how many it does spend. A paged query or bulk download
// counts one request per page it fetched (a bulk job: creation, each poll, each page).
import {
  compositeChunks,
  QUERIES_PER_COMPOSITE,
  type ApiUsage,
  type BatchAnswer,
  type BatchRead,
  type BulkQueryOptions,
  type OrgIdentity,
  type BulkQueryPage,
  type DeletedRecords,
  type ObjectDescribe,
  type SObjectRecord,
  type SalesforceGateway,
} from '../../salesforce/gateway';
import type { Soql, Sosl } from '../../salesforce/query-builder';

/** Records per REST query page (Salesforce's default batch size). */
const REST_PAGE = 2000;

export class CountingGateway implements SalesforceGateway {
  requests = 0;

  /** Present when the inner gateway can describe (a missing method means "not supported"). */
  readonly describe?: (sobject: string) => Promise<ObjectDescribe>;
  /** Present when the inner gateway can batch queries: one request per Composite it sends. */
  readonly queryBatch?: (queries: readonly Soql[]) => Promise<SObjectRecord[][]>;
  /** Present when the inner gateway can batch reads: one request per Composite it sends. */
  readonly readBatch?: (reads: readonly BatchRead[]) => Promise<BatchAnswer[]>;

  constructor(readonly inner: SalesforceGateway) {
    const describe = inner.describe?.bind(inner);
    if (describe !== undefined)
      this.describe = (sobject) => {
        this.requests += 1;
        return describe(sobject);
      };
    const queryBatch = inner.queryBatch?.bind(inner);
    if (queryBatch !== undefined)
      this.queryBatch = async (queries) => {
        this.requests += Math.ceil(queries.length / QUERIES_PER_COMPOSITE);
        const results = await queryBatch(queries);
        // Pages beyond the first are fetched one request each.
        this.requests += results.reduce(
          (extra, rows) => extra + Math.max(0, Math.ceil(rows.length / REST_PAGE) - 1),
          0,
        );
        return results;
      };
    const readBatch = inner.readBatch?.bind(inner);
    if (readBatch !== undefined)
      this.readBatch = async (reads) => {
        this.requests += compositeChunks(reads).length;
        const answers = await readBatch(reads);
        this.requests += answers.reduce(
          (extra, a) =>
            extra + ('records' in a ? Math.max(0, Math.ceil(a.records.length / REST_PAGE) - 1) : 0),
          0,
        );
        return answers;
      };
  }

  connect(): Promise<OrgIdentity> {
    return this.inner.connect();
  }

  create(sobject: string, fields: Record<string, unknown>): Promise<string> {
    this.requests += 1;
    return this.inner.create(sobject, fields);
  }

  update(sobject: string, id: string, fields: Record<string, unknown>): Promise<void> {
    this.requests += 1;
    return this.inner.update(sobject, id, fields);
  }

  retrieve(sobject: string, id: string, fields: string[]): Promise<SObjectRecord | null> {
    this.requests += 1;
    return this.inner.retrieve(sobject, id, fields);
  }

  apiUsage(): ApiUsage | undefined {
    return this.inner.apiUsage();
  }

  get supportsBulk(): boolean {
    return this.inner.bulkQuery !== undefined;
  }

  get supportsGetDeleted(): boolean {
    return this.inner.getDeleted !== undefined;
  }

  async query(soql: Soql, options?: { limit?: number }): Promise<SObjectRecord[]> {
    try {
      const rows = await this.inner.query(soql, options);
      this.requests += Math.max(1, Math.ceil(rows.length / REST_PAGE));
      return rows;
    } catch (error) {
      this.requests += 1;
      throw error;
    }
  }

  /** undefined when the inner gateway cannot count. */
  async countIfSupported(soql: Soql): Promise<number | undefined> {
    if (this.inner.count === undefined) return undefined;
    this.requests += 1;
    return this.inner.count(soql);
  }

  search(sosl: Sosl): Promise<SObjectRecord[]> {
    this.requests += 1;
    return this.inner.search(sosl);
  }

  async *bulkQuery(soql: Soql, options: BulkQueryOptions): AsyncIterable<BulkQueryPage> {
    if (this.inner.bulkQuery === undefined) throw new Error('bulk query not supported');
    yield* this.inner.bulkQuery(soql, {
      ...options,
      onRequest: () => {
        this.requests += 1;
        options.onRequest?.();
      },
    });
  }

  getDeleted(sobject: string, start: Date, end: Date): Promise<DeletedRecords> {
    if (this.inner.getDeleted === undefined)
      return Promise.reject(new Error('getDeleted not supported'));
    this.requests += 1;
    return this.inner.getDeleted(sobject, start, end);
  }
}
