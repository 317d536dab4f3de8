// The directory index in PostgreSQL, shared by several bridges (storage.postgres): the same
// tables, migrations and answers as the SQLite index (directory-index.ts). One bridge at a time
// runs the sync and writes it (a leader lock, docs/deployment.md); every bridge reads it, so a
// lookup is an index hit on each of them without a sync of its own. A page of records is
// written in one transaction together with its checkpoint, as in SQLite, with a handful of
// set-based statements per page rather than a few per record.
import type { MatchObject } from '../../calls/call';
import type { DirectoryMatch } from '../../calls/caller-directory';
import type { Logger } from '../../logging/logger';
import {
  applyPostgresMigrations,
  inTransaction,
  numbered,
  type PgClient,
  type PgPool,
} from '../../storage/postgres';
import {
  DIRECTORY_MIGRATIONS,
  DIRECTORY_SQL,
  fromStateRow,
  rowsToMatches,
  rowsToPhonebook,
  toMatch,
  type DirectoryIndexStore,
  type MatchRow,
  type PhonebookEntry,
  type PhonebookRow,
  type StateRow,
  type SyncState,
} from './directory-index';
import type { IndexedRecord } from './record-mapping';

/** Rows per read of forEachNumberMatch: the walk never holds one long cursor open. */
const WALK_PAGE = 5_000;

type Queryable = PgPool | PgClient;

export class PostgresDirectoryIndex implements DirectoryIndexStore {
  private constructor(private readonly pool: PgPool) {}

  static async open(pool: PgPool, logger: Logger): Promise<PostgresDirectoryIndex> {
    await applyPostgresMigrations(pool, 'directory', DIRECTORY_MIGRATIONS, logger);
    return new PostgresDirectoryIndex(pool);
  }

  async find(e164: string): Promise<DirectoryMatch[]> {
    const { rows } = await this.pool.query<MatchRow>(numbered(DIRECTORY_SQL.find), [e164]);
    return rowsToMatches(rows);
  }

