// Checkpoints the bridge's SQLite write-ahead log on a thread of its own. SQLite copies the
// WAL back into the database file (a checkpoint, two fsyncs) on whichever connection commits
// when the WAL passes 1,000 pages: at 100 calls/s that was the event loop, about once a second,
// for 5-30 ms on the development VM, and the calls ringing meanwhile waited (npm run bench:
// about 1 % of the rings, the whole p99). Here a worker thread with its own connection runs a
// PASSIVE checkpoint every second, which never blocks a writer; the bridge's connection only
// checkpoints itself if the WAL reaches BACKSTOP_PAGES anyway (the worker stopped or fell
// behind), so nothing grows without bound. The checkpoint changes nothing about durability:
// committed transactions are in the WAL before and in the database file after.
import { Worker } from 'node:worker_threads';
import type { Logger } from '../logging/logger';
import type { Database } from './database';
import { sqliteDriverPackage } from './sqlite-driver';

/** The WAL size (pages of 4 KB) at which the bridge's own connection checkpoints after all. */
export const BACKSTOP_PAGES = 20_000;
const DEFAULT_INTERVAL_MS = 1000;

/** The worker's code: plain JavaScript, so it runs the same from the sources and the build. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Driver = require(workerData.driver);
const db = new Driver(workerData.path, { timeout: 1000 });
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    parentPort.postMessage({ error: String(error && error.message || error) });
  }
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export interface WalCheckpointer {
  /** Stops the worker (its last checkpoint finished); the bridge's connection takes over. */
  stop(): Promise<void>;
}

/**
 * Starts checkpointing `db` (a file; an in-memory database has no WAL: nothing is started) on
 * a worker thread. A worker that cannot start or fails is logged once; SQLite's own checkpoint
 * on the bridge's connection (at BACKSTOP_PAGES) keeps the WAL bounded either way.
 */
export function startWalCheckpointer(
  db: Database,
  logger: Logger,
  options: { intervalMs?: number } = {},
): WalCheckpointer {
  if (db.memory || db.pragma('journal_mode', { simple: true }) !== 'wal')
    return { stop: () => Promise.resolve() };
  db.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      // The same build as the bridge's connection (sqlite-driver.ts says why there are two).
      driver: require.resolve(sqliteDriverPackage(Number(process.versions.napi))),
      path: db.name,
      intervalMs: options.intervalMs ?? DEFAULT_INTERVAL_MS,
    },
  });
  // A checkpointer must not keep a stopping process alive.
  worker.unref();
  let warned = false;
  const warn = (err: string) => {
    if (warned) return;
    warned = true;
    logger.warn(
      { err, hint: 'The bridge checkpoints on its own connection meanwhile.' },
      'the SQLite checkpoint thread failed',
    );
  };
  worker.on('message', (message: { error?: string }) => {
    if (message.error !== undefined) warn(message.error);
  });
  worker.on('error', (error) => {
    warn(error.message);
  });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    stop: async () => {
      worker.postMessage('stop');
      await exited;
    },
  };
}
