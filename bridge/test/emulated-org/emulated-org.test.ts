// The emulated org on the wire (plain fetch, no jsforce): token endpoint, error shapes, headers,
// the SOQL and SOSL subsets, seed loading and the identity token that stands in for Apex.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { importSPKI, importX509, jwtVerify } from 'jose';
import { EmulatedOrg, loadSeed } from '../../src/demo/emulated-org/emulated-org';
import { tokenizeSearch } from '../../src/demo/emulated-org/sosl-engine';
import { requestToken } from './support/client-credentials';
import { ErrorCodes, SwitchboardError } from '../../src/errors';
import { Teardown } from '../support/teardown';

describe('EmulatedOrg', () => {
  let org: EmulatedOrg;
  let token: string;

  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${org.url}/services/data/v62.0${path}`, {
      ...init,
      headers: { Authorization: `Bearer ${token}`, ...(init.headers as Record<string, string>) },
    });
  const query = async (q: string) => {
    const res = await api(`/query?q=${encodeURIComponent(q)}`);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const search = async (q: string) => {
    const res = await api(`/search?q=${encodeURIComponent(q)}`);
    return { status: res.status, body: await res.json() };
  };
  const names = (body: Record<string, unknown>) =>
    (body.records as { Name: string }[]).map((r) => r.Name);

  async function login(): Promise<Record<string, string>> {
    const res = await requestToken(org);
    expect(res.status).toBe(200);
    return (await res.json()) as Record<string, string>;
  }

  const teardown = new Teardown();

  beforeAll(async () => {
    org = teardown.add(await EmulatedOrg.start({ seed: loadSeed('demo') }), (o) => o.stop());
    token = (await login()).access_token ?? '';
  });
  afterAll(() => teardown.run());

  describe('wire format', () => {
    it('issues tokens whose id names the org and the integration user', async () => {
      const body = await login();
      expect(body).toMatchObject({ instance_url: org.url, token_type: 'Bearer' });
      expect(body.id).toMatch(new RegExp(`/id/${org.orgId}/005[A-Za-z0-9]{15}$`));
      expect(org.orgId).toMatch(/^00D[A-Za-z0-9]{15}$/);
    });

    it('answers bad client credentials like Salesforce', async () => {
      const res = await fetch(`${org.url}/services/oauth2/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${org.credentials.clientId}:nope`).toString('base64')}`,
        },
        body: 'grant_type=client_credentials',
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({
        error: 'invalid_client',
        error_description: 'invalid client credentials',
      });
    });

    it('requires a session and sends Sforce-Limit-Info on API responses', async () => {
      const res = await fetch(`${org.url}/services/data/v62.0/limits`);
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual([
        { message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' },
      ]);
      const ok = await api('/limits');
      expect(ok.headers.get('sforce-limit-info')).toMatch(/^api-usage=\d+\/15000$/);
      expect(ok.headers.get('content-type')).toMatch(/^application\/json/);
    });

    it('lists versions without a session', async () => {
      const res = await fetch(`${org.url}/services/data/`);
      const versions = (await res.json()) as { version: string }[];
      expect(versions.at(-1)?.version).toBe('62.0');
    });
  });

  describe('SOQL', () => {
    it('orders with NULLS LAST, limits and counts', async () => {
      const { body } = await query(
        "SELECT Name, MobilePhone FROM Contact WHERE Account.Name = 'Neckar Maschinenbau GmbH' ORDER BY MobilePhone DESC NULLS LAST, Name LIMIT 3",
      );
      expect(names(body)).toEqual(['Katrin Schulz', 'Jonas Weber', 'Lena Hoffmann']);
      const count = await query('SELECT COUNT() FROM Lead WHERE IsConverted = true');
      expect(count.body).toEqual({ totalSize: 2, done: true, records: [] });
    });

    it('compares datetimes and understands TODAY', async () => {
      const { body } = await query(
        'SELECT Name FROM Account WHERE CreatedDate > 2000-01-01T00:00:00Z AND CreatedDate = TODAY',
      );
      expect((body.records as unknown[]).length).toBe(6);
    });

    it('refuses what Salesforce refuses', async () => {
      expect(await query('SELEC Id FROM Contact')).toMatchObject({
        status: 400,
        body: [{ errorCode: 'MALFORMED_QUERY' }],
      });
      expect(await query('SELECT Id FROM Nope')).toMatchObject({
        status: 400,
        body: [{ errorCode: 'INVALID_TYPE' }],
      });
      expect(await query('SELECT Id FROM Contact WHERE Foo.Name = null')).toMatchObject({
        status: 400,
        body: [{ errorCode: 'INVALID_FIELD' }],
      });
      expect(await query('SELECT Id FROM Contact WHERE LastName = Weber')).toMatchObject({
        status: 400,
        body: [{ errorCode: 'MALFORMED_QUERY' }],
      });
      expect(await query("SELECT Id FROM Contact WHERE Id = 'x'")).toMatchObject({
        status: 400,
        body: [{ errorCode: 'INVALID_QUERY_FILTER_OPERATOR' }],
      });
    });
  });

  describe('SOSL', () => {
    it('matches phone values by whole tokens and by all their digits, in every phone field', async () => {
      // A digit substring is no token: the index does not find it.
      expect(
        (
          (await search('FIND {"71311234"} IN PHONE FIELDS RETURNING Contact(Name), Account(Name)'))
            .body as { searchRecords: unknown[] }
        ).searchRecords,
      ).toEqual([]);
      // "07131 123456" by its digits; "0049 (0)7131-123456" and "+49 7131 123456" by the phrase.
      const { body } = await search(
        'FIND {"07131123456" OR "7131 123456"} IN PHONE FIELDS RETURNING Contact(Name ORDER BY Name), Account(Name)',
      );
      const hits = (body as { searchRecords: { Name: string; attributes: { type: string } }[] })
        .searchRecords;
      expect(hits.map((h) => `${h.attributes.type}:${h.Name}`)).toEqual([
        'Contact:Jonas Weber',
        'Contact:Katrin Schulz',
        'Account:Neckar Maschinenbau GmbH',
      ]);
    });

    it('applies WHERE inside RETURNING and OR between terms', async () => {
      const { body } = await search(
        'FIND {"2125550186" OR "4155550134"} IN PHONE FIELDS RETURNING Lead(Name WHERE IsConverted = false)',
      );
      expect(
        (body as { searchRecords: { Name: string }[] }).searchRecords.map((h) => h.Name),
      ).toEqual(['Mia Thompson']);
    });

    it('tokenizes escapes, phrases and operators', () => {
      expect(tokenizeSearch('"a\\"b" OR c\\-d AND NOT (ef)')).toEqual([
        { kind: 'term', term: { text: 'a"b', phrase: true } },
        { kind: 'op', op: 'OR' },
        { kind: 'term', term: { text: 'c-d', phrase: false } },
        { kind: 'op', op: 'AND' },
        { kind: 'op', op: 'NOT' },
        { kind: 'op', op: '(' },
        { kind: 'term', term: { text: 'ef', phrase: false } },
        { kind: 'op', op: ')' },
      ]);
    });

    it('refuses unescaped reserved characters, short terms and a missing brace', async () => {
      for (const q of ['FIND {a:b}', 'FIND {"x"}', 'FIND {"ab"', 'FIND ab']) {
        const { status, body } = await search(q);
        expect(status).toBe(400);
        expect(body).toMatchObject([{ errorCode: 'MALFORMED_SEARCH' }]);
      }
    });
  });

  describe('records and faults', () => {
    it('creates with a typed id and audit fields, and refuses read-only or unknown fields', async () => {
      const res = await api('/sobjects/Lead', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ LastName: 'Nguyen', Company: 'Nguyen & Co' }),
      });
      expect(res.status).toBe(201);
      const { id } = (await res.json()) as { id: string };
      expect(id).toMatch(/^00Q[A-Za-z0-9]{15}$/);
      const lead = org.records('Lead').find((l) => l.Id === id);
      expect(lead).toMatchObject({
        Name: 'Nguyen',
        IsConverted: false,
        Status: 'Open - Not Contacted',
      });
      expect(lead?.CreatedDate).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);

      const readOnly = await api('/sobjects/Lead', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ LastName: 'X', Company: 'Y', CreatedDate: '2020-01-01T00:00:00Z' }),
      });
      expect(await readOnly.json()).toMatchObject([
        { errorCode: 'INVALID_FIELD_FOR_INSERT_UPDATE' },
      ]);
      const missing = await api('/sobjects/Lead', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ LastName: 'X' }),
      });
      expect(await missing.json()).toMatchObject([
        { errorCode: 'REQUIRED_FIELD_MISSING', fields: ['Company'] },
      ]);
    });

    it('counts calls by kind, and a down org answers 503', async () => {
      org.resetCounters();
      await query('SELECT Id FROM User');
      await search('FIND {"4155550134"}');
      expect(org.apiCalls).toBe(2);
      expect(org.counts).toMatchObject({ query: 1, search: 1 });
      org.faults.setDown(true);
      try {
        expect((await query('SELECT Id FROM User')).status).toBe(503);
      } finally {
        org.faults.clear();
      }
    });

    it('expireSessions invalidates every token', async () => {
      const fresh = (await login()).access_token ?? '';
      org.faults.expireSessions();
      const res = await fetch(`${org.url}/services/data/v62.0/limits`, {
        headers: { Authorization: `Bearer ${fresh}` },
      });
      expect(res.status).toBe(401);
      token = (await login()).access_token ?? '';
    });
  });

  describe('identity', () => {
    it('signs RS256 tokens the public key and the certificate verify', async () => {
      const ana = org.records('User').find((u) => u.Email === 'ana.lopez@acme.example');
      const jwt = await org.identity.signToken(String(ana?.Id));
      const { payload, protectedHeader } = await jwtVerify(
        jwt,
        await importSPKI(org.identity.publicKeyPem, 'RS256'),
        { issuer: org.orgId, audience: 'switchboard-bridge' },
      );
      expect(protectedHeader.alg).toBe('RS256');
      expect(payload).toMatchObject({ sub: ana?.Id, email: 'ana.lopez@acme.example' });
      expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(300);
      // As Apex signs it: the single-use id as switchboard_nonce, no standard jti claim.
      expect(payload.jti).toBeUndefined();
      expect(payload.switchboard_nonce).toMatch(/^[0-9a-f]{32}$/);

      const cert = new X509Certificate(org.identity.certificatePem);
      expect(cert.subject).toContain('CN=Switchboard_Bridge');
      await jwtVerify(jwt, await importX509(org.identity.certificatePem, 'RS256'));
    });

    it('lets tests forge bad tokens', async () => {
      const jwt = await org.identity.signToken('005000000000001AAA', { aud: 'other' });
      await expect(
        jwtVerify(jwt, await importSPKI(org.identity.publicKeyPem, 'RS256'), {
          audience: 'switchboard-bridge',
        }),
      ).rejects.toThrow();
    });
  });
});

