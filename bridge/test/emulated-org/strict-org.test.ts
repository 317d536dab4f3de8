// Where the emulated org is as strict as a real one (docs/emulated-org.md, "Strict like
// Salesforce"), on the wire with plain fetch: field-level security, Person Accounts, phone search
// by index tokens, restricted picklists and the Task value rows, busy-org faults, a hung or
// refusing token endpoint, getDeleted's one-minute rule and Bulk queries with ORDER BY.
import { EmulatedOrg, type EmulatedOrgOptions } from '../../src/demo/emulated-org/emulated-org';
import { phoneValueMatches } from '../../src/demo/emulated-org/sosl-engine';
import { requestToken } from './support/client-credentials';
import { login, type Client } from './support/rest-client';

async function withOrg(
  options: Omit<EmulatedOrgOptions, 'seed'> & { seed?: EmulatedOrgOptions['seed'] },
  run: (org: EmulatedOrg, api: Client) => Promise<void> | void,
): Promise<void> {
  const org = await EmulatedOrg.start({ seed: {}, ...options });
  try {
    await run(org, await login(org));
  } finally {
    await org.stop();
  }
}

const errorCode = (body: unknown) => (body as { errorCode: string }[])[0]?.errorCode;
const records = (body: unknown) => (body as { records: Record<string, unknown>[] }).records;
const hits = (body: unknown) =>
  (body as { searchRecords: Record<string, unknown>[] }).searchRecords;
const fieldNames = (describe: unknown) =>
  (describe as { fields: { name: string }[] }).fields.map((f) => f.name);
const describedField = (describe: unknown, name: string) =>
  (describe as { fields: Record<string, unknown>[] }).fields.find((f) => f.name === name);

describe('field-level security of the integration user', () => {
  const seed = {
    Contact: [{ LastName: 'Weber', Phone: '+49 7131 123456', HomePhone: '+49 7131 999999' }],
  };

  it('makes an unreadable field not exist: SOQL, SOSL, retrieve, Bulk, describe and writes', async () => {
    await withOrg(
      { seed, fieldPermissions: { 'Contact.HomePhone': 'none', 'Task.CallDisposition': 'read' } },
      async (org, api) => {
        for (const q of [
          'SELECT Id, HomePhone FROM Contact',
          "SELECT Id FROM Contact WHERE HomePhone = 'x'",
          'SELECT Id FROM Contact ORDER BY HomePhone',
        ])
          expect(errorCode((await api.query(q)).body)).toBe('INVALID_FIELD');
        expect(
          errorCode(
            (
              await api.search(
                'FIND {"497131123456"} IN PHONE FIELDS RETURNING Contact(Id, HomePhone)',
              )
            ).body,
          ),
        ).toBe('INVALID_FIELD');
        // The hidden field is not searched either: only the readable Phone finds Weber.
        expect(
          hits(
            (await api.search('FIND {"497131999999"} IN PHONE FIELDS RETURNING Contact(Id)')).body,
          ),
        ).toEqual([]);
        expect(
          hits(
            (await api.search('FIND {"497131123456"} IN PHONE FIELDS RETURNING Contact(Id)')).body,
          ),
        ).toHaveLength(1);

        const id = String(org.records('Contact')[0]?.Id);
        const row = (await api.get(`/sobjects/Contact/${id}`)).body as Record<string, unknown>;
        expect(row).toHaveProperty('Phone');
        expect(row).not.toHaveProperty('HomePhone');
        const bulk = await api.send('POST', '/jobs/query', {
          operation: 'query',
          query: 'SELECT Id, HomePhone FROM Contact',
        });
        expect(errorCode(bulk.body)).toBe('INVALID_FIELD');

        const contact = (await api.get('/sobjects/Contact/describe')).body;
        expect(fieldNames(contact)).toContain('Phone');
        expect(fieldNames(contact)).not.toContain('HomePhone');
        const task = (await api.get('/sobjects/Task/describe')).body;
        expect(describedField(task, 'CallDisposition')).toMatchObject({
          createable: false,
          updateable: false,
        });
        expect(describedField(task, 'Subject')).toMatchObject({
          createable: true,
          updateable: true,
        });

        const hidden = await api.send('POST', '/sobjects/Contact', {
          LastName: 'X',
          HomePhone: '1',
        });
        expect(hidden.status).toBe(400);
        expect(errorCode(hidden.body)).toBe('INVALID_FIELD');
        const readOnly = await api.send('POST', '/sobjects/Task', {
          Subject: 'Call',
          CallDisposition: 'Busy',
        });
        expect(readOnly.body).toEqual([
          expect.objectContaining({
            errorCode: 'INVALID_FIELD_FOR_INSERT_UPDATE',
            fields: ['CallDisposition'],
          }),
        ]);

        // Granting the field back takes effect at once.
        org.setFieldAccess('Contact.HomePhone', 'read');
        expect(records((await api.query('SELECT HomePhone FROM Contact')).body)).toHaveLength(1);
      },
    );
  });

  it('grants only what the seed FieldPermissions rows list, like a permission set', async () => {
    await withOrg(
      {
        seed: {
          ...seed,
          FieldPermissions: [
            { Field: 'Contact.Phone', PermissionsRead: true, PermissionsEdit: false },
            { Field: 'Contact.MobilePhone', PermissionsRead: true, PermissionsEdit: true },
          ],
        },
      },
      async (_org, api) => {
        // Id, Name, LastName (required), OwnerId and audit fields are not governed by FLS.
        expect(
          (
            await api.query(
              'SELECT Id, Name, LastName, OwnerId, SystemModstamp, Phone FROM Contact',
            )
          ).status,
        ).toBe(200);
        expect(errorCode((await api.query('SELECT Email FROM Contact')).body)).toBe(
          'INVALID_FIELD',
        );
        const describe = (await api.get('/sobjects/Contact/describe')).body;
        expect(describedField(describe, 'Phone')).toMatchObject({ createable: false });
        expect(describedField(describe, 'MobilePhone')).toMatchObject({ createable: true });
        expect(fieldNames(describe)).not.toContain('HomePhone');
      },
    );
  });
});

