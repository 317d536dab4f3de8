// An in-memory SalesforceGateway for unit tests of call logging: Tasks in a map, the one
// query the outbox asks (Task by CallObject, one or a list), and faults to inject per call.
import { ErrorCodes, SwitchboardError, type ErrorCode } from '../../src/errors';
import type {
  CreateResult,
  OrgIdentity,
  SalesforceGateway,
  SObjectRecord,
} from '../../src/salesforce/gateway';
import type { Soql } from '../../src/salesforce/query-builder';

export class FakeGateway implements SalesforceGateway {
  readonly tasks = new Map<string, Record<string, unknown>>();
  readonly calls: { op: 'query' | 'create' | 'createMany' | 'update'; detail: string }[] = [];
  down = false;
  private failures: ErrorCode[] = [];
  rejectCreate: { errorCode: string; message: string } | undefined;
  /** Simulates a crash window: the create succeeds in the org, then the caller sees an error. */
  loseNextCreateAnswer = false;
  private seq = 0;

  failNext(n: number, code: ErrorCode): void {
    for (let i = 0; i < n; i++) this.failures.push(code);
  }

  protected fault(): void {
    if (this.down) throw new SwitchboardError(ErrorCodes.SF_UNAVAILABLE, 'org down (fake)');
    const next = this.failures.shift();
    if (next !== undefined) throw new SwitchboardError(next, `injected ${next}`);
  }

  tasksFor(callId: string): Record<string, unknown>[] {
    return [...this.tasks.values()].filter((t) => t.CallObject === callId);
  }

  connect(): Promise<OrgIdentity> {
    return Promise.resolve({
      orgId: '00D000000000001AAA',
      userId: '005000000000001AAA',
      instanceUrl: 'http://fake',
    });
  }

  query(soqlText: Soql): Promise<SObjectRecord[]> {
    return settle(() => this.queryNow(soqlText));
  }

  private queryNow(soqlText: Soql): SObjectRecord[] {
    this.calls.push({ op: 'query', detail: soqlText });
    this.fault();
    const literals = (text: string) =>
      [...text.matchAll(/'((?:[^'\\]|\\.)*)'/g)].map((m) => m[1]!.replace(/\\(.)/g, '$1'));
    const single = /CallObject = ('(?:[^'\\]|\\.)*')/.exec(soqlText);
    const list = /CallObject IN \(([^)]*)\)/.exec(soqlText);
    if (single === null && list === null)
      throw new Error(`fake gateway cannot answer: ${soqlText}`);
    const callObjects = literals(single?.[1] ?? list?.[1] ?? '');
    const found = callObjects.flatMap((callObject) =>
      this.tasksFor(callObject).map((t) => ({
        Id: t.Id as string,
        CallObject: callObject,
        sobjectType: 'Task',
      })),
    );
    return single === null ? found : found.slice(0, 1);
  }

  search(): Promise<SObjectRecord[]> {
    return Promise.resolve([]);
  }

  create(sobject: string, fields: Record<string, unknown>): Promise<string> {
    return settle(() => this.createNow(sobject, fields));
  }

  private createNow(sobject: string, fields: Record<string, unknown>): string {
    this.calls.push({ op: 'create', detail: sobject });
    this.fault();
    if (this.rejectCreate !== undefined)
      throw new SwitchboardError(ErrorCodes.SF_REQUEST_REJECTED, this.rejectCreate.message, {
        status: 400,
        details: { errorCode: this.rejectCreate.errorCode },
      });
    const id = this.insertTask(fields);
    if (this.loseNextCreateAnswer) {
      this.loseNextCreateAnswer = false;
      throw new TypeError('socket hang up');
    }
    return id;
  }

  protected insertTask(fields: Record<string, unknown>): string {
    this.seq += 1;
    const id = `00T${String(this.seq).padStart(15, '0')}`;
    this.tasks.set(id, { ...fields, Id: id });
    return id;
  }

  update(sobject: string, id: string, fields: Record<string, unknown>): Promise<void> {
    return settle(() => {
      this.updateNow(sobject, id, fields);
    });
  }

  private updateNow(sobject: string, id: string, fields: Record<string, unknown>): void {
    this.calls.push({ op: 'update', detail: `${sobject} ${id} ${Object.keys(fields).join(',')}` });
    this.fault();
    const task = this.tasks.get(id);
    if (task === undefined)
      throw new SwitchboardError(ErrorCodes.SF_REQUEST_REJECTED, 'entity is deleted', {
        details: { errorCode: 'ENTITY_IS_DELETED' },
      });
    Object.assign(task, fields);
  }

  retrieve(): Promise<SObjectRecord | null> {
    return Promise.resolve(null);
  }

  apiUsage(): undefined {
    return undefined;
  }
}

/** Runs `fn` and turns a throw into a rejected promise, as a real network call would. */
function settle<T>(fn: () => T): Promise<T> {
  return new Promise((resolve) => {
    resolve(fn());
  });
}

/**
 * The same org with sObject Collections: a batch of Tasks in one call, a Task whose CallObject
 * is in `refused` rejected alone, and `loseNextCreateAnswer` losing the whole batch's answer
 * after the Tasks were created.
 */
export class BatchingFakeGateway extends FakeGateway {
  readonly refused = new Set<string>();

  createMany(
    sobject: string,
    records: readonly Record<string, unknown>[],
  ): Promise<CreateResult[]> {
    return settle(() => {
      this.calls.push({ op: 'createMany', detail: `${sobject} x${records.length}` });
      this.fault();
      const results = records.map((fields): CreateResult =>
        this.refused.has(String(fields.CallObject))
          ? {
              ok: false,
              error: new SwitchboardError(ErrorCodes.SF_REQUEST_REJECTED, 'refused (fake)', {
                details: { errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION' },
              }),
            }
          : { ok: true, id: this.insertTask(fields) },
      );
      if (this.loseNextCreateAnswer) {
        this.loseNextCreateAnswer = false;
        throw new TypeError('socket hang up');
      }
      return results;
    });
  }
}
