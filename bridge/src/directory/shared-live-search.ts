// Several bridges follow every call, so each would ask Salesforce about an unknown caller: with
// N bridges, N searches per ring. SharedLiveSearch makes it one. Before searching, a bridge
// claims the number in the shared store (postgres-lookup-share.ts); the bridge that wins
// searches and publishes its answer, the others take that answer — from the store when it is
// there already, else when it reaches them over the bridges' channel. A bridge waits at most
// `waitMs` for another's answer; then (its holder died, or Salesforce is slow) it searches
// itself, as it would alone. A store that cannot be reached costs nothing but the sharing.
import { z } from 'zod';
import type { CallerDirectory, DirectoryMatch } from '../calls/caller-directory';
import { ErrorCodes } from '../errors';
import { numberForLog, type Logger } from '../logging/logger';
import { isRecordId } from './record-ids';

/** What claiming a number's search gave. */
export type LookupClaim =
  /** This bridge searches, and must publish (answer) or give up (fail). */
  | { kind: 'won' }
  /** Another bridge found these not long ago (within lookup.cacheTtlSeconds). */
  | { kind: 'answered'; matches: DirectoryMatch[] }
  /** Another bridge is searching now: its answer comes through onAnswer. */
  | { kind: 'taken' }
  /** Another bridge's stored answer could not be read: this bridge searches itself. */
  | { kind: 'unreadable' };

/** The store the bridges share their lookups through. */
export interface LookupShare {
  claim(e164: string): Promise<LookupClaim>;
  /** Stores the won search's answer and passes it to the other bridges. */
  answer(e164: string, matches: readonly DirectoryMatch[]): Promise<void>;
  /** The won search failed: the claim is dropped and the waiting bridges search themselves. */
  fail(e164: string): Promise<void>;
  /** Another bridge's answer (matches) or failure (undefined). */
  onAnswer(handler: (e164: string, matches: DirectoryMatch[] | undefined) => void): void;
  /**
   * A rep created or edited a record from a pop here: the answers stored before may be wrong
   * now, and the other bridges' searches should fetch it by id too (the search index lags).
   */
  recordChanged(sobjectType: string, id: string): Promise<void>;
  /** Another bridge's recordChanged. */
  onRecordChanged(handler: (sobjectType: string, id: string) => void): void;
}

/** A bridge's own search whose answers it may also be given (LiveSearchDirectory). */
export interface RememberingDirectory extends CallerDirectory {
  remember(e164: string, matches: readonly DirectoryMatch[]): void;
}

export interface SharedLiveSearchOptions {
  local: RememberingDirectory;
  share: LookupShare;
  logger: Logger;
  /** How long to wait for another bridge's answer before searching here (ms). */
  waitMs?: number;
}

/** A healthy search takes well under a second; a claim this old has lost its bridge. */
export const DEFAULT_SHARED_WAIT_MS = 5_000;

const MATCH_OBJECTS = ['Contact', 'Lead', 'Account'] as const;
/** A match as another bridge sends it: checked, since it comes from outside this process. */
const SharedMatchSchema = z.object({
  id: z.string().refine(isRecordId, 'must be a Salesforce record id'),
  object: z.enum(MATCH_OBJECTS),
  name: z.string(),
  phoneField: z.string(),
  accountId: z.string().optional(),
  accountName: z.string().optional(),
  ownerId: z.string().optional(),
  lastModifiedAt: z.string(),
});
export const SharedMatchesSchema = z.array(SharedMatchSchema);

interface Waiter {
  resolve(matches: DirectoryMatch[] | undefined): void;
}

/** What the sharing did, for the directory status. */
export interface SharedLookupCounters {
  /** Numbers this bridge's own search was asked about (it claimed them, or fell back). */
  searchedHere: number;
  /** Numbers answered by another bridge's search. */
  answeredByOtherBridges: number;
}

export class SharedLiveSearch implements CallerDirectory {
  readonly counters: SharedLookupCounters = { searchedHere: 0, answeredByOtherBridges: 0 };
  private readonly waiters = new Map<string, Set<Waiter>>();
  private readonly inFlight = new Map<string, Promise<DirectoryMatch[]>>();
  private readonly waitMs: number;
  /** Bumped by noteRecordChanged: an answer asked for before it is not remembered after it. */
  private generation = 0;
  /** The store failed; logged once until it answers again. */
  private storeDown = false;

  constructor(private readonly options: SharedLiveSearchOptions) {
    this.waitMs = options.waitMs ?? DEFAULT_SHARED_WAIT_MS;
    options.share.onAnswer((e164, matches) => {
      const waiting = this.waiters.get(e164);
      if (waiting === undefined) return;
      this.waiters.delete(e164);
      for (const waiter of waiting) waiter.resolve(matches);
    });
    options.share.onRecordChanged((sobjectType, id) => this.changedHere(sobjectType, id));
  }

