// The bridge's storage, as the composition root opens it: the embedded SQLite file always
// (nothing to install; what one bridge keeps for itself), and PostgreSQL when
// storage.postgres is set (what several bridges must share). Each module picks its store from
// here: the SQLite one when `postgres` is undefined, its PostgreSQL one otherwise.
import type { StorageConfig } from '../config/schema';
import type { Logger } from '../logging/logger';
import { randomUUID } from 'node:crypto';
import { openDatabase, type Database } from './database';
import { openPostgres, type PgPool } from './postgres';
import type { ClientConfig } from 'pg';
import { PostgresBroadcast } from './postgres-broadcast';
import { startWalCheckpointer } from './wal-checkpointer';

export interface Storage {
  readonly sqlite: Database;
  /** The shared database, when storage.postgres is set. */
  readonly postgres: PgPool | undefined;
  /** Messages to every other bridge on the same database (with `postgres`). */
  readonly broadcast: PostgresBroadcast | undefined;
  /** Settings for a connection of a part's own (a leader lock), with `postgres`. */
  readonly postgresConnection: ClientConfig | undefined;
  close(): Promise<void>;
}

/** Opens both; throws STORAGE_OPEN_FAILED (with a hint) when either cannot be opened. */
export async function openStorage(config: StorageConfig, logger: Logger): Promise<Storage> {
  const sqlite = openDatabase(config.database, logger);
  let postgres: PgPool | undefined;
  let broadcast: PostgresBroadcast | undefined;
  const postgresConnection: ClientConfig | undefined =
    config.postgres === undefined
      ? undefined
      : {
          connectionString: config.postgres.url,
          ...(config.postgres.password === undefined ? {} : { password: config.postgres.password }),
          application_name: 'switchboard-bridge',
        };
  try {
    if (config.postgres !== undefined) {
      postgres = await openPostgres(config.postgres, logger);
      broadcast = await PostgresBroadcast.open({
        pool: postgres,
        connection: { ...postgresConnection, application_name: 'switchboard-bridge-listen' },
        origin: randomUUID(),
        logger,
      });
    }
  } catch (error) {
    await postgres?.end().catch(() => undefined);
    sqlite.close();
    throw error;
  }
  const checkpointer = startWalCheckpointer(sqlite, logger);
  return {
    sqlite,
    postgres,
    broadcast,
    postgresConnection,
    close: async () => {
      await broadcast?.close();
      await postgres?.end();
      await checkpointer.stop();
      sqlite.close();
    },
  };
}
