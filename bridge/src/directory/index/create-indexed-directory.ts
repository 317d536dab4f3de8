// Builds the directory index feature from the configuration: the index tables, the sync, the
// CallerDirectory that answers from the index and a status report. The composition root calls
// this when directory.enabled is true, uses `directory` in place of the live search and serves
// `index` as the PBX phonebook (phonebook/). Given an AstDbWriter (the Asterisk adapter) and directory.astdb.enabled, every
// sync run is followed by a push of caller names into AstDB.
import type { MatchObject } from '../../calls/call';
import type { Config } from '../../config/schema';
import type { Logger } from '../../logging/logger';
import type { SalesforceGateway } from '../../salesforce/gateway';
import { OrgFields } from '../../salesforce/org-fields';
import type { Database } from '../../storage/database';
import type { AstDbWriter } from '../../pbx/astdb-writer';
import { AstDbPusher, type AstDbStatus } from '../astdb/astdb-pusher';
import { LiveSearchDirectory } from '../live-search-directory';
import { SharedLiveSearch, shareLookups, type LookupShare } from '../shared-live-search';
import { CountingGateway } from './counting-gateway';
import {
  allAnswers,
  DirectoryIndex,
  thenAnswer,
  type Answer,
  type DirectoryIndexStore,
  type SyncState,
} from './directory-index';
import { DirectorySync, type DirectorySyncOptions } from './directory-sync';
import { IndexedDirectory } from './indexed-directory';
import { IndexingLiveSearch } from './indexing-live-search';

export interface CreateIndexedDirectoryOptions {
  config: Pick<Config, 'directory' | 'phone' | 'lookup'>;
  db: Database;
  /** The index several bridges share (PostgreSQL); default: the SQLite index in `db`. */
  index?: DirectoryIndexStore;
  gateway: SalesforceGateway;
  logger: Logger;
  /** Several bridges: one search per number for all of them (shared-live-search.ts). */
  lookupShare?: LookupShare;
  /**
   * What the integration user may read (one per bridge, shared with call logging); made from
   * the gateway if omitted.
   */
  orgFields?: OrgFields;
  /** Where caller names go when directory.astdb.enabled (the Asterisk adapter). */
  astDbWriter?: AstDbWriter;
  now?: () => number;
  /** Tuning and test hooks passed to the sync. */
  sync?: Pick<DirectorySyncOptions, 'pageSize' | 'bulkPageSize' | 'afterPage'>;
}

export interface DirectoryStatus {
  enabled: true;
  /** Every object has finished its first full load: lookups are answered from the index. */
  ready: boolean;
  syncing: boolean;
  lastSyncAt: string | null;
  lastError: { code: string; message: string } | null;
  records: Record<string, number>;
  totalRecords: number;
  numbers: number;
  objects: Record<
    string,
    { phase: string; loaded: number; lastSyncAt: string | null; watermark: string | null }
  >;
  /** Salesforce API requests the directory made: since start, and in total (persisted). */
  apiRequests: { sinceStart: number; total: number };
  /**
   * liveSearches: misses this bridge's own search was asked about. With several bridges
   * (storage.postgres), answeredByOtherBridges: misses another bridge's search answered.
   */
  lookups: {
    indexHits: number;
    indexMisses: number;
    liveSearches: number;
    answeredByOtherBridges?: number;
  };
  /** The org's own daily API usage, as last reported by Salesforce. */
  orgApiUsage: { used: number; max: number } | null;
  astdb: AstDbStatus | { enabled: false };
}

export interface IndexedDirectoryFeature {
  directory: IndexedDirectory;
  sync: DirectorySync;
  index: DirectoryIndexStore;
  /** Present when directory.astdb.enabled and a writer was given. */
  astDbPusher: AstDbPusher | undefined;
  /**
   * The status now. From a shared (PostgreSQL) index the counts and sync states are those of
   * the last read, which this call starts again; refreshStatus() waits for a fresh one.
   */
  status(): DirectoryStatus;
  refreshStatus(): Promise<DirectoryStatus>;
  /** Starts the periodic sync (the first run loads everything or resumes a load). */
  start(): void;
  stop(): Promise<void>;
}

