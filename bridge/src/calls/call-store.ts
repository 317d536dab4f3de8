// The durable record of calls under way, in the bridge's database (module "calls", same style
// as the call-log outbox): every leg of every PBX call that has not finished, written on each
// change of the leg, and the time the bridge last saw the PBX. A restarted bridge resumes these
// legs and asks the PBX which are still up (the rest ended while it was down); and a queue
// call's unanswered legs are still known when the call finishes, whenever that is. A call's
// rows are deleted once it has finished and the call log has decided about it.
import type { Logger } from '../logging/logger';
import {
  applyMigrations,
  statementCache,
  type Database,
  type Migration,
  type Statement,
} from '../storage/database';
import type { Call } from './call';

export interface StoredLeg {
  call: Call;
  pbxCallId: string;
  dialRequestId: string | undefined;
  /** The PBX adapter reports the end of the whole call (`finished`); else its last leg ends it. */
  reportsFinish: boolean;
  /** Epoch ms of the last change. */
  updatedAt: number;
}

/** Where CallService keeps the legs of unfinished calls. */
export interface CallStore {
  /** Inserts or replaces one leg. */
  save(leg: StoredLeg): void;
  /** Every stored leg of one PBX call, oldest first. */
  legsOf(pbxCallId: string): StoredLeg[];
  /** Forgets a finished call. */
  deleteCall(pbxCallId: string): void;
  /** Every stored leg (at start-up), oldest first. */
  all(): StoredLeg[];
  /** PBX calls whose legs have all ended and none changed since `before` (epoch ms). */
  idleCalls(before: number): string[];
  /** Records that the bridge saw the PBX (its view of the calls was complete) at `at`. */
  markSeen(at: number): void;
  lastSeen(): number | undefined;
}

export const CALL_STORE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'call_legs, calls_seen',
    up: `CREATE TABLE call_legs (
           call_id TEXT PRIMARY KEY,
           pbx_call_id TEXT NOT NULL,
           dial_request_id TEXT,
           reports_finish INTEGER NOT NULL,
           ended INTEGER NOT NULL,
           call_json TEXT NOT NULL,
           updated_at INTEGER NOT NULL
         );
         CREATE INDEX call_legs_pbx_call ON call_legs (pbx_call_id);
         CREATE TABLE calls_seen (
           id INTEGER PRIMARY KEY CHECK (id = 1),
           seen_at INTEGER NOT NULL
         );`,
  },
];

interface Row {
  call_id: string;
  pbx_call_id: string;
  dial_request_id: string | null;
  reports_finish: number;
  ended: number;
  call_json: string;
  updated_at: number;
}

/** A stored leg as its row holds it: the call as the JSON written, parsed when it is read. */
interface LegRow {
  pbxCallId: string;
  dialRequestId: string | undefined;
  reportsFinish: boolean;
  ended: boolean;
  callJson: string;
  updatedAt: number;
  /** Its place in the table's rowid order: set at the insert, kept by an update. */
  seq: number;
}

function toLeg(row: LegRow): StoredLeg {
  return {
    call: JSON.parse(row.callJson) as Call,
    pbxCallId: row.pbxCallId,
    dialRequestId: row.dialRequestId,
    reportsFinish: row.reportsFinish,
    updatedAt: row.updatedAt,
  };
}

/**
 * SQLite-backed store. Every change is one synchronous statement; reads are answered from a
 * copy of the rows kept in memory (read once at start: the file is this bridge's own), so a
 * call's end does not read back what the bridge wrote a moment ago. The copy changes only
 * after its statement succeeded: it never holds what the file does not.
 */
export class SqliteCallStore implements CallStore {
  private readonly statement: (sql: string) => Statement;
  /** The rows of call_legs by leg id, in rowid order (a Map keeps insertion order). */
  private readonly rows = new Map<string, LegRow>();
  /** Leg ids per PBX call, in rowid order. */
  private readonly legIds = new Map<string, Set<string>>();
  private nextSeq = 0;

  constructor(db: Database, logger: Logger) {
    applyMigrations(db, 'calls', CALL_STORE_MIGRATIONS, logger);
    this.statement = statementCache(db);
    const stored = this.statement('SELECT * FROM call_legs ORDER BY rowid').all() as Row[];
    for (const row of stored)
      this.remember(row.call_id, {
        pbxCallId: row.pbx_call_id,
        dialRequestId: row.dial_request_id ?? undefined,
        reportsFinish: row.reports_finish === 1,
        ended: row.ended === 1,
        callJson: row.call_json,
        updatedAt: row.updated_at,
      });
  }

