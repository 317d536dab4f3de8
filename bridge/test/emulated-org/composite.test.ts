// The emulated org's Composite resource and sObject Collections create on the wire (plain fetch):
// what a real org refuses (more than 25 subrequests, more than 5 queries, a SOSL search inside
// Composite, more than 200 records, a record without a type), allOrNone rolling back, references
// between subrequests, per-record SaveResults with each record checked like a single create, and
// the whole request counted as one API call.
import { EmulatedOrg } from '../../src/demo/emulated-org/emulated-org';
import { Teardown } from '../support/teardown';
import { V, login, type Client } from './support/rest-client';

const errorCode = (body: unknown) => (body as { errorCode: string }[])[0]?.errorCode;
const subresponses = (body: unknown) =>
  (
    body as {
      compositeResponse: {
        referenceId: string;
        httpStatusCode: number;
        body: unknown;
        httpHeaders: Record<string, string>;
      }[];
    }
  ).compositeResponse;

interface SaveResult {
  id?: string;
  success: boolean;
  errors: { statusCode: string; message: string; fields: string[] }[];
}

const task = (subject: string, extra: Record<string, unknown> = {}) => ({
  attributes: { type: 'Task' },
  Subject: subject,
  CallObject: `call-${subject}`,
  ...extra,
});
const query = (soql: string, referenceId: string) => ({
  method: 'GET',
  url: `${V}/query?q=${encodeURIComponent(soql)}`,
  referenceId,
});

