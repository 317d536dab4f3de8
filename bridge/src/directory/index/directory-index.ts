// The directory index in the embedded database: every Contact, Lead and Account phone number,
// normalized to E.164, with the record's id, name, account, owner and modification stamps, plus
// the sync's checkpoints. Lookups are one indexed read; a batch of records is written in one
// transaction together with its checkpoint, so a killed sync resumes exactly where it stopped.
// DirectoryIndexStore is the port the sync, the lookups, the phonebook and the AstDB push use:
// this SQLite index (one bridge's file) answers at once; the PostgreSQL one
// (postgres-directory-index.ts, several bridges) asynchronously, so callers await every answer.
import type { MatchObject } from '../../calls/call';
import type { Logger } from '../../logging/logger';
import { applyMigrations, type Database, type Migration } from '../../storage/database';
import type { DirectoryMatch } from '../../calls/caller-directory';
import type { IndexedRecord } from './record-mapping';

/** The index's tables; SQLite keeps the numbers table WITHOUT ROWID (its key is the row). */
const directoryTables = (numbersTableOptions: string) => `
      CREATE TABLE directory_records (
        id TEXT PRIMARY KEY,
        id15 TEXT NOT NULL UNIQUE,
        object TEXT NOT NULL,
        name TEXT NOT NULL,
        first_name TEXT,
        last_name TEXT,
        company TEXT,
        account_id TEXT,
        owner_id TEXT,
        last_modified TEXT NOT NULL,
        modstamp TEXT NOT NULL,
        load_generation INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX directory_records_object ON directory_records (object, load_generation);
      CREATE TABLE directory_numbers (
        e164 TEXT NOT NULL,
        record_id TEXT NOT NULL REFERENCES directory_records (id) ON DELETE CASCADE,
        field TEXT NOT NULL,
        position INTEGER NOT NULL,
        PRIMARY KEY (e164, record_id)
      )${numbersTableOptions};
      CREATE INDEX directory_numbers_record ON directory_numbers (record_id);
      CREATE TABLE directory_sync_state (
        object TEXT PRIMARY KEY,
        phase TEXT NOT NULL CHECK (phase IN ('initial', 'incremental')),
        load_generation INTEGER NOT NULL,
        resume_after_id TEXT,
        loaded INTEGER NOT NULL DEFAULT 0,
        initial_started_at TEXT,
        watermark TEXT,
        deleted_checked_at TEXT,
        last_sync_at TEXT
      );
      CREATE TABLE directory_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    `;
const BULK_CHECKPOINT_COLUMNS = `
      ALTER TABLE directory_sync_state ADD COLUMN bulk_job_id TEXT;
      ALTER TABLE directory_sync_state ADD COLUMN bulk_locator TEXT;
    `;

/** The same numbered migrations for both stores: SQLite (`up`) and PostgreSQL (`postgres`). */
export const DIRECTORY_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'directory index: records, numbers, sync state',
    up: directoryTables(' WITHOUT ROWID'),
    postgres: directoryTables(''),
  },
  {
    version: 2,
    description: 'directory index: a Bulk load resumes from its job and results locator',
    up: BULK_CHECKPOINT_COLUMNS,
    postgres: BULK_CHECKPOINT_COLUMNS,
  },
];

