// UserRefresh: a refresh that could not read Salesforce's users is retried soon, not only at the
// next ten-minute refresh — a bridge that starts while the User query fails would otherwise give
// every rep "no extension" (and no pops) for ten minutes (found by `npm run soak`).
import { UserRefresh } from '../../src/users/user-refresh';
import { createLogger } from '../../src/logging/logger';
import type { PbxUser } from '../../src/users/user-directory';

function setUp(answers: boolean[]) {
  const calls: PbxUser[][] = [];
  let refreshed = 0;
  const refresh = new UserRefresh({
    pbx: { listUsers: () => Promise.resolve([]) },
    users: {
      refresh: (pbxUsers) => {
        calls.push(pbxUsers);
        return Promise.resolve(answers[calls.length - 1] ?? true);
      },
    },
    onRefreshed: () => (refreshed += 1),
    logger: createLogger({ level: 'silent' }),
    intervalMs: 600_000,
    retryMs: 5_000,
  });
  return { refresh, calls, refreshed: () => refreshed };
}

/** Lets the refresh started by a timer run to its end. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

describe('UserRefresh', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('retries a failed refresh after 5 s, then 10 s, and stops retrying once it succeeds', async () => {
    // Arrange: Salesforce fails the first two reads
    const { refresh, calls } = setUp([false, false, true]);
    // Act: start (first read fails)
    await refresh.start();
    expect(calls).toHaveLength(1);
    // Assert: retried after 5 s (fails again), then after 10 s more (succeeds)
    await jest.advanceTimersByTimeAsync(4_999);
    expect(calls).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    await settle();
    expect(calls).toHaveLength(2);
    await jest.advanceTimersByTimeAsync(9_999);
    expect(calls).toHaveLength(2);
    await jest.advanceTimersByTimeAsync(1);
    await settle();
    expect(calls).toHaveLength(3);
    // Assert: no more retries until the regular refresh, 10 minutes after start
    await jest.advanceTimersByTimeAsync(584_999);
    expect(calls).toHaveLength(3);
    await jest.advanceTimersByTimeAsync(1);
    await settle();
    expect(calls).toHaveLength(4);
    refresh.stop();
  });

  it('does not retry a refresh that succeeded, and nothing runs after stop()', async () => {
    const { refresh, calls, refreshed } = setUp([true, false]);
    await refresh.start();
    await jest.advanceTimersByTimeAsync(60_000);
    expect(calls).toHaveLength(1);
    expect(refreshed()).toBe(1);
    // Act: a failed refresh (e.g. when the org connection comes back), then stop
    await expect(refresh.refresh()).resolves.toBe(false);
    refresh.stop();
    await jest.advanceTimersByTimeAsync(3_600_000);
    // Assert: the retry it had planned never ran
    expect(calls).toHaveLength(2);
  });
});
