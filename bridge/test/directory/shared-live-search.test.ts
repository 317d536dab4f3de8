// Several bridges share their lookups through a real PostgreSQL: one Salesforce search per
// number between them, whoever asks first; the others take its answer from the channel or the
// store. What goes wrong — the searching bridge fails or dies, an answer that does not parse,
// a database that cannot be reached — leaves each bridge searching for itself, never without
// an answer. Salesforce is a counting fake here (its searches are tested elsewhere).
import type { DirectoryMatch } from '../../src/calls/caller-directory';
import type { Logger } from '../../src/logging/logger';
import { silentLogger } from '../../src/logging/logger';
import { PostgresLookupShare } from '../../src/directory/postgres-lookup-share';
import {
  SharedLiveSearch,
  type RememberingDirectory,
} from '../../src/directory/shared-live-search';
import { PostgresBroadcast } from '../../src/storage/postgres-broadcast';
import type { PgPool } from '../../src/storage/postgres';
import { captureLogger } from '../support/capture-logger';
import { useTestPostgres } from '../support/postgres-server';
import { Teardown } from '../support/teardown';
import { waitForValue } from '../support/wait-for-value';

const server = useTestPostgres();
const teardown = new Teardown();
afterEach(() => teardown.run());

const NUMBER = '+14155550100';
const ADA: DirectoryMatch = {
  id: '003000000000001AAA',
  object: 'Contact',
  name: 'Ada Lovelace',
  phoneField: 'Phone',
  lastModifiedAt: '2026-11-01T10:00:00.000Z',
};

/** One bridge's own Salesforce search: counts its searches, answers when told to. */
class FakeSearch implements RememberingDirectory {
  searches = 0;
  remembered = new Map<string, readonly DirectoryMatch[]>();
  /** Records noted as changed (noteRecordChanged), as `object/id`. */
  noted: string[] = [];
  private pending: Array<{ resolve(m: DirectoryMatch[]): void; reject(e: Error): void }> = [];
  private waitingForSearch: Array<() => void> = [];

  constructor(private readonly answerAtOnce?: DirectoryMatch[]) {}

  findByNumber(): Promise<DirectoryMatch[]> {
    this.searches++;
    for (const wake of this.waitingForSearch.splice(0)) wake();
    if (this.answerAtOnce !== undefined) return Promise.resolve([...this.answerAtOnce]);
    return new Promise((resolve, reject) => this.pending.push({ resolve, reject }));
  }

  knownMatches(e164: string): DirectoryMatch[] | undefined {
    const known = this.remembered.get(e164);
    return known === undefined ? undefined : [...known];
  }

  remember(e164: string, matches: readonly DirectoryMatch[]): void {
    this.remembered.set(e164, matches);
  }

  noteRecordChanged(sobjectType: string, id: string): void {
    this.noted.push(`${sobjectType}/${id}`);
    this.remembered.clear();
  }

  /** Resolves once a search has started. */
  searchStarted(): Promise<void> {
    if (this.searches > 0) return Promise.resolve();
    return new Promise((resolve) => this.waitingForSearch.push(resolve));
  }

  answer(matches: DirectoryMatch[]): void {
    for (const p of this.pending.splice(0)) p.resolve(matches);
  }

  fail(): void {
    for (const p of this.pending.splice(0)) p.reject(new Error('SF_UNAVAILABLE'));
  }
}

interface Bridge {
  search: FakeSearch;
  shared: SharedLiveSearch;
  share: PostgresLookupShare;
}

async function database(): Promise<{ url: string; pool: PgPool }> {
  const url = await server.freshDatabase();
  return { url, pool: await server.pool(url) };
}

/** The answer stored for `number` once its searching bridge has stored it (in the background). */
function storedAnswer(
  db: { pool: PgPool },
  number: string,
): Promise<{ claimed_by: string; matches: string }> {
  return waitForValue('the answer stored', async () => {
    const { rows } = await db.pool.query<{ claimed_by: string; matches: string | null }>(
      'SELECT claimed_by, matches FROM directory_lookups WHERE e164 = $1',
      [number],
    );
    const row = rows[0];
    return row?.matches == null ? undefined : { claimed_by: row.claimed_by, matches: row.matches };
  });
}

