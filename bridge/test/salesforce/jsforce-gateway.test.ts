// The jsforce gateway against the emulated org over real HTTP: both OAuth flows, query with
// relationships and paging, SOSL escaping, session renewal, fault mapping and API usage.
import { EmulatedOrg, type SeedData } from '../../src/demo/emulated-org/emulated-org';
import { ErrorCodes, SwitchboardError } from '../../src/errors';
import {
  defaultJwtAudience,
  type JsforceGatewayOptions,
  type JsforceSalesforceGateway,
} from '../../src/salesforce/jsforce-gateway';
import { fieldList, findTerms, soql, sosl } from '../../src/salesforce/query-builder';
import { gatewayForOrg } from '../support/org-gateway';
import { Teardown } from '../support/teardown';

const API = '62.0';

const seed: SeedData = {
  User: [
    { Id: '005Hs00000USR01', FirstName: 'Ana', LastName: 'Lopez', Email: 'ana.lopez@acme.example' },
  ],
  Account: [
    {
      Id: '001Hs00000ACC01',
      Name: 'Neckar Maschinenbau GmbH',
      Phone: '+49 7131 123456',
      OwnerId: '005Hs00000USR01',
    },
  ],
  Contact: [
    {
      FirstName: 'Jonas',
      LastName: 'Weber',
      Phone: '07131 123456',
      AccountId: '001Hs00000ACC01',
      OwnerId: '005Hs00000USR01',
    },
    { FirstName: 'Priya', LastName: 'Raman', Phone: '415.555.0134', Title: 'VP Engineering' },
    { FirstName: 'Back', LastName: 'Slash', Phone: '555 0000', Description: 'has a \\ in it' },
  ],
  Lead: [
    { FirstName: 'Mia', LastName: 'Thompson', Company: 'Bayview Biotech', Phone: '(415) 555-0134' },
    {
      FirstName: 'Grace',
      LastName: 'Kim',
      Company: 'Hudson',
      Phone: '212-555-0186',
      IsConverted: true,
    },
  ],
};

async function expectCode(promise: Promise<unknown>, code: string): Promise<SwitchboardError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(SwitchboardError);
    expect((error as SwitchboardError).code).toBe(code);
    return error as SwitchboardError;
  }
  throw new Error(`expected ${code}, but the call succeeded`);
}

/** Without the retry of a GET, so that each test here sees a failure as the org gives it. */
function gatewayFor(org: EmulatedOrg, overrides: Partial<JsforceGatewayOptions> = {}) {
  return gatewayForOrg(org, { getRetries: 0, ...overrides });
}