describe('Person Accounts', () => {
  const seed = {
    Account: [
      { Name: 'Neckar GmbH', Phone: '+49 7131 123456' },
      {
        FirstName: 'Lena',
        LastName: 'Vogel',
        PersonMobilePhone: '0151 12345678',
        PersonMailingCountry: 'Germany',
      },
    ],
  };

  it('gives a person account its fields, its name and a person contact', async () => {
    await withOrg({ seed }, async (org, api) => {
      const accounts = records(
        (
          await api.query(
            'SELECT Id, Name, IsPersonAccount, PersonMobilePhone, PersonContactId FROM Account ORDER BY Name',
          )
        ).body,
      );
      expect(accounts).toMatchObject([
        { Name: 'Lena Vogel', IsPersonAccount: true, PersonMobilePhone: '0151 12345678' },
        { Name: 'Neckar GmbH', IsPersonAccount: false, PersonContactId: null },
      ]);
      const contacts = records(
        (await api.query('SELECT Id, Name, MobilePhone, IsPersonAccount, AccountId FROM Contact'))
          .body,
      );
      expect(contacts).toMatchObject([
        { Name: 'Lena Vogel', MobilePhone: '0151 12345678', IsPersonAccount: true },
      ]);
      expect(contacts[0]?.Id).toBe(accounts[0]?.PersonContactId);

      // A change to the account reaches the person contact.
      org.update('Account', String(accounts[0]?.Id), { PersonMobilePhone: '0151 99999999' });
      expect(org.records('Contact')[0]).toMatchObject({ MobilePhone: '0151 99999999' });

      // Through the API: LastName without a Name is a person; a business account needs Name.
      const person = await api.send('POST', '/sobjects/Account', {
        LastName: 'Roth',
        PersonMobilePhone: '+49 170 1111111',
      });
      expect(person.status).toBe(201);
      const business = await api.send('POST', '/sobjects/Account', { Phone: '1' });
      expect(errorCode(business.body)).toBe('REQUIRED_FIELD_MISSING');
      expect(
        hits(
          (
            await api.search(
              'FIND {"491701111111"} IN PHONE FIELDS RETURNING Account(Name), Contact(Name)',
            )
          ).body,
        ).map((h) => (h.attributes as { type: string }).type),
      ).toEqual(['Account', 'Contact']);
    });
  });

  it('has no person fields in an org without Person Accounts', async () => {
    await withOrg({ seed: { Account: [{ Name: 'Neckar GmbH' }] } }, async (_org, api) => {
      expect(errorCode((await api.query('SELECT IsPersonAccount FROM Account')).body)).toBe(
        'INVALID_FIELD',
      );
      expect(errorCode((await api.query('SELECT PersonMobilePhone FROM Account')).body)).toBe(
        'INVALID_FIELD',
      );
    });
  });
});

