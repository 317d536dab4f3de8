// Several bridges share one directory index in PostgreSQL (started by the suite): one bridge at
// a time runs the directory sync (the `directory-sync` lock), the others answer lookups from
// what it wrote without a Salesforce request of their own; when the syncing bridge dies (its
// PostgreSQL session ends, the lock with it), another takes the sync over and keeps the index
// current.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startBridge, type RunningBridge } from '../../src/bridge';
import { parseConfig } from '../../src/config/load';
import { EmulatedOrg } from '../../src/demo/emulated-org/emulated-org';
import type { DirectoryStatus } from '../../src/directory/index/create-indexed-directory';
import { silentLogger } from '../../src/logging/logger';
import { salesforceConfigFor } from '../support/org-gateway';
import { useTestPostgres } from '../support/postgres-server';
import { Teardown } from '../support/teardown';
import { waitForValue } from '../support/wait-for-value';
import {
  ADMIN_TOKEN,
  DEMO_MAPPINGS,
  DEMO_USERS,
  RepClient,
  WEBHOOK_TOKEN,
  postPbxEvent,
} from '../support/test-bridge';

const ANA = DEMO_USERS[0]!;
const ALICE = '003000000000021AAA';
const WAIT_MS = 30_000;

const until = <T>(what: string, check: () => Promise<T | undefined>) =>
  waitForValue(what, check, WAIT_MS);

/** The directory part of a bridge's admin status. */
async function directoryOf(bridge: RunningBridge): Promise<DirectoryStatus> {
  const response = await fetch(`${bridge.httpUrl}/admin/status`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  return ((await response.json()) as { directory: DirectoryStatus }).directory;
}

describe('a directory index shared by several bridges', () => {
  const server = useTestPostgres();
  const teardown = new Teardown();
  let org: EmulatedOrg;
  let certificate: string;

  beforeAll(async () => {
    org = teardown.add(
      await EmulatedOrg.start({
        seed: {
          User: DEMO_USERS,
          Contact: [
            {
              Id: ALICE,
              FirstName: 'Alice',
              LastName: 'External',
              Phone: '+1 415 555 0142',
              OwnerId: ANA.Id,
            },
          ],
        },
        logger: silentLogger(),
      }),
      (o) => o.stop(),
    );
    certificate = path.join(mkdtempSync(path.join(tmpdir(), 'switchboard-directory-')), 'org.pem');
    writeFileSync(certificate, org.identity.certificatePem);
  });
  afterAll(() => teardown.run());

  /** A rep on `bridge` is rung from `number`: the matches the pop shows. */
  async function popFrom(bridge: RunningBridge, callId: string, number: string) {
    const rep = await RepClient.connect(bridge, await org.identity.signToken(ANA.Id));
    await rep.waitFor((f) => f.type === 'ready');
    await postPbxEvent(bridge, {
      callId,
      extension: '201',
      event: 'ringing',
      direction: 'inbound',
      number,
    });
    const call = await rep.waitForCall(
      (c) => c.id === `${callId}:201` && c.lookup === 'done',
      WAIT_MS,
    );
    rep.close();
    return call.matches.map((m) => m.id);
  }

  /** Two bridges sharing a fresh database's directory index; the PostgreSQL URL with them. */
  async function twoBridges(): Promise<{ url: string; bridges: RunningBridge[] }> {
    const url = await server.freshDatabase();
    const config = parseConfig({
      server: { port: 0, host: '127.0.0.1', adminToken: ADMIN_TOKEN },
      auth: { certificate, orgIds: [org.orgId] },
      salesforce: salesforceConfigFor(org),
      phone: { defaultCountry: 'US' },
      pbx: { adapter: 'webhook', webhook: { token: WEBHOOK_TOKEN } },
      users: DEMO_MAPPINGS,
      directory: { enabled: true },
      storage: { database: ':memory:', postgres: { url, poolSize: 4 } },
      log: { level: 'silent' },
    });
    const bridges = await Promise.all(
      [0, 1].map(() => startBridge(config, { logger: silentLogger() })),
    );
    for (const bridge of bridges) teardown.add(bridge, (b) => b.stop());
    return { url, bridges };
  }

  it('syncs on one bridge, answers from the index on each, and hands the sync over when it dies', async () => {
    const { url, bridges } = await twoBridges();

    // The first full load is done once, by one bridge: the other made no request for it.
    await until('the shared index to be loaded', async () => {
      const all = await Promise.all(bridges.map(directoryOf));
      return all.every((d) => d.ready) ? all : undefined;
    });
    const requests = await Promise.all(
      bridges.map(async (b) => (await directoryOf(b)).apiRequests.sinceStart),
    );
    expect(requests.filter((n) => n > 0)).toHaveLength(1);
    const syncing = requests[0]! > 0 ? 0 : 1;
    const leader = bridges[syncing]!;
    const follower = bridges[1 - syncing]!;

    // The other bridge pops the caller from the shared index: a hit, no request of its own.
    expect(await popFrom(follower, 'shared-dir-1', '+1 415 555 0142')).toEqual([ALICE]);
    expect(await directoryOf(follower)).toMatchObject({
      apiRequests: { sinceStart: 0 },
      lookups: { indexHits: 1, liveSearches: 0 },
    });

    // A Contact is created (the syncing bridge's next run is minutes away)…
    const created = org.insert('Contact', {
      FirstName: 'Ravi',
      LastName: 'New',
      Phone: '+1 415 555 0177',
      OwnerId: ANA.Id,
    });
    // …and the syncing bridge dies: PostgreSQL ends its session, and the lock with it.
    const pool = await server.pool(url, 2);
    const { rowCount } = await pool.query(
      `SELECT pg_terminate_backend(pid) FROM pg_locks
        WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid()`,
    );
    expect(rowCount).toBe(1);
    await leader.stop();

    // The other bridge takes the sync over: the new Contact reaches the index.
    await until('the other bridge to take the sync over', async () => {
      const d = await directoryOf(follower);
      return d.apiRequests.sinceStart > 0 && !d.syncing ? d : undefined;
    });
    expect(await popFrom(follower, 'shared-dir-2', '+1 415 555 0177')).toEqual([created.Id]);
    expect(await directoryOf(follower)).toMatchObject({
      lookups: { indexHits: 2, liveSearches: 0 },
    });
  }, 90_000);

  it('searches Salesforce at one bridge for a number the index lacks, and says so in the status', async () => {
    const { bridges } = await twoBridges();
    await until('the shared index to be loaded', async () => {
      const all = await Promise.all(bridges.map(directoryOf));
      return all.every((d) => d.ready) ? all : undefined;
    });
    // The PBX posts to the first bridge; the event reaches the other, which looks it up too.
    expect(await popFrom(bridges[0]!, 'shared-dir-3', '+1 415 555 0166')).toEqual([]);
    const lookups = await until('both bridges to have the answer', async () => {
      const all = (await Promise.all(bridges.map(directoryOf))).map((d) => d.lookups);
      const answered = all.reduce(
        (n, l) => n + l.liveSearches + (l.answeredByOtherBridges ?? 0),
        0,
      );
      return answered >= 2 ? all : undefined;
    });
    expect(lookups.map((l) => l.liveSearches).sort()).toEqual([0, 1]);
    expect(lookups.map((l) => l.answeredByOtherBridges).sort()).toEqual([0, 1]);
  }, 90_000);
});