describe('Composite and sObject Collections', () => {
  const teardown = new Teardown();
  let org: EmulatedOrg;
  let api: Client;
  const subjects = () => org.records('Task').map((t) => t.Subject);

  beforeAll(async () => {
    org = teardown.add(
      await EmulatedOrg.start({
        seed: { Account: [{ Name: 'Acme' }] },
        fieldPermissions: { 'Task.Description': 'read' },
        picklists: { 'Task.CallDisposition': { values: ['Connected', 'Left voicemail'] } },
      }),
      (o) => o.stop(),
    );
    api = await login(org);
  });
  afterAll(() => teardown.run());
  beforeEach(() => {
    for (const t of org.records('Task')) org.delete('Task', String(t.Id));
    org.faults.clear();
  });

  describe('Composite', () => {
    it('runs subrequests in order, one feeding the next by reference, as one API call', async () => {
      const before = org.apiCalls;
      const res = await api.send('POST', '/composite', {
        allOrNone: true,
        collateSubrequests: false,
        compositeRequest: [
          {
            method: 'POST',
            url: `${V}/sobjects/Contact`,
            referenceId: 'newContact',
            body: { LastName: 'Composite', Phone: '+1 415 555 0100' },
          },
          {
            method: 'POST',
            url: `${V}/sobjects/Task`,
            referenceId: 'newTask',
            body: { Subject: 'Call', WhoId: '@{newContact.id}' },
          },
          {
            method: 'GET',
            // References are written as they are, not URL-encoded.
            url: `${V}/query?q=SELECT+Id,WhoId+FROM+Task+WHERE+Id='@{newTask.id}'`,
            referenceId: 'readBack',
          },
          { method: 'GET', url: `${V}/sobjects/Contact/@{newContact.id}`, referenceId: 'byId' },
        ],
      });
      expect(res.status).toBe(200);
      const [contact, created, readBack, byId] = subresponses(res.body);
      expect(contact).toMatchObject({ referenceId: 'newContact', httpStatusCode: 201 });
      expect(contact?.httpHeaders.Location).toMatch(/\/sobjects\/Contact\/003/);
      const contactId = (contact?.body as { id: string }).id;
      expect(created).toMatchObject({ httpStatusCode: 201, body: { success: true } });
      expect(readBack?.httpStatusCode).toBe(200);
      expect((readBack?.body as { records: { WhoId: string }[] }).records[0]?.WhoId).toBe(
        contactId,
      );
      expect(byId).toMatchObject({ httpStatusCode: 200, body: { LastName: 'Composite' } });
      expect(org.apiCalls - before).toBe(1);
    });

    it('refuses more than 25 subrequests and runs none of them', async () => {
      const compositeRequest = Array.from({ length: 26 }, (_v, i) => ({
        method: 'POST',
        url: `${V}/sobjects/Task`,
        referenceId: `t${i}`,
        body: { Subject: `t${i}` },
      }));
      const res = await api.send('POST', '/composite', { compositeRequest });
      expect(res.status).toBe(400);
      expect(errorCode(res.body)).toBe('LIMIT_EXCEEDED');
      expect(subjects()).toEqual([]);
      const ok = await api.send('POST', '/composite', {
        compositeRequest: compositeRequest.slice(0, 25),
      });
      expect(ok.status).toBe(200);
      expect(subjects()).toHaveLength(25);
    });

    it('refuses more than 5 queries and Collections, and SOSL search, which Composite does not serve', async () => {
      const six = Array.from({ length: 6 }, (_v, i) => query('SELECT Id FROM Account', `q${i}`));
      const tooMany = await api.send('POST', '/composite', { compositeRequest: six });
      expect(tooMany.status).toBe(400);
      expect(errorCode(tooMany.body)).toBe('LIMIT_EXCEEDED');
      const five = await api.send('POST', '/composite', { compositeRequest: six.slice(0, 5) });
      expect(five.status).toBe(200);

      const search = await api.send('POST', '/composite', {
        compositeRequest: [
          {
            method: 'GET',
            url: `${V}/search?q=${encodeURIComponent('FIND {4155550100} IN PHONE FIELDS')}`,
            referenceId: 'find',
          },
        ],
      });
      expect(search.status).toBe(400);
      expect(errorCode(search.body)).toBe('INVALID_INPUT');
    });

    it('refuses a malformed envelope before running anything', async () => {
      const sub = { method: 'POST', url: `${V}/sobjects/Task`, body: { Subject: 'x' } };
      const cases: unknown[] = [
        {},
        { compositeRequest: [] },
        { compositeRequest: [{ ...sub, referenceId: 'a' }], allOrNone: 'yes' },
        {
          compositeRequest: [
            { ...sub, referenceId: 'a' },
            { ...sub, referenceId: 'a' },
          ],
        },
        { compositeRequest: [{ ...sub, referenceId: 'has space' }] },
        { compositeRequest: [{ ...sub, referenceId: 'a', method: 'post' }] },
        {
          compositeRequest: [
            { ...sub, referenceId: 'a', url: '/services/data/v63.0/sobjects/Task' },
          ],
        },
        {
          compositeRequest: [
            { ...sub, referenceId: 'a', httpHeaders: { Authorization: 'Bearer other' } },
          ],
        },
      ];
      for (const body of cases) {
        const res = await api.send('POST', '/composite', body);
        expect({ body, status: res.status }).toEqual({ body, status: 400 });
      }
      expect(subjects()).toEqual([]);
    });

    it('allOrNone: one failure rolls back every subrequest, which answer PROCESSING_HALTED', async () => {
      const res = await api.send('POST', '/composite', {
        allOrNone: true,
        compositeRequest: [
          { method: 'POST', url: `${V}/sobjects/Task`, referenceId: 'ok', body: { Subject: 'a' } },
          {
            method: 'POST',
            url: `${V}/sobjects/Task`,
            referenceId: 'bad',
            body: { Subject: 'b', CallDisposition: 'Hung up angrily' },
          },
          {
            method: 'POST',
            url: `${V}/sobjects/Task`,
            referenceId: 'after',
            body: { Subject: 'c' },
          },
        ],
      });
      expect(res.status).toBe(200);
      const [ok, bad, after] = subresponses(res.body);
      expect(ok).toMatchObject({ httpStatusCode: 400 });
      expect(errorCode(ok?.body)).toBe('PROCESSING_HALTED');
      expect(bad?.httpStatusCode).toBe(400);
      expect(errorCode(bad?.body)).toBe('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST');
      expect(errorCode(after?.body)).toBe('PROCESSING_HALTED');
      expect(subjects()).toEqual([]);
    });

    it('without allOrNone: the others run, and only what refers to the failure halts', async () => {
      const res = await api.send('POST', '/composite', {
        compositeRequest: [
          { method: 'POST', url: `${V}/sobjects/Contact`, referenceId: 'noName', body: {} },
          {
            method: 'POST',
            url: `${V}/sobjects/Task`,
            referenceId: 'dependent',
            body: { Subject: 'dependent', WhoId: '@{noName.id}' },
          },
          {
            method: 'POST',
            url: `${V}/sobjects/Task`,
            referenceId: 'independent',
            body: { Subject: 'independent' },
          },
        ],
      });
      const [noName, dependent, independent] = subresponses(res.body);
      expect(errorCode(noName?.body)).toBe('REQUIRED_FIELD_MISSING');
      expect(dependent?.httpStatusCode).toBe(400);
      expect(errorCode(dependent?.body)).toBe('PROCESSING_HALTED');
      expect(independent?.httpStatusCode).toBe(201);
      expect(subjects()).toEqual(['independent']);
    });

    it('is one request for the fault switches: a failure hits the whole Composite', async () => {
      org.faults.failNext(1, 503, 'composite');
      const res = await api.send('POST', '/composite', {
        compositeRequest: [query('SELECT Id FROM Account', 'q')],
      });
      expect(res.status).toBe(503);
      expect(org.counts.composite).toBeGreaterThan(0);
    });
  });

  describe('sObject Collections create', () => {
    it('creates up to 200 records in one API call, a SaveResult each, in order', async () => {
      const records = Array.from({ length: 200 }, (_v, i) => task(`t${i}`));
      const before = org.apiCalls;
      const res = await api.send('POST', '/composite/sobjects', { records });
      expect(org.apiCalls - before).toBe(1);
      expect(res.status).toBe(200);
      const results = res.body as SaveResult[];
      expect(results).toHaveLength(200);
      expect(results.every((r) => r.success && /^00T/.test(r.id ?? ''))).toBe(true);
      expect(subjects()).toEqual(records.map((r) => r.Subject));
    });

    it('refuses more than 200 records and creates none', async () => {
      const records = Array.from({ length: 201 }, (_v, i) => task(`t${i}`));
      const res = await api.send('POST', '/composite/sobjects', { records });
      expect(res.status).toBe(400);
      expect(res.body).toEqual([
        {
          errorCode: 'EXCEEDED_ID_LIMIT',
          message: 'record limit reached. cannot submit more than 200 records into this call',
        },
      ]);
      expect(subjects()).toEqual([]);
    });

    it('checks each record like a single create: the good ones are created, each bad one says why', async () => {
      const res = await api.send('POST', '/composite/sobjects', {
        records: [
          task('good 1'),
          task('bad picklist', { CallDisposition: 'Hung up angrily' }),
          task('read-only field', { Description: 'notes' }),
          task('unknown field', { Mood: 'happy' }),
          { Subject: 'no type' },
          task('with id', { Id: '00THs00000TASK1AAA' }),
          { attributes: { type: 'Contact' }, FirstName: 'No last name' },
          task('good 2', { CallDisposition: 'Connected' }),
        ],
      });
      expect(res.status).toBe(200);
      const results = res.body as SaveResult[];
      expect(results.map((r) => r.success)).toEqual([
        true,
        false,
        false,
        false,
        false,
        false,
        false,
        true,
      ]);
      expect(results.map((r) => r.errors[0]?.statusCode)).toEqual([
        undefined,
        'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
        'INVALID_FIELD_FOR_INSERT_UPDATE',
        'INVALID_FIELD',
        'INVALID_TYPE',
        'INVALID_FIELD_FOR_INSERT_UPDATE',
        'REQUIRED_FIELD_MISSING',
        undefined,
      ]);
      expect(results[2]?.errors[0]?.fields).toEqual(['Description']);
      expect(results[6]?.errors[0]?.fields).toEqual(['LastName']);
      expect(results[1]).not.toHaveProperty('id');
      expect(subjects()).toEqual(['good 1', 'good 2']);
      expect(org.records('Contact').filter((c) => c.FirstName === 'No last name')).toEqual([]);
    });

    it('allOrNone: one bad record and none is created; the good ones say they were rolled back', async () => {
      const res = await api.send('POST', '/composite/sobjects', {
        allOrNone: true,
        records: [task('good'), task('bad', { CallDisposition: 'nope' }), task('good too')],
      });
      const results = res.body as SaveResult[];
      expect(results.map((r) => r.errors[0]?.statusCode)).toEqual([
        'ALL_OR_NONE_OPERATION_ROLLED_BACK',
        'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
        'ALL_OR_NONE_OPERATION_ROLLED_BACK',
      ]);
      expect(subjects()).toEqual([]);
    });

    it('applies write rejections per record and faults to the whole request', async () => {
      org.faults.rejectWrites('Task', {
        errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
        message: 'Subject is required by our process',
      });
      const rejected = await api.send('POST', '/composite/sobjects', {
        records: [task('a'), { attributes: { type: 'Account' }, Name: 'Other Co' }],
      });
      const results = rejected.body as SaveResult[];
      expect(results[0]?.errors[0]?.statusCode).toBe('FIELD_CUSTOM_VALIDATION_EXCEPTION');
      expect(results[1]?.success).toBe(true);
      org.faults.clear();

      org.faults.failNext(1, 'UNABLE_TO_LOCK_ROW', 'create');
      const locked = await api.send('POST', '/composite/sobjects', { records: [task('b')] });
      expect(locked.status).toBe(400);
      expect(errorCode(locked.body)).toBe('UNABLE_TO_LOCK_ROW');
      expect(subjects()).toEqual([]);
    });

    it('inside Composite it counts toward the five, and its records are rolled back with the rest', async () => {
      const res = await api.send('POST', '/composite', {
        allOrNone: true,
        compositeRequest: [
          {
            method: 'POST',
            url: `${V}/composite/sobjects`,
            referenceId: 'tasks',
            body: { records: [task('x'), task('y')] },
          },
          { method: 'POST', url: `${V}/sobjects/Contact`, referenceId: 'bad', body: {} },
        ],
      });
      const [tasks, bad] = subresponses(res.body);
      expect(errorCode(tasks?.body)).toBe('PROCESSING_HALTED');
      expect(errorCode(bad?.body)).toBe('REQUIRED_FIELD_MISSING');
      expect(subjects()).toEqual([]);
    });
  });
});
