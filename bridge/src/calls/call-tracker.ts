// Call state for the whole bridge: applies CallEvents to legs and says which Calls changed.
// Pure state — no I/O, no timers, no clock of its own: time comes from the events, from the
// bridge's time each event was received (apply's `receivedAt`) and from the `now` handed to
// expireStale(), so every rule here is testable as a table. What a leg shows (startedAt,
// answeredAt, endedAt) is the PBX's time; how long the bridge keeps a leg is measured on the
// bridge's own clock, so a PBX whose clock is off neither ends calls at once nor keeps ghosts.
//
// One Call per leg: a leg is one extension's part of a PBX call, and its id is
// `${pbxCallId}:${extension}` (see legId). A ring-group or queue call that rings three
// phones is three legs sharing one pbxCallId; each rep sees only their own leg.
import type {
  Call,
  CallEvent,
  CallLogView,
  CallMatch,
  ConsultView,
  EndReason,
  LookupState,
  TimeWindow,
} from './call';

/** The id of the Call for one extension's leg of a PBX call. */
export function legId(pbxCallId: string, extension: string): string {
  return `${pbxCallId}:${extension}`;
}

/** What the phone module found out about the remote number of a ringing call. */
export interface RingInfo {
  e164: string | null;
  /** `e164` as a rep reads it (Call.display). */
  display?: string;
  withheld: boolean;
  internal: boolean;
}

export interface CallTrackerOptions {
  /** Hard cap on active legs; beyond it the oldest is ended so a leaking PBX cannot exhaust memory. */
  maxActive?: number;
  /** How many ended legs are remembered for late events, call.link and notes. */
  maxEnded?: number;
  /** How long ended legs are remembered. */
  endedRetentionMs?: number;
  /** A leg ringing (or dialing) longer than this is ended by expireStale as missed/no-answer. */
  maxRingMs?: number;
  /** A connected leg older than this is ended by expireStale: the PBX never sent `ended`. */
  maxConnectedMs?: number;
}

export const CALL_TRACKER_DEFAULTS: Required<CallTrackerOptions> = {
  maxActive: 5000,
  maxEnded: 1000,
  endedRetentionMs: 15 * 60_000,
  maxRingMs: 5 * 60_000,
  maxConnectedMs: 12 * 60 * 60_000,
};

interface Leg {
  pbxCallId: string;
  dialRequestId: string | undefined;
  call: Call;
  /** Bridge time (ms) the leg entered its current state: what expiry and retention measure. */
  sinceMs: number;
}

/** An `ended` for a PBX call the bridge never saw ring: its late `ringing` must not open it. */
interface EndedUnseen {
  /** The extensions it named, or every leg of the call. */
  extensions: Set<string> | 'all';
  seenMs: number;
}

/** A copy the caller may keep: later changes to the leg do not reach it. */
function snapshot(call: Call): Call {
  const copy: Call = { ...call, matches: call.matches.map((m) => ({ ...m })) };
  if (call.consult !== undefined) copy.consult = { ...call.consult };
  if (call.estimated !== undefined) copy.estimated = { ...call.estimated };
  return copy;
}

/** Marks one of the call's times as an estimate within `window`. */
function estimated(call: Call, field: 'answeredAt' | 'endedAt', window: TimeWindow): void {
  call.estimated = {
    ...call.estimated,
    [field]: { from: window.from.toISOString(), to: window.to.toISOString() },
  };
}

function defaultEndReason(call: Call): EndReason {
  if (call.state === 'connected') return 'completed';
  return call.direction === 'inbound' ? 'missed' : 'no-answer';
}

export class CallTracker {
  private readonly options: Required<CallTrackerOptions>;
  /** Active legs by Call id, in order of creation (the oldest first, for the cap). */
  private readonly active = new Map<string, Leg>();
  /** Recently ended legs by Call id, in order of ending (the oldest first, for pruning). */
  private readonly ended = new Map<string, Leg>();
  /** Call ids of every remembered leg (active or ended) of each PBX call. */
  private readonly byPbxCall = new Map<string, Set<string>>();
  /** PBX calls that ended before they rang here, oldest first. */
  private readonly endedUnseen = new Map<string, EndedUnseen>();

  /** The bridge time of the event being applied (set by apply, read by the helpers). */
  private receivedMs = 0;

  constructor(options: CallTrackerOptions = {}) {
    this.options = { ...CALL_TRACKER_DEFAULTS, ...options };
    if (this.options.maxActive < 1) throw new RangeError('maxActive must be at least 1');
  }

