// The built-in PBX: makes calls up for the demo, the tests and the benchmark. Every
// `intervalMs` it rings a random extension — a known customer, a stranger, sometimes a
// withheld or internal number, sometimes a ring group — which is answered or missed and
// ends a while later. Tests and the demo API drive it directly with triggerCall/answer/hangup,
// and setLinkUp plays the link to the PBX going down and coming back (what reps are told).
// Every call control works on it (control()): a colleague's phone rings on a transfer or a
// consultation and picks up after CONTROL_ANSWER_MS, so the demo shows the whole flow.
// Presence: a rep on Do not disturb is never rung by a caller (a call to only them is refused), a
// rep paused in the queues is left out of ring-group calls (the simulator's queues); Away is
// only shown. changeOnPhone plays a rep pressing DND or pause on the desk phone.
import type { CallDirection, CallEvent, EndReason } from '../../calls/call';
import { ErrorCodes, SwitchboardError } from '../../errors';
import { numberForLog, type Logger } from '../../logging/logger';
import { CALL_CONTROL_ACTIONS, type CallControlAction } from '../../protocol/v1';
import type {
  CallEventListener,
  ControlTarget,
  DialRequest,
  DialResult,
  PbxAdapter,
  PbxControlRequest,
  PbxUser,
  ResumeState,
} from '../adapter';
import {
  PRESENCE_STATE_ORDER,
  type PbxPresenceSupport,
  type PresenceChange,
  type PresenceListener,
  type PresenceReport,
  type PresenceState,
} from '../../presence/presence';

/** Timers the simulator uses; injectable so tests can run it on a fake clock. */
export interface SimulatorScheduler {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface SimulatorPbxAdapterOptions {
  /** Extensions the random calls ring. */
  extensions: readonly string[];
  /** Numbers of "known" callers (e.g. the demo org's contacts). */
  numbers: readonly string[];
  /** Milliseconds between random calls; 0 = only triggered calls. */
  intervalMs: number;
  logger: Logger;
  /** Returns [0, 1); defaults to Math.random. */
  random?: () => number;
  scheduler?: SimulatorScheduler;
  now?: () => Date;
}

export interface TriggerCallSpec {
  direction?: CallDirection;
  /** One extension, or several for a ring group (all ring; the first answers). */
  extension: string | readonly string[];
  number: string;
  /** After how long the call is answered; undefined = a few seconds, null = never. */
  answerAfterMs?: number | null;
  /** After how long (from the ring) it ends; undefined = a while after, null = never. */
  hangupAfterMs?: number | null;
  pbxCallId?: string;
  /** For an outbound call the bridge originated. */
  dialRequestId?: string;
}

interface SimulatedPresence {
  state: PresenceState;
  queuePaused: boolean;
  pauseReason?: string;
}

interface SimulatedCall {
  extensions: string[];
  answered: boolean;
  timers: Set<unknown>;
  /** An attended transfer under way: who consults whom. */
  consult?: { from: string; to: ControlTarget };
}

/** How long a colleague's phone rings on a transfer or consultation before they pick up. */
export const CONTROL_ANSWER_MS = 2500;

const realScheduler: SimulatorScheduler = {
  setTimeout(callback, ms) {
    const handle = setTimeout(callback, ms);
    // Never keep the process alive for a made-up call.
    handle.unref();
    return handle;
  },
  clearTimeout(handle) {
    clearTimeout(handle as NodeJS.Timeout);
  },
};

/** Shares of the random calls by kind (the rest are known callers). */
const SHARE_WITHHELD = 0.08;
const SHARE_INTERNAL = 0.07;
const SHARE_UNKNOWN = 0.15;
const SHARE_RING_GROUP = 0.1;
const SHARE_OUTBOUND = 0.1;
const SHARE_ANSWERED = 0.7;

export class SimulatorPbxAdapter implements PbxAdapter {
  readonly name = 'simulator';
  private readonly options: SimulatorPbxAdapterOptions;
  private readonly random: () => number;
  private readonly scheduler: SimulatorScheduler;
  private readonly now: () => Date;
  private readonly calls = new Map<string, SimulatedCall>();
  private listener: CallEventListener | undefined;
  private resumed: ResumeState | undefined;
  private ticker: unknown;
  private counter = 0;
  private linkUp = true;
  private readonly connectionListeners: ((connected: boolean) => void)[] = [];
  private readonly presenceListeners: PresenceListener[] = [];
  /** Extensions whose presence is not Available and taking queue calls. */
  private readonly presence = new Map<string, SimulatedPresence>();
  private readonly runId = Date.now().toString(36);

