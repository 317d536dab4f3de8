// `npm run bench -- --bridges N --pg-statements K`: what the bridges ask PostgreSQL per warm
// call, from the server's own pg_stat_statements — the K statements run most often, with their
// calls and execution time per call. PostgreSQL's CPU per call (several bridges) is mostly the
// cost of each statement's round trip, parse and plan, so the count is the figure to cut. The
// extension costs PostgreSQL some CPU itself: a run that counts is not one for CPU figures.
import { Client } from 'pg';

/** The server settings that load the extension (startTestPostgres's `settings`). */
export const PG_STATEMENTS_SETTINGS = [
  'shared_preload_libraries=pg_stat_statements',
  'pg_stat_statements.track=all',
] as const;

export interface StatementCount {
  calls: number;
  execMs: number;
  /** The normalized statement, whitespace folded. */
  query: string;
}

/** A connection to the bridges' database that resets and reads the statement counts. */
export class PgStatements {
  private constructor(private readonly client: Client) {}

  static async open(url: string): Promise<PgStatements> {
    const client = new Client({ connectionString: url });
    await client.connect();
    await client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    return new PgStatements(client);
  }

  async reset(): Promise<void> {
    await this.client.query('SELECT pg_stat_statements_reset()');
  }

  /** Every statement run since the reset, most often run first (this connection's left out). */
  async read(): Promise<StatementCount[]> {
    const { rows } = await this.client.query<{ calls: string; ms: number; query: string }>(
      `SELECT calls, total_exec_time AS ms, query FROM pg_stat_statements
        WHERE query NOT LIKE '%pg_stat_statements%' ORDER BY calls DESC, total_exec_time DESC`,
    );
    return rows.map((r) => ({
      calls: Number(r.calls),
      execMs: r.ms,
      query: r.query.replace(/\s+/g, ' ').trim(),
    }));
  }

  close(): Promise<void> {
    return this.client.end();
  }
}

/** The report's lines: statements per warm call in total, then the `top` most frequent. */
export function statementLines(counts: readonly StatementCount[], calls: number, top: number) {
  const total = counts.reduce((sum, c) => sum + c.calls, 0);
  const execMs = counts.reduce((sum, c) => sum + c.execMs, 0);
  return [
    `PostgreSQL statements per warm call (pg_stat_statements): ${(total / calls).toFixed(1)}, executing ${((execMs / calls) * 1000).toFixed(0)} µs; the ${Math.min(top, counts.length)} run most often:`,
    '',
    '| per call | exec µs each | statement |',
    '|---|---|---|',
    ...counts
      .slice(0, top)
      .map(
        (c) =>
          `| ${(c.calls / calls).toFixed(2)} | ${((c.execMs / Math.max(1, c.calls)) * 1000).toFixed(0)} | \`${c.query.slice(0, 110).replace(/\|/g, '\\|')}\` |`,
      ),
  ];
}
