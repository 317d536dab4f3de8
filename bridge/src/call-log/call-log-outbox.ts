// The durable outbox of call logs: one row per call id (call leg), written
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
//
// CallLogOutbox is the port; SqliteCallLogOutbox (here, one bridge's file) and
// PostgresCallLogOutbox (postgres-call-log-outbox.ts, shared by several bridges) implement it
// with the same migrations and the same rows.
import type { Call } from '../calls/call';
import type { Logger } from '../logging/logger';
import {
  applyMigrations,
  statementCache,
  type Database,
  type Migration,
  type Statement,
} from '../storage/database';

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

/** The tables as first created; times are epoch ms (SQLite INTEGER, PostgreSQL BIGINT). */
function outboxTable(time: 'INTEGER' | 'BIGINT'): string {
  return `CREATE TABLE call_log_outbox (
           call_id TEXT PRIMARY KEY,
           extension TEXT NOT NULL,
           fields_json TEXT NOT NULL,
           state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'parked', 'skipped')),
           attempts INTEGER NOT NULL DEFAULT 0,
           next_attempt_at ${time} NOT NULL,
           last_error_code TEXT,
           last_error_message TEXT,
           task_id TEXT,
           notes TEXT,
           disposition TEXT,
           notes_version INTEGER NOT NULL DEFAULT 0,
           sent_notes_version INTEGER NOT NULL DEFAULT 0,
           ended_at ${time} NOT NULL,
           created_at ${time} NOT NULL,
           updated_at ${time} NOT NULL
         );
         CREATE INDEX call_log_outbox_due ON call_log_outbox (state, next_attempt_at);`;
}

function draftsTable(time: 'INTEGER' | 'BIGINT'): string {
  return `CREATE TABLE call_log_drafts (
           call_id TEXT PRIMARY KEY,
           extension TEXT NOT NULL,
           call_json TEXT NOT NULL,
           notes TEXT,
           disposition TEXT,
           updated_at ${time} NOT NULL
         )`;
}

/**
 * Statements both stores run as written, with `?` placeholders (PostgreSQL numbers them:
 * storage/postgres.ts numbered()), and the values in placeholder order.
 */
export const OUTBOX_SQL = {
  insert: `INSERT INTO call_log_outbox (call_id, extension, fields_json, state, next_attempt_at,
             last_error_code, last_error_message, notes, disposition, notes_version, ended_at,
             created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT(call_id) DO NOTHING`,
  saveDraft: `INSERT INTO call_log_drafts (call_id, extension, call_json, notes, disposition, updated_at)
           VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT(call_id) DO UPDATE SET extension = excluded.extension,
             call_json = excluded.call_json, notes = excluded.notes,
             disposition = excluded.disposition, updated_at = excluded.updated_at`,
  setLinkUpdate: `UPDATE call_log_outbox
           SET fields_json = ?, link_update_json = ?, notes_version = notes_version + 1,
               state = CASE WHEN state = 'sent' THEN 'pending' ELSE state END,
               next_attempt_at = CASE WHEN state = 'sent' THEN ? ELSE next_attempt_at END,
               attempts = CASE WHEN state = 'sent' THEN 0 ELSE attempts END,
               updated_at = ?
           WHERE call_id = ?`,
  recordTaskId: `UPDATE call_log_outbox SET task_id = ?, sent_notes_version = ?, updated_at = ?
           WHERE call_id = ?`,
  /** Ends a send (values: now, now, call id); PostgreSQL also drops the claim's lease. */
  finishSend: (releaseLease: string) => `UPDATE call_log_outbox
           SET state = CASE WHEN sent_notes_version >= notes_version THEN 'sent' ELSE 'pending' END,
               next_attempt_at = ?, last_error_code = NULL, last_error_message = NULL,
               attempts = CASE WHEN sent_notes_version >= notes_version THEN attempts ELSE 0 END,
               ${releaseLease}updated_at = ?
           WHERE call_id = ? AND state = 'sending'
           RETURNING state`,
  setNotes: `UPDATE call_log_outbox
           SET notes = COALESCE(?, notes), disposition = COALESCE(?, disposition),
               notes_version = notes_version + 1,
               state = CASE WHEN state = 'sent' THEN 'pending' ELSE state END,
               next_attempt_at = CASE WHEN state = 'sent' THEN ? ELSE next_attempt_at END,
               attempts = CASE WHEN state = 'sent' THEN 0 ELSE attempts END,
               updated_at = ?
           WHERE call_id = ?`,
} as const;

