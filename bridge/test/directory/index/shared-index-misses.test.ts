// Several bridges on one directory index in PostgreSQL (started by the suite), each built as the
// bridge builds it (createIndexedDirectory with the shared index and lookups): a caller the
// index lacks is searched in Salesforce (an emulated org) by one bridge, and that bridge alone
// adds the hit to the shared index. Every bridge used to add it again after taking the answer.
import { LookupSchema, PhoneSchema, parseDirectoryConfig } from '../../../src/config/schema';
import { EmulatedOrg } from '../../../src/demo/emulated-org/emulated-org';
import { createIndexedDirectory } from '../../../src/directory/index/create-indexed-directory';
import { PostgresDirectoryIndex } from '../../../src/directory/index/postgres-directory-index';
import { PostgresLookupShare } from '../../../src/directory/postgres-lookup-share';
import { silentLogger } from '../../../src/logging/logger';
import { openDatabase } from '../../../src/storage/database';
import { PostgresBroadcast } from '../../../src/storage/postgres-broadcast';
import { gatewayForOrg } from '../../support/org-gateway';
import { useTestPostgres } from '../../support/postgres-server';
import { Teardown } from '../../support/teardown';

const server = useTestPostgres();
const teardown = new Teardown();
afterEach(() => teardown.run());

const logger = silentLogger();
const CALLER = '+14155550142';

describe('directory index shared by bridges: a miss', () => {
  let org: EmulatedOrg;
  beforeAll(async () => {
    org = await EmulatedOrg.start({
      seed: { Contact: [{ LastName: 'Hopper', Phone: '(415) 555-0142' }] },
    });
  });
  afterAll(() => org.stop());

  it('is searched and added to the index by one bridge; the others take its answer', async () => {
    const url = await server.freshDatabase();
    const pool = await server.pool(url);
    const adds: string[] = [];
    const bridge = async (name: string) => {
      const index = await PostgresDirectoryIndex.open(pool, logger);
      const addMatches = index.addMatches.bind(index);
      index.addMatches = (e164, matches, generation) => {
        adds.push(`${name} ${e164}`);
        return addMatches(e164, matches, generation);
      };
      const channel = teardown.add(
        await PostgresBroadcast.open({
          pool,
          connection: { connectionString: url },
          origin: name,
          logger,
        }),
        (b) => b.close(),
      );
      const lookupShare = await PostgresLookupShare.open({
        pool,
        channel,
        origin: name,
        answerMs: 60_000,
        logger,
      });
      const db = teardown.add(openDatabase(':memory:', logger), (d) => d.close());
      const indexed = createIndexedDirectory({
        config: {
          directory: parseDirectoryConfig({ enabled: true }),
          phone: PhoneSchema.parse({}),
          lookup: LookupSchema.parse({}),
        },
        db,
        index,
        gateway: gatewayForOrg(org),
        lookupShare,
        logger,
      });
      teardown.add(indexed, (i) => i.stop());
      return indexed;
    };
    const bridges = [await bridge('a'), await bridge('b'), await bridge('c')];

    const answers = await Promise.all(bridges.map((b) => b.directory.findByNumber(CALLER)));
    for (const matches of answers) expect(matches.map((m) => m.name)).toEqual(['Hopper']);
    expect(adds).toHaveLength(1);
    expect(adds[0]).toMatch(/^[abc] \+14155550142$/);
    // The hit is in the shared index for every bridge.
    const index = await PostgresDirectoryIndex.open(pool, logger);
    expect((await index.find(CALLER)).map((m) => m.name)).toEqual(['Hopper']);
  });
});
