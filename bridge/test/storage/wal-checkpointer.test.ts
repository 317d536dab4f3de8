// The WAL checkpoint runs on a thread of its own: the bridge's connection writes, and the
// database file receives the pages without that connection ever checkpointing (its own
// threshold is far above what the test writes). Without the checkpointer the pages stay in the
// WAL. An in-memory database has no WAL and starts nothing.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../src/logging/logger';
import { openDatabase, type Database } from '../../src/storage/database';
import { BACKSTOP_PAGES, startWalCheckpointer } from '../../src/storage/wal-checkpointer';
import { Teardown } from '../support/teardown';

const logger = silentLogger();
const teardown = new Teardown();
afterEach(() => teardown.run());

function fileDatabase(): { db: Database; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-wal-'));
  teardown.add(dir, (d) => rmSync(d, { recursive: true, force: true }));
  const file = join(dir, 'sb.db');
  const db = teardown.add(openDatabase(file, logger), (d) => d.close());
  return { db, file };
}

/** About 4 MB in 1,000 single-row transactions, as the bridge writes (one commit each). */
function writeRows(db: Database): void {
  db.exec('CREATE TABLE rows (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO rows (body) VALUES (?)');
  for (let i = 0; i < 1000; i++) insert.run('x'.repeat(4000));
}

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe('SQLite WAL checkpointer', () => {
  it('copies the WAL into the database file from its own thread', async () => {
    const { db, file } = fileDatabase();
    const checkpointer = startWalCheckpointer(db, logger, { intervalMs: 20 });
    teardown.add(checkpointer, (c) => c.stop());
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(BACKSTOP_PAGES);

    writeRows(db);

    // The pages reach the database file although this connection never checkpoints.
    await waitFor(() => statSync(file).size > 3_000_000);
    expect(db.prepare('SELECT COUNT(*) AS n FROM rows').get()).toEqual({ n: 1000 });
  });

  it('leaves the pages in the WAL without it (the control)', async () => {
    const { db, file } = fileDatabase();
    db.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);

    writeRows(db);
    await new Promise((resolve) => setTimeout(resolve, 200));

    expect(statSync(file).size).toBeLessThan(100_000);
    expect(statSync(`${file}-wal`).size).toBeGreaterThan(3_000_000);
  });

  it('starts nothing for an in-memory database', async () => {
    const db = teardown.add(openDatabase(':memory:', logger), (d) => d.close());
    const checkpointer = startWalCheckpointer(db, logger);
    await expect(checkpointer.stop()).resolves.toBeUndefined();
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
  });
});
