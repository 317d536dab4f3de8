// The screen-pop flow: takes CallEvents from the PBX adapter, keeps call state (CallTracker),
// publishes every change at once — the ring is never held up by Salesforce — and then
// publishes again when the caller lookup answers. Legs of one PBX call share one lookup;
// each leg's matches are ranked for the rep on that extension. Every leg of an unfinished PBX
// call is kept in the durable CallStore, so a restart resumes them, and when the whole call is
// over (`finished`, or its last leg ending for PBXes that do not say) its legs go to the
// finish listeners (the call log decides about unanswered legs then).
import type { CallerDirectory, DirectoryMatch } from './caller-directory';
import { ErrorCodes, SwitchboardError, isSwitchboardError } from '../errors';
import type { LookupConfig, PhoneConfig } from '../config/schema';
import { numberForLog, type Logger } from '../logging/logger';
import { formatForDisplay, normalizeNumber, type NormalizeOptions } from '../phone/phone-number';
import type { UserDirectory } from '../users/user-directory';
import type { Call, CallEvent, CallLogView, CallMatch, ConsultView, ResumeState } from './call';
import { MemoryCallStore, type CallStore } from './call-store';
import type { CallTracker, RingInfo } from './call-tracker';

export type NormalizeFn = (raw: string, options: NormalizeOptions) => RingInfo;
export type RankFn = (
  matches: DirectoryMatch[],
  options: { repUserId: string | undefined; max: number },
) => CallMatch[];
export type CallListener = (call: Call) => void;
/**
 * Told when a whole PBX call is over, with the last state of each of its legs. A listener that
 * stores what it decided (the call log's outbox row) returns a promise: the legs stay in the
 * durable store until it settles, so a crash in between finds them again at the next start.
 */
export type CallFinishedListener = (pbxCallId: string, legs: Call[]) => void | Promise<void>;

/**
 * Where a dial the bridge placed came from, by the bridge's dial id (which the PBX echoes as
 * the ringing event's dialRequestId). The dial service owns that state and implements this.
 */
export interface DialOrigins {
  /** The record the dial was placed from, once: the outbound call pops linked to it. */
  takeDialedRecord(dialId: string): string | undefined;
}

/**
 * What the call log needs of the call core: every change, the end of each whole PBX call (when
 * missed legs are decided), and where to report a log status.
 */
export interface CallLogFeed {
  onCallChanged(listener: CallListener): () => void;
  onCallFinished(listener: CallFinishedListener): () => void;
  setLogStatus(callId: string, log: CallLogView): void;
  /**
   * Whether a call of the last run is kept across the restart (it ends, and is logged, when
   * the PBX says so): its notes wait for that rather than being logged at start-up.
   */
  resumes?(callId: string): boolean;
}

export interface CallServiceOptions {
  tracker: CallTracker;
  directory: CallerDirectory;
  users: UserDirectory;
  phone: PhoneConfig;
  lookup: LookupConfig;
  /** Sends a changed call to the reps who should see it (the WebSocket hub). */
  publish: (call: Call) => void;
  logger: Logger;
  /** Defaults to phone/phone-number's normalizeNumber. */
  normalize?: NormalizeFn;
  /** Orders a lookup's matches for the ringing rep (directory/rank-matches.ts). */
  rank: RankFn;
  /** The dial service, so an outbound call pops linked to the record it was dialed from. */
  dialOrigins?: DialOrigins;
  now?: () => Date;
  /** How often stale calls are expired (CallTracker.expireStale); 0 = only when called. */
  housekeepingIntervalMs?: number;
  /** Legs of unfinished calls, durable in the bridge's database; in memory by default. */
  store?: CallStore;
  /**
   * A call whose legs have all ended but whose PBX never said it finished is finished after
   * this long without a change (default one hour): a lost `finished` must not keep it open.
   */
  maxOpenCallMs?: number;
}

type LookupOutcome =
  | { state: 'pending' }
  | { state: 'done'; matches: DirectoryMatch[] }
  | {
      state: 'failed';
    };

/** Bounds on the service's own memory: lookup results per PBX call, warnings already logged. */
const MAX_LOOKUPS = 2000;
const MAX_REMEMBERED_WARNINGS = 1000;
/** Recently finished calls: a late update of one of their legs is not stored again. */
const MAX_FINISHED = 2000;
/** Normalized ringing numbers remembered (describe). */
const MAX_DESCRIBED = 2000;

