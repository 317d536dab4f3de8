// Preloaded into the servers `npm run bench` starts (node --expose-gc --require memory-probe.js),
// asked over the IPC channel, without the bridge having to expose anything for it:
// - `memory`: collects garbage and answers with process.memoryUsage(), so the bench can give
//   memory per connected rep (heap and RSS before and after the reps connect);
// - `pauses`: the garbage collector's pauses since the last `pauses` (a PerformanceObserver, which
//   costs nothing between collections), so a round's latency tail can be set against them.
// Does nothing in a process without IPC.
import { PerformanceObserver, constants, type PerformanceEntry } from 'node:perf_hooks';

/** The probe's answer (bytes). */
export interface MemorySample {
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

/** Garbage-collector pauses of one process over one stretch (ms). */
export interface PauseSample {
  count: number;
  /** Of them, full (mark-compact) collections. */
  major: number;
  totalMs: number;
  longestMs: number;
}

const noPauses = (): PauseSample => ({ count: 0, major: 0, totalMs: 0, longestMs: 0 });

if (process.send !== undefined) {
  let pauses = noPauses();
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries() as Array<
      PerformanceEntry & { detail?: { kind?: number } }
    >) {
      pauses.count += 1;
      if (entry.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) pauses.major += 1;
      pauses.totalMs += entry.duration;
      pauses.longestMs = Math.max(pauses.longestMs, entry.duration);
    }
  }).observe({ entryTypes: ['gc'] });
  process.on('message', (message: unknown) => {
    const type = (message as { type?: string } | null)?.type;
    if (type === 'pauses') {
      process.send?.({ type: 'pauses', sample: pauses });
      pauses = noPauses();
      return;
    }
    if (type !== 'memory') return;
    (globalThis as { gc?: () => void }).gc?.();
    const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage();
    process.send?.({ type: 'memory', sample: { rss, heapUsed, external, arrayBuffers } });
  });
  // The channel must not keep the server alive: it stops on its own signals as in production.
  process.channel?.unref();
}
