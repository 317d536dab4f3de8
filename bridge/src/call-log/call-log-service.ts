// Logs every ended call to Salesforce as exactly one Task, through a durable outbox: the log is
// stored first (SQLite, or PostgreSQL shared by several bridges), then a worker sends it with exponential backoff through outages,
// expired sessions and API limits. A log Salesforce rejects is parked with its error until an
// admin retries it. The rep's notes and disposition (call.note) land on the same Task, before
// or after it was created, until a grace period after hang-up.
//
// Nothing held only in memory: notes typed during a call are stored as drafts at once (a crash
// before hang-up leaves them to be logged at the next start), and a log the database refuses
// (disk full, a locked or read-only file) stays in memory, is retried every few seconds, and
// the admin is told (one error line, `unsaved` and `storageError` in the status report).
//
// Logs due together go together: their Tasks are created in one sObject Collections request
// (one API call for up to 200), each Task with its own result, so the org refusing one parks
// that log alone. Exactly once: the Task's CallObject is the call id. Before creating again,
// the worker asks Salesforce for Tasks with those CallObjects (one query for a batch) — an
// attempt whose answer was lost, or a run that crashed between the create and storing the id,
// left one behind — and adopts it instead of creating a second. Several bridges
// on one PostgreSQL see the same calls end: the outbox keeps one row per call leg, and each due
// row is claimed by one bridge (call-log-outbox.ts).
//
// The outbox answers asynchronously, so the calls' changes, notes and retries are applied one
// after another, in the order they came (serially()).
//
// One Task per answered conversation, one missed-call Task per PBX call nobody answered: an
// unanswered inbound leg is decided only when the whole PBX call is over (onCallFinished), as
// a queue rings its members again under the same call and one of them may still answer.
import type { Call, CallLogView } from '../calls/call';
import type { CallLogFeed } from '../calls/call-service';
import type { CallLogConfig } from '../config/schema';
import { ErrorCodes, SwitchboardError, toSwitchboardError } from '../errors';
import type { Logger } from '../logging/logger';
import {
  RECORDS_PER_COLLECTION,
  type CreateResult,
  type SalesforceGateway,
} from '../salesforce/gateway';
import { OrgFields } from '../salesforce/org-fields';
import { soql } from '../salesforce/query-builder';
import type { Database } from '../storage/database';
import {
  countsOf,
  SqliteCallLogOutbox,
  type CallLogDraft,
  type CallLogOutbox,
  type CreatedTaskRecord,
  type DraftHint,
  type OutboxState,
  type NewOutboxEntry,
  type OutboxEntry,
  type OutboxError,
} from './call-log-outbox';
import { buildCallTask, DESCRIPTION_MAX, DISPOSITION_MAX } from './call-task';
import { TaskValues } from './task-values';

/** What the rep's utility shows about a call's log: Call.log of the protocol. */
export type CallLogStatus = CallLogView;

export interface ParkedCallLog {
  callId: string;
  extension: string;
  subject: string;
  error: OutboxError;
  attempts: number;
  /** ISO time the log was parked. */
  parkedAt: string;
}

export interface CallLogServiceOptions {
  /** Where the logs are kept: `outbox`, or one bridge's SQLite `db`. */
  db?: Database;
  outbox?: CallLogOutbox;
  gateway: SalesforceGateway;
  config: CallLogConfig;
  /** The Salesforce user id of the rep at an extension (the Task's owner). */
  repUserIdForExtension: (extension: string) => string | undefined;
  logger: Logger;
  now?: () => Date;
  /**
   * The call core: the service follows every call change (a call that ends is logged) and
   * reports each call's log status back to it, which shows it to the rep.
   */
  calls: CallLogFeed;
  /** Random number in [0, 1) for backoff jitter; tests pin it. */
  random?: () => number;
  /**
   * Requests in flight at once for what goes one log at a time (notes added after the Task was
   * created, creates where the gateway cannot batch; default 2): gentle on API limits.
   */
  concurrency?: number;
  /** Logs claimed and sent together, their Tasks in one sObject Collections create (default 200). */
  batchSize?: number;
  /**
   * How long a newly ended call's log waits for others to end (default 200 ms), so a busy
   * site's logs go to Salesforce as one request rather than one each.
   */
  batchWindowMs?: number;
  /** What the integration user may write (one per bridge); made from the gateway if omitted. */
  orgFields?: OrgFields;
}

/** Errors worth trying again: the org will be back, the session renewed, the limit reset. */
const TRANSIENT: ReadonlySet<string> = new Set([
  ErrorCodes.SF_UNAVAILABLE,
  ErrorCodes.SF_REQUEST_LIMIT,
  ErrorCodes.SF_SESSION_EXPIRED,
  ErrorCodes.SF_AUTH_FAILED,
  ErrorCodes.INTERNAL,
]);

/** Call ids per "was this Task created already?" query (CallObject IN (…)), kept short of URL limits. */
const CALL_OBJECTS_PER_QUERY = 100;

/** A Task that exists in Salesforce for a log, and the fields left out of it. */
interface CreatedTask {
  taskId: string;
  skipped: string[];
  /**
   * Present when the create's outcome is stored and the send ended with it (recordCreated):
   * the state the entry is in now. Absent: completeSend still brings the notes up to date.
   */
  finished?: { state: OutboxState | undefined };
}

/** Sent and skipped rows are kept this long for status and support, then deleted. */
const RETENTION_MS = 30 * 24 * 3600 * 1000;
/** Legs remembered as logged here until their PBX call ends (a call whose end never comes). */
const LOGGED_HERE_MAX = 10_000;

/**
 * A call's outbox row as read earlier in the same task of the serial chain, so the task does
 * not read it again. A row inserted in between (a held log stored again by the drain, another
 * bridge's log) is caught by the insert itself: it keeps the first row and reports false.
 */
interface OutboxLook {
  readonly entry: OutboxEntry | undefined;
}
const NOT_LOGGED: OutboxLook = { entry: undefined };
/** The longest the worker sleeps without looking at the outbox. */
const SWEEP_MS = 60_000;
/** How soon a log the database refused is offered to it again. */
const STORAGE_RETRY_MS = 5_000;
/**
 * Several bridges share the drafts: one left untouched this long belongs to a call no bridge
 * follows any more (a draft of a call under way at a live bridge is newer).
 */
