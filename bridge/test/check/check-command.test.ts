// `switchboard-bridge check` against a real set-up (emulated org, AMI test server): the healthy
// configuration passes every step, and each misconfiguration an admin makes fails exactly its
// own step — the others pass or are skipped — with a message naming what to change.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generate } from 'selfsigned';
import { stringify } from 'yaml';
import { checkCommandOutput } from '../../src/check-command';
import { silentLogger } from '../../src/logging/logger';
import type { EmulatedOrg } from '../../src/demo/emulated-org/emulated-org';
import type { AmiTestServer } from '../pbx/asterisk/ami-test-server';
import {
  check,
  failed,
  healthyConfig,
  problemsOf,
  startAmi,
  startOrg,
  statuses,
  WEBHOOK_TOKEN,
  withKey,
} from './support/check-setup';

jest.setTimeout(120_000);

describe('check: one org and one PBX, one misconfiguration at a time', () => {
  let org: EmulatedOrg;
  let ami: AmiTestServer;
  let healthy: Record<string, unknown>;

  beforeAll(async () => {
    org = await startOrg();
    ami = await startAmi();
    healthy = healthyConfig(org, ami);
  });
  afterAll(async () => {
    await ami.close();
    await org.stop();
  });

  it('passes every step on the healthy configuration', async () => {
    const report = await check(healthy);
    // The access probe's own AMI session only asks (Events: off): the running bridge's startup
    // check must not take a second copy of every call event.
    expect(
      ami.received.filter((a) => a.fields.Action === 'Login').map((a) => a.fields.Events),
    ).toContain('off');
    expect(failed(report)).toEqual([]);
    expect(report.ok).toBe(true);
    expect(statuses(report)).toMatchObject({
      configuration: 'pass',
      'identity-certificate': 'pass',
      'salesforce-login': 'pass',
      'salesforce-access': 'pass',
      users: 'pass',
      pbx: 'pass',
    });
    const login = report.steps.find((s) => s.id === 'salesforce-login');
    expect(login?.summary).toContain('(API Only)');
    const pbx = report.steps.find((s) => s.id === 'pbx');
    expect(pbx?.summary).toContain('may run Originate, CoreShowChannels');
    // Nothing listens at the Bridge URL while only check runs: said, but not a failure.
    expect(statuses(report)['browser-access']).toBe('warn');
  });

  it('prints ✓/✗ per step with what to do, exits 1 on a failure, and gives JSON for scripts', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'switchboard-cli-')), 's.yaml');
    writeFileSync(file, stringify(withKey(healthy, 'salesforce.clientSecret', 'wrong')));
    const text = await checkCommandOutput({ file, env: {}, logger: silentLogger(), json: false });
    expect(text.exitCode).toBe(1);
    expect(text.output).toContain(`Switchboard check: ${file}`);
    expect(text.output).toContain('✓ Configuration (docs/configuration.md) — every key valid');
    expect(text.output).toMatch(
      /✗ Salesforce login \(docs\/install\.md step 3\) — .* refused the token request/,
    );
    expect(text.output).toContain(
      '    ✗ salesforce.clientSecret does not match the External Client App (invalid_client).\n      → Copy the Consumer Secret again',
    );
    expect(text.output).toContain(
      '– Users and extensions (docs/install.md step 4) — skipped: needs Salesforce login to pass first',
    );
    expect(text.output).toContain('1 step failed: fix the first ✗, then run check again.');

    const json = await checkCommandOutput({
      file,
      env: { SWITCHBOARD__SALESFORCE__CLIENT_SECRET: org.credentials.clientSecret },
      logger: silentLogger(),
      json: true,
    });
    expect(json.exitCode).toBe(0);
    const report = JSON.parse(json.output) as {
      ok: boolean;
      steps: { id: string; status: string }[];
    };
    expect(report.ok).toBe(true);
    expect(report.steps.map((s) => s.id)).toEqual([
      'configuration',
      'identity-certificate',
      'salesforce-login',
      'salesforce-access',
      'users',
      'browser-access',
      'pbx',
    ]);
  });

  it('configuration: a file that is not YAML fails the first step and skips the rest', async () => {
    const report = await check('server:\n  port: [8443\n');
    expect(failed(report)).toEqual(['configuration']);
    expect(problemsOf(report, 'configuration')[0]).toMatch(/not valid YAML at line/);
    expect(report.steps.slice(2).every((s) => s.status === 'skip')).toBe(true);
  });

  it('configuration: an unknown key is named in the Configuration step only', async () => {
    const report = await check({ ...healthy, lookup: { cacheTtl: 5 } });
    expect(failed(report)).toEqual(['configuration']);
    expect(problemsOf(report, 'configuration')[0]).toMatch(/^lookup: Unrecognized key/);
  });

  it('configuration: an admin token with a space inside fails on its key', async () => {
    const report = await check(withKey(healthy, 'server.adminToken', 'abc def-0123456789'));
    expect(failed(report)).toEqual(['configuration']);
    expect(problemsOf(report, 'configuration')[0]).toContain(
      'server.adminToken has a space inside it, at character 4',
    );
  });

  it('identity certificate: an EC certificate is refused with the reason', async () => {
    const ec = await generate([{ name: 'commonName', value: 'Switchboard_Bridge' }], {
      keyType: 'ec',
      algorithm: 'sha256',
    });
    const report = await check(withKey(healthy, 'auth.certificate', ec.cert));
    expect(failed(report)).toEqual(['identity-certificate']);
    expect(problemsOf(report, 'identity-certificate')[0]).toMatch(
      /EC key; identity tokens are signed RS256, which needs an RSA key.*→ In Setup › Certificate and Key Management/,
    );
  });

  it('identity certificate: an expired certificate names the day it expired', async () => {
    const old = await generate([{ name: 'commonName', value: 'Switchboard_Bridge' }], {
      keySize: 2048,
      algorithm: 'sha256',
      notBeforeDate: new Date('2024-01-01T00:00:00Z'),
      notAfterDate: new Date('2025-01-01T00:00:00Z'),
    });
    const report = await check(withKey(healthy, 'auth.certificate', old.cert));
    expect(failed(report)).toEqual(['identity-certificate']);
    expect(problemsOf(report, 'identity-certificate')[0]).toContain('expired on 2025-01-01');
  });

  it('login URL: the Lightning host fails the Salesforce login step, naming the My Domain URL', async () => {
    const report = await check(
      withKey(healthy, 'salesforce.loginUrl', 'https://acme.lightning.force.com'),
    );
    expect(failed(report)).toEqual(['salesforce-login']);
    expect(problemsOf(report, 'salesforce-login')[0]).toContain(
      'use https://acme.my.salesforce.com',
    );
  });

  it('login URL: client credentials on login.salesforce.com fails the Salesforce login step', async () => {
    const report = await check(
      withKey(healthy, 'salesforce.loginUrl', 'https://login.salesforce.com'),
    );
    expect(failed(report)).toEqual(['salesforce-login']);
    expect(problemsOf(report, 'salesforce-login')[0]).toContain(
      'request not supported on this domain',
    );
  });

  it('token request: a wrong client secret fails the login and skips what needs it', async () => {
    const report = await check(withKey(healthy, 'salesforce.clientSecret', 'not-the-secret'));
    expect(failed(report)).toEqual(['salesforce-login']);
    expect(problemsOf(report, 'salesforce-login')[0]).toMatch(
      /salesforce.clientSecret does not match the External Client App \(invalid_client\).*Consumer Secret/,
    );
    expect(statuses(report)).toMatchObject({ 'salesforce-access': 'skip', users: 'skip' });
  });

  it('token request: a client secret pasted with a space inside is named as such', async () => {
    const secret = org.credentials.clientSecret;
    const pasted = `${secret.slice(0, 10)} ${secret.slice(10)}`;
    const report = await check(withKey(healthy, 'salesforce.clientSecret', pasted));
    expect(failed(report)).toEqual(['salesforce-login']);
    expect(problemsOf(report, 'salesforce-login')[0]).toContain(
      'salesforce.clientSecret has a space inside it, at character 11',
    );
  });

  it('token request: a wrong consumer key is invalid_client_id', async () => {
    const report = await check(withKey(healthy, 'salesforce.clientId', '3MVG9notTheKey'));
    expect(failed(report)).toEqual(['salesforce-login']);
    expect(problemsOf(report, 'salesforce-login')[0]).toContain('invalid_client_id');
  });

  it('users: an extension mapped to an email no Salesforce user has', async () => {
    const report = await check({
      ...healthy,
      users: [...(healthy.users as object[]), { extension: '204', email: 'dan@acme.example' }],
    });
    expect(failed(report)).toEqual(['users']);
    expect(problemsOf(report, 'users')).toEqual([
      expect.stringMatching(
        /^Extension 204 \(users\[3\], dan@acme.example\): no Salesforce user has this email\. → Set users\[3\]\.email/,
      ),
    ]);
  });

  it('PBX: a wrong AMI secret fails the phone system step only', async () => {
    const report = await check(withKey(healthy, 'pbx.asterisk.secret', 'wrong-secret-0123456789'));
    expect(failed(report)).toEqual(['pbx']);
    expect(problemsOf(report, 'pbx')[0]).toMatch(
      /Asterisk refused the AMI login of switchboard \(Authentication failed\)\. → pbx.asterisk.username and pbx.asterisk.secret must match \[switchboard\]/,
    );
  });

  it('PBX: nothing listening on the AMI port', async () => {
    const report = await check(withKey(healthy, 'pbx.asterisk.port', 9));
    expect(failed(report)).toEqual(['pbx']);
    expect(problemsOf(report, 'pbx')[0]).toMatch(
      /Nothing answers AMI at 127.0.0.1:9 \(.*ECONNREFUSED/,
    );
  });

  it('browser access: no allowed origin lets no browser in', async () => {
    const report = await check(withKey(healthy, 'server.allowedOrigins', []));
    expect(failed(report)).toEqual(['browser-access']);
    expect(problemsOf(report, 'browser-access')[0]).toContain(
      'server.allowedOrigins is empty: the bridge lets no browser in.',
    );
  });

  it('browser access: a ws:// Bridge URL is refused by Lightning pages', async () => {
    const report = await check(withKey(healthy, 'server.publicUrl', 'ws://127.0.0.1:9/ws'));
    expect(failed(report)).toEqual(['browser-access']);
    expect(problemsOf(report, 'browser-access')[0]).toContain('is not wss://');
  });
});

