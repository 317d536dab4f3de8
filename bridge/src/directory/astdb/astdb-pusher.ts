// Pushes caller names from the directory index into Asterisk's database (AstDB), so a dialplan
// `Set(CALLERID(name)=${DB(cidname/${CALLERID(num)})})` names callers without asking the bridge.
// After each directory sync run it writes new and renamed numbers and deletes removed ones,
// paced (≤ actionsPerSecond) so a first push of 100k numbers does not flood AMI. What was pushed
// is remembered in the bridge's own database (key → hash of the name), so a restart or the next
// run sends only the difference, and an interrupted push continues where it stopped.
import { createHash } from 'node:crypto';
import type { AstDbConfig, PhoneConfig } from '../../config/schema';
import { ErrorCodes, SwitchboardError, isSwitchboardError } from '../../errors';
import type { Logger } from '../../logging/logger';
import { formatAsNationalCallerId } from '../../phone/phone-number';
import type { AstDbWriter } from '../../pbx/astdb-writer';
import { applyMigrations, type Database, type Migration } from '../../storage/database';
import type { DirectoryMatch } from '../../calls/caller-directory';
import { rankMatches } from '../rank-matches';

/** The part of the directory index the pusher reads. */
export interface NumberSource {
  /** Resolves (if it returns a promise) once every number was visited. */
  forEachNumberMatch(visit: (e164: string, match: DirectoryMatch) => void): void | Promise<void>;
}

export interface AstDbPusherOptions {
  source: NumberSource;
  db: Database;
  writer: AstDbWriter;
  config: AstDbConfig;
  phone: Pick<PhoneConfig, 'defaultCountry'>;
  logger: Logger;
  /** Epoch ms; tests pass a fake clock together with `sleep`. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** After a failed push (AMI down, permission refused), try again this much later. */
  retryMs?: number;
}

export interface AstDbPushReport {
  put: number;
  deleted: number;
  unchanged: number;
}

export interface AstDbStatus {
  enabled: true;
  family: string;
  /** Keys the bridge has written and not deleted. */
  pushed: number;
  pushing: boolean;
  lastPushAt: string | null;
  lastError: { code: string; message: string } | null;
}

const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'AstDB push checkpoint: what is in Asterisk',
    up: `
      CREATE TABLE directory_astdb_pushed (
        family TEXT NOT NULL,
        key TEXT NOT NULL,
        name_hash TEXT NOT NULL,
        PRIMARY KEY (family, key)
      ) WITHOUT ROWID;
    `,
  },
];

/** AstDB values are at most 255 bytes (MAX_DB_FIELD 256 with the terminating NUL). */
const MAX_VALUE_BYTES = 255;

/**
 * A name as it may travel in an AMI header and show on a phone display: control characters
 * (CR/LF would end the header and inject new ones), line/paragraph separators and format
 * characters become spaces, runs of spaces collapse, and the result is cut to maxLength
 * characters (never inside a surrogate pair) and 255 UTF-8 bytes.
 */
export function sanitizeCallerName(name: string, maxLength: number): string {
  const clean = name
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, ' ')
    .replace(/\s+/gu, ' ')
    .trim();
  const chars = Array.from(clean).slice(0, maxLength);
  while (Buffer.byteLength(chars.join(''), 'utf8') > MAX_VALUE_BYTES) chars.pop();
  return chars.join('').trimEnd();
}

/** The AstDB key of an E.164 number in the configured format, or undefined if unformattable. */
export function astDbKey(
  e164: string,
  format: AstDbConfig['keyFormat'],
  defaultCountry: string,
): string | undefined {
  if (!/^\+[1-9][0-9]{1,14}$/.test(e164)) return undefined;
  switch (format) {
    case 'e164':
      return e164;
    case 'digits':
      return e164.slice(1);
    case 'national':
      return formatAsNationalCallerId(e164, defaultCountry);
  }
}

function hashOf(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('base64url').slice(0, 22);
}

class PushStopped extends Error {}

