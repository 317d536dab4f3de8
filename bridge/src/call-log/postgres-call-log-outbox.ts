// The call-log outbox and the drafts of notes in PostgreSQL, shared by several bridges: the
// same rows, states and guarantees as the SQLite outbox (call-log-outbox.ts), plus what
// several writers need. One row per call leg (the primary key): however many bridges saw a
// call end, the first insert wins and the others are told it exists. Due rows are claimed with
// `FOR UPDATE SKIP LOCKED`, so two bridges never send the same log; a claim is a lease, and a
// row whose claimant died (SIGKILL mid-send) is claimed again once its lease ran out, as
// possibly created (the next send asks Salesforce first).
import type { Logger } from '../logging/logger';
import { applyPostgresMigrations, inTransaction, numbered, type PgPool } from '../storage/postgres';
import {
  CALL_LOG_MIGRATIONS,
  countsOf,
  draftValues,
  insertValues,
  OUTBOX_SQL,
  toDraft,
  toEntry,
  withDraftNotes,
  type CallLogDraft,
  type CallLogOutbox,
  type DraftRow,
  type NewOutboxEntry,
  type OutboxEntry,
  type OutboxError,
  type OutboxRow,
  type OutboxState,
} from './call-log-outbox';

/** How long a claimed row stays a bridge's before another may claim it (ms). */
export const DEFAULT_CLAIM_LEASE_MS = 120_000;

export class PostgresCallLogOutbox implements CallLogOutbox {
  readonly shared = true;

  private constructor(
    private readonly pool: PgPool,
    private readonly leaseMs: number,
  ) {}

  static async open(
    pool: PgPool,
    logger: Logger,
    options: { claimLeaseMs?: number } = {},
  ): Promise<PostgresCallLogOutbox> {
    await applyPostgresMigrations(pool, 'call-log', CALL_LOG_MIGRATIONS, logger);
    return new PostgresCallLogOutbox(pool, options.claimLeaseMs ?? DEFAULT_CLAIM_LEASE_MS);
  }

  async insertEnded(entry: NewOutboxEntry, now: number): Promise<boolean> {
    return inTransaction(this.pool, async (client) => {
      // The notes typed during the call, at whichever bridge the rep was on, go with the log.
      const draft = await client.query<DraftRow>(
        'DELETE FROM call_log_drafts WHERE call_id = $1 RETURNING *',
        [entry.callId],
      );
      const result = await client.query(
        numbered(OUTBOX_SQL.insert),
        insertValues(withDraftNotes(entry, draft.rows[0]), now),
      );
      return result.rowCount === 1;
    });
  }

  async saveDraft(draft: CallLogDraft): Promise<void> {
    await this.pool.query(numbered(OUTBOX_SQL.saveDraft), draftValues(draft));
  }

  async getDraft(callId: string): Promise<CallLogDraft | undefined> {
    const { rows } = await this.pool.query<DraftRow>(
      'SELECT * FROM call_log_drafts WHERE call_id = $1',
      [callId],
    );
    return rows[0] === undefined ? undefined : toDraft(rows[0]);
  }

  async listDrafts(): Promise<CallLogDraft[]> {
    const { rows } = await this.pool.query<DraftRow>(
      'SELECT * FROM call_log_drafts ORDER BY updated_at, call_id',
    );
    return rows.map(toDraft);
  }

  async get(callId: string): Promise<OutboxEntry | undefined> {
    const { rows } = await this.pool.query<OutboxRow>(
      'SELECT * FROM call_log_outbox WHERE call_id = $1',
      [callId],
    );
    return rows[0] === undefined ? undefined : toEntry(rows[0]);
  }

  async replaceFields(callId: string, fields: Record<string, unknown>, now: number) {
    const { rowCount } = await this.pool.query(
      `UPDATE call_log_outbox SET fields_json = $1, updated_at = $2
         WHERE call_id = $3 AND task_id IS NULL AND state IN ('pending', 'parked')`,
      [JSON.stringify(fields), now, callId],
    );
    return rowCount === 1;
  }