export class CallService implements CallLogFeed {
  private readonly options: CallServiceOptions;
  private readonly normalize: NormalizeFn;
  private readonly rank: RankFn;
  private readonly now: () => Date;
  private readonly listeners: CallListener[] = [];
  private readonly finishListeners: CallFinishedListener[] = [];
  private readonly store: CallStore;
  /** PBX calls whose adapter reports `finished`; others finish with their last leg. */
  private readonly reportsFinish = new Set<string>();
  private readonly finished = new Set<string>();
  /** Calls over while their caller lookup still runs: finished when it answers. */
  private readonly finishAfterLookup = new Set<string>();
  /** Lookup outcome per PBX call id, oldest first; shared by all legs of the call. */
  private readonly lookups = new Map<string, LookupOutcome>();
  private readonly running = new Set<Promise<void>>();
  private readonly warned = new Set<string>();
  /** describe()'s answers by raw number, oldest first. */
  private readonly described = new Map<string, RingInfo>();
  private readonly housekeeping: NodeJS.Timeout | undefined;
  /** Ended legs to publish at the end of this turn of the event loop (publish, flushEnded). */
  private readonly endedToPublish = new Map<string, Call>();
  private endedFlush: NodeJS.Immediate | undefined;

  constructor(options: CallServiceOptions) {
    this.options = options;
    this.normalize = options.normalize ?? normalizeNumber;
    this.rank = options.rank;
    this.now = options.now ?? (() => new Date());
    this.store = options.store ?? new MemoryCallStore();
    const interval = options.housekeepingIntervalMs ?? 30_000;
    if (interval > 0) {
      this.housekeeping = setInterval(() => {
        this.expireStale();
      }, interval);
      this.housekeeping.unref();
    }
  }

  /**
   * Applies one PBX event: publishes the changed calls at once, then starts the caller
   * lookup in the background. Never throws for bad events; never waits for Salesforce.
   */
  handleEvent(event: CallEvent): void {
    const resolved = this.resolveExtension(event);
    if (resolved === undefined) return;
    if (resolved.type === 'transferred') this.checkExtension(resolved.toExtension);
    let ring: RingInfo | undefined;
    if (resolved.type === 'ringing') {
      if (resolved.reportsFinish === true) this.reportsFinish.add(resolved.pbxCallId);
      ring = this.describe(resolved.number);
      // Asked first: masking the number for a line that is not written was 2.4 % of the
      // bridge's allocations per call (docs/benchmarks.md).
      if (this.options.logger.isLevelEnabled('debug'))
        this.options.logger.debug(
          {
            pbxCallId: resolved.pbxCallId,
            extension: resolved.extension,
            direction: resolved.direction,
            number: numberForLog(this.options.logger, resolved.number),
          },
          'call ringing',
        );
    }
    const changed = this.options.tracker.apply(resolved, ring, this.now());
    if (ring !== undefined && ring.e164 !== null)
      this.takeKnownMatches(resolved.pbxCallId, ring.e164);
    const lookupsToStart = new Map<string, string>();
    for (const original of changed) {
      let call = original;
      const pbxCallId = this.options.tracker.pbxCallIdOf(call.id) ?? event.pbxCallId;
      const outcome = this.lookups.get(pbxCallId);
      if (outcome !== undefined && outcome.state !== 'pending') {
        // The lookup is known: give this leg the result ranked for its own rep.
        call = this.applyOutcome(call, outcome) ?? call;
      } else if (call.lookup === 'pending' && outcome === undefined && call.e164 !== null) {
        lookupsToStart.set(pbxCallId, call.e164);
      }
      if (resolved.type === 'ringing' && resolved.dialRequestId !== undefined)
        call = this.linkDialedRecord(call, resolved.dialRequestId);
      this.emit(call);
    }
    for (const [pbxCallId, e164] of lookupsToStart) this.startLookup(pbxCallId, e164);
    if (resolved.type === 'finished') this.finishCall(resolved.pbxCallId);
    else if (resolved.type === 'ended' || resolved.type === 'transferred')
      this.finishIfLastLeg(resolved.pbxCallId);
  }

  /** Whether a leg of the last run is still under way in the store (CallLogFeed.resumes). */
  resumes(callId: string): boolean {
    return this.store.all().some((leg) => leg.call.id === callId && leg.call.state !== 'ended');
  }

