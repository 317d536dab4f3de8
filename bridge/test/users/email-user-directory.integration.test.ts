// EmailUserDirectory through the jsforce gateway against the emulated org: users matched by
// email whatever its case, inactive users not, and an org outage only delays the matching;
// a restart during an outage starts from the users the last run read (kept in the database).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EmulatedOrg, type SeedData } from '../../src/demo/emulated-org/emulated-org';
import { silentLogger } from '../../src/logging/logger';
import { openDatabase } from '../../src/storage/database';
import { EmailUserDirectory } from '../../src/users/email-user-directory';
import { SqliteUserSnapshotStore } from '../../src/users/user-snapshot-store';
import { gatewayForOrg } from '../support/org-gateway';
import { Teardown } from '../support/teardown';

const seed: SeedData = {
  User: [
    { Id: '005Hs00000USR01', FirstName: 'Ana', LastName: 'Lopez', Email: 'Ana.Lopez@Acme.example' },
    {
      Id: '005Hs00000USR02',
      FirstName: 'Ben',
      LastName: 'Gone',
      Email: 'ben@acme.example',
      IsActive: false,
    },
    // KELVIN SIGN for K: the org's case-insensitive IN () returns it for kate@acme.example.
    { Id: '005Hs00000USR03', FirstName: 'Mal', LastName: 'Lory', Email: '\u212Aate@acme.example' },
    { Id: '005Hs00000USR04', FirstName: 'Kate', LastName: 'Real', Email: 'kate@acme.example' },
  ],
};

describe('EmailUserDirectory against the emulated org', () => {
  let org: EmulatedOrg;
  let users: EmailUserDirectory;
  const teardown = new Teardown();

  beforeAll(async () => {
    org = teardown.add(await EmulatedOrg.start({ seed, apiVersion: '62.0' }), (o) => o.stop());
    users = new EmailUserDirectory({
      mappings: [{ extension: '201', email: 'ana.lopez@acme.example' }],
      gateway: gatewayForOrg(org, { getRetries: 0 }),
      logger: silentLogger(),
    });
  });

  it('gives a look-alike user nothing: the mapped email is bound to the user who has it', async () => {
    const kate = new EmailUserDirectory({
      mappings: [{ extension: '203', email: 'kate@acme.example' }],
      gateway: gatewayForOrg(org, { getRetries: 0 }),
      logger: silentLogger(),
    });
    await kate.refresh();
    expect(kate.salesforceUserIdForEmail('kate@acme.example')).toMatch(/^005Hs00000USR04/);
    const mallory = { userId: '005Hs00000USR03AAA', email: '\u212Aate@acme.example' };
    expect(kate.extensionsForRep(mallory)).toEqual([]);
    expect(kate.extensionsForRep({ ...mallory, email: 'kate@acme.example' })).toEqual([]);
    expect(
      kate.extensionsForRep({ userId: '005Hs00000USR04AAA', email: 'kate@acme.example' }),
    ).toEqual(['203']);
  });

  afterAll(() => teardown.run());

  it('keeps the config mapping through an outage and matches users once the org is back', async () => {
    org.faults.setDown(true);
    await users.refresh([{ extension: '202', email: 'BEN@acme.example' }]);
    expect(users.extensionsForEmail('ana.lopez@acme.example')).toEqual(['201']);
    expect(users.salesforceUserIdForEmail('ana.lopez@acme.example')).toBeUndefined();

    org.faults.setDown(false);
    await users.refresh([{ extension: '202', email: 'BEN@acme.example' }]);
    expect(users.salesforceUserIdForEmail('ANA.LOPEZ@acme.example')).toMatch(/^005Hs00000USR01/);
    expect(users.salesforceUserIdForEmail('ben@acme.example')).toBeUndefined();
    expect(users.emailForExtension('202')).toBe('ben@acme.example');
    expect(
      users.warningsForRep({ userId: '005Hs00000USR01', email: 'ana.lopez@acme.example' }),
    ).toEqual([]);
    expect(
      users.extensionsForRep({ userId: '005Hs00000USR01AAA', email: 'Ana.Lopez@acme.example' }),
    ).toEqual(['201']);
  });

  it('a bridge restarted while Salesforce fails the User query still knows its reps', async () => {
    const database = path.join(mkdtempSync(path.join(tmpdir(), 'switchboard-users-')), 'sb.db');
    const ana = { userId: '005Hs00000USR01AAA', email: 'ana.lopez@acme.example' };
    const directoryOn = (db: ReturnType<typeof openDatabase>) =>
      new EmailUserDirectory({
        mappings: [{ extension: '201', email: 'ana.lopez@acme.example' }],
        gateway: gatewayForOrg(org, { getRetries: 0 }),
        logger: silentLogger(),
        snapshots: new SqliteUserSnapshotStore(db, silentLogger()),
      });
    const firstRun = openDatabase(database, silentLogger());
    expect(await directoryOn(firstRun).refresh()).toBe(true);
    firstRun.close();

    org.faults.setDown(true);
    const secondRun = openDatabase(database, silentLogger());
    const restarted = directoryOn(secondRun);
    expect(await restarted.refresh()).toBe(false);
    expect(restarted.extensionsForRep(ana)).toEqual(['201']);
    expect(restarted.salesforceUserIdForExtension('201')).toMatch(/^005Hs00000USR01/);
    // Not a look-alike's, not another user's: the binding came back with the users.
    expect(restarted.extensionsForRep({ ...ana, userId: '005Hs00000USR04AAA' })).toEqual([]);
    org.faults.setDown(false);
    secondRun.close();
  });
});