  async claimDue(now: number, limit: number): Promise<OutboxEntry[]> {
    // One statement: the rows are locked by the sub-select (others skip them) and marked
    // sending with a lease before the lock is released.
    const { rows } = await this.pool.query<OutboxRow>(
      `UPDATE call_log_outbox SET state = 'sending', attempts = attempts + 1,
           claimed_until = $2, updated_at = $1
         WHERE call_id IN (
           SELECT call_id FROM call_log_outbox
             WHERE (state = 'pending' AND next_attempt_at <= $1)
                OR (state = 'sending' AND claimed_until < $1)
             ORDER BY next_attempt_at, created_at
             LIMIT $3
             FOR UPDATE SKIP LOCKED)
         RETURNING *`,
      [now, now + this.leaseMs, limit],
    );
    return rows
      .map(toEntry)
      .sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || a.createdAt - b.createdAt);
  }

  async nextDueAt(): Promise<number | undefined> {
    const { rows } = await this.pool.query<{ at: number | null }>(
      `SELECT MIN(CASE WHEN state = 'pending' THEN next_attempt_at ELSE claimed_until END) AS at
         FROM call_log_outbox WHERE state IN ('pending', 'sending')`,
    );
    return rows[0]?.at ?? undefined;
  }

  async recordTaskId(callId: string, taskId: string, sentNotesVersion: number, now: number) {
    await this.pool.query(
      `UPDATE call_log_outbox SET task_id = $1, sent_notes_version = $2, updated_at = $3
         WHERE call_id = $4`,
      [taskId, sentNotesVersion, now, callId],
    );
  }

  async recordNotesSent(callId: string, version: number, now: number): Promise<void> {
    await this.pool.query(
      `UPDATE call_log_outbox SET sent_notes_version = GREATEST(sent_notes_version, $1),
           link_update_json = CASE WHEN notes_version <= $1 THEN NULL ELSE link_update_json END,
           updated_at = $2
         WHERE call_id = $3`,
      [version, now, callId],
    );
  }

  async setLinkUpdate(
    callId: string,
    fields: Record<string, unknown>,
    links: Record<string, string | null>,
    now: number,
  ): Promise<void> {
    await this.pool.query(numbered(OUTBOX_SQL.setLinkUpdate), [
      JSON.stringify(fields),
      JSON.stringify(links),
      now,
      now,
      callId,
    ]);
  }

  async finishSend(callId: string, now: number): Promise<OutboxState | undefined> {
    const { rows } = await this.pool.query<{ state: OutboxState }>(
      `UPDATE call_log_outbox
         SET state = CASE WHEN sent_notes_version >= notes_version THEN 'sent' ELSE 'pending' END,
             next_attempt_at = $1, last_error_code = NULL, last_error_message = NULL,
             attempts = CASE WHEN sent_notes_version >= notes_version THEN attempts ELSE 0 END,
             claimed_until = NULL, updated_at = $1
         WHERE call_id = $2 AND state = 'sending'
         RETURNING state`,
      [now, callId],
    );
    return rows[0]?.state ?? (await this.get(callId))?.state;
  }

  async reschedule(callId: string, nextAttemptAt: number, error: OutboxError, now: number) {
    await this.pool.query(
      `UPDATE call_log_outbox SET state = 'pending', next_attempt_at = $1, last_error_code = $2,
           last_error_message = $3, claimed_until = NULL, updated_at = $4
         WHERE call_id = $5 AND state = 'sending'`,
      [nextAttemptAt, error.code, error.message, now, callId],
    );
  }

  async park(callId: string, error: OutboxError, now: number): Promise<void> {
    await this.pool.query(
      `UPDATE call_log_outbox SET state = 'parked', last_error_code = $1, last_error_message = $2,
           claimed_until = NULL, updated_at = $3
         WHERE call_id = $4`,
      [error.code, error.message, now, callId],
    );
  }

  async setNotes(
    callId: string,
    notes: string | undefined,
    disposition: string | undefined,
    now: number,
  ): Promise<OutboxEntry | undefined> {
    const { rows } = await this.pool.query<OutboxRow>(
      `${numbered(OUTBOX_SQL.setNotes)} RETURNING *`,
      [notes ?? null, disposition ?? null, now, now, callId],
    );
    return rows[0] === undefined ? undefined : toEntry(rows[0]);
  }

  /** Only rows whose claimant's lease ran out: the others are being sent by a live bridge. */
  async resetSending(now: number): Promise<number> {
    const { rowCount } = await this.pool.query(
      `UPDATE call_log_outbox SET state = 'pending', attempts = GREATEST(attempts, 1),
           next_attempt_at = $1, claimed_until = NULL, updated_at = $1
         WHERE state = 'sending' AND claimed_until < $1`,
      [now],
    );
    return rowCount ?? 0;
  }

  async listParked(): Promise<OutboxEntry[]> {
    const { rows } = await this.pool.query<OutboxRow>(
      `SELECT * FROM call_log_outbox WHERE state = 'parked' ORDER BY updated_at`,
    );
    return rows.map(toEntry);
  }

  async unpark(callId: string, now: number): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `UPDATE call_log_outbox SET state = 'pending', attempts = 0, next_attempt_at = $1,
           updated_at = $1
         WHERE call_id = $2 AND state = 'parked'`,
      [now, callId],
    );
    return rowCount === 1;
  }

  async pruneFinished(before: number): Promise<number> {
    const { rowCount } = await this.pool.query(
      `DELETE FROM call_log_outbox WHERE state IN ('sent', 'skipped') AND updated_at < $1`,
      [before],
    );
    return rowCount ?? 0;
  }

  async countByState(): Promise<Record<OutboxState, number>> {
    const { rows } = await this.pool.query<{ state: OutboxState; n: number }>(
      'SELECT state, COUNT(*) AS n FROM call_log_outbox GROUP BY state',
    );
    return countsOf(rows);
  }
}
