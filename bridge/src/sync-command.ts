// `switchboard-bridge sync`: one directory sync run from the command line (the first full load of
// a large org, or `--full` to rebuild), against the same database the bridge uses. Safe to run
// while the bridge runs: SQLite serializes the writes and each page commits with its checkpoint;
// a run interrupted with Ctrl-C continues where it stopped next time.
import type { Config } from './config/schema';
import {
  createIndexedDirectory,
  type DirectoryStatus,
} from './directory/index/create-indexed-directory';
import type { SyncProgress, SyncReport } from './directory/index/directory-sync';
import type { Logger } from './logging/logger';
import { openSalesforce } from './open-salesforce';
import { openDatabase } from './storage/database';

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
  try {
    const feature = createIndexedDirectory({ config, db, gateway: salesforce.gateway, logger });
    const report = await feature.sync.run({ full: options.full, onProgress: options.onProgress });
    const status = feature.status();
    await feature.stop();
    return { report, status };
  } finally {
    db.close();
    await salesforce.stop();
  }
}
