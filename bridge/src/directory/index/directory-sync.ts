// Keeps the directory index in step with Salesforce. The first run loads every record (REST
// query pages in Id order, or Bulk API 2.0 for objects above directory.bulkThreshold), committing
// each page together with its checkpoint, so a sync that fails or is killed resumes after the
// last committed page: after the last Id (REST), or at the Bulk job's next results locator (a
// Bulk query has no ORDER BY: it would turn PK chunking off and time out on a large object). Later runs read what changed since the SystemModstamp
// high-water mark, then what was deleted (the getDeleted resource; a reconcile pass over all ids
// when the deletion log does not reach back far enough). State lives in the database and
// survives restarts.
import type { MatchObject } from '../../calls/call';
import type { DirectoryConfig, PhoneConfig } from '../../config/schema';
import { ErrorCodes, SwitchboardError, isSwitchboardError } from '../../errors';
import type { Logger } from '../../logging/logger';
import type {
  BatchAnswer,
  BatchRead,
  DeletedRecords,
  SObjectRecord,
} from '../../salesforce/gateway';
import {
  QueryFragment,
  fieldList,
  identifier,
  soql,
  type Soql,
} from '../../salesforce/query-builder';
import type { CountingGateway } from './counting-gateway';
import {
  allAnswers,
  thenAnswer,
  type Answer,
  type DirectoryIndexStore,
  type SyncState,
} from './directory-index';
import type { OrgFields } from '../../salesforce/org-fields';
import {
  isExcluded,
  objectPlan,
  personAccountsFromDescribe,
  readablePlan,
  type ObjectPlan,
} from '../record-plan';
import { toIndexedRecord } from './record-mapping';

export interface SyncProgress {
  object: MatchObject;
  phase: 'initial' | 'incremental' | 'deletions';
  fetched: number;
  /** Records expected, when known. */
  total: number | undefined;
}

export interface ObjectSyncReport {
  object: MatchObject;
  mode: 'rest' | 'bulk' | 'incremental';
  fetched: number;
  removed: number;
}

export interface SyncReport {
  objects: ObjectSyncReport[];
  /** API requests this run made. */
  apiRequests: number;
}

export interface DirectorySyncOptions {
  index: DirectoryIndexStore;
  gateway: CountingGateway;
  config: DirectoryConfig;
  phone: PhoneConfig;
  logger: Logger;
  /** Epoch ms; tests share one clock with the emulated org. */
  now?: () => number;
  /** Records per REST page of the initial load (default 2000). */
  pageSize?: number;
  /** Records per Bulk API results page (default 50,000). */
  bulkPageSize?: number;
  /** Called after each committed page; a throw aborts the run (tests simulate a kill with it). */
  afterPage?: (object: MatchObject, loaded: number) => void;
  /** Called after every run, successful or not. */
  onRunFinished?: () => void;
  /** What the integration user may read: fields it cannot are left out of every query. */
  orgFields?: OrgFields;
}

/**
 * What a run read ahead for its incremental cycles, in one Composite request: each object's
 * changes query and getDeleted window, with their answers (readAhead).
 */
interface ReadAhead {
  changes: Map<MatchObject, { soql: Soql; answer: BatchAnswer }>;
  deleted: Map<MatchObject, { end: Date; answer: BatchAnswer }>;
}

const NOTHING_AHEAD: ReadAhead = { changes: new Map(), deleted: new Map() };

export interface RunOptions {
  /** Reload everything (records not seen again are removed). */
  full?: boolean;
  onProgress?: (progress: SyncProgress) => void;
}

/** Clock skew between the bridge and Salesforce that the high-water marks tolerate. */
const SKEW_MS = 5 * 60_000;
/** getDeleted's start and end must be more than this far apart, in whole minutes. */
const GET_DELETED_MIN_MS = 60_000;
/** Salesforce keeps deleted records for about 15 days; getDeleted accepts at most 30 days. */
const DELETED_MAX_AGE_MS = 14 * 24 * 3600_000;

export class DirectorySync {
  private readonly index: DirectoryIndexStore;
  private readonly gateway: CountingGateway;
  private readonly config: DirectoryConfig;
  private readonly logger: Logger;
  private readonly now: () => number;
  private running: Promise<SyncReport> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private personAccounts: boolean | undefined;
  private mayRun: () => boolean = () => true;
  /** Set by stop(): a running load ends after the page it is on (its checkpoint is saved). */
  private stopping = false;
  lastError: SwitchboardError | undefined;
  lastRunAt: string | undefined;