export class AstDbPusher {
  private readonly config: AstDbConfig;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly statements;
  private running: Promise<AstDbPushReport> | undefined;
  private again = false;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;
  /** Earliest time the next AMI action may go out. */
  private nextSlot = 0;
  lastError: SwitchboardError | undefined;
  lastPushAt: string | undefined;
  private mayPush: () => boolean = () => true;

  constructor(private readonly options: AstDbPusherOptions) {
    this.config = options.config;
    this.log = options.logger.child({ part: 'astdb' });
    this.now = options.now ?? Date.now;
    this.sleep =
      options.sleep ??
      ((ms) =>
        new Promise((resolve) => {
          setTimeout(resolve, ms);
        }));
    applyMigrations(options.db, 'directory-astdb', MIGRATIONS, this.log);
    const db = options.db;
    this.statements = {
      all: db.prepare<[], { family: string; key: string; name_hash: string }>(
        'SELECT family, key, name_hash FROM directory_astdb_pushed',
      ),
      save: db.prepare<[string, string, string]>(
        `INSERT INTO directory_astdb_pushed (family, key, name_hash) VALUES (?, ?, ?)
         ON CONFLICT (family, key) DO UPDATE SET name_hash = excluded.name_hash`,
      ),
      remove: db.prepare<[string, string]>(
        'DELETE FROM directory_astdb_pushed WHERE family = ? AND key = ?',
      ),
      count: db.prepare<[string], { n: number }>(
        'SELECT COUNT(*) AS n FROM directory_astdb_pushed WHERE family = ?',
      ),
    };
  }

  get isPushing(): boolean {
    return this.running !== undefined;
  }

  /**
   * One push of the difference between the index and what Asterisk has. A call while a push
   * runs shares it and makes it run once more afterwards (the index may have changed since).
   */
  push(): Promise<AstDbPushReport> {
    if (this.running !== undefined) {
      this.again = true;
      return this.running;
    }
    const run = async (): Promise<AstDbPushReport> => {
      let report = await this.pushOnce();
      while (this.again && !this.stopped) {
        this.again = false;
        const next = await this.pushOnce();
        report = {
          put: report.put + next.put,
          deleted: report.deleted + next.deleted,
          unchanged: next.unchanged,
        };
      }
      return report;
    };
    this.running = run().finally(() => {
      this.running = undefined;
      this.again = false;
    });
    return this.running;
  }

  /**
   * Several bridges: only the one `mayPush` says yes to pushes (storage/postgres-lock.ts); it
   * calls schedule() when it takes over.
   */
  gate(mayPush: () => boolean): void {
    this.mayPush = mayPush;
  }

  /** Fire and forget (after a sync run): failures are logged once and retried after retryMs. */
  schedule(): void {
    if (this.stopped || !this.mayPush()) return;
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.push().catch(() => {
      if (this.stopped) return;
      this.retryTimer = setTimeout(() => {
        this.retryTimer = undefined;
        this.schedule();
      }, this.options.retryMs ?? 30_000);
      this.retryTimer.unref();
    });
  }

  /** Ends a push after the action under way; what was written so far stays checkpointed. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    await this.running?.catch(() => undefined);
  }

  status(): AstDbStatus {
    return {
      enabled: true,
      family: this.config.family,
      pushed: this.statements.count.get(this.config.family)?.n ?? 0,
      pushing: this.isPushing,
      lastPushAt: this.lastPushAt ?? null,
      lastError:
        this.lastError === undefined
          ? null
          : { code: this.lastError.code, message: this.lastError.message },
    };
  }

  /** key → name the index says Asterisk should hold (the caller-name endpoint's best match). */
  private async desired(): Promise<Map<string, string>> {
    const { keyFormat, maxNameLength } = this.config;
    const out = new Map<string, string>();
    let current = '';
    let matches: DirectoryMatch[] = [];
    const flush = () => {
      if (matches.length === 0) return;
      const best = rankMatches(matches, { max: 1 })[0];
      const key = astDbKey(current, keyFormat, this.options.phone.defaultCountry);
      const name = best === undefined ? '' : sanitizeCallerName(best.name, maxNameLength);
      // Two numbers with one key (only possible with odd national plans): the first one wins.
      if (key !== undefined && name !== '' && !out.has(key)) out.set(key, name);
      matches = [];
    };
    await this.options.source.forEachNumberMatch((e164, match) => {
      if (e164 !== current) {
        flush();
        current = e164;
      }
      matches.push(match);
    });
    flush();
    return out;
  }

