// `switchboard-bridge sync`: one directory sync run from the command line (the first full load of
// a large org, or `--full` to rebuild), against the same database the bridge uses: the SQLite
// file, or with storage.postgres the index the bridges share. Safe to run while bridges run:
// the database serializes the writes and each page commits with its checkpoint; a run
// interrupted with Ctrl-C continues where it stopped next time.
import type { Config } from './config/schema';
import {
  createIndexedDirectory,
  type DirectoryStatus,
} from './directory/index/create-indexed-directory';
import type { SyncProgress, SyncReport } from './directory/index/directory-sync';
import type { Logger } from './logging/logger';
import { openSalesforce } from './open-salesforce';
import { openDatabase } from './storage/database';
import { PostgresDirectoryIndex } from './directory/index/postgres-directory-index';
import { openPostgres } from './storage/postgres';

export interface SyncCommandOptions {
  config: Config;
  full: boolean;
  logger: Logger;
  onProgress: (progress: SyncProgress) => void;
}

export async function runSyncCommand(
  options: SyncCommandOptions,
): Promise<{ report: SyncReport; status: DirectoryStatus }> {
  const { config, logger } = options;
  const salesforce = await openSalesforce(config, logger);
  const db = openDatabase(config.storage.database, logger);
  const pool =
    config.storage.postgres === undefined
      ? undefined
      : await openPostgres(config.storage.postgres, logger).catch(async (error: unknown) => {
          db.close();
          await salesforce.stop();
          throw error;
        });
  try {
    const index = pool === undefined ? undefined : await PostgresDirectoryIndex.open(pool, logger);
    const feature = createIndexedDirectory({
      config,
      db,
      ...(index === undefined ? {} : { index }),
      gateway: salesforce.gateway,
      logger,
    });
    const report = await feature.sync.run({ full: options.full, onProgress: options.onProgress });
    const status = await feature.refreshStatus();
    await feature.stop();
    return { report, status };
  } finally {
    await pool?.end();
    db.close();
    await salesforce.stop();
  }
}
