// Messages from one bridge to every other on the same PostgreSQL: a table that keeps each
// message for a few minutes, and LISTEN/NOTIFY to wake the listeners. The message itself never
// travels in the NOTIFY payload (PostgreSQL caps it at 8000 bytes): the payload is the row id,
// and a listener reads every row after the last one it saw. The same read catches up after
// its connection dropped, so a restart of PostgreSQL loses nothing kept in the table.
//
// Used for PBX events that arrive at one bridge only (the webhook): every bridge follows every
// call, as each does with its own AMI session (docs/deployment.md).
import pg from 'pg';
import type { Logger } from '../logging/logger';
import type { Migration } from './database';
import { applyPostgresMigrations, type PgPool } from './postgres';

export const BROADCAST_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'bridge_broadcasts',
    postgres: `CREATE TABLE bridge_broadcasts (
                 id BIGSERIAL PRIMARY KEY,
                 topic TEXT NOT NULL,
                 origin TEXT NOT NULL,
                 body TEXT NOT NULL,
                 sent_at BIGINT NOT NULL
               )`,
  },
];

const CHANNEL = 'switchboard_broadcast';
/** Messages are kept this long: a listener that reconnects within it misses nothing. */
const KEEP_MS = 10 * 60_000;
/**
 * How long a missing id is looked for: ids are handed out before commit, so a message may
 * become visible after higher ids did (its transaction was slower), or never (rolled back).
 */
const GAP_WAIT_MS = 60_000;
/** At most this many missing ids are tracked for one jump (a sequence far ahead of the table). */
const MAX_GAPS_PER_JUMP = 1000;
/** A dropped LISTEN connection is opened again after this long (ms), doubling up to a minute. */
const RECONNECT_MS = 500;

export type BroadcastHandler = (body: unknown) => void;

interface QueuedMessage {
  topic: string;
  /** JSON text. */
  body: string;
  resolve(): void;
  reject(error: unknown): void;
}

export interface BroadcastOptions {
  pool: PgPool;
  /** A connection string for the LISTEN connection (same database as the pool). */
  connection: pg.ClientConfig;
  /** This bridge's id: its own messages are not handed back to it. */
  origin: string;
  logger: Logger;
  now?: () => number;
}

export class PostgresBroadcast {
  private readonly handlers = new Map<string, BroadcastHandler>();
  private client: pg.Client | undefined;
  /** The highest id read; every id above it is new. */
  private lastId = 0;
  /** Ids below lastId not read yet, with when they were first missed (see GAP_WAIT_MS). */
  private readonly gaps = new Map<number, number>();
  /**
   * This bridge's own messages above lastId, with when they were stored: not read back (a
   * NOTIFY of its own wakes no read), and not taken for missing when a read jumps over them.
   */
  private readonly own = new Map<number, number>();
  /** Messages waiting for the insert under way to end (send). */
  private queued: QueuedMessage[] = [];
  private storing = false;
  private stopped = false;
  private reading: Promise<void> | undefined;
  private readAgain = false;
  private reconnectMs = RECONNECT_MS;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private nextPruneAt = 0;
  private readonly now: () => number;

