import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Call } from '../../src/calls/call';
import {
  CallLogService,
  type CallLogServiceOptions,
  type CallLogStatus,
} from '../../src/call-log/call-log-service';
import { CallLogSchema, type CallLogConfig } from '../../src/config/schema';
import { ErrorCodes, type SwitchboardError } from '../../src/errors';
import { silentLogger } from '../../src/logging/logger';
import { CALL_LOG_MIGRATIONS, SqliteCallLogOutbox } from '../../src/call-log/call-log-outbox';
import {
  applyMigrations,
  openDatabase,
  schemaVersion,
  type Database,
} from '../../src/storage/database';
import { BatchingFakeGateway, FakeGateway } from './fake-gateway';
import { ENDED_AT, endedCall } from './support/calls';
import { Teardown } from '../support/teardown';
import { captureLogger } from '../support/capture-logger';

const START = ENDED_AT;
const CONTACT_ID = '003000000000001AAA';

/** The shared ended call (support/calls.ts), here with one Contact match at an Account. */
function ended(id: string, overrides: Partial<Call> = {}): Call {
  return endedCall(id, {
    matches: [
      {
        id: CONTACT_ID,
        object: 'Contact',
        name: 'Ada',
        phoneField: 'Phone',
        accountId: '001000000000001AAA',
      },
    ],
    ...overrides,
  });
}