  private async pushOnce(): Promise<AstDbPushReport> {
    if (this.stopped) throw new PushStopped();
    const family = this.config.family;
    const desired = await this.desired();
    const pushed = new Map<string, string>();
    const deletes: { family: string; key: string }[] = [];
    for (const row of this.statements.all.all()) {
      if (row.family === family && desired.has(row.key)) pushed.set(row.key, row.name_hash);
      // Gone from the index, or left behind by an earlier family/keyFormat setting.
      else deletes.push({ family: row.family, key: row.key });
    }
    const puts: { key: string; name: string; hash: string }[] = [];
    for (const [key, name] of desired) {
      const hash = hashOf(name);
      if (pushed.get(key) !== hash) puts.push({ key, name, hash });
    }
    const report: AstDbPushReport = {
      put: 0,
      deleted: 0,
      unchanged: desired.size - puts.length,
    };
    if (puts.length > 0 || deletes.length > 0)
      this.log.info({ family, puts: puts.length, deletes: deletes.length }, 'pushing AstDB names');
    try {
      for (const put of puts) {
        await this.pace();
        await this.options.writer.put(family, put.key, put.name);
        this.statements.save.run(family, put.key, put.hash);
        report.put += 1;
      }
      for (const del of deletes) {
        await this.pace();
        await this.options.writer.del(del.family, del.key);
        this.statements.remove.run(del.family, del.key);
        report.deleted += 1;
      }
    } catch (error) {
      if (error instanceof PushStopped) {
        this.log.info({ ...report }, 'AstDB push stopped; it continues from its checkpoint');
        throw error;
      }
      const failure = new SwitchboardError(
        ErrorCodes.DIRECTORY_ASTDB_PUSH_FAILED,
        `AstDB push failed: ${error instanceof Error ? error.message : String(error)}`,
        {
          hint:
            isSwitchboardError(error) && error.code === ErrorCodes.PBX_REFUSED
              ? 'the AMI user needs write = system for DBPut/DBDel (docs/asterisk.md)'
              : 'it is retried from its checkpoint; check the AMI connection',
          cause: error,
          details: { put: report.put, deleted: report.deleted },
        },
      );
      // Logged once per failure kind, not on every retry while Asterisk stays down. Not yet
      // connected (the first sync can finish before the AMI login) is no cause for a warning.
      const waiting = isSwitchboardError(error) && error.code === ErrorCodes.PBX_UNREACHABLE;
      if (this.lastError?.message !== failure.message)
        this.log[waiting ? 'info' : 'warn'](
          { code: failure.code, err: failure.message, hint: failure.hint, ...report },
          'AstDB push failed; retrying later from its checkpoint',
        );
      this.lastError = failure;
      throw failure;
    }
    this.lastError = undefined;
    this.lastPushAt = new Date(this.now()).toISOString();
    if (report.put > 0 || report.deleted > 0)
      this.log.info({ family, ...report }, 'AstDB names pushed');
    return report;
  }

  /** Waits for the next free slot of the actionsPerSecond budget. */
  private async pace(): Promise<void> {
    this.throwIfStopped();
    const interval = 1000 / this.config.actionsPerSecond;
    const now = this.now();
    const slot = Math.max(now, this.nextSlot);
    this.nextSlot = slot + interval;
    if (slot > now) await this.sleep(slot - now);
    this.throwIfStopped();
  }

  private throwIfStopped(): void {
    if (this.stopped) throw new PushStopped();
  }
}