  private constructor(private readonly options: BroadcastOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Migrates, listens, and starts from the newest message (older ones are not for us). */
  static async open(options: BroadcastOptions): Promise<PostgresBroadcast> {
    await applyPostgresMigrations(options.pool, 'broadcast', BROADCAST_MIGRATIONS, options.logger);
    const broadcast = new PostgresBroadcast(options);
    // An empty table (pruned) says nothing: then the sequence, whose next id may be far above.
    const { rows } = await options.pool.query<{ id: number | null }>(
      `SELECT COALESCE((SELECT MAX(id) FROM bridge_broadcasts),
                       (SELECT last_value FROM bridge_broadcasts_id_seq WHERE is_called)) AS id`,
    );
    broadcast.lastId = rows[0]?.id ?? 0;
    await broadcast.listen();
    return broadcast;
  }

  /** `handler` gets every other bridge's message on `topic`, in the order they were sent. */
  on(topic: string, handler: BroadcastHandler): void {
    this.handlers.set(topic, handler);
  }

  /**
   * Stores the message and wakes every bridge (NOTIFY is sent when the insert commits). One
   * insert at a time: ids are handed out before commit, so two inserts at once could commit out
   * of order, and a listener would read a call's `ended` before its `ringing` (and drop the
   * ringing as overtaken: a pop lost). What is sent meanwhile goes in the next insert, in order,
   * so a slow or unreachable database costs one statement per round trip, not one per message.
   */
  send(topic: string, body: unknown): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queued.push({ topic, body: JSON.stringify(body), resolve, reject });
      if (!this.storing) void this.storeQueued();
    });
  }

  private async storeQueued(): Promise<void> {
    this.storing = true;
    while (this.queued.length > 0) {
      const batch = this.queued;
      this.queued = [];
      try {
        await this.insert(batch);
        for (const message of batch) message.resolve();
      } catch (error) {
        for (const message of batch) message.reject(error);
      }
    }
    this.storing = false;
  }

  private async insert(batch: readonly QueuedMessage[]): Promise<void> {
    const now = this.now();
    // Ids in the order sent: rows are numbered as the ordered SELECT yields them. The NOTIFY
    // names the sender, so that its own listener is not woken to read what it sent.
    const { rows } = await this.options.pool.query<{ id: number }>(
      `WITH sent AS (
         INSERT INTO bridge_broadcasts (topic, origin, body, sent_at)
           SELECT m.topic, $3, m.body, $4
           FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS m(topic, body, n)
           ORDER BY m.n
         RETURNING id),
       notified AS (SELECT pg_notify($5, $3 || ' ' || MAX(id)::text) FROM sent)
       SELECT id FROM sent CROSS JOIN notified`,
      [batch.map((m) => m.topic), batch.map((m) => m.body), this.options.origin, now, CHANNEL],
    );
    for (const [id, storedAt] of this.own) {
      if (now - storedAt <= GAP_WAIT_MS) break; // oldest first: no other bridge read past it
      this.own.delete(id);
    }
    for (const { id } of rows) if (id > this.lastId) this.own.set(id, now);
    if (now >= this.nextPruneAt) {
      this.nextPruneAt = now + 60_000;
      await this.options.pool
        .query('DELETE FROM bridge_broadcasts WHERE sent_at < $1', [now - KEEP_MS])
        .catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    this.stopped = true;
    if (this.reconnectTimer !== undefined) clearTimeout(this.reconnectTimer);
    await this.reading;
    await this.client?.end().catch(() => undefined);
    this.client = undefined;
  }

  private async listen(): Promise<void> {
    const client = new pg.Client(this.options.connection);
    client.on('notification', (message) => {
      if (!this.isOwnNotice(message.payload)) this.read();
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, undefined));
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
    this.client = client;
    this.reconnectMs = RECONNECT_MS;
    this.read(); // anything sent while we were not listening
  }

  private lost(client: pg.Client, error: Error | undefined): void {
    if (this.client !== client || this.stopped) return;
    this.client = undefined;
    client.end().catch(() => undefined);
    this.options.logger.warn(
      { err: error?.message, retryInMs: this.reconnectMs },
      'PostgreSQL LISTEN connection lost: reconnecting',
    );
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.listen().catch((reason: unknown) => {
        this.options.logger.debug({ err: String(reason) }, 'LISTEN reconnect failed');
        this.reconnectMs = Math.min(this.reconnectMs * 2, 60_000);
        if (this.client === undefined && !this.stopped) this.lost(client, undefined);
      });
    }, this.reconnectMs);
    this.reconnectTimer.unref();
  }

  /** A NOTIFY of this bridge's own insert (`<origin> <last id>`): nothing in it to read. */
  private isOwnNotice(payload: string | undefined): boolean {
    const space = payload?.lastIndexOf(' ') ?? -1;
    return space > 0 && payload?.slice(0, space) === this.options.origin;
  }

  /** Reads every message after the last one seen; one read at a time, again if woken meanwhile. */
  private read(): void {
    if (this.reading !== undefined) {
      this.readAgain = true;
      return;
    }
    this.reading = this.readNew()
      .catch((error: unknown) => {
        this.options.logger.warn({ err: String(error) }, 'bridge broadcasts not read');
      })
      .finally(() => {
        this.reading = undefined;
        if (this.readAgain && !this.stopped) {
          this.readAgain = false;
          this.read();
        }
      });
  }

  private async readNew(): Promise<void> {
    // Other bridges' new messages, and the ids that were missing last time (an earlier read saw
    // higher ids committed before them): only those, so no message is read twice. Own messages
    // are left out of the first part (they are not for us), not of the second: an id of ours
    // taken for missing, because the read came before our insert answered, is found there.
    const now = this.now();
    for (const [id, missedAt] of this.gaps) if (now - missedAt > GAP_WAIT_MS) this.gaps.delete(id);
    const { rows } = await this.options.pool.query<{
      id: number;
      topic: string;
      origin: string;
      body: string;
    }>(
      `SELECT id, topic, origin, body FROM bridge_broadcasts WHERE id > $1 AND origin <> $3
       UNION ALL
       SELECT id, topic, origin, body FROM bridge_broadcasts WHERE id = ANY($2::bigint[])
       ORDER BY id LIMIT 1000`,
      [this.lastId, [...this.gaps.keys()], this.options.origin],
    );
    for (const row of rows) {
      if (row.id > this.lastId) {
        for (let id = Math.max(this.lastId + 1, row.id - MAX_GAPS_PER_JUMP); id < row.id; id++)
          if (!this.own.delete(id)) this.gaps.set(id, now);
        this.lastId = row.id;
      } else if (!this.gaps.delete(row.id)) continue;
      if (row.origin === this.options.origin) continue;
      const handler = this.handlers.get(row.topic);
      try {
        handler?.(JSON.parse(row.body));
      } catch (error) {
        this.options.logger.error(
          { err: error instanceof Error ? error.message : String(error), topic: row.topic },
          'bridge broadcast could not be handled',
        );
      }
    }
    if (rows.length === 1000) this.readAgain = true;
  }

  /** How many missing ids are still looked for (tests). */
  get missingIds(): number {
    return this.gaps.size;
  }
}