describe('call-log/call-log-service (fake gateway)', () => {
  let db: Database;
  let gateway: FakeGateway;
  let clock: number;
  let published: { callId: string; status: CallLogStatus }[];

  const teardown = new Teardown();

  beforeEach(() => {
    db = teardown.add(openDatabase(':memory:', silentLogger()), (d) => d.close());
    gateway = new FakeGateway();
    clock = START;
    published = [];
  });
  afterEach(() => teardown.run());

  function service(
    overrides: Partial<CallLogConfig> = {},
    extra: Partial<CallLogServiceOptions> = {},
  ) {
    const config: CallLogConfig = {
      ...CallLogSchema.parse({ retry: { baseSeconds: 1, maxSeconds: 8 } }),
      ...overrides,
    };
    const s = new CallLogService({
      db,
      gateway,
      config,
      repUserIdForExtension: (ext) => (ext === '201' ? '005000000000REP01' : undefined),
      logger: silentLogger(),
      now: () => new Date(clock),
      random: () => 0,
      calls: {
        onCallChanged: () => () => undefined,
        onCallFinished: () => () => undefined,
        setLogStatus: (callId, status) => published.push({ callId, status }),
      },
      ...extra,
    });
    teardown.add(s, (started) => started.stop());
    return s;
  }

  async function thrownBy(promise: Promise<unknown>): Promise<SwitchboardError> {
    try {
      await promise;
    } catch (error) {
      return error as SwitchboardError;
    }
    throw new Error('expected a rejection');
  }

  it('logs an ended call as one Task and reports the link', async () => {
    const s = service();
    await s.onCallChanged(ended('c1'));
    expect(await s.status('c1')).toEqual({ state: 'pending' });
    await s.flush();
    const tasks = gateway.tasksFor('c1');
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({
      TaskSubtype: 'Call',
      Status: 'Completed',
      OwnerId: '005000000000REP01',
      WhoId: CONTACT_ID,
      CallDurationInSeconds: 50,
    });
    expect(await s.status('c1')).toEqual({ state: 'logged', taskId: tasks[0]!.Id });
    expect(published.map((p) => p.status.state)).toEqual(['pending', 'logged']);
    // The same `ended` again (replay, late event) never makes a second Task
    await s.onCallChanged(ended('c1'));
    await s.flush();
    expect(gateway.tasksFor('c1')).toHaveLength(1);
  });

  it('notes taken during the call go out with the create', async () => {
    const s = service();
    await s.onCallChanged({ ...ended('c2'), state: 'connected' });
    await s.addNote({
      callId: 'c2',
      notes: 'wants a quote',
      disposition: 'Interested',
      repExtensions: ['201'],
    });
    await s.onCallChanged(ended('c2'));
    await s.flush();
    expect(gateway.tasksFor('c2')).toEqual([
      expect.objectContaining({ Description: 'wants a quote', CallDisposition: 'Interested' }),
    ]);
    expect(gateway.calls.filter((c) => c.op === 'update')).toHaveLength(0);
  });

  it('notes after hang-up update the same Task, only Description and CallDisposition', async () => {
    const s = service();
    await s.onCallChanged(ended('c3'));
    await s.flush();
    clock += 60_000;
    await s.addNote({ callId: 'c3', notes: 'call back Friday', repExtensions: ['201'] });
    expect((await s.status('c3'))?.state).toBe('pending');
    await s.flush();
    await s.addNote({ callId: 'c3', disposition: 'Follow-up', repExtensions: ['201'] });
    await s.flush();
    expect(gateway.tasksFor('c3')).toEqual([
      expect.objectContaining({ Description: 'call back Friday', CallDisposition: 'Follow-up' }),
    ]);
    expect(gateway.calls.filter((c) => c.op === 'create')).toHaveLength(1);
    expect(
      gateway.calls.filter((c) => c.op === 'update').map((c) => c.detail.split(' ')[2]),
    ).toEqual(['Description', 'Description,CallDisposition']);
    expect((await s.status('c3'))?.state).toBe('logged');
  });

  it('refuses notes on another rep’s call and after the grace period', async () => {
    const s = service({ noteGraceSeconds: 60 });
    await s.onCallChanged(ended('c4'));
    await s.flush();
    expect(
      (await thrownBy(s.addNote({ callId: 'c4', notes: 'x', repExtensions: ['202'] }))).code,
    ).toBe('CALL_NOT_FOUND');
    clock += 61_000;
    expect(
      (await thrownBy(s.addNote({ callId: 'c4', notes: 'x', repExtensions: ['201'] }))).code,
    ).toBe('CALL_LOG_NOTE_TOO_LATE');
    expect((await thrownBy(s.addNote({ callId: 'c4', repExtensions: ['201'] }))).code).toBe(
      'CALL_LOG_NOTE_INVALID',
    );
  });

  it('retries through an outage with capped exponential backoff; none lost, none doubled', async () => {
    const s = service();
    gateway.down = true;
    await s.onCallChanged(ended('c5'));
    await s.onCallChanged(ended('c6'));
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      await s.flush();
      const row = db
        .prepare("SELECT next_attempt_at AS at FROM call_log_outbox WHERE call_id = 'c5'")
        .get() as { at: number };
      delays.push(row.at - clock);
      clock = row.at;
    }
    // random() = 0: half of 1, 2, 4, 8, 8, 8 seconds (capped at maxSeconds)
    expect(delays).toEqual([500, 1000, 2000, 4000, 4000, 4000]);
    expect(await s.status('c5')).toEqual({
      state: 'pending',
      error: { code: 'SF_UNAVAILABLE', message: 'org down (fake)' },
    });
    gateway.down = false;
    await s.flush();
    expect(gateway.tasksFor('c5')).toHaveLength(1);
    expect(gateway.tasksFor('c6')).toHaveLength(1);
    expect((await s.status('c6'))?.state).toBe('logged');
  });

  it('retries expired sessions, request limits and network errors', async () => {
    const s = service();
    gateway.failNext(1, 'SF_SESSION_EXPIRED');
    gateway.failNext(1, 'SF_REQUEST_LIMIT');
    await s.onCallChanged(ended('c7'));
    await s.flush();
    clock += 10_000;
    await s.flush();
    clock += 10_000;
    await s.flush();
    expect(gateway.tasksFor('c7')).toHaveLength(1);
    expect((await s.status('c7'))?.state).toBe('logged');
  });

  it('adopts a Task created by an attempt whose answer was lost (exactly once)', async () => {
    const s = service();
    gateway.loseNextCreateAnswer = true;
    await s.onCallChanged(ended('c8'));
    await s.addNote({ callId: 'c8', notes: 'late note', repExtensions: ['201'] });
    await s.flush();
    expect((await s.status('c8'))?.error?.code).toBe('INTERNAL');
    clock += 10_000;
    await s.flush();
    expect(gateway.tasksFor('c8')).toHaveLength(1);
    expect((await s.status('c8'))?.state).toBe('logged');
  });

  it('sends due logs in one batch; after a lost answer one query finds them all, none doubled', async () => {
    const batching = new BatchingFakeGateway();
    gateway = batching;
    const s = service();
    const ids = ['b1', 'b2', 'b3', 'b4'];
    batching.loseNextCreateAnswer = true;
    for (const id of ids) await s.onCallChanged(ended(id));
    await s.flush();
    expect(batching.calls.map((c) => c.op)).toEqual(['createMany']);
    expect((await s.status('b1'))?.error?.code).toBe('INTERNAL');

    batching.calls.length = 0;
    clock += 10_000;
    await s.flush();
    expect(batching.calls.map((c) => c.op)).toEqual(['query']);
    expect(batching.calls[0]?.detail).toContain("CallObject IN ('b1', 'b2', 'b3', 'b4')");
    expect(ids.map((id) => gateway.tasksFor(id).length)).toEqual([1, 1, 1, 1]);
    expect(await Promise.all(ids.map(async (id) => (await s.status(id))?.state))).toEqual(
      Array(4).fill('logged'),
    );
  });

  it('parks a log the org refuses within a batch, alone; the others are logged', async () => {
    const batching = new BatchingFakeGateway();
    gateway = batching;
    const s = service();
    batching.refused.add('r2');
    for (const id of ['r1', 'r2', 'r3']) await s.onCallChanged(ended(id));
    await s.flush();
    expect(batching.calls.map((c) => c.op)).toEqual(['createMany']);
    expect(await s.status('r2')).toMatchObject({
      state: 'parked',
      error: { code: 'FIELD_CUSTOM_VALIDATION_EXCEPTION' },
    });
    expect((await s.status('r1'))?.state).toBe('logged');
    expect((await s.status('r3'))?.state).toBe('logged');
    expect(gateway.tasksFor('r2')).toHaveLength(0);
  });

  it('recovers rows left "sending" by a crash on start', async () => {
    const first = service();
    await first.onCallChanged(ended('c9'));
    // The crash: the Task was created, the process died before storing the id
    db.prepare("UPDATE call_log_outbox SET state = 'sending' WHERE call_id = 'c9'").run();
    await gateway.create('Task', { CallObject: 'c9', Subject: 'from the crashed run' });
    const second = service();
    await second.start();
    await second.flush();
    expect(gateway.tasksFor('c9')).toHaveLength(1);
    expect((await second.status('c9'))?.state).toBe('logged');
  });

  it('parks a log Salesforce rejects, with its error, until retried', async () => {
    const s = service();
    gateway.rejectCreate = {
      errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
      message: 'Subject must start with CALL',
    };
    await s.onCallChanged(ended('c10'));
    await s.flush();
    clock += 3600_000;
    await s.flush();
    // Not retried on its own
    expect(gateway.calls.filter((c) => c.op === 'create')).toHaveLength(1);
    expect(await s.status('c10')).toEqual({
      state: 'parked',
      error: { code: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', message: 'Subject must start with CALL' },
    });
    expect(s.listParked()).toEqual([
      expect.objectContaining({
        callId: 'c10',
        error: {
          code: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
          message: 'Subject must start with CALL',
        },
      }),
    ]);
    gateway.rejectCreate = undefined;
    await s.retryParked('c10');
    await s.flush();
    expect(gateway.tasksFor('c10')).toHaveLength(1);
    expect(s.listParked()).toEqual([]);
    expect((await thrownBy(s.retryParked('c10'))).code).toBe('CALL_LOG_NOT_PARKED');
  });

  it('reports skipped and disabled logs', async () => {
    const s = service({ missedCalls: 'skip' });
    const missed = ended('c11', { answeredAt: undefined, endReason: 'missed' });
    await s.onCallChanged(missed);
    // A missed inbound call is decided when its PBX call is over.
    expect(await s.status('c11')).toBeUndefined();
    await s.onCallFinished('c11-pbx', [missed]);
    expect(await s.status('c11')).toEqual({
      state: 'skipped',
      error: { code: 'CALL_LOG_NOT_LOGGED', message: 'Missed calls are not logged' },
    });
    expect(
      (await thrownBy(s.addNote({ callId: 'c11', notes: 'x', repExtensions: ['201'] }))).code,
    ).toBe('CALL_LOG_NOT_LOGGED');
    const off = service({ enabled: false });
    await off.onCallChanged(ended('c12'));
    expect(await off.status('c12')).toEqual({ state: 'disabled' });
  });

  it('picks up a log retried by hand in the database within a minute', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate'] });
    try {
      const s = service({}, { now: () => new Date() });
      gateway.rejectCreate = { errorCode: 'INVALID_FIELD', message: 'no such field' };
      await s.start();
      await s.onCallChanged(ended('c14'));
      await s.flush();
      expect((await s.status('c14'))?.state).toBe('parked');
      gateway.rejectCreate = undefined;
      // What docs/call-logging.md tells an admin to run when the bridge offers no other way
      db.prepare(
        "UPDATE call_log_outbox SET state = 'pending', attempts = 0, next_attempt_at = 0 WHERE call_id = 'c14'",
      ).run();
      await jest.advanceTimersByTimeAsync(60_000);
      expect(gateway.tasksFor('c14')).toHaveLength(1);
    } finally {
      jest.useRealTimers();
    }
  });

  it('survives a database failure while sending (no unhandled rejection)', async () => {
    const s = service();
    await s.onCallChanged(ended('c15'));
    db.exec('DROP TABLE call_log_outbox');
    await expect(s.flush()).resolves.toBeUndefined();
    expect(gateway.calls).toHaveLength(0);
  });

  it('upgrades an outbox written by the first schema and sends what it holds', async () => {
    applyMigrations(db, 'call-log', CALL_LOG_MIGRATIONS.slice(0, 1), silentLogger());
    db.prepare(
      `INSERT INTO call_log_outbox (call_id, extension, fields_json, state, next_attempt_at,
         ended_at, created_at, updated_at)
       VALUES ('old-1', '201', '{"CallObject":"old-1","Subject":"x"}', 'pending', 0, ?, ?, ?)`,
    ).run(START, START, START);
    const s = service();
    expect(schemaVersion(db, 'call-log')).toBe(CALL_LOG_MIGRATIONS.length);
    await s.flush();
    expect(gateway.tasksFor('old-1')).toHaveLength(1);
  });

  it('logs stored while a batch is sent go out together, a batch window later', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate'] });
    try {
      let release: () => void = () => undefined;
      let gate = new Promise<void>((resolve) => (release = resolve));
      class SlowGateway extends BatchingFakeGateway {
        override async create(sobject: string, fields: Record<string, unknown>) {
          await gate;
          return super.create(sobject, fields);
        }
        override async createMany(sobject: string, records: readonly Record<string, unknown>[]) {
          await gate;
          return super.createMany(sobject, records);
        }
      }
      const slow = new SlowGateway();
      const s = service({}, { gateway: slow, now: () => new Date() });
      await s.start();
      await s.onCallChanged(ended('w1'));
      await jest.advanceTimersByTimeAsync(250); // the batch window: w1's request is under way
      await s.onCallChanged(ended('w2'));
      gate = Promise.resolve();
      release();
      await jest.advanceTimersByTimeAsync(50);
      await s.onCallChanged(ended('w3'));
      await jest.advanceTimersByTimeAsync(300);
      // One Task alone goes out as a create, several as one Collections request.
      const requests = slow.calls.flatMap((c) =>
        c.op === 'create' ? ['Task x1'] : c.op === 'createMany' ? [c.detail] : [],
      );
      expect(requests).toEqual(['Task x1', 'Task x2']);
    } finally {
      jest.useRealTimers();
    }
  });

  it('sends by itself once started, on the timer', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate'] });
    try {
      const s = service({}, { now: () => new Date() });
      await s.start();
      gateway.failNext(1, 'SF_UNAVAILABLE');
      await s.onCallChanged(ended('c13'));
      await s.flush();
      expect(gateway.tasksFor('c13')).toHaveLength(0);
      // The retry is due in 0.5 s (random() = 0, base 1 s)
      await jest.advanceTimersByTimeAsync(600);
      expect(gateway.tasksFor('c13')).toHaveLength(1);
    } finally {
      jest.useRealTimers();
    }
  });

  /** A service after a restart whose call core keeps `callId` across it. */
  function serviceKeeping(callId: string) {
    return service(
      {},
      {
        calls: {
          onCallChanged: () => () => undefined,
          onCallFinished: () => () => undefined,
          setLogStatus: (id, status) => published.push({ callId: id, status }),
          resumes: (id) => id === callId,
        },
      },
    );
  }

  it('a call resumed after a restart keeps the notes typed before it; a new call asks for no draft', async () => {
    const connected = (id: string): Call => ({ ...ended(id), state: 'connected' });
    const before = service();
    await before.start();
    await before.onCallChanged(connected('c20'));
    await before.addNote({ callId: 'c20', notes: 'send the contract', repExtensions: ['201'] });
    await before.stop(); // the bridge stops mid-call; the call core keeps c20 across it

    const reads = jest.spyOn(SqliteCallLogOutbox.prototype, 'getDraft');
    const after = serviceKeeping('c20');
    await after.start();
    // The PBX says the call is still up, and then that it ended: its notes go with the Task.
    await after.onCallChanged(connected('c20'));
    await after.onCallChanged(ended('c20'));
    // A call that first rang in this run on this bridge's own outbox has no draft to read.
    await after.onCallChanged(connected('c21'));
    await after.onCallChanged(ended('c21'));
    await after.flush();
    expect(gateway.tasksFor('c20')).toEqual([
      expect.objectContaining({ Description: 'send the contract' }),
    ]);
    expect(gateway.tasksFor('c21')).toHaveLength(1);
    expect(reads.mock.calls).toEqual([['c20']]);
    reads.mockRestore();
  });

  it('looks for a draft to drop with a log only where one may be: left by the last run or written in this one', async () => {
    const connected = (id: string): Call => ({ ...ended(id), state: 'connected' });
    const note = (s: CallLogService, callId: string, notes: string) =>
      s.addNote({ callId, notes, repExtensions: ['201'] });
    const before = service();
    await before.start();
    await before.onCallChanged(connected('d1'));
    await note(before, 'd1', 'interrupted by the stop');
    await before.onCallChanged(connected('d2'));
    await note(before, 'd2', 'typed before the restart');
    await before.stop(); // d1 is over when the bridge is back; d2 is kept across the restart

    const inserts = jest.spyOn(SqliteCallLogOutbox.prototype, 'insertEnded');
    const after = serviceKeeping('d2');
    await after.start(); // logs d1 with its notes
    await after.onCallChanged(connected('d2'));
    await after.onCallChanged(ended('d2'));
    await after.onCallChanged(connected('d3'));
    await note(after, 'd3', 'typed in this run');
    await after.onCallChanged(ended('d3'));
    await after.onCallChanged(connected('d4'));
    await after.onCallChanged(ended('d4'));
    await after.flush();

    expect(inserts.mock.calls.map(([entry, , hint]) => [entry.callId, hint])).toEqual([
      ['d1', 'maybe'],
      ['d2', 'maybe'],
      ['d3', 'maybe'],
      ['d4', 'none'],
    ]);
    inserts.mockRestore();
    expect(['d1', 'd2', 'd3', 'd4'].map((id) => gateway.tasksFor(id)[0]?.Description)).toEqual([
      'interrupted by the stop',
      'typed before the restart',
      'typed in this run',
      undefined,
    ]);
    // Every draft went with its log: a third run has none to log again.
    expect(await new SqliteCallLogOutbox(db, silentLogger()).listDrafts()).toEqual([]);
  });
});

