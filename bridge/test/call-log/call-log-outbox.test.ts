// The call-log outbox port, the same test bodies against SQLite (one bridge's file) and a real
// PostgreSQL the suite starts (several bridges): one row per call leg however many bridges
// store it, each due row claimed by one bridge, notes typed at any bridge kept with the log.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Call } from '../../src/calls/call';
import {
  CALL_LOG_MIGRATIONS,
  countsOf,
  SqliteCallLogOutbox,
  type CallLogDraft,
  type CallLogOutbox,
  type NewOutboxEntry,
} from '../../src/call-log/call-log-outbox';
import { PostgresCallLogOutbox } from '../../src/call-log/postgres-call-log-outbox';
import { silentLogger } from '../../src/logging/logger';
import { applyMigrations, openDatabase, type Database } from '../../src/storage/database';
import { useTestPostgres } from '../support/postgres-server';
import { Teardown } from '../support/teardown';
import { endedCall } from './support/calls';

const logger = silentLogger();
const server = useTestPostgres();
const teardown = new Teardown();
afterEach(() => teardown.run());

/** Opens "bridges" on one store: each call of the returned function is another bridge. */
type Store = () => Promise<() => Promise<CallLogOutbox>>;

const stores: Array<[string, Store]> = [
  [
    'sqlite',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'switchboard-outbox-'));
      teardown.add(dir, (d) => rmSync(d, { recursive: true, force: true }));
      return Promise.resolve(() => {
        const db = teardown.add(openDatabase(join(dir, 'sb.db'), logger), (d) => d.close());
        return Promise.resolve(new SqliteCallLogOutbox(db, logger));
      });
    },
  ],
  [
    'postgres',
    async () => {
      const url = await server.freshDatabase();
      return async () =>
        teardown.add(await PostgresCallLogOutbox.open(await server.pool(url), logger), (o) =>
          o.stopRenewing(),
        );
    },
  ],
];

function entry(callId: string, extra: Partial<NewOutboxEntry> = {}): NewOutboxEntry {
  return {
    callId,
    extension: '201',
    fields: { Subject: `Call ${callId}` },
    state: 'pending',
    endedAt: 1_000,
    ...extra,
  };
}

/** The notes a rep typed on extension 201 during call `callId` (still connected). */
function draftOf(callId: string, notes: string, disposition?: string): CallLogDraft {
  const call: Call = { ...endedCall(callId), state: 'connected' };
  return { callId, extension: '201', call, notes, disposition, updatedAt: 900 };
}