const SHARED_DRAFT_ABANDONED_MS = 3600_000;

interface ActiveCall {
  extension: string;
  /** The call as last seen: a draft stores it with the notes. */
  call?: Call;
  notes?: string;
  disposition?: string;
}

/** Logs per outbox state, and `unsaved`: logs the database refused, held in memory. */
export type CallLogCounts = Record<
  'pending' | 'sending' | 'sent' | 'parked' | 'skipped' | 'unsaved',
  number
>;

export class CallLogService {
  private readonly outbox: CallLogOutbox;
  private readonly gateway: SalesforceGateway;
  private readonly config: CallLogConfig;
  private readonly logger: Logger;
  private readonly now: () => Date;
  private readonly random: () => number;
  private readonly concurrency: number;
  private readonly batchSize: number;
  private readonly batchWindowMs: number;
  private readonly options: CallLogServiceOptions;
  private readonly taskValues: TaskValues;
  /** Calls not yet ended: whose they are, and notes taken during the call. */
  private readonly active = new Map<string, ActiveCall>();
  private readonly warnedNoOwner = new Set<string>();
  /** Logs the database refused, by call id, until a retry stores them. */
  private readonly unsaved = new Map<string, NewOutboxEntry>();
  /**
   * Legs whose log this bridge has just stored (or held): the end of their PBX call, which
   * comes right after, need not ask the outbox again. Oldest first, at most LOGGED_HERE_MAX.
   */
  private readonly loggedHere = new Set<string>();
  /**
   * Legs that ended without a log and wait for their PBX call's end (a missed inbound leg), on
   * an outbox only this bridge writes: until then no one but this service stores their log,
   * and it notes that in loggedHere, so the end of the call need not read the outbox again.
   * Oldest first, at most LOGGED_HERE_MAX.
   */
  private readonly waitingUnlogged = new Set<string>();
  /**
   * The calls whose draft the last run left in an outbox only this bridge writes, as listed at
   * start, until their log is stored (which drops the draft). Any other call's draft, if it has
   * one, was written in this run (draftsWritten) and is in `active`: its first ring need not ask
   * the database (readDraftIfAny), nor its log look for a draft to drop (draftHint). Undefined
   * until start has listed them, and always with a shared outbox (other bridges write drafts).
   */
  private draftsOfLastRun: Set<string> | undefined;
  /** The calls whose draft this run wrote (or tried to), until their log is stored. */
  private readonly draftsWritten = new Set<string>();
  /** Set from the first refused write until writes work again (the admin is told once). */
  private storageError: OutboxError | undefined;
  private started = false;
  /** Set by stop(): the drain loop ends after the batch in flight. */
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  /** A drain is scheduled to gather the logs of calls ending about now (kickSoon). */
  private gathering = false;
  /** The end of the work queued by serially(). */
  private chain: Promise<unknown> = Promise.resolve();
  /** The counts and parked logs as last read (the status report reads them synchronously). */
  private snapshot: { counts: Record<OutboxState, number>; parked: OutboxEntry[] } = {
    counts: countsOf([]),
    parked: [],
  };

  constructor(options: CallLogServiceOptions) {
    this.options = options;
    this.gateway = options.gateway;
    this.config = options.config;
    this.logger = options.logger;
    this.now = options.now ?? (() => new Date());
    this.random = options.random ?? Math.random;
    this.concurrency = Math.max(1, options.concurrency ?? 2);
    this.batchSize = Math.min(RECORDS_PER_COLLECTION, Math.max(1, options.batchSize ?? 200));
    this.batchWindowMs = Math.max(0, options.batchWindowMs ?? 200);
    if (options.outbox !== undefined) this.outbox = options.outbox;
    else if (options.db !== undefined)
      this.outbox = new SqliteCallLogOutbox(options.db, this.logger);
    else throw new Error('CallLogService needs an outbox or a database');
    this.taskValues = new TaskValues({
      gateway: options.gateway,
      orgFields:
        options.orgFields ?? new OrgFields({ gateway: options.gateway, logger: this.logger }),
      config: options.config,
      logger: this.logger,
      ...(options.now === undefined ? {} : { now: () => this.nowMs() }),
    });
    options.calls.onCallChanged((call) => {
      void this.onCallChanged(call);
    });
    // The call core keeps the legs in its durable store until the decision is stored.
    options.calls.onCallFinished((pbxCallId, legs) => this.onCallFinished(pbxCallId, legs));
  }