  /** The extensions it rings (on its own every intervalMs, when that is above 0). */
  get extensions(): readonly string[] {
    return this.options.extensions;
  }

  constructor(options: SimulatorPbxAdapterOptions) {
    if (options.intervalMs < 0) throw new RangeError('intervalMs must be 0 or more');
    this.options = options;
    this.random = options.random ?? Math.random;
    this.scheduler = options.scheduler ?? realScheduler;
    this.now = options.now ?? (() => new Date());
  }

  start(listener: CallEventListener): Promise<void> {
    this.listener = listener;
    // Calls of a previous run died with it: they ended while the bridge was down.
    const resumed = this.resumed;
    this.resumed = undefined;
    if (resumed !== undefined) {
      const estimate = { from: resumed.lastSeenAt, to: this.now() };
      const at = new Date((estimate.from.getTime() + estimate.to.getTime()) / 2);
      for (const pbxCallId of resumed.openCalls)
        this.emit({ type: 'finished', pbxCallId, at, estimate });
    }
    if (this.options.intervalMs > 0 && this.options.extensions.length > 0) {
      this.options.logger.info(
        { intervalMs: this.options.intervalMs, extensions: this.options.extensions },
        'simulator PBX rings random calls',
      );
      this.scheduleTick();
    }
    return Promise.resolve();
  }

  stop(): Promise<void> {
    this.listener = undefined;
    if (this.ticker !== undefined) this.scheduler.clearTimeout(this.ticker);
    this.ticker = undefined;
    for (const call of this.calls.values()) this.clearTimers(call);
    this.calls.clear();
    return Promise.resolve();
  }

  isConnected(): boolean {
    return this.listener !== undefined && this.linkUp;
  }

  onConnectionChange(listener: (connected: boolean) => void): void {
    this.connectionListeners.push(listener);
  }

  /**
   * Plays the link to the PBX going down (false) and coming back (true), as an AMI cut does:
   * the bridge reports it and reps are told. Meanwhile no new call rings and dial is refused;
   * calls already in progress carry on (a real PBX's would, unseen, until the link is back).
   */
  setLinkUp(up: boolean): void {
    if (this.linkUp === up) return;
    this.linkUp = up;
    this.options.logger.info(
      { connected: up },
      up ? 'simulator PBX link up' : 'simulator PBX link down',
    );
    for (const listener of this.connectionListeners) listener(this.isConnected());
  }

  /** A simulated call never survives a restart: start() ends the calls of the last run. */
  resume(state: ResumeState): void {
    this.resumed = state;
  }

  listUsers(): Promise<PbxUser[]> {
    return Promise.resolve([]);
  }

  presenceSupport(): PbxPresenceSupport {
    return { states: [...PRESENCE_STATE_ORDER], queuePause: true };
  }

  /** As a PBX does: takes the change, and reports it (what every tab of the rep then shows). */
  setPresence(extension: string, change: PresenceChange): Promise<void> {
    if (!this.isConnected())
      return Promise.reject(
        new SwitchboardError(ErrorCodes.PBX_UNREACHABLE, 'The simulator PBX link is down', {
          status: 503,
          hint: 'Try again once the phone system is connected.',
        }),
      );
    this.changePresence(extension, change);
    return Promise.resolve();
  }

  readPresence(extension: string): Promise<PresenceReport | undefined> {
    return Promise.resolve(this.reportOf(extension));
  }

  onPresenceChange(listener: PresenceListener): void {
    this.presenceListeners.push(listener);
  }

  /** A rep pressing DND or queue pause on the desk phone (the demo API, tests). */
  changeOnPhone(extension: string, change: PresenceChange): void {
    this.changePresence(extension, change);
  }

