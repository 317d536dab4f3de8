// What a test started (servers, bridges, emulated orgs, databases), stopped again newest first,
// also when its setup failed halfway: only what was registered is stopped (no TypeError on a
// handle that was never assigned), and one stop that throws does not skip the others. An open
// handle left behind keeps Jest from exiting after a failed run.
export class Teardown {
  private readonly steps: Array<() => unknown> = [];

  /** Registers how to stop what was just started; returns it, for `x = teardown.add(…)`. */
  add<T>(started: T, stop: (started: T) => unknown): T {
    this.steps.push(() => stop(started));
    return started;
  }

  /** Stops everything registered so far, newest first; then throws the first failure, if any. */
  async run(): Promise<void> {
    const failures: unknown[] = [];
    for (const step of this.steps.splice(0).reverse()) {
      try {
        await step();
      } catch (error) {
        failures.push(error);
      }
    }
    if (failures.length > 0) throw failures[0];
  }
}
