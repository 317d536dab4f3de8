// Call logging end to end: the real jsforce gateway against the emulated org, with faults
// injected (outage, expired sessions, API limits, a validation rule) and a killed process.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CallLogService, type CallLogStatus } from '../../src/call-log/call-log-service';
import { CallLogSchema, type CallLogConfig } from '../../src/config/schema';
import { EmulatedOrg } from '../../src/demo/emulated-org/emulated-org';
import { silentLogger } from '../../src/logging/logger';
import type { JsforceSalesforceGateway } from '../../src/salesforce/jsforce-gateway';
import { openDatabase, type Database } from '../../src/storage/database';
import {
  ACCOUNT,
  CONTACT,
  ENDED_AT,
  LEAD,
  LEAD_OWNER_ID,
  REP_USER_ID,
  SEED,
  endedCall,
} from './support/calls';
import { gatewayForOrg } from '../support/org-gateway';
import { Teardown } from '../support/teardown';
import { typescriptNodeArgs } from '../support/ts-child';
import { until } from '../support/wait-for-value';

describe('call logging against the emulated org', () => {
  const logger = silentLogger();
  let org: EmulatedOrg;
  let gateway: JsforceSalesforceGateway;
  let dir: string;
  let db: Database;
  let clock: number;
  let published: Map<string, CallLogStatus>;
  const teardownAll = new Teardown();
  const teardownEach = new Teardown();

  beforeAll(async () => {
    org = teardownAll.add(await EmulatedOrg.start({ seed: SEED }), (o) => o.stop());
  });
  afterAll(() => teardownAll.run());

  beforeEach(() => {
    org.faults.clear();
    gateway = gatewayForOrg(org, { logger, getRetries: 0 });
    dir = teardownEach.add(mkdtempSync(path.join(tmpdir(), 'switchboard-calllog-')), (d) => {
      rmSync(d, { recursive: true, force: true });
    });
    db = openDatabase(path.join(dir, 'switchboard.db'), logger);
    // The current database: a test may reopen it.
    teardownEach.add(db, () => db.close());
    clock = ENDED_AT + 1000;
    published = new Map();
  });
  afterEach(() => teardownEach.run());

  function service(overrides: Partial<CallLogConfig> = {}): CallLogService {
    const s = new CallLogService({
      db,
      gateway,
      config: {
        ...CallLogSchema.parse({ retry: { baseSeconds: 1, maxSeconds: 4 } }),
        ...overrides,
      },
      repUserIdForExtension: (ext) => (ext === '201' ? REP_USER_ID : undefined),
      logger,
      now: () => new Date(clock),
      random: () => 0.5,
      calls: {
        onCallChanged: () => () => undefined,
        onCallFinished: () => () => undefined,
        setLogStatus: (callId, status) => published.set(callId, status),
      },
    });
    teardownEach.add(s, (started) => started.stop());
    return s;
  }

  function tasksFor(callId: string): Record<string, unknown>[] {
    // Fields never set are absent from the org's records: show them as null
    return org
      .records('Task')
      .filter((t) => t.CallObject === callId)
      .map((t) => ({ WhoId: null, WhatId: null, ...t }));
  }

  /** Runs the worker until nothing is due, moving the clock past each backoff. */
  /** support/outbox-child.ts, a bridge stand-in the test kills, on this org. */
  function spawnOutboxChild(args: Record<string, unknown>): ChildProcess {
    return spawn(
      process.execPath,
      [
        ...typescriptNodeArgs(path.join(__dirname, 'support', 'outbox-child.ts')),
        JSON.stringify({ org: { url: org.url, credentials: org.credentials }, ...args }),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
  }

  async function drain(s: CallLogService, rounds = 10): Promise<void> {
    for (let i = 0; i < rounds; i++) {
      await s.flush();
      clock += 5000;
    }
  }

  it('gives every ended call one Task with the right fields and links', async () => {
    const s = service({ missedCalls: 'callback-task' });
    const run = `fields-${Date.now()}`;
    await s.onCallChanged(endedCall(`${run}-contact`, { matches: [CONTACT] }));
    await s.onCallChanged(endedCall(`${run}-lead`, { matches: [LEAD, ACCOUNT] }));
    await s.onCallChanged(endedCall(`${run}-account`, { matches: [ACCOUNT] }));
    await s.onCallChanged(
      endedCall(`${run}-none`, { matches: [CONTACT, LEAD], direction: 'outbound' }),
    );
    const missed = endedCall(`${run}-missed`, {
      matches: [LEAD],
      answeredAt: undefined,
      endReason: 'missed',
    });
    await s.onCallChanged(missed);
    await s.onCallFinished(`${run}-missed-pbx`, [missed]);
    await s.flush();

    const contact = tasksFor(`${run}-contact`);
    expect(contact).toHaveLength(1);
    expect(contact[0]).toMatchObject({
      TaskSubtype: 'Call',
      CallType: 'Inbound',
      CallDurationInSeconds: 50,
      Status: 'Completed',
      Priority: 'Normal',
      Subject: 'Inbound call +14155550100',
      ActivityDate: '2025-03-05',
      OwnerId: REP_USER_ID,
      WhoId: CONTACT.id,
      WhatId: ACCOUNT.id,
    });
    expect(tasksFor(`${run}-lead`)[0]).toMatchObject({ WhoId: LEAD.id, WhatId: null });
    expect(tasksFor(`${run}-account`)[0]).toMatchObject({ WhoId: null, WhatId: ACCOUNT.id });
    expect(tasksFor(`${run}-none`)[0]).toMatchObject({
      CallType: 'Outbound',
      WhoId: null,
      WhatId: null,
    });
    expect(tasksFor(`${run}-missed`)[0]).toMatchObject({
      Status: 'Not Started',
      Subject: 'Call back Grace Hopper',
      OwnerId: LEAD_OWNER_ID,
      CallDisposition: 'Missed',
    });
    const contactTaskId = contact[0]!.Id as string;
    expect(published.get(`${run}-contact`)).toEqual({ state: 'logged', taskId: contactTaskId });
  });

  it('puts notes added after hang-up on the same Task', async () => {
    const s = service();
    await s.onCallChanged(endedCall('notes-1', { matches: [CONTACT] }));
    await s.flush();
    clock += 120_000;
    await s.addNote({
      callId: 'notes-1',
      notes: 'Send the proposal',
      disposition: 'Interested',
      repExtensions: ['201'],
    });
    await s.flush();
    const tasks = tasksFor('notes-1');
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({
      Description: 'Send the proposal',
      CallDisposition: 'Interested',
      Subject: 'Inbound call +14155550100',
    });
    expect((await s.status('notes-1'))?.state).toBe('logged');
  });

  it('applies a record the rep picks after hang-up to the same Task', async () => {
    const s = service();
    await s.onCallChanged(endedCall('relink-1', { matches: [CONTACT, LEAD] }));
    await s.flush();
    expect(tasksFor('relink-1')[0]).toMatchObject({ WhoId: null, WhatId: null });
    // call.link after hang-up: CallService publishes the ended call again, now linked
    await s.onCallChanged(
      endedCall('relink-1', { matches: [CONTACT, LEAD], linkedRecordId: CONTACT.id }),
    );
    await s.flush();
    expect(tasksFor('relink-1')).toEqual([
      expect.objectContaining({ WhoId: CONTACT.id, WhatId: ACCOUNT.id }),
    ]);
    // Picking the Lead instead clears WhatId (never a WhatId with a Lead)
    await s.onCallChanged(
      endedCall('relink-1', { matches: [CONTACT, LEAD], linkedRecordId: LEAD.id }),
    );
    await s.flush();
    expect(tasksFor('relink-1')).toEqual([
      expect.objectContaining({ WhoId: LEAD.id, WhatId: null }),
    ]);
  });

  it('delivers every log once after an outage: none lost, none doubled', async () => {
    const s = service();
    org.faults.setDown(true);
    const ids = Array.from({ length: 6 }, (_, i) => `outage-${i}`);
    for (const id of ids) await s.onCallChanged(endedCall(id));
    await drain(s, 3);
    expect(ids.map((id) => tasksFor(id).length)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(await s.status('outage-0')).toMatchObject({
      state: 'pending',
      error: { code: 'SF_UNAVAILABLE' },
    });
    org.faults.setDown(false);
    org.resetCounters();
    await drain(s);
    expect(ids.map((id) => tasksFor(id).length)).toEqual([1, 1, 1, 1, 1, 1]);
    // The six retries: one look for Tasks an attempt may have created, one create for all.
    expect(org.counts.create).toBe(1);
    expect(await statesOf(s, ids)).toEqual(Array(6).fill('logged'));
  });

  it('sends due logs as one sObject Collections create: a log the org refuses is parked alone', async () => {
    const s = service();
    await s.onCallChanged(endedCall('batch-warmup'));
    await s.flush(); // the Task describe and values, read once
    org.faults.rejectWrites('Task', {
      errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
      message: 'Calls to this number need a product',
      when: (task) => task.CallObject === 'batch-2',
    });
    const ids = Array.from({ length: 5 }, (_, i) => `batch-${i}`);
    for (const id of ids) await s.onCallChanged(endedCall(id));
    org.resetCounters();
    await s.flush();

    expect(org.counts.create).toBe(1);
    expect(org.apiCalls).toBe(1);
    expect(ids.map((id) => tasksFor(id).length)).toEqual([1, 1, 0, 1, 1]);
    expect(await statesOf(s, ids)).toEqual(['logged', 'logged', 'parked', 'logged', 'logged']);
    expect(await s.status('batch-2')).toMatchObject({
      error: {
        code: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
        message: expect.stringContaining('Calls to this number need a product') as unknown,
      },
    });

    org.faults.clear();
    await s.retryParked('batch-2');
    await s.flush();
    expect(ids.map((id) => tasksFor(id).length)).toEqual([1, 1, 1, 1, 1]);
  });

  it('renews an expired session and waits out the API limit', async () => {
    const s = service();
    await s.onCallChanged(endedCall('session-1'));
    await s.flush();
    org.faults.expireSessions();
    await s.onCallChanged(endedCall('session-2'));
    await s.flush();
    expect(tasksFor('session-2')).toHaveLength(1);

    org.faults.failNext(3, 'REQUEST_LIMIT_EXCEEDED');
    await s.onCallChanged(endedCall('limit-1'));
    await s.flush();
    expect(await s.status('limit-1')).toMatchObject({
      state: 'pending',
      error: { code: 'SF_REQUEST_LIMIT' },
    });
    await drain(s);
    expect(tasksFor('limit-1')).toHaveLength(1);
  });

  it('parks a Task Salesforce rejects, with its error, and sends it when retried', async () => {
    const s = service();
    org.faults.rejectWrites('Task', {
      errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
      message: 'Subject must name the product',
    });
    await s.onCallChanged(endedCall('rejected-1'));
    await drain(s, 3);
    expect(await s.status('rejected-1')).toEqual({
      state: 'parked',
      error: {
        code: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
        message: expect.stringContaining('Subject must name the product') as unknown,
      },
    });
    expect(s.listParked().map((p) => p.callId)).toEqual(['rejected-1']);
    expect(tasksFor('rejected-1')).toHaveLength(0);

    org.faults.clear();
    await s.retryParked('rejected-1');
    await s.flush();
    expect(tasksFor('rejected-1')).toHaveLength(1);
    expect((await s.status('rejected-1'))?.state).toBe('logged');
  });

  it('delivers a pending outbox exactly once after kill -9 and restart', async () => {
    const database = path.join(dir, 'crash.db');
    const callIds = Array.from({ length: 8 }, (_, i) => `crash-${i}`);
    // Slow answers keep requests in flight when the process dies
    org.faults.setLatency(150);
    const child = spawnOutboxChild({ database, callIds });
    try {
      await waitForLine(child, 'queued');
      // Let some Tasks through, then kill it mid-flight
      await until(() => callIds.some((id) => tasksFor(id).length > 0), 'a first Task');
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    expect(child.signalCode).toBe('SIGKILL');
    const deliveredBeforeRestart = callIds.filter((id) => tasksFor(id).length > 0).length;
    expect(deliveredBeforeRestart).toBeLessThan(callIds.length);
    org.faults.setLatency(0);

    // Restart: a new service on the same database file
    db.close();
    db = openDatabase(database, logger);
    clock = Date.now();
    const s = service();
    await s.start();
    await drain(s);
    expect(callIds.map((id) => tasksFor(id).length)).toEqual(Array(callIds.length).fill(1));
    expect(await statesOf(s, callIds)).toEqual(Array(callIds.length).fill('logged'));
  }, 30_000);

  it('keeps the notes typed during a call through kill -9 before hang-up', async () => {
    const database = path.join(dir, 'notes.db');
    const notes = 'Wants a quote for 40 seats; call back Friday';
    const child = spawnOutboxChild({
      database,
      callIds: [],
      liveCall: { callId: 'live-1', notes, disposition: 'Interested' },
    });
    try {
      await waitForLine(child, 'queued');
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    expect(child.signalCode).toBe('SIGKILL');
    expect(tasksFor('live-1')).toEqual([]);

    // Restart: the call that was under way is logged with its notes.
    db.close();
    db = openDatabase(database, logger);
    clock = Date.now();
    const s = service();
    await s.start();
    await drain(s);
    expect(tasksFor('live-1')).toEqual([
      expect.objectContaining({ Description: notes, CallDisposition: 'Interested' }),
    ]);
  }, 30_000);
});

/** Each call's log state, in order. */
async function statesOf(s: CallLogService, callIds: readonly string[]) {
  const states: Array<string | undefined> = [];
  for (const id of callIds) states.push((await s.status(id))?.state);
  return states;
}

function waitForLine(child: ChildProcess, line: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.split('\n').includes(line)) resolve();
    });
    child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('exit', (code) => {
      reject(new Error(`child exited (${String(code)}) before "${line}": ${err.slice(0, 2000)}`));
    });
  });
}
