// The LookupShare of several bridges on one PostgreSQL (shared-live-search.ts). A row per number
// searched lately: who claimed it and until when, then its answer and until when that holds
// (lookup.cacheTtlSeconds). The row's primary key decides the claim, in one statement. Answers
// travel to the bridges waiting for them over the bridges' channel (postgres-broadcast.ts);
// a bridge that claims after the answer was stored reads it from the row.
import type { DirectoryMatch } from '../calls/caller-directory';
import { ErrorCodes } from '../errors';
import type { Logger } from '../logging/logger';
import type { Migration } from '../storage/database';
import { applyPostgresMigrations, type PgPool } from '../storage/postgres';
import type { PostgresBroadcast } from '../storage/postgres-broadcast';
import { isRecordId } from './record-ids';
import {
  DEFAULT_SHARED_WAIT_MS,
  SharedMatchesSchema,
  type LookupClaim,
  type LookupShare,
} from './shared-live-search';

export const LOOKUP_SHARE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'directory_lookups',
    // Only PostgreSQL holds it: one bridge alone has nobody to share its searches with.
    postgres: `CREATE TABLE directory_lookups (
                 e164 TEXT PRIMARY KEY,
                 claimed_by TEXT NOT NULL,
                 claimed_until BIGINT NOT NULL,
                 answered_until BIGINT,
                 matches TEXT
               );
               CREATE INDEX directory_lookups_expiry
                 ON directory_lookups ((COALESCE(answered_until, claimed_until)))`,
  },
];

const TOPIC = 'directory-lookup-answers';
/** Records a rep created or edited from a pop at one bridge, for the others' searches. */
const CHANGES_TOPIC = 'directory-record-changes';
const PRUNE_INTERVAL_MS = 60_000;

export interface PostgresLookupShareOptions {
  pool: PgPool;
  channel: Pick<PostgresBroadcast, 'send' | 'on'>;
  /** This bridge's id in claims (any text unique among the bridges). */
  origin: string;
  /** How long a claim holds without an answer (ms): SharedLiveSearch's wait (the default). */
  claimMs?: number;
  /** How long an answer holds (ms): lookup.cacheTtlSeconds. */
  answerMs: number;
  logger: Logger;
  now?: () => number;
}

export class PostgresLookupShare implements LookupShare {
  private readonly now: () => number;
  private readonly claimMs: number;
  private nextPruneAt = 0;
  /** An answer from another bridge that did not parse: logged once. */
  private badAnswerLogged = false;

  private constructor(private readonly options: PostgresLookupShareOptions) {
    this.now = options.now ?? Date.now;
    this.claimMs = options.claimMs ?? DEFAULT_SHARED_WAIT_MS;
  }

  static async open(options: PostgresLookupShareOptions): Promise<PostgresLookupShare> {
    await applyPostgresMigrations(
      options.pool,
      'directory-lookups',
      LOOKUP_SHARE_MIGRATIONS,
      options.logger,
    );
    return new PostgresLookupShare(options);
  }

  async claim(e164: string): Promise<LookupClaim> {
    const now = this.now();
    void this.prune(now);
    // One statement decides for every bridge. The row is taken over when what it holds has
    // expired: an answer older than answerMs, or a claim never answered (its bridge died).
    // Otherwise its answer is read — from the snapshot before this statement, which is enough:
    // a row another bridge claimed meanwhile is not answered yet.
    const { rows } = await this.options.pool.query<{ won: boolean; matches: string | null }>(
      `WITH claimed AS (
         INSERT INTO directory_lookups AS l (e164, claimed_by, claimed_until)
           VALUES ($1, $2, $3::bigint + $4::bigint)
         ON CONFLICT (e164) DO UPDATE
           SET claimed_by = EXCLUDED.claimed_by, claimed_until = EXCLUDED.claimed_until,
               answered_until = NULL, matches = NULL
           WHERE COALESCE(l.answered_until, l.claimed_until) < $3
         RETURNING 1)
       SELECT EXISTS (SELECT 1 FROM claimed) AS won,
              (SELECT matches FROM directory_lookups
                 WHERE e164 = $1 AND answered_until >= $3) AS matches`,
      [e164, this.options.origin, now, this.claimMs],
    );
    const row = rows[0];
    if (row?.won === true) return { kind: 'won' };
    if (row?.matches == null) return { kind: 'taken' };
    const matches = this.parse(row.matches);
    return matches === undefined ? { kind: 'unreadable' } : { kind: 'answered', matches };
  }