export function insertValues(entry: NewOutboxEntry, now: number): unknown[] {
  const hasNotes = entry.notes !== undefined || entry.disposition !== undefined;
  return [
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
  ];
}

export function draftValues(draft: CallLogDraft): unknown[] {
  return [
    draft.callId,
    draft.extension,
    JSON.stringify(draft.call),
    draft.notes ?? null,
    draft.disposition ?? null,
    draft.updatedAt,
  ];
}

export const CALL_LOG_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'call_log_outbox',
    up: outboxTable('INTEGER'),
    postgres: outboxTable('BIGINT'),
  },
  {
    version: 2,
    description: 'call_log_outbox.link_update_json',
    // WhoId/WhatId to apply to an existing Task: the rep picked the record after hang-up.
    up: 'ALTER TABLE call_log_outbox ADD COLUMN link_update_json TEXT',
    postgres: 'ALTER TABLE call_log_outbox ADD COLUMN link_update_json TEXT',
  },
  {
    version: 3,
    description: 'call_log_drafts',
    // Notes typed during a call, until it ends: durable like the logs themselves.
    up: draftsTable('INTEGER'),
    postgres: draftsTable('BIGINT'),
  },
  {
    version: 4,
    description: 'call_log_outbox.claimed_until',
    // Several bridges: until when a row in "sending" is its claimant's (epoch ms).
    up: 'ALTER TABLE call_log_outbox ADD COLUMN claimed_until INTEGER',
    postgres: 'ALTER TABLE call_log_outbox ADD COLUMN claimed_until BIGINT',
  },
];

/**
 * SQLite only: the number of rows in each state, kept by triggers in the statements that change
 * them, so that counting (after every drain: the status report's `callLog.counts`) reads five
 * rows instead of the whole table. Sent and skipped rows are kept 30 days: at a busy site that
 * is millions of rows, and `COUNT(*) … GROUP BY state` took 25 ms at 500,000 rows
 * (bridge/bench/outbox-counts.ts). A module of its own because PostgreSQL counts otherwise
 * (postgres-call-log-outbox.ts): several bridges updating five shared counter rows would queue
 * on their locks, and could deadlock.
 */
export const CALL_LOG_COUNT_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'call_log_state_counts and its triggers',
    up: `CREATE TABLE call_log_state_counts (
           state TEXT PRIMARY KEY,
           n INTEGER NOT NULL
         );
         INSERT INTO call_log_state_counts (state, n)
           SELECT s.state, (SELECT COUNT(*) FROM call_log_outbox o WHERE o.state = s.state)
           FROM (SELECT 'pending' AS state UNION ALL SELECT 'sending' UNION ALL SELECT 'sent'
                 UNION ALL SELECT 'parked' UNION ALL SELECT 'skipped') s;
         CREATE TRIGGER call_log_state_counts_insert AFTER INSERT ON call_log_outbox
         BEGIN
           UPDATE call_log_state_counts SET n = n + 1 WHERE state = NEW.state;
         END;
         CREATE TRIGGER call_log_state_counts_delete AFTER DELETE ON call_log_outbox
         BEGIN
           UPDATE call_log_state_counts SET n = n - 1 WHERE state = OLD.state;
         END;
         CREATE TRIGGER call_log_state_counts_update AFTER UPDATE OF state ON call_log_outbox
         WHEN OLD.state <> NEW.state
         BEGIN
           UPDATE call_log_state_counts SET n = n - 1 WHERE state = OLD.state;
           UPDATE call_log_state_counts SET n = n + 1 WHERE state = NEW.state;
         END;`,
  },
];