describe('phone search as the index tokenizes', () => {
  it.each([
    ['+49 7131 123456', '497131123456', true], // all the digits
    ['+49 7131 123456', '7131123456', false], // a digit substring is no token
    ['+49 7131 123456', '"7131 123456"', true], // consecutive tokens
    ['+49 (0)7131 123456', '"7131 123456"', true],
    ['+49 (0)7131 123456', '497131123456', false], // its digits are 4907131123456
    ['07131 123456', '07131123456', true],
    ['07131 123456', '"7131 123456"', false], // 07131 is not 7131
    ['(415) 555-0132 ext. 7', '4155550132', false], // the extension's digits belong to the value
    ['(415) 555-0132 ext. 7', '"415 555 0132"', true],
    ['(415) 555-0132', '4155550132', true],
    ['(415) 555-0132', '555*', true], // a trailing wildcard matches a token's start
    ['(415) 555-0132', '0132', true], // a whole token
    ['(415) 555-0132', '132', false],
  ])('%s searched as %s: %s', (value, term, expected) => {
    const phrase = term.startsWith('"');
    expect(phoneValueMatches(value, { text: term.replace(/"/g, ''), phrase })).toBe(expected);
  });
});

describe('restricted picklists and the Task value rows', () => {
  it('describes Task Status and Priority from TaskStatus and TaskPriority, and refuses other values', async () => {
    await withOrg({}, async (_org, api) => {
      const task = (await api.get('/sobjects/Task/describe')).body;
      type Picklist = {
        restrictedPicklist: boolean;
        picklistValues: { value: string; defaultValue: boolean }[];
      };
      const status = describedField(task, 'Status') as Picklist;
      expect(status.restrictedPicklist).toBe(true);
      expect(status.picklistValues.map((v) => v.value)).toContain('Completed');
      expect(status.picklistValues.filter((v) => v.defaultValue).map((v) => v.value)).toEqual([
        'Not Started',
      ]);
      const priority = describedField(task, 'Priority') as Picklist;
      expect(priority.picklistValues.filter((v) => v.defaultValue).map((v) => v.value)).toEqual([
        'Normal',
      ]);
      expect(
        records((await api.query('SELECT ApiName FROM TaskStatus WHERE IsClosed = true')).body),
      ).toMatchObject([{ ApiName: 'Completed' }]);

      const created = await api.send('POST', '/sobjects/Task', { Subject: 'Call' });
      const id = (created.body as { id: string }).id;
      const row = (await api.get(`/sobjects/Task/${id}`)).body;
      expect(row).toMatchObject({ Status: 'Not Started', Priority: 'Normal' });

      const bad = await api.send('POST', '/sobjects/Task', { Subject: 'Call', Status: 'Done' });
      expect(bad).toEqual({
        status: 400,
        body: [
          {
            errorCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
            message: 'Status: bad value for restricted picklist field: Done',
            fields: ['Status'],
          },
        ],
      });
      const subtype = await api.send('PATCH', `/sobjects/Task/${id}`, { TaskSubtype: 'Call' });
      expect(errorCode(subtype.body)).toBe('INVALID_FIELD_FOR_INSERT_UPDATE');
      const setup = await api.send('POST', '/sobjects/TaskStatus', { MasterLabel: 'X' });
      expect(errorCode(setup.body)).toBe('INVALID_TYPE_FOR_OPERATION');
    });
  });

  it('takes an org own Task values and restricted picklists from the options', async () => {
    await withOrg(
      {
        picklists: {
          'Task.Status': {
            values: [
              { value: 'Offen', default: true },
              { value: 'Erledigt', closed: true },
            ],
          },
          'Task.CallDisposition': { values: ['Reached', 'Voicemail'] },
        },
      },
      async (_org, api) => {
        const bad = await api.send('POST', '/sobjects/Task', { Status: 'Completed' });
        expect(errorCode(bad.body)).toBe('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST');
        const ok = await api.send('POST', '/sobjects/Task', {
          Status: 'Erledigt',
          CallDisposition: 'Voicemail',
        });
        expect(ok.status).toBe(201);
        expect(
          errorCode((await api.send('POST', '/sobjects/Task', { CallDisposition: 'Busy' })).body),
        ).toBe('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST');
        expect(
          records(
            (await api.query('SELECT ApiName, IsClosed FROM TaskStatus ORDER BY SortOrder')).body,
          ),
        ).toMatchObject([
          { ApiName: 'Offen', IsClosed: false },
          { ApiName: 'Erledigt', IsClosed: true },
        ]);
      },
    );
  });
});

describe('a busy org', () => {
  it('answers row locks and query timeouts with 400, only for the kind of request asked', async () => {
    await withOrg({}, async (org, api) => {
      org.faults.failNext(1, 'UNABLE_TO_LOCK_ROW', 'create');
      expect((await api.query('SELECT Id FROM Task')).status).toBe(200);
      const locked = await api.send('POST', '/sobjects/Task', { Subject: 'Call' });
      expect(locked.status).toBe(400);
      expect(errorCode(locked.body)).toBe('UNABLE_TO_LOCK_ROW');
      expect((await api.send('POST', '/sobjects/Task', { Subject: 'Call' })).status).toBe(201);
      expect(org.records('Task')).toHaveLength(1);

      org.faults.failNext(1, 'QUERY_TIMEOUT');
      const timedOut = await api.query('SELECT Id FROM Task');
      expect(timedOut.status).toBe(400);
      expect(errorCode(timedOut.body)).toBe('QUERY_TIMEOUT');
    });
  });

  it('can stop answering token requests, and refuses client credentials off My Domain', async () => {
    await withOrg({}, async (org) => {
      org.faults.hangTokenRequests(true);
      const controller = new AbortController();
      const pending = fetch(`${org.url}/services/oauth2/token`, {
        method: 'POST',
        body: 'grant_type=client_credentials',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        signal: controller.signal,
      });
      // Still unanswered after a request that is answered (the data API) came and went.
      const versions = await fetch(`${org.url}/services/data/`);
      expect(versions.status).toBe(200);
      const outcome = await Promise.race([
        pending.then(() => 'answered'),
        Promise.resolve('pending'),
      ]);
      expect(outcome).toBe('pending');
      controller.abort();
      await expect(pending).rejects.toThrow();
    });
    await withOrg({ myDomain: false }, async (org) => {
      const res = await requestToken(org);
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({
        error: 'invalid_grant',
        error_description: 'request not supported on this domain',
      });
    });
  });
});

describe('getDeleted and Bulk queries', () => {
  it('wants more than one minute between start and end, seconds ignored', async () => {
    await withOrg({ clock: () => Date.parse('2026-03-02T09:10:00Z') }, async (_org, api) => {
      const ask = (start: string, end: string) =>
        api.get(`/sobjects/Contact/deleted/?start=${start}&end=${end}`);
      const refused = await ask('2026-03-02T09:00:10Z', '2026-03-02T09:01:50Z');
      expect(refused.status).toBe(400);
      expect(errorCode(refused.body)).toBe('INVALID_REPLICATION_DATE');
      expect((await ask('2026-03-02T09:00:59Z', '2026-03-02T09:02:00Z')).status).toBe(200);
    });
  });

  it('fails a Bulk query job with ORDER BY, as a large one times out', async () => {
    await withOrg(
      { seed: { Contact: [{ LastName: 'A' }, { LastName: 'B' }] } },
      async (_org, api) => {
        const job = (
          await api.send('POST', '/jobs/query', {
            operation: 'query',
            query: 'SELECT Id FROM Contact ORDER BY Id',
          })
        ).body as { id: string };
        await api.get(`/jobs/query/${job.id}`);
        const polled = (await api.get(`/jobs/query/${job.id}`)).body;
        const { state, errorMessage } = polled as { state: string; errorMessage: string };
        expect(state).toBe('Failed');
        expect(errorMessage).toContain('QUERY_TIMEOUT');
        expect((await api.get(`/jobs/query/${job.id}/results`)).status).toBe(400);
      },
    );
  });
});

describe('sharing for reps', () => {
  it('lets a rep see public records, their own, and Contacts of their Accounts; the integration user all', async () => {
    const REP = '005Hs00000REP01';
    const OTHER = '005Hs00000OTH01';
    await withOrg(
      {
        seed: {
          User: [
            { Id: REP, LastName: 'Rep', Email: 'rep@acme.example' },
            { Id: OTHER, LastName: 'Other', Email: 'other@acme.example' },
          ],
          Organization: [{ DefaultAccountAndContactAccess: 'None', DefaultLeadAccess: 'None' }],
          Account: [{ Id: '001Hs00000ACC01', Name: 'Mine', OwnerId: REP }],
          Contact: [
            {
              Id: '003Hs00000CON01',
              LastName: 'Under mine',
              AccountId: '001Hs00000ACC01',
              OwnerId: OTHER,
            },
            { Id: '003Hs00000CON02', LastName: 'Theirs', OwnerId: OTHER },
          ],
          Lead: [
            { Id: '00QHs00000LEA01', LastName: 'My lead', Company: 'A', OwnerId: REP },
            { Id: '00QHs00000LEA02', LastName: 'Their lead', Company: 'B', OwnerId: OTHER },
          ],
        },
      },
      (org) => {
        const rep = (id: string) => org.canSee(REP, id);
        expect(rep('001Hs00000ACC01')).toBe(true);
        expect(rep('003Hs00000CON01')).toBe(true); // under an Account the rep owns
        expect(rep('003Hs00000CON02')).toBe(false);
        expect(rep('00QHs00000LEA01')).toBe(true);
        expect(rep('00QHs00000LEA02')).toBe(false);
        const integration = org.records('User').find((u) => u.LastName === 'Integration');
        expect(org.canSee(String(integration?.Id), '00QHs00000LEA02')).toBe(true);
      },
    );
    // Without an Organization row records are public, as in a new org.
    await withOrg(
      { seed: { Lead: [{ Id: '00QHs00000LEA02', LastName: 'L', Company: 'B' }] } },
      (org) => {
        expect(org.canSee('005Hs00000REP01', '00QHs00000LEA02')).toBe(true);
      },
    );
  });
});

describe('record sharing and UserRecordAccess', () => {
  const REP = '005Hs00000REP01';
  const OTHER = '005Hs00000REP02';
  const seed = {
    User: [
      { Id: REP, LastName: 'Rep', Email: 'rep@acme.example' },
      { Id: OTHER, LastName: 'Other', Email: 'other@acme.example' },
    ],
    Account: [
      { Id: '001Hs00000ACC01', Name: 'Mine', OwnerId: REP },
      { Id: '001Hs00000ACC02', Name: 'Theirs', OwnerId: OTHER },
    ],
    Contact: [
      {
        Id: '003Hs00000CON01',
        LastName: 'Under mine',
        AccountId: '001Hs00000ACC01',
        OwnerId: OTHER,
      },
      {
        Id: '003Hs00000CON02',
        LastName: 'Under theirs',
        AccountId: '001Hs00000ACC02',
        OwnerId: OTHER,
      },
      { Id: '003Hs00000CON03', LastName: 'No account', OwnerId: OTHER },
    ],
    Lead: [{ Id: '00QHs00000LEA01', LastName: 'Lead', Company: 'X', OwnerId: OTHER }],
  };
  const access = (userId: string, ids: string[]) =>
    `SELECT RecordId, HasReadAccess, HasEditAccess, MaxAccessLevel FROM UserRecordAccess WHERE UserId = '${userId}' AND RecordId IN (${ids.map((id) => `'${id}'`).join(', ')})`;
  const byId = (body: unknown) =>
    Object.fromEntries(
      records(body).map((r) => [String(r.RecordId).slice(0, 15), r.MaxAccessLevel]),
    );

  it('reports a rep’s access by owner, org-wide default, parent and manual share', async () => {
    await withOrg(
      { seed, sharing: { Account: 'Private', Contact: 'ControlledByParent', Lead: 'Private' } },
      async (org, api) => {
        const ids = [
          '001Hs00000ACC01',
          '001Hs00000ACC02',
          '003Hs00000CON01',
          '003Hs00000CON02',
          '003Hs00000CON03',
          '00QHs00000LEA01',
          '003Hs00000NOPE1', // no such record: left out
        ];
        const first = await api.query(access(REP, ids));
        expect(first.status).toBe(200);
        expect(byId(first.body)).toEqual({
          '001Hs00000ACC01': 'All',
          '001Hs00000ACC02': 'None',
          '003Hs00000CON01': 'Edit', // controlled by its account, which the rep owns
          '003Hs00000CON02': 'None',
          '003Hs00000CON03': 'None', // a contact without an account is private
          '00QHs00000LEA01': 'None',
        });
        org.share('00QHs00000LEA01', REP, 'Read');
        org.setSharing('Account', 'Read');
        const second = await api.query(access(REP, ids));
        expect(byId(second.body)).toMatchObject({
          '001Hs00000ACC02': 'Read',
          '003Hs00000CON02': 'Read',
          '00QHs00000LEA01': 'Read',
        });
        const read = records(second.body).find((r) => String(r.RecordId).startsWith('00Q'));
        expect(read).toMatchObject({ HasReadAccess: true, HasEditAccess: false });
      },
    );
  });

  it('is public read/write by default, as a new org', async () => {
    await withOrg({ seed }, async (_org, api) => {
      const res = await api.query(access(REP, ['001Hs00000ACC02', '00QHs00000LEA01']));
      expect(Object.values(byId(res.body))).toEqual(['Edit', 'Edit']);
    });
  });

  it('refuses what Salesforce refuses', async () => {
    await withOrg({ seed }, async (_org, api) => {
      const many = Array.from(
        { length: 201 },
        (_, i) => `003Hs00000C${String(i).padStart(4, '0')}`,
      );
      for (const soql of [
        'SELECT RecordId FROM UserRecordAccess',
        `SELECT RecordId FROM UserRecordAccess WHERE RecordId = '001Hs00000ACC01'`,
        `SELECT RecordId FROM UserRecordAccess WHERE UserId = '${REP}' OR RecordId = '001Hs00000ACC01'`,
        `SELECT RecordId, MaxAccessLevel FROM UserRecordAccess WHERE UserId = '${REP}' AND RecordId = '001Hs00000ACC01' AND HasReadAccess = true`,
        access(REP, many),
      ]) {
        const res = await api.query(soql);
        expect([soql, res.status, errorCode(res.body)]).toEqual([soql, 400, 'MALFORMED_QUERY']);
      }
      const name = await api.query(
        `SELECT Name FROM UserRecordAccess WHERE UserId = '${REP}' AND RecordId = '001Hs00000ACC01'`,
      );
      expect([name.status, errorCode(name.body)]).toEqual([400, 'INVALID_FIELD']);
    });
  });
});
