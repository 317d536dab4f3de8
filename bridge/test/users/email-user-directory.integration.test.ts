// EmailUserDirectory through the jsforce gateway against the emulated org: users matched by
// email whatever its case, inactive users not, and an org outage only delays the matching.
import { EmulatedOrg, type SeedData } from '../../src/demo/emulated-org/emulated-org';
import { silentLogger } from '../../src/logging/logger';
import { EmailUserDirectory } from '../../src/users/email-user-directory';
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
    expect(users.warningsFor('ana.lopez@acme.example')).toEqual([]);
  });
});
