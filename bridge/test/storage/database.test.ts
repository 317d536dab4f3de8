import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SwitchboardError } from '../../src/errors';
import { silentLogger } from '../../src/logging/logger';
import {
  applyMigrations,
  openDatabase,
  schemaVersion,
  type Database,
  type Migration,
} from '../../src/storage/database';

describe('storage/database', () => {
  const logger = silentLogger();
  let dir: string;
  const open: Database[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'switchboard-db-'));
  });
  afterEach(() => {
    for (const db of open.splice(0)) db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function openAt(path: string): Database {
    const db = openDatabase(path, logger);
    open.push(db);
    return db;
  }

  const v1: Migration = {
    version: 1,
    description: 'widgets',
    up: 'CREATE TABLE widgets (id TEXT PRIMARY KEY)',
  };
  const v2: Migration = {
    version: 2,
    description: 'widget colour',
    up: (db) => db.exec('ALTER TABLE widgets ADD COLUMN colour TEXT'),
  };

  it('opens a file in WAL mode with full sync, creating its directory', () => {
    // A nested path that does not exist yet
    const db = openAt(join(dir, 'nested', 'switchboard.db'));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    // NORMAL = 1: survives a killed process without an fsync per commit on the event loop
    expect(db.pragma('synchronous', { simple: true })).toBe(1);
  });

  it('applies each module migration once and records the version', () => {
    const path = join(dir, 'a.db');
    const db = openAt(path);
    applyMigrations(db, 'widgets', [v1], logger);
    expect(schemaVersion(db, 'widgets')).toBe(1);
    // Same migrations again: nothing re-runs (CREATE TABLE would throw)
    applyMigrations(db, 'widgets', [v1], logger);
    // A new migration on the next start runs only the new one
    applyMigrations(db, 'widgets', [v2, v1], logger);
    expect(schemaVersion(db, 'widgets')).toBe(2);
    db.prepare('INSERT INTO widgets (id, colour) VALUES (?, ?)').run('w1', 'red');
    // Another module's versions are independent
    expect(schemaVersion(db, 'directory')).toBe(0);
  });

  it('keeps the previous version when a migration fails', () => {
    const db = openAt(join(dir, 'b.db'));
    applyMigrations(db, 'widgets', [v1], logger);
    const broken: Migration = { version: 2, description: 'broken', up: 'ALTER TABLE nope ADD x' };
    expect(
      thrown(() => {
        applyMigrations(db, 'widgets', [v1, broken], logger);
      }).code,
    ).toBe('STORAGE_MIGRATION_FAILED');
    expect(schemaVersion(db, 'widgets')).toBe(1);
  });

  it('refuses a database migrated by a newer bridge', () => {
    const db = openAt(join(dir, 'c.db'));
    applyMigrations(db, 'widgets', [v1, v2], logger);
    expect(
      thrown(() => {
        applyMigrations(db, 'widgets', [v1], logger);
      }).code,
    ).toBe('STORAGE_SCHEMA_TOO_NEW');
  });

  it('rejects migrations numbered with gaps', () => {
    const db = openAt(':memory:');
    expect(
      thrown(() => {
        applyMigrations(db, 'widgets', [v2], logger);
      }).code,
    ).toBe('STORAGE_MIGRATION_FAILED');
  });

  it('reports an unopenable path with a code and a hint', () => {
    // A directory is not a database file
    const error = thrown(() => openDatabase(dir, logger));
    expect(error.code).toBe('STORAGE_OPEN_FAILED');
    expect(error.hint).toContain('storage.database');
  });
});

function thrown(fn: () => unknown): SwitchboardError {
  try {
    fn();
  } catch (error) {
    return error as SwitchboardError;
  }
  throw new Error('expected a throw');
}