describe.each(stores)('call-log outbox (%s)', (_name, store) => {
  it('keeps one log per call leg however many bridges store it at once', async () => {
    const bridge = await store();
    const [a, b, c] = await Promise.all([bridge(), bridge(), bridge()]);
    const stored = await Promise.all(
      [a, b, c, a, b, c].map((outbox) => outbox.insertEnded(entry('leg-1'), 1_000)),
    );
    expect(stored.filter(Boolean)).toHaveLength(1);
    expect((await a.countByState()).pending).toBe(1);
  });

  it('claims each due log for one bridge only, oldest first, at most `limit` at a time', async () => {
    const bridge = await store();
    const [a, b] = await Promise.all([bridge(), bridge()]);
    for (let i = 0; i < 7; i++) await a.insertEnded(entry(`c${i}`), 1_000 + i);

    const first = await a.claimDue(2_000, 3);
    expect(first.map((e) => e.callId)).toEqual(['c0', 'c1', 'c2']);
    expect(first.every((e) => e.state === 'sending' && e.attempts === 1)).toBe(true);

    // Both bridges drain the rest at the same time: every log exactly once.
    const claimed = first.map((e) => e.callId);
    for (;;) {
      const [x, y] = await Promise.all([a.claimDue(2_000, 2), b.claimDue(2_000, 2)]);
      if (x.length + y.length === 0) break;
      claimed.push(...x.map((e) => e.callId), ...y.map((e) => e.callId));
    }
    expect([...claimed].sort()).toEqual(['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6']);
    // Not yet due: not claimed.
    await a.insertEnded(entry('later'), 5_000);
    expect(await b.claimDue(4_999, 10)).toEqual([]);
    expect(await a.nextDueAt()).toBeLessThanOrEqual(5_000);
  });

  it('keeps the notes typed during the call, at whichever bridge, with the log', async () => {
    const bridge = await store();
    const [a, b] = await Promise.all([bridge(), bridge()]);
    await b.saveDraft(draftOf('n1', 'typed at bridge B', 'Follow-up'));
    expect((await a.getDraft('n1'))?.notes).toBe('typed at bridge B');

    expect(await a.insertEnded(entry('n1', { notes: 'stale copy at A' }), 1_000)).toBe(true);
    const stored = await b.get('n1');
    expect(stored).toMatchObject({
      notes: 'typed at bridge B',
      disposition: 'Follow-up',
      notesVersion: 1,
    });
    expect(await a.listDrafts()).toEqual([]);
  });

  it("takes the caller's word that a call has no draft: the log alone is stored", async () => {
    const outbox = await (await store())();
    expect(await outbox.insertEnded(entry('h1', { notes: 'from the entry' }), 1_000, 'none')).toBe(
      true,
    );
    expect(await outbox.insertEnded(entry('h1'), 1_000, 'none')).toBe(false);
    expect(await outbox.get('h1')).toMatchObject({ notes: 'from the entry', state: 'pending' });
    // A draft the caller did not know of is neither read into the log nor dropped.
    await outbox.saveDraft(draftOf('h2', 'typed'));
    expect(await outbox.insertEnded(entry('h2'), 1_000, 'none')).toBe(true);
    expect((await outbox.get('h2'))?.notes).toBeUndefined();
    expect((await outbox.listDrafts()).map((d) => d.callId)).toEqual(['h2']);
  });

  it('stores a batch of created Tasks and ends their sends at once', async () => {
    const outbox = await (await store())();
    for (const id of ['b1', 'b2', 'b3']) await outbox.insertEnded(entry(id), 1_000);
    const claimed = await outbox.claimDue(1_000, 3);
    expect(claimed.map((e) => [e.callId, e.state, e.attempts]).sort()).toEqual([
      ['b1', 'sending', 1],
      ['b2', 'sending', 1],
      ['b3', 'sending', 1],
    ]);
    // b2: the rep typed a note while the create was under way; b3 was parked meanwhile.
    await outbox.setNotes('b2', 'typed while creating', undefined, 1_050);
    await outbox.park('b3', { code: 'X', message: 'parked by hand' }, 1_060);

    const states = await outbox.recordCreated(
      ['b1', 'b2', 'b3'].map((callId, i) => ({
        callId,
        taskId: `00T00000000000${i}AAA`,
        sentNotesVersion: 0,
      })),
      1_100,
    );

    expect(Object.fromEntries(states)).toEqual({ b1: 'sent', b2: 'pending', b3: 'parked' });
    // Every Task id is kept, whatever the state: exactly once hinges on it.
    expect(await outbox.get('b3')).toMatchObject({ taskId: '00T000000000002AAA' });
    const [again] = await outbox.claimDue(1_200, 3);
    expect(again).toMatchObject({
      callId: 'b2',
      taskId: '00T000000000001AAA',
      notes: 'typed while creating',
      attempts: 1,
    });
    expect(await outbox.get('b1')).toMatchObject({ state: 'sent', lastError: undefined });
  });

  it('sends a note that arrived during the send again, and parks and unparks', async () => {
    const bridge = await store();
    const outbox = await bridge();
    await outbox.insertEnded(entry('s1'), 1_000);
    const [claimed] = await outbox.claimDue(1_000, 1);
    expect(claimed?.callId).toBe('s1');
    await outbox.recordTaskId('s1', '00T000000000001AAA', 0, 1_100);
    await outbox.setNotes('s1', 'while sending', undefined, 1_150);
    expect(await outbox.finishSend('s1', 1_200)).toBe('pending');
    const [again] = await outbox.claimDue(1_300, 1);
    expect(again).toMatchObject({ taskId: '00T000000000001AAA', notes: 'while sending' });
    await outbox.recordNotesSent('s1', again!.notesVersion, 1_400);
    expect(await outbox.finishSend('s1', 1_400)).toBe('sent');

    await outbox.insertEnded(entry('p1'), 2_000);
    await outbox.claimDue(2_000, 1);
    await outbox.park('p1', { code: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', message: 'no' }, 2_100);
    expect((await outbox.listParked()).map((e) => e.callId)).toEqual(['p1']);
    expect(await outbox.unpark('p1', 2_200)).toBe(true);
    expect(await outbox.unpark('p1', 2_200)).toBe(false);
    expect(await outbox.countByState()).toEqual({
      pending: 1,
      sending: 0,
      sent: 1,
      parked: 0,
      skipped: 0,
    });
    expect(await outbox.pruneFinished(10_000)).toBe(1);
  });
});

describe('call-log outbox counts (sqlite)', () => {
  function openOutbox(): { db: Database; outbox: SqliteCallLogOutbox } {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-outbox-'));
    teardown.add(dir, (d) => rmSync(d, { recursive: true, force: true }));
    const db = teardown.add(openDatabase(join(dir, 'sb.db'), logger), (d) => d.close());
    return { db, outbox: new SqliteCallLogOutbox(db, logger) };
  }

  /** What counting every row says, the way the bridge counted before the triggers. */
  function countedRows(db: Database): Record<string, number> {
    return countsOf(
      db.prepare('SELECT state, COUNT(*) AS n FROM call_log_outbox GROUP BY state').all() as {
        state: 'pending';
        n: number;
      }[],
    );
  }

  it('keeps its counts through every change of state, and reads them instead of the rows', async () => {
    const { db, outbox } = openOutbox();
    const steps: Array<[string, () => Promise<unknown>]> = [
      [
        'store three logs',
        async () => {
          for (const id of ['a', 'b', 'c']) await outbox.insertEnded(entry(id), 1_000);
        },
      ],
      ['store one twice', () => outbox.insertEnded(entry('a'), 1_001)],
      [
        'store a skipped leg',
        () =>
          outbox.insertEnded(
            entry('s', { state: 'skipped', reason: { code: 'X', message: 'x' } }),
            1_000,
          ),
      ],
      ['claim two', () => outbox.claimDue(2_000, 2)],
      [
        'create their Tasks',
        () =>
          outbox.recordCreated(
            [
              { callId: 'a', taskId: '00T000000000001AAA', sentNotesVersion: 0 },
              { callId: 'b', taskId: '00T000000000002AAA', sentNotesVersion: 0 },
            ],
            2_100,
          ),
      ],
      ['a note after the send', () => outbox.setNotes('a', 'later', undefined, 2_200)],
      [
        'a record linked after the send',
        () =>
          outbox.setLinkUpdate('b', { Subject: 'Call b' }, { WhoId: '003000000000001AAA' }, 2_300),
      ],
      ['claim the rest', () => outbox.claimDue(3_000, 10)],
      ['a crash leaves them sending', () => outbox.resetSending(3_100)],
      ['claim again', () => outbox.claimDue(3_200, 10)],
      [
        'one refused',
        () => outbox.park('c', { code: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', message: 'no' }, 3_300),
      ],
      [
        'one to try later',
        () => outbox.reschedule('a', 9_000, { code: 'SF_UNAVAILABLE', message: 'down' }, 3_300),
      ],
      ['one sent', () => outbox.finishSend('b', 3_400)],
      ['the refused one retried', () => outbox.unpark('c', 3_500)],
      ['the finished ones pruned', () => outbox.pruneFinished(100_000)],
    ];
    for (const [step, run] of steps) {
      await run();
      expect({ step, counts: await outbox.countByState() }).toEqual({
        step,
        counts: countedRows(db),
      });
    }
    // The counts come from the kept table, not from a scan of the logs.
    db.prepare(`UPDATE call_log_state_counts SET n = 41 WHERE state = 'sent'`).run();
    expect((await outbox.countByState()).sent).toBe(41);
  });

  it('counts the logs a database already holds when it gains the counts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-outbox-'));
    teardown.add(dir, (d) => rmSync(d, { recursive: true, force: true }));
    const file = join(dir, 'sb.db');
    const before = openDatabase(file, logger);
    // A bridge from before the counts: its tables only.
    applyMigrations(before, 'call-log', CALL_LOG_MIGRATIONS, logger);
    const insert = before.prepare(
      `INSERT INTO call_log_outbox (call_id, extension, fields_json, state, next_attempt_at,
         ended_at, created_at, updated_at) VALUES (?, '201', '{}', ?, 0, 0, 0, 0)`,
    );
    for (let i = 0; i < 5; i++) insert.run(`sent-${i}`, 'sent');
    insert.run('pending-0', 'pending');
    insert.run('parked-0', 'parked');
    before.close();

    const db = teardown.add(openDatabase(file, logger), (d) => d.close());
    const outbox = new SqliteCallLogOutbox(db, logger);
    expect(await outbox.countByState()).toEqual({
      pending: 1,
      sending: 0,
      sent: 5,
      parked: 1,
      skipped: 0,
    });
    await outbox.insertEnded(entry('new'), 1_000);
    expect((await outbox.countByState()).pending).toBe(2);
  });
});

describe('call-log outbox counts (postgres)', () => {
  afterEach(() => jest.restoreAllMocks());

  it('counts the logs on their way each time, the sent and skipped ones at most once a minute', async () => {
    const url = await server.freshDatabase();
    const outbox = teardown.add(
      await PostgresCallLogOutbox.open(await server.pool(url), logger),
      (o) => o.stopRenewing(),
    );
    let clock = 1_000_000;
    jest.spyOn(Date, 'now').mockImplementation(() => clock);
    const sendOne = async (callId: string): Promise<void> => {
      await outbox.insertEnded(entry(callId), 1_000);
      await outbox.claimDue(2_000, 1);
      await outbox.recordCreated(
        [{ callId, taskId: '00T000000000001AAA', sentNotesVersion: 0 }],
        2_100,
      );
    };
    await sendOne('one');
    expect((await outbox.countByState()).sent).toBe(1);

    await sendOne('two');
    await outbox.insertEnded(entry('three'), 3_000);
    // Within the minute: the logs on their way are exact, the sent ones as last counted.
    clock += 59_000;
    expect(await outbox.countByState()).toMatchObject({ pending: 1, sent: 1 });
    clock += 1_000;
    expect(await outbox.countByState()).toMatchObject({ pending: 1, sent: 2 });
  });
});

describe('call-log outbox shared by bridges (postgres)', () => {
  it("takes over a dead bridge's claim once its lease ran out, as possibly created", async () => {
    const url = await server.freshDatabase();
    const a = await PostgresCallLogOutbox.open(await server.pool(url), logger, {
      claimLeaseMs: 1_000,
    });
    const b = await PostgresCallLogOutbox.open(await server.pool(url), logger);
    await a.insertEnded(entry('k1'), 1_000);
    expect(await a.claimDue(1_000, 5)).toHaveLength(1);
    // Bridge A is SIGKILLed mid-send: nobody renews its lease. Within it the row is still A's…
    a.stopRenewing();
    expect(await b.claimDue(1_500, 5)).toEqual([]);
    expect(await b.resetSending(1_500)).toBe(0);
    // …after it, B sends it, asking Salesforce first (attempts > 1).
    const [taken] = await b.claimDue(2_001, 5);
    expect(taken).toMatchObject({ callId: 'k1', state: 'sending', attempts: 2 });
  });

  it('renews the lease of a send slower than it: no other bridge takes the log over', async () => {
    const url = await server.freshDatabase();
    const pool = await server.pool(url);
    const a = await PostgresCallLogOutbox.open(pool, logger, { claimLeaseMs: 3_000 });
    const b = await PostgresCallLogOutbox.open(await server.pool(url), logger);
    teardown.add(a, (o) => o.stopRenewing());
    await a.insertEnded(entry('slow-1'), Date.now());
    expect(await a.claimDue(Date.now(), 5)).toHaveLength(1);
    const leaseOf = async () =>
      (
        await pool.query<{ until: number }>(
          "SELECT claimed_until AS until FROM call_log_outbox WHERE call_id = 'slow-1'",
        )
      ).rows[0]!.until;
    const firstLeaseEnds = await leaseOf();

    // A's Task create takes longer than the lease (Salesforce is slow): wait until the lease
    // A claimed with has run out.
    while (Date.now() <= firstLeaseEnds) await new Promise((r) => setTimeout(r, 100));
    // A renewed it meanwhile: B, asking now, gets nothing and creates no second Task.
    expect(await leaseOf()).toBeGreaterThan(Date.now());
    expect(await b.claimDue(Date.now(), 5)).toEqual([]);

    // A's create returns: the log is sent and A holds no claim any more.
    expect(await a.finishSend('slow-1', Date.now())).toBe('sent');
    expect(a.claimsHeld).toEqual([]);
  });

  it('does not renew a claim another bridge took over, and lets it go', async () => {
    const url = await server.freshDatabase();
    const pool = await server.pool(url);
    const a = await PostgresCallLogOutbox.open(pool, logger, { claimLeaseMs: 30_000 });
    const b = await PostgresCallLogOutbox.open(await server.pool(url), logger);
    teardown.add(a, (o) => o.stopRenewing());
    teardown.add(b, (o) => o.stopRenewing());
    await a.insertEnded(entry('stalled-1'), 1_000);
    expect(await a.claimDue(1_000, 5)).toHaveLength(1);
    // A stalled past its lease; B took the log over (attempt 2).
    expect(await b.claimDue(31_001, 5)).toMatchObject([{ callId: 'stalled-1', attempts: 2 }]);
    const bLease = await b.get('stalled-1');

    await a.renewClaims();
    expect(a.claimsHeld).toEqual([]);
    expect(b.claimsHeld).toEqual(['stalled-1']);
    const { rows } = await pool.query<{ until: number }>(
      "SELECT claimed_until AS until FROM call_log_outbox WHERE call_id = 'stalled-1'",
    );
    expect(rows[0]!.until).toBe(31_001 + 120_000);
    expect(bLease?.state).toBe('sending');
  });
});