  /**
   * Runs `work` after everything queued before it (changes, notes, retries apply in order);
   * its result or rejection is the caller's, and never stops the queue.
   */
  private serially<T>(work: () => Promise<T>): Promise<T> {
    const run = this.chain.then(work, work);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Starts the worker: recovers rows a crash left in flight, then sends what is due. */
  start(): Promise<void> {
    if (this.started) return this.serially(() => Promise.resolve());
    this.started = true;
    this.stopped = false;
    return this.serially(async () => {
      try {
        const now = this.nowMs();
        const recovered = await this.outbox.resetSending(now);
        if (recovered > 0)
          this.logger.info({ recovered }, 'call logs interrupted by a restart will be re-checked');
        const pruned = await this.outbox.pruneFinished(now - RETENTION_MS);
        if (pruned > 0) this.logger.debug({ pruned }, 'old call-log rows deleted');
        await this.refreshSnapshot();
        const { counts } = this.snapshot;
        if (counts.pending > 0 || counts.parked > 0)
          this.logger.info({ pending: counts.pending, parked: counts.parked }, 'call-log outbox');
        await this.logInterruptedCalls();
      } catch (error) {
        this.storageFailed(error, 'reading the call-log outbox at start');
      }
      this.kick();
    });
  }

  /**
   * Drafts left by the previous run are calls that were under way when the bridge stopped:
   * each is logged now, as it was when its notes were last typed, so the notes reach Salesforce.
   */
  private async logInterruptedCalls(): Promise<void> {
    let drafts: CallLogDraft[];
    try {
      drafts = await this.outbox.listDrafts();
    } catch (error) {
      this.storageFailed(error, 'reading the notes of calls under way');
      return;
    }
    // A call the call core keeps across the restart is logged when it really ends; with
    // several bridges, so is a call another bridge still follows.
    const abandonedBefore = this.nowMs() - SHARED_DRAFT_ABANDONED_MS;
    const interrupted = drafts.filter(
      (draft) =>
        !this.active.has(draft.callId) &&
        this.options.calls.resumes?.(draft.callId) !== true &&
        (!this.outbox.shared || draft.updatedAt < abandonedBefore),
    );
    // Every draft listed, those logged below too: each leaves the set once its log is stored.
    if (!this.outbox.shared) this.draftsOfLastRun = new Set(drafts.map((draft) => draft.callId));
    for (const draft of interrupted) {
      const { call } = draft;
      this.active.set(draft.callId, {
        extension: draft.extension,
        ...(draft.notes === undefined ? {} : { notes: draft.notes }),
        ...(draft.disposition === undefined ? {} : { disposition: draft.disposition }),
      });
      const unanswered = call.direction === 'inbound' ? 'missed' : 'no-answer';
      await this.enqueueEnded({
        ...call,
        state: 'ended',
        endedAt: new Date(Math.max(draft.updatedAt, Date.parse(call.startedAt) || 0)).toISOString(),
        endReason: call.state === 'connected' ? 'completed' : unanswered,
      });
    }
    if (interrupted.length > 0)
      this.logger.info(
        { calls: interrupted.length },
        'calls with notes were under way when the bridge stopped: logged with their notes',
      );
  }

  /**
   * Reads the org's Task values and field access (after connecting), so a missing permission
   * is named at start rather than on the first call. Never throws.
   */
  async checkAccess(): Promise<void> {
    if (!this.config.enabled) return;
    try {
      await this.taskValues.check();
    } catch (error) {
      this.logger.debug({ err: toSwitchboardError(error).message }, 'Task access not checked yet');
    }
  }

  /** Stops the worker after the sends in flight; what is left stays in the outbox. */
  async stop(): Promise<void> {
    this.started = false;
    this.stopped = true;
    this.gathering = false;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await this.chain;
    await this.running;
  }

  /**
   * Every call change: remembers live calls, enqueues the log when a call ends. A call whose
   * caller lookup still runs is logged once it answers (the Task gets the caller's record and
   * name); an unanswered inbound leg waits for the end of its PBX call (onCallFinished); a
   * click-to-dial that never got past the rep's own phone is not logged.
   */
  onCallChanged(call: Call): Promise<void> {
    return this.serially(async () => {
      try {
        if (call.state !== 'ended') {
          // A call resumed after a restart (or followed by another bridge) takes up the notes
          // typed before.
          const known = this.active.get(call.id) ?? (await this.readDraftIfAny(call.id));
          this.active.set(call.id, { ...known, extension: call.extension, call });
          return;
        }
        const look: OutboxLook = { entry: await this.outbox.get(call.id) };
        // A log stored already (by another bridge: each follows every call) is not relinked
        // from a leg whose lookup has not answered here: it would lose the caller's record, and
        // the answer would put it back, two Task updates for nothing.
        if ((look.entry === undefined && this.waits(call)) || call.lookup === 'pending') {
          // Notes are kept for it meanwhile.
          this.active.set(call.id, { ...this.active.get(call.id), extension: call.extension });
          if (look.entry === undefined && !this.outbox.shared)
            addCapped(this.waitingUnlogged, call.id, LOGGED_HERE_MAX);
          return;
        }
        await this.logEnded(call, look);
      } catch (error) {
        // A broken log must never disturb call handling: report it and carry on.
        this.logger.error({ err: toSwitchboardError(error), callId: call.id }, 'call log failed');
      }
    });
  }

  /**
   * Feed from CallService: a whole PBX call is over, with the last state of each leg. Its
   * unanswered inbound legs become one missed-call Task, under the leg that rang first —
   * unless a colleague answered the call (then none: their Task has the call). Any other leg
   * still without a log (its lookup never answered, a restart came in between) is logged now.
   */
  onCallFinished(pbxCallId: string, legs: readonly Call[]): Promise<void> {
    return this.serially(() => this.decideFinished(pbxCallId, legs));
  }

  private async decideFinished(pbxCallId: string, legs: readonly Call[]): Promise<void> {
    try {
      const open: Call[] = [];
      for (const leg of legs) {
        if (this.loggedHere.delete(leg.id)) continue; // stored a moment ago, in this task chain
        if (this.waitingUnlogged.delete(leg.id)) {
          open.push(leg); // read when it ended, and not stored since
          continue;
        }
        if ((await this.outbox.get(leg.id)) === undefined) open.push(leg);
      }
      for (const leg of open) if (!awaitsCallEnd(leg)) await this.logEnded(leg, NOT_LOGGED);
      const missed = open
        .filter(awaitsCallEnd)
        .sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.id.localeCompare(b.id));
      const [first, ...others] = missed;
      if (first === undefined) return;
      if (legs.some((leg) => leg.answeredAt !== undefined)) {
        for (const leg of missed)
          await this.skip(leg, 'Answered by a colleague: their call log has it');
        return;
      }
      await this.enqueueEnded(
        first,
        others.map((leg) => leg.extension),
        NOT_LOGGED,
      );
      for (const leg of others) await this.skip(leg, `Logged once for the call, as ${first.id}`);
      this.logger.debug({ pbxCallId, legs: missed.length }, 'missed call decided');
    } catch (error) {
      this.logger.error({ err: toSwitchboardError(error), pbxCallId }, 'call log failed');
    }
  }

  /**
   * The rep's notes and disposition for one of their calls (call.note). Throws a
   * SwitchboardError for a call that is not theirs, not logged, or past the grace period.
   */
  addNote(input: {
    callId: string;
    notes?: string;
    disposition?: string;
    repExtensions: readonly string[];
  }): Promise<CallLogStatus | undefined> {
    return this.serially(() => this.storeNote(input));
  }

