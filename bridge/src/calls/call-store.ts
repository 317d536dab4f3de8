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

function toLeg(row: Row): StoredLeg {
  return {
    call: JSON.parse(row.call_json) as Call,
    pbxCallId: row.pbx_call_id,
    dialRequestId: row.dial_request_id ?? undefined,
    reportsFinish: row.reports_finish === 1,
    updatedAt: row.updated_at,
  };
}

/** SQLite-backed store. Every method is one synchronous statement. */
export class SqliteCallStore implements CallStore {
  private readonly statement: (sql: string) => Statement;

  constructor(db: Database, logger: Logger) {
    applyMigrations(db, 'calls', CALL_STORE_MIGRATIONS, logger);
    this.statement = statementCache(db);
  }

  save(leg: StoredLeg): void {
    this.statement(
      `INSERT INTO call_legs (call_id, pbx_call_id, dial_request_id, reports_finish, ended,
           call_json, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(call_id) DO UPDATE SET pbx_call_id = excluded.pbx_call_id,
           dial_request_id = excluded.dial_request_id, reports_finish = excluded.reports_finish,
           ended = excluded.ended, call_json = excluded.call_json, updated_at = excluded.updated_at`,
    ).run(
      leg.call.id,
      leg.pbxCallId,
      leg.dialRequestId ?? null,
      leg.reportsFinish ? 1 : 0,
      leg.call.state === 'ended' ? 1 : 0,
      JSON.stringify(leg.call),
      leg.updatedAt,
    );
  }

  legsOf(pbxCallId: string): StoredLeg[] {
    const rows = this.statement('SELECT * FROM call_legs WHERE pbx_call_id = ? ORDER BY rowid').all(
      pbxCallId,
    ) as Row[];
    return rows.map(toLeg);
  }

  deleteCall(pbxCallId: string): void {
    this.statement('DELETE FROM call_legs WHERE pbx_call_id = ?').run(pbxCallId);
  }

  all(): StoredLeg[] {
    const rows = this.statement('SELECT * FROM call_legs ORDER BY rowid').all() as Row[];
    return rows.map(toLeg);
  }

  idleCalls(before: number): string[] {
    const rows = this.statement(
      `SELECT pbx_call_id FROM call_legs GROUP BY pbx_call_id
         HAVING MIN(ended) = 1 AND MAX(updated_at) < ?`,
    ).all(before) as { pbx_call_id: string }[];
    return rows.map((r) => r.pbx_call_id);
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
