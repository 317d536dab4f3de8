// The bridge's embedded database: one better-sqlite3 file shared by every module that must
// survive a restart (the call-log outbox, the calls under way, the directory index). Each
// module owns its tables and registers numbered migrations under its own name; a version table
// records what has been applied, so modules evolve their schemas independently.
//
// Durability: WAL journal with synchronous=NORMAL: a commit survives a killed process (kill -9,
// a crash of the bridge); only an OS crash or power loss may lose the last commits. FULL would
// add an fsync to every commit, and better-sqlite3 runs on the event loop: the benchmark
// showed FULL holding screen pops back by hundreds of milliseconds at 100 calls/s.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { ErrorCodes, SwitchboardError } from '../errors';
import type { Logger } from '../logging/logger';
import { SqliteDriver } from './sqlite-driver';

export type Database = BetterSqlite3.Database;
export type Statement = BetterSqlite3.Statement;

/**
 * Prepares each SQL text once for this database and returns it from then on: preparing on every
 * call showed up in the benchmark profile.
 */
export function statementCache(db: Database): (sql: string) => Statement {
  const prepared = new Map<string, Statement>();
  return (sql) => {
    let statement = prepared.get(sql);
    if (statement === undefined) {
      statement = db.prepare(sql);
      prepared.set(sql, statement);
    }
    return statement;
  };
}

export interface Migration {
  /** 1, 2, 3 … in order; never renumber or edit a migration that has shipped. */
  version: number;
  description: string;
  /**
   * SQLite: SQL text, or a function for changes SQL alone cannot express. Runs inside a
   * transaction. Absent for a module only PostgreSQL holds.
   */
  up?: string | ((db: Database) => void);
  /** The same change in PostgreSQL's SQL (postgres.ts); absent for a module only SQLite holds. */
  postgres?: string;
}

/**
 * A module's migrations in order, refused (a programming error) when the numbers have gaps or
 * one lacks the form this store runs: `up` for SQLite, `postgres` for PostgreSQL.
 */
export function orderedMigrations(
  module: string,
  migrations: readonly Migration[],
  form: 'up' | 'postgres',
): Migration[] {
  const ordered = [...migrations].sort((a, b) => a.version - b.version);
  ordered.forEach((m, i) => {
    if (m.version !== i + 1 || m[form] === undefined)
      throw new SwitchboardError(
        ErrorCodes.STORAGE_MIGRATION_FAILED,
        m[form] === undefined
          ? `Migration ${module} #${m.version} has no ${form === 'up' ? 'SQLite' : 'PostgreSQL'} form`
          : `Migrations of ${module} must be numbered 1, 2, 3 … without gaps`,
        { operational: false },
      );
  });
  return ordered;
}

/** How long a statement waits for another connection's lock before failing (ms). */
const BUSY_TIMEOUT_MS = 5000;

/**
 * Opens (creating if needed) the database at `path`; `:memory:` gives a private in-memory one
 * for tests. Throws STORAGE_OPEN_FAILED with a hint when the file cannot be opened.
 */
export function openDatabase(path: string, logger: Logger): Database {
  let db: Database;
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    db = new SqliteDriver(path, { timeout: BUSY_TIMEOUT_MS });
    // journal_mode answers with the mode in force: an in-memory database stays "memory".
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.exec(
      `CREATE TABLE IF NOT EXISTS schema_versions (
         module TEXT PRIMARY KEY,
         version INTEGER NOT NULL,
         applied_at TEXT NOT NULL
       )`,
    );
  } catch (cause) {
    throw new SwitchboardError(ErrorCodes.STORAGE_OPEN_FAILED, `Cannot open database ${path}`, {
      hint: 'Check storage.database: the directory must be writable by the bridge user, and the file must be a Switchboard SQLite database.',
      cause,
      operational: true,
    });
  }
  logger.info({ database: path }, 'database opened');
  return db;
}

/** The schema version of a module's tables (0 = never migrated). */
export function schemaVersion(db: Database, module: string): number {
  const row = db.prepare('SELECT version FROM schema_versions WHERE module = ?').get(module) as
    { version: number } | undefined;
  return row?.version ?? 0;
}

/**
 * Brings a module's tables up to its newest migration. Each migration runs in its own
 * transaction together with the version bump, so a crash leaves a consistent version.
 * A database migrated by a newer bridge is refused (STORAGE_SCHEMA_TOO_NEW) rather than
 * written with assumptions that no longer hold.
 */
export function applyMigrations(
  db: Database,
  module: string,
  migrations: readonly Migration[],
  logger: Logger,
): void {
  const ordered = orderedMigrations(module, migrations, 'up');
  const current = schemaVersion(db, module);
  const newest = ordered.length;
  if (current > newest)
    throw new SwitchboardError(
      ErrorCodes.STORAGE_SCHEMA_TOO_NEW,
      `The database's ${module} tables are at version ${current}; this bridge knows up to ${newest}`,
      {
        hint: 'A newer bridge has used this database. Run that version, or point storage.database at another file.',
      },
    );
  for (const migration of ordered.slice(current)) {
    try {
      db.transaction(() => {
        if (typeof migration.up === 'string') db.exec(migration.up);
        else migration.up?.(db);
        db.prepare(
          `INSERT INTO schema_versions (module, version, applied_at) VALUES (?, ?, ?)
           ON CONFLICT(module) DO UPDATE SET version = excluded.version, applied_at = excluded.applied_at`,
        ).run(module, migration.version, new Date().toISOString());
      })();
    } catch (cause) {
      throw new SwitchboardError(
        ErrorCodes.STORAGE_MIGRATION_FAILED,
        `Migration ${module} #${migration.version} (${migration.description}) failed`,
        { cause, operational: false, hint: 'The database was left at the previous version.' },
      );
    }
    logger.info(
      { module, version: migration.version, description: migration.description },
      'database migrated',
    );
  }
}