  /**
   * Applies one event and returns every Call that changed (snapshots), in a sensible order
   * to publish. Unknown or duplicate events change nothing and return []. `ring` describes
   * the number of a `ringing` event; without it the number is treated as unparseable.
   * `receivedAt` is the bridge's time (default: the event's own).
   */
  apply(event: CallEvent, ring?: RingInfo, receivedAt: Date = event.at): Call[] {
    const changed: Leg[] = [];
    this.receivedMs = receivedAt.getTime();
    switch (event.type) {
      case 'ringing':
        this.applyRinging(event, ring, changed);
        break;
      case 'answered':
        this.applyAnswered(event.pbxCallId, event.extension, event.at, changed, event.estimate);
        break;
      case 'ended':
        this.applyEnded(event.pbxCallId, event.extension, event.at, event.reason, changed, {
          estimate: event.estimate,
          notDialed: event.notDialed === true,
        });
        break;
      case 'finished':
        // The whole PBX call is over: whatever the PBX never ended ends with it.
        this.applyEnded(event.pbxCallId, undefined, event.at, undefined, changed, {
          estimate: event.estimate,
          notDialed: false,
        });
        break;
      case 'held':
      case 'resumed':
        this.applyHold(event.pbxCallId, event.extension, event.type === 'held', changed);
        break;
      case 'transferred':
        this.applyTransferred(
          event.pbxCallId,
          event.extension,
          event.toExtension,
          event.at,
          changed,
        );
        break;
    }
    // A leg can change twice in one event (created, then connected): report it once.
    return [...new Set(changed)].map((leg) => snapshot(leg.call));
  }

  get(callId: string): Call | undefined {
    const leg = this.find(callId);
    return leg === undefined ? undefined : snapshot(leg.call);
  }

  /** The PBX call id behind a Call id, for remembered legs. */
  pbxCallIdOf(callId: string): string | undefined {
    return this.find(callId)?.pbxCallId;
  }

  /** The dial request that originated this leg, if the bridge placed the call. */
  dialRequestIdOf(callId: string): string | undefined {
    return this.find(callId)?.dialRequestId;
  }

  /** Every remembered leg (active and recently ended) of one PBX call. */
  legsOf(pbxCallId: string): Call[] {
    const ids = this.byPbxCall.get(pbxCallId);
    if (ids === undefined) return [];
    const calls: Call[] = [];
    for (const id of ids) {
      const leg = this.find(id);
      if (leg !== undefined) calls.push(snapshot(leg.call));
    }
    return calls;
  }

  /** Whether any leg of this PBX call is still ringing, dialing or connected. */
  hasActiveLegs(pbxCallId: string): boolean {
    return this.activeLegsOf(pbxCallId).length > 0;
  }

  /**
   * Puts back the legs a previous run of the bridge had not ended (from the durable store);
   * ended ones are not needed here. Known legs are left as they are.
   */
  restore(legs: readonly { call: Call; pbxCallId: string; dialRequestId?: string }[]): Call[] {
    const changed: Leg[] = [];
    for (const { call, pbxCallId, dialRequestId } of legs) {
      if (call.state === 'ended' || this.find(call.id) !== undefined) continue;
      // In its state since it rang or was answered, not since the restart: expiry measures that.
      this.receivedMs = Date.parse(call.answeredAt ?? call.startedAt);
      this.add({ pbxCallId, dialRequestId, call: snapshot(call), sinceMs: 0 }, changed);
    }
    return [...new Set(changed)].map((leg) => snapshot(leg.call));
  }

  /** Active legs on any of these extensions, oldest first (what a reconnecting rep is sent). */
  activeCallsForExtensions(extensions: readonly string[]): Call[] {
    const wanted = new Set(extensions);
    const calls: Call[] = [];
    for (const leg of this.active.values()) {
      if (wanted.has(leg.call.extension)) calls.push(snapshot(leg.call));
    }
    return calls;
  }

  get activeCount(): number {
    return this.active.size;
  }

  /** Remembers the record the rep chose for this call; undefined when the call is forgotten. */
  linkRecord(callId: string, recordId: string): Call | undefined {
    const leg = this.find(callId);
    if (leg === undefined) return undefined;
    leg.call.linkedRecordId = recordId;
    return snapshot(leg.call);
  }