  constructor(private readonly options: DirectorySyncOptions) {
    this.index = options.index;
    this.gateway = options.gateway;
    this.config = options.config;
    this.logger = options.logger;
    this.now = options.now ?? Date.now;
  }

  get isRunning(): boolean {
    return this.running !== undefined;
  }

  /** True once every configured object has finished its initial load. */
  isComplete(): Answer<boolean> {
    return thenAnswer(allAnswers(this.config.objects.map((o) => this.index.state(o))), (states) =>
      states.every((s) => s?.phase === 'incremental'),
    );
  }

  /**
   * Several bridges share one index: runs happen only while `mayRun` says so (this bridge holds
   * the directory lock); the others read what its sync writes.
   */
  gate(mayRun: () => boolean): void {
    this.mayRun = mayRun;
  }

  /** A run now unless one is running or the gate is closed (the lock was just taken). */
  runSoon(): void {
    if (this.running !== undefined || !this.mayRun()) return;
    this.run().catch(() => undefined); // logged in runOnce
  }

  /** One sync run; concurrent callers share the run in progress. */
  run(options: RunOptions = {}): Promise<SyncReport> {
    this.running ??= this.runOnce(options).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Runs now, then every syncIntervalSeconds; failures are logged and retried next time. */
  start(): void {
    if (this.timer !== undefined) return;
    const tick = () => this.runSoon();
    tick();
    this.timer = setInterval(tick, this.config.syncIntervalSeconds * 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /**
   * The plan for one object: the fields read (only those the integration user can read),
   * Person Account detection included.
   */
  async planFor(object: MatchObject): Promise<ObjectPlan> {
    const personAccounts = object !== 'Lead' && (await this.hasPersonAccounts());
    return readablePlan(
      objectPlan(object, this.config, personAccounts),
      this.options.orgFields,
      'directory index',
    );
  }

  private async runOnce(options: RunOptions): Promise<SyncReport> {
    if (this.stopping) throw new SyncStopped();
    const before = this.gateway.requests;
    const report: SyncReport = { objects: [], apiRequests: 0 };
    try {
      const ahead = options.full === true ? NOTHING_AHEAD : await this.readAhead();
      for (const object of this.config.objects) {
        const plan = await this.planFor(object);
        let state = await this.index.state(object);
        if (state === undefined || options.full === true)
          state = await this.beginFullLoad(object, state);
        if (state.phase === 'initial')
          report.objects.push(await this.initialLoad(plan, state, options));
        else report.objects.push(await this.incremental(plan, state, options, ahead));
      }
      this.lastError = undefined;
      this.lastRunAt = new Date(this.now()).toISOString();
      report.apiRequests = this.gateway.requests - before;
      this.logger.info(
        { objects: report.objects, apiRequests: report.apiRequests },
        'directory sync done',
      );
      return report;
    } catch (error) {
      if (error instanceof SyncStopped) {
        this.logger.info('directory sync stopped; it resumes from its checkpoint');
        throw error;
      }
      const failure = isSwitchboardError(error)
        ? error
        : new SwitchboardError(
            ErrorCodes.DIRECTORY_SYNC_FAILED,
            `Directory sync failed: ${error instanceof Error ? error.message : String(error)}`,
            { cause: error },
          );
      this.lastError = failure;
      this.logger.warn(
        { code: failure.code, err: failure.message, hint: failure.hint },
        'directory sync failed; it resumes from its last checkpoint on the next run',
      );
      throw failure;
    } finally {
      this.options.onRunFinished?.();
    }
  }

  private async beginFullLoad(
    object: MatchObject,
    previous: SyncState | undefined,
  ): Promise<SyncState> {
    const state: SyncState = {
      object,
      phase: 'initial',
      loadGeneration: (previous?.loadGeneration ?? 0) + 1,
      resumeAfterId: null,
      bulkJobId: null,
      bulkLocator: null,
      loaded: 0,
      initialStartedAt: new Date(this.now() - SKEW_MS).toISOString(),
      watermark: previous?.watermark ?? null,
      deletedCheckedAt: previous?.deletedCheckedAt ?? null,
      lastSyncAt: previous?.lastSyncAt ?? null,
    };
    await this.index.saveState(state);
    return state;
  }

  private async initialLoad(
    plan: ObjectPlan,
    start: SyncState,
    options: RunOptions,
  ): Promise<ObjectSyncReport> {
    const object = plan.object;
    let state = { ...start };
    const where = (after: string | null) => {
      const parts = [
        ...(after === null ? [] : [soql`Id > ${after}`]),
        ...(plan.exclude === undefined ? [] : [plan.exclude.condition]),
      ];
      return new QueryFragment(parts.length === 0 ? '' : ` WHERE ${parts.join(' AND ')}`);
    };
    // A Bulk load interrupted between pages continues with the same job's results.
    const resumeBulk =
      this.gateway.supportsBulk && state.bulkJobId !== null
        ? { jobId: state.bulkJobId, locator: state.bulkLocator }
        : undefined;
    const remaining =
      resumeBulk === undefined
        ? await this.gateway.countIfSupported(
            soql`SELECT COUNT() FROM ${identifier(object)}${where(state.resumeAfterId)}`,
          )
        : undefined;
    const total = remaining === undefined ? undefined : remaining + state.loaded;
    const useBulk =
      resumeBulk !== undefined ||
      (this.gateway.supportsBulk &&
        remaining !== undefined &&
        remaining > this.config.bulkThreshold);
    let fetched = 0;
    const commit = async (
      records: SObjectRecord[],
      bulk?: { jobId: string; next: string | undefined },
    ) => {
      if (records.length === 0 && bulk === undefined) return;
      const last =
        bulk !== undefined ? null : (records[records.length - 1]?.Id ?? state.resumeAfterId);
      state = {
        ...state,
        resumeAfterId: last,
        bulkJobId: bulk?.jobId ?? null,
        bulkLocator: bulk?.next ?? null,
        loaded: state.loaded + records.length,
      };
      const indexed = records
        .filter((r) => !isExcluded(plan, r))
        .map((r) => toIndexedRecord(plan, r, this.options.phone));
      await this.index.upsert(indexed, state.loadGeneration, state);
      fetched += records.length;
      options.onProgress?.({ object, phase: 'initial', fetched: state.loaded, total });
      this.options.afterPage?.(object, state.loaded);
      if (this.stopping) throw new SyncStopped();
    };
    this.logger.info(
      {
        object,
        remaining,
        mode: useBulk ? 'bulk' : 'rest',
        resumed: state.resumeAfterId !== null || resumeBulk !== undefined,
      },
      'directory initial load',
    );
    if (useBulk) {
      const query = soql`SELECT ${fieldList(plan.selectFields)} FROM ${identifier(object)}${where(null)}`;
      const read = async (resume: typeof resumeBulk) => {
        const pages = this.gateway.bulkQuery(query, {
          sobjectType: object,
          pageSize: this.options.bulkPageSize ?? 50_000,
          ...(resume === undefined ? {} : { resume }),
        });
        for await (const page of pages)
          await commit(page.records, { jobId: page.jobId, next: page.nextLocator });
      };
      try {
        await read(resumeBulk);
      } catch (error) {
        // The job's results are gone (kept about a week) or the job failed: load again from a
        // new job; the records already indexed are simply written again.
        if (
          resumeBulk === undefined ||
          !isSwitchboardError(error) ||
          error.code === ErrorCodes.SF_UNAVAILABLE
        )
          throw error;
        this.logger.info(
          { object, jobId: resumeBulk.jobId, code: error.code },
          'the interrupted Bulk job cannot be continued; loading from a new job',
        );
        state = { ...state, bulkJobId: null, bulkLocator: null, loaded: 0 };
        await read(undefined);
      }
    } else {
      const pageSize = this.options.pageSize ?? 2000;
      for (;;) {
        const rows = await this.gateway.query(
          soql`SELECT ${fieldList(plan.selectFields)} FROM ${identifier(object)}${where(state.resumeAfterId)} ORDER BY Id LIMIT ${pageSize}`,
          { limit: pageSize },
        );
        await commit(rows.map((r) => ({ ...r, sobjectType: object })));
        if (rows.length < pageSize) break;
      }
    }
    const removed = await this.index.removeStale(object, state.loadGeneration);
    await this.index.saveState({
      ...state,
      phase: 'incremental',
      resumeAfterId: null,
      bulkJobId: null,
      bulkLocator: null,
      watermark: state.initialStartedAt,
      deletedCheckedAt: state.initialStartedAt,
      lastSyncAt: new Date(this.now()).toISOString(),
    });
    return { object, mode: useBulk ? 'bulk' : 'rest', fetched, removed };
  }

  /**
   * The incremental cycles' reads of every object in one Composite request (one API call where
   * there were two per object: its changes and its getDeleted window). Nothing when the gateway
   * cannot batch or there is nothing to batch; a batch that fails as a whole is logged and
   * each read is then sent on its own, as without it.
   */
  private async readAhead(): Promise<ReadAhead> {
    const readBatch = this.gateway.readBatch;
    if (readBatch === undefined) return NOTHING_AHEAD;
    const end = new Date(this.now());
    const reads: BatchRead[] = [];
    const owners: Array<{ object: MatchObject; soql?: Soql }> = [];
    for (const object of this.config.objects) {
      const state = await this.index.state(object);
      if (state?.phase !== 'incremental') continue;
      const { query } = this.changesQuery(await this.planFor(object), state);
      reads.push({ kind: 'query', soql: query });
      owners.push({ object, soql: query });
      const from = this.deletedWindowStart(state, end);
      if (from !== undefined) {
        reads.push({ kind: 'deleted', sobject: object, start: from, end });
        owners.push({ object });
      }
    }
    if (reads.length < 2) return NOTHING_AHEAD;
    let answers: BatchAnswer[];
    try {
      answers = await readBatch(reads);
    } catch (error) {
      this.logger.debug(
        { err: error instanceof Error ? error.message : String(error) },
        'the directory sync could not read ahead; each read goes on its own',
      );
      return NOTHING_AHEAD;
    }
    const ahead: ReadAhead = { changes: new Map(), deleted: new Map() };
    owners.forEach(({ object, soql: query }, i) => {
      const answer = answers[i];
      if (answer === undefined) return;
      if (query !== undefined) ahead.changes.set(object, { soql: query, answer });
      else ahead.deleted.set(object, { end, answer });
    });
    return ahead;
  }

  /** The query for an object's changes since its watermark, and the time it reads from. */
  private changesQuery(plan: ObjectPlan, state: SyncState): { since: Date; query: Soql } {
    const since = new Date(parseSfDate(state.watermark) ?? this.now() - SKEW_MS);
    return {
      since,
      query: soql`SELECT ${fieldList(plan.selectFields)} FROM ${identifier(plan.object)} WHERE SystemModstamp >= ${since} ORDER BY SystemModstamp, Id`,
    };
  }

  private async incremental(
    plan: ObjectPlan,
    start: SyncState,
    options: RunOptions,
    ahead: ReadAhead,
  ): Promise<ObjectSyncReport> {
    const object = plan.object;
    const { since, query } = this.changesQuery(plan, start);
    const read = ahead.changes.get(object);
    const rows =
      read !== undefined && read.soql === query
        ? answered(read.answer, 'records')
        : await this.gateway.query(query);
    const records: SObjectRecord[] = rows.map((r) => ({ ...r, sobjectType: object }));
    const converted = records.filter((r) => isExcluded(plan, r)).map((r) => r.Id);
    const changed = records
      .filter((r) => !isExcluded(plan, r))
      .map((r) => toIndexedRecord(plan, r, this.options.phone));
    await this.index.upsertKeepingGeneration(changed, start.loadGeneration);
    let removed = await this.index.remove(converted);
    options.onProgress?.({
      object,
      phase: 'incremental',
      fetched: records.length,
      total: records.length,
    });

    // The newest stamp seen: the next run reads from there (>=, so a write in the same second
    // as the mark is read again rather than missed).
    const newest = records.reduce<number | undefined>((max, r) => {
      const t = parseSfDate(typeof r.SystemModstamp === 'string' ? r.SystemModstamp : null);
      return t !== undefined && (max === undefined || t > max) ? t : max;
    }, undefined);
    const watermark =
      newest !== undefined && newest > since.getTime()
        ? new Date(newest).toISOString()
        : start.watermark;

    const deletions = await this.deletions(plan, start, ahead.deleted.get(object));
    removed += deletions.removed;
    await this.index.saveState({
      ...start,
      watermark,
      deletedCheckedAt: deletions.checkedAt,
      lastSyncAt: new Date(this.now()).toISOString(),
    });
    options.onProgress?.({
      object,
      phase: 'deletions',
      fetched: deletions.removed,
      total: undefined,
    });
    return { object, mode: 'incremental', fetched: records.length, removed };
  }

  /**
   * Where the getDeleted window from the last check to `end` starts; undefined when getDeleted
   * cannot be asked for it (not supported, the log does not reach back, or not a minute yet).
   */
  private deletedWindowStart(state: SyncState, end: Date): Date | undefined {
    const from = parseSfDate(state.deletedCheckedAt);
    if (!this.gateway.supportsGetDeleted || from === undefined) return undefined;
    if (end.getTime() - from > DELETED_MAX_AGE_MS) return undefined;
    // getDeleted ignores seconds and wants more than a minute between start and end
    // (INVALID_REPLICATION_DATE otherwise): a shorter window waits for a later run.
    const wholeMinute = (t: number) => t - (t % 60_000);
    return wholeMinute(end.getTime()) - wholeMinute(from) > GET_DELETED_MIN_MS
      ? new Date(from)
      : undefined;
  }

  private async deletions(
    plan: ObjectPlan,
    state: SyncState,
    ahead: { end: Date; answer: BatchAnswer } | undefined,
  ): Promise<{ removed: number; checkedAt: string | null }> {
    const from = parseSfDate(state.deletedCheckedAt);
    const end = ahead?.end ?? new Date(this.now());
    const tooOld = from === undefined || end.getTime() - from > DELETED_MAX_AGE_MS;
    const windowStart = this.deletedWindowStart(state, end);
    if (windowStart !== undefined) {
      try {
        const result =
          ahead === undefined
            ? await this.gateway.getDeleted(plan.object, windowStart, end)
            : answered(ahead.answer, 'deleted');
        const removed = await this.index.remove(result.records.map((r) => r.id));
        const covered = parseSfDate(result.latestDateCovered ?? null);
        return {
          removed,
          checkedAt: covered === undefined ? end.toISOString() : new Date(covered).toISOString(),
        };
      } catch (error) {
        // INVALID_REPLICATION_DATE and friends: the log does not reach back; reconcile instead.
        if (!(isSwitchboardError(error) && error.code === ErrorCodes.SF_REQUEST_REJECTED))
          throw error;
        this.logger.info(
          { object: plan.object, err: error.message },
          'getDeleted refused; reconciling ids',
        );
      }
    } else if (this.gateway.supportsGetDeleted && !tooOld) {
      return { removed: 0, checkedAt: state.deletedCheckedAt };
    }
    return { removed: await this.reconcile(plan), checkedAt: end.toISOString() };
  }

  /** Every id Salesforce still has, compared with the index: what is missing was deleted. */
  private async reconcile(plan: ObjectPlan): Promise<number> {
    const condition = new QueryFragment(
      plan.exclude === undefined ? '' : ` WHERE ${plan.exclude.condition}`,
    );
    const rows = await this.gateway.query(
      soql`SELECT Id FROM ${identifier(plan.object)}${condition}`,
    );
    const alive = new Set(rows.map((r) => r.Id.slice(0, 15)));
    const gone = (await this.index.ids15(plan.object)).filter((id) => !alive.has(id));
    return await this.index.remove(gone);
  }

  private async hasPersonAccounts(): Promise<boolean> {
    const described = await personAccountsFromDescribe(
      this.config.personAccounts,
      this.options.orgFields,
    );
    if (described !== undefined) return described;
    if (this.personAccounts !== undefined) return this.personAccounts;
    const stored = await this.index.meta('personAccounts');
    if (stored !== undefined) return (this.personAccounts = stored === 'true');
    try {
      await this.gateway.query(soql`SELECT Id FROM Account WHERE IsPersonAccount = true LIMIT 1`, {
        limit: 1,
      });
      this.personAccounts = true;
    } catch (error) {
      // INVALID_FIELD: the org has no Person Accounts. Anything else is a real failure.
      if (!(isSwitchboardError(error) && error.details?.errorCode === 'INVALID_FIELD')) throw error;
      this.personAccounts = false;
    }
    await this.index.setMeta('personAccounts', String(this.personAccounts));
    return this.personAccounts;
  }
}

/** A run ended by stop() between two pages: not a failure. */
export class SyncStopped extends Error {
  constructor() {
    super('directory sync stopped');
    this.name = 'SyncStopped';
  }
}

/** Salesforce datetimes (…+0000) and ISO strings to epoch ms. */
function parseSfDate(value: string | null): number | undefined {
  if (value === null || value === '') return undefined;
  const t = Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isNaN(t) ? undefined : t;
}

/** A read-ahead answer as its own request would have given it: the value, or its error thrown. */
function answered(answer: BatchAnswer, kind: 'records'): SObjectRecord[];
function answered(answer: BatchAnswer, kind: 'deleted'): DeletedRecords;
function answered(
  answer: BatchAnswer,
  kind: 'records' | 'deleted',
): SObjectRecord[] | DeletedRecords {
  if (!answer.ok) throw answer.error;
  if (kind === 'records' && 'records' in answer) return answer.records;
  if (kind === 'deleted' && 'deleted' in answer) return answer.deleted;
  throw new Error(`a read-ahead answer without ${kind}`);
}
