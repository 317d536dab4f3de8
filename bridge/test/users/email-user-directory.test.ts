// EmailUserDirectory: config mappings win over the PBX, emails match case-insensitively, one
// clear warning per unmatched PBX user, and a Salesforce outage only delays the matching.
import { Writable } from 'node:stream';
import { createLogger } from '../../src/logging/logger';
import { SwitchboardError } from '../../src/errors';
import type { SObjectRecord, SalesforceGateway } from '../../src/salesforce/gateway';
import type { Soql } from '../../src/salesforce/query-builder';
import { EmailUserDirectory } from '../../src/users/email-user-directory';

interface UserRow {
  Id: string;
  Name: string;
  Email: string;
  IsActive: boolean;
}

/** Answers `SELECT … FROM User WHERE Email IN (…)` the way Salesforce does: case-insensitive. */
function fakeGateway(users: UserRow[]) {
  const queries: string[] = [];
  let failure: Error | undefined;
  const gateway: Pick<SalesforceGateway, 'query'> = {
    query(query: Soql): Promise<SObjectRecord[]> {
      queries.push(query);
      if (failure !== undefined) return Promise.reject(failure);
      const list = /Email IN \((.*)\)$/.exec(query)?.[1] ?? '';
      const wanted = [...list.matchAll(/'((?:[^'\\]|\\.)*)'/g)].map((m) =>
        (m[1] ?? '').toLowerCase(),
      );
      return Promise.resolve(
        users
          .filter((u) => wanted.includes(u.Email.toLowerCase()))
          .map((u) => ({ ...u, sobjectType: 'User' })),
      );
    },
  };
  return {
    gateway: gateway as SalesforceGateway,
    queries,
    fail: (error: Error | undefined) => {
      failure = error;
    },
  };
}

function captureLogger() {
  const lines: { level: string; msg: string }[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean))
        lines.push(JSON.parse(line) as { level: string; msg: string });
      done();
    },
  });
  return { logger: createLogger({ level: 'info', destination }), lines };
}

const ALICE: UserRow = { Id: '005A', Name: 'Alice', Email: 'Alice@Acme.com', IsActive: true };
const BOB: UserRow = { Id: '005B', Name: 'Bob', Email: 'bob@acme.com', IsActive: false };