  /**
   * Sets or clears the consultation of an attended transfer on an active leg; undefined when
   * the leg is not active.
   */
  setConsult(callId: string, consult: ConsultView | undefined): Call | undefined {
    const leg = this.active.get(callId);
    if (leg === undefined) return undefined;
    if (consult === undefined) delete leg.call.consult;
    else leg.call.consult = { ...consult };
    return snapshot(leg.call);
  }

  /** Sets the call-log status of one leg; undefined when the call is forgotten. */
  setLog(callId: string, log: CallLogView): Call | undefined {
    const leg = this.find(callId);
    if (leg === undefined) return undefined;
    leg.call.log = { ...log };
    return snapshot(leg.call);
  }

  /** Sets the caller lookup outcome of one leg; undefined when the call is forgotten. */
  setLookup(callId: string, lookup: LookupState, matches: CallMatch[]): Call | undefined {
    const leg = this.find(callId);
    if (leg === undefined) return undefined;
    leg.call.lookup = lookup;
    leg.call.matches = matches.map((m) => ({ ...m }));
    return snapshot(leg.call);
  }

  /**
   * Ends legs the PBX seems to have forgotten (ringing beyond maxRingMs, connected beyond
   * maxConnectedMs) and forgets ended legs past retention. Returns the legs it ended.
   */
  expireStale(now: Date): Call[] {
    const nowMs = now.getTime();
    this.receivedMs = nowMs;
    const changed: Leg[] = [];
    for (const leg of [...this.active.values()]) {
      const limit =
        leg.call.state === 'connected' ? this.options.maxConnectedMs : this.options.maxRingMs;
      if (nowMs - leg.sinceMs > limit) {
        this.end(leg, now, defaultEndReason(leg.call));
        changed.push(leg);
      }
    }
    this.pruneEnded(nowMs);
    for (const [pbxCallId, unseen] of this.endedUnseen) {
      if (nowMs - unseen.seenMs <= this.options.endedRetentionMs) break; // in order
      this.endedUnseen.delete(pbxCallId);
    }
    return changed.map((leg) => snapshot(leg.call));
  }

  private applyRinging(
    event: Extract<CallEvent, { type: 'ringing' }>,
    ring: RingInfo | undefined,
    changed: Leg[],
  ): void {
    const { extension } = event;
    if (extension === undefined) return; // nobody to show it to; the service logs this
    const id = legId(event.pbxCallId, extension);
    if (this.active.has(id)) return; // a duplicate
    const unseen = this.endedUnseen.get(event.pbxCallId);
    // Its `ended` overtook it (a webhook retry, two PBX threads): the call is over already.
    if (unseen !== undefined && (unseen.extensions === 'all' || unseen.extensions.has(extension)))
      return;
    const ended = this.ended.get(id);
    if (ended !== undefined) {
      // After the leg ended: a queue ringing the agent again in its next round. Not after:
      // a late duplicate (a webhook retry), which changes nothing.
      if (event.at.getTime() <= Date.parse(ended.call.endedAt ?? ended.call.startedAt)) return;
      this.forget(ended);
    }
    const info = ring ?? { e164: null, withheld: false, internal: false };
    // Legs of one PBX call share the caller lookup: a late ring-group leg inherits it.
    const sibling = this.firstLeg(event.pbxCallId);
    const lookupNeeded = info.e164 !== null && !info.withheld && !info.internal;
    const call: Call = {
      id,
      direction: event.direction,
      state: event.direction === 'inbound' ? 'ringing' : 'dialing',
      extension,
      number: event.number,
      e164: info.e164,
      ...(info.display === undefined ? {} : { display: info.display }),
      withheld: info.withheld,
      internal: info.internal,
      startedAt: event.at.toISOString(),
      lookup: sibling?.call.lookup ?? (lookupNeeded ? 'pending' : 'done'),
      matches: sibling?.call.matches.map((m) => ({ ...m })) ?? [],
    };
    this.add(
      { pbxCallId: event.pbxCallId, dialRequestId: event.dialRequestId, call, sinceMs: 0 },
      changed,
    );
  }

