// The call-log outbox and the drafts of notes in PostgreSQL, shared by several bridges: the
// same rows, states and guarantees as the SQLite outbox (call-log-outbox.ts), plus what
// several writers need. One row per call leg (the primary key): however many bridges saw a
// call end, the first insert wins and the others are told it exists. Due rows are claimed with
// `FOR UPDATE SKIP LOCKED`, so two bridges never send the same log; a claim is a lease, and a
// row whose claimant died (SIGKILL mid-send) is claimed again once its lease ran out, as
// possibly created (the next send asks Salesforce first).
//
// A live claimant renews its leases while it sends (every third of the lease): a send slower
// than the lease (Salesforce answering slowly) is not taken over by another bridge, whose
// "does the Task exist?" question would come too early, while the first create is still in
// flight, and create it twice. A renewal names the attempt it claimed (attempts is the fencing
// token): a claim another bridge has since taken over is not renewed, and is let go.
import type { Logger } from '../logging/logger';
import {
  applyPostgresMigrations,
  inTransaction,
  numbered,
  type PgClient,
  type PgPool,
} from '../storage/postgres';
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
  type CreatedTaskRecord,
  type DraftHint,
  type DraftRow,
  type NewOutboxEntry,
  type OutboxEntry,
  type OutboxError,
  type OutboxRow,
  type OutboxState,
} from './call-log-outbox';

/** How long a claimed row stays a bridge's before another may claim it (ms). */
export const DEFAULT_CLAIM_LEASE_MS = 120_000;
/** How old the count of sent and skipped rows may be (countByState). */
const FINISHED_COUNT_MAX_AGE_MS = 60_000;
/**
 * A claim is renewed for at most this many leases (40 minutes by default): a row this bridge
 * claimed and could never record the outcome of (the database refused it) is let go, for
 * another bridge to send as possibly created.
 */
const MAX_RENEWALS = 20;

/** A claim this bridge holds: the attempt it claimed, and how often it renewed it. */
interface HeldClaim {
  attempts: number;
  renewals: number;
}

export class PostgresCallLogOutbox implements CallLogOutbox {
  readonly shared = true;
  private readonly held = new Map<string, HeldClaim>();
  private renewTimer: NodeJS.Timeout | undefined;
  /** Sent and skipped rows as last counted (countByState), and when (real clock, epoch ms). */
  private finishedCount: { at: number; rows: { state: OutboxState; n: number }[] } | undefined;
  /** The caller's clock (the `now` of the last claim) less the real one, for the renewals. */
  private clockOffset = 0;

  private constructor(
    private readonly pool: PgPool,
    private readonly leaseMs: number,
    private readonly logger: Logger,
  ) {}

  static async open(
    pool: PgPool,
    logger: Logger,
    options: { claimLeaseMs?: number } = {},
  ): Promise<PostgresCallLogOutbox> {
    await applyPostgresMigrations(pool, 'call-log', CALL_LOG_MIGRATIONS, logger);
    return new PostgresCallLogOutbox(pool, options.claimLeaseMs ?? DEFAULT_CLAIM_LEASE_MS, logger);
  }

  /** The call ids this bridge holds claims on and renews. */
  get claimsHeld(): string[] {
    return [...this.held.keys()];
  }

  /** Stops renewing (the bridge stops; a test's bridge dies): the leases run out. */
  stopRenewing(): void {
    this.held.clear();
    this.scheduleRenewal();
  }

  /** Extends the lease of every claim still this bridge's; lets go of the others. */
  async renewClaims(): Promise<void> {
    const now = Date.now() + this.clockOffset;
    for (const [callId, claim] of [...this.held]) {
      claim.renewals += 1;
      const { rowCount } = await this.pool.query(
        `UPDATE call_log_outbox SET claimed_until = $1
           WHERE call_id = $2 AND state = 'sending' AND attempts = $3`,
        [now + this.leaseMs, callId, claim.attempts],
      );
      if (rowCount !== 1 || claim.renewals >= MAX_RENEWALS) this.held.delete(callId);
    }
  }

  private hold(rows: readonly OutboxEntry[], now: number): void {
    this.clockOffset = now - Date.now();
    for (const row of rows) this.held.set(row.callId, { attempts: row.attempts, renewals: 0 });
    this.scheduleRenewal();
  }

  private release(callId: string): void {
    this.held.delete(callId);
    this.scheduleRenewal();
  }

  /** A timer while claims are held, none otherwise. */
  private scheduleRenewal(): void {
    if (this.held.size === 0) {
      clearInterval(this.renewTimer);
      this.renewTimer = undefined;
      return;
    }
    if (this.renewTimer !== undefined) return;
    this.renewTimer = setInterval(
      () => {
        this.renewClaims().catch((error: unknown) => {
          // The database is away: the next tick tries again, within the lease.
          this.logger.warn(
            { err: error instanceof Error ? error.message : String(error) },
            'could not renew the claim on a call log being sent',
          );
        });
      },
      Math.max(1, Math.floor(this.leaseMs / 3)),
    );
    // A claim held must not keep a stopping process alive.
    this.renewTimer.unref();
  }

