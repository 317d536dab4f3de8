// The Salesforce users behind the extension mapping, as of the last good refresh, kept in the
// bridge's database (module "users"). A bridge restarted while Salesforce fails its User query
// (an outage, a 503, an expired session) starts from these instead of knowing no rep: without
// them its reps got no extension — no pops — and its Tasks no owner until Salesforce answered.
import { ErrorCodes } from '../errors';
import type { Logger } from '../logging/logger';
import { applyMigrations, type Database, type Migration } from '../storage/database';

/** A Salesforce user as the directory matched it (email as Salesforce has it). */
export interface KnownSalesforceUser {
  id: string;
  email: string;
  name?: string;
  active: boolean;
}

export interface UserSnapshot {
  /** Every user the last good refresh read (any email key may have several). */
  users: KnownSalesforceUser[];
  /** emailKey → the user id the mapped email was bound to. */
  bindings: Array<[string, string]>;
  /** Epoch ms of that refresh. */
  savedAt: number;
}

/** Where EmailUserDirectory keeps its last good read of Salesforce's users. */
export interface UserSnapshotStore {
  /** The last snapshot; undefined when there is none (or it cannot be read: logged). */
  load(): UserSnapshot | undefined;
  /** Replaces the snapshot. Never throws: a failed write is logged, the bridge goes on. */
  save(snapshot: UserSnapshot): void;
}

export const USER_SNAPSHOT_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'salesforce_users snapshot',
    up: `CREATE TABLE salesforce_users (
           id INTEGER PRIMARY KEY CHECK (id = 1),
           snapshot_json TEXT NOT NULL,
           saved_at INTEGER NOT NULL
         );`,
  },
];

export class SqliteUserSnapshotStore implements UserSnapshotStore {
  constructor(
    private readonly db: Database,
    private readonly logger: Logger,
  ) {
    applyMigrations(db, 'users', USER_SNAPSHOT_MIGRATIONS, logger);
  }

  load(): UserSnapshot | undefined {
    try {
      const row = this.db
        .prepare('SELECT snapshot_json FROM salesforce_users WHERE id = 1')
        .get() as { snapshot_json: string } | undefined;
      return row === undefined ? undefined : (JSON.parse(row.snapshot_json) as UserSnapshot);
    } catch (error) {
      this.logger.warn(
        { code: ErrorCodes.STORAGE_WRITE_FAILED, err: String(error) },
        'could not read the last known Salesforce users from the database; waiting for Salesforce',
      );
      return undefined;
    }
  }

  save(snapshot: UserSnapshot): void {
    try {
      this.db
        .prepare(
          `INSERT INTO salesforce_users (id, snapshot_json, saved_at) VALUES (1, ?, ?)
           ON CONFLICT(id) DO UPDATE SET snapshot_json = excluded.snapshot_json,
             saved_at = excluded.saved_at`,
        )
        .run(JSON.stringify(snapshot), snapshot.savedAt);
    } catch (error) {
      this.logger.warn(
        {
          code: ErrorCodes.STORAGE_WRITE_FAILED,
          err: String(error),
          hint: 'check the disk and storage.database',
        },
        'could not keep the Salesforce users in the database: a restart during a Salesforce ' +
          'outage would know no rep until Salesforce answers',
      );
    }
  }
}
