// Call logging against an org as strict as a real one: a busy org that locks the row on insert,
// Task statuses and priorities an admin renamed, a restricted CallDisposition picklist, and an
// integration user without Edit on a Task field. The log lands once, with what the org accepts.
import { CallLogService, type CallLogStatus } from '../../src/call-log/call-log-service';
import { CallLogSchema, type CallLogConfig } from '../../src/config/schema';
import { EmulatedOrg, type EmulatedOrgOptions } from '../../src/demo/emulated-org/emulated-org';
import { openDatabase, type Database } from '../../src/storage/database';
import { captureLogger } from '../support/capture-logger';
import { gatewayForOrg } from '../support/org-gateway';
import { CONTACT, ENDED_AT, REP_USER_ID, SEED, endedCall } from './support/calls';
import { Teardown } from '../support/teardown';

interface Harness {
  org: EmulatedOrg;
  service: CallLogService;
  db: Database;
  lines: ReturnType<typeof captureLogger>['lines'];
  published: Map<string, CallLogStatus>;
  clock: { t: number };
}

/** What start() started, stopped after each test (also when it failed halfway). */
const teardown = new Teardown();

async function start(
  orgOptions: Omit<EmulatedOrgOptions, 'seed'> = {},
  config: Partial<CallLogConfig> = {},
): Promise<Harness> {
  const org = teardown.add(await EmulatedOrg.start({ seed: SEED, ...orgOptions }), (o) => o.stop());
  const { logger, lines } = captureLogger();
  const db = teardown.add(openDatabase(':memory:', logger), (d) => d.close());
  const clock = { t: ENDED_AT + 1000 };
  const published = new Map<string, CallLogStatus>();
  const service = new CallLogService({
    db,
    gateway: gatewayForOrg(org, { logger }),
    config: { ...CallLogSchema.parse({ retry: { baseSeconds: 1, maxSeconds: 4 } }), ...config },
    repUserIdForExtension: () => REP_USER_ID,
    logger,
    now: () => new Date(clock.t),
    random: () => 0.5,
    calls: {
      onCallChanged: () => () => undefined,
      onCallFinished: () => () => undefined,
      setLogStatus: (callId, status) => published.set(callId, status),
    },
  });
  teardown.add(service, (s) => s.stop());
  return { org, service, db, lines, published, clock };
}

afterEach(() => teardown.run());

/** Runs the worker until nothing is due, moving the clock past each backoff. */
async function drain(h: Harness, rounds = 6): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await h.service.flush();
    h.clock.t += 5000;
  }
}

const tasks = (h: Harness, callId: string) =>
  h.org.records('Task').filter((t) => t.CallObject === callId);

describe('call logging in a strict org', () => {
  it('retries a row lock on the Task insert, and the Task lands once', async () => {
    const h = await start();
    // More lock errors than the gateway's own quick retry: the outbox retries with backoff.
    h.org.faults.failNext(3, 'UNABLE_TO_LOCK_ROW', 'create');

    await h.service.onCallChanged(endedCall('locked-1', { matches: [CONTACT] }));
    await drain(h);

    expect(tasks(h, 'locked-1')).toHaveLength(1);
    expect(h.published.get('locked-1')).toMatchObject({ state: 'logged' });
    expect(h.org.faults.pendingFailures).toEqual([]);
    expect(h.service.counts()).toMatchObject({ parked: 0, sent: 1 });
  });

  it("writes the org's own Task statuses and priority instead of Completed, Not Started and Normal", async () => {
    const h = await start(
      {
        picklists: {
          'Task.Status': {
            values: [
              { value: 'Offen', default: true },
              { value: 'Erledigt', closed: true },
            ],
          },
          'Task.Priority': { values: ['Hoch', { value: 'Mittel', default: true }, 'Niedrig'] },
        },
      },
      { missedCalls: 'callback-task' },
    );
    await h.service.onCallChanged(endedCall('renamed-done', { matches: [CONTACT] }));
    const missed = endedCall('renamed-missed', { answeredAt: undefined, endReason: 'missed' });
    await h.service.onCallChanged(missed);
    // A missed inbound call is decided when its PBX call is over.
    await h.service.onCallFinished('renamed-missed', [missed]);
    await drain(h);

    expect(tasks(h, 'renamed-done')).toMatchObject([{ Status: 'Erledigt', Priority: 'Mittel' }]);
    expect(tasks(h, 'renamed-missed')).toMatchObject([{ Status: 'Offen', Priority: 'Mittel' }]);
  });

  it('takes the statuses from callLog.taskValues when the admin maps them', async () => {
    const h = await start(
      {
        picklists: {
          'Task.Status': {
            values: [
              { value: 'Offen', default: true },
              { value: 'Abgeschlossen', closed: true },
              { value: 'Telefoniert', closed: true },
            ],
          },
        },
      },
      { taskValues: { closedStatus: 'Telefoniert' } },
    );
    await h.service.onCallChanged(endedCall('mapped', { matches: [CONTACT] }));
    await drain(h);
    expect(tasks(h, 'mapped')).toMatchObject([{ Status: 'Telefoniert' }]);
  });

  it('leaves out what the integration user may not write, logs it once, and still logs the call', async () => {
    const h = await start({
      fieldPermissions: { 'Task.Description': 'read' },
      picklists: { 'Task.CallDisposition': { values: ['Reached', 'Voicemail'] } },
    });
    // Outbound calls to a busy number: logged at once, CallDisposition Busy.
    for (const id of ['busy-1', 'busy-2'])
      await h.service.onCallChanged(
        endedCall(id, {
          matches: [CONTACT],
          direction: 'outbound',
          answeredAt: undefined,
          endReason: 'busy',
        }),
      );
    await h.service.addNote({ callId: 'busy-1', notes: 'left a message', repExtensions: ['201'] });
    await drain(h);

    for (const id of ['busy-1', 'busy-2']) {
      expect(h.published.get(id)).toMatchObject({ state: 'logged' });
      const [task] = tasks(h, id);
      expect(task).toBeDefined();
      expect(task).not.toHaveProperty('CallDisposition');
      expect(task?.Description ?? null).toBeNull();
    }
    const edit = h.lines.filter((l) => l.code === 'SF_FIELD_NOT_ACCESSIBLE');
    expect(edit).toEqual([
      expect.objectContaining({
        level: 'warn',
        object: 'Task',
        field: 'Description',
        permission: 'Edit',
        permissionSet: 'Switchboard_Integration',
      }),
    ]);
    const picklist = h.lines.filter((l) => l.code === 'SF_PICKLIST_VALUE_MISSING');
    expect(picklist).toEqual([
      expect.objectContaining({ object: 'Task', field: 'CallDisposition', value: 'Busy' }),
    ]);
  });
});