/** Ana Lopez, the rep at extension 201 in the tests below that need only one. */
const ANA = {
  Id: '005000000000001AAA',
  LastName: 'Lopez',
  FirstName: 'Ana',
  Email: 'ana.lopez@acme.example',
  IsActive: true,
};
const anaOnly = (config: Record<string, unknown>) => ({
  ...config,
  users: [{ extension: '201', email: ANA.Email }],
});

/** An org whose Switchboard settings (and other setup rows) the integration user can read. */
function orgWithSettings(orgId: string, bridgeUrl: string, more: Record<string, unknown[]> = {}) {
  return {
    orgId,
    seed: {
      User: [ANA],
      Switchboard_Settings__c: [{ SetupOwnerId: orgId, Bridge_URL__c: bridgeUrl }],
      ...more,
    } as Record<string, Record<string, unknown>[]>,
  };
}

describe('check: what only another org or PBX shows', () => {
  async function checkWith(
    orgOptions: Parameters<typeof startOrg>[0],
    amiOptions: Parameters<typeof startAmi>[0] = {},
    change: (config: Record<string, unknown>) => Record<string, unknown> = (c) => c,
  ) {
    const org = await startOrg(orgOptions);
    const ami = await startAmi(amiOptions);
    try {
      return await check(change(healthyConfig(org, ami)));
    } finally {
      await ami.close();
      await org.stop();
    }
  }

  it('Run-As user: an app without one fails the login with where to set it', async () => {
    const report = await checkWith({ clientCredentialsRunAs: false });
    expect(failed(report)).toEqual(['salesforce-login']);
    expect(problemsOf(report, 'salesforce-login')[0]).toMatch(
      /no Run-As user for the client credentials flow\. → In the app's Policies/,
    );
  });

  it('Run-As user: one that is not API Only fails the login step', async () => {
    const report = await checkWith({ integrationUserPermissions: { ApiEnabled: true } });
    expect(failed(report)).toEqual(['salesforce-login']);
    expect(problemsOf(report, 'salesforce-login')[0]).toMatch(
      /The Run-As user integration@switchboard.example is not API Only/,
    );
  });

  it('login URL: an org answering as login.salesforce.com does is named a login URL problem', async () => {
    const report = await checkWith({ myDomain: false });
    expect(failed(report)).toEqual(['salesforce-login']);
    expect(problemsOf(report, 'salesforce-login')[0]).toMatch(/is not the org's My Domain/);
  });

  it('field permissions: a phone field the integration user cannot read', async () => {
    const report = await checkWith({ fieldPermissions: { 'Contact.MobilePhone': 'none' } });
    expect(failed(report)).toEqual(['salesforce-access']);
    expect(problemsOf(report, 'salesforce-access')[0]).toMatch(
      /cannot read Contact.MobilePhone.*→ Assign the Switchboard_Integration permission set/,
    );
  });

  it('field permissions: a Task field call logging writes but may not', async () => {
    const report = await checkWith({ fieldPermissions: { 'Task.CallDisposition': 'read' } });
    expect(failed(report)).toEqual(['salesforce-access']);
    expect(problemsOf(report, 'salesforce-access')[0]).toContain(
      'cannot write Task.CallDisposition',
    );
  });

  it('Task picklists: a subtype list without Call', async () => {
    const report = await checkWith({
      picklists: { 'Task.TaskSubtype': { values: ['Task', 'Email'] } },
    });
    expect(failed(report)).toEqual(['salesforce-access']);
    expect(problemsOf(report, 'salesforce-access')[0]).toContain('Task.TaskSubtype lacks "Call"');
  });

  it('API usage: few requests left today is a warning with the way out', async () => {
    const report = await checkWith({ apiLimit: 15000, apiUsedToday: 14000 });
    expect(failed(report)).toEqual([]);
    const access = report.steps.find((s) => s.id === 'salesforce-access');
    expect(access?.status).toBe('warn');
    expect(access?.warnings[0]?.message).toMatch(/^Only \d+ of 15000 API requests are left today/);
  });

  it('users: an inactive user behind an extension', async () => {
    const report = await checkWith({
      seed: {
        User: [
          {
            Id: '005000000000001AAA',
            LastName: 'Lopez',
            FirstName: 'Ana',
            Email: 'ana.lopez@acme.example',
            IsActive: false,
          },
          {
            Id: '005000000000002AAA',
            LastName: 'Okafor',
            FirstName: 'Ben',
            Email: 'ben.okafor@acme.example',
            IsActive: true,
          },
          {
            Id: '005000000000003AAA',
            LastName: 'Martin',
            FirstName: 'Chloe',
            Email: 'chloe.martin@acme.example',
            IsActive: true,
          },
        ],
      },
    });
    expect(failed(report)).toEqual(['users']);
    expect(problemsOf(report, 'users')[0]).toContain('the Salesforce user Ana Lopez is inactive');
  });

  it('users: a second user whose email differs only by a look-alike the bridge folds', async () => {
    const kim = {
      Id: '005000000000001AAA',
      LastName: 'Kim',
      Email: 'kim@acme.example',
      IsActive: true,
    };
    // KELVIN SIGN (U+212A) lower-cases to k: the same address to a case-insensitive compare.
    const mallory = {
      Id: '005000000000009AAA',
      LastName: 'Mallory',
      Email: '\u212Aim@acme.example',
      IsActive: true,
    };
    const report = await checkWith({ seed: { User: [kim, mallory] } }, {}, (config) => ({
      ...config,
      users: [{ extension: '201', email: 'kim@acme.example' }],
    }));
    expect(failed(report)).toEqual(['users']);
    expect(problemsOf(report, 'users')[0]).toMatch(
      /the active Salesforce users Kim and Mallory have emails the bridge cannot tell apart .*U\+212A at character 1/,
    );
  });

  it('users: a PBX email written with a look-alike letter is shown where it differs', async () => {
    const report = await checkWith(
      {},
      {
        // voicemail.conf has Cyrillic а (U+0430) in place of the Latin a of ana.lopez@…
        voicemailUsers: [
          { VoiceMailbox: '201', Email: '\u0430na.lopez@acme.example', FullName: 'Ana Lopez' },
        ],
      },
      (config) => ({ ...withKey(config, 'pbx.asterisk.usersFromVoicemail', true), users: [] }),
    );
    expect(failed(report)).toEqual(['users']);
    expect(problemsOf(report, 'users')[0]).toContain(
      "Extension 201 (the PBX, \u0430na.lopez@acme.example) matches no Salesforce user, but Ana Lopez's email ana.lopez@acme.example looks the same: they differ in U+0430 at character 1",
    );
  });

  it('users: a rep with the Switchboard_User permission set but no extension', async () => {
    const report = await checkWith(
      {
        integrationUserPermissions: { ApiEnabled: true, ApiUserOnly: true, ViewSetup: true },
        seed: {
          User: [
            ANA,
            {
              Id: '005000000000004AAA',
              LastName: 'Diaz',
              FirstName: 'Dan',
              Email: 'dan.diaz@acme.example',
              IsActive: true,
            },
          ],
          PermissionSet: [{ Id: '0PS000000000001AAA', Name: 'Switchboard_User' }],
          PermissionSetAssignment: [
            { AssigneeId: '005000000000001AAA', PermissionSetId: '0PS000000000001AAA' },
            { AssigneeId: '005000000000004AAA', PermissionSetId: '0PS000000000001AAA' },
          ],
        },
      },
      {},
      anaOnly,
    );
    expect(failed(report)).toEqual(['users']);
    expect(problemsOf(report, 'users')[0]).toContain(
      '1 rep has the Switchboard_User permission set but no extension: Dan Diaz (dan.diaz@acme.example)',
    );
  });

  it("browser access: the org's Bridge URL and CSP Trusted Site still the package's placeholders", async () => {
    const report = await checkWith(
      orgWithSettings('00D000000000042EAA', 'wss://bridge.example.com', {
        CspTrustedSite: [
          {
            DeveloperName: 'Switchboard_Bridge',
            EndpointUrl: 'wss://bridge.example.com',
            IsActive: true,
            IsApplicableToConnectSrc: true,
          },
        ],
      }),
      {},
      anaOnly,
    );
    expect(failed(report)).toEqual(['browser-access']);
    expect(problemsOf(report, 'browser-access')).toEqual([
      expect.stringContaining(
        "The org's Switchboard Settings have no Bridge URL (still wss://bridge.example.com)",
      ),
      expect.stringContaining(
        'The CSP Trusted Site Switchboard_Bridge is still the placeholder wss://bridge.example.com',
      ),
    ]);
  });

  it("browser access: the org sends browsers elsewhere than this bridge's publicUrl", async () => {
    const report = await checkWith(
      orgWithSettings('00D000000000043EAA', 'wss://old-bridge.acme.com/ws'),
      {},
      anaOnly,
    );
    expect(failed(report)).toEqual(['browser-access']);
    expect(problemsOf(report, 'browser-access')[0]).toContain(
      "The org sends browsers to wss://old-bridge.acme.com/ws, but this bridge's server.publicUrl is wss://127.0.0.1:9/ws.",
    );
  });

  it('AMI privileges: a manager user without write = reporting', async () => {
    const report = await checkWith({}, { write: ['originate'] });
    expect(failed(report)).toEqual(['pbx']);
    expect(problemsOf(report, 'pbx')[0]).toMatch(
      /write = reporting is missing for the AMI user switchboard: Asterisk answers "Permission denied" to CoreShowChannels .* → Add reporting to write = in \[switchboard\] of \/etc\/asterisk\/manager.conf/,
    );
  });

  it('AMI privileges: the caller-name push needs write = system', async () => {
    const report = await checkWith({}, { write: ['originate', 'reporting'] }, (config) => ({
      ...config,
      directory: { enabled: true, astdb: { enabled: true } },
    }));
    expect(failed(report)).toEqual(['pbx']);
    expect(problemsOf(report, 'pbx')[0]).toContain('write = system is missing');
    expect(problemsOf(report, 'pbx')[0]).toContain('DBPut');
  });

  it('AMI: a port that answers but never the login is named as not AMI', async () => {
    const report = await checkWith({}, { silentLogin: true });
    expect(failed(report)).toEqual(['pbx']);
    expect(problemsOf(report, 'pbx')[0]).toMatch(
      /answered the connection but not as AMI: Asterisk did not answer the AMI login within 5 s/,
    );
  });

  it('AMI modules: no app_voicemail while users come from voicemail.conf is a warning', async () => {
    const report = await checkWith({}, { unknownActions: ['VoicemailUsersList'] }, (config) =>
      withKey(config, 'pbx.asterisk.usersFromVoicemail', true),
    );
    expect(failed(report)).toEqual([]);
    const pbx = report.steps.find((s) => s.id === 'pbx');
    expect(pbx?.warnings[0]?.message).toContain('Asterisk has no VoicemailUsersList action');
  });
});

describe('check: the remaining install mistakes, one at a time', () => {
  async function checkWith(
    orgOptions: Parameters<typeof startOrg>[0],
    change: (config: Record<string, unknown>) => Record<string, unknown> = (c) => c,
    amiOptions: Parameters<typeof startAmi>[0] = {},
  ) {
    const org = await startOrg(orgOptions);
    const ami = await startAmi(amiOptions);
    try {
      return await check(change(healthyConfig(org, ami)));
    } finally {
      await ami.close();
      await org.stop();
    }
  }

  /** The JWT bearer flow: the integration user's username and the app's private key file. */
  function jwtBearer(org: EmulatedOrg, privateKeyPem: string, username?: string) {
    const keyFile = path.join(mkdtempSync(path.join(tmpdir(), 'switchboard-jwt-')), 'key.pem');
    writeFileSync(keyFile, privateKeyPem);
    return (config: Record<string, unknown>) => ({
      ...config,
      salesforce: {
        loginUrl: org.url,
        flow: 'jwt_bearer',
        clientId: org.credentials.clientId,
        username: username ?? org.jwtBearer.username,
        privateKeyFile: keyFile,
      },
    });
  }

  it('JWT bearer: the healthy flow passes; a key that is not the app certificate’s fails the login', async () => {
    const org = await startOrg();
    const ami = await startAmi();
    try {
      const good = jwtBearer(org, org.jwtBearer.privateKeyPem ?? '');
      const healthy = await check(good(healthyConfig(org, ami)));
      expect(failed(healthy)).toEqual([]);
      expect(healthy.steps.find((s) => s.id === 'salesforce-login')?.summary).toContain(
        'by JWT bearer',
      );

      const other = await generate([{ name: 'commonName', value: 'not-the-app' }], {
        keySize: 2048,
        algorithm: 'sha256',
      });
      const report = await check(jwtBearer(org, other.private)(healthyConfig(org, ami)));
      expect(failed(report)).toEqual(['salesforce-login']);
      expect(problemsOf(report, 'salesforce-login')[0]).toMatch(
        /Salesforce refused the login \(invalid_grant\): invalid assertion: the assertion signed with salesforce.privateKeyFile was not accepted\. → salesforce.privateKeyFile must be the private key of the certificate uploaded to the External Client App/,
      );

      const stranger = await check(
        jwtBearer(
          org,
          org.jwtBearer.privateKeyPem ?? '',
          'nobody@switchboard.example',
        )(healthyConfig(org, ami)),
      );
      expect(failed(stranger)).toEqual(['salesforce-login']);
      expect(problemsOf(stranger, 'salesforce-login')[0]).toMatch(
        /salesforce.username nobody@switchboard.example is not a user the app may act as: .*approved this consumer\. → Set salesforce.username to the integration user's Username/,
      );
    } finally {
      await ami.close();
      await org.stop();
    }
  });

  it('identity certificate: an RSA key shorter than 2048 bits is refused with its length', async () => {
    const org = await startOrg();
    const ami = await startAmi();
    try {
      const short = await generate([{ name: 'commonName', value: 'Switchboard_Bridge' }], {
        keySize: 1024,
        algorithm: 'sha256',
      });
      const report = await check(withKey(healthyConfig(org, ami), 'auth.certificate', short.cert));
      expect(failed(report)).toEqual(['identity-certificate']);
      expect(problemsOf(report, 'identity-certificate')[0]).toContain('1024-bit RSA key');
    } finally {
      await ami.close();
      await org.stop();
    }
  });

  it('API usage: none left today fails the objects step, naming the limit', async () => {
    const report = await checkWith({ apiLimit: 15000, apiUsedToday: 15000 });
    expect(failed(report)).toEqual(['salesforce-access']);
    expect(problemsOf(report, 'salesforce-access')[0]).toMatch(
      /API requests for today are used up.*→ Find what else uses the API/,
    );
  });

  it('users: emails that differ only by case are the same rep; two users with them are not told apart', async () => {
    const mixedCase = await checkWith({}, (config) => ({
      ...config,
      users: [{ extension: '201', email: 'Ana.Lopez@ACME.example' }],
    }));
    expect(failed(mixedCase)).toEqual([]);
    expect(mixedCase.steps.find((s) => s.id === 'users')?.summary).toContain(
      '1 of 1 extension mapped to an active Salesforce user',
    );

    const twins = await checkWith(
      {
        seed: {
          User: [
            {
              Id: '005000000000001AAA',
              LastName: 'Kim',
              Email: 'kim@acme.example',
              IsActive: true,
            },
            {
              Id: '005000000000002AAA',
              LastName: 'Kimball',
              Email: 'KIM@acme.example',
              IsActive: true,
            },
          ],
        },
      },
      (config) => ({ ...config, users: [{ extension: '201', email: 'kim@acme.example' }] }),
    );
    expect(failed(twins)).toEqual(['users']);
    expect(problemsOf(twins, 'users')[0]).toMatch(
      /the active Salesforce users Kim and Kimball have emails the bridge cannot tell apart \(kim@acme.example, KIM@acme.example\).*→ Give each of them their own/,
    );
  });

  it('users: PBX extensions without a Salesforce user are a warning naming them', async () => {
    const report = await checkWith(
      {},
      (config) => ({ ...withKey(config, 'pbx.asterisk.usersFromVoicemail', true), users: [] }),
      {
        voicemailUsers: [
          { VoiceMailbox: '201', Email: 'ana.lopez@acme.example', FullName: 'Ana Lopez' },
          { VoiceMailbox: '299', Email: 'fax@acme.example', FullName: 'Fax' },
        ],
      },
    );
    expect(failed(report)).toEqual([]);
    const users = report.steps.find((s) => s.id === 'users');
    expect(users?.status).toBe('warn');
    expect(users?.warnings.map((w) => `${w.message} → ${w.fix}`)).toEqual([
      expect.stringMatching(
        /^1 PBX extension has no Salesforce user: 299 \(fax@acme.example\)\. → If it is a rep's phone/,
      ),
    ]);
  });

  it('webhook: a guessable token is a warning; a dial URL nothing answers fails the phone system step', async () => {
    const webhook =
      (webhookConfig: Record<string, unknown>) => (config: Record<string, unknown>) => ({
        ...config,
        pbx: { adapter: 'webhook', webhook: webhookConfig },
      });
    const short = await checkWith({}, webhook({ token: 'letmein' }));
    expect(failed(short)).toEqual([]);
    const pbx = short.steps.find((s) => s.id === 'pbx');
    expect(pbx?.status).toBe('warn');
    expect(pbx?.warnings[0]?.message).toBe(
      'pbx.webhook.token is 7 characters long: short enough to guess.',
    );

    const deadDial = await checkWith(
      {},
      webhook({ token: WEBHOOK_TOKEN, dialUrl: 'http://127.0.0.1:9/dial' }),
    );
    expect(failed(deadDial)).toEqual(['pbx']);
    expect(problemsOf(deadDial, 'pbx')[0]).toMatch(
      /^pbx.webhook.dialUrl http:\/\/127.0.0.1:9 does not answer \(.*\): click-to-dial will fail\. → Check the URL/,
    );

    const spaced = await checkWith(
      {},
      webhook({ token: `${WEBHOOK_TOKEN.slice(0, 8)} ${WEBHOOK_TOKEN.slice(8)}` }),
    );
    expect(failed(spaced)).toEqual(['pbx']);
    expect(problemsOf(spaced, 'pbx')[0]).toContain(
      'pbx.webhook.token has a space inside it, at character 9',
    );
  });
});