  private applyAnswered(
    pbxCallId: string,
    extension: string | undefined,
    at: Date,
    changed: Leg[],
    estimate?: TimeWindow,
  ): void {
    const live = this.activeLegsOf(pbxCallId);
    if (extension === undefined) {
      // The PBX did not say who answered: every leg still ringing is connected (documented;
      // PBXes with ring groups should name the extension).
      for (const leg of live) if (this.connect(leg, at)) changed.push(leg);
      return;
    }
    const id = legId(pbxCallId, extension);
    let answered = this.active.get(id);
    if (answered === undefined) {
      if (this.ended.has(id)) return; // a late duplicate for a leg that has ended
      // Answered on a phone that never rang here (call pickup): make its leg from a sibling.
      const template = live[0] ?? this.firstLeg(pbxCallId);
      if (template === undefined) return; // a call we never saw ring: nothing to show
      answered = this.cloneLeg(template, extension, at, changed);
    }
    if (this.connect(answered, at)) {
      if (estimate !== undefined) estimated(answered.call, 'answeredAt', estimate);
      changed.push(answered);
    }
    // Queue / ring-group semantics: the colleagues' phones stop ringing. A leg that is
    // dialing (the caller's side of an internal call, 201 → 202) is connected, not ended.
    for (const leg of live) {
      if (leg !== answered && leg.call.state === 'dialing') {
        if (this.connect(leg, at)) changed.push(leg);
      } else if (leg !== answered && leg.call.state !== 'connected') {
        this.end(leg, at, 'answered-elsewhere');
        changed.push(leg);
      }
    }
  }

  private applyEnded(
    pbxCallId: string,
    extension: string | undefined,
    at: Date,
    reason: EndReason | undefined,
    changed: Leg[],
    how: { estimate: TimeWindow | undefined; notDialed: boolean },
  ): void {
    if (!this.byPbxCall.has(pbxCallId)) {
      this.rememberEndedUnseen(pbxCallId, extension);
      return;
    }
    const legs =
      extension === undefined
        ? this.activeLegsOf(pbxCallId)
        : [this.active.get(legId(pbxCallId, extension))].filter((l) => l !== undefined);
    for (const leg of legs) {
      this.end(leg, at, reason ?? defaultEndReason(leg.call));
      if (how.estimate !== undefined) estimated(leg.call, 'endedAt', how.estimate);
      if (how.notDialed) leg.call.notDialed = true;
      changed.push(leg);
    }
  }

  private rememberEndedUnseen(pbxCallId: string, extension: string | undefined): void {
    const known = this.endedUnseen.get(pbxCallId);
    this.endedUnseen.delete(pbxCallId); // re-inserted last: the map stays in order of time
    const extensions =
      extension === undefined || known?.extensions === 'all'
        ? 'all'
        : new Set([...(known?.extensions ?? []), extension]);
    this.endedUnseen.set(pbxCallId, { extensions, seenMs: this.receivedMs });
    while (this.endedUnseen.size > this.options.maxEnded) {
      const oldest = this.endedUnseen.keys().next();
      if (oldest.done === true) break;
      this.endedUnseen.delete(oldest.value);
    }
  }

  /** Hold or resume: the named leg, or every connected leg of the call. */
  private applyHold(
    pbxCallId: string,
    extension: string | undefined,
    held: boolean,
    changed: Leg[],
  ): void {
    const legs =
      extension === undefined
        ? this.activeLegsOf(pbxCallId)
        : [this.active.get(legId(pbxCallId, extension))].filter((l) => l !== undefined);
    for (const leg of legs) {
      if (leg.call.state !== 'connected' || (leg.call.held === true) === held) continue;
      if (held) leg.call.held = true;
      else delete leg.call.held;
      changed.push(leg);
    }
  }

  private applyTransferred(
    pbxCallId: string,
    extension: string | undefined,
    toExtension: string,
    at: Date,
    changed: Leg[],
  ): void {
    const live = this.activeLegsOf(pbxCallId);
    const from =
      extension === undefined
        ? (live.find((l) => l.call.state === 'connected') ?? live[0])
        : this.active.get(legId(pbxCallId, extension));
    if (from === undefined || from.call.extension === toExtension) return;
    this.end(from, at, from.call.state === 'connected' ? 'completed' : 'answered-elsewhere');
    changed.push(from);
    const consulted = this.active.get(legId(pbxCallId, toExtension));
    if (consulted !== undefined) {
      // An attended transfer: the colleague's leg was the consultation with the first rep; it
      // now carries the caller, and their conversation with the caller starts now.
      this.takeOver(consulted, from.call, at);
      changed.push(consulted);
      return;
    }
    const to = this.cloneLeg(from, toExtension, at, changed);
    to.call.state = 'ringing';
  }