  private async storeNote(input: {
    callId: string;
    notes?: string;
    disposition?: string;
    repExtensions: readonly string[];
  }): Promise<CallLogStatus | undefined> {
    if (!this.config.enabled)
      throw new SwitchboardError(ErrorCodes.CALL_LOG_DISABLED, 'Call logging is turned off', {
        status: 409,
        hint: 'An admin can turn it on with callLog.enabled.',
      });
    const notes = input.notes;
    const disposition = input.disposition?.trim() === '' ? undefined : input.disposition?.trim();
    if (notes !== undefined && notes.length > DESCRIPTION_MAX)
      throw new SwitchboardError(
        ErrorCodes.CALL_LOG_NOTE_INVALID,
        `Notes may be at most ${DESCRIPTION_MAX} characters`,
        { status: 400 },
      );
    if (disposition !== undefined && disposition.length > DISPOSITION_MAX)
      throw new SwitchboardError(
        ErrorCodes.CALL_LOG_NOTE_INVALID,
        `A disposition may be at most ${DISPOSITION_MAX} characters`,
        { status: 400 },
      );
    if (notes === undefined && disposition === undefined)
      throw new SwitchboardError(
        ErrorCodes.CALL_LOG_NOTE_INVALID,
        'A note needs notes or a disposition',
        { status: 400 },
      );

    const live = this.active.get(input.callId);
    if (live !== undefined) {
      if (!input.repExtensions.includes(live.extension)) throw notFound(input.callId);
      if (notes !== undefined) live.notes = notes;
      if (disposition !== undefined) live.disposition = disposition;
      await this.saveDraft(input.callId, live);
      return this.statusNow(input.callId);
    }

    const held = this.unsaved.get(input.callId);
    if (held !== undefined) {
      if (!input.repExtensions.includes(held.extension)) throw notFound(input.callId);
      if (notes !== undefined) held.notes = notes;
      if (disposition !== undefined) held.disposition = disposition;
      return { state: 'pending' };
    }

    const entry = await this.outbox.get(input.callId);
    if (entry === undefined || !input.repExtensions.includes(entry.extension))
      throw notFound(input.callId);
    if (entry.state === 'skipped')
      throw new SwitchboardError(
        ErrorCodes.CALL_LOG_NOT_LOGGED,
        `This call is not logged: ${entry.lastError?.message ?? 'skipped'}`,
        { status: 409 },
      );
    const now = this.nowMs();
    if (now > entry.endedAt + this.config.noteGraceSeconds * 1000)
      throw new SwitchboardError(
        ErrorCodes.CALL_LOG_NOTE_TOO_LATE,
        `Notes are accepted until ${this.config.noteGraceSeconds} s after the call`,
        {
          status: 409,
          hint: 'Edit the Task in Salesforce instead.',
        },
      );
    await this.outbox.setNotes(input.callId, notes, disposition, now);
    const status = await this.statusNow(input.callId);
    if (status !== undefined) this.publish(input.callId, status);
    this.kick();
    return status;
  }

  /** A call's log status, after the work queued before this question. */
  status(callId: string): Promise<CallLogStatus | undefined> {
    return this.serially(() => this.statusNow(callId));
  }

  private async statusNow(callId: string): Promise<CallLogStatus | undefined> {
    if (this.unsaved.has(callId)) return { state: 'pending' };
    const entry = await this.outbox.get(callId);
    if (entry === undefined) return this.config.enabled ? undefined : { state: 'disabled' };
    return statusOf(entry);
  }

  /**
   * How many logs are in each outbox state (as last read: after each drain, store and retry),
   * and any held because the database refused them.
   */
  counts(): CallLogCounts {
    return { ...this.snapshot.counts, unsaved: this.unsaved.size };
  }

  private async refreshSnapshot(): Promise<void> {
    try {
      const [counts, parked] = await Promise.all([
        this.outbox.countByState(),
        this.outbox.listParked(),
      ]);
      this.snapshot = { counts, parked };
    } catch (error) {
      this.logger.debug({ err: toSwitchboardError(error).message }, 'outbox counts not read');
    }
  }

  /** Why the database refuses writes, while it does (the status report shows it). */
  storageProblem(): OutboxError | undefined {
    return this.storageError;
  }

  /** The parked logs as last read (see counts()). */
  listParked(): ParkedCallLog[] {
    return this.snapshot.parked.map((entry) => ({
      callId: entry.callId,
      extension: entry.extension,
      subject: typeof entry.fields.Subject === 'string' ? entry.fields.Subject : '',
      error: entry.lastError ?? { code: 'UNKNOWN', message: '' },
      attempts: entry.attempts,
      parkedAt: new Date(entry.updatedAt).toISOString(),
    }));
  }

  /** Sends a parked log again (after the admin fixed what Salesforce rejected). */
  retryParked(callId: string): Promise<CallLogStatus> {
    return this.serially(() => this.unpark(callId));
  }

  private async unpark(callId: string): Promise<CallLogStatus> {
    if (!(await this.outbox.unpark(callId, this.nowMs())))
      throw new SwitchboardError(
        ErrorCodes.CALL_LOG_NOT_PARKED,
        `No parked call log for call ${callId}`,
        {
          status: 404,
          hint: 'listParked() shows the logs waiting for a retry.',
        },
      );
    this.logger.info({ callId }, 'parked call log retried');
    const status = (await this.statusNow(callId)) ?? { state: 'pending' };
    await this.refreshSnapshot();
    this.publish(callId, status);
    this.kick();
    return status;
  }

  /** Sends everything due now and resolves when done (tests, shutdown drains). */
  async flush(): Promise<void> {
    await this.chain;
    while (this.running !== undefined) await this.running;
    this.running = this.drain();
    try {
      await this.running;
    } finally {
      this.running = undefined;
      this.schedule();
    }
  }

  /** Whether an ended leg without a log must wait: for its lookup, or for its PBX call's end. */
  private waits(call: Call): boolean {
    return call.lookup === 'pending' || awaitsCallEnd(call);
  }

  /**
   * An ended leg that is decided on its own: logged, or skipped when nothing was dialed.
   * @param look its outbox row, as read earlier in this task
   */
  private async logEnded(call: Call, look: OutboxLook): Promise<void> {
    if (call.notDialed === true && look.entry === undefined) {
      await this.skip(call, 'Nothing was dialed: your phone did not take the click-to-dial');
      return;
    }
    await this.enqueueEnded(call, [], look);
  }