  async answer(e164: string, matches: readonly DirectoryMatch[]): Promise<void> {
    const json = JSON.stringify(matches);
    // Stored before it is sent: a bridge whose claim comes after the store reads it, one whose
    // claim came before waits for the message, which comes after.
    await this.options.pool.query(
      `UPDATE directory_lookups SET answered_until = $3, matches = $4
         WHERE e164 = $1 AND claimed_by = $2`,
      [e164, this.options.origin, this.now() + this.options.answerMs, json],
    );
    await this.options.channel.send(TOPIC, { e164, matches });
  }

  async fail(e164: string): Promise<void> {
    await this.options.pool.query(
      `DELETE FROM directory_lookups
         WHERE e164 = $1 AND claimed_by = $2 AND answered_until IS NULL`,
      [e164, this.options.origin],
    );
    await this.options.channel.send(TOPIC, { e164, failed: true });
  }

  onAnswer(handler: (e164: string, matches: DirectoryMatch[] | undefined) => void): void {
    this.options.channel.on(TOPIC, (body) => {
      const message = body as { e164?: unknown; matches?: unknown; failed?: unknown } | null;
      if (typeof message?.e164 !== 'string') {
        this.badAnswer('no number');
        return;
      }
      // A failure, or an answer this bridge cannot read: the waiting lookup searches itself.
      handler(message.e164, message.failed === true ? undefined : this.parse(message.matches));
    });
  }

  async recordChanged(sobjectType: string, id: string): Promise<void> {
    // Claims under way go too: their answer, found before the change, still reaches the bridges
    // waiting for it, but is not stored (its row is gone) for the rings after.
    await this.options.pool.query('DELETE FROM directory_lookups');
    await this.options.channel.send(CHANGES_TOPIC, { sobjectType, id });
  }

  onRecordChanged(handler: (sobjectType: string, id: string) => void): void {
    this.options.channel.on(CHANGES_TOPIC, (body) => {
      const change = body as { sobjectType?: unknown; id?: unknown } | null;
      if (typeof change?.sobjectType !== 'string' || !isRecordId(change.id)) {
        this.badAnswer('a record change without a record id');
        return;
      }
      handler(change.sobjectType, change.id);
    });
  }

  /** Matches as stored (JSON text) or sent (parsed); undefined, logged once, if malformed. */
  private parse(raw: unknown): DirectoryMatch[] | undefined {
    let value = raw;
    if (typeof raw === 'string') {
      try {
        value = JSON.parse(raw) as unknown;
      } catch {
        this.badAnswer('not JSON');
        return undefined;
      }
    }
    const parsed = SharedMatchesSchema.safeParse(value);
    if (!parsed.success) {
      this.badAnswer(parsed.error.issues[0]?.message ?? 'malformed');
      return undefined;
    }
    return parsed.data;
  }

  private badAnswer(reason: string): void {
    if (this.badAnswerLogged) return;
    this.badAnswerLogged = true;
    this.options.logger.warn(
      {
        code: ErrorCodes.DIRECTORY_LOOKUP_ANSWER_INVALID,
        reason,
        hint: 'Run the same Switchboard version on every bridge of one database.',
      },
      'a lookup answer or record change shared by another bridge was malformed and is ignored: this bridge searches itself (are all bridges the same version?)',
    );
  }

  private async prune(now: number): Promise<void> {
    if (now < this.nextPruneAt) return;
    this.nextPruneAt = now + PRUNE_INTERVAL_MS;
    try {
      await this.options.pool.query(
        'DELETE FROM directory_lookups WHERE COALESCE(answered_until, claimed_until) < $1',
        [now],
      );
    } catch (error) {
      // Housekeeping: the next one catches up.
      this.options.logger.debug({ err: (error as Error).message }, 'directory lookups not pruned');
    }
  }
}