  async upsert(
    records: readonly IndexedRecord[],
    generation: number,
    checkpoint?: SyncState,
  ): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      await upsertRecords(
        client,
        records,
        records.map(() => generation),
      );
      if (checkpoint !== undefined) await saveState(client, checkpoint);
    });
  }

  async upsertKeepingGeneration(
    records: readonly IndexedRecord[],
    fallbackGeneration: number,
  ): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      const { rows } = await client.query<{ id15: string; load_generation: number }>(
        'SELECT id15, load_generation FROM directory_records WHERE id15 = ANY($1)',
        [records.map((r) => r.id.slice(0, 15))],
      );
      const existing = new Map(rows.map((r) => [r.id15, r.load_generation]));
      const generations = records.map((r) =>
        Math.max(existing.get(r.id.slice(0, 15)) ?? 0, fallbackGeneration),
      );
      await upsertRecords(client, records, generations);
    });
  }

  async addMatches(
    e164: string,
    matches: readonly DirectoryMatch[],
    generation: number,
  ): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      for (const match of matches) {
        const id15 = match.id.slice(0, 15);
        const { rows } = await client.query<{ id: string }>(
          'SELECT id FROM directory_records WHERE id15 = $1',
          [id15],
        );
        const id = rows[0]?.id ?? match.id;
        if (rows[0] === undefined)
          await client.query(
            `INSERT INTO directory_records (id, id15, object, name, first_name, last_name, company,
                 account_id, owner_id, last_modified, modstamp, load_generation)
             VALUES ($1, $2, $3, $4, NULL, NULL, $5, $6, $7, $8, $8, $9)
             ON CONFLICT DO NOTHING`,
            [
              id,
              id15,
              match.object,
              match.name,
              match.accountName ?? null,
              match.accountId ?? null,
              match.ownerId ?? null,
              match.lastModifiedAt,
              generation,
            ],
          );
        await client.query(
          `INSERT INTO directory_numbers (e164, record_id, field, position)
           SELECT $1, $2, $3, COALESCE(MAX(position), -1) + 1
             FROM directory_numbers WHERE record_id = $2
           ON CONFLICT DO NOTHING`,
          [e164, id, match.phoneField],
        );
      }
    });
  }

  async remove(ids: readonly string[], checkpoint?: SyncState): Promise<number> {
    return inTransaction(this.pool, async (client) => {
      const removed = await removeById15(
        client,
        ids.map((id) => id.slice(0, 15)),
      );
      if (checkpoint !== undefined) await saveState(client, checkpoint);
      return removed;
    });
  }

  async removeStale(object: MatchObject, generation: number): Promise<number> {
    const { rowCount } = await this.pool.query(numbered(DIRECTORY_SQL.deleteStale), [
      object,
      generation,
    ]);
    return rowCount ?? 0;
  }

  async ids15(object: MatchObject): Promise<string[]> {
    const { rows } = await this.pool.query<{ id15: string }>(numbered(DIRECTORY_SQL.ids), [object]);
    return rows.map((r) => r.id15);
  }

  async state(object: MatchObject): Promise<SyncState | undefined> {
    const { rows } = await this.pool.query<StateRow>(numbered(DIRECTORY_SQL.state), [object]);
    return rows[0] === undefined ? undefined : fromStateRow(rows[0]);
  }

  async saveState(state: SyncState): Promise<void> {
    await saveState(this.pool, state);
  }

  async meta(key: string): Promise<string | undefined> {
    const { rows } = await this.pool.query<{ value: string }>(numbered(DIRECTORY_SQL.getMeta), [
      key,
    ]);
    return rows[0]?.value;
  }

  async setMeta(key: string, value: string): Promise<void> {
    await this.pool.query(numbered(DIRECTORY_SQL.setMeta), [key, value]);
  }

  async forEachNumberMatch(visit: (e164: string, match: DirectoryMatch) => void): Promise<void> {
    let after: [string, string] = ['', ''];
    for (;;) {
      const { rows } = await this.pool.query<MatchRow & { e164: string }>(
        `SELECT n.e164, r.id, r.object, r.name, r.first_name, r.last_name, r.company,
                r.account_id, r.owner_id, r.last_modified, n.field
           FROM directory_numbers n JOIN directory_records r ON r.id = n.record_id
          WHERE (n.e164, n.record_id) > ($1, $2)
          ORDER BY n.e164, n.record_id
          LIMIT $3`,
        [...after, WALK_PAGE],
      );
      for (const row of rows) visit(row.e164, toMatch(row));
      const last = rows[rows.length - 1];
      if (last === undefined || rows.length < WALK_PAGE) return;
      after = [last.e164, last.id];
    }
  }

  async recordCount(object: MatchObject): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>(numbered(DIRECTORY_SQL.countRecords), [
      object,
    ]);
    return rows[0]?.n ?? 0;
  }

  async numberCount(): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>(DIRECTORY_SQL.countNumbers);
    return rows[0]?.n ?? 0;
  }

  async page(afterId: string, limit: number): Promise<PhonebookEntry[]> {
    const { rows } = await this.pool.query<PhonebookRow>(numbered(DIRECTORY_SQL.page), [
      afterId,
      limit,
    ]);
    return rowsToPhonebook(rows);
  }
}

async function saveState(db: Queryable, state: SyncState): Promise<void> {
  await db.query(
    `INSERT INTO directory_sync_state (object, phase, load_generation, resume_after_id,
         bulk_job_id, bulk_locator, loaded, initial_started_at, watermark, deleted_checked_at,
         last_sync_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
     ON CONFLICT (object) DO UPDATE SET phase = EXCLUDED.phase,
         load_generation = EXCLUDED.load_generation, resume_after_id = EXCLUDED.resume_after_id,
         bulk_job_id = EXCLUDED.bulk_job_id, bulk_locator = EXCLUDED.bulk_locator,
         loaded = EXCLUDED.loaded, initial_started_at = EXCLUDED.initial_started_at,
         watermark = EXCLUDED.watermark, deleted_checked_at = EXCLUDED.deleted_checked_at,
         last_sync_at = EXCLUDED.last_sync_at`,
    [
      state.object,
      state.phase,
      state.loadGeneration,
      state.resumeAfterId,
      state.bulkJobId,
      state.bulkLocator,
      state.loaded,
      state.initialStartedAt,
      state.watermark,
      state.deletedCheckedAt,
      state.lastSyncAt,
    ],
  );
}

