// Where the identity verifier remembers the token ids (`iss:jti`) it has accepted, so a token
// is single-use. One bridge keeps them in memory; several bridges share them in PostgreSQL, so
// a token used at one bridge is refused at every other. An id is kept until its token expires
// (it cannot be replayed after that anyway), which bounds both stores.
import type { Logger } from '../logging/logger';
import type { Migration } from '../storage/database';
import { applyPostgresMigrations, type PgPool } from '../storage/postgres';

export interface ReplayCache {
  /**
   * Records `key` as used until `acceptedUntilMs`. True the first time; false when it was
   * already used and has not expired (a replay).
   */
  firstUse(key: string, acceptedUntilMs: number, nowMs: number): Promise<boolean>;
}

/**
 * Memory bound. Every entry comes from a token with a valid org signature and lives at most
 * maxLifetime + tolerance, so this is ~100k logins in five minutes before eviction starts.
 */
const MAX_REMEMBERED = 100_000;
/** Expired ids are dropped at most this often (ms). */
const PRUNE_INTERVAL_MS = 10_000;

/** One bridge's replay memory. */
export class MemoryReplayCache implements ReplayCache {
  /** key → the time (ms) after which the token is no longer accepted anyway. */
  private readonly seen = new Map<string, number>();
  private nextPruneAt = 0;

  constructor(private readonly logger: Logger) {}

  get size(): number {
    return this.seen.size;
  }

  firstUse(key: string, acceptedUntilMs: number, nowMs: number): Promise<boolean> {
    this.prune(nowMs);
    if (this.seen.has(key)) return Promise.resolve(false);
    if (this.seen.size >= MAX_REMEMBERED) {
      // Evict the oldest (Map keeps insertion order) rather than refuse every rep's login.
      const oldest = this.seen.keys().next();
      if (oldest.done !== true) this.seen.delete(oldest.value);
      this.logger.warn(
        { remembered: this.seen.size },
        'identity token replay memory is full; forgetting the oldest token ids',
      );
    }
    this.seen.set(key, acceptedUntilMs);
    return Promise.resolve(true);
  }

  private prune(nowMs: number): void {
    if (nowMs < this.nextPruneAt && this.seen.size < MAX_REMEMBERED) return;
    this.nextPruneAt = nowMs + PRUNE_INTERVAL_MS;
    for (const [key, until] of this.seen) if (until < nowMs) this.seen.delete(key);
  }
}

export const REPLAY_CACHE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'identity_token_ids',
    // Only PostgreSQL holds it: one bridge alone keeps the ids in memory.
    postgres: `CREATE TABLE identity_token_ids (
                 token_key TEXT PRIMARY KEY,
                 accepted_until BIGINT NOT NULL
               );
               CREATE INDEX identity_token_ids_expiry ON identity_token_ids (accepted_until);`,
  },
];

/** Shared by every bridge on one PostgreSQL database: a token used anywhere is used. */
export class PostgresReplayCache implements ReplayCache {
  private nextPruneAt = 0;

  private constructor(
    private readonly pool: PgPool,
    private readonly logger: Logger,
  ) {}

  static async open(pool: PgPool, logger: Logger): Promise<PostgresReplayCache> {
    await applyPostgresMigrations(pool, 'identity', REPLAY_CACHE_MIGRATIONS, logger);
    return new PostgresReplayCache(pool, logger);
  }

  async firstUse(key: string, acceptedUntilMs: number, nowMs: number): Promise<boolean> {
    await this.prune(nowMs);
    // One statement decides for every bridge: the row's primary key is the lock. An expired
    // row (not yet pruned) is taken over as a first use.
    const { rowCount } = await this.pool.query(
      `INSERT INTO identity_token_ids (token_key, accepted_until) VALUES ($1, $2)
         ON CONFLICT (token_key) DO UPDATE SET accepted_until = EXCLUDED.accepted_until
           WHERE identity_token_ids.accepted_until < $3`,
      [key, acceptedUntilMs, nowMs],
    );
    return rowCount === 1;
  }

  private async prune(nowMs: number): Promise<void> {
    if (nowMs < this.nextPruneAt) return;
    this.nextPruneAt = nowMs + PRUNE_INTERVAL_MS;
    try {
      await this.pool.query('DELETE FROM identity_token_ids WHERE accepted_until < $1', [nowMs]);
    } catch (error) {
      // Pruning is housekeeping: the next one catches up.
      this.logger.debug({ err: (error as Error).message }, 'token ids not pruned');
    }
  }
}