  private changePresence(extension: string, change: PresenceChange): void {
    const before = this.presence.get(extension) ?? { state: 'available', queuePaused: false };
    const queuePaused = change.queuePaused ?? before.queuePaused;
    const pauseReason = queuePaused
      ? change.queuePaused === true
        ? change.pauseReason
        : before.pauseReason
      : undefined;
    this.presence.set(extension, {
      state: change.state ?? before.state,
      queuePaused,
      ...(pauseReason === undefined ? {} : { pauseReason }),
    });
    this.options.logger.info({ extension, ...change }, 'simulator presence changed');
    const report = this.reportOf(extension);
    for (const listener of this.presenceListeners) listener(report);
  }

  private reportOf(extension: string): PresenceReport {
    const presence = this.presence.get(extension) ?? { state: 'available', queuePaused: false };
    return {
      extension,
      states: [presence.state],
      queuePaused: presence.queuePaused,
      ...(presence.pauseReason === undefined ? {} : { pauseReason: presence.pauseReason }),
      at: this.now(),
    };
  }

  /** Who of these a call may ring: nobody on DND; in a ring group, nobody paused either. */
  private reachable(extensions: readonly string[]): string[] {
    const group = extensions.length > 1;
    return extensions.filter((extension) => {
      const presence = this.presence.get(extension);
      return (
        presence === undefined || !(presence.state === 'dnd' || (group && presence.queuePaused))
      );
    });
  }

