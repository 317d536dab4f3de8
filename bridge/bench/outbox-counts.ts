// What one count of the call-log outbox by state costs when it keeps N sent logs (30 days of
// them at a busy site): counting the rows, as the bridge did after every drain before, against
// the counts the triggers keep (call-log-outbox.ts).
//   npm run build:bridge && node bridge/dist/bench/outbox-counts.js [rows=500000]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SqliteCallLogOutbox } from '../src/call-log/call-log-outbox';
import { silentLogger } from '../src/logging/logger';
import { openDatabase } from '../src/storage/database';
import { fillSqliteOutbox } from './kept-logs';

const REPEATS = 20;

async function main(): Promise<void> {
  const rows = Number(process.argv[2] ?? 500_000);
  const dir = mkdtempSync(path.join(tmpdir(), 'switchboard-counts-'));
  try {
    const file = path.join(dir, 'bench.db');
    fillSqliteOutbox(file, rows);
    const logger = silentLogger();
    const db = openDatabase(file, logger);
    const outbox = new SqliteCallLogOutbox(db, logger);
    const countRows = db.prepare('SELECT state, COUNT(*) AS n FROM call_log_outbox GROUP BY state');
    const time = async (what: string, count: () => unknown): Promise<void> => {
      const start = process.hrtime.bigint();
      for (let i = 0; i < REPEATS; i++) await count();
      const ms = Number(process.hrtime.bigint() - start) / 1e6 / REPEATS;
      process.stdout.write(`${what}: ${ms.toFixed(3)} ms a count (${rows} sent logs kept)\n`);
    };
    await time('counting the rows', () => countRows.all());
    await time('the kept counts (countByState)', () => outbox.countByState());
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