async function bridge(
  db: { url: string; pool: PgPool },
  name: string,
  options: {
    search?: FakeSearch;
    now?: () => number;
    waitMs?: number;
    answerMs?: number;
    logger?: Logger;
  } = {},
): Promise<Bridge> {
  const logger = options.logger ?? silentLogger();
  const channel = teardown.add(
    await PostgresBroadcast.open({
      pool: db.pool,
      connection: { connectionString: db.url },
      origin: name,
      logger,
    }),
    (b) => b.close(),
  );
  const waitMs = options.waitMs ?? 60_000;
  const share = await PostgresLookupShare.open({
    pool: db.pool,
    channel,
    origin: name,
    claimMs: waitMs,
    answerMs: options.answerMs ?? 60_000,
    logger,
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  const search = options.search ?? new FakeSearch();
  return {
    search,
    share,
    shared: new SharedLiveSearch({ local: search, share, logger, waitMs }),
  };
}

describe('directory/shared-live-search on PostgreSQL', () => {
  it('two bridges asking about one number at once make one search, and both get its answer', async () => {
    const db = await database();
    const a = await bridge(db, 'a');
    const b = await bridge(db, 'b');
    const atA = a.shared.findByNumber(NUMBER);
    await a.search.searchStarted();
    const atB = b.shared.findByNumber(NUMBER);
    // b's claim is refused while a searches; then a answers.
    const { rows } = await db.pool.query<{ claimed_by: string }>(
      'SELECT claimed_by FROM directory_lookups WHERE e164 = $1',
      [NUMBER],
    );
    expect(rows).toEqual([{ claimed_by: 'a' }]);
    a.search.answer([ADA]);
    await expect(atA).resolves.toEqual([ADA]);
    await expect(atB).resolves.toEqual([ADA]);
    expect(a.search.searches + b.search.searches).toBe(1);
    // b keeps the answer like one of its own: its next ring asks nobody.
    expect(b.shared.knownMatches(NUMBER)).toEqual([ADA]);
  });

  it('an unknown caller (no match) is searched once too', async () => {
    const db = await database();
    const bridges = [await bridge(db, 'a'), await bridge(db, 'b'), await bridge(db, 'c')];
    const answers = bridges.map((x) => x.shared.findByNumber(NUMBER));
    await Promise.race(bridges.map((x) => x.search.searchStarted()));
    for (const x of bridges) x.search.answer([]);
    expect(await Promise.all(answers)).toEqual([[], [], []]);
    expect(bridges.reduce((sum, x) => sum + x.search.searches, 0)).toBe(1);
  });

  it('a bridge asking after the answer reads it from the store until it expires', async () => {
    const db = await database();
    let now = 1_000_000;
    const clock = () => now;
    const a = await bridge(db, 'a', {
      search: new FakeSearch([ADA]),
      now: clock,
      answerMs: 60_000,
    });
    await a.shared.findByNumber(NUMBER);
    await storedAnswer(db, NUMBER);
    const late = await bridge(db, 'late', { search: new FakeSearch([]), now: clock });
    await expect(late.shared.findByNumber(NUMBER)).resolves.toEqual([ADA]);
    expect(late.search.searches).toBe(0);

    now += 60_001; // the answer is older than lookup.cacheTtlSeconds: asked again
    const later = await bridge(db, 'later', { search: new FakeSearch([]), now: clock });
    await expect(later.shared.findByNumber(NUMBER)).resolves.toEqual([]);
    expect(later.search.searches).toBe(1);
  });

  it("the searching bridge's failure sends the others to search themselves at once", async () => {
    const db = await database();
    const a = await bridge(db, 'a'); // waits a minute for another's answer: the test would time out
    const b = await bridge(db, 'b', { search: new FakeSearch([ADA]) });
    const atA = a.shared.findByNumber(NUMBER);
    await a.search.searchStarted();
    const atB = b.shared.findByNumber(NUMBER);
    a.search.fail();
    await expect(atA).rejects.toThrow('SF_UNAVAILABLE');
    await expect(atB).resolves.toEqual([ADA]);
    expect(b.search.searches).toBe(1);
  });

  it('a claim whose bridge died is waited for at most waitMs, then taken over once it expires', async () => {
    const db = await database();
    let now = 1_000_000;
    const clock = () => now;
    const dead = await bridge(db, 'dead', { now: clock, waitMs: 5_000 });
    void dead.shared.findByNumber(NUMBER).catch(() => undefined); // never answered
    await dead.search.searchStarted();

    // Waiting ends after waitMs (here 50 ms): the rep gets a pop from this bridge's own search.
    const waiting = await bridge(db, 'waiting', {
      search: new FakeSearch([ADA]),
      now: clock,
      waitMs: 50,
    });
    await expect(waiting.shared.findByNumber(NUMBER)).resolves.toEqual([ADA]);
    expect(waiting.search.searches).toBe(1);

    // Once the claim has expired, the next bridge claims the number rather than wait.
    now += 5_001;
    const next = await bridge(db, 'next', { search: new FakeSearch([ADA]), now: clock });
    await expect(next.shared.findByNumber(NUMBER)).resolves.toEqual([ADA]);
    expect(next.search.searches).toBe(1);
    await expect(storedAnswer(db, NUMBER)).resolves.toEqual({
      claimed_by: 'next',
      matches: JSON.stringify([ADA]),
    });
  });

  it('a record changed at one bridge drops the stored answers: the next ring asks again', async () => {
    const db = await database();
    const a = await bridge(db, 'a', { search: new FakeSearch([]) });
    await a.shared.findByNumber(NUMBER);
    await storedAnswer(db, NUMBER);
    a.shared.noteRecordChanged('Contact', ADA.id);
    // forgetAnswers runs in the background: wait until the row is gone.
    await waitForValue('the stored answers forgotten', async () => {
      const { rowCount } = await db.pool.query('SELECT 1 FROM directory_lookups');
      return rowCount === 0 ? true : undefined;
    });
    const b = await bridge(db, 'b', { search: new FakeSearch([ADA]) });
    await expect(b.shared.findByNumber(NUMBER)).resolves.toEqual([ADA]);
    expect(b.search.searches).toBe(1);
  });

  it("a record noted at one bridge reaches the other bridges' searches", async () => {
    const db = await database();
    const a = await bridge(db, 'a', { search: new FakeSearch([]) });
    const b = await bridge(db, 'b', { search: new FakeSearch([]) });
    // b had an answer from a: nobody has this number.
    await a.shared.findByNumber(NUMBER);
    await storedAnswer(db, NUMBER);
    await b.shared.findByNumber(NUMBER);
    expect(b.shared.knownMatches(NUMBER)).toEqual([]);
    // A rep at a creates a Contact with the number: b forgets its answer, and its own search
    // fetches the new record by id (the search index lags), whoever searches next.
    a.shared.noteRecordChanged('Contact', ADA.id);
    await waitForValue('the change at b', () => (b.search.noted.length > 0 ? true : undefined));
    expect(b.search.noted).toEqual([`Contact/${ADA.id}`]);
    expect(b.shared.knownMatches(NUMBER)).toBeUndefined();
  });

  it('a stored answer that does not parse is logged once with a code, and searched for here', async () => {
    const db = await database();
    const { logger, lines } = captureLogger();
    const b = await bridge(db, 'b', { search: new FakeSearch([ADA]), logger });
    for (const [i, bad] of ['not json', '[{"id":42}]'].entries()) {
      const number = `${NUMBER}${i}`;
      await db.pool.query(
        `INSERT INTO directory_lookups (e164, claimed_by, claimed_until, answered_until, matches)
           VALUES ($1, 'other', 0, $2, $3)`,
        [number, Date.now() + 60_000, bad],
      );
      await expect(b.shared.findByNumber(number)).resolves.toEqual([ADA]);
    }
    expect(b.search.searches).toBe(2);
    const warnings = lines.filter((l) => l.code === 'DIRECTORY_LOOKUP_ANSWER_INVALID');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.hint).toMatch(/same Switchboard version/);
  });

  it('a shared match whose id is not a Salesforce record id is refused, and searched for here', async () => {
    const db = await database();
    const b = await bridge(db, 'b', { search: new FakeSearch([ADA]) });
    await db.pool.query(
      `INSERT INTO directory_lookups (e164, claimed_by, claimed_until, answered_until, matches)
         VALUES ($1, 'other', 0, $2, $3)`,
      [NUMBER, Date.now() + 60_000, JSON.stringify([{ ...ADA, id: "003' OR Id != '" }])],
    );
    await expect(b.shared.findByNumber(NUMBER)).resolves.toEqual([ADA]);
    expect(b.search.searches).toBe(1);
  });

  it('an answer on the channel that does not parse sends the waiting bridge to search itself', async () => {
    const db = await database();
    const a = await bridge(db, 'a');
    const b = await bridge(db, 'b', { search: new FakeSearch([ADA]) });
    const atA = a.shared.findByNumber(NUMBER);
    await a.search.searchStarted();
    const atB = b.shared.findByNumber(NUMBER);
    const channel = teardown.add(
      await PostgresBroadcast.open({
        pool: db.pool,
        connection: { connectionString: db.url },
        origin: 'a-newer-version',
        logger: silentLogger(),
      }),
      (x) => x.close(),
    );
    await channel.send('directory-lookup-answers', { e164: NUMBER, matches: [{ id: 7 }] });
    await expect(atB).resolves.toEqual([ADA]);
    expect(b.search.searches).toBe(1);
    // A record change that names no record is dropped; the next, sound one is applied.
    await channel.send('directory-record-changes', { sobjectType: 'Contact', id: "'; DROP" });
    await channel.send('directory-record-changes', {
      sobjectType: 'Lead',
      id: '00Q000000000001AAA',
    });
    await waitForValue('the sound change', () => (b.search.noted.length > 0 ? true : undefined));
    expect(b.search.noted).toEqual(['Lead/00Q000000000001AAA']);
    a.search.answer([]);
    await atA;
  });

  it('a database that fails the claim costs the sharing only: the bridge searches itself', async () => {
    const db = await database();
    const { logger, lines } = captureLogger();
    const a = await bridge(db, 'a', { search: new FakeSearch([ADA]), logger });
    await db.pool.query('DROP TABLE directory_lookups');
    await expect(a.shared.findByNumber(NUMBER)).resolves.toEqual([ADA]);
    await expect(a.shared.findByNumber('+14155550101')).resolves.toEqual([ADA]);
    expect(a.search.searches).toBe(2);
    const warnings = lines.filter((l) => l.code === 'DIRECTORY_LOOKUP_NOT_SHARED');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.hint).toMatch(/storage\.postgres/);
  });
});
