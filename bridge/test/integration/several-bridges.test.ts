// Several real bridges on one real PostgreSQL (started by the suite) and one emulated org:
// the call-log outbox and the identity replay cache are shared. Each bridge here hears the
// same PBX call (as each does with its own AMI session): one Task however many saw it end.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { startBridge, type RunningBridge } from '../../src/bridge';
import { parseConfig } from '../../src/config/load';
import { EmulatedOrg } from '../../src/demo/emulated-org/emulated-org';
import { silentLogger } from '../../src/logging/logger';
import { salesforceConfigFor } from '../support/org-gateway';
import { useTestPostgres } from '../support/postgres-server';
import { Teardown } from '../support/teardown';
import { waitForValue } from '../support/wait-for-value';
import {
  DEMO_MAPPINGS,
  DEMO_USERS,
  RepClient,
  WEBHOOK_TOKEN,
  postPbxEvent,
} from '../support/test-bridge';

const ANA = DEMO_USERS[0]!;

describe('several bridges on one PostgreSQL', () => {
  const server = useTestPostgres();
  const teardown = new Teardown();
  let org: EmulatedOrg;
  let certificate: string;
  /** The database of the bridges the test started last. */
  let databaseUrl: string;

  beforeAll(async () => {
    org = teardown.add(
      await EmulatedOrg.start({ seed: { User: DEMO_USERS }, logger: silentLogger() }),
      (o) => o.stop(),
    );
    certificate = path.join(mkdtempSync(path.join(tmpdir(), 'switchboard-bridges-')), 'org.pem');
    writeFileSync(certificate, org.identity.certificatePem);
  });
  afterAll(() => teardown.run());

  async function bridges(
    count: number,
    options: { org?: EmulatedOrg; certificate?: string; more?: Record<string, unknown> } = {},
  ): Promise<RunningBridge[]> {
    const url = await server.freshDatabase();
    databaseUrl = url;
    const on = options.org ?? org;
    const config = parseConfig({
      ...options.more,
      server: { port: 0, host: '127.0.0.1' },
      auth: { certificate: options.certificate ?? certificate, orgIds: [on.orgId] },
      salesforce: salesforceConfigFor(on),
      pbx: { adapter: 'webhook', webhook: { token: WEBHOOK_TOKEN } },
      users: DEMO_MAPPINGS,
      storage: { database: ':memory:', postgres: { url, poolSize: 4 } },
      log: { level: 'silent' },
    });
    const started = await Promise.all(
      Array.from({ length: count }, () => startBridge(config, { logger: silentLogger() })),
    );
    for (const bridge of started) teardown.add(bridge, (b) => b.stop());
    return started;
  }

  const tasksOf = (callObject: string) =>
    org.records('Task').filter((t) => t.CallObject === callObject);

  it('logs a call three bridges saw end as one Task, with the notes typed at one of them', async () => {
    const all = await bridges(3);
    const rep = await RepClient.connect(all[1]!, await org.identity.signToken(ANA.Id));
    await rep.waitFor((f) => f.type === 'ready');
    const leg = { callId: 'shared-1', extension: '201' };
    for (const bridge of all)
      await postPbxEvent(bridge, {
        ...leg,
        event: 'ringing',
        direction: 'inbound',
        number: '+1 415 555 0100',
      });
    for (const bridge of all) await postPbxEvent(bridge, { ...leg, event: 'answered' });
    await rep.waitForCall((c) => c.id === 'shared-1:201' && c.state === 'connected');
    rep.send({ type: 'call.note', requestId: 'n1', callId: 'shared-1:201', notes: 'quote' });
    await rep.waitFor((f) => f.type === 'call.note.result');
    await Promise.all(all.map((bridge) => postPbxEvent(bridge, { ...leg, event: 'ended' })));

    await rep.waitForCall((c) => c.id === 'shared-1:201' && c.log?.state === 'logged', 10_000);
    await Promise.all(all.map((bridge) => bridge.callLog.flush()));
    expect(tasksOf('shared-1:201')).toEqual([expect.objectContaining({ Description: 'quote' })]);
    rep.close();
  }, 60_000);

  it('asks Salesforce once about an unknown caller that three bridges see ring', async () => {
    const all = await bridges(3);
    const tabs = await Promise.all(
      all.map(async (bridge) => RepClient.connect(bridge, await org.identity.signToken(ANA.Id))),
    );
    await Promise.all(tabs.map((tab) => tab.waitFor((f) => f.type === 'ready')));
    const searchesBefore = org.searches.length;
    const leg = { callId: 'unknown-1', extension: '201' };
    await Promise.all(
      all.map((bridge) =>
        postPbxEvent(bridge, {
          ...leg,
          event: 'ringing',
          direction: 'inbound',
          number: '+1 415 555 0177',
        }),
      ),
    );
    // Every tab learns that nobody has the number: the pop offers to create a record.
    await Promise.all(
      tabs.map((tab) =>
        tab.waitForCall((c) => c.id === 'unknown-1:201' && c.lookup === 'done', 10_000),
      ),
    );
    expect(org.searches.length - searchesBefore).toBe(1);
    for (const tab of tabs) tab.close();
  }, 60_000);

  it('finds at every bridge a record a rep created at one, before Salesforce can search it', async () => {
    // Salesforce's search index lags; the bridges search live (no index) and share searches.
    const lagging = teardown.add(
      await EmulatedOrg.start({
        seed: { User: DEMO_USERS },
        searchIndexLagMs: 60 * 60_000,
        logger: silentLogger(),
      }),
      (o) => o.stop(),
    );
    const laggingCertificate = path.join(
      mkdtempSync(path.join(tmpdir(), 'switchboard-bridges-')),
      'org.pem',
    );
    writeFileSync(laggingCertificate, lagging.identity.certificatePem);
    const [a, b] = await bridges(2, {
      org: lagging,
      certificate: laggingCertificate,
      more: { directory: { enabled: false }, lookup: { recentWindowMinutes: 0 } },
    });
    const tabOnA = await RepClient.connect(a!, await lagging.identity.signToken(ANA.Id));
    const tabOnB = await RepClient.connect(b!, await lagging.identity.signToken(ANA.Id));
    await Promise.all([tabOnA, tabOnB].map((tab) => tab.waitFor((f) => f.type === 'ready')));
    const ring = async (callId: string, first: RunningBridge, second: RunningBridge) => {
      for (const bridge of [first, second])
        await postPbxEvent(bridge, {
          callId,
          extension: '201',
          event: 'ringing',
          direction: 'inbound',
          number: '+1 415 555 0188',
        });
      return Promise.all(
        [tabOnA, tabOnB].map((tab) =>
          tab.waitForCall((c) => c.id === `${callId}:201` && c.lookup === 'done', 10_000),
        ),
      );
    };
    const [unknown] = await ring('new-1', a!, b!);
    expect(unknown!.matches).toEqual([]);
    // The rep at A creates a Contact from the pop and links the call to it.
    const created = String(
      lagging.insert('Contact', { LastName: 'Nguyen', Phone: '+1 415 555 0188', OwnerId: ANA.Id })
        .Id,
    );
    tabOnA.send({ type: 'call.link', requestId: 'l1', callId: 'new-1:201', recordId: created });
    await tabOnA.waitForCall((c) => c.id === 'new-1:201' && c.linkedRecordId === created);
    // The caller rings again, B claiming the search (the PBX reaches it first). The change
    // travels to B on the bridges' channel: it rings until B has it, which takes moments.
    let ringNo = 1;
    const again = await waitForValue('both bridges finding the new Contact', async () => {
      ringNo += 1;
      const calls = await ring(`new-${ringNo}`, b!, a!);
      return calls.every((c) => c.matches.some((m) => m.id === created)) ? calls : undefined;
    });
    for (const call of again) expect(call.matches.map((m) => m.id)).toEqual([created]);
    tabOnA.close();
    tabOnB.close();
  }, 60_000);

  it('pops a webhook call at every bridge, and a tab moving to another bridge gets it replayed', async () => {
    const [a, b] = await bridges(2);
    const tabOnA = await RepClient.connect(a!, await org.identity.signToken(ANA.Id));
    const tabOnB = await RepClient.connect(b!, await org.identity.signToken(ANA.Id));
    await Promise.all([tabOnA, tabOnB].map((tab) => tab.waitFor((f) => f.type === 'ready')));

    // The load balancer hands the PBX's POSTs to bridge A only.
    const leg = { callId: 'relayed-1', extension: '201' };
    await postPbxEvent(a!, {
      ...leg,
      event: 'ringing',
      direction: 'inbound',
      number: '+1 415 555 0101',
    });
    await Promise.all(
      [tabOnA, tabOnB].map((tab) =>
        tab.waitForCall((c) => c.id === 'relayed-1:201' && c.state === 'ringing', 10_000),
      ),
    );
    await postPbxEvent(a!, { ...leg, event: 'answered' });
    await tabOnB.waitForCall((c) => c.id === 'relayed-1:201' && c.state === 'connected', 10_000);

    // Bridge A goes away; its tab reconnects (through the balancer) to B: the call is there.
    await a!.stop();
    const moved = await RepClient.connect(b!, await org.identity.signToken(ANA.Id));
    const ready = await moved.waitFor((f) => f.type === 'ready');
    expect(
      (ready.calls as Array<{ id: string; state: string }>).map((c) => [c.id, c.state]),
    ).toEqual([['relayed-1:201', 'connected']]);

    // The PBX's next POSTs reach B: the call ends there, logged once.
    await postPbxEvent(b!, { ...leg, event: 'ended' });
    await moved.waitForCall((c) => c.id === 'relayed-1:201' && c.log?.state === 'logged', 10_000);
    await b!.callLog.flush();
    expect(tasksOf('relayed-1:201')).toHaveLength(1);
    tabOnA.close();
    tabOnB.close();
    moved.close();
  }, 60_000);

  /** A connection of the test's own to the bridges' database, closed after the test. */
  const clients: Client[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.end()));
  });
  async function sqlClient(): Promise<Client> {
    const client = new Client({ connectionString: databaseUrl });
    await client.connect();
    clients.push(client);
    return client;
  }

  it('answers the PBX once the other bridges have its event, not before', async () => {
    const [a, b] = await bridges(2);
    const tabOnB = await RepClient.connect(b!, await org.identity.signToken(ANA.Id));
    await tabOnB.waitFor((f) => f.type === 'ready');
    // PostgreSQL holds bridge A's hand-off: a slow database, or one it is about to lose.
    const holder = await sqlClient();
    const observer = await sqlClient();
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE bridge_broadcasts IN EXCLUSIVE MODE');
    let answered = false;
    const posting = postPbxEvent(a!, {
      callId: 'held-1',
      extension: '201',
      event: 'ringing',
      direction: 'inbound',
      number: '+1 415 555 0101',
    }).finally(() => {
      answered = true;
    });
    await waitForValue('bridge A’s hand-off to wait for the lock', async () => {
      const { rowCount } = await observer.query(
        `SELECT 1 FROM pg_stat_activity
          WHERE wait_event_type = 'Lock' AND query LIKE '%INSERT INTO bridge_broadcasts%'`,
      );
      return (rowCount ?? 0) > 0 ? true : undefined;
    });
    // Had A answered before its hand-off, the 202 would be here: it went out before the insert.
    expect(answered).toBe(false);
    await holder.query('COMMIT');
    expect(await posting).toEqual({ status: 202, body: { accepted: true } });
    await tabOnB.waitForCall((c) => c.id === 'held-1:201' && c.state === 'ringing', 10_000);
    tabOnB.close();
  }, 60_000);

  it('answers 503 when the hand-off fails, and passes the event on when the PBX retries', async () => {
    const [a, b] = await bridges(2);
    const tabOnA = await RepClient.connect(a!, await org.identity.signToken(ANA.Id));
    const tabOnB = await RepClient.connect(b!, await org.identity.signToken(ANA.Id));
    await Promise.all([tabOnA, tabOnB].map((tab) => tab.waitFor((f) => f.type === 'ready')));
    // PostgreSQL refuses bridge A's hand-off (as a full disk or a read-only standby would).
    const sql = await sqlClient();
    await sql.query(
      `CREATE FUNCTION refuse_broadcast() RETURNS trigger LANGUAGE plpgsql
         AS $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$;
       CREATE TRIGGER refuse BEFORE INSERT ON bridge_broadcasts
         FOR EACH ROW EXECUTE FUNCTION refuse_broadcast()`,
    );
    const leg = { callId: 'refused-1', extension: '201' };
    const ringing = {
      ...leg,
      eventId: 'refused-1-ringing',
      event: 'ringing',
      direction: 'inbound',
      number: '+1 415 555 0101',
    };
    const refused = await postPbxEvent(a!, ringing);
    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({ error: { code: 'PBX_WEBHOOK_NOT_PASSED_ON' } });
    // Bridge A applied it all the same: its own rep's pop is not held back by the database.
    await tabOnA.waitForCall((c) => c.id === 'refused-1:201' && c.state === 'ringing');

    await sql.query('DROP TRIGGER refuse ON bridge_broadcasts');
    // The PBX retries: a repeat at A (not applied twice), passed on to B this time.
    expect(await postPbxEvent(a!, ringing)).toEqual({
      status: 202,
      body: { accepted: true, duplicates: 1 },
    });
    await tabOnB.waitForCall((c) => c.id === 'refused-1:201' && c.state === 'ringing', 10_000);
    // And a third time it is only a repeat: nothing is passed on or applied again.
    expect(await postPbxEvent(a!, ringing)).toEqual({
      status: 202,
      body: { accepted: true, duplicates: 1 },
    });

    // The call ends at both bridges, and is logged once.
    await postPbxEvent(a!, { ...leg, eventId: 'refused-1-ended', event: 'ended' });
    for (const tab of [tabOnA, tabOnB])
      await tab.waitForCall((c) => c.id === 'refused-1:201' && c.log?.state === 'logged', 10_000);
    expect(tasksOf('refused-1:201')).toHaveLength(1);
    tabOnA.close();
    tabOnB.close();
  }, 60_000);

  it('refuses at the second bridge a token the first accepted', async () => {
    const [a, b] = await bridges(2);
    const token = await org.identity.signToken(ANA.Id);
    const first = await RepClient.connect(a!, token);
    await first.waitFor((f) => f.type === 'ready');
    const replayed = await RepClient.connect(b!, token);
    const refusal = await replayed.waitFor((f) => f.type === 'error');
    expect(refusal).toMatchObject({ code: 'AUTH_TOKEN_REPLAYED' });
    first.close();
    replayed.close();
  }, 60_000);
});
