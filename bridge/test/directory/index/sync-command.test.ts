// `switchboard-bridge sync` (runSyncCommand) against the emulated org, into the SQLite file and
// into the index several bridges share in PostgreSQL: one run loads every record, reports it,
// and the bridges' index answers from it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseConfig } from '../../../src/config/load';
import { EmulatedOrg } from '../../../src/demo/emulated-org/emulated-org';
import {
  DirectoryIndex,
  type DirectoryIndexStore,
} from '../../../src/directory/index/directory-index';
import { PostgresDirectoryIndex } from '../../../src/directory/index/postgres-directory-index';
import { silentLogger } from '../../../src/logging/logger';
import { openDatabase } from '../../../src/storage/database';
import { runSyncCommand } from '../../../src/sync-command';
import { salesforceConfigFor } from '../../support/org-gateway';
import { useTestPostgres } from '../../support/postgres-server';
import { Teardown } from '../../support/teardown';

const postgres = useTestPostgres();
const teardown = new Teardown();
afterEach(() => teardown.run());

describe.each(['sqlite', 'postgres'] as const)('the sync command (%s)', (store) => {
  it('loads every record into the index the bridges read', async () => {
    const org = teardown.add(
      await EmulatedOrg.start({
        seed: {
          Contact: [{ FirstName: 'Jonas', LastName: 'Weber', Phone: '+49 7131 123456' }],
          Lead: [{ LastName: 'Thompson', Company: 'Bayview', Phone: '(415) 555-0199' }],
        },
        logger: silentLogger(),
      }),
      (o) => o.stop(),
    );
    const dir = mkdtempSync(path.join(tmpdir(), 'switchboard-sync-command-'));
    teardown.add(dir, (d) => rmSync(d, { recursive: true, force: true }));
    const database = path.join(dir, 'switchboard.db');
    const url = store === 'postgres' ? await postgres.freshDatabase() : undefined;
    const certificate = path.join(dir, 'org.pem');
    writeFileSync(certificate, org.identity.certificatePem);
    const config = parseConfig({
      auth: { certificate, orgIds: [org.orgId] },
      pbx: { adapter: 'webhook', webhook: { token: 'sync-command-webhook-token-0123' } },
      salesforce: salesforceConfigFor(org),
      phone: { defaultCountry: 'US' },
      directory: { enabled: true },
      storage: { database, ...(url === undefined ? {} : { postgres: { url, poolSize: 2 } }) },
      log: { level: 'silent' },
    });

    const { report, status } = await runSyncCommand({
      config,
      full: false,
      logger: silentLogger(),
      onProgress: () => undefined,
    });
    expect(report.objects.map((o) => [o.object, o.fetched])).toEqual(
      expect.arrayContaining([
        ['Contact', 1],
        ['Lead', 1],
      ]),
    );
    expect(status).toMatchObject({ ready: true, numbers: 2 });

    // The index a bridge on this storage reads holds the records.
    const index: DirectoryIndexStore =
      url === undefined
        ? new DirectoryIndex(
            teardown.add(openDatabase(database, silentLogger()), (d) => d.close()),
            silentLogger(),
          )
        : await PostgresDirectoryIndex.open(await postgres.pool(url), silentLogger());
    expect((await index.find('+497131123456')).map((m) => m.name)).toEqual(['Jonas Weber']);
    expect((await index.find('+14155550199')).map((m) => m.object)).toEqual(['Lead']);
  }, 60_000);
});