export function createIndexedDirectory(
  options: CreateIndexedDirectoryOptions,
): IndexedDirectoryFeature {
  const { config, logger } = options;
  const gateway = new CountingGateway(options.gateway);
  const orgFields = options.orgFields ?? new OrgFields({ gateway, logger });
  const index = options.index ?? new DirectoryIndex(options.db, logger);
  let startTotal = 0;
  const readTotal = thenAnswer(index.meta('apiRequests'), (stored) => {
    startTotal = Number(stored ?? '0') || 0;
  });
  if (readTotal instanceof Promise)
    readTotal.catch((error: unknown) => {
      logger.warn({ err: String(error) }, 'could not read the directory API request total');
    });
  const persistRequests = async () => {
    try {
      await index.setMeta('apiRequests', String(startTotal + gateway.requests));
    } catch (error) {
      logger.warn({ err: String(error) }, 'could not store the directory API request total');
    }
  };
  const astDbPusher =
    config.directory.astdb.enabled && options.astDbWriter !== undefined
      ? new AstDbPusher({
          source: index,
          db: options.db,
          writer: options.astDbWriter,
          config: config.directory.astdb,
          phone: config.phone,
          logger,
        })
      : undefined;
  const sync = new DirectorySync({
    onRunFinished: () => {
      void persistRequests();
      astDbPusher?.schedule();
    },
    index,
    gateway,
    orgFields,
    config: config.directory,
    phone: config.phone,
    logger,
    ...(options.now === undefined ? {} : { now: options.now }),
    ...options.sync,
  });
  // The live search for misses: one search per miss (lookup.recentWindowMinutes 0: the index
  // and noteRecordChanged cover the search lag), whose hits the searching bridge indexes.
  const liveSearch = shareLookups(
    new IndexingLiveSearch(
      new LiveSearchDirectory({
        gateway,
        phone: config.phone,
        lookup: { ...config.lookup, recentWindowMinutes: 0 },
        directory: config.directory,
        orgFields,
        logger,
        ...(options.now === undefined ? {} : { now: options.now }),
      }),
      index,
      logger,
    ),
    options.lookupShare,
    logger,
  );
  const directory = new IndexedDirectory({
    index,
    sync,
    gateway,
    liveSearch,
    phone: config.phone,
    logger,
  });
  // With several bridges, the live search's own counts: a miss answered by another bridge's
  // search is not one of this bridge's searches.
  const lookupCounters = (): DirectoryStatus['lookups'] =>
    liveSearch instanceof SharedLiveSearch
      ? {
          ...directory.counters,
          liveSearches: liveSearch.counters.searchedHere,
          answeredByOtherBridges: liveSearch.counters.answeredByOtherBridges,
        }
      : { ...directory.counters };

  const indexed = config.directory.objects as MatchObject[];
  /** Sync states and record counts per object, then the number count. */
  type Summary = [states: (SyncState | undefined)[], counts: number[]];
  const readSummary = (): Answer<Summary> => {
    const states = allAnswers(indexed.map((o) => index.state(o)));
    const counts = allAnswers([...indexed.map((o) => index.recordCount(o)), index.numberCount()]);
    return states instanceof Promise || counts instanceof Promise
      ? Promise.all([states, counts])
      : [states, counts];
  };
  let lastSummary: Summary = [[], []];
  const status = (): DirectoryStatus => {
    const summary = readSummary();
    if (summary instanceof Promise)
      summary.then(
        (read) => {
          lastSummary = read;
        },
        () => undefined, // the status keeps the last read
      );
    else lastSummary = summary;
    return statusOf(lastSummary);
  };
  const statusOf = ([states, counts]: Summary): DirectoryStatus => {
    const objects: DirectoryStatus['objects'] = {};
    const records: Record<string, number> = {};
    let lastSyncAt: string | null = null;
    for (const [i, object] of indexed.entries()) {
      const state = states[i];
      records[object] = counts[i] ?? 0;
      objects[object] = {
        phase: state?.phase ?? 'not started',
        loaded: state?.loaded ?? 0,
        lastSyncAt: state?.lastSyncAt ?? null,
        watermark: state?.watermark ?? null,
      };
      const at = state?.lastSyncAt ?? null;
      if (at !== null && (lastSyncAt === null || at > lastSyncAt)) lastSyncAt = at;
    }
    const usage = gateway.apiUsage();
    return {
      enabled: true,
      ready: states.length > 0 && states.every((s) => s?.phase === 'incremental'),
      syncing: sync.isRunning,
      lastSyncAt,
      lastError:
        sync.lastError === undefined
          ? null
          : { code: sync.lastError.code, message: sync.lastError.message },
      records,
      totalRecords: Object.values(records).reduce((a, b) => a + b, 0),
      numbers: counts[indexed.length] ?? 0,
      objects,
      apiRequests: { sinceStart: gateway.requests, total: startTotal + gateway.requests },
      lookups: lookupCounters(),
      orgApiUsage: usage ?? null,
      astdb: astDbPusher?.status() ?? { enabled: false },
    };
  };

  return {
    directory,
    sync,
    index,
    astDbPusher,
    status,
    refreshStatus: async () => {
      lastSummary = await readSummary();
      return statusOf(lastSummary);
    },
    start: () => {
      sync.start();
    },
    stop: async () => {
      // Both stop flags are set before the first await: a load ends after the page it is on.
      const pusherStopped = astDbPusher?.stop();
      await sync.stop();
      await pusherStopped;
      await directory.settled();
      await persistRequests();
    },
  };
}
