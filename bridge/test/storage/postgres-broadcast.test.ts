// Messages between bridges through a real PostgreSQL: every other bridge's message handed over
// once, in id order; one whose transaction committed after many later ones still arrives (ids
// are handed out before commit); one that never commits is given up after a while.
import { silentLogger } from '../../src/logging/logger';
import { PostgresBroadcast } from '../../src/storage/postgres-broadcast';
import { useTestPostgres } from '../support/postgres-server';
import { Teardown } from '../support/teardown';

const server = useTestPostgres();
const teardown = new Teardown();
afterEach(() => {
  jest.restoreAllMocks();
  return teardown.run();
});

async function bridges(count: number, now?: () => number) {
  const url = await server.freshDatabase();
  const pool = await server.pool(url);
  const opened: PostgresBroadcast[] = [];
  for (let i = 0; i < count; i++)
    opened.push(
      teardown.add(
        await PostgresBroadcast.open({
          pool,
          connection: { connectionString: url },
          origin: `bridge-${i}`,
          logger: silentLogger(),
          ...(now === undefined ? {} : { now }),
        }),
        (b) => b.close(),
      ),
    );
  return { url, pool, opened };
}

/** Two bridges, A sending; what bridge B gets on topic `events`, in order. */
async function fromAToB(now?: () => number) {
  const { url, pool, opened } = await bridges(2, now);
  const [a, b] = opened as [PostgresBroadcast, PostgresBroadcast];
  const atB: unknown[] = [];
  b.on('events', (body) => atB.push(body));
  return { url, pool, a, b, atB };
}