async function removeById15(db: Queryable, ids15: readonly string[]): Promise<number> {
  if (ids15.length === 0) return 0;
  const { rowCount } = await db.query('DELETE FROM directory_records WHERE id15 = ANY($1)', [
    ids15,
  ]);
  return rowCount ?? 0;
}

/**
 * Replaces records and all their numbers, as the SQLite index's upsertOne does one by one: a
 * record met in another id form (15 vs 18) replaces the old row, one without numbers is
 * removed, and the last of several rows for one record in a page wins.
 */
async function upsertRecords(
  client: PgClient,
  records: readonly IndexedRecord[],
  generations: readonly number[],
): Promise<void> {
  const last = new Map<string, { record: IndexedRecord; generation: number }>();
  records.forEach((record, i) => {
    const id15 = record.id.slice(0, 15);
    last.delete(id15); // keeps the page's order for the last occurrence
    last.set(id15, { record, generation: generations[i] ?? 0 });
  });
  const all = [...last.values()];
  if (all.length === 0) return;
  // Another id form of the same record, or a record now without numbers: out first.
  await client.query(
    `DELETE FROM directory_records r USING unnest($1::text[], $2::text[]) AS u(id15, id)
      WHERE r.id15 = u.id15 AND r.id <> u.id`,
    [all.map((a) => a.record.id.slice(0, 15)), all.map((a) => a.record.id)],
  );
  await removeById15(
    client,
    all.filter((a) => a.record.numbers.length === 0).map((a) => a.record.id.slice(0, 15)),
  );
  const kept = all.filter((a) => a.record.numbers.length > 0);
  if (kept.length === 0) return;
  const column = <T>(pick: (a: { record: IndexedRecord; generation: number }) => T) =>
    kept.map(pick);
  await client.query(
    `INSERT INTO directory_records (id, id15, object, name, first_name, last_name, company,
         account_id, owner_id, last_modified, modstamp, load_generation)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
         $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::int[])
     ON CONFLICT (id) DO UPDATE SET object = EXCLUDED.object, name = EXCLUDED.name,
         first_name = EXCLUDED.first_name, last_name = EXCLUDED.last_name,
         company = EXCLUDED.company, account_id = EXCLUDED.account_id,
         owner_id = EXCLUDED.owner_id, last_modified = EXCLUDED.last_modified,
         modstamp = EXCLUDED.modstamp, load_generation = EXCLUDED.load_generation`,
    [
      column((a) => a.record.id),
      column((a) => a.record.id.slice(0, 15)),
      column((a) => a.record.object),
      column((a) => a.record.name),
      column((a) => a.record.firstName),
      column((a) => a.record.lastName),
      column((a) => a.record.company),
      column((a) => a.record.accountId),
      column((a) => a.record.ownerId),
      column((a) => a.record.lastModifiedAt),
      column((a) => a.record.modstamp),
      column((a) => a.generation),
    ],
  );
  await client.query('DELETE FROM directory_numbers WHERE record_id = ANY($1)', [
    column((a) => a.record.id),
  ]);
  const numbers = kept.flatMap((a) =>
    a.record.numbers.map((n, position) => ({ id: a.record.id, ...n, position })),
  );
  await client.query(
    `INSERT INTO directory_numbers (e164, record_id, field, position)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int[])
     ON CONFLICT DO NOTHING`,
    [
      numbers.map((n) => n.e164),
      numbers.map((n) => n.id),
      numbers.map((n) => n.field),
      numbers.map((n) => n.position),
    ],
  );
}