  /** The remote party of `source` (number, lookup, chosen record) onto `leg`. */
  private takeOver(leg: Leg, source: Call, at: Date): void {
    const call = leg.call;
    call.direction = source.direction;
    call.number = source.number;
    call.e164 = source.e164;
    if (source.display === undefined) delete call.display;
    else call.display = source.display;
    call.withheld = source.withheld;
    call.internal = source.internal;
    call.lookup = source.lookup;
    call.matches = source.matches.map((m) => ({ ...m }));
    if (source.linkedRecordId !== undefined) call.linkedRecordId = source.linkedRecordId;
    if (call.state === 'connected') call.answeredAt = at.toISOString();
  }

  /** A new active leg on `extension` carrying the number, lookup and link of `template`. */
  private cloneLeg(template: Leg, extension: string, at: Date, changed: Leg[]): Leg {
    const source = template.call;
    const call: Call = {
      id: legId(template.pbxCallId, extension),
      direction: source.direction,
      state: source.direction === 'inbound' ? 'ringing' : 'dialing',
      extension,
      number: source.number,
      e164: source.e164,
      ...(source.display === undefined ? {} : { display: source.display }),
      withheld: source.withheld,
      internal: source.internal,
      startedAt: at.toISOString(),
      lookup: source.lookup,
      matches: source.matches.map((m) => ({ ...m })),
    };
    if (source.linkedRecordId !== undefined) call.linkedRecordId = source.linkedRecordId;
    const leg: Leg = { pbxCallId: template.pbxCallId, dialRequestId: undefined, call, sinceMs: 0 };
    this.add(leg, changed);
    return leg;
  }

  private add(leg: Leg, changed: Leg[]): void {
    // Over the cap, the oldest active leg goes first: it is the likeliest to be a leak.
    while (this.active.size >= this.options.maxActive) {
      const oldest = this.active.values().next().value;
      if (oldest === undefined) break;
      this.end(oldest, new Date(leg.call.startedAt), defaultEndReason(oldest.call));
      changed.push(oldest);
    }
    leg.sinceMs = this.receivedMs;
    this.active.set(leg.call.id, leg);
    let ids = this.byPbxCall.get(leg.pbxCallId);
    if (ids === undefined) {
      ids = new Set();
      this.byPbxCall.set(leg.pbxCallId, ids);
    }
    ids.add(leg.call.id);
    changed.push(leg);
  }

  /** Connects a ringing/dialing leg; false when it already was connected. */
  private connect(leg: Leg, at: Date): boolean {
    if (leg.call.state === 'connected' || leg.call.state === 'ended') return false;
    leg.call.state = 'connected';
    leg.call.answeredAt = at.toISOString();
    leg.sinceMs = this.receivedMs;
    return true;
  }

  private end(leg: Leg, at: Date, reason: EndReason): void {
    leg.call.state = 'ended';
    // A call that ended is neither on hold nor consulting anyone any more.
    delete leg.call.held;
    delete leg.call.consult;
    leg.call.endedAt = at.toISOString();
    leg.call.endReason = reason;
    leg.sinceMs = this.receivedMs;
    this.active.delete(leg.call.id);
    this.ended.set(leg.call.id, leg);
    while (this.ended.size > this.options.maxEnded) {
      const oldest = this.ended.values().next().value;
      if (oldest === undefined) break;
      this.forget(oldest);
    }
  }

  private pruneEnded(nowMs: number): void {
    for (const leg of [...this.ended.values()]) {
      if (nowMs - leg.sinceMs <= this.options.endedRetentionMs) break; // ended in order
      this.forget(leg);
    }
  }

  private forget(leg: Leg): void {
    this.ended.delete(leg.call.id);
    const ids = this.byPbxCall.get(leg.pbxCallId);
    if (ids === undefined) return;
    ids.delete(leg.call.id);
    if (ids.size === 0) this.byPbxCall.delete(leg.pbxCallId);
  }

  private find(callId: string): Leg | undefined {
    return this.active.get(callId) ?? this.ended.get(callId);
  }

  private activeLegsOf(pbxCallId: string): Leg[] {
    const ids = this.byPbxCall.get(pbxCallId);
    if (ids === undefined) return [];
    const legs: Leg[] = [];
    for (const id of ids) {
      const leg = this.active.get(id);
      if (leg !== undefined) legs.push(leg);
    }
    return legs;
  }

  private firstLeg(pbxCallId: string): Leg | undefined {
    const ids = this.byPbxCall.get(pbxCallId);
    if (ids === undefined) return undefined;
    for (const id of ids) {
      const leg = this.find(id);
      if (leg !== undefined) return leg;
    }
    return undefined;
  }
}
