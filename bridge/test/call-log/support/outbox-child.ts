// A bridge stand-in for the crash tests: opens the outbox database, queues ended calls and
// starts sending them to the emulated org, keeps a call under way with the rep's notes
// (`liveCall`), then waits to be killed (SIGKILL) mid-send or before hang-up.
// Run by call-log-emulated-org.test.ts through a TypeScript require hook; argv[2] is JSON.
import { CallLogService } from '../../../src/call-log/call-log-service';
import { CallLogSchema } from '../../../src/config/schema';
import { silentLogger } from '../../../src/logging/logger';
import { openDatabase } from '../../../src/storage/database';
import { gatewayForOrg, type OrgAddress } from '../../support/org-gateway';
import { endedCall } from './calls';

interface ChildArgs {
  database: string;
  org: OrgAddress;
  callIds: string[];
  liveCall?: { callId: string; notes: string; disposition: string };
}

const args = JSON.parse(process.argv[2] ?? '{}') as ChildArgs;
const logger = silentLogger();
const db = openDatabase(args.database, logger);
const gateway = gatewayForOrg(args.org, { logger });
const service = new CallLogService({
  db,
  gateway,
  config: CallLogSchema.parse({ retry: { baseSeconds: 0.05, maxSeconds: 0.2 } }),
  repUserIdForExtension: () => undefined,
  logger,
  calls: {
    onCallChanged: () => () => undefined,
    onCallFinished: () => () => undefined,
    setLogStatus: () => undefined,
  },
  concurrency: 2,
  // Two logs per sObject Collections create: the kill lands with some Tasks created and
  // others not (one request for all eight would be done before the parent could kill).
  batchSize: 2,
});
async function queue(): Promise<void> {
  await service.start();
  for (const id of args.callIds) await service.onCallChanged(endedCall(id));
  const live = args.liveCall;
  if (live !== undefined) {
    const call = { ...endedCall(live.callId), state: 'connected' as const };
    delete call.endedAt;
    delete call.endReason;
    await service.onCallChanged(call);
    await service.addNote({ ...live, repExtensions: [call.extension] });
  }
  // Everything is in the outbox now (the writes have resolved): the parent may kill us.
  process.stdout.write('queued\n');
}
void queue();
setInterval(() => undefined, 60_000);