  /** A leg that is not logged, kept so the rep sees why (status skipped). */
  private async skip(
    call: Call,
    reason: string,
    code: 'CALL_LOG_DISABLED' | 'CALL_LOG_NOT_LOGGED' = ErrorCodes.CALL_LOG_NOT_LOGGED,
  ): Promise<void> {
    this.active.delete(call.id);
    if (code === ErrorCodes.CALL_LOG_DISABLED || !this.config.enabled) {
      this.publish(call.id, { state: 'disabled' });
      return;
    }
    const now = this.nowMs();
    const stored = await this.store(
      {
        callId: call.id,
        extension: call.extension,
        fields: {},
        state: 'skipped',
        reason: { code, message: reason },
        endedAt: endedAtMs(call, now),
      },
      now,
    );
    if (!stored) return;
    this.logger.debug({ callId: call.id, reason }, 'call not logged');
    this.publish(call.id, { state: 'skipped', error: { code, message: reason } });
  }

  /**
   * @param alsoRang other extensions a missed call rang (one Task for all of them).
   * @param look the call's outbox row as read earlier in this task; read here when absent.
   */
  private async enqueueEnded(
    call: Call,
    alsoRang: readonly string[] = [],
    look?: OutboxLook,
  ): Promise<void> {
    const draft = this.active.get(call.id) ?? (await this.readDraftIfAny(call.id));
    this.active.delete(call.id);
    if (this.unsaved.has(call.id)) return; // a repeated `ended` of a log held in memory
    const repUserId = this.options.repUserIdForExtension(call.extension);
    const decision = buildCallTask({
      call,
      config: this.config,
      repUserId,
      now: this.now(),
      alsoRang,
    });
    const now = this.nowMs();
    const existing = look === undefined ? await this.outbox.get(call.id) : look.entry;
    if (existing !== undefined) {
      // A repeated `ended` (or another bridge's log of it) is never a second log. If the rep
      // linked a record after hang-up, the new WhoId/WhatId go into the create, or onto the
      // Task within the grace period. A leg whose lookup failed here knows nothing of the
      // caller: the links stored (by a bridge whose lookup answered) stand, unless the rep
      // picked a record.
      const knowsCaller = call.lookup !== 'failed' || call.linkedRecordId !== undefined;
      if (decision.log && existing.state !== 'skipped' && knowsCaller)
        await this.relink(existing, decision.fields, now);
      return;
    }
    if (!decision.log) {
      await this.skip(call, decision.reason, decision.code);
      return;
    }
    if (repUserId === undefined && !this.warnedNoOwner.has(call.extension)) {
      this.warnedNoOwner.add(call.extension);
      this.logger.warn(
        { extension: call.extension, code: ErrorCodes.CALL_LOG_NO_OWNER },
        'no Salesforce user for this extension: its call logs belong to the integration user',
      );
    }
    const stored = await this.store(
      {
        callId: call.id,
        extension: call.extension,
        fields: decision.fields,
        state: 'pending',
        ...(draft?.notes === undefined ? {} : { notes: draft.notes }),
        ...(draft?.disposition === undefined ? {} : { disposition: draft.disposition }),
        endedAt: endedAtMs(call, now),
      },
      now,
    );
    // Another bridge stored the log between our look and our insert: it is not ours to tell.
    if (!stored) return;
    this.logger.debug({ callId: call.id, kind: decision.kind }, 'call log queued');
    this.publish(call.id, { state: 'pending' });
    this.kickSoon();
  }

  /**
   * Stores an ended call's log (dropping its draft); false when the call had one already. Held
   * in memory if the database refuses.
   */
  private async store(entry: NewOutboxEntry, now: number): Promise<boolean> {
    // Stored now, by this bridge or (the insert refused) another one, or held below.
    addCapped(this.loggedHere, entry.callId, LOGGED_HERE_MAX);
    this.waitingUnlogged.delete(entry.callId);
    try {
      const inserted = await this.outbox.insertEnded(entry, now, this.draftHint(entry.callId));
      this.draftDropped(entry.callId);
      // Counted at once (the next drain reads the true counts): a skipped log is never drained.
      if (inserted) this.snapshot.counts[entry.state] += 1;
      return inserted;
    } catch (error) {
      this.unsaved.set(entry.callId, entry);
      this.storageFailed(error, `storing the log of call ${entry.callId}`);
      return true; // held in memory, stored once the database takes writes again
    }
  }

  /** Offers the held logs to the database again; stops at the first refusal. */
  private async storeUnsaved(): Promise<void> {
    if (this.unsaved.size === 0) return;
    const now = this.nowMs();
    let saved = 0;
    for (const [callId, entry] of [...this.unsaved]) {
      try {
        await this.outbox.insertEnded(entry, now, this.draftHint(callId));
      } catch {
        return; // still refused: the next round tries again
      }
      this.draftDropped(callId);
      this.unsaved.delete(callId);
      saved++;
    }
    if (this.storageError !== undefined) {
      this.storageError = undefined;
      this.logger.info({ saved }, 'the database takes writes again: held call logs stored');
    }
  }

  /** The notes typed during a call, stored at once; kept in memory if the database refuses. */
  private async saveDraft(callId: string, live: ActiveCall): Promise<void> {
    if (live.call === undefined) return;
    // Before the write: a write that fails may still have reached the file.
    this.draftsWritten.add(callId);
    try {
      await this.outbox.saveDraft({
        callId,
        extension: live.extension,
        call: live.call,
        notes: live.notes,
        disposition: live.disposition,
        updatedAt: this.nowMs(),
      });
    } catch (error) {
      this.storageFailed(error, `storing the notes of call ${callId}`);
    }
  }

  /** A call's draft, unless it cannot have one (draftsOfLastRun): one read less per call. */
  private async readDraftIfAny(callId: string): Promise<ActiveCall | undefined> {
    const unknown = this.draftsOfLastRun === undefined || this.draftsOfLastRun.has(callId);
    return unknown ? this.readDraft(callId) : undefined;
  }

  /**
   * Whether the outbox may hold a draft of the call when its log is stored: `none` only where
   * this service has seen every draft (an unshared outbox, listed at start), so the store does
   * not look for one: one statement and one commit less per call.
   */
  private draftHint(callId: string): DraftHint {
    const maybe =
      this.draftsOfLastRun === undefined ||
      this.draftsOfLastRun.has(callId) ||
      this.draftsWritten.has(callId);
    return maybe ? 'maybe' : 'none';
  }