  /**
   * After a restart: puts back the legs the last run had not ended (publishing them to the
   * listeners, restarting a lookup that was cut off), finishes the calls that were over, and
   * returns what the PBX adapter needs to check the rest against the PBX; undefined when there
   * was nothing.
   */
  restore(): ResumeState | undefined {
    const stored = this.store.all();
    if (stored.length === 0) return undefined;
    for (const leg of stored) if (leg.reportsFinish) this.reportsFinish.add(leg.pbxCallId);
    const restored = this.options.tracker.restore(stored);
    for (const call of restored) {
      this.emit(call);
      const pbxCallId = this.options.tracker.pbxCallIdOf(call.id);
      if (call.lookup === 'pending' && call.e164 !== null && pbxCallId !== undefined)
        if (!this.lookups.has(pbxCallId)) this.startLookup(pbxCallId, call.e164);
    }
    const lastSeen = Math.max(this.store.lastSeen() ?? 0, ...stored.map((l) => l.updatedAt));
    // A call whose legs had all ended, on a PBX that does not report `finished`, was over
    // already: the last run died before its log was stored. Decided now, not at expiry.
    const over = new Set<string>();
    for (const leg of stored) if (!leg.reportsFinish) over.add(leg.pbxCallId);
    for (const leg of stored) if (leg.call.state !== 'ended') over.delete(leg.pbxCallId);
    this.options.logger.info(
      {
        legs: restored.length,
        calls: new Set(stored.map((l) => l.pbxCallId)).size,
        ...(over.size === 0 ? {} : { finished: over.size }),
      },
      'calls from before the restart restored; asking the PBX which are still up',
    );
    for (const pbxCallId of over) this.finishCall(pbxCallId);
    return {
      legs: restored.map((call) => ({
        pbxCallId: this.options.tracker.pbxCallIdOf(call.id) ?? '',
        extension: call.extension,
        direction: call.direction,
        answered: call.answeredAt !== undefined,
      })),
      openCalls: [...new Set(stored.map((l) => l.pbxCallId))].filter((id) => !over.has(id)),
      lastSeenAt: new Date(lastSeen),
    };
  }

  /** Records that the bridge sees the PBX now (its view of the calls is complete). */
  markPbxSeen(): void {
    try {
      this.store.markSeen(this.now().getTime());
    } catch (error) {
      this.options.logger.error(
        { err: error instanceof Error ? error.message : String(error) },
        'could not record the PBX check in the database',
      );
    }
  }

  /** Calls the listener when a whole PBX call is over (the call log decides missed calls then). */
  onCallFinished(listener: CallFinishedListener): () => void {
    this.finishListeners.push(listener);
    return () => {
      const index = this.finishListeners.indexOf(listener);
      if (index >= 0) this.finishListeners.splice(index, 1);
    };
  }

  /** Active calls on these extensions (what a reconnecting rep is sent in `ready`). */
  activeCallsForExtensions(extensions: readonly string[]): Call[] {
    return this.options.tracker.activeCallsForExtensions(extensions);
  }

  get(callId: string): Call | undefined {
    return this.options.tracker.get(callId);
  }

  /** The PBX call behind a leg, while the leg is remembered (call controls act on it). */
  pbxCallIdOf(callId: string): string | undefined {
    return this.options.tracker.pbxCallIdOf(callId);
  }

  /**
   * The consultation of an attended transfer under way on a leg (or none any more), shown to
   * the rep; ignored for a leg that is no longer active.
   */
  setConsult(callId: string, consult: ConsultView | undefined): void {
    const updated = this.options.tracker.setConsult(callId, consult);
    if (updated !== undefined) this.emit(updated);
  }

  /** The call, when it rang on one of these extensions; else CALL_NOT_FOUND. */
  requireOwnCall(extensions: readonly string[], callId: string): Call {
    const call = this.options.tracker.get(callId);
    if (call === undefined || !extensions.includes(call.extension)) {
      throw new SwitchboardError(ErrorCodes.CALL_NOT_FOUND, `No call ${callId} on your phone`, {
        status: 404,
        hint: 'The call may have ended more than 15 minutes ago, or it rang on another extension.',
      });
    }
    return call;
  }

  /**
   * The record a rep chose for a call (`call.link`). Only a call on one of the rep's own
   * extensions; otherwise CALL_NOT_FOUND, so a rep cannot probe other reps' calls.
   * A record the rep just created from this pop is not searchable for minutes: the directory
   * is told, so the caller's next ring finds it (no duplicate record). One of the call's own
   * matches is known already and costs nothing.
   */
  linkRecord(extensions: readonly string[], callId: string, recordId: string): Call {
    const call = this.requireOwnCall(extensions, callId);
    const linked = this.options.tracker.linkRecord(callId, recordId) ?? call;
    this.emit(linked);
    const sameId = (id: string) => id.slice(0, 15) === recordId.slice(0, 15);
    if (!linked.matches.some((match) => sameId(match.id)))
      this.options.directory.noteRecordChanged?.('', recordId);
    return linked;
  }

