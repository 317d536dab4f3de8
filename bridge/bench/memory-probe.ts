// Preloaded into the servers `npm run bench` starts (node --expose-gc --require memory-probe.js):
// asked over the IPC channel, it collects garbage and answers with process.memoryUsage(), so the
// bench can give memory per connected rep (heap and RSS before and after the reps connect)
// without the bridge having to expose anything for it. Does nothing in a process without IPC.

/** The probe's answer (bytes). */
export interface MemorySample {
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

if (process.send !== undefined) {
  process.on('message', (message: unknown) => {
    if ((message as { type?: string } | null)?.type !== 'memory') return;
    (globalThis as { gc?: () => void }).gc?.();
    const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage();
    process.send?.({ type: 'memory', sample: { rss, heapUsed, external, arrayBuffers } });
  });
  // The channel must not keep the server alive: it stops on its own signals as in production.
  process.channel?.unref();
}
