// `--kept-logs N`: the call-log outbox already holds N sent logs when the bridges start, as after
// weeks of traffic (sent and skipped logs are kept 30 days: millions at a busy site). What a
// bridge does per call must not grow with them; a fresh database would not show it if it did.
import pg from 'pg';
import { PostgresCallLogOutbox } from '../src/call-log/postgres-call-log-outbox';
import { SqliteCallLogOutbox } from '../src/call-log/call-log-outbox';
import { silentLogger } from '../src/logging/logger';
import { openDatabase } from '../src/storage/database';

const COLUMNS = `call_id, extension, fields_json, state, attempts, next_attempt_at, task_id,
  ended_at, created_at, updated_at`;
const FIELDS = JSON.stringify({
  Subject: 'Inbound call +1415…',
  TaskSubtype: 'Call',
  CallType: 'Inbound',
  Status: 'Completed',
  CallDurationInSeconds: 42,
});

/** Fills one bridge's SQLite file, its tables made as the bridge makes them. */
export function fillSqliteOutbox(file: string, rows: number): void {
  const logger = silentLogger();
  const db = openDatabase(file, logger);
  try {
    new SqliteCallLogOutbox(db, logger);
    const insert = db.prepare(
      `INSERT INTO call_log_outbox (${COLUMNS})
         VALUES (?, '1000', ?, 'sent', 1, ?, '00T000000000001AAA', ?, ?, ?)`,
    );
    const now = Date.now();
    db.transaction(() => {
      for (let i = 0; i < rows; i++) insert.run(`kept-${i}:1000`, FIELDS, now, now, now, now);
    })();
  } finally {
    db.close();
  }
}

/** Fills the outbox the bridges share in PostgreSQL. */
export async function fillPostgresOutbox(url: string, rows: number): Promise<void> {
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  try {
    await PostgresCallLogOutbox.open(pool, silentLogger());
    const now = Date.now();
    await pool.query(
      `INSERT INTO call_log_outbox (${COLUMNS})
         SELECT 'kept-' || g || ':1000', '1000', $1, 'sent', 1, $2, '00T000000000001AAA', $2, $2, $2
         FROM generate_series(1, $3::int) g`,
      [FIELDS, now, rows],
    );
  } finally {
    await pool.end();
  }
}