describe('call-log/call-log-service when the database refuses writes (real SQLite errors)', () => {
  const teardown = new Teardown();
  afterEach(() => teardown.run());

  /** A service on a database file, logging where the test can read it. */
  function setUp() {
    const dir = teardown.add(mkdtempSync(path.join(tmpdir(), 'switchboard-refused-')), (d) => {
      rmSync(d, { recursive: true, force: true });
    });
    const db = teardown.add(openDatabase(path.join(dir, 'switchboard.db'), silentLogger()), (d) =>
      d.close(),
    );
    const gateway = new FakeGateway();
    const { logger, lines } = captureLogger();
    const s = new CallLogService({
      db,
      gateway,
      config: CallLogSchema.parse({}),
      repUserIdForExtension: () => '005000000000REP01',
      logger,
      now: () => new Date(START),
      random: () => 0,
      calls: {
        onCallChanged: () => () => undefined,
        onCallFinished: () => () => undefined,
        setLogStatus: () => undefined,
      },
    });
    teardown.add(s, (started) => started.stop());
    const refusals = () => lines.filter((l) => l.code === ErrorCodes.STORAGE_WRITE_FAILED);
    return { db, gateway, s, lines, refusals };
  }

  it('a full disk: the log and the notes typed during the call wait in memory, the admin is told once', async () => {
    const { db, gateway, s, lines, refusals } = setUp();
    // The database may not grow: SQLite answers SQLITE_FULL, "database or disk is full".
    db.pragma(`max_page_count = ${String(db.pragma('page_count', { simple: true }))}`);
    const notes = 'Wants a quote for 40 seats. '.repeat(700); // 19,600 characters: new pages
    await s.onCallChanged({ ...ended('full-1'), state: 'connected' });
    await s.addNote({ callId: 'full-1', notes, repExtensions: ['201'] });
    await s.onCallChanged(ended('full-1'));
    expect(await s.status('full-1')).toEqual({ state: 'pending' });
    expect(s.counts()).toMatchObject({ unsaved: 1 });
    expect(s.storageProblem()).toEqual({
      code: ErrorCodes.STORAGE_WRITE_FAILED,
      message: expect.stringContaining('database or disk is full') as unknown,
    });
    await s.flush(); // still full: still held, and no second error line
    expect(gateway.tasksFor('full-1')).toEqual([]);
    expect(refusals()).toEqual([
      expect.objectContaining({
        level: 'error',
        hint: expect.stringContaining('disk space') as unknown,
      }),
    ]);

    db.pragma('max_page_count = 1073741823'); // space again
    await s.flush();
    expect(gateway.tasksFor('full-1')).toEqual([expect.objectContaining({ Description: notes })]);
    expect(s.counts()).toMatchObject({ unsaved: 0, sent: 1 });
    expect(s.storageProblem()).toBeUndefined();
    expect(lines.some((l) => l.level === 'info' && l.msg.includes('takes writes again'))).toBe(
      true,
    );
    expect(refusals()).toHaveLength(1);
  });

  it('a read-only or locked database: held, retried on the timer, then sent', async () => {
    const { db, gateway, s } = setUp();
    await s.start();
    db.pragma('query_only = ON'); // SQLITE_READONLY, as a file another process holds would
    await s.onCallChanged(ended('ro-1'));
    await s.onCallChanged(ended('ro-1')); // a repeated `ended` is not a second held log
    expect(s.counts()).toMatchObject({ unsaved: 1, pending: 0 });
    db.pragma('query_only = OFF');
    // No one calls flush: the worker retries by itself within STORAGE_RETRY_MS.
    const deadline = Date.now() + 20_000;
    while (gateway.tasksFor('ro-1').length === 0 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(gateway.tasksFor('ro-1')).toHaveLength(1);
    expect(s.counts()).toMatchObject({ unsaved: 0 });
  }, 30_000);
});

describe('call-log/call-log-service: queue calls and click-to-dials (issue 11)', () => {
  const CONTACT_MATCH = {
    id: CONTACT_ID,
    object: 'Contact',
    name: 'Ada',
    phoneField: 'Phone',
  } as const;
  let db: Database;
  let gateway: FakeGateway;
  let published: { callId: string; status: CallLogStatus }[];
  let s: CallLogService;
  const teardown = new Teardown();
  beforeEach(async () => {
    db = teardown.add(openDatabase(':memory:', silentLogger()), (d) => d.close());
    gateway = new FakeGateway();
    published = [];
    s = new CallLogService({
      db,
      gateway,
      config: { ...CallLogSchema.parse({}), missedCalls: 'callback-task' },
      repUserIdForExtension: (ext) => `005000000000R${ext}`,
      logger: silentLogger(),
      now: () => new Date(START),
      random: () => 0,
      calls: {
        onCallChanged: () => () => undefined,
        onCallFinished: () => () => undefined,
        setLogStatus: (callId, status) => published.push({ callId, status }),
      },
    });
    teardown.add(s, (started) => started.stop());
    await s.start();
  });
  afterEach(() => {
    jest.restoreAllMocks();
    return teardown.run();
  });

  const leg = (id: string, overrides: Partial<Call> = {}): Call =>
    endedCall(id, { answeredAt: undefined, endReason: 'missed', matches: [], ...overrides });

  it('an abandoned queue call: one call-back Task under the leg that rang first', async () => {
    const first = leg('q1:202', { extension: '202', startedAt: '2026-12-01T19:28:39.000Z' });
    const second = leg('q1:201', { extension: '201', startedAt: '2026-12-01T19:28:39.500Z' });
    await s.onCallChanged(first);
    await s.onCallChanged(second);
    expect(s.counts().pending + s.counts().skipped).toBe(0);
    await s.onCallFinished('q1', [second, first]);
    // A repeated finish (a restart before the store forgot the call) adds nothing.
    await s.onCallFinished('q1', [second, first]);
    await s.flush();
    expect(gateway.tasksFor('q1:202')).toEqual([
      expect.objectContaining({
        OwnerId: '005000000000R202',
        Status: 'Not Started',
        Description: expect.stringContaining('on extensions 202, 201.') as unknown,
      }),
    ]);
    expect(gateway.tasksFor('q1:201')).toEqual([]);
    expect(await s.status('q1:201')).toEqual({
      state: 'skipped',
      error: { code: 'CALL_LOG_NOT_LOGGED', message: 'Logged once for the call, as q1:202' },
    });
  });

  it('a queue call someone answered: no Task for the members who did not', async () => {
    const busy = leg('q2:202', { extension: '202', endReason: 'busy' });
    const answered = endedCall('q2:201', { matches: [] });
    await s.onCallChanged(busy);
    await s.onCallChanged(answered);
    await s.onCallFinished('q2', [answered, busy]);
    await s.flush();
    expect(gateway.tasksFor('q2:201')).toHaveLength(1);
    expect(gateway.tasksFor('q2:202')).toEqual([]);
    expect(await s.status('q2:202')).toMatchObject({
      state: 'skipped',
      error: { message: 'Answered by a colleague: their call log has it' },
    });
  });

  it('a leg that rang out and was answered on the next ring cycle is one Task, the conversation', async () => {
    await s.onCallChanged(leg('q3:201', { endReason: 'no-answer' }));
    const second = endedCall('q3:201', { matches: [] });
    await s.onCallChanged(second);
    await s.onCallFinished('q3', [second]);
    await s.flush();
    // endedCall: answered 50 s before it ended.
    expect(gateway.tasksFor('q3:201')).toEqual([
      expect.objectContaining({ Status: 'Completed', CallDurationInSeconds: 50 }),
    ]);
  });

  it('a call that ends before its caller lookup answers is logged with the caller once it does', async () => {
    const pending = endedCall('l1:201', { lookup: 'pending', matches: [] });
    await s.onCallChanged(pending);
    expect(await s.status('l1:201')).toBeUndefined();
    await s.onCallChanged({ ...pending, lookup: 'done', matches: [CONTACT_MATCH] });
    await s.flush();
    expect(gateway.tasksFor('l1:201')).toEqual([
      expect.objectContaining({ WhoId: CONTACT_MATCH.id }),
    ]);
  });

  it('asks the outbox once for a call it logs; a repeated end and finish ask again and add nothing', async () => {
    const reads = jest.spyOn(SqliteCallLogOutbox.prototype, 'get');
    const call = endedCall('r1:201', { matches: [CONTACT_MATCH] });
    await s.onCallChanged(call);
    await s.onCallFinished('r1', [call]);
    expect(reads).toHaveBeenCalledTimes(1);
    // A webhook retry of the end, a restart finishing the call again: the log is found.
    await s.onCallChanged(call);
    await s.onCallFinished('r1', [call]);
    await s.flush();
    expect(reads).toHaveBeenCalledTimes(3);
    expect(gateway.tasksFor('r1:201')).toHaveLength(1);
  });

  it('a missed call asks the outbox once, when its leg ends; with a shared outbox, again at the call’s end', async () => {
    const reads = jest.spyOn(SqliteCallLogOutbox.prototype, 'get');
    const missed = leg('m1:201');
    await s.onCallChanged(missed);
    await s.onCallFinished('m1', [missed]);
    expect(reads).toHaveBeenCalledTimes(1);
    expect(await s.status('m1:201')).toEqual({ state: 'pending' });

    // Several bridges: another one may store the log between the leg's end and the call's.
    class SharedOutbox extends SqliteCallLogOutbox {
      override readonly shared = true;
    }
    const shared = new CallLogService({
      outbox: new SharedOutbox(db, silentLogger()),
      gateway,
      config: { ...CallLogSchema.parse({}), missedCalls: 'callback-task' },
      repUserIdForExtension: (ext) => `005000000000R${ext}`,
      logger: silentLogger(),
      now: () => new Date(START),
      calls: {
        onCallChanged: () => () => undefined,
        onCallFinished: () => () => undefined,
        setLogStatus: () => undefined,
      },
    });
    teardown.add(shared, (started) => started.stop());
    reads.mockClear();
    const other = leg('m2:201');
    await shared.onCallChanged(other);
    await shared.onCallFinished('m2', [other]);
    expect(reads).toHaveBeenCalledTimes(2);
    await s.flush();
    expect(gateway.tasksFor('m1:201')).toHaveLength(1);
  });

  it('another bridge stores the log between our look and our insert: one log, and not ours to tell', async () => {
    const otherBridge = new SqliteCallLogOutbox(db, silentLogger());
    // The same database read through another outbox object, which the spy below leaves alone.
    const read = otherBridge.get.bind(otherBridge);
    let raced = false;
    jest.spyOn(SqliteCallLogOutbox.prototype, 'get').mockImplementation(async (callId: string) => {
      const row = await read(callId);
      if (!raced) {
        raced = true;
        await otherBridge.insertEnded(
          {
            callId,
            extension: '201',
            fields: { Subject: 'Theirs', CallObject: callId },
            state: 'pending',
            endedAt: START,
          },
          START,
        );
      }
      return row;
    });
    const call = endedCall('r2:201', { matches: [CONTACT_MATCH] });
    await s.onCallChanged(call);
    await s.onCallFinished('r2', [call]);
    await s.flush();
    expect(gateway.tasksFor('r2:201')).toEqual([expect.objectContaining({ Subject: 'Theirs' })]);
    expect(published.filter((p) => p.callId === 'r2:201' && p.status.state === 'pending')).toEqual(
      [],
    );
  });

  it('a log stored already is not relinked from a leg whose lookup has not answered here', async () => {
    // Two bridges follow the call; the other one logged it with the caller's record.
    const call = endedCall('r3:201', { matches: [CONTACT_MATCH] });
    await s.onCallChanged(call);
    await s.flush();
    expect(gateway.tasksFor('r3:201')).toEqual([expect.objectContaining({ WhoId: CONTACT_ID })]);
    // This bridge sees the end before its own lookup answers, then the answer.
    await s.onCallChanged({ ...call, lookup: 'pending', matches: [] });
    await s.flush();
    expect(gateway.tasksFor('r3:201')).toEqual([expect.objectContaining({ WhoId: CONTACT_ID })]);
    await s.onCallChanged(call);
    await s.flush();
    expect(gateway.tasksFor('r3:201')).toEqual([expect.objectContaining({ WhoId: CONTACT_ID })]);
    expect(gateway.calls.filter((c) => c.op === 'update')).toEqual([]);
  });

  it('a log stored already is not relinked from a leg whose lookup failed here, unless the rep picked a record', async () => {
    // Two bridges follow the call; the other one's lookup answered and logged the caller.
    const call = endedCall('r4:201', { matches: [CONTACT_MATCH] });
    await s.onCallChanged(call);
    await s.flush();
    // Salesforce failed this bridge's lookup: it knows nobody, and must not say so on the Task.
    await s.onCallChanged({ ...call, lookup: 'failed', matches: [] });
    await s.flush();
    expect(gateway.tasksFor('r4:201')).toEqual([expect.objectContaining({ WhoId: CONTACT_ID })]);
    expect(gateway.calls.filter((c) => c.op === 'update')).toEqual([]);
    // The rep picked a record here after all: that choice is the Task's.
    await s.onCallChanged({
      ...call,
      lookup: 'failed',
      matches: [],
      linkedRecordId: '003000000000002AAA',
    });
    await s.flush();
    expect(gateway.tasksFor('r4:201')).toEqual([
      expect.objectContaining({ WhoId: '003000000000002AAA' }),
    ]);
  });

  it('a click-to-dial the rep’s own phone did not take is not logged', async () => {
    await s.onCallChanged(
      endedCall('o1:201', {
        direction: 'outbound',
        answeredAt: undefined,
        endReason: 'busy',
        notDialed: true,
      }),
    );
    await s.flush();
    expect(gateway.tasksFor('o1:201')).toEqual([]);
    expect(published.at(-1)).toMatchObject({ callId: 'o1:201', status: { state: 'skipped' } });
  });
});
