// The bridge's storage, as the composition root opens it: the embedded SQLite file always
// (nothing to install; what one bridge keeps for itself), and PostgreSQL when
// storage.postgres is set (what several bridges must share). Each module picks its store from
// here: the SQLite one when `postgres` is undefined, its PostgreSQL one otherwise.
import type { StorageConfig } from '../config/schema';
import type { Logger } from '../logging/logger';
import { openDatabase, type Database } from './database';
import { openPostgres, type PgPool } from './postgres';

export interface Storage {
  readonly sqlite: Database;
  /** The shared database, when storage.postgres is set. */
  readonly postgres: PgPool | undefined;
  close(): Promise<void>;
}

/** Opens both; throws STORAGE_OPEN_FAILED (with a hint) when either cannot be opened. */
export async function openStorage(config: StorageConfig, logger: Logger): Promise<Storage> {
  const sqlite = openDatabase(config.database, logger);
  let postgres: PgPool | undefined;
  try {
    postgres =
      config.postgres === undefined ? undefined : await openPostgres(config.postgres, logger);
  } catch (error) {
    sqlite.close();
    throw error;
  }
  return {
    sqlite,
    postgres,
    close: async () => {
      await postgres?.end();
      sqlite.close();
    },
  };
}