describe('loadSeed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-seed-'));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('loads the demo org with its users and shared numbers', () => {
    const seed = loadSeed('demo');
    expect(seed.User?.map((u) => u.Email)).toEqual([
      'ana.lopez@acme.example',
      'ben.okafor@acme.example',
      'chloe.martin@acme.example',
    ]);
    expect(Object.keys(seed)).not.toContain('_comment');
  });

  it.each([
    ['missing file', join(dir, 'nope.json'), ErrorCodes.DEMO_SEED_UNREADABLE],
    ['bad JSON', file('bad.json', '{ "Contact": ['), ErrorCodes.DEMO_SEED_INVALID],
    ['not a list', file('obj.json', '{ "Contact": {} }'), ErrorCodes.DEMO_SEED_INVALID],
    [
      'nested value',
      file('nested.json', '{ "Contact": [{"LastName": {"a": 1}}] }'),
      ErrorCodes.DEMO_SEED_INVALID,
    ],
  ])('reports a %s with a code and a hint', (_what, path, code) => {
    try {
      loadSeed(path);
      throw new Error('expected an error');
    } catch (error) {
      expect(error).toBeInstanceOf(SwitchboardError);
      expect((error as SwitchboardError).code).toBe(code);
      expect((error as SwitchboardError).hint).toBeDefined();
    }
  });

  it('refuses a seed record missing a required field when the org starts', async () => {
    await expect(
      EmulatedOrg.start({ seed: { Lead: [{ LastName: 'NoCompany' }] } }),
    ).rejects.toMatchObject({
      code: ErrorCodes.DEMO_SEED_INVALID,
    });
  });
});