  save(leg: StoredLeg): void {
    const row: Omit<LegRow, 'seq'> = {
      pbxCallId: leg.pbxCallId,
      dialRequestId: leg.dialRequestId,
      reportsFinish: leg.reportsFinish,
      ended: leg.call.state === 'ended',
      callJson: JSON.stringify(leg.call),
      updatedAt: leg.updatedAt,
    };
    this.statement(
      `INSERT INTO call_legs (call_id, pbx_call_id, dial_request_id, reports_finish, ended,
           call_json, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(call_id) DO UPDATE SET pbx_call_id = excluded.pbx_call_id,
           dial_request_id = excluded.dial_request_id, reports_finish = excluded.reports_finish,
           ended = excluded.ended, call_json = excluded.call_json, updated_at = excluded.updated_at`,
    ).run(
      leg.call.id,
      row.pbxCallId,
      row.dialRequestId ?? null,
      row.reportsFinish ? 1 : 0,
      row.ended ? 1 : 0,
      row.callJson,
      row.updatedAt,
    );
    this.remember(leg.call.id, row);
  }

  legsOf(pbxCallId: string): StoredLeg[] {
    const ids = this.legIds.get(pbxCallId);
    if (ids === undefined) return [];
    const rows: LegRow[] = [];
    for (const id of ids) {
      const row = this.rows.get(id);
      if (row !== undefined) rows.push(row);
    }
    return rows.sort((a, b) => a.seq - b.seq).map(toLeg);
  }

  deleteCall(pbxCallId: string): void {
    this.statement('DELETE FROM call_legs WHERE pbx_call_id = ?').run(pbxCallId);
    for (const id of this.legIds.get(pbxCallId) ?? []) this.rows.delete(id);
    this.legIds.delete(pbxCallId);
  }

  all(): StoredLeg[] {
    return [...this.rows.values()].map(toLeg);
  }

  idleCalls(before: number): string[] {
    const idle: string[] = [];
    for (const [pbxCallId, ids] of this.legIds) {
      let allIdle = true;
      for (const id of ids) {
        const row = this.rows.get(id);
        if (row === undefined || !row.ended || row.updatedAt >= before) allIdle = false;
      }
      if (allIdle) idle.push(pbxCallId);
    }
    return idle;
  }

  markSeen(at: number): void {
    this.statement(
      `INSERT INTO calls_seen (id, seen_at) VALUES (1, ?)
         ON CONFLICT(id) DO UPDATE SET seen_at = excluded.seen_at`,
    ).run(at);
  }

  lastSeen(): number | undefined {
    const row = this.statement('SELECT seen_at FROM calls_seen WHERE id = 1').get() as
      { seen_at: number } | undefined;
    return row?.seen_at;
  }

  /** The copy of a row just written: an upsert keeps its rowid, so its place in the order. */
  private remember(callId: string, written: Omit<LegRow, 'seq'>): void {
    const before = this.rows.get(callId);
    const row: LegRow = { ...written, seq: before?.seq ?? this.nextSeq++ };
    if (before !== undefined && before.pbxCallId !== row.pbxCallId) {
      const old = this.legIds.get(before.pbxCallId);
      old?.delete(callId);
      if (old?.size === 0) this.legIds.delete(before.pbxCallId);
    }
    this.rows.set(callId, row);
    let ids = this.legIds.get(row.pbxCallId);
    if (ids === undefined) this.legIds.set(row.pbxCallId, (ids = new Set()));
    ids.add(callId);
  }
}

/** The same in memory: for a CallService without a database (unit tests). */
export class MemoryCallStore implements CallStore {
  private readonly legs = new Map<string, StoredLeg>();
  private seen: number | undefined;

  save(leg: StoredLeg): void {
    this.legs.set(leg.call.id, { ...leg, call: JSON.parse(JSON.stringify(leg.call)) as Call });
  }

  legsOf(pbxCallId: string): StoredLeg[] {
    return this.all().filter((l) => l.pbxCallId === pbxCallId);
  }

  deleteCall(pbxCallId: string): void {
    for (const [id, leg] of this.legs) if (leg.pbxCallId === pbxCallId) this.legs.delete(id);
  }

  all(): StoredLeg[] {
    return [...this.legs.values()];
  }

  idleCalls(before: number): string[] {
    const calls = new Map<string, boolean>();
    for (const leg of this.legs.values()) {
      const idle = leg.call.state === 'ended' && leg.updatedAt < before;
      calls.set(leg.pbxCallId, (calls.get(leg.pbxCallId) ?? true) && idle);
    }
    return [...calls].filter(([, idle]) => idle).map(([id]) => id);
  }

  markSeen(at: number): void {
    this.seen = at;
  }

  lastSeen(): number | undefined {
    return this.seen;
  }
}
