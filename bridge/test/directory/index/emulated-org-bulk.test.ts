// The emulated org's Bulk API 2.0 query jobs and getDeleted resource on the wire, as a client
// other than jsforce would see them: job states, CSV results paged by Sforce-Locator with
// maxRecords, Sforce-NumberOfRecords, and deleted records inside a date range.
import { parse as parseCsv } from 'csv-parse/sync';
import { EmulatedOrg } from '../../../src/demo/emulated-org/emulated-org';
import { requestToken } from '../../emulated-org/support/client-credentials';
import { Teardown } from '../../support/teardown';

const V = '/services/data/v62.0';

describe('emulated org: Bulk API 2.0 query and getDeleted', () => {
  let org: EmulatedOrg;
  let token: string;
  const clock = { t: Date.parse('2026-03-02T09:00:00.000Z') };
  const teardown = new Teardown();

  beforeAll(async () => {
    org = await EmulatedOrg.start({
      seed: {
        Account: [{ Id: '001Hs00000ACC01', Name: 'Neckar, "GmbH"' }],
        Contact: Array.from({ length: 5 }, (_, i) => ({
          LastName: `C${i}`,
          Phone: i === 0 ? null : `+1 415 555 010${i}`,
          AccountId: '001Hs00000ACC01',
        })),
      },
      clock: () => clock.t,
    });
    teardown.add(org, (o) => o.stop());
    const res = await requestToken(org);
    token = ((await res.json()) as { access_token: string }).access_token;
  });

  afterAll(() => teardown.run());

  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${org.url}${V}${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        ...(init.headers as Record<string, string> | undefined),
      },
    });

  it('runs a query job and pages its CSV results by locator', async () => {
    const created = await api('/jobs/query', {
      method: 'POST',
      body: JSON.stringify({
        operation: 'query',
        // No ORDER BY: in a Bulk query it turns PK chunking off (the org fails such jobs).
        query: 'SELECT Id, LastName, Phone, Account.Name FROM Contact',
      }),
    });
    const job = (await created.json()) as { id: string; state: string };
    expect(job.state).toBe('UploadComplete');
    expect(((await (await api(`/jobs/query/${job.id}`)).json()) as { state: string }).state).toBe(
      'InProgress',
    );
    const done = (await (await api(`/jobs/query/${job.id}`)).json()) as Record<string, unknown>;
    expect(done).toMatchObject({ state: 'JobComplete', numberRecordsProcessed: 5 });

    const rows: Record<string, string>[] = [];
    const locators: string[] = [];
    let locator: string | null = null;
    do {
      const res = await api(
        `/jobs/query/${job.id}/results?maxRecords=2${locator === null ? '' : `&locator=${locator}`}`,
      );
      expect(res.headers.get('content-type')).toBe('text/csv');
      const page = parseCsv<Record<string, string>>(await res.text(), { columns: true });
      expect(res.headers.get('sforce-numberofrecords')).toBe(String(page.length));
      rows.push(...page);
      const next = res.headers.get('sforce-locator');
      locator = next === 'null' ? null : next;
      locators.push(String(next));
    } while (locator !== null);

    expect(locators).toHaveLength(3);
    expect(locators[2]).toBe('null');
    expect(rows.map((r) => r.LastName).sort()).toEqual(['C0', 'C1', 'C2', 'C3', 'C4']);
    expect(rows.find((r) => r.LastName === 'C0')).toMatchObject({
      Phone: '',
      'Account.Name': 'Neckar, "GmbH"',
    });
  });

  it('refuses results before the job completed, unknown jobs and aggregate queries', async () => {
    const job = (await (
      await api('/jobs/query', {
        method: 'POST',
        body: JSON.stringify({ operation: 'query', query: 'SELECT Id FROM Contact' }),
      })
    ).json()) as { id: string };
    expect((await api(`/jobs/query/${job.id}/results`)).status).toBe(400);
    expect((await api('/jobs/query/750Hs0000000000AAA')).status).toBe(404);
    const aggregate = await api('/jobs/query', {
      method: 'POST',
      body: JSON.stringify({ operation: 'query', query: 'SELECT COUNT() FROM Contact' }),
    });
    expect(aggregate.status).toBe(400);
  });

  it('reports records deleted inside the range, up to the last whole minute', async () => {
    const victim = org.records('Contact')[1];
    const start = new Date(clock.t - 60_000).toISOString();
    org.delete('Contact', String(victim?.Id));
    clock.t += 90_000;
    const end = new Date(clock.t).toISOString();

    const res = await api(`/sobjects/Contact/deleted/?start=${start}&end=${end}`);
    const body = (await res.json()) as {
      deletedRecords: { id: string; deletedDate: string }[];
      latestDateCovered: string;
      earliestDateAvailable: string;
    };

    expect(body.deletedRecords).toEqual([
      { id: String(victim?.Id), deletedDate: '2026-03-02T09:00:00.000+0000' },
    ]);
    expect(body.latestDateCovered).toBe('2026-03-02T09:01:00.000+0000');
    expect(org.records('Contact')).toHaveLength(4);
    expect((await api(`/sobjects/Account/deleted/?start=${start}&end=${end}`)).status).toBe(200);
    const tooOld = new Date(clock.t - 31 * 24 * 3600_000).toISOString();
    const refused = await api(`/sobjects/Contact/deleted/?start=${tooOld}&end=${end}`);
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual([
      expect.objectContaining({ errorCode: 'INVALID_REPLICATION_DATE' }),
    ]);
  });
});