describe('JsforceSalesforceGateway against the emulated org', () => {
  let org: EmulatedOrg;
  let gateway: JsforceSalesforceGateway;
  const teardown = new Teardown();

  beforeAll(async () => {
    org = teardown.add(await EmulatedOrg.start({ seed, apiVersion: API, queryBatchSize: 2 }), (o) =>
      o.stop(),
    );
    gateway = gatewayFor(org);
  });
  afterAll(() => teardown.run());
  afterEach(() => {
    org.faults.clear();
    org.resetCounters();
  });

  describe('authentication', () => {
    it('connects with client credentials and reports org and user', async () => {
      const identity = await gatewayFor(org).connect();
      expect(identity.orgId).toBe(org.orgId);
      expect(identity.orgId).toMatch(/^00D[A-Za-z0-9]{15}$/);
      expect(identity.userId).toMatch(/^005/);
      expect(identity.instanceUrl).toBe(org.url);
    });

    it('connects with the JWT bearer flow', async () => {
      const jwt = gatewayFor(org, {
        flow: 'jwt_bearer',
        clientSecret: undefined,
        username: org.jwtBearer.username,
        privateKeyPem: org.jwtBearer.privateKeyPem,
      });
      const identity = await jwt.connect();
      expect(identity.orgId).toBe(org.orgId);
      const rows = await jwt.query(soql`SELECT Id FROM Account`);
      expect(rows).toHaveLength(1);
    });

    it('JWT bearer for an unknown user fails with SF_AUTH_FAILED', async () => {
      const jwt = gatewayFor(org, {
        flow: 'jwt_bearer',
        username: 'nobody@acme.example',
        privateKeyPem: org.jwtBearer.privateKeyPem,
      });
      await expectCode(jwt.connect(), ErrorCodes.SF_AUTH_FAILED);
    });

    it('a wrong client secret fails with SF_AUTH_FAILED and a hint', async () => {
      const bad = gatewayFor(org, { clientSecret: 'wrong' });
      const error = await expectCode(bad.connect(), ErrorCodes.SF_AUTH_FAILED);
      expect(error.message).toContain('invalid_client');
      expect(error.hint).toMatch(/clientSecret.*Run-As.*My Domain/s);
    });

    it('uses login.salesforce.com as JWT audience for My Domain hosts', () => {
      expect(defaultJwtAudience('https://acme.my.salesforce.com')).toBe(
        'https://login.salesforce.com',
      );
      expect(defaultJwtAudience('https://acme--uat.sandbox.my.salesforce.com')).toBe(
        'https://test.salesforce.com',
      );
      expect(defaultJwtAudience('http://127.0.0.1:4000')).toBe('http://127.0.0.1:4000');
    });
  });

  describe('query', () => {
    it('returns parent relationships as plain nested objects', async () => {
      const rows = await gateway.query(
        soql`SELECT ${fieldList(['Id', 'Name', 'Account.Name', 'Owner.Name'])} FROM Contact WHERE LastName = ${'Weber'}`,
      );
      expect(rows).toEqual([
        {
          Id: expect.stringMatching(/^003[A-Za-z0-9]{15}$/) as unknown,
          sobjectType: 'Contact',
          Name: 'Jonas Weber',
          Account: { Name: 'Neckar Maschinenbau GmbH' },
          Owner: { Name: 'Ana Lopez' },
        },
      ]);
    });

    it('follows nextRecordsUrl across pages', async () => {
      const rows = await gateway.query(soql`SELECT Id, LastName FROM Contact ORDER BY LastName`);
      expect(rows.map((r) => r.LastName)).toEqual(['Raman', 'Slash', 'Weber']);
      expect(org.counts.query).toBe(1);
      expect(org.counts.queryMore).toBe(1);
    });

    it('stops paging at the limit', async () => {
      const rows = await gateway.query(soql`SELECT Id FROM Contact`, { limit: 2 });
      expect(rows).toHaveLength(2);
      expect(org.counts.queryMore).toBe(0);
    });

    it('evaluates WHERE operators, NOT and parentheses', async () => {
      const names = async (q: ReturnType<typeof soql>) =>
        (await gateway.query(q)).map((r) => r.LastName).sort();
      expect(await names(soql`SELECT LastName FROM Lead WHERE IsConverted = false`)).toEqual([
        'Thompson',
      ]);
      expect(await names(soql`SELECT LastName FROM Contact WHERE Title != null`)).toEqual([
        'Raman',
      ]);
      expect(
        await names(soql`SELECT LastName FROM Contact WHERE LastName IN ${['weber', 'Raman']}`),
      ).toEqual(['Raman', 'Weber']);
      expect(
        await names(
          soql`SELECT LastName FROM Contact WHERE NOT (LastName LIKE 'W%' OR LastName = 'Slash')`,
        ),
      ).toEqual(['Raman']);
      expect(
        await names(
          soql`SELECT LastName FROM Contact WHERE LastName > 'S' AND LastName NOT IN ('Weber')`,
        ),
      ).toEqual(['Slash']);
    });

    it('maps an unknown field to SF_REQUEST_REJECTED keeping INVALID_FIELD', async () => {
      const error = await expectCode(
        gateway.query(soql`SELECT Nope__c FROM Contact`),
        ErrorCodes.SF_REQUEST_REJECTED,
      );
      expect(error.details).toMatchObject({ status: 400, errorCode: 'INVALID_FIELD' });
    });
  });

  describe('search', () => {
    it('finds Contacts and Leads by phone digits, in RETURNING order', async () => {
      const hits = await gateway.search(
        sosl`FIND ${findTerms(['4155550134'])} IN PHONE FIELDS RETURNING Contact(Id, Name, Phone), Lead(Id, Name WHERE IsConverted = false)`,
      );
      expect(hits.map((h) => [h.sobjectType, h.Name])).toEqual([
        ['Contact', 'Priya Raman'],
        ['Lead', 'Mia Thompson'],
      ]);
    });

    it('an injection attempt in a term stays one term and returns nothing unexpected', async () => {
      const hits = await gateway.search(
        sosl`FIND ${findTerms(['"} RETURNING User(Id) FIND {', 'a\\b'])} IN PHONE FIELDS RETURNING Contact(Id)`,
      );
      expect(org.searches).toHaveLength(1);
      expect(org.searches[0]?.terms).toEqual(['"} RETURNING User(Id) FIND {', 'a\\b']);
      expect(hits).toEqual([]);
    });

    it('refuses a term shorter than two characters', async () => {
      const error = await expectCode(
        gateway.search('FIND {4} IN PHONE FIELDS RETURNING Contact(Id)' as ReturnType<typeof sosl>),
        ErrorCodes.SF_REQUEST_REJECTED,
      );
      expect(error.details).toMatchObject({ errorCode: 'MALFORMED_SEARCH' });
    });

    it('refuses unescaped reserved characters', async () => {
      const error = await expectCode(
        gateway.search(
          'FIND {415-555} IN PHONE FIELDS RETURNING Contact(Id)' as ReturnType<typeof sosl>,
        ),
        ErrorCodes.SF_REQUEST_REJECTED,
      );
      expect(error.details).toMatchObject({ errorCode: 'MALFORMED_SEARCH' });
    });
  });

  describe('records', () => {
    it('creates, retrieves and updates', async () => {
      const id = await gateway.create('Task', {
        Subject: 'Call',
        TaskSubtype: 'Call',
        CallType: 'Inbound',
      });
      expect(id).toMatch(/^00T[A-Za-z0-9]{15}$/);
      await gateway.update('Task', id, { CallDisposition: 'Left voicemail' });
      const task = await gateway.retrieve('Task', id, [
        'Subject',
        'CallDisposition',
        'Status',
        'Owner.Name',
      ]);
      expect(task).toMatchObject({
        Id: id,
        sobjectType: 'Task',
        Subject: 'Call',
        CallDisposition: 'Left voicemail',
        Status: 'Not Started',
        Owner: { Name: 'Switchboard Integration' },
      });
      expect(org.counts).toMatchObject({ create: 1, update: 1, retrieve: 1 });
    });

    it('retrieve of a missing record is null', async () => {
      expect(await gateway.retrieve('Contact', '003Hs00000ZZZ99', ['Id'])).toBeNull();
    });

    it('a validation rule maps to SF_REQUEST_REJECTED with the Salesforce errorCode, without retrying the POST', async () => {
      org.faults.rejectWrites('Lead', {
        errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
        message: 'Company is required',
        fields: ['Company'],
      });
      const error = await expectCode(
        gateway.create('Lead', { LastName: 'X', Company: 'Y' }),
        ErrorCodes.SF_REQUEST_REJECTED,
      );
      expect(error.details).toMatchObject({
        errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
        fields: ['Company'],
      });
      expect(org.counts.create).toBe(1);
    });
  });

  describe('batches', () => {
    it('sends up to five queries per Composite request, one API call each, results in order and paged', async () => {
      const names = ['Jonas', 'Priya', 'Back', 'Nobody', 'Jonas', 'Priya', 'Back'];
      const results = await gateway.queryBatch(
        names.map((n) => soql`SELECT Name FROM Contact WHERE FirstName = ${n}`),
      );
      expect(results.map((rows) => rows.map((r) => r.Name))).toEqual([
        ['Jonas Weber'],
        ['Priya Raman'],
        ['Back Slash'],
        [],
        ['Jonas Weber'],
        ['Priya Raman'],
        ['Back Slash'],
      ]);
      expect(org.counts).toMatchObject({ composite: 2, query: 0 });
      // queryBatchSize is 2: the three contacts come as a first page in the Composite answer
      // and a second one through nextRecordsUrl.
      org.resetCounters();
      const [all] = await gateway.queryBatch([soql`SELECT Name FROM Contact`]);
      expect(all).toHaveLength(3);
      expect(org.counts).toMatchObject({ composite: 1, queryMore: 1 });
    });

    it('rejects a batch whose query Salesforce refuses, with its errorCode', async () => {
      const error = await expectCode(
        gateway.queryBatch([soql`SELECT Id FROM Contact`, soql`SELECT Nope FROM Contact`]),
        ErrorCodes.SF_REQUEST_REJECTED,
      );
      expect(error.details).toMatchObject({ errorCode: 'INVALID_FIELD' });
    });

    it('reads queries and getDeleted windows in one Composite request, each with its own answer', async () => {
      const now = Date.now();
      const answers = await gateway.readBatch([
        { kind: 'query', soql: soql`SELECT Name FROM Contact` },
        {
          kind: 'deleted',
          sobject: 'Contact',
          start: new Date(now - 3_600_000),
          end: new Date(now),
        },
        // Within a minute: Salesforce refuses this window, and only this one.
        { kind: 'deleted', sobject: 'Lead', start: new Date(now - 30_000), end: new Date(now) },
        { kind: 'query', soql: soql`SELECT Nope FROM Contact` },
      ]);

      const [first] = answers;
      expect(first?.ok === true && 'records' in first ? first.records : []).toHaveLength(3);
      expect(answers[1]).toMatchObject({ ok: true, deleted: { records: [] } });
      expect(answers[2]).toMatchObject({
        ok: false,
        error: {
          code: ErrorCodes.SF_REQUEST_REJECTED,
          details: { errorCode: 'INVALID_REPLICATION_DATE' },
        },
      });
      expect(answers[3]).toMatchObject({
        ok: false,
        error: { code: ErrorCodes.SF_REQUEST_REJECTED, details: { errorCode: 'INVALID_FIELD' } },
      });
      // One Composite request (the first query's second page is one more).
      expect(org.counts).toMatchObject({ composite: 1, queryMore: 1, deleted: 0, query: 0 });
      expect(org.subrequests).toMatchObject({ query: 2, deleted: 2 });
    });

    it('creates records with sObject Collections: one API call, each refused record with its own error', async () => {
      org.faults.rejectWrites('Lead', {
        errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
        message: 'no Leads today',
      });
      const results = await gateway.createMany('Task', [
        { Subject: 'one', CallObject: 'batch-1' },
        { Subject: 'two', Mood: 'none' },
        { Subject: 'three', CallObject: 'batch-3' },
      ]);
      expect(results.map((r) => r.ok)).toEqual([true, false, true]);
      const refused = results[1];
      expect(refused?.ok === false && refused.error.code).toBe(ErrorCodes.SF_REQUEST_REJECTED);
      expect(refused?.ok === false && refused.error.details).toMatchObject({
        errorCode: 'INVALID_FIELD',
      });
      expect(org.counts.create).toBe(1);
      expect(org.apiCalls).toBe(1);
      const lead = await gateway.createMany('Lead', [{ LastName: 'L', Company: 'C' }]);
      expect(lead[0]?.ok === false && lead[0].error.details).toMatchObject({
        errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
      });
      await expect(
        gateway.createMany(
          'Task',
          Array.from({ length: 201 }, () => ({ Subject: 'too many' })),
        ),
      ).rejects.toThrow(RangeError);
    });

    it('a row lock on the whole request is tried once more (nothing was written), then transient', async () => {
      org.faults.failNext(1, 'UNABLE_TO_LOCK_ROW', 'create');
      expect((await gateway.createMany('Task', [{ Subject: 'retried' }]))[0]?.ok).toBe(true);
      org.faults.failNext(2, 'UNABLE_TO_LOCK_ROW', 'create');
      await expectCode(
        gateway.createMany('Task', [{ Subject: 'locked' }]),
        ErrorCodes.SF_UNAVAILABLE,
      );
    });
  });

  describe('faults', () => {
    it('renews an expired session once for many concurrent lookups and answers them all', async () => {
      await gateway.connect();
      org.faults.expireSessions();
      org.resetCounters();
      const results = await Promise.all(
        Array.from({ length: 6 }, () => gateway.query(soql`SELECT Id FROM Account`)),
      );
      expect(results.every((r) => r.length === 1)).toBe(true);
      expect(org.counts.token).toBe(1);
    });

    it('maps REQUEST_LIMIT_EXCEEDED to SF_REQUEST_LIMIT', async () => {
      org.faults.failNext(1, 'REQUEST_LIMIT_EXCEEDED');
      await expectCode(gateway.query(soql`SELECT Id FROM Account`), ErrorCodes.SF_REQUEST_LIMIT);
    });

    it('maps 5xx to SF_UNAVAILABLE, and a GET retry can recover', async () => {
      org.faults.failNext(1, 500);
      await expectCode(gateway.query(soql`SELECT Id FROM Account`), ErrorCodes.SF_UNAVAILABLE);
      org.faults.failNext(1, 503);
      const retrying = gatewayFor(org, { getRetries: 1 });
      await retrying.connect();
      expect(await retrying.query(soql`SELECT Id FROM Account`)).toHaveLength(1);
    });

    it('an org that is down is SF_UNAVAILABLE, for lookups and for login', async () => {
      org.faults.setDown(true);
      await expectCode(gateway.query(soql`SELECT Id FROM Account`), ErrorCodes.SF_UNAVAILABLE);
      await expectCode(gatewayFor(org).connect(), ErrorCodes.SF_UNAVAILABLE);
    });

    it('an unreachable host is SF_UNAVAILABLE', async () => {
      const gone = await EmulatedOrg.start({ seed: {} });
      await gone.stop();
      await expectCode(gatewayForOrg(gone).connect(), ErrorCodes.SF_UNAVAILABLE);
    });

    it('retries a busy org (QUERY_TIMEOUT, UNABLE_TO_LOCK_ROW) once, and maps it to SF_UNAVAILABLE', async () => {
      org.faults.failNext(1, 'QUERY_TIMEOUT', 'query');
      expect(await gateway.query(soql`SELECT Id FROM Account`)).toHaveLength(1);
      org.faults.failNext(2, 'QUERY_TIMEOUT', 'query');
      const timedOut = await expectCode(
        gateway.query(soql`SELECT Id FROM Account`),
        ErrorCodes.SF_UNAVAILABLE,
      );
      expect(timedOut.details).toMatchObject({ status: 400, errorCode: 'QUERY_TIMEOUT' });

      // A locked create wrote nothing: asking again is safe, and it lands once.
      org.faults.failNext(1, 'UNABLE_TO_LOCK_ROW', 'create');
      const before = org.records('Task').length;
      await gateway.create('Task', { Subject: 'locked once' });
      expect(org.records('Task').length).toBe(before + 1);
      // A write is not retried for a query timeout (it may have been applied).
      org.faults.failNext(1, 'QUERY_TIMEOUT', 'create');
      await expectCode(gateway.create('Task', { Subject: 'x' }), ErrorCodes.SF_UNAVAILABLE);
      expect(org.records('Task').length).toBe(before + 1);
    });

    it('gives up on a token endpoint that never answers, and every waiting request with it', async () => {
      org.faults.hangTokenRequests(true);
      const hung = gatewayFor(org, { tokenTimeoutMs: 300 });
      const waiting = await Promise.allSettled([
        hung.query(soql`SELECT Id FROM Account`),
        hung.search(
          sosl`FIND ${findTerms(['497131123456'])} IN PHONE FIELDS RETURNING Account(Id)`,
        ),
      ]);
      for (const outcome of waiting) {
        expect(outcome.status).toBe('rejected');
        expect((outcome as PromiseRejectedResult).reason).toMatchObject({
          code: ErrorCodes.SF_UNAVAILABLE,
        });
      }
      // One token request for both; the next request asks again and works.
      expect(org.counts.token).toBe(1);
      org.faults.hangTokenRequests(false);
      expect(await hung.query(soql`SELECT Id FROM Account`)).toHaveLength(1);
    });

    it('says to use My Domain when client credentials meet login.salesforce.com', async () => {
      const loginHost = await EmulatedOrg.start({ seed: {}, myDomain: false });
      try {
        const error = await expectCode(gatewayFor(loginHost).connect(), ErrorCodes.SF_AUTH_FAILED);
        expect(error.message).toContain('request not supported on this domain');
        expect(error.hint).toMatch(/my\.salesforce\.com/);
      } finally {
        await loginHost.stop();
      }
    });

    it('describes an object as the integration user sees it', async () => {
      const contact = await gateway.describe('Contact');
      const phone = contact.fields.find((f) => f.name === 'Phone');
      expect(phone).toMatchObject({ type: 'phone', createable: true, updateable: true });
      const task = await gateway.describe('Task');
      const status = task.fields.find((f) => f.name === 'Status');
      expect(status?.restrictedPicklist).toBe(true);
      expect(status?.picklistValues.find((v) => v.defaultValue)?.value).toBe('Not Started');
      const account = contact.fields.find((f) => f.name === 'AccountId');
      expect(account).toMatchObject({ relationshipName: 'Account', referenceTo: ['Account'] });
    });

    it('parses Sforce-Limit-Info into apiUsage()', async () => {
      const fresh = gatewayFor(org);
      expect(fresh.apiUsage()).toBeUndefined();
      await fresh.query(soql`SELECT Id FROM Account`);
      const usage = fresh.apiUsage();
      expect(usage?.max).toBe(15000);
      expect(usage?.used).toBeGreaterThan(0);
    });
  });
});

describe('search index lag', () => {
  it('a created record is found by query at once, by search only after the lag', async () => {
    let now = Date.parse('2025-03-01T10:00:00Z');
    const org = await EmulatedOrg.start({ seed: {}, searchIndexLagMs: 60_000, clock: () => now });
    try {
      const gateway = gatewayFor(org);
      const id = await gateway.create('Contact', { LastName: 'New', Phone: '+1 415 555 0199' });
      expect(await gateway.query(soql`SELECT Id FROM Contact WHERE Id = ${id}`)).toHaveLength(1);
      const find = sosl`FIND ${findTerms(['14155550199'])} IN PHONE FIELDS RETURNING Contact(Id)`;
      expect(await gateway.search(find)).toEqual([]);
      now += 60_000;
      expect((await gateway.search(find)).map((r) => r.Id)).toEqual([id]);
    } finally {
      await org.stop();
    }
  });
});