  /** The call's log is stored, and its draft (if any) dropped with it. */
  private draftDropped(callId: string): void {
    this.draftsOfLastRun?.delete(callId);
    this.draftsWritten.delete(callId);
  }

  private async readDraft(callId: string): Promise<ActiveCall | undefined> {
    try {
      const draft = await this.outbox.getDraft(callId);
      if (draft === undefined) return undefined;
      return {
        extension: draft.extension,
        ...(draft.notes === undefined ? {} : { notes: draft.notes }),
        ...(draft.disposition === undefined ? {} : { disposition: draft.disposition }),
      };
    } catch {
      return undefined;
    }
  }

  /** Tells the admin once per outage (error log, status report); later refusals at debug. */
  private storageFailed(error: unknown, what: string): void {
    const message = error instanceof Error ? error.message : String(error);
    if (this.storageError !== undefined) {
      this.logger.debug({ err: message }, `database refused ${what}`);
      return;
    }
    this.storageError = { code: ErrorCodes.STORAGE_WRITE_FAILED, message: `${what}: ${message}` };
    this.logger.error(
      {
        code: ErrorCodes.STORAGE_WRITE_FAILED,
        err: message,
        hint: this.outbox.shared
          ? 'Check that PostgreSQL (storage.postgres) is up and has disk space, and that the bridge user may write its tables.'
          : 'Free disk space where storage.database lives, and check that the file is writable and not locked by another program.',
      },
      `The database refused ${what}: call logs and notes are kept in memory and retried every ${STORAGE_RETRY_MS / 1000} s; a restart before it recovers loses them`,
    );
  }

  private async relink(
    existing: OutboxEntry,
    fields: Record<string, unknown>,
    now: number,
  ): Promise<void> {
    const links = { WhoId: fields.WhoId ?? null, WhatId: fields.WhatId ?? null };
    const before = { WhoId: existing.fields.WhoId ?? null, WhatId: existing.fields.WhatId ?? null };
    if (links.WhoId === before.WhoId && links.WhatId === before.WhatId) return;
    const merged: Record<string, unknown> = { ...existing.fields };
    delete merged.WhoId;
    delete merged.WhatId;
    Object.assign(merged, fields.WhoId === undefined ? {} : { WhoId: fields.WhoId });
    Object.assign(merged, fields.WhatId === undefined ? {} : { WhatId: fields.WhatId });
    if (
      existing.taskId === undefined &&
      (await this.outbox.replaceFields(existing.callId, merged, now))
    )
      return;
    if (now > existing.endedAt + this.config.noteGraceSeconds * 1000) return;
    await this.outbox.setLinkUpdate(
      existing.callId,
      merged,
      links as Record<string, string | null>,
      now,
    );
    this.logger.debug({ callId: existing.callId }, 'call log relinked');
    this.kick();
  }

  /**
   * A new log: the drain starts after batchWindowMs, so the logs of calls ending meanwhile go
   * in the same request. While a drain is under way its end schedules the next one (schedule).
   */
  private kickSoon(): void {
    if (!this.started) return;
    if (this.batchWindowMs === 0) {
      this.kick();
      return;
    }
    if (this.running !== undefined || this.gathering) return;
    this.gathering = true;
    this.scheduleAt(this.nowMs() + this.batchWindowMs);
  }

  /** Starts a drain unless one is running (its end schedules the next: schedule). */
  private kick(): void {
    this.gathering = false;
    if (!this.started || this.running !== undefined) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.running = this.drain().finally(() => {
      this.running = undefined;
      this.schedule();
    });
  }

  /**
   * The next drain: when the next log is due, but not within batchWindowMs of the last one.
   * Logs stored meanwhile (here, or by another bridge sharing the outbox) then go out together;
   * draining again at once sent them a few at a time (two bridges: ~2 Tasks a request).
   */
  private schedule(): void {
    if (!this.started) return;
    const earliest = this.nowMs() + this.batchWindowMs;
    void this.outbox.nextDueAt().then(
      (due) => this.scheduleAt(due === undefined ? undefined : Math.max(due, earliest)),
      () => this.scheduleAt(undefined),
    );
  }

