// CallerDirectory served from the local index: a hit costs no Salesforce request. A miss asks
// the live search once (one SOSL), which puts its hits into the index (indexing-live-search.ts:
// with several bridges, only the one that searched). Until the first full load has finished
// the index is incomplete, so every lookup goes to the live search meanwhile.
// Records a rep creates or edits from a pop are read by id at once and indexed, so the
// caller's next ring finds them without waiting for the sync or the search index.
// A store that answers in place (SQLite) also gives `knownMatches`: the ring carries the
// caller, and the rep gets one frame rather than the ring and the lookup's answer after it.
import type { MatchObject } from '../../calls/call';
import { isSwitchboardError } from '../../errors';
import { numberForLog, type Logger } from '../../logging/logger';
import { fieldList, identifier, soql } from '../../salesforce/query-builder';
import type { CallerDirectory, DirectoryMatch } from '../../calls/caller-directory';
import { matchObjectForId } from '../record-ids';
import type { CountingGateway } from './counting-gateway';
import type { DirectoryIndexStore } from './directory-index';
import type { DirectorySync } from './directory-sync';
import { isExcluded } from '../record-plan';
import { toIndexedRecord } from './record-mapping';
import type { PhoneConfig } from '../../config/schema';

export interface IndexedDirectoryOptions {
  index: DirectoryIndexStore;
  sync: DirectorySync;
  gateway: CountingGateway;
  /**
   * The live search used on a miss (its requests should go through `gateway`); it adds its own
   * hits to the index (IndexingLiveSearch).
   */
  liveSearch: CallerDirectory;
  phone: PhoneConfig;
  logger: Logger;
}

export interface LookupCounters {
  indexHits: number;
  indexMisses: number;
  liveSearches: number;
}

export class IndexedDirectory implements CallerDirectory {
  readonly counters: LookupCounters = { indexHits: 0, indexMisses: 0, liveSearches: 0 };
  private complete = false;
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly options: IndexedDirectoryOptions) {}

  async findByNumber(e164: string): Promise<DirectoryMatch[]> {
    this.complete ||= await this.options.sync.isComplete();
    if (this.complete) {
      const hits = await this.options.index.find(e164);
      if (hits.length > 0) {
        this.counters.indexHits++;
        return hits;
      }
      this.counters.indexMisses++;
    }
    this.counters.liveSearches++;
    // The live search puts its own hits into the index (indexing-live-search.ts).
    const matches = await this.options.liveSearch.findByNumber(e164);
    if (this.options.logger.isLevelEnabled('debug'))
      this.options.logger.debug(
        { number: numberForLog(this.options.logger, e164), matches: matches.length },
        'directory miss answered by live search',
      );
    return matches;
  }

  /**
   * The matches without waiting, where they are known now: an index hit in a store read in
   * place (SQLite), or the live search's cached answer for a number the index lacks. Undefined
   * before the first full load and from a store read over the network (PostgreSQL), whose
   * answers are promises: findByNumber then asks as usual.
   */
  knownMatches(e164: string): DirectoryMatch[] | undefined {
    const { index, liveSearch } = this.options;
    if (index.findNow === undefined || !this.isCompleteNow()) return undefined;
    const hits = index.findNow(e164);
    if (hits.length > 0) {
      this.counters.indexHits++;
      return hits;
    }
    const cached = liveSearch.knownMatches?.(e164);
    if (cached === undefined) return undefined;
    this.counters.indexMisses++;
    this.counters.liveSearches++;
    return cached;
  }

  /** Whether the first full load is known to have finished, without waiting to learn it. */
  private isCompleteNow(): boolean {
    if (this.complete) return true;
    const complete = this.options.sync.isComplete();
    if (complete instanceof Promise) {
      complete.then(
        (done) => {
          this.complete ||= done;
        },
        () => undefined, // findByNumber asks again, and reports what fails
      );
      return false;
    }
    this.complete = complete;
    return complete;
  }

  noteRecordChanged(sobjectType: string, id: string): void {
    const object = isMatchObject(sobjectType) ? sobjectType : matchObjectForId(id);
    if (object === undefined) return;
    const work = this.refreshRecord(object, id).catch((error: unknown) => {
      this.options.logger.warn(
        {
          object,
          code: isSwitchboardError(error) ? error.code : undefined,
          err: error instanceof Error ? error.message : String(error),
        },
        'could not read a changed record into the directory index; the next sync will',
      );
    });
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }

  /** Resolves when every noted record has been read (tests, shutdown). */
  async settled(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  /** Reads one record by id and puts it into the index (or takes it out if gone or converted). */
  async refreshRecord(object: MatchObject, id: string): Promise<void> {
    const plan = await this.options.sync.planFor(object);
    const rows = await this.options.gateway.query(
      soql`SELECT ${fieldList(plan.selectFields)} FROM ${identifier(object)} WHERE Id = ${id}`,
      { limit: 1 },
    );
    const record = rows[0];
    if (record === undefined || isExcluded(plan, { ...record, sobjectType: object })) {
      await this.options.index.remove([id]);
      return;
    }
    const state = await this.options.index.state(object);
    await this.options.index.upsertKeepingGeneration(
      [toIndexedRecord(plan, { ...record, sobjectType: object }, this.options.phone)],
      state?.loadGeneration ?? 0,
    );
  }
}

function isMatchObject(value: string): value is MatchObject {
  return value === 'Contact' || value === 'Lead' || value === 'Account';
}