  async insertEnded(
    entry: NewOutboxEntry,
    now: number,
    draft: DraftHint = 'maybe',
  ): Promise<boolean> {
    if (draft === 'none') {
      const result = await this.pool.query(numbered(OUTBOX_SQL.insert), insertValues(entry, now));
      return result.rowCount === 1;
    }
    return inTransaction(this.pool, async (client) => {
      // The notes typed during the call, at whichever bridge the rep was on, go with the log.
      const draftRow = await client.query<DraftRow>(
        'DELETE FROM call_log_drafts WHERE call_id = $1 RETURNING *',
        [entry.callId],
      );
      const result = await client.query(
        numbered(OUTBOX_SQL.insert),
        insertValues(withDraftNotes(entry, draftRow.rows[0]), now),
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
    const claimed = rows
      .map(toEntry)
      .sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || a.createdAt - b.createdAt);
    this.hold(claimed, now);
    return claimed;
  }

  async nextDueAt(): Promise<number | undefined> {
    const { rows } = await this.pool.query<{ at: number | null }>(
      `SELECT MIN(CASE WHEN state = 'pending' THEN next_attempt_at ELSE claimed_until END) AS at
         FROM call_log_outbox WHERE state IN ('pending', 'sending')`,
    );
    return rows[0]?.at ?? undefined;
  }

  async recordTaskId(callId: string, taskId: string, sentNotesVersion: number, now: number) {
    await this.pool.query(numbered(OUTBOX_SQL.recordTaskId), [
      taskId,
      sentNotesVersion,
      now,
      callId,
    ]);
  }

  async recordCreated(created: readonly CreatedTaskRecord[], now: number) {
    for (const { callId } of created) this.release(callId);
    return inTransaction(this.pool, async (client) => {
      const states = new Map<string, OutboxState | undefined>();
      for (const { callId, taskId, sentNotesVersion } of created) {
        await client.query(numbered(OUTBOX_SQL.recordTaskId), [
          taskId,
          sentNotesVersion,
          now,
          callId,
        ]);
        states.set(callId, await this.finishWith(client, callId, now));
      }
      return states;
    });
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
    this.release(callId);
    return this.finishWith(this.pool, callId, now);
  }

  private async finishWith(
    db: PgPool | PgClient,
    callId: string,
    now: number,
  ): Promise<OutboxState | undefined> {
    const { rows } = await db.query<{ state: OutboxState }>(
      numbered(OUTBOX_SQL.finishSend('claimed_until = NULL, ')),
      [now, now, callId],
    );
    if (rows[0] !== undefined) return rows[0].state;
    const current = await db.query<{ state: OutboxState }>(
      'SELECT state FROM call_log_outbox WHERE call_id = $1',
      [callId],
    );
    return current.rows[0]?.state;
  }

  async reschedule(callId: string, nextAttemptAt: number, error: OutboxError, now: number) {
    this.release(callId);
    await this.pool.query(
      `UPDATE call_log_outbox SET state = 'pending', next_attempt_at = $1, last_error_code = $2,
           last_error_message = $3, claimed_until = NULL, updated_at = $4
         WHERE call_id = $5 AND state = 'sending'`,
      [nextAttemptAt, error.code, error.message, now, callId],
    );
  }

  async park(callId: string, error: OutboxError, now: number): Promise<void> {
    this.release(callId);
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

  /**
   * The states a log is still on its way in, counted each time through the due index (few rows);
   * sent and skipped, the rows kept 30 days, counted at most once a minute: a count of them reads
   * every one, and the call-log service counts after every drain, several times a second at a
   * busy site. (SQLite keeps its counts with triggers; here several bridges would queue on the
   * counter rows' locks.)
   */
  async countByState(): Promise<Record<OutboxState, number>> {
    const { rows } = await this.pool.query<{ state: OutboxState; n: number }>(
      `SELECT state, COUNT(*) AS n FROM call_log_outbox
         WHERE state IN ('pending', 'sending', 'parked') GROUP BY state`,
    );
    const nowMs = Date.now();
    if (
      this.finishedCount === undefined ||
      nowMs - this.finishedCount.at >= FINISHED_COUNT_MAX_AGE_MS
    ) {
      const finished = await this.pool.query<{ state: OutboxState; n: number }>(
        `SELECT state, COUNT(*) AS n FROM call_log_outbox
           WHERE state IN ('sent', 'skipped') GROUP BY state`,
      );
      this.finishedCount = { at: nowMs, rows: finished.rows };
    }
    return countsOf([...rows, ...this.finishedCount.rows]);
  }
}
