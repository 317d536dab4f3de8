// The leader lock against a real PostgreSQL: one holder among several bridges, taken over
// when the holder's session dies (its bridge SIGKILLed: the server ends the session).
import { silentLogger } from '../../src/logging/logger';
import { PostgresLeaderLock } from '../../src/storage/postgres-lock';
import { useTestPostgres } from '../support/postgres-server';
import { Teardown } from '../support/teardown';
import { until } from '../support/wait-for-value';

describe('storage/postgres-lock', () => {
  const server = useTestPostgres();
  const teardown = new Teardown();
  afterEach(() => teardown.run());

  function lock(url: string, acquired: string[], name: string): PostgresLeaderLock {
    return teardown.add(
      new PostgresLeaderLock({
        connection: { connectionString: url, application_name: `lock-${name}` },
        name: 'astdb-push',
        logger: silentLogger(),
        pollMs: 50,
        onAcquired: () => acquired.push(name),
      }),
      (l) => l.stop(),
    );
  }

  it('lets one bridge hold it, and another take over when its session dies', async () => {
    const url = await server.freshDatabase();
    const acquired: string[] = [];
    const [a, b, c] = [
      lock(url, acquired, 'a'),
      lock(url, acquired, 'b'),
      lock(url, acquired, 'c'),
    ];
    await Promise.all([a.start(), b.start(), c.start()]);
    await until(() => acquired.length === 1, 'one holder');
    const holder = [a, b, c].find((l) => l.isHeld());
    expect([a, b, c].filter((l) => l.isHeld())).toHaveLength(1);

    // The holder's bridge dies: PostgreSQL ends its session (as when the process is killed).
    const pool = await server.pool(url);
    await pool.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`,
      [`lock-${acquired[0]!}`],
    );
    await until(() => acquired.length === 2, 'a second holder');
    expect(acquired[1]).not.toBe(acquired[0]);
    expect([a, b, c].filter((l) => l.isHeld())).toHaveLength(1);
    expect(holder?.isHeld()).toBe(false);
  });
});