/** Waits until `check` holds, polling; fails with `what` after 10 s. */
async function until(what: string, check: () => boolean): Promise<void> {
  const giveUpAt = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > giveUpAt) throw new Error(`not within 10 s: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('storage/postgres-broadcast', () => {
  it("hands every other bridge's message over once, in order, and not its own", async () => {
    const { opened } = await bridges(2);
    const [a, b] = opened as [PostgresBroadcast, PostgresBroadcast];
    const atA: unknown[] = [];
    const atB: unknown[] = [];
    a.on('events', (body) => atA.push(body));
    b.on('events', (body) => atB.push(body));
    for (let i = 0; i < 50; i++) await a.send('events', { n: i });
    await b.send('events', { from: 'b' });
    await until('b has all of a', () => atB.length === 50);
    await until('a has b', () => atA.length === 1);
    expect(atB).toEqual(Array.from({ length: 50 }, (_v, i) => ({ n: i })));
    expect(atA).toEqual([{ from: 'b' }]);
  });

  it('reads nothing back for its own messages, and does not take them for missing', async () => {
    const url = await server.freshDatabase();
    // A pool per bridge, to count each one's reads.
    const reads = new Map<string, number>();
    const open = async (origin: string) => {
      const pool = await server.pool(url);
      const query = pool.query.bind(pool);
      const counted = (text: string, values?: unknown[]) => {
        if (text.includes('FROM bridge_broadcasts WHERE id >'))
          reads.set(origin, (reads.get(origin) ?? 0) + 1);
        return query(text, values);
      };
      Object.assign(pool, { query: counted }); // this test's pool, ended after it
      return teardown.add(
        await PostgresBroadcast.open({
          pool,
          connection: { connectionString: url },
          origin,
          logger: silentLogger(),
        }),
        (b) => b.close(),
      );
    };
    const a = await open('bridge-a');
    const b = await open('bridge-b');
    const atA: unknown[] = [];
    const atB: unknown[] = [];
    a.on('events', (body) => atA.push(body));
    b.on('events', (body) => atB.push(body));
    const readsAtOpen = reads.get('bridge-a') ?? 0;

    for (let i = 0; i < 20; i++) await a.send('events', { n: i });
    await until('b has all of a', () => atB.length === 20);
    // B's reads followed A's NOTIFYs; A's own NOTIFYs woke no read at A.
    expect(reads.get('bridge-b')).toBeGreaterThan(0);
    await b.send('events', { from: 'b' });
    await until('a has b', () => atA.length === 1);
    expect(atA).toEqual([{ from: 'b' }]);
    // The read B's message woke jumped over A's twenty ids: known as A's own, none is missing.
    expect(a.missingIds).toBe(0);
    expect((reads.get('bridge-a') ?? 0) - readsAtOpen).toBeLessThanOrEqual(2);
  });

  it("stores one bridge's messages one at a time, so they are read in the order sent", async () => {
    const { pool, a, atB } = await fromAToB();
    // Two inserts at once may commit out of id order: a listener would read the later first.
    let inFlight = 0;
    let mostAtOnce = 0;
    const query = pool.query.bind(pool);
    const counted = async (text: string, values?: unknown[]) => {
      const inserting = text.includes('INSERT INTO bridge_broadcasts');
      if (inserting) mostAtOnce = Math.max(mostAtOnce, ++inFlight);
      try {
        return await query(text, values);
      } finally {
        if (inserting) inFlight--;
      }
    };
    Object.assign(pool, { query: counted }); // this test's pool, ended after it
    // A webhook burst: the ringing and the end of 100 calls, none awaited before the next.
    const events = Array.from({ length: 100 }, (_v, i) => [
      { call: i, event: 'ringing' },
      { call: i, event: 'ended' },
    ]).flat();
    await Promise.all(events.map((event) => a.send('events', event)));
    await until('b has them all', () => atB.length === events.length);
    expect(mostAtOnce).toBe(1);
    expect(atB).toEqual(events);
  });

  it('sends made while the database is slow go in one insert after the one under way, in order', async () => {
    const { pool, a, atB } = await fromAToB();
    let inserts = 0;
    let release: () => void = () => undefined;
    const stalled = new Promise<void>((resolve) => (release = resolve));
    const query = pool.query.bind(pool);
    const slow = async (text: string, values?: unknown[]) => {
      if (text.includes('INSERT INTO bridge_broadcasts') && ++inserts === 1) await stalled;
      return await query(text, values);
    };
    Object.assign(pool, { query: slow }); // this test's pool, ended after it
    const sent = Array.from({ length: 300 }, (_v, i) => a.send('events', { n: i }));
    release();
    await Promise.all(sent);
    await until('b has them all', () => atB.length === 300);
    expect(inserts).toBe(2);
    expect(atB).toEqual(Array.from({ length: 300 }, (_v, i) => ({ n: i })));
  });

  it('delivers a message whose transaction committed after hundreds of later ones', async () => {
    const { url, a, b, atB } = await fromAToB();
    // A slow sender: its id is taken now, its commit comes last.
    const slowPool = await server.pool(url, 1);
    const slow = await slowPool.connect();
    try {
      await slow.query('BEGIN');
      await slow.query(
        `INSERT INTO bridge_broadcasts (topic, origin, body, sent_at)
           VALUES ('events', 'bridge-slow', '{"slow":true}', 0)`,
      );
      for (let i = 0; i < 300; i++) await a.send('events', { n: i });
      await until('b has the fast ones', () => atB.length === 300);
      await slow.query(`SELECT pg_notify('switchboard_broadcast', 'slow')`);
      await slow.query('COMMIT');
    } finally {
      slow.release();
    }
    await until('b has the slow one too', () => atB.length === 301);
    expect(atB.at(-1)).toEqual({ slow: true });
    expect(b.missingIds).toBe(0);
  });

  it('gives up an id that never commits after a minute', async () => {
    let clock = 1_000_000;
    const { url, a, b, atB } = await fromAToB(() => clock);
    const abandoned = await (await server.pool(url, 1)).connect();
    try {
      await abandoned.query('BEGIN');
      await abandoned.query(
        `INSERT INTO bridge_broadcasts (topic, origin, body, sent_at)
           VALUES ('events', 'bridge-gone', '{}', 0)`,
      );
      await abandoned.query('ROLLBACK');
    } finally {
      abandoned.release();
    }
    await a.send('events', { n: 1 });
    await until('b has the message after the gap', () => atB.length === 1);
    expect(b.missingIds).toBe(1);
    clock += 60_001;
    await a.send('events', { n: 2 });
    await until('b has the next one', () => atB.length === 2);
    expect(b.missingIds).toBe(0);
  });
});