  /**
   * The call log's progress for a call, shown to the rep. Sent to the rep only: listeners
   * (the call log itself) have nothing to learn from it.
   */
  setLogStatus(callId: string, log: CallLogView): void {
    const updated = this.options.tracker.setLog(callId, log);
    if (updated !== undefined) this.publish(updated);
  }

  /** Calls the listener on every published change (e.g. the call log on `state: 'ended'`). */
  onCallChanged(listener: CallListener): () => void {
    this.listeners.push(listener);
    return () => {
      const index = this.listeners.indexOf(listener);
      if (index >= 0) this.listeners.splice(index, 1);
    };
  }

  /** Ends calls the PBX seems to have forgotten and publishes them; runs on an interval. */
  expireStale(): void {
    const now = this.now();
    for (const call of this.options.tracker.expireStale(now)) {
      this.options.logger.info(
        { callId: call.id, endReason: call.endReason },
        'ended a call the PBX never reported as ended',
      );
      this.emit(call);
      const pbxCallId = this.options.tracker.pbxCallIdOf(call.id);
      if (pbxCallId !== undefined) this.finishIfLastLeg(pbxCallId);
    }
    try {
      const idleSince = now.getTime() - (this.options.maxOpenCallMs ?? 60 * 60_000);
      for (const pbxCallId of this.store.idleCalls(idleSince)) {
        if (this.options.tracker.hasActiveLegs(pbxCallId)) continue;
        this.options.logger.info({ pbxCallId }, 'finished a call the PBX never reported as over');
        this.finishCall(pbxCallId);
      }
    } catch (error) {
      this.options.logger.error(
        { err: error instanceof Error ? error.message : String(error) },
        'could not read open calls from the database',
      );
    }
  }

