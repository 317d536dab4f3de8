// One bridge at a time does a job for all (the AstDB push: Asterisk's database is one for every
// bridge): a PostgreSQL session-level advisory lock held on a connection of its own. The
// holder keeps it as long as its connection lives; when the bridge dies (SIGKILL, a crash, a
// lost network) PostgreSQL ends the session and frees the lock, and the next bridge to ask
// takes it over. Bridges without it ask again every pollMs.
import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Logger } from '../logging/logger';

export interface LeaderLockOptions {
  /** The LISTEN-style connection settings (same database as the pool). */
  connection: pg.ClientConfig;
  /** What the lock is for: one lock per name. */
  name: string;
  logger: Logger;
  /** How often a bridge without the lock asks for it (ms). */
  pollMs?: number;
  /** Called each time this bridge takes the lock. */
  onAcquired?: () => void;
}

/** The advisory lock key of a name: 63 bits of its SHA-256, so names do not collide. */
function lockKey(name: string): string {
  return BigInt.asIntN(
    64,
    createHash('sha256').update(`switchboard:${name}`).digest().readBigInt64BE(),
  ).toString();
}

export class PostgresLeaderLock {
  private client: pg.Client | undefined;
  private held = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private asking: Promise<void> | undefined;
  private readonly key: string;

  constructor(private readonly options: LeaderLockOptions) {
    this.key = lockKey(options.name);
  }

  /** Whether this bridge holds the lock now. */
  isHeld(): boolean {
    return this.held;
  }

  /** Asks at once, then every pollMs until held; resolves after the first answer. */
  start(): Promise<void> {
    this.asking = this.ask();
    return this.asking;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    await this.asking;
    this.held = false;
    // Ending the session frees the lock for the next bridge.
    await this.client?.end().catch(() => undefined);
    this.client = undefined;
  }

  private async ask(): Promise<void> {
    if (this.stopped) return;
    try {
      const client = this.client ?? (await this.connect());
      const { rows } = await client.query<{ held: boolean }>(
        'SELECT pg_try_advisory_lock($1::bigint) AS held',
        [this.key],
      );
      if (rows[0]?.held === true && !this.held) {
        this.held = true;
        this.options.logger.info({ lock: this.options.name }, 'this bridge now runs it for all');
        this.options.onAcquired?.();
      }
    } catch (error) {
      this.lost(error);
    }
    if (!this.held) this.askLater();
  }

  private askLater(): void {
    if (this.stopped || this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.asking = this.ask();
    }, this.options.pollMs ?? 5_000);
    this.timer.unref();
  }

  private async connect(): Promise<pg.Client> {
    const client = new pg.Client(this.options.connection);
    // The session is the lock: when it fails, another bridge may take over.
    client.on('error', (error) => {
      if (this.client === client) this.lost(error);
    });
    await client.connect();
    this.client = client;
    return client;
  }

  private lost(error: unknown): void {
    const client = this.client;
    this.client = undefined;
    client?.end().catch(() => undefined);
    if (this.held)
      this.options.logger.warn(
        { lock: this.options.name, err: error instanceof Error ? error.message : String(error) },
        'lost the PostgreSQL session holding the lock: another bridge may take over',
      );
    this.held = false;
    this.askLater();
  }
}
