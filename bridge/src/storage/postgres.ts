// Shared storage for several bridges: a `pg` connection pool to one PostgreSQL database, with
// the same per-module numbered migrations as the embedded SQLite file (database.ts). Each
// module's Migration carries the PostgreSQL form of its SQL next to the SQLite one, so both
// stores are at the same version number for the same tables.
//
// Several bridges may start at the same moment against an empty database: each migration runs
// in a transaction that first takes a transaction-level advisory lock, then re-reads the
// version, so exactly one bridge applies it and the others see it done.
import pg from 'pg';
import type { PostgresConfig } from '../config/schema';
import { ErrorCodes, SwitchboardError } from '../errors';
import type { Logger } from '../logging/logger';
import { orderedMigrations, type Migration } from './database';

export type PgPool = pg.Pool;
export type PgClient = pg.PoolClient;

/** Key of the advisory lock every bridge's migrations take (any constant unique to us). */
const MIGRATION_LOCK = 0x5357_4d47; // "SWMG"

// BIGINT columns (epoch milliseconds) come back as JavaScript numbers: every value stored is
// well inside Number.MAX_SAFE_INTEGER, and strings would leak into every store.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

/** Where a URL points, without its password, for logs and messages. */
export function describePostgresUrl(url: string): string {
  if (!URL.canParse(url)) return 'postgresql://(unparsable URL)';
  const parsed = new URL(url);
  const socket = parsed.searchParams.get('host');
  return `${parsed.protocol}//${parsed.username === '' ? '' : `${parsed.username}@`}${socket ?? parsed.host}${parsed.pathname}`;
}

/**
 * Opens the pool and proves it with one query. Throws STORAGE_OPEN_FAILED with a hint when
 * the server cannot be reached or refuses the login.
 */
export async function openPostgres(config: PostgresConfig, logger: Logger): Promise<PgPool> {
  const where = describePostgresUrl(config.url);
  const pool = new pg.Pool({
    connectionString: config.url,
    ...(config.password === undefined ? {} : { password: config.password }),
    max: config.poolSize,
    connectionTimeoutMillis: 10_000,
    // A bridge's application_name shows in pg_stat_activity: which connection is whose.
    application_name: 'switchboard-bridge',
  });
  // An idle connection the server drops (restart, failover) must not crash the bridge: the
  // pool replaces it on the next query, which is where the failure is reported.
  pool.on('error', (error) => {
    logger.warn({ err: error.message }, 'an idle PostgreSQL connection failed');
  });
  try {
    await pool.query('SELECT 1');
  } catch (cause) {
    await pool.end().catch(() => undefined);
    throw new SwitchboardError(ErrorCodes.STORAGE_OPEN_FAILED, `Cannot connect to ${where}`, {
      hint:
        'Check storage.postgres.url (host, port, database) and the password ' +
        '(SWITCHBOARD__STORAGE__POSTGRES__PASSWORD): the database must exist and the user may ' +
        'create tables in it. The server says: ' +
        (cause instanceof Error ? cause.message : String(cause)),
      cause,
      operational: true,
    });
  }
  logger.info({ database: where }, 'PostgreSQL opened');
  return pool;
}

/**
 * A statement written with `?` placeholders (as SQLite takes them) with PostgreSQL's numbered
 * ones instead, so a store can share its SQL text between the two.
 */
export function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${String(++n)}`);
}

/** Runs `work` in a transaction on one pooled connection; rolls back when it throws. */
export async function inTransaction<T>(
  pool: PgPool,
  work: (client: PgClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** The schema version of a module's tables in PostgreSQL (0 = never migrated). */
export async function postgresSchemaVersion(pool: PgPool, module: string): Promise<number> {
  const exists = await pool.query<{ present: boolean }>(
    `SELECT to_regclass('schema_versions') IS NOT NULL AS present`,
  );
  if (exists.rows[0]?.present !== true) return 0;
  const { rows } = await pool.query<{ version: number }>(
    'SELECT version FROM schema_versions WHERE module = $1',
    [module],
  );
  return rows[0]?.version ?? 0;
}

/**
 * Brings a module's tables up to its newest migration, one transaction per migration under
 * the migration advisory lock (two bridges starting together never race). Same refusals as
 * the SQLite applyMigrations: gaps in the numbering, a database newer than this bridge, a
 * migration without a PostgreSQL form.
 */
export async function applyPostgresMigrations(
  pool: PgPool,
  module: string,
  migrations: readonly Migration[],
  logger: Logger,
): Promise<void> {
  const ordered = orderedMigrations(module, migrations, 'postgres');
  const newest = ordered.length;
  for (;;) {
    const applied = await inTransaction(pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await client.query(
        `CREATE TABLE IF NOT EXISTS schema_versions (
           module TEXT PRIMARY KEY,
           version INTEGER NOT NULL,
           applied_at TEXT NOT NULL
         )`,
      );
      const { rows } = await client.query<{ version: number }>(
        'SELECT version FROM schema_versions WHERE module = $1',
        [module],
      );
      const current = rows[0]?.version ?? 0;
      if (current > newest)
        throw new SwitchboardError(
          ErrorCodes.STORAGE_SCHEMA_TOO_NEW,
          `The database's ${module} tables are at version ${current}; this bridge knows up to ${newest}`,
          {
            hint: 'A newer bridge has used this database: run that version on every bridge, or point storage.postgres.url at another database.',
          },
        );
      const migration = ordered[current];
      if (migration === undefined) return undefined;
      try {
        await client.query(migration.postgres as string);
        await client.query(
          `INSERT INTO schema_versions (module, version, applied_at) VALUES ($1, $2, $3)
           ON CONFLICT (module) DO UPDATE SET version = EXCLUDED.version,
             applied_at = EXCLUDED.applied_at`,
          [module, migration.version, new Date().toISOString()],
        );
      } catch (cause) {
        throw new SwitchboardError(
          ErrorCodes.STORAGE_MIGRATION_FAILED,
          `Migration ${module} #${migration.version} (${migration.description}) failed`,
          { cause, operational: false, hint: 'The database was left at the previous version.' },
        );
      }
      return migration;
    });
    if (applied === undefined) return;
    logger.info(
      { module, version: applied.version, description: applied.description, store: 'postgres' },
      'database migrated',
    );
  }
}
