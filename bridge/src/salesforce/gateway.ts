// What the bridge needs from Salesforce, in our own types. The jsforce implementation
// (jsforce-gateway.ts) is the only code that knows jsforce; the emulated org in demo/ speaks
// the same REST wire format so the same implementation runs in the demo and in tests.
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

export interface SalesforceGateway {
  /** Authenticate (if not yet) and report which org and user the bridge is connected as. */
  connect(): Promise<OrgIdentity>;
  /** SOQL query, following nextRecordsUrl until done (or until `limit` records). */
  query(soql: Soql, options?: { limit?: number }): Promise<SObjectRecord[]>;
  /** SOSL search; hits in the order Salesforce returned them. */
  search(sosl: Sosl): Promise<SObjectRecord[]>;
  create(sobject: string, fields: Record<string, unknown>): Promise<string>;
  update(sobject: string, id: string, fields: Record<string, unknown>): Promise<void>;
  retrieve(sobject: string, id: string, fields: string[]): Promise<SObjectRecord | null>;
  /** The last `Sforce-Limit-Info` the org sent, if any. */
  apiUsage(): ApiUsage | undefined;
}
