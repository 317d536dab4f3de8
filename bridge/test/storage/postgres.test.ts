// The PostgreSQL side of storage against a real server the suite starts: numbered migrations
// applied once however many bridges start together, refusals named like SQLite's, and a
// connection failure told with a hint.
import { ErrorCodes, type SwitchboardError } from '../../src/errors';
import { silentLogger } from '../../src/logging/logger';
import type { Migration } from '../../src/storage/database';
import {
  applyPostgresMigrations,
  describePostgresUrl,
  openPostgres,
  postgresSchemaVersion,
  type PgPool,
} from '../../src/storage/postgres';
import { useTestPostgres } from '../support/postgres-server';

describe('storage/postgres', () => {
  const logger = silentLogger();
  const server = useTestPostgres();
  const pool = (url: string) => server.pool(url);

  const migrations: Migration[] = [
    {
      version: 1,
      description: 'widgets',
      postgres: 'CREATE TABLE widgets (id TEXT PRIMARY KEY, made_at BIGINT NOT NULL)',
    },
    {
      version: 2,
      description: 'widget colour',
      postgres: 'ALTER TABLE widgets ADD COLUMN colour TEXT',
    },
  ];

  it('applies each migration once when five bridges start together', async () => {
    const url = await server.freshDatabase();
    const bridges = await Promise.all([1, 2, 3, 4, 5].map(() => pool(url)));

    // Without the advisory lock two of these race on CREATE TABLE and one fails.
    await Promise.all(
      bridges.map((p) => applyPostgresMigrations(p, 'widgets', migrations, logger)),
    );

    expect(await postgresSchemaVersion(bridges[0] as PgPool, 'widgets')).toBe(2);
    const { rows } = await (bridges[0] as PgPool).query<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns WHERE table_name = 'widgets'
         ORDER BY column_name`,
    );
    expect(rows.map((r) => r.column_name)).toEqual(['colour', 'id', 'made_at']);
  });

  it('reads BIGINT epoch milliseconds back as numbers', async () => {
    const p = await pool(await server.freshDatabase());
    await applyPostgresMigrations(p, 'widgets', migrations, logger);
    await p.query('INSERT INTO widgets (id, made_at) VALUES ($1, $2)', ['w', 1_764_000_000_123]);
    const { rows } = await p.query<{ made_at: unknown }>('SELECT made_at FROM widgets');
    expect(rows[0]?.made_at).toBe(1_764_000_000_123);
  });

  it('refuses a database a newer bridge migrated, and leaves a failed migration undone', async () => {
    const p = await pool(await server.freshDatabase());
    await applyPostgresMigrations(p, 'widgets', migrations, logger);

    const tooNew = await applyPostgresMigrations(p, 'widgets', migrations.slice(0, 1), logger)
      .then(() => undefined)
      .catch((e: unknown) => e as SwitchboardError);
    expect(tooNew?.code).toBe(ErrorCodes.STORAGE_SCHEMA_TOO_NEW);
    expect(tooNew?.hint).toContain('newer bridge');

    const broken: Migration = { version: 3, description: 'broken', postgres: 'ALTER TABLE nope' };
    const failed = await applyPostgresMigrations(p, 'widgets', [...migrations, broken], logger)
      .then(() => undefined)
      .catch((e: unknown) => e as SwitchboardError);
    expect(failed?.code).toBe(ErrorCodes.STORAGE_MIGRATION_FAILED);
    expect(await postgresSchemaVersion(p, 'widgets')).toBe(2);
  });

  it('refuses a module migration without a PostgreSQL form', async () => {
    const p = await pool(await server.freshDatabase());
    const sqliteOnly: Migration = { version: 1, description: 'x', up: 'CREATE TABLE x (a)' };
    await expect(applyPostgresMigrations(p, 'x', [sqliteOnly], logger)).rejects.toMatchObject({
      code: ErrorCodes.STORAGE_MIGRATION_FAILED,
    });
  });

  it('tells an unreachable database with a hint, and never logs the password', async () => {
    const url = server.url('no_such_database');
    const error = await openPostgres({ url, password: 's3cret', poolSize: 2 }, logger)
      .then(() => undefined)
      .catch((e: unknown) => e as SwitchboardError);
    expect(error?.code).toBe(ErrorCodes.STORAGE_OPEN_FAILED);
    expect(error?.hint).toContain('storage.postgres.url');
    expect(error?.hint).toContain('no_such_database');
    expect(`${error?.message} ${error?.hint}`).not.toContain('s3cret');
    expect(describePostgresUrl('postgresql://sb:pw@db.example:5432/sb')).toBe(
      'postgresql://sb@db.example:5432/sb',
    );
  });
});