  /**
   * Resolves once every lookup started so far has been published and every finished call has
   * left the store (tests, shutdown).
   */
  async whenIdle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
    this.flushEnded();
  }

  stop(): void {
    if (this.housekeeping !== undefined) clearInterval(this.housekeeping);
    this.flushEnded();
  }

  /** Fills in the extension from userEmail; undefined when a ringing leg has nobody to ring. */
  private resolveExtension(event: CallEvent): CallEvent | undefined {
    if (event.extension !== undefined) {
      this.checkExtension(event.extension);
      return event;
    }
    if (event.userEmail === undefined) return event; // answered/ended for every leg
    const extension = this.options.users.extensionsForEmail(event.userEmail)[0];
    if (extension !== undefined) return { ...event, extension };
    this.warnOnce(`email:${event.userEmail.toLowerCase()}`, () => {
      this.options.logger.warn(
        { code: ErrorCodes.PBX_UNKNOWN_EXTENSION, userEmail: event.userEmail },
        'The PBX named a user email that has no extension; its calls are not shown',
      );
    });
    // Without an extension a ringing call has no leg; answered/ended then apply to all legs.
    return event.type === 'ringing' ? undefined : event;
  }

  /** Logs once per extension that no rep is mapped to it; the call is still tracked. */
  private checkExtension(extension: string): void {
    if (this.options.users.emailForExtension(extension) !== undefined) return;
    this.warnOnce(`ext:${extension}`, () => {
      this.options.logger.warn(
        {
          code: ErrorCodes.PBX_UNKNOWN_EXTENSION,
          extension,
          hint: 'Map it in the users section of the config, or give the PBX user an email.',
        },
        'A call rang on an extension with no Salesforce user',
      );
    });
  }

  /**
   * The ringing number as the call shows it. Remembered per raw number (the settings do not
   * change while the service runs): parsing it was 3 % of the bridge's CPU per call.
   */
  private describe(raw: string): RingInfo {
    const known = this.described.get(raw);
    if (known !== undefined) return { ...known };
    try {
      const { defaultCountry, internalMaxDigits } = this.options.phone;
      const { e164, withheld, internal } = this.normalize(raw, {
        defaultCountry,
        internalMaxDigits,
      });
      const described: RingInfo =
        e164 === null
          ? { e164, withheld, internal }
          : { e164, display: formatForDisplay(e164, defaultCountry), withheld, internal };
      this.described.set(raw, described);
      trimOldest(this.described, MAX_DESCRIBED);
      return { ...described };
    } catch (error) {
      this.options.logger.warn(
        { err: error instanceof Error ? error.message : String(error) },
        'phone number could not be normalized; showing it without a lookup',
      );
      return { e164: null, withheld: false, internal: false };
    }
  }

  /**
   * A number the directory knows already (its cache): the lookup is done before the ring is
   * published, so the ring carries the matches. Never waits, never asks Salesforce.
   */
  private takeKnownMatches(pbxCallId: string, e164: string): void {
    if (this.lookups.has(pbxCallId)) return;
    let matches: DirectoryMatch[] | undefined;
    try {
      matches = this.options.directory.knownMatches?.(e164);
    } catch {
      return; // the lookup asks again, and logs what fails
    }
    if (matches === undefined) return;
    this.lookups.set(pbxCallId, { state: 'done', matches });
    trimOldest(this.lookups, MAX_LOOKUPS);
  }

  private startLookup(pbxCallId: string, e164: string): void {
    this.lookups.set(pbxCallId, { state: 'pending' });
    trimOldest(this.lookups, MAX_LOOKUPS);
    const run = this.lookup(pbxCallId, e164).finally(() => this.running.delete(run));
    this.running.add(run);
  }

  private async lookup(pbxCallId: string, e164: string): Promise<void> {
    let outcome: LookupOutcome;
    try {
      outcome = { state: 'done', matches: await this.options.directory.findByNumber(e164) };
    } catch (error) {
      outcome = { state: 'failed' };
      const code = isSwitchboardError(error) ? error.code : ErrorCodes.INTERNAL;
      this.options.logger.warn(
        {
          code,
          pbxCallId,
          number: numberForLog(this.options.logger, e164),
          err: error instanceof Error ? error.message : String(error),
        },
        'caller lookup failed; the call is shown without matches',
      );
    }
    this.lookups.set(pbxCallId, outcome);
    for (const leg of this.options.tracker.legsOf(pbxCallId)) {
      if (leg.lookup !== 'pending') continue;
      const updated = this.applyOutcome(leg, outcome);
      if (updated !== undefined) this.emit(updated);
    }
    if (this.finishAfterLookup.has(pbxCallId)) this.finishCall(pbxCallId);
  }

  private applyOutcome(call: Call, outcome: LookupOutcome): Call | undefined {
    if (outcome.state === 'pending') return undefined;
    if (outcome.state === 'failed') return this.options.tracker.setLookup(call.id, 'failed', []);
    const email = this.options.users.emailForExtension(call.extension);
    const repUserId =
      email === undefined ? undefined : this.options.users.salesforceUserIdForEmail(email);
    const matches = this.rank(outcome.matches, {
      repUserId,
      max: this.options.lookup.maxMatches,
    });
    return this.options.tracker.setLookup(call.id, 'done', matches);
  }

  private linkDialedRecord(call: Call, dialId: string): Call {
    if (call.linkedRecordId !== undefined) return call;
    const recordId = this.options.dialOrigins?.takeDialedRecord(dialId);
    if (recordId === undefined) return call;
    return this.options.tracker.linkRecord(call.id, recordId) ?? call;
  }

  /** A PBX call whose adapter does not report `finished` is over when its last leg ends. */
  private finishIfLastLeg(pbxCallId: string): void {
    if (this.reportsFinish.has(pbxCallId)) return;
    if (!this.options.tracker.hasActiveLegs(pbxCallId)) this.finishCall(pbxCallId);
  }

  /** The whole PBX call is over: its legs go to the finish listeners, then out of the store. */
  private finishCall(pbxCallId: string): void {
    if (this.lookups.get(pbxCallId)?.state === 'pending') {
      // A missed call's Task needs the caller's record (its owner calls back): wait for it.
      // The legs stay in the store meanwhile, so a restart still decides about them.
      this.finishAfterLookup.add(pbxCallId);
      return;
    }
    this.finishAfterLookup.delete(pbxCallId);
    this.reportsFinish.delete(pbxCallId);
    this.finished.add(pbxCallId);
    trimOldestOfSet(this.finished, MAX_FINISHED);
    let legs: Call[];
    try {
      legs = this.store.legsOf(pbxCallId).map((l) => l.call);
    } catch (error) {
      // The tracker still has the legs it remembers: better a decision on those than none.
      this.options.logger.error(
        { err: error instanceof Error ? error.message : String(error), pbxCallId },
        'could not read the call’s legs from the database',
      );
      legs = this.options.tracker.legsOf(pbxCallId);
    }
    const decisions: Promise<void>[] = [];
    const failed = (error: unknown): void => {
      this.options.logger.error(
        { err: error instanceof Error ? error.message : String(error), pbxCallId },
        'a call-finished listener failed',
      );
    };
    if (legs.length > 0)
      for (const listener of [...this.finishListeners]) {
        try {
          const decided = listener(pbxCallId, legs);
          if (decided !== undefined) decisions.push(decided.catch(failed));
        } catch (error) {
          failed(error);
        }
      }
    if (decisions.length === 0) {
      this.forgetCall(pbxCallId);
      return;
    }
    // Until the listeners have stored their decisions the legs are the only durable trace of
    // the call: a SIGKILL now must still find them.
    const forgotten = Promise.all(decisions).then(() => {
      this.forgetCall(pbxCallId);
    });
    const run = forgotten.finally(() => this.running.delete(run));
    this.running.add(run);
  }

  /** A finished call whose decisions are stored: out of the durable store. */
  private forgetCall(pbxCallId: string): void {
    try {
      this.store.deleteCall(pbxCallId);
    } catch (error) {
      this.options.logger.error(
        { err: error instanceof Error ? error.message : String(error), pbxCallId },
        'could not delete a finished call from the database',
      );
    }
  }

  /** Keeps the leg in the durable store while its PBX call is not finished. */
  private save(call: Call): void {
    const pbxCallId = this.options.tracker.pbxCallIdOf(call.id);
    if (pbxCallId === undefined || this.finished.has(pbxCallId)) return;
    try {
      this.store.save({
        call,
        pbxCallId,
        dialRequestId: this.options.tracker.dialRequestIdOf(call.id),
        reportsFinish: this.reportsFinish.has(pbxCallId),
        updatedAt: this.now().getTime(),
      });
    } catch (error) {
      // The call goes on without its durable copy; a restart would not resume it.
      this.options.logger.error(
        { err: error instanceof Error ? error.message : String(error), callId: call.id },
        'could not store a call in the database',
      );
    }
  }

  /**
   * Sends a leg to its reps: at once, except a leg that has ended. That one goes out at the end
   * of this turn of the event loop, in one frame with what else changes on it meanwhile while
   * it stays ended: the call log's status (pending, skipped) comes within the same turn, and a
   * rep got the end and that status in two frames one after the other (a quarter of the frames
   * of a call). A leg ringing again (a queue's next cycle) is sent after its end, as before.
   */
  private publish(call: Call): void {
    if (call.state !== 'ended') {
      const ended = this.endedToPublish.get(call.id);
      if (ended !== undefined) {
        this.endedToPublish.delete(call.id);
        this.publishNow(ended);
      }
      this.publishNow(call);
      return;
    }
    this.endedToPublish.set(call.id, call);
    this.endedFlush ??= setImmediate(() => {
      this.flushEnded();
    });
  }

  private flushEnded(): void {
    if (this.endedFlush !== undefined) clearImmediate(this.endedFlush);
    this.endedFlush = undefined;
    const calls = [...this.endedToPublish.values()];
    this.endedToPublish.clear();
    for (const call of calls) this.publishNow(call);
  }

  private publishNow(call: Call): void {
    try {
      this.options.publish(call);
    } catch (error) {
      this.options.logger.error(
        { err: error instanceof Error ? error.message : String(error), callId: call.id },
        'publishing a call update failed',
      );
    }
  }

  private emit(call: Call): void {
    this.publish(call);
    for (const listener of [...this.listeners]) {
      try {
        listener(call);
      } catch (error) {
        this.options.logger.error(
          { err: error instanceof Error ? error.message : String(error), callId: call.id },
          'a call listener failed',
        );
      }
    }
    // After the listeners: a crash in between leaves the older state, which a restart ends
    // again (the call log never logs a call twice).
    this.save(call);
  }

  private warnOnce(key: string, log: () => void): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    if (this.warned.size > MAX_REMEMBERED_WARNINGS) this.warned.clear();
    log();
  }
}

function trimOldestOfSet<T>(set: Set<T>, max: number): void {
  while (set.size > max) {
    const oldest = set.values().next();
    if (oldest.done === true) return;
    set.delete(oldest.value);
  }
}

function trimOldest<K, V>(map: Map<K, V>, max: number): void {
  while (map.size > max) {
    const oldest = map.keys().next();
    if (oldest.done === true) return;
    map.delete(oldest.value);
  }
}