/**
 * What the caller of insertEnded knows of the call's draft: `maybe` (the default) or `none`,
 * when it has seen every draft written to the outbox (CallLogService with an unshared one).
 */
export type DraftHint = 'maybe' | 'none';

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

export interface DraftRow {
  call_id: string;
  extension: string;
  call_json: string;
  notes: string | null;
  disposition: string | null;
  updated_at: number;
}

export interface OutboxRow {
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
  claimed_until: number | null;
}

export function toEntry(row: OutboxRow): OutboxEntry {
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

/**
 * Where CallLogService keeps call logs and drafts. Every method is asynchronous because the
 * shared store (PostgreSQL) is; SQLite answers at once.
 */
export interface CallLogOutbox {
  /** True when several bridges share the rows (PostgreSQL). */
  readonly shared: boolean;
  /**
   * Adds the log of an ended call and drops its draft, in one transaction; false when the call
   * already has a log (a repeated `ended`, or another bridge stored it first). The draft's
   * notes, typed at whichever bridge, win over the entry's. `draft: 'none'` is the caller's word
   * that the call has no draft (it knows every draft of an outbox only it writes): the store
   * then skips looking for one.
   */
  insertEnded(entry: NewOutboxEntry, now: number, draft?: DraftHint): Promise<boolean>;
  /** Stores the notes of a call under way (replacing earlier ones). */
  saveDraft(draft: CallLogDraft): Promise<void>;
  getDraft(callId: string): Promise<CallLogDraft | undefined>;
  /** Every draft, oldest first (after a restart: the calls that were under way). */
  listDrafts(): Promise<CallLogDraft[]>;
  get(callId: string): Promise<OutboxEntry | undefined>;
  /** Replaces the Task fields while nothing has been created yet (e.g. the rep linked a record). */
  replaceFields(callId: string, fields: Record<string, unknown>, now: number): Promise<boolean>;
  /**
   * Claims up to `limit` due entries for sending (state sending, attempts + 1) and returns
   * them, oldest first; an entry is claimed by one caller only.
   */
  claimDue(now: number, limit: number): Promise<OutboxEntry[]>;
  /** When the next entry is due (epoch ms), if any. */
  nextDueAt(): Promise<number | undefined>;
  /** The Task exists in Salesforce: remember its id at once (exactly-once hinges on this). */
  recordTaskId(
    callId: string,
    taskId: string,
    sentNotesVersion: number,
    now: number,
  ): Promise<void>;
  /**
   * Tasks just created for claimed entries: remembers each one's id (as recordTaskId) and ends
   * its send (as finishSend), all in one transaction. Returns each entry's state afterwards
   * (sent; pending when a note came in meanwhile, whose update the next claim sends).
   */
  recordCreated(
    created: readonly CreatedTaskRecord[],
    now: number,
  ): Promise<Map<string, OutboxState | undefined>>;
  /** Salesforce has the notes (and links) of `version`; a newer version keeps its link update. */
  recordNotesSent(callId: string, version: number, now: number): Promise<void>;
  /**
   * The rep linked another record after the Task was created: new fields, plus the WhoId/WhatId
   * to write, sent like a note (version bump; a sent log becomes pending).
   */
  setLinkUpdate(
    callId: string,
    fields: Record<string, unknown>,
    links: Record<string, string | null>,
    now: number,
  ): Promise<void>;
  /**
   * Ends a send: sent when Salesforce has the newest notes, otherwise pending again at once
   * (a note arrived while the request was in flight). Returns the resulting state.
   */
  finishSend(callId: string, now: number): Promise<OutboxState | undefined>;
  /** A transient failure: try again at `nextAttemptAt`, keeping the error visible. */
  reschedule(callId: string, nextAttemptAt: number, error: OutboxError, now: number): Promise<void>;
  /** Salesforce rejected the log: stop trying until an admin retries it. */
  park(callId: string, error: OutboxError, now: number): Promise<void>;
  /**
   * Stores the rep's notes/disposition (undefined keeps the previous value) and bumps the
   * version; a log already sent becomes pending again so the Task gets updated.
   */
  setNotes(
    callId: string,
    notes: string | undefined,
    disposition: string | undefined,
    now: number,
  ): Promise<OutboxEntry | undefined>;
  /** Crash recovery: rows left in "sending" by a bridge that is gone become pending. */
  resetSending(now: number): Promise<number>;
  listParked(): Promise<OutboxEntry[]>;
  /** A parked entry back to pending, due now, with a fresh attempt count. */
  unpark(callId: string, now: number): Promise<boolean>;
  /** Deletes finished rows (sent, skipped) last touched before `before` (epoch ms). */
  pruneFinished(before: number): Promise<number>;
  /**
   * Rows per state. Pending, sending and parked are exact; sent and skipped (the rows kept 30
   * days) may be up to a minute old where several bridges share the outbox (PostgreSQL).
   */
  countByState(): Promise<Record<OutboxState, number>>;
}

/** A Task created for a claimed entry, with the notes version its create carried. */
export interface CreatedTaskRecord {
  callId: string;
  taskId: string;
  sentNotesVersion: number;
}

/** Counts per state, zero for the states without rows. */
export function countsOf(rows: readonly { state: OutboxState; n: number }[]) {
  const counts: Record<OutboxState, number> = {
    pending: 0,
    sending: 0,
    sent: 0,
    parked: 0,
    skipped: 0,
  };
  for (const row of rows) counts[row.state] = row.n;
  return counts;
}

/** One bridge's outbox in its SQLite file: every method is one synchronous statement or transaction. */
export class SqliteCallLogOutbox implements CallLogOutbox {
  readonly shared: boolean = false;
  private readonly statement: (sql: string) => Statement;
  // The transactions, made once: better-sqlite3 builds a wrapper function and its variants at
  // each db.transaction(), 3 % of the bridge's allocations per call (docs/benchmarks.md).
  private readonly insertEndedNow: (entry: NewOutboxEntry, now: number) => boolean;
  private readonly claimDueNow: (now: number, limit: number) => OutboxEntry[];
  private readonly recordCreatedNow: (
    created: readonly CreatedTaskRecord[],
    now: number,
  ) => Map<string, OutboxState | undefined>;

  constructor(db: Database, logger: Logger) {
    applyMigrations(db, 'call-log', CALL_LOG_MIGRATIONS, logger);
    applyMigrations(db, 'call-log-counts', CALL_LOG_COUNT_MIGRATIONS, logger);
    this.statement = statementCache(db);
    this.insertEndedNow = db.transaction((entry: NewOutboxEntry, now: number) => {
      // The draft's notes go into the log, and the draft goes: one statement for both.
      const draft = this.statement('DELETE FROM call_log_drafts WHERE call_id = ? RETURNING *').get(
        entry.callId,
      ) as DraftRow | undefined;
      return this.insert(withDraftNotes(entry, draft), now);
    });
    // One statement for the batch; RETURNING gives no order, so the oldest-first order is
    // restored here.
    this.claimDueNow = (now: number, limit: number) =>
      (
        this.statement(
          `UPDATE call_log_outbox SET state = 'sending', attempts = attempts + 1, updated_at = ?
             WHERE call_id IN (
               SELECT call_id FROM call_log_outbox WHERE state = 'pending' AND next_attempt_at <= ?
               ORDER BY next_attempt_at, created_at LIMIT ?)
             RETURNING *`,
        ).all(now, now, limit) as OutboxRow[]
      )
        .sort((a, b) => a.next_attempt_at - b.next_attempt_at || a.created_at - b.created_at)
        .map(toEntry);
    this.recordCreatedNow = db.transaction((created: readonly CreatedTaskRecord[], now: number) => {
      const states = new Map<string, OutboxState | undefined>();
      for (const { callId, taskId, sentNotesVersion } of created) {
        this.statement(OUTBOX_SQL.recordTaskId).run(taskId, sentNotesVersion, now, callId);
        states.set(callId, this.finishNow(callId, now));
      }
      return states;
    });
  }

  private insert(entry: NewOutboxEntry, now: number): boolean {
    return this.statement(OUTBOX_SQL.insert).run(...insertValues(entry, now)).changes === 1;
  }

  insertEnded(entry: NewOutboxEntry, now: number, draft: DraftHint = 'maybe'): Promise<boolean> {
    // No draft to look for: the insert alone, one statement and its commit, not three.
    return settle(() =>
      draft === 'none' ? this.insert(entry, now) : this.insertEndedNow(entry, now),
    );
  }

  saveDraft(draft: CallLogDraft): Promise<void> {
    return settle(() => {
      this.statement(OUTBOX_SQL.saveDraft).run(...draftValues(draft));
    });
  }

  getDraft(callId: string): Promise<CallLogDraft | undefined> {
    return settle(() => {
      const row = this.statement('SELECT * FROM call_log_drafts WHERE call_id = ?').get(callId) as
        DraftRow | undefined;
      return row === undefined ? undefined : toDraft(row);
    });
  }

  listDrafts(): Promise<CallLogDraft[]> {
    return settle(() =>
      (
        this.statement(
          'SELECT * FROM call_log_drafts ORDER BY updated_at, call_id',
        ).all() as DraftRow[]
      ).map(toDraft),
    );
  }

  get(callId: string): Promise<OutboxEntry | undefined> {
    return settle(() => this.getNow(callId));
  }

  private getNow(callId: string): OutboxEntry | undefined {
    const row = this.statement('SELECT * FROM call_log_outbox WHERE call_id = ?').get(callId) as
      OutboxRow | undefined;
    return row === undefined ? undefined : toEntry(row);
  }

  replaceFields(callId: string, fields: Record<string, unknown>, now: number): Promise<boolean> {
    return settle(
      () =>
        this.statement(
          `UPDATE call_log_outbox SET fields_json = ?, updated_at = ?
             WHERE call_id = ? AND task_id IS NULL AND state IN ('pending', 'parked')`,
        ).run(JSON.stringify(fields), now, callId).changes === 1,
    );
  }

  claimDue(now: number, limit: number): Promise<OutboxEntry[]> {
    return settle(() => this.claimDueNow(now, limit));
  }

  nextDueAt(): Promise<number | undefined> {
    return settle(() => {
      const row = this.statement(
        `SELECT MIN(next_attempt_at) AS at FROM call_log_outbox WHERE state = 'pending'`,
      ).get() as { at: number | null };
      return row.at ?? undefined;
    });
  }

  recordTaskId(callId: string, taskId: string, sentNotesVersion: number, now: number) {
    return settle(() => {
      this.statement(OUTBOX_SQL.recordTaskId).run(taskId, sentNotesVersion, now, callId);
    });
  }

  /** One transaction (one commit) for the whole batch: at 100 calls/s, two per call before. */
  recordCreated(created: readonly CreatedTaskRecord[], now: number) {
    return settle(() => this.recordCreatedNow(created, now));
  }

  recordNotesSent(callId: string, version: number, now: number): Promise<void> {
    return settle(() => {
      this.statement(
        `UPDATE call_log_outbox SET sent_notes_version = MAX(sent_notes_version, ?),
             link_update_json = CASE WHEN notes_version <= ? THEN NULL ELSE link_update_json END,
             updated_at = ?
           WHERE call_id = ?`,
      ).run(version, version, now, callId);
    });
  }

  setLinkUpdate(
    callId: string,
    fields: Record<string, unknown>,
    links: Record<string, string | null>,
    now: number,
  ): Promise<void> {
    return settle(() => {
      this.statement(OUTBOX_SQL.setLinkUpdate).run(
        JSON.stringify(fields),
        JSON.stringify(links),
        now,
        now,
        callId,
      );
    });
  }

  finishSend(callId: string, now: number): Promise<OutboxState | undefined> {
    return settle(() => this.finishNow(callId, now));
  }

  private finishNow(callId: string, now: number): OutboxState | undefined {
    const finished = this.statement(OUTBOX_SQL.finishSend('')).get(now, now, callId) as
      { state: OutboxState } | undefined;
    return finished?.state ?? this.getNow(callId)?.state;
  }

  reschedule(callId: string, nextAttemptAt: number, error: OutboxError, now: number) {
    return settle(() => {
      this.statement(
        `UPDATE call_log_outbox SET state = 'pending', next_attempt_at = ?, last_error_code = ?,
             last_error_message = ?, updated_at = ?
           WHERE call_id = ? AND state = 'sending'`,
      ).run(nextAttemptAt, error.code, error.message, now, callId);
    });
  }

  park(callId: string, error: OutboxError, now: number): Promise<void> {
    return settle(() => {
      this.statement(
        `UPDATE call_log_outbox SET state = 'parked', last_error_code = ?, last_error_message = ?,
             updated_at = ?
           WHERE call_id = ?`,
      ).run(error.code, error.message, now, callId);
    });
  }

  setNotes(
    callId: string,
    notes: string | undefined,
    disposition: string | undefined,
    now: number,
  ): Promise<OutboxEntry | undefined> {
    return settle(() => {
      this.statement(OUTBOX_SQL.setNotes).run(notes ?? null, disposition ?? null, now, now, callId);
      return this.getNow(callId);
    });
  }

  /** One bridge owns the file: every row in "sending" was left by its previous run. */
  resetSending(now: number): Promise<number> {
    return settle(
      () =>
        this.statement(
          // attempts >= 1 marks it as possibly created: the next send asks Salesforce first.
          `UPDATE call_log_outbox SET state = 'pending', attempts = MAX(attempts, 1),
               next_attempt_at = ?, updated_at = ?
             WHERE state = 'sending'`,
        ).run(now, now).changes,
    );
  }

  listParked(): Promise<OutboxEntry[]> {
    return settle(() =>
      (
        this.statement(
          `SELECT * FROM call_log_outbox WHERE state = 'parked' ORDER BY updated_at`,
        ).all() as OutboxRow[]
      ).map(toEntry),
    );
  }

  unpark(callId: string, now: number): Promise<boolean> {
    return settle(
      () =>
        this.statement(
          `UPDATE call_log_outbox SET state = 'pending', attempts = 0, next_attempt_at = ?,
               updated_at = ?
             WHERE call_id = ? AND state = 'parked'`,
        ).run(now, now, callId).changes === 1,
    );
  }

  pruneFinished(before: number): Promise<number> {
    return settle(
      () =>
        this.statement(
          `DELETE FROM call_log_outbox WHERE state IN ('sent', 'skipped') AND updated_at < ?`,
        ).run(before).changes,
    );
  }

  countByState(): Promise<Record<OutboxState, number>> {
    return settle(() =>
      countsOf(
        this.statement('SELECT state, n FROM call_log_state_counts').all() as {
          state: OutboxState;
          n: number;
        }[],
      ),
    );
  }
}

/** A synchronous SQLite answer as a promise; a throw becomes a rejection. */
function settle<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

/** The notes stored while the call was under way win: they may come from another bridge. */
export function withDraftNotes(
  entry: NewOutboxEntry,
  draft: Pick<DraftRow, 'notes' | 'disposition'> | undefined,
): NewOutboxEntry {
  const notes = draft?.notes ?? entry.notes;
  const disposition = draft?.disposition ?? entry.disposition;
  return {
    ...entry,
    ...(notes === undefined ? {} : { notes }),
    ...(disposition === undefined ? {} : { disposition }),
  };
}

export function toDraft(row: DraftRow): CallLogDraft {
  return {
    callId: row.call_id,
    extension: row.extension,
    call: JSON.parse(row.call_json) as Call,
    notes: row.notes ?? undefined,
    disposition: row.disposition ?? undefined,
    updatedAt: row.updated_at,
  };
}
