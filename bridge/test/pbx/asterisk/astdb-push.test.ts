// The AstDB caller-name push over real TCP: the real AsteriskPbxAdapter as the pusher's writer
// against the AMI test server (DBPut/DBDel frames, their answers, a missing key, a refused
// permission), and the whole bridge pushing its directory index into AstDB once AMI is up.
import { AstDbSchema, ConfigSchema } from '../../../src/config/schema';
import { AstDbPusher } from '../../../src/directory/astdb/astdb-pusher';
import { DirectoryIndex } from '../../../src/directory/index/directory-index';
import type { IndexedRecord } from '../../../src/directory/index/record-mapping';
import { ErrorCodes } from '../../../src/errors';
import { silentLogger } from '../../../src/logging/logger';
import { AsteriskPbxAdapter } from '../../../src/pbx/asterisk/asterisk-adapter';
import { openDatabase, type Database } from '../../../src/storage/database';
import { startTestBridge } from '../../support/test-bridge';
import { AmiTestServer } from './ami-test-server';
import { Teardown } from '../../support/teardown';
import { until } from '../../support/wait-for-value';

function contact(id: string, name: string, e164: string): IndexedRecord {
  return {
    id,
    object: 'Contact',
    name,
    firstName: null,
    lastName: null,
    company: null,
    accountId: null,
    ownerId: null,
    lastModifiedAt: '2025-01-01T00:00:00Z',
    modstamp: '2025-01-01T00:00:00Z',
    numbers: [{ e164, field: 'Phone' }],
  };
}

describe('AstDB push through the Asterisk adapter over TCP', () => {
  let server: AmiTestServer;
  let adapter: AsteriskPbxAdapter;
  let db: Database;
  let index: DirectoryIndex;
  const teardown = new Teardown();

  async function start(refuseAstDb = false): Promise<AstDbPusher> {
    server = teardown.add(new AmiTestServer({ refuseAstDb }), (s) => s.close());
    const port = await server.listen();
    const config = ConfigSchema.parse({
      salesforce: { emulate: 'demo' },
      pbx: {
        adapter: 'asterisk',
        asterisk: { host: '127.0.0.1', port, username: 'bridge', secret: 'bridgepass' },
      },
    });
    if (config.pbx.asterisk === undefined) throw new Error('schema dropped pbx.asterisk');
    adapter = teardown.add(
      new AsteriskPbxAdapter({ config: config.pbx.asterisk, logger: silentLogger() }),
      (a) => a.stop(),
    );
    await adapter.start(() => undefined);
    db = teardown.add(openDatabase(':memory:', silentLogger()), (d) => d.close());
    index = new DirectoryIndex(db, silentLogger());
    return new AstDbPusher({
      source: index,
      db,
      writer: adapter,
      config: AstDbSchema.parse({ enabled: true, actionsPerSecond: 500 }),
      phone: { defaultCountry: 'US' },
      logger: silentLogger(),
    });
  }

  afterEach(() => teardown.run());

  it('writes names with DBPut, deletes removed numbers with DBDel, and sends no extra headers', async () => {
    const pusher = await start();
    index.upsert(
      [
        contact('003Hs00000C0001AAA', 'Jonas Weber', '+497131123456'),
        contact('003Hs00000C0002AAA', 'Priya\r\nAction: Originate\r\n\r\nNair', '+14155550100'),
      ],
      1,
    );

    await pusher.push();

    expect(Object.fromEntries(server.astdb)).toEqual({
      '/cidname/+497131123456': 'Jonas Weber',
      '/cidname/+14155550100': 'Priya Action: Originate Nair',
    });
    const actions = server.received.map((r) => r.fields.Action);
    expect(actions.filter((a) => a === 'DBPut')).toHaveLength(2);
    expect(actions).not.toContain('Originate');

    // Jonas leaves the index; Priya's key was also removed on the PBX by hand meanwhile.
    index.remove(['003Hs00000C0001AAA', '003Hs00000C0002AAA']);
    server.astdb.delete('/cidname/+14155550100');
    const report = await pusher.push();

    expect(report).toEqual({ put: 0, deleted: 2, unchanged: 0 });
    expect(server.astdb.size).toBe(0);
    expect(server.received.filter((r) => r.fields.Action === 'DBDel')).toHaveLength(2);
  });

  it('reports a refused DBPut with the manager.conf class it needs', async () => {
    const pusher = await start(true);
    index.upsert([contact('003Hs00000C0001AAA', 'Jonas Weber', '+497131123456')], 1);

    await expect(pusher.push()).rejects.toMatchObject({
      code: ErrorCodes.DIRECTORY_ASTDB_PUSH_FAILED,
      hint: expect.stringContaining('write = system') as unknown,
    });
    expect(pusher.status()).toMatchObject({
      pushed: 0,
      lastError: { code: 'DIRECTORY_ASTDB_PUSH_FAILED' },
    });
  });
});

describe('bridge with directory.astdb', () => {
  const teardown = new Teardown();

  afterEach(() => teardown.run());

  it('pushes the directory index into AstDB once the AMI login is done', async () => {
    const server = teardown.add(new AmiTestServer(), (s) => s.close());
    const port = await server.listen();
    teardown.add(
      await startTestBridge({
        seed: {
          Contact: [
            {
              Id: '003Hs00000C0001AAA',
              FirstName: 'Jonas',
              LastName: 'Weber',
              Phone: '+49 7131 123456',
            },
          ],
        },
        config: {
          pbx: {
            adapter: 'asterisk',
            asterisk: { host: '127.0.0.1', port, username: 'bridge', secret: 'bridgepass' },
          },
          directory: {
            enabled: true,
            objects: ['Contact'],
            astdb: { enabled: true, keyFormat: 'digits' },
          },
        },
      }),
      (bridge) => bridge.stop(),
    );

    await until(() => server.astdb.has('/cidname/497131123456'), 'the DBPut of Jonas');
    expect(server.astdb.get('/cidname/497131123456')).toBe('Jonas Weber');
  });
});