/** Statements both stores run as written (`?` placeholders; PostgreSQL numbers them). */
export const DIRECTORY_SQL = {
  find: `SELECT r.id, r.object, r.name, r.first_name, r.last_name, r.company, r.account_id,
                r.owner_id, r.last_modified, n.field
           FROM directory_numbers n JOIN directory_records r ON r.id = n.record_id
          WHERE n.e164 = ?
          ORDER BY n.record_id, n.position`,
  state: 'SELECT * FROM directory_sync_state WHERE object = ?',
  getMeta: 'SELECT value FROM directory_meta WHERE key = ?',
  setMeta: `INSERT INTO directory_meta (key, value) VALUES (?, ?)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
  countRecords: 'SELECT COUNT(*) AS n FROM directory_records WHERE object = ?',
  countNumbers: 'SELECT COUNT(*) AS n FROM directory_numbers',
  deleteStale: 'DELETE FROM directory_records WHERE object = ? AND load_generation < ?',
  ids: 'SELECT id15 FROM directory_records WHERE object = ?',
  page: `SELECT r.id, r.object, r.name, r.first_name, r.last_name, r.company, n.e164, n.field
           FROM (SELECT * FROM directory_records WHERE id > ? ORDER BY id LIMIT ?) r
           JOIN directory_numbers n ON n.record_id = r.id
          ORDER BY r.id, n.position`,
} as const;

/** An answer now (SQLite) or later (PostgreSQL): callers await it either way. */
export type Answer<T> = T | Promise<T>;

/** Several answers together: at once when every one is there, else when the last arrives. */
export function allAnswers<T>(answers: readonly Answer<T>[]): Answer<T[]> {
  return answers.some((a) => a instanceof Promise) ? Promise.all(answers) : (answers as T[]);
}

/** `then` for an Answer: runs `next` at once on an answer that is there. */
export function thenAnswer<T, U>(answer: Answer<T>, next: (value: T) => U): Answer<U> {
  return answer instanceof Promise ? answer.then(next) : next(answer);
}

/** The directory index as its users see it, whichever database holds it. */
export interface DirectoryIndexStore {
  /** Records with this number, one match per record (its first matching field). */
  find(e164: string): Answer<DirectoryMatch[]>;
  /**
   * `find` answered without waiting, where the store can (the SQLite file, read in place): the
   * ring then carries its matches. Absent where every read is a round trip (PostgreSQL).
   */
  findNow?(e164: string): DirectoryMatch[];
  /** Replaces records (and all their numbers) in one transaction, with an optional checkpoint. */
  upsert(
    records: readonly IndexedRecord[],
    generation: number,
    checkpoint?: SyncState,
  ): Answer<void>;
  /** A record seen outside a full load: keeps the generation it already has. */
  upsertKeepingGeneration(
    records: readonly IndexedRecord[],
    fallbackGeneration: number,
  ): Answer<void>;
  /** Live-search hits: the number is added to each record (inserted if the index lacks it). */
  addMatches(e164: string, matches: readonly DirectoryMatch[], generation: number): Answer<void>;
  remove(ids: readonly string[], checkpoint?: SyncState): Answer<number>;
  /** After a full load: drops the object's records that load did not see. */
  removeStale(object: MatchObject, generation: number): Answer<number>;
  ids15(object: MatchObject): Answer<string[]>;
  state(object: MatchObject): Answer<SyncState | undefined>;
  saveState(state: SyncState): Answer<void>;
  meta(key: string): Answer<string | undefined>;
  setMeta(key: string, value: string): Answer<void>;
  /** Visits every indexed number with one of its records, all records of a number together. */
  forEachNumberMatch(visit: (e164: string, match: DirectoryMatch) => void): Answer<void>;
  recordCount(object: MatchObject): Answer<number>;
  numberCount(): Answer<number>;
  /** Records with their numbers in id order after `afterId`, at most `limit` of them. */
  page(afterId: string, limit: number): Answer<PhonebookEntry[]>;
}

export interface SyncState {
  object: MatchObject;
  phase: 'initial' | 'incremental';
  /** Records loaded by this full load carry it; the rest are deleted when the load completes. */
  loadGeneration: number;
  /** Initial load checkpoint (REST pages): records are read in Id order after this one. */
  resumeAfterId: string | null;
  /**
   * Initial load checkpoint (Bulk API): the job whose results are being read, and the locator of
   * the next results page (null: from the start). A Bulk query has no ORDER BY, so no Id order.
   */
  bulkJobId: string | null;
  bulkLocator: string | null;
  loaded: number;
  initialStartedAt: string | null;
  /** Incremental: SystemModstamp from which changes are read again. */
  watermark: string | null;
  deletedCheckedAt: string | null;
  lastSyncAt: string | null;
}

export interface RecordRow {
  id: string;
  object: MatchObject;
  name: string;
  first_name: string | null;
  last_name: string | null;
  company: string | null;
  account_id: string | null;
  owner_id: string | null;
  last_modified: string;
}

export interface MatchRow extends RecordRow {
  field: string;
}

/** One record with all its numbers, for the phonebook exports. */
export interface PhonebookEntry {
  id: string;
  object: MatchObject;
  name: string;
  firstName: string | null;
  lastName: string | null;
  company: string | null;
  numbers: { e164: string; field: string }[];
}

export interface StateRow {
  object: MatchObject;
  phase: 'initial' | 'incremental';
  load_generation: number;
  resume_after_id: string | null;
  bulk_job_id: string | null;
  bulk_locator: string | null;
  loaded: number;
  initial_started_at: string | null;
  watermark: string | null;
  deleted_checked_at: string | null;
  last_sync_at: string | null;
}

/** A row of DIRECTORY_SQL.page. */
export type PhonebookRow = RecordRow & { e164: string; field: string };

export class DirectoryIndex implements DirectoryIndexStore {
  private readonly statements;

  constructor(
    private readonly db: Database,
    logger: Logger,
  ) {
    applyMigrations(db, 'directory', DIRECTORY_MIGRATIONS, logger);
    this.statements = {
      find: db.prepare<[string], MatchRow>(DIRECTORY_SQL.find),
      upsertRecord: db.prepare(
        `INSERT INTO directory_records (id, id15, object, name, first_name, last_name, company,
             account_id, owner_id, last_modified, modstamp, load_generation)
         VALUES (@id, @id15, @object, @name, @firstName, @lastName, @company, @accountId,
             @ownerId, @lastModifiedAt, @modstamp, @generation)
         ON CONFLICT (id) DO UPDATE SET object = excluded.object, name = excluded.name,
             first_name = excluded.first_name, last_name = excluded.last_name,
             company = excluded.company, account_id = excluded.account_id,
             owner_id = excluded.owner_id, last_modified = excluded.last_modified,
             modstamp = excluded.modstamp, load_generation = excluded.load_generation`,
      ),
      deleteNumbers: db.prepare<[string]>('DELETE FROM directory_numbers WHERE record_id = ?'),
      insertNumber: db.prepare<[string, string, string, number]>(
        `INSERT OR IGNORE INTO directory_numbers (e164, record_id, field, position)
         VALUES (?, ?, ?, ?)`,
      ),
      deleteById15: db.prepare<[string]>('DELETE FROM directory_records WHERE id15 = ?'),
      idOf: db.prepare<[string], { id: string }>('SELECT id FROM directory_records WHERE id15 = ?'),
      lastPosition: db.prepare<[string], { p: number | null }>(
        'SELECT MAX(position) AS p FROM directory_numbers WHERE record_id = ?',
      ),
      generationOf: db.prepare<[string], { load_generation: number }>(
        'SELECT load_generation FROM directory_records WHERE id15 = ?',
      ),
      state: db.prepare<[string], StateRow>(DIRECTORY_SQL.state),
      saveState: db.prepare(
        `INSERT INTO directory_sync_state (object, phase, load_generation, resume_after_id,
             bulk_job_id, bulk_locator, loaded, initial_started_at, watermark, deleted_checked_at,
             last_sync_at)
         VALUES (@object, @phase, @loadGeneration, @resumeAfterId, @bulkJobId, @bulkLocator,
             @loaded, @initialStartedAt, @watermark, @deletedCheckedAt, @lastSyncAt)
         ON CONFLICT (object) DO UPDATE SET phase = excluded.phase,
             load_generation = excluded.load_generation, resume_after_id = excluded.resume_after_id,
             bulk_job_id = excluded.bulk_job_id, bulk_locator = excluded.bulk_locator,
             loaded = excluded.loaded, initial_started_at = excluded.initial_started_at,
             watermark = excluded.watermark, deleted_checked_at = excluded.deleted_checked_at,
             last_sync_at = excluded.last_sync_at`,
      ),
      getMeta: db.prepare<[string], { value: string }>(DIRECTORY_SQL.getMeta),
      setMeta: db.prepare<[string, string]>(DIRECTORY_SQL.setMeta),
      countRecords: db.prepare<[string], { n: number }>(DIRECTORY_SQL.countRecords),
      countNumbers: db.prepare<[], { n: number }>(DIRECTORY_SQL.countNumbers),
      deleteStale: db.prepare<[string, number]>(DIRECTORY_SQL.deleteStale),
      ids: db.prepare<[string], { id15: string }>(DIRECTORY_SQL.ids),
    };
  }

  /** Records with this number, one match per record (its first matching field). */
  find(e164: string): DirectoryMatch[] {
    return rowsToMatches(this.statements.find.all(e164));
  }

  /** SQLite answers in place: the same read as `find`. */
  findNow(e164: string): DirectoryMatch[] {
    return this.find(e164);
  }

  /** Replaces records (and all their numbers) in one transaction, with an optional checkpoint. */
  upsert(records: readonly IndexedRecord[], generation: number, checkpoint?: SyncState): void {
    this.db.transaction(() => {
      for (const record of records) this.upsertOne(record, generation);
      if (checkpoint !== undefined) this.saveState(checkpoint);
    })();
  }

  /**
   * A record seen outside a full load (incremental change, live-search hit, noted record): keeps
   * the generation it already has, so a running full load does not mistake it for stale.
   */
  upsertKeepingGeneration(records: readonly IndexedRecord[], fallbackGeneration: number): void {
    this.db.transaction(() => {
      for (const record of records) {
        const existing = this.statements.generationOf.get(record.id.slice(0, 15));
        this.upsertOne(record, Math.max(existing?.load_generation ?? 0, fallbackGeneration));
      }
    })();
  }

  private upsertOne(record: IndexedRecord, generation: number): void {
    // A record may come back with another id form (15 vs 18): one row per record.
    const id15 = record.id.slice(0, 15);
    const existing = this.statements.idOf.get(id15);
    if (existing !== undefined && existing.id !== record.id) this.statements.deleteById15.run(id15);
    if (record.numbers.length === 0) {
      // Nothing to find it by: keeping it would only bloat the index.
      this.statements.deleteById15.run(id15);
      return;
    }
    this.statements.upsertRecord.run({ ...record, id15, generation });
    this.statements.deleteNumbers.run(record.id);
    record.numbers.forEach((n, position) => {
      this.statements.insertNumber.run(n.e164, record.id, n.field, position);
    });
  }

  /**
   * Live-search hits: the number is added to the record (inserted if the index lacks it), never
   * replacing numbers the index already has for it: a hit carries only the field that matched.
   */
  addMatches(e164: string, matches: readonly DirectoryMatch[], generation: number): void {
    this.db.transaction(() => {
      for (const match of matches) {
        const id15 = match.id.slice(0, 15);
        const existing = this.statements.idOf.get(id15);
        const id = existing?.id ?? match.id;
        if (existing === undefined)
          this.statements.upsertRecord.run({
            id,
            id15,
            object: match.object,
            name: match.name,
            firstName: null,
            lastName: null,
            company: match.accountName ?? null,
            accountId: match.accountId ?? null,
            ownerId: match.ownerId ?? null,
            lastModifiedAt: match.lastModifiedAt,
            modstamp: match.lastModifiedAt,
            generation,
          });
        const position = this.statements.lastPosition.get(id)?.p ?? -1;
        this.statements.insertNumber.run(e164, id, match.phoneField, position + 1);
      }
    })();
  }

  remove(ids: readonly string[], checkpoint?: SyncState): number {
    let removed = 0;
    this.db.transaction(() => {
      for (const id of ids) removed += this.statements.deleteById15.run(id.slice(0, 15)).changes;
      if (checkpoint !== undefined) this.saveState(checkpoint);
    })();
    return removed;
  }

  /** After a full load: drops the object's records that load did not see. */
  removeStale(object: MatchObject, generation: number): number {
    return this.statements.deleteStale.run(object, generation).changes;
  }

  ids15(object: MatchObject): string[] {
    return this.statements.ids.all(object).map((r) => r.id15);
  }

  state(object: MatchObject): SyncState | undefined {
    const row = this.statements.state.get(object);
    return row === undefined ? undefined : fromStateRow(row);
  }

  saveState(state: SyncState): void {
    this.statements.saveState.run(state);
  }

  meta(key: string): string | undefined {
    return this.statements.getMeta.get(key)?.value;
  }

  setMeta(key: string, value: string): void {
    this.statements.setMeta.run(key, value);
  }

  /**
   * Visits every indexed number with one of its records, in number order (all records of a
   * number one after another). The visitor must not write to the database: the read is open.
   */
  forEachNumberMatch(visit: (e164: string, match: DirectoryMatch) => void): void {
    const rows = this.db
      .prepare<[], MatchRow & { e164: string }>(
        `SELECT n.e164, r.id, r.object, r.name, r.first_name, r.last_name, r.company,
                r.account_id, r.owner_id, r.last_modified, n.field
           FROM directory_numbers n JOIN directory_records r ON r.id = n.record_id
          ORDER BY n.e164`,
      )
      .iterate();
    for (const row of rows) {
      visit(row.e164, toMatch(row));
    }
  }

  recordCount(object: MatchObject): number {
    return this.statements.countRecords.get(object)?.n ?? 0;
  }

  numberCount(): number {
    return this.statements.countNumbers.get()?.n ?? 0;
  }

  /**
   * Records with their numbers in id order after `afterId`, at most `limit` of them. Exports
   * page through with this rather than one long-running cursor, which would keep the connection
   * busy and block the sync's writes while a slow desk phone downloads.
   */
  page(afterId: string, limit: number): PhonebookEntry[] {
    return rowsToPhonebook(
      this.db.prepare<[string, number], PhonebookRow>(DIRECTORY_SQL.page).all(afterId, limit),
    );
  }
}

/** DIRECTORY_SQL.find's rows as matches: one per record, with its account where known. */
export function rowsToMatches(rows: readonly MatchRow[]): DirectoryMatch[] {
  const out: DirectoryMatch[] = [];
  let previous = '';
  for (const row of rows) {
    if (row.id === previous) continue;
    previous = row.id;
    const match = toMatch(row);
    if (row.account_id !== null) {
      match.accountId = row.account_id;
      if (row.company !== null) match.accountName = row.company;
    }
    out.push(match);
  }
  return out;
}

/** DIRECTORY_SQL.page's rows (one per number) as records with their numbers. */
export function rowsToPhonebook(rows: readonly PhonebookRow[]): PhonebookEntry[] {
  const out: PhonebookEntry[] = [];
  let current: PhonebookEntry | undefined;
  for (const row of rows) {
    if (current?.id !== row.id) {
      current = {
        id: row.id,
        object: row.object,
        name: row.name,
        firstName: row.first_name,
        lastName: row.last_name,
        company: row.company,
        numbers: [],
      };
      out.push(current);
    }
    current.numbers.push({ e164: row.e164, field: row.field });
  }
  return out;
}

export function fromStateRow(row: StateRow): SyncState {
  return {
    object: row.object,
    phase: row.phase,
    loadGeneration: row.load_generation,
    resumeAfterId: row.resume_after_id,
    bulkJobId: row.bulk_job_id,
    bulkLocator: row.bulk_locator,
    loaded: row.loaded,
    initialStartedAt: row.initial_started_at,
    watermark: row.watermark,
    deletedCheckedAt: row.deleted_checked_at,
    lastSyncAt: row.last_sync_at,
  };
}

/** The match a number row stands for (account fields are added where the query has them). */
export function toMatch(row: {
  id: string;
  object: MatchObject;
  name: string;
  field: string;
  last_modified: string;
  owner_id: string | null;
}): DirectoryMatch {
  const match: DirectoryMatch = {
    id: row.id,
    object: row.object,
    name: row.name,
    phoneField: row.field,
    lastModifiedAt: row.last_modified,
  };
  if (row.owner_id !== null) match.ownerId = row.owner_id;
  return match;
}
