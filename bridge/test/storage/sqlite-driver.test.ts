// The SQLite driver the bridge loads survives the garbage collector on the Node it runs on:
// better-sqlite3 12 aborts Node 24.19+ when a collected Statement is finalized outside a
// JavaScript context (storage/sqlite-driver.ts), which a child process preparing and dropping
// statements from timers reproduced every time. CI runs this file on Node 20 and on Node 24.
import { execFile } from 'node:child_process';
import {
  NAPI_VERSION_OF_BETTER_SQLITE3_13,
  SqliteDriver,
  sqliteDriverPackage,
} from '../../src/storage/sqlite-driver';

describe('the SQLite driver', () => {
  it('is better-sqlite3 13 (Node-API) where Node-API 10 exists, 12 before', () => {
    expect(sqliteDriverPackage(9)).toBe('better-sqlite3');
    expect(sqliteDriverPackage(NAPI_VERSION_OF_BETTER_SQLITE3_13)).toBe('better-sqlite3-napi');
    expect(sqliteDriverPackage(11)).toBe('better-sqlite3-napi');
    const expected = sqliteDriverPackage(Number(process.versions.napi));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    expect(SqliteDriver).toBe(require(expected));
  });

  it('opens a database and runs statements', () => {
    const db = new SqliteDriver(':memory:');
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
    db.prepare('INSERT INTO t (v) VALUES (?)').run('x');
    expect(db.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 1 });
    db.close();
  });

  it('lets the garbage collector finalize dropped statements without aborting the process', async () => {
    const loaded = sqliteDriverPackage(Number(process.versions.napi));
    // Statements prepared and dropped from timers, so V8 collects them between JS turns.
    const script = `
      const Database = require(${JSON.stringify(require.resolve(loaded))});
      const db = new Database(':memory:');
      db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
      let n = 0;
      const timer = setInterval(() => {
        for (let k = 0; k < 2000; k++) db.prepare('INSERT INTO t (v) VALUES (?)').run('x' + n++);
        if (n >= 100000) { clearInterval(timer); console.log('inserted', n); }
      }, 1);`;
    const result = await new Promise<{ code: number | null; signal: string | null; out: string }>(
      (resolve) => {
        execFile(process.execPath, ['-e', script], (error, stdout, stderr) =>
          resolve({
            code: error ? ((error as { code?: number }).code ?? null) : 0,
            signal: error ? ((error as { signal?: string }).signal ?? null) : null,
            out: `${stdout}${stderr}`,
          }),
        );
      },
    );
    expect(result.out).not.toContain('Assertion failed');
    expect(result).toMatchObject({ code: 0, signal: null });
    expect(result.out).toContain('inserted 100000');
  }, 120_000); // a hang guard on a busy machine, not a speed check
});