  private scheduleAt(due: number | undefined): void {
    if (!this.started || this.running !== undefined) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    // Look again at least every SWEEP_MS: rows retried by hand in the database, other
    // bridges' logs, clock jumps; every STORAGE_RETRY_MS while logs wait for the database.
    const sweep = this.unsaved.size > 0 ? STORAGE_RETRY_MS : SWEEP_MS;
    const delay = Math.min(sweep, Math.max(0, (due ?? Infinity) - this.nowMs()));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.kick();
    }, delay);
    // The outbox is durable: a pending retry must not keep a stopping process alive.
    this.timer.unref();
  }

  private async drain(): Promise<void> {
    try {
      // Stops between batches once stop() was called: a backlog must not hold up shutdown
      // (what is left stays in the outbox for the next start).
      await this.storeUnsaved();
      while (!this.stopped) {
        // Claimed: no other bridge sends these until they are sent, rescheduled or parked.
        const due = await this.outbox.claimDue(this.nowMs(), this.batchSize);
        if (due.length === 0) break;
        await this.sendBatch(due);
        // A backlog goes out batch after batch; what was stored during this one waits for the
        // next drain, a batch window away (schedule), with what else comes meanwhile.
        if (due.length < this.batchSize) break;
      }
    } catch (error) {
      // Only the database can fail here (Salesforce errors are handled per entry). The rows
      // stay where they are; the next sweep tries again. Never an unhandled rejection.
      this.logger.error({ err: toSwitchboardError(error) }, 'call-log outbox unavailable');
    }
    await this.refreshSnapshot();
  }

  /**
   * Sends claimed entries (each one's `attempts` counts this one): the Tasks still to create go
   * to Salesforce together, then each log's notes are brought up to date.
   */
  private async sendBatch(entries: readonly OutboxEntry[]): Promise<void> {
    const created = await this.createTasks(entries.filter((e) => e.taskId === undefined));
    await forEachLimited(entries, this.concurrency, async (entry) => {
      const task =
        entry.taskId === undefined
          ? created.get(entry.callId)
          : { taskId: entry.taskId, skipped: [] };
      // Not there: the entry failed on the way and was rescheduled or parked.
      if (task === undefined) return;
      if (task.finished === undefined) await this.completeSend(entry, task);
      else this.announceSent(entry, task, task.finished.state);
    });
  }

  /**
   * The Tasks of entries that have none yet. Those an earlier attempt may have created (cut
   * off by a crash, a timeout or an outage) are looked up first and adopted if found — a
   * first attempt creates straight away and saves an API call. The rest are created in one
   * sObject Collections request per RECORDS_PER_COLLECTION (one by one where the gateway
   * cannot). A log the org refuses fails alone (parked, or retried when transient); the
   * others are created, and their Task ids stored and their sends ended in one transaction
   * (recordCreated). Failed entries are left out of the result.
   */
  private async createTasks(entries: readonly OutboxEntry[]): Promise<Map<string, CreatedTask>> {
    const out = new Map<string, CreatedTask>();
    const adopted = await this.findCreatedTasks(entries.filter((e) => e.attempts > 1));
    const toCreate: {
      entry: OutboxEntry;
      fields: Record<string, unknown>;
      skipped: string[];
      notesVersion: number;
    }[] = [];
    for (const entry of entries) {
      const found = adopted.get(entry.callId);
      try {
        if (found instanceof Error) throw found;
        if (found !== undefined) {
          // Created by an earlier attempt whose answer was lost: adopt it, re-send notes.
          await this.outbox.recordTaskId(entry.callId, found, 0, this.nowMs());
          this.logger.info(
            { callId: entry.callId, taskId: found },
            'existing call log Task adopted',
          );
          out.set(entry.callId, { taskId: found, skipped: [] });
          continue;
        }
        // A first attempt was claimed just now; a retry waited for the Task search, during
        // which the rep may have typed a note. Either way a note that came in meanwhile is sent
        // as an update after the create (its version is newer than the one sent).
        const latest =
          entry.attempts > 1 ? ((await this.outbox.get(entry.callId)) ?? entry) : entry;
        const task = await this.taskValues.prepare(
          { ...latest.fields, ...noteFields(latest) },
          'create',
        );
        toCreate.push({
          entry,
          fields: task.fields,
          skipped: task.skipped.map((s) => s.field),
          notesVersion: latest.notesVersion,
        });
      } catch (error) {
        await this.failSafely(entry, error);
      }
    }
    const results = await this.createAll(toCreate.map((t) => t.fields));
    const made: { entry: OutboxEntry; record: CreatedTaskRecord; skipped: string[] }[] = [];
    for (const [i, { entry, skipped, notesVersion }] of toCreate.entries()) {
      const result = results[i];
      if (result?.ok === true)
        made.push({
          entry,
          record: { callId: entry.callId, taskId: result.id, sentNotesVersion: notesVersion },
          skipped,
        });
      else await this.failSafely(entry, result?.error ?? new Error('no answer for this Task'));
    }
    if (made.length === 0) return out;
    let states: Map<string, OutboxState | undefined>;
    try {
      states = await this.outbox.recordCreated(
        made.map((m) => m.record),
        this.nowMs(),
      );
    } catch (error) {
      // Not stored: each entry's next attempt looks for its Task before creating one.
      for (const { entry } of made) await this.failSafely(entry, error);
      return out;
    }
    for (const { entry, record, skipped } of made)
      out.set(entry.callId, {
        taskId: record.taskId,
        skipped,
        finished: { state: states.get(entry.callId) },
      });
    return out;
  }

  /**
   * Tasks already in Salesforce for these call ids (CallObject is the call id): one query for
   * a whole batch of retries. A failed query fails every entry it was asked for (the error is
   * the value).
   */
  private async findCreatedTasks(
    entries: readonly OutboxEntry[],
  ): Promise<Map<string, string | Error>> {
    const found = new Map<string, string | Error>();
    for (let i = 0; i < entries.length; i += CALL_OBJECTS_PER_QUERY) {
      const chunk = entries.slice(i, i + CALL_OBJECTS_PER_QUERY).map((e) => e.callId);
      try {
        const rows =
          chunk.length === 1
            ? await this.gateway.query(
                soql`SELECT Id FROM Task WHERE CallObject = ${chunk[0] ?? ''} LIMIT 1`,
                { limit: 1 },
              )
            : await this.gateway.query(
                soql`SELECT Id, CallObject FROM Task WHERE CallObject IN ${chunk}`,
              );
        for (const row of rows) {
          const callId = chunk.length === 1 ? chunk[0] : row.CallObject;
          if (typeof callId === 'string' && !found.has(callId)) found.set(callId, row.Id);
        }
      } catch (error) {
        for (const callId of chunk)
          found.set(callId, error instanceof Error ? error : new Error(String(error)));
      }
    }
    return found;
  }

  /**
   * Creates the Tasks, one result per Task in order: several in one sObject Collections
   * request where the gateway can, else one request each. A request that fails as a whole
   * fails each of its Tasks with that error (it is not known whether they exist: the next
   * attempt looks before it creates).
   */
  private async createAll(tasks: readonly Record<string, unknown>[]): Promise<CreateResult[]> {
    const createMany = this.gateway.createMany?.bind(this.gateway);
    if (tasks.length > 1 && createMany !== undefined) {
      const results: CreateResult[] = [];
      for (let i = 0; i < tasks.length; i += RECORDS_PER_COLLECTION) {
        const chunk = tasks.slice(i, i + RECORDS_PER_COLLECTION);
        try {
          results.push(...(await createMany('Task', chunk)));
        } catch (error) {
          const failed = toSwitchboardError(error);
          results.push(...chunk.map((): CreateResult => ({ ok: false, error: failed })));
        }
      }
      return results;
    }
    const results: CreateResult[] = [];
    await forEachLimited(tasks, this.concurrency, async (fields, i) => {
      try {
        results[i] = { ok: true, id: await this.gateway.create('Task', fields) };
      } catch (error) {
        results[i] = { ok: false, error: toSwitchboardError(error) };
      }
    });
    return results;
  }

  /** After the Task exists: the rep's newer notes and links, then the entry is done. */
  private async completeSend(entry: OutboxEntry, task: CreatedTask): Promise<void> {
    const { callId } = entry;
    const { taskId } = task;
    const skipped = [...task.skipped];
    try {
      const latest = await this.outbox.get(callId);
      if (latest !== undefined && latest.notesVersion > latest.sentNotesVersion) {
        const update = await this.taskValues.prepare(
          { ...noteFields(latest), ...latest.linkUpdate },
          'update',
        );
        skipped.push(...update.skipped.map((s) => s.field));
        if (Object.keys(update.fields).length > 0)
          await this.gateway.update('Task', taskId, update.fields);
        await this.outbox.recordNotesSent(callId, latest.notesVersion, this.nowMs());
      }
      const state = await this.outbox.finishSend(callId, this.nowMs());
      this.announceSent(entry, { taskId, skipped }, state);
    } catch (error) {
      await this.failSafely(entry, error);
    }
  }

  /** A send has ended: when the log is sent, says so (log and rep). */
  private announceSent(
    entry: OutboxEntry,
    task: CreatedTask,
    state: OutboxState | undefined,
  ): void {
    if (state !== 'sent') return;
    const { callId } = entry;
    const { taskId, skipped } = task;
    this.logger.info(
      { callId, taskId, attempts: entry.attempts, ...(skipped.length > 0 ? { skipped } : {}) },
      skipped.length > 0
        ? 'call logged without the fields the integration user may not write'
        : 'call logged',
    );
    this.publish(callId, { state: 'logged', taskId });
  }

  /** Records a failed attempt; if the database refuses even that, says so (never throws). */
  private async failSafely(entry: OutboxEntry, error: unknown): Promise<void> {
    try {
      await this.fail(entry, entry.attempts, error);
    } catch (stored) {
      // The database refused the outcome: the row stays claimed until its lease runs out
      // (or the next start), then is sent again as possibly created.
      this.storageFailed(stored, `recording the outcome of call log ${entry.callId}`);
    }
  }

  private async fail(entry: OutboxEntry, attempt: number, error: unknown): Promise<void> {
    const err = toSwitchboardError(error);
    const now = this.nowMs();
    if (!TRANSIENT.has(err.code)) {
      const rejected = salesforceError(err);
      await this.outbox.park(entry.callId, rejected, now);
      this.logger.warn(
        { callId: entry.callId, code: rejected.code, reason: rejected.message },
        'Salesforce rejected the call log: parked until retried',
      );
      this.publish(entry.callId, { state: 'parked', error: rejected });
      return;
    }
    const { baseSeconds, maxSeconds } = this.config.retry;
    const ceiling = Math.min(maxSeconds, baseSeconds * 2 ** Math.min(attempt - 1, 30));
    // "Equal jitter": at least half the backoff, so a recovering org is not hit all at once.
    const delayMs = Math.round((ceiling / 2 + (ceiling / 2) * this.random()) * 1000);
    const shown: OutboxError = { code: err.code, message: err.message };
    await this.outbox.reschedule(entry.callId, now + delayMs, shown, now);
    const fields = { callId: entry.callId, code: err.code, attempt, retryInMs: delayMs };
    if (attempt === 1) this.logger.warn(fields, 'call log not sent yet: will retry');
    else this.logger.debug(fields, 'call log retry failed');
    this.publish(entry.callId, { state: 'pending', error: shown });
  }

  private publish(callId: string, status: CallLogStatus): void {
    try {
      this.options.calls.setLogStatus(callId, status);
    } catch (error) {
      this.logger.error({ err: toSwitchboardError(error), callId }, 'call-log status not sent');
    }
  }

  private nowMs(): number {
    return this.now().getTime();
  }
}

