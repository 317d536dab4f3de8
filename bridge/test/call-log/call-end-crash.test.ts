// A call's log must survive a crash in every instant after its end, including the one between
// the rep seeing the end and the call log storing its outbox row: the call core keeps the
// legs in its durable store until then (issue 14; found by the hour-long soak, where a
// SIGKILL right after an AMI recovery lost one Task in 27,339).
//
// The dying run is modelled in-process: its outbox never answers the insert, as a process
// killed at that moment never does; what it committed to the SQLite file is exactly what a
// SIGKILL would leave. The next run opens the same file, restores, and must log the call.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  SqliteCallLogOutbox,
  type CallLogOutbox,
  type NewOutboxEntry,
} from '../../src/call-log/call-log-outbox';
import { CallLogService } from '../../src/call-log/call-log-service';
import type { CallEvent } from '../../src/calls/call';
import { CallService } from '../../src/calls/call-service';
import { SqliteCallStore } from '../../src/calls/call-store';
import { CallTracker } from '../../src/calls/call-tracker';
import type { CallerDirectory } from '../../src/calls/caller-directory';
import { CallLogSchema, LookupSchema, PhoneSchema } from '../../src/config/schema';
import { EmulatedOrg } from '../../src/demo/emulated-org/emulated-org';
import { rankMatches } from '../../src/directory/rank-matches';
import { silentLogger } from '../../src/logging/logger';
import type { JsforceSalesforceGateway } from '../../src/salesforce/jsforce-gateway';
import { openDatabase, type Database } from '../../src/storage/database';
import type { UserDirectory } from '../../src/users/user-directory';
import { gatewayForOrg } from '../support/org-gateway';
import { Teardown } from '../support/teardown';
import { CONTACT, REP_USER_ID, SEED } from './support/calls';

const logger = silentLogger();
const users: UserDirectory = {
  extensionsForRep: () => ['201'],
  warningsForRep: () => [],
  extensionsForEmail: (email) => (email === 'ana@acme.example' ? ['201'] : []),
  emailForExtension: (extension) => (extension === '201' ? 'ana@acme.example' : undefined),
  salesforceUserIdForEmail: (email) => (email === 'ana@acme.example' ? REP_USER_ID : undefined),
};
const directory: CallerDirectory = {
  findByNumber: () => Promise.resolve([{ ...CONTACT, lastModifiedAt: '2025-01-01T00:00:00.000Z' }]),
};

/** One run of the bridge's call core and call log on the database file. */
function bridgeRun(db: Database, gateway: JsforceSalesforceGateway, outbox: CallLogOutbox) {
  const calls = new CallService({
    tracker: new CallTracker(),
    directory,
    users,
    phone: PhoneSchema.parse({ defaultCountry: 'US' }),
    lookup: LookupSchema.parse({}),
    rank: rankMatches,
    publish: () => undefined,
    store: new SqliteCallStore(db, logger),
    logger,
    housekeepingIntervalMs: 0,
  });
  const callLog = new CallLogService({
    outbox,
    gateway,
    calls,
    config: CallLogSchema.parse({}),
    repUserIdForExtension: (extension) => (extension === '201' ? REP_USER_ID : undefined),
    logger,
  });
  return { calls, callLog };
}

describe('a call that ends as the bridge dies', () => {
  const teardown = new Teardown();
  afterEach(() => teardown.run());

  it('is logged by the next run when the bridge died before its log was stored', async () => {
    const org = teardown.add(await EmulatedOrg.start({ seed: SEED }), (o) => o.stop());
    const gateway = gatewayForOrg(org, { logger, getRetries: 0 });
    const dir = teardown.add(mkdtempSync(path.join(tmpdir(), 'switchboard-end-crash-')), (d) => {
      rmSync(d, { recursive: true, force: true });
    });
    const file = path.join(dir, 'switchboard.db');

    // The run that dies: its inserts into the outbox never complete.
    const first = teardown.add(openDatabase(file, logger), (db) => db.close());
    const real = new SqliteCallLogOutbox(first, logger);
    let storing!: () => void;
    const reachedInsert = new Promise<void>((resolve) => (storing = resolve));
    const dying: CallLogOutbox = Object.assign(Object.create(real) as CallLogOutbox, {
      insertEnded: (_entry: NewOutboxEntry) => {
        storing();
        return new Promise<boolean>(() => undefined);
      },
    });
    const run1 = bridgeRun(first, gateway, dying);
    await run1.callLog.start();
    const at = new Date();
    const event = (e: Record<string, unknown>) =>
      ({ pbxCallId: 'pbx-1', extension: '201', at, ...e }) as CallEvent;
    run1.calls.handleEvent(
      event({ type: 'ringing', direction: 'inbound', number: '+1 415 555 0101' }),
    );
    await run1.calls.whenIdle();
    run1.calls.handleEvent(event({ type: 'answered' }));
    run1.calls.handleEvent(event({ type: 'ended' }));
    expect(run1.calls.get('pbx-1:201')).toMatchObject({ state: 'ended' });
    await reachedInsert;
    // SIGKILL here: the rep was shown the end, the Task row was never written.

    const second = teardown.add(openDatabase(file, logger), (db) => db.close());
    const run2 = bridgeRun(second, gateway, new SqliteCallLogOutbox(second, logger));
    teardown.add(run2.callLog, (log) => log.stop());
    const resumed = run2.calls.restore();
    expect(resumed?.openCalls).toEqual([]);
    await run2.callLog.start();
    await run2.calls.whenIdle();
    await run2.callLog.flush();

    const tasks = org.records('Task').filter((task) => task.CallObject === 'pbx-1:201');
    expect(tasks).toEqual([
      expect.objectContaining({ WhoId: CONTACT.id, OwnerId: REP_USER_ID, CallType: 'Inbound' }),
    ]);
    expect(await run2.callLog.status('pbx-1:201')).toMatchObject({ state: 'logged' });
  });
});