  findByNumber(e164: string): Promise<DirectoryMatch[]> {
    const known = this.options.local.knownMatches?.(e164);
    if (known !== undefined) return Promise.resolve(known);
    const running = this.inFlight.get(e164);
    if (running !== undefined) return running.then((matches) => [...matches]);
    const lookup = this.lookUp(e164).finally(() => {
      if (this.inFlight.get(e164) === lookup) this.inFlight.delete(e164);
    });
    this.inFlight.set(e164, lookup);
    return lookup.then((matches) => [...matches]);
  }

  knownMatches(e164: string): DirectoryMatch[] | undefined {
    return this.options.local.knownMatches?.(e164);
  }

  noteRecordChanged(sobjectType: string, id: string): void {
    this.changedHere(sobjectType, id);
    this.options.share
      .recordChanged(sobjectType, id)
      .catch((error: unknown) => this.storeFailed(error));
  }

  /** A record changed, here or at another bridge: what was asked before is not kept after. */
  private changedHere(sobjectType: string, id: string): void {
    this.generation += 1;
    this.inFlight.clear();
    this.options.local.noteRecordChanged?.(sobjectType, id);
  }

  private async lookUp(e164: string): Promise<DirectoryMatch[]> {
    const { local, share } = this.options;
    const generation = this.generation;
    // Waiting before claiming: an answer that overtakes the claim's reply is not missed.
    const waited = this.waitFor(e164);
    let claim: LookupClaim;
    try {
      claim = await share.claim(e164);
      this.storeUp();
    } catch (error) {
      waited.cancel();
      this.storeFailed(error);
      return this.searchHere(e164);
    }
    if (claim.kind === 'won') {
      waited.cancel();
      return this.searchAndPublish(e164);
    }
    if (claim.kind === 'unreadable') {
      waited.cancel();
      return this.searchHere(e164);
    }
    const answer = claim.kind === 'answered' ? claim.matches : await waited.answer;
    waited.cancel();
    if (answer === undefined) return this.searchHere(e164); // failed, or waited too long
    this.counters.answeredByOtherBridges++;
    if (generation === this.generation) local.remember(e164, answer);
    return answer;
  }

  private searchHere(e164: string): Promise<DirectoryMatch[]> {
    this.counters.searchedHere++;
    return this.options.local.findByNumber(e164);
  }

  private async searchAndPublish(e164: string): Promise<DirectoryMatch[]> {
    const { share, logger } = this.options;
    let matches: DirectoryMatch[];
    try {
      matches = await this.searchHere(e164);
    } catch (error) {
      share.fail(e164).catch((failure: unknown) => this.storeFailed(failure));
      throw error;
    }
    share.answer(e164, matches).catch((error: unknown) => {
      // The others wait waitMs for it and then search themselves.
      this.storeFailed(error);
      if (logger.isLevelEnabled('debug'))
        logger.debug(
          { number: numberForLog(logger, e164) },
          'lookup answer not shared: the other bridges search themselves',
        );
    });
    return matches;
  }

  /** Resolves with another bridge's answer, or undefined after waitMs or its failure. */
  private waitFor(e164: string): { answer: Promise<DirectoryMatch[] | undefined>; cancel(): void } {
    let timer: NodeJS.Timeout | undefined;
    let waiter: Waiter | undefined;
    const answer = new Promise<DirectoryMatch[] | undefined>((resolve) => {
      waiter = { resolve };
      timer = setTimeout(() => resolve(undefined), this.waitMs);
      timer.unref();
    });
    const set = this.waiters.get(e164) ?? new Set<Waiter>();
    set.add(waiter as Waiter);
    this.waiters.set(e164, set);
    return {
      answer,
      cancel: () => {
        clearTimeout(timer);
        set.delete(waiter as Waiter);
        if (set.size === 0 && this.waiters.get(e164) === set) this.waiters.delete(e164);
      },
    };
  }

  private storeFailed(error: unknown): void {
    if (this.storeDown) return;
    this.storeDown = true;
    this.options.logger.warn(
      {
        code: ErrorCodes.DIRECTORY_LOOKUP_NOT_SHARED,
        err: error instanceof Error ? error.message : String(error),
        hint: 'Pops still work. Check that storage.postgres is reachable from this bridge.',
      },
      'lookups are not shared with the other bridges (PostgreSQL failed): each searches itself until it answers again',
    );
  }

  private storeUp(): void {
    if (!this.storeDown) return;
    this.storeDown = false;
    this.options.logger.info('lookups are shared with the other bridges again');
  }
}

/** `local`, sharing its searches through `share` when there is one (several bridges). */
export function shareLookups(
  local: RememberingDirectory,
  share: LookupShare | undefined,
  logger: Logger,
): CallerDirectory {
  return share === undefined ? local : new SharedLiveSearch({ local, share, logger });
}
