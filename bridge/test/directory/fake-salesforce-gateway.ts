// An in-memory SalesforceGateway for unit tests of the directory: it records every SOSL and SOQL
// string it receives, answers searches the way a loose phone search might (any record whose
// phone digits contain a term — so the bridge's re-check is what keeps a match exact), and can
// hide records from the search index to imitate its lag.
import type {
  ApiUsage,
  OrgIdentity,
  SObjectRecord,
  SalesforceGateway,
} from '../../src/salesforce/gateway';
import type { Soql, Sosl } from '../../src/salesforce/query-builder';

export interface FakeRecord extends SObjectRecord {
  /** False: the search index has not caught up with this record yet. */
  indexed?: boolean;
}

const PHONE_FIELDS = ['Phone', 'MobilePhone', 'HomePhone', 'OtherPhone', 'AssistantPhone'] as const;

export class FakeSalesforceGateway implements SalesforceGateway {
  readonly searches: string[] = [];
  readonly queries: string[] = [];
  records: FakeRecord[] = [];
  /** When set, the next search waits for this promise (to hold lookups in flight). */
  searchGate: Promise<void> | undefined;
  /** When set, every call rejects with it. */
  failWith: Error | undefined;

  connect(): Promise<OrgIdentity> {
    return Promise.resolve({
      orgId: '00D000000000001AAA',
      userId: '005000000000001AAA',
      instanceUrl: 'http://fake',
    });
  }

  async search(query: Sosl): Promise<SObjectRecord[]> {
    this.searches.push(query);
    if (this.searchGate !== undefined) await this.searchGate;
    if (this.failWith !== undefined) throw this.failWith;
    const terms = [...query.matchAll(/"([^"]*)"/g)].map((m) => (m[1] ?? '').replace(/\\/g, ''));
    return this.records
      .filter((r) => r.indexed !== false && r.IsConverted !== true)
      .filter((r) =>
        PHONE_FIELDS.some((field) => {
          const value = r[field];
          if (typeof value !== 'string') return false;
          const digits = value.replace(/\D/g, '');
          return terms.some((term) => digits.includes(term));
        }),
      )
      .map((r) => this.strip(r));
  }

  query(query: Soql): Promise<SObjectRecord[]> {
    this.queries.push(query);
    if (this.failWith !== undefined) return Promise.reject(this.failWith);
    const from = /FROM (\w+)/.exec(query)?.[1];
    const idList = /Id IN \(([^)]*)\)/.exec(query)?.[1];
    const ids =
      idList === undefined ? undefined : [...idList.matchAll(/'([^']*)'/g)].map((m) => m[1]);
    const since = /LastModifiedDate > (\S+)/.exec(query)?.[1];
    return Promise.resolve(
      this.records
        .filter((r) => r.sobjectType === from)
        .filter((r) => ids === undefined || ids.includes(r.Id))
        .filter(
          (r) =>
            since === undefined ||
            (typeof r.LastModifiedDate === 'string' &&
              Date.parse(r.LastModifiedDate) > Date.parse(since)),
        )
        .map((r) => this.strip(r)),
    );
  }

  create(): Promise<string> {
    return Promise.reject(new Error('not used'));
  }

  update(): Promise<void> {
    return Promise.reject(new Error('not used'));
  }

  retrieve(): Promise<SObjectRecord | null> {
    return Promise.reject(new Error('not used'));
  }

  apiUsage(): ApiUsage | undefined {
    return undefined;
  }

  private strip(record: FakeRecord): SObjectRecord {
    const copy: FakeRecord = { ...record };
    delete copy.indexed;
    return copy;
  }
}

/** A promise with its resolve function, to hold a fake call open until the test says so. */
export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
