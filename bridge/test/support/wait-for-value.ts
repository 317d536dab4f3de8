// Waits for a condition to hold, polling: the tests' one way to wait on something that
// happens elsewhere (a socket, a timer, another process: a bridge, PostgreSQL, the emulated
// org) without a fixed delay. The bound only guards a hang.

/**
 * Polls `check` until it gives a value (not undefined) and returns it; throws naming `what`
 * after `timeoutMs`, which is generous for a busy 2-core machine.
 */
export async function waitForValue<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 30_000,
  pollMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/** Polls `check` (cheap, in this process) until it holds; throws naming `what` after `timeoutMs`. */
export async function until(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  await waitForValue(what, () => (check() ? true : undefined), timeoutMs, 10);
}
