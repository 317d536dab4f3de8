// The durable outbox of call logs, in the bridge's SQLite database: one row per call id, written
// before anything is sent to Salesforce (store-then-send), so a log survives outages, crashes
// and restarts. The row says what to send (the Task fields), how far sending got (task id,
// which version of the rep's notes Salesforce has) and when to try again.
//
// States: pending (due at next_attempt_at) → sending (a request may be in flight) → sent;
// parked when Salesforce rejected the log (waits for an admin); skipped when nothing is to be
// logged (kept so the rep sees why). A row left in "sending" by a crash is reset to pending.
//
// Drafts: the notes a rep types during a call, stored as they arrive with the call as it was,
// so a crash before hang-up does not lose them; the draft becomes the log's notes when the call
// ends (in the same transaction) or, after a restart, a log of its own.
import type { Call } from '../calls/call';
import { statementCache, type Database, type Migration, type Statement } from '../storage/database';

export type OutboxState = 'pending' | 'sending' | 'sent' | 'parked' | 'skipped';

export interface OutboxError {
  code: string;
  message: string;
}

export interface OutboxEntry {
  callId: string;
  /** The rep's extension: only that rep may add notes. */
  extension: string;
  /** Task fields for the create (without Description/CallDisposition overrides from notes). */
  fields: Record<string, unknown>;
  state: OutboxState;
  attempts: number;
  /** Epoch ms when a pending entry is due. */
  nextAttemptAt: number;
  lastError: OutboxError | undefined;
  taskId: string | undefined;
  notes: string | undefined;
  disposition: string | undefined;
  /** Bumped by every note from the rep; Salesforce has the notes when sent == notes version. */
  notesVersion: number;
  sentNotesVersion: number;
  /** WhoId/WhatId (null = clear) still to be written to the existing Task. */
  linkUpdate: Record<string, string | null> | undefined;
  /** Epoch ms the call ended: the notes grace period counts from here. */
  endedAt: number;
  createdAt: number;
  updatedAt: number;
}

export const CALL_LOG_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'call_log_outbox',
    up: `CREATE TABLE call_log_outbox (
           call_id TEXT PRIMARY KEY,
           extension TEXT NOT NULL,
           fields_json TEXT NOT NULL,
           state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'parked', 'skipped')),
           attempts INTEGER NOT NULL DEFAULT 0,
           next_attempt_at INTEGER NOT NULL,
           last_error_code TEXT,
           last_error_message TEXT,
           task_id TEXT,
           notes TEXT,
           disposition TEXT,
           notes_version INTEGER NOT NULL DEFAULT 0,
           sent_notes_version INTEGER NOT NULL DEFAULT 0,
           ended_at INTEGER NOT NULL,
           created_at INTEGER NOT NULL,
           updated_at INTEGER NOT NULL
         );
         CREATE INDEX call_log_outbox_due ON call_log_outbox (state, next_attempt_at);`,
  },
  {
    version: 2,
    description: 'call_log_outbox.link_update_json',
    // WhoId/WhatId to apply to an existing Task: the rep picked the record after hang-up.
    up: 'ALTER TABLE call_log_outbox ADD COLUMN link_update_json TEXT',
  },
  {
    version: 3,
    description: 'call_log_drafts',
    // Notes typed during a call, until it ends: durable like the logs themselves.
    up: `CREATE TABLE call_log_drafts (
           call_id TEXT PRIMARY KEY,
           extension TEXT NOT NULL,
           call_json TEXT NOT NULL,
           notes TEXT,
           disposition TEXT,
           updated_at INTEGER NOT NULL
         )`,
  },
];

/** A rep's notes for a call still under way. */
export interface CallLogDraft {
  callId: string;
  extension: string;
  /** The call when the notes were last typed (to log it should the bridge restart first). */
  call: Call;
  notes: string | undefined;
  disposition: string | undefined;
  updatedAt: number;
}

interface DraftRow {
  call_id: string;
  extension: string;
  call_json: string;
  notes: string | null;
  disposition: string | null;
  updated_at: number;
}