describe('EmailUserDirectory', () => {
  it('serves config mappings before any refresh', () => {
    const { gateway } = fakeGateway([]);
    const { logger } = captureLogger();
    const users = new EmailUserDirectory({
      mappings: [{ extension: '201', email: ' Alice@ACME.com ' }],
      gateway,
      logger,
    });
    expect(users.emailForExtension('201')).toBe('alice@acme.com');
    expect(users.extensionsForEmail('ALICE@acme.COM')).toEqual(['201']);
    expect(users.salesforceUserIdForEmail('alice@acme.com')).toBeUndefined();
  });

  it('merges PBX users with the config, the config winning per extension', async () => {
    const { gateway } = fakeGateway([ALICE]);
    const { logger } = captureLogger();
    const users = new EmailUserDirectory({
      mappings: [{ extension: '201', email: 'alice@acme.com' }],
      gateway,
      logger,
    });
    await users.refresh([
      { extension: '201', email: 'someone-else@acme.com' },
      { extension: '202', email: 'ALICE@acme.com' },
      { extension: '203', email: 'carol@acme.com', name: 'Carol' },
    ]);
    expect(users.emailForExtension('201')).toBe('alice@acme.com');
    expect(users.extensionsForEmail('alice@acme.com')).toEqual(['201', '202']);
    expect(users.extensionsForEmail('someone-else@acme.com')).toEqual([]);
    expect(users.salesforceUserIdForEmail('ALICE@ACME.COM')).toBe('005A');
    expect(users.identities()).toEqual(
      expect.arrayContaining([
        {
          email: 'alice@acme.com',
          extensions: ['201', '202'],
          salesforceUserId: '005A',
          name: 'Alice',
        },
        { email: 'carol@acme.com', extensions: ['203'], name: 'Carol' },
      ]),
    );
  });

  it('warns once per PBX user without an active Salesforce user, then keeps quiet', async () => {
    const { gateway } = fakeGateway([ALICE, BOB]);
    const { logger, lines } = captureLogger();
    const users = new EmailUserDirectory({ mappings: [], gateway, logger });
    const pbx = [
      { extension: '201', email: 'alice@acme.com' },
      { extension: '202', email: 'bob@acme.com' },
      { extension: '203', email: 'x@y.com' },
    ];
    await users.refresh(pbx);
    await users.refresh(pbx);
    expect(lines.filter((l) => l.level === 'warn').map((l) => l.msg)).toEqual([
      'extension 202 (bob@acme.com): no active Salesforce user has this email — no window will open for this user',
      'extension 203 (x@y.com): no active Salesforce user has this email — no window will open for this user',
    ]);
    expect(users.salesforceUserIdForEmail('bob@acme.com')).toBeUndefined();
  });

  it('prefers the active user when several share an email', async () => {
    const { gateway } = fakeGateway([
      { Id: '005OLD', Name: 'Old', Email: 'dana@acme.com', IsActive: false },
      { Id: '005NEW', Name: 'New', Email: 'Dana@acme.com', IsActive: true },
    ]);
    const { logger } = captureLogger();
    const users = new EmailUserDirectory({ mappings: [], gateway, logger });
    await users.refresh([{ extension: '204', email: 'dana@acme.com' }]);
    expect(users.salesforceUserIdForEmail('dana@acme.com')).toBe('005NEW');
  });

  it('asks in chunks, with every email escaped', async () => {
    const { gateway, queries } = fakeGateway([]);
    const { logger } = captureLogger();
    const users = new EmailUserDirectory({
      mappings: [{ extension: '999', email: "o'brien@acme.com" }],
      gateway,
      logger,
    });
    const pbx = Array.from({ length: 150 }, (_, i) => ({
      extension: String(1000 + i),
      email: `user${i}@acme.com`,
    }));
    await users.refresh(pbx);
    expect(queries).toHaveLength(2);
    for (const query of queries)
      expect(query).toMatch(/^SELECT Id, Name, Email, IsActive FROM User WHERE Email IN \(/);
    expect(queries.join('\n')).toContain("'o\\'brien@acme.com'");
    expect(queries.join('\n')).not.toContain("'o'brien");
  });

  it('keeps going when Salesforce is down, and matches on the next refresh', async () => {
    const { gateway, fail } = fakeGateway([ALICE]);
    const { logger, lines } = captureLogger();
    const users = new EmailUserDirectory({
      mappings: [{ extension: '201', email: 'alice@acme.com' }],
      gateway,
      logger,
    });
    fail(new SwitchboardError('SF_UNAVAILABLE', 'down'));
    await expect(users.refresh()).resolves.toBe(false);
    expect(users.extensionsForEmail('alice@acme.com')).toEqual(['201']);
    expect(users.salesforceUserIdForEmail('alice@acme.com')).toBeUndefined();
    expect(lines.some((l) => l.level === 'warn' && l.msg.includes('retrying'))).toBe(true);
    // no "no active user" warning: Salesforce did not say so
    expect(lines.some((l) => l.msg.includes('no active Salesforce user'))).toBe(false);

    fail(undefined);
    await users.refresh();
    expect(users.salesforceUserIdForEmail('alice@acme.com')).toBe('005A');
  });

  describe('extensionsForRep: by the Salesforce user the email is bound to', () => {
    const KATE: UserRow = { Id: '005K', Name: 'Kate', Email: 'kate@acme.com', IsActive: true };
    /** Kelvin sign for K: lower-cases to "kate@acme.com", as Salesforce's IN () does. */
    const KELVIN: UserRow = {
      Id: '005M',
      Name: 'Mallory',
      Email: '\u212Aate@acme.com',
      IsActive: true,
    };

    async function directory(
      rows: UserRow[],
      mappings = [{ extension: '203', email: 'kate@acme.com' }],
    ) {
      const fake = fakeGateway(rows);
      const { logger, lines } = captureLogger();
      const users = new EmailUserDirectory({ mappings, gateway: fake.gateway, logger });
      await users.refresh();
      return { users, lines, fake };
    }

    it('gives the mapped rep their extension, whatever the case of the token’s email', async () => {
      const { users } = await directory([KATE]);
      expect(users.extensionsForRep({ userId: '005K', email: 'Kate@ACME.com' })).toEqual(['203']);
      expect(users.warningsForRep({ userId: '005K', email: 'kate@acme.com' })).toEqual([]);
    });

    it('gives nothing to a Salesforce user whose email is a look-alike (KELVIN SIGN)', async () => {
      const { users, lines } = await directory([KATE, KELVIN]);
      const mallory = { userId: '005M', email: '\u212Aate@acme.com' };
      expect(users.extensionsForRep(mallory)).toEqual([]);
      // …even when they claim the plain spelling: the token's user id decides.
      expect(users.extensionsForRep({ userId: '005M', email: 'kate@acme.com' })).toEqual([]);
      expect(users.salesforceUserIdForEmail('kate@acme.com')).toBe('005K');
      expect(users.warningsForRep(mallory)).toEqual([
        expect.stringMatching(/looks like kate@acme\.com, which has a phone extension/),
      ]);
      // Told once when the users are read, once when the look-alike signs in: not again.
      await users.refresh();
      users.warningsForRep(mallory);
      const told = lines.filter((l) => l.level === 'warn' && l.msg.includes('look-alike'));
      expect(told.map((l) => (l as { code?: string }).code)).toEqual([
        'AUTH_EMAIL_LOOKALIKE',
        'AUTH_EMAIL_LOOKALIKE',
      ]);
    });

    it('binds the look-alike to nobody when it is the only user: the email grants nothing', async () => {
      const { users } = await directory([KELVIN]);
      expect(users.salesforceUserIdForEmail('kate@acme.com')).toBeUndefined();
      expect(users.extensionsForRep({ userId: '005M', email: '\u212Aate@acme.com' })).toEqual([]);
      expect(users.extensionsForRep({ userId: '005M', email: 'kate@acme.com' })).toEqual([]);
    });

    it('grants nothing on a mapped email no active Salesforce user has', async () => {
      const { users } = await directory([{ ...KATE, IsActive: false }]);
      const kate = { userId: '005K', email: 'kate@acme.com' };
      expect(users.extensionsForRep(kate)).toEqual([]);
      expect(users.warningsForRep(kate)).toEqual([
        expect.stringMatching(/knows no active Salesforce user with the email kate@acme\.com/),
      ]);
      // …nor before Salesforce was ever read.
      const { users: unread, fake } = await directory([]);
      fake.fail(new SwitchboardError('SF_UNAVAILABLE', 'down'));
      expect(unread.extensionsForRep(kate)).toEqual([]);
    });

    it('keeps the email bound to its first user when a second one is given the same email', async () => {
      const rows: UserRow[] = [KATE];
      const { users, lines } = await directory(rows);
      expect(users.extensionsForRep({ userId: '005K', email: 'kate@acme.com' })).toEqual(['203']);
      // An older id, answered first: without the binding it would win.
      rows.unshift({ Id: '005A', Name: 'Impostor', Email: 'KATE@acme.com', IsActive: true });
      await users.refresh();
      expect(users.extensionsForRep({ userId: '005A', email: 'kate@acme.com' })).toEqual([]);
      expect(users.extensionsForRep({ userId: '005K', email: 'kate@acme.com' })).toEqual(['203']);
      expect(users.warningsForRep({ userId: '005A', email: 'kate@acme.com' })).toEqual([
        expect.stringMatching(/^Another Salesforce user has the email kate@acme\.com/),
      ]);
      expect(lines.filter((l) => l.msg.includes('Several active Salesforce users'))).toHaveLength(
        1,
      );
    });

    it('binds the same user whatever order the org answers in', async () => {
      const twins: UserRow[] = [
        { Id: '005Z', Name: 'Newer', Email: 'kate@acme.com', IsActive: true },
        { Id: '005B', Name: 'Older', Email: 'kate@acme.com', IsActive: true },
      ];
      const { users } = await directory(twins);
      const { users: reversed } = await directory([...twins].reverse());
      expect(users.salesforceUserIdForEmail('kate@acme.com')).toBe('005B');
      expect(reversed.salesforceUserIdForEmail('kate@acme.com')).toBe('005B');
    });

    it('does not map a look-alike email from the PBX onto the plain one', async () => {
      const { users } = await directory([KATE], []);
      await users.refresh([{ extension: '204', email: '\u212Aate@acme.com' }]);
      expect(users.extensionsForEmail('kate@acme.com')).toEqual([]);
      expect(users.emailForExtension('204')).toBe('\u212Aate@acme.com');
      expect(users.extensionsForRep({ userId: '005K', email: 'kate@acme.com' })).toEqual([]);
    });
  });

  describe('warningsForRep', () => {
    it('tells a rep with no extension what to ask their admin', () => {
      const { gateway } = fakeGateway([]);
      const { logger } = captureLogger();
      const users = new EmailUserDirectory({ mappings: [], gateway, logger });
      expect(users.warningsForRep({ userId: '005Y', email: ' You@Acme.com' })).toEqual([
        'No phone extension is mapped to you@acme.com. Ask your admin to add you under users: in the bridge configuration, or to use the same email on the PBX.',
      ]);
    });
  });
});