  /** Simulates click-to-dial: the rep's phone "dials", the callee answers, they talk, it ends. */
  dial(request: DialRequest): Promise<DialResult> {
    try {
      const pbxCallId = this.triggerCall({
        direction: 'outbound',
        extension: request.extension,
        number: request.callNumber ?? request.number,
        answerAfterMs: 3000,
        hangupAfterMs: 3000 + 20_000,
        dialRequestId: request.requestId,
      });
      return Promise.resolve({ pbxCallId });
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** The simulator can do every call control. */
  controls(): readonly CallControlAction[] {
    return CALL_CONTROL_ACTIONS;
  }

  /** Plays a call control as a PBX would, with the events a real one sends. */
  control(request: PbxControlRequest): Promise<void> {
    try {
      this.applyControl(request);
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private applyControl({ action, pbxCallId, extension, to }: PbxControlRequest): void {
    const call = this.calls.get(pbxCallId);
    if (this.listener === undefined || !this.linkUp)
      throw new SwitchboardError(ErrorCodes.PBX_UNREACHABLE, 'The simulator PBX link is down', {
        status: 503,
      });
    if (call === undefined)
      throw new SwitchboardError(ErrorCodes.PBX_REFUSED, 'The PBX has no such call any more', {
        status: 409,
        hint: 'The call ended meanwhile.',
      });
    const at = this.now();
    switch (action) {
      case 'hangup':
        this.hangupLeg(pbxCallId, call, extension);
        return;
      case 'hold':
      case 'resume':
        this.emit({ type: action === 'hold' ? 'held' : 'resumed', pbxCallId, extension, at });
        return;
      case 'transfer':
        if (to === undefined) break;
        this.handOver(pbxCallId, call, extension, to);
        return;
      case 'consult':
        if (to === undefined) break;
        call.consult = { from: extension, to };
        if (to.extension !== undefined) {
          const target = to.extension;
          this.emit({
            type: 'ringing',
            pbxCallId,
            extension: target,
            direction: 'inbound',
            number: extension,
            at,
          });
          this.later(call, CONTROL_ANSWER_MS, () => {
            // Still consulting, or handed over while it rang: the colleague picks up.
            if (call.consult?.to.extension === target || call.extensions.includes(target))
              this.emit({ type: 'answered', pbxCallId, extension: target, at: this.now() });
          });
        }
        return;
      case 'consult.complete':
      case 'consult.cancel': {
        const consult = call.consult;
        if (consult === undefined) break;
        call.consult = undefined;
        if (action === 'consult.complete')
          this.handOver(pbxCallId, call, consult.from, consult.to, true);
        else if (consult.to.extension !== undefined)
          this.emit({ type: 'ended', pbxCallId, extension: consult.to.extension, at });
        return;
      }
    }
    throw new SwitchboardError(ErrorCodes.PBX_REFUSED, `The PBX cannot ${action} now`, {
      status: 409,
    });
  }

  /**
   * Hangs up one leg: the caller too, unless others still ring (a ring group) or the leg was a
   * consultation.
   */
  private hangupLeg(pbxCallId: string, call: SimulatedCall, extension: string): void {
    const consult = call.consult;
    if (consult?.from === extension && consult.to.extension !== undefined) {
      // As on Asterisk: the consulting rep hanging up hands the caller to the colleague.
      call.consult = undefined;
      this.handOver(pbxCallId, call, extension, consult.to, true);
      return;
    }
    if (consult?.to.extension === extension) {
      call.consult = undefined;
      this.emit({ type: 'ended', pbxCallId, extension, at: this.now() });
      return;
    }
    const others = call.extensions.filter((e) => e !== extension);
    if (!call.answered && others.length > 0) {
      call.extensions = others;
      this.emit({ type: 'ended', pbxCallId, extension, at: this.now() });
      return;
    }
    this.hangup(pbxCallId);
  }

  /**
   * The caller goes to `to`: a colleague's phone rings (or takes over the consultation) and
   * the rep's leg ends; to an outside number, the call leaves the PBX's view.
   */
  private handOver(
    pbxCallId: string,
    call: SimulatedCall,
    from: string,
    to: ControlTarget,
    consulted = false,
  ): void {
    const at = this.now();
    const target = to.extension;
    if (target === undefined) {
      this.clearTimers(call);
      this.calls.delete(pbxCallId);
      this.emit({ type: 'ended', pbxCallId, extension: from, reason: 'completed', at });
      return;
    }
    call.extensions = [target];
    this.emit({ type: 'transferred', pbxCallId, extension: from, toExtension: target, at });
    if (!consulted)
      this.later(call, CONTROL_ANSWER_MS, () => {
        this.emit({ type: 'answered', pbxCallId, extension: target, at: this.now() });
      });
  }

  /** Rings now; returns the PBX call id. Throws when the simulator is not running. */
  triggerCall(spec: TriggerCallSpec): string {
    if (this.listener === undefined)
      throw new SwitchboardError(ErrorCodes.PBX_UNREACHABLE, 'The simulator PBX is not running', {
        status: 409,
      });
    if (!this.linkUp)
      throw new SwitchboardError(ErrorCodes.PBX_UNREACHABLE, 'The simulator PBX link is down', {
        status: 409,
        hint: 'the link comes back with setLinkUp(true)',
      });
    const asked = typeof spec.extension === 'string' ? [spec.extension] : [...spec.extension];
    if (asked.length === 0)
      throw new SwitchboardError(ErrorCodes.PBX_EVENT_INVALID, 'No extension to ring', {
        status: 400,
      });
    // The rep's own click-to-dial rings their phone whatever its presence (DND is for callers).
    const extensions = spec.direction === 'outbound' ? asked : this.reachable(asked);
    if (extensions.length === 0)
      throw new SwitchboardError(
        ErrorCodes.PBX_REFUSED,
        `Nobody to ring: ${asked.join(', ')} ${asked.length > 1 ? 'are' : 'is'} on Do not disturb or paused`,
        { status: 409, hint: 'A call to a rep on Do not disturb is refused as busy.' },
      );
    // Unique across runs too: the call log keys Tasks by call id in a database that outlives us.
    const pbxCallId = spec.pbxCallId ?? `sim-${this.runId}-${++this.counter}`;
    if (this.calls.has(pbxCallId))
      throw new SwitchboardError(ErrorCodes.PBX_EVENT_INVALID, `Call ${pbxCallId} is in progress`, {
        status: 409,
      });
    const call: SimulatedCall = { extensions, answered: false, timers: new Set() };
    this.calls.set(pbxCallId, call);
    const direction = spec.direction ?? 'inbound';
    this.options.logger.debug(
      { pbxCallId, extensions, direction, number: numberForLog(this.options.logger, spec.number) },
      'simulated call',
    );
    for (const extension of extensions) {
      this.emit({
        type: 'ringing',
        pbxCallId,
        extension,
        direction,
        number: spec.number,
        at: this.now(),
        ...(spec.dialRequestId === undefined ? {} : { dialRequestId: spec.dialRequestId }),
      });
    }

    const answerAfter =
      spec.answerAfterMs === undefined ? this.between(2000, 6000) : spec.answerAfterMs;
    const hangupAfter =
      spec.hangupAfterMs === undefined
        ? answerAfter === null
          ? this.between(12_000, 20_000)
          : answerAfter + this.between(8000, 30_000)
        : spec.hangupAfterMs;
    if (answerAfter !== null) this.later(call, answerAfter, () => this.answer(pbxCallId));
    if (hangupAfter !== null) this.later(call, hangupAfter, () => this.hangup(pbxCallId));
    return pbxCallId;
  }

  /** Answers on `extension` (default: the first that rang); false if unknown or answered. */
  answer(pbxCallId: string, extension?: string): boolean {
    const call = this.calls.get(pbxCallId);
    if (call === undefined || call.answered || this.listener === undefined) return false;
    call.answered = true;
    this.emit({
      type: 'answered',
      pbxCallId,
      extension: extension ?? call.extensions[0],
      at: this.now(),
    });
    return true;
  }

  /** Ends every leg of the call; false if it is unknown (already ended). */
  hangup(pbxCallId: string, reason?: EndReason): boolean {
    const call = this.calls.get(pbxCallId);
    if (call === undefined) return false;
    this.clearTimers(call);
    this.calls.delete(pbxCallId);
    this.emit({
      type: 'ended',
      pbxCallId,
      at: this.now(),
      ...(reason === undefined ? {} : { reason }),
    });
    return true;
  }

  /** Calls in progress (rung and not yet ended). */
  get activeCallCount(): number {
    return this.calls.size;
  }

  private scheduleTick(): void {
    this.ticker = this.scheduler.setTimeout(() => {
      if (this.listener === undefined) return;
      if (!this.linkUp) {
        this.scheduleTick();
        return;
      }
      try {
        this.randomCall();
      } catch (error) {
        this.options.logger.warn(
          { err: error instanceof Error ? error.message : String(error) },
          'simulated call failed',
        );
      }
      this.scheduleTick();
    }, this.options.intervalMs);
  }

  private randomCall(): void {
    const { numbers } = this.options;
    const extensions = this.options.extensions;
    const extension = this.pick(extensions.filter((e) => this.presence.get(e)?.state !== 'dnd'));
    if (extension === undefined) return;
    const kind = this.random();
    let number: string;
    if (kind < SHARE_WITHHELD) number = 'anonymous';
    else if (kind < SHARE_WITHHELD + SHARE_INTERNAL)
      number = this.pick(extensions.filter((e) => e !== extension)) ?? '299';
    else if (kind < SHARE_WITHHELD + SHARE_INTERNAL + SHARE_UNKNOWN || numbers.length === 0)
      // 555-01xx numbers are reserved for fiction: nobody real is called.
      number = `+1 415 555 01${String(Math.floor(this.random() * 100)).padStart(2, '0')}`;
    else number = this.pick(numbers) ?? 'anonymous';

    const ringGroup = extensions.length >= 2 && this.random() < SHARE_RING_GROUP;
    const group = ringGroup
      ? [extension, this.pick(extensions.filter((e) => e !== extension)) ?? extension]
      : [extension];
    const outbound = !ringGroup && this.random() < SHARE_OUTBOUND;
    this.triggerCall({
      direction: outbound ? 'outbound' : 'inbound',
      extension: group,
      number,
      answerAfterMs: this.random() < SHARE_ANSWERED ? this.between(2000, 6000) : null,
    });
  }

  private later(call: SimulatedCall, ms: number, action: () => void): void {
    const handle = this.scheduler.setTimeout(() => {
      call.timers.delete(handle);
      action();
    }, ms);
    call.timers.add(handle);
  }

  private clearTimers(call: SimulatedCall): void {
    for (const handle of call.timers) this.scheduler.clearTimeout(handle);
    call.timers.clear();
  }

  private emit(event: CallEvent): void {
    const listener = this.listener;
    if (listener === undefined) return;
    try {
      listener(event);
    } catch (error) {
      this.options.logger.error(
        { err: error instanceof Error ? error.message : String(error), pbxCallId: event.pbxCallId },
        'call event could not be handled',
      );
    }
  }

  private pick<T>(items: readonly T[]): T | undefined {
    return items[Math.floor(this.random() * items.length)];
  }

  private between(min: number, max: number): number {
    return Math.round(min + this.random() * (max - min));
  }
}