interface Row {
  call_id: string;
  extension: string;
  fields_json: string;
  state: OutboxState;
  attempts: number;
  next_attempt_at: number;
  last_error_code: string | null;
  last_error_message: string | null;
  task_id: string | null;
  notes: string | null;
  disposition: string | null;
  notes_version: number;
  sent_notes_version: number;
  ended_at: number;
  created_at: number;
  updated_at: number;
  link_update_json: string | null;
}

function toEntry(row: Row): OutboxEntry {
  return {
    callId: row.call_id,
    extension: row.extension,
    fields: JSON.parse(row.fields_json) as Record<string, unknown>,
    state: row.state,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastError:
      row.last_error_code === null
        ? undefined
        : { code: row.last_error_code, message: row.last_error_message ?? '' },
    taskId: row.task_id ?? undefined,
    notes: row.notes ?? undefined,
    disposition: row.disposition ?? undefined,
    notesVersion: row.notes_version,
    sentNotesVersion: row.sent_notes_version,
    linkUpdate:
      row.link_update_json === null
        ? undefined
        : (JSON.parse(row.link_update_json) as Record<string, string | null>),
    endedAt: row.ended_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export interface NewOutboxEntry {
  callId: string;
  extension: string;
  fields: Record<string, unknown>;
  state: 'pending' | 'skipped';
  /** For skipped entries: why (shown to the rep). */
  reason?: OutboxError;
  notes?: string;
  disposition?: string;
  endedAt: number;
}

/** SQLite-backed outbox. Every method is one synchronous statement or transaction. */
export class SqliteCallLogOutbox {
  private readonly statement: (sql: string) => Statement;

  constructor(private readonly db: Database) {
    this.statement = statementCache(db);
  }

  /** Adds the log of a call; false when the call already has one (a repeated `ended`). */
  insert(entry: NewOutboxEntry, now: number): boolean {
    const hasNotes = entry.notes !== undefined || entry.disposition !== undefined;
    const result = this.statement(
      `INSERT INTO call_log_outbox (call_id, extension, fields_json, state, next_attempt_at,
           last_error_code, last_error_message, notes, disposition, notes_version, ended_at,
           created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(call_id) DO NOTHING`,
    ).run(
      entry.callId,
      entry.extension,
      JSON.stringify(entry.fields),
      entry.state,
      now,
      entry.reason?.code ?? null,
      entry.reason?.message ?? null,
      entry.notes ?? null,
      entry.disposition ?? null,
      hasNotes ? 1 : 0,
      entry.endedAt,
      now,
      now,
    );
    return result.changes === 1;
  }

  /** Adds the log of an ended call and drops its draft, in one transaction. */
  insertEnded(entry: NewOutboxEntry, now: number): boolean {
    return this.db.transaction(() => {
      const inserted = this.insert(entry, now);
      this.statement('DELETE FROM call_log_drafts WHERE call_id = ?').run(entry.callId);
      return inserted;
    })();
  }

  /** Stores the notes of a call under way (replacing earlier ones). */
  saveDraft(draft: CallLogDraft): void {
    this.statement(
      `INSERT INTO call_log_drafts (call_id, extension, call_json, notes, disposition, updated_at)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT(call_id) DO UPDATE SET extension = excluded.extension,
           call_json = excluded.call_json, notes = excluded.notes,
           disposition = excluded.disposition, updated_at = excluded.updated_at`,
    ).run(
      draft.callId,
      draft.extension,
      JSON.stringify(draft.call),
      draft.notes ?? null,
      draft.disposition ?? null,
      draft.updatedAt,
    );
  }

  getDraft(callId: string): CallLogDraft | undefined {
    const row = this.statement('SELECT * FROM call_log_drafts WHERE call_id = ?').get(callId) as
      DraftRow | undefined;
    return row === undefined ? undefined : toDraft(row);
  }

  /** Every draft, oldest first (after a restart: the calls that were under way). */
  listDrafts(): CallLogDraft[] {
    const rows = this.statement(
      'SELECT * FROM call_log_drafts ORDER BY updated_at, call_id',
    ).all() as DraftRow[];
    return rows.map(toDraft);
  }

  get(callId: string): OutboxEntry | undefined {
    const row = this.statement('SELECT * FROM call_log_outbox WHERE call_id = ?').get(callId) as
      Row | undefined;
    return row === undefined ? undefined : toEntry(row);
  }

  /** Replaces the Task fields while nothing has been created yet (e.g. the rep linked a record). */
  replaceFields(callId: string, fields: Record<string, unknown>, now: number): boolean {
    return (
      this.statement(
        `UPDATE call_log_outbox SET fields_json = ?, updated_at = ?
           WHERE call_id = ? AND task_id IS NULL AND state IN ('pending', 'parked')`,
      ).run(JSON.stringify(fields), now, callId).changes === 1
    );
  }

  /** Pending entries due at `now`, oldest first. */
  due(now: number, limit: number): OutboxEntry[] {
    const rows = this.statement(
      `SELECT * FROM call_log_outbox WHERE state = 'pending' AND next_attempt_at <= ?
         ORDER BY next_attempt_at, created_at LIMIT ?`,
    ).all(now, limit) as Row[];
    return rows.map(toEntry);
  }

  /** When the next pending entry is due (epoch ms), if any. */
  nextDueAt(): number | undefined {
    const row = this.statement(
      `SELECT MIN(next_attempt_at) AS at FROM call_log_outbox WHERE state = 'pending'`,
    ).get() as { at: number | null };
    return row.at ?? undefined;
  }

  /** Claims a pending entry for sending; false if it is no longer pending. */
  markSending(callId: string, now: number): boolean {
    return (
      this.statement(
        `UPDATE call_log_outbox SET state = 'sending', attempts = attempts + 1, updated_at = ?
           WHERE call_id = ? AND state = 'pending'`,
      ).run(now, callId).changes === 1
    );
  }

  /** The Task exists in Salesforce: remember its id at once (exactly-once hinges on this). */
  recordTaskId(callId: string, taskId: string, sentNotesVersion: number, now: number): void {
    this.statement(
      `UPDATE call_log_outbox SET task_id = ?, sent_notes_version = ?, updated_at = ?
         WHERE call_id = ?`,
    ).run(taskId, sentNotesVersion, now, callId);
  }

  /** Salesforce has the notes (and links) of `version`; a newer version keeps its link update. */
  recordNotesSent(callId: string, version: number, now: number): void {
    this.statement(
      `UPDATE call_log_outbox SET sent_notes_version = MAX(sent_notes_version, ?),
           link_update_json = CASE WHEN notes_version <= ? THEN NULL ELSE link_update_json END,
           updated_at = ?
         WHERE call_id = ?`,
    ).run(version, version, now, callId);
  }

  /**
   * The rep linked another record after the Task was created: new fields, plus the WhoId/WhatId
   * to write, sent like a note (version bump; a sent log becomes pending).
   */
  setLinkUpdate(
    callId: string,
    fields: Record<string, unknown>,
    links: Record<string, string | null>,
    now: number,
  ): void {
    this.statement(
      `UPDATE call_log_outbox
         SET fields_json = ?, link_update_json = ?, notes_version = notes_version + 1,
             state = CASE WHEN state = 'sent' THEN 'pending' ELSE state END,
             next_attempt_at = CASE WHEN state = 'sent' THEN ? ELSE next_attempt_at END,
             attempts = CASE WHEN state = 'sent' THEN 0 ELSE attempts END,
             updated_at = ?
         WHERE call_id = ?`,
    ).run(JSON.stringify(fields), JSON.stringify(links), now, now, callId);
  }

  /**
   * Ends a send: sent when Salesforce has the newest notes, otherwise pending again at once
   * (a note arrived while the request was in flight). Returns the resulting state.
   */
  finishSend(callId: string, now: number): OutboxState | undefined {
    this.statement(
      `UPDATE call_log_outbox
         SET state = CASE WHEN sent_notes_version >= notes_version THEN 'sent' ELSE 'pending' END,
             next_attempt_at = ?, last_error_code = NULL, last_error_message = NULL,
             attempts = CASE WHEN sent_notes_version >= notes_version THEN attempts ELSE 0 END,
             updated_at = ?
         WHERE call_id = ? AND state = 'sending'`,
    ).run(now, now, callId);
    return this.get(callId)?.state;
  }

  /** A transient failure: try again at `nextAttemptAt`, keeping the error visible. */
  reschedule(callId: string, nextAttemptAt: number, error: OutboxError, now: number): void {
    this.statement(
      `UPDATE call_log_outbox SET state = 'pending', next_attempt_at = ?, last_error_code = ?,
           last_error_message = ?, updated_at = ?
         WHERE call_id = ? AND state = 'sending'`,
    ).run(nextAttemptAt, error.code, error.message, now, callId);
  }

  /** Salesforce rejected the log: stop trying until an admin retries it. */
  park(callId: string, error: OutboxError, now: number): void {
    this.statement(
      `UPDATE call_log_outbox SET state = 'parked', last_error_code = ?, last_error_message = ?,
           updated_at = ?
         WHERE call_id = ?`,
    ).run(error.code, error.message, now, callId);
  }

  /**
   * Stores the rep's notes/disposition (undefined keeps the previous value) and bumps the
   * version; a log already sent becomes pending again so the Task gets updated.
   */
  setNotes(
    callId: string,
    notes: string | undefined,
    disposition: string | undefined,
    now: number,
  ): OutboxEntry | undefined {
    this.statement(
      `UPDATE call_log_outbox
         SET notes = COALESCE(?, notes), disposition = COALESCE(?, disposition),
             notes_version = notes_version + 1,
             state = CASE WHEN state = 'sent' THEN 'pending' ELSE state END,
             next_attempt_at = CASE WHEN state = 'sent' THEN ? ELSE next_attempt_at END,
             attempts = CASE WHEN state = 'sent' THEN 0 ELSE attempts END,
             updated_at = ?
         WHERE call_id = ?`,
    ).run(notes ?? null, disposition ?? null, now, now, callId);
    return this.get(callId);
  }

  /** Crash recovery: a row left in "sending" may or may not have reached Salesforce. */
  resetSending(now: number): number {
    return this.statement(
      // attempts >= 1 marks it as possibly created: the next send asks Salesforce first.
      `UPDATE call_log_outbox SET state = 'pending', attempts = MAX(attempts, 1),
           next_attempt_at = ?, updated_at = ?
         WHERE state = 'sending'`,
    ).run(now, now).changes;
  }

  listParked(): OutboxEntry[] {
    const rows = this.statement(
      `SELECT * FROM call_log_outbox WHERE state = 'parked' ORDER BY updated_at`,
    ).all() as Row[];
    return rows.map(toEntry);
  }

  /** A parked entry back to pending, due now, with a fresh attempt count. */
  unpark(callId: string, now: number): boolean {
    return (
      this.statement(
        `UPDATE call_log_outbox SET state = 'pending', attempts = 0, next_attempt_at = ?,
             updated_at = ?
           WHERE call_id = ? AND state = 'parked'`,
      ).run(now, now, callId).changes === 1
    );
  }

  /** Deletes finished rows (sent, skipped) last touched before `before` (epoch ms). */
  pruneFinished(before: number): number {
    return this.statement(
      `DELETE FROM call_log_outbox WHERE state IN ('sent', 'skipped') AND updated_at < ?`,
    ).run(before).changes;
  }

  countByState(): Record<OutboxState, number> {
    const counts: Record<OutboxState, number> = {
      pending: 0,
      sending: 0,
      sent: 0,
      parked: 0,
      skipped: 0,
    };
    const rows = this.statement(
      'SELECT state, COUNT(*) AS n FROM call_log_outbox GROUP BY state',
    ).all() as { state: OutboxState; n: number }[];
    for (const row of rows) counts[row.state] = row.n;
    return counts;
  }
}

function toDraft(row: DraftRow): CallLogDraft {
  return {
    callId: row.call_id,
    extension: row.extension,
    call: JSON.parse(row.call_json) as Call,
    notes: row.notes ?? undefined,
    disposition: row.disposition ?? undefined,
    updatedAt: row.updated_at,
  };
}
