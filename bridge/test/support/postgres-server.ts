// A real PostgreSQL server for a test suite (postgres-instance.ts): started in beforeAll,
// stopped in afterAll, with pools that are ended after each test.
import { silentLogger } from '../../src/logging/logger';
import { openPostgres, type PgPool } from '../../src/storage/postgres';
import { START_LIMIT_MS, startTestPostgres, type TestPostgres } from './postgres-instance';

/**
 * One server for the calling suite: started in beforeAll (a missing PostgreSQL fails the suite
 * with what to install), stopped in afterAll.
 */
export function useTestPostgres(): Omit<TestPostgres, 'stop'> & {
  /** A bridge's pool on `url` (openPostgres), ended after the test. */
  pool(url: string, poolSize?: number): Promise<PgPool>;
} {
  let server: TestPostgres | undefined;
  let starting: Promise<TestPostgres> | undefined;
  const pools: PgPool[] = [];
  // initdb and the first start take seconds on a busy machine: not the test's 5 s.
  beforeAll(async () => {
    starting = startTestPostgres();
    server = await starting;
  }, START_LIMIT_MS + 10_000);
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((p) => p.end()));
  });
  afterAll(async () => {
    // Also when beforeAll gave up waiting: the server it started must not outlive the suite
    // (a running postgres child keeps Jest from ever exiting, and a landing with it).
    const started = server ?? (await starting?.catch(() => undefined));
    await started?.stop();
  });
  const running = (): TestPostgres => {
    if (server === undefined) throw new Error('the test PostgreSQL server did not start');
    return server;
  };
  return {
    get socketDir() {
      return running().socketDir;
    },
    get pid() {
      return running().pid;
    },
    url: (name) => running().url(name),
    freshDatabase: () => running().freshDatabase(),
    pool: async (url, poolSize = 4) => {
      const pool = await openPostgres({ url, poolSize }, silentLogger());
      pools.push(pool);
      return pool;
    },
  };
}