function notFound(callId: string): SwitchboardError {
  return new SwitchboardError(ErrorCodes.CALL_NOT_FOUND, `No call ${callId} of yours to log`, {
    status: 404,
  });
}

function endedAtMs(call: Call, fallback: number): number {
  const at = call.endedAt === undefined ? NaN : Date.parse(call.endedAt);
  return Number.isFinite(at) ? at : fallback;
}

/** Description/CallDisposition from the rep: the only fields the bridge writes after create. */
function noteFields(entry: OutboxEntry): Record<string, string> {
  const fields: Record<string, string> = {};
  if (entry.notes !== undefined) fields.Description = entry.notes;
  if (entry.disposition !== undefined) fields.CallDisposition = entry.disposition;
  return fields;
}

function statusOf(entry: OutboxEntry): CallLogStatus {
  const withError = <T extends CallLogStatus>(status: T): T =>
    entry.lastError === undefined ? status : { ...status, error: entry.lastError };
  const withTask = <T extends CallLogStatus>(status: T): T =>
    entry.taskId === undefined ? status : { ...status, taskId: entry.taskId };
  switch (entry.state) {
    case 'pending':
    case 'sending':
      return withTask(withError({ state: 'pending' }));
    case 'sent':
      return withTask({ state: 'logged' });
    case 'parked':
      return withTask(withError({ state: 'parked' }));
    case 'skipped':
      return withError({ state: 'skipped' });
  }
}

/** Salesforce's own error code and message (e.g. FIELD_CUSTOM_VALIDATION_EXCEPTION) if given. */
function salesforceError(err: SwitchboardError): OutboxError {
  const details = err.details ?? {};
  const candidates = [details.errorCode, details.salesforceErrorCode, details.sfErrorCode];
  const sfCode = candidates.find((c): c is string => typeof c === 'string' && c !== '');
  return { code: sfCode ?? err.code, message: err.message };
}

/**
 * An inbound leg nobody answered on this phone (not one a colleague took): whether the caller
 * was missed is only known when the whole PBX call is over.
 */
function awaitsCallEnd(call: Call): boolean {
  return (
    call.state === 'ended' &&
    call.direction === 'inbound' &&
    call.answeredAt === undefined &&
    call.endReason !== 'answered-elsewhere'
  );
}

/** Runs `work` over the items with at most `limit` of them in flight at once. */
async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Adds `value` to a set kept in insertion order, forgetting the oldest beyond `max`. */
function addCapped(set: Set<string>, value: string, max: number): void {
  set.add(value);
  for (const oldest of set) {
    if (set.size <= max) break;
    set.delete(oldest);
  }
}
