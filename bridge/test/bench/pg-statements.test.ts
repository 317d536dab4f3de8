// The benchmark's PostgreSQL statement counts (--pg-statements), on a real server started with
// pg_stat_statements loaded: what ran since the reset is counted, the counter's own queries
// are not, and the report divides by the calls.
import { Client } from 'pg';
import { PG_STATEMENTS_SETTINGS, PgStatements, statementLines } from '../../bench/pg-statements';
import { START_LIMIT_MS, startTestPostgres, type TestPostgres } from '../support/postgres-instance';

describe('benchmark PostgreSQL statement counts', () => {
  let server: TestPostgres | undefined;
  beforeAll(async () => {
    server = await startTestPostgres({ settings: PG_STATEMENTS_SETTINGS });
  }, START_LIMIT_MS + 10_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('counts the statements run since the reset, most often run first', async () => {
    const url = await server!.freshDatabase();
    const counter = await PgStatements.open(url);
    const bridge = new Client({ connectionString: url });
    await bridge.connect();
    try {
      await bridge.query('CREATE TABLE t (id INT PRIMARY KEY)');
      await counter.reset();
      for (let i = 0; i < 6; i++) await bridge.query('INSERT INTO t VALUES ($1)', [i]);
      for (let i = 0; i < 3; i++) await bridge.query('SELECT id FROM t WHERE id = $1', [i]);
      const counts = await counter.read();
      expect(counts.map((c) => [c.calls, c.query])).toEqual([
        [6, 'INSERT INTO t VALUES ($1)'],
        [3, 'SELECT id FROM t WHERE id = $1'],
      ]);
      const lines = statementLines(counts, 3, 1);
      expect(lines[0]).toMatch(
        /^PostgreSQL statements per warm call \(pg_stat_statements\): 3\.0,/,
      );
      expect(lines.slice(2)).toEqual([
        '| per call | exec µs each | statement |',
        '|---|---|---|',
        expect.stringMatching(/^\| 2\.00 \| \d+ \| `INSERT INTO t VALUES \(\$1\)` \|$/),
      ]);
    } finally {
      await bridge.end();
      await counter.close();
    }
  }, 30_000);
});
