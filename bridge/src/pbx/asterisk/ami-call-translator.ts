// Turns the AMI event stream into our CallEvents. Pure (no I/O): it keeps just enough channel
// and call state to say, per rep extension, when a call rings, is answered and ends, and why,
// and when the whole PBX call is over.
//
// What it keys on (see docs/asterisk.md): DialBegin/DialEnd name both sides of every Dial();
// the side whose channel belongs to a rep (PJSIP/201-…, SIP/201-…, Local/201@ctx-…;1) is a
// rep's leg. Linkedid (shared by every channel of a call, also across transfers) is our
// pbxCallId. Hangup of the rep's own channel ends that rep's leg; the Hangup of the last
// channel of a Linkedid finishes the call (a queue rings its members again under the same
// Linkedid until then). Hold, bridges and queue bookkeeping events change nothing a rep sees.
import type { CallDirection, CallEvent, EndReason, TimeWindow } from '../../calls/call';
import type { ResumeState } from '../adapter';
import type { AmiMessage } from './ami-parser';

export interface TranslatorOptions {
  /** Which channel resources / Local extensions are reps' extensions. */
  extensionPattern: RegExp;
  /** Dialplan contexts of trunks: a Local channel into one of these is never a rep. */
  trunkContexts: readonly string[];
  now: () => Date;
  /**
   * Events carry `Timestamp:` when manager.conf has `timestampevents = yes`: the PBX's own
   * clock is used unless it is further than this from the bridge's (default 5 minutes).
   */
  maxClockSkewMs?: number;
  /** Told once when a Timestamp is ignored because the clocks disagree. */
  onClockSkew?: (skewMs: number) => void;
}

/** A click-to-dial the bridge asked for, waiting for the PBX to ring the rep's phone. */
export interface ExpectedDial {
  requestId: string;
  extension: string;
  /** The number the call is about (shown to the rep and logged): the E.164 the rep dialed. */
  number: string;
}

/** How the rep's own phone took a click-to-dial that failed. */
export type OwnPhoneOutcome = 'busy' | 'no-answer';

interface Leg {
  key: string;
  pbxCallId: string;
  extension: string;
  direction: CallDirection;
  /** The rep's channel (Uniqueid) whose Hangup ends this leg; unknown for a resumed leg. */
  uniqueid: string | undefined;
  /** The rep placed the call by picking up their phone (or our Originate rang it first). */
  role: 'callee' | 'caller';
  /** Originated by AMI/call file: the rep's own phone rings first, then the number. */
  originated: boolean;
  /** For an originated leg: the rep picked up their own phone (the number is dialed next). */
  ownAnswered: boolean;
  dialRequestId: string | undefined;
  answered: boolean;
  transferred: boolean;
  ended: boolean;
  /** The last DialStatus of a Dial() the rep's channel placed (why an outbound call failed). */
  lastDialStatus: string | undefined;
}

interface Channel {
  /** The Linkedid the channel was created with: its Hangup counts for that call. */
  linkedid: string;
  /** Its name (PJSIP/201-0000000e): what call-control actions name. */
  name: string | undefined;
  /** The Cause of a HangupRequest for it (17 = busy, 19 = no answer). */
  hangupCause: string | undefined;
  /** A rep's leg on this channel has ended (a member's DialEnd comes before its Hangup). */
  legEnded?: boolean;
}

const UNKNOWN = new Set(['', '<unknown>', 'unknown']);
/** Q.850 causes: user busy, no answer from user (alerted). */
const CAUSE_BUSY = '17';
const CAUSE_NO_ANSWER = '19';
/** Bounds on bookkeeping a PBX that never sends Hangup could otherwise grow forever. */
const MAX_CHANNELS = 50_000;
const MAX_OUTCOMES = 200;

function known(value: string | undefined): string | undefined {
  return value === undefined || UNKNOWN.has(value.trim()) ? undefined : value.trim();
}

export class AmiCallTranslator {
  private readonly legs = new Map<string, Leg>();
  private readonly byChannel = new Map<string, Leg>();
  private readonly answeredCalls = new Set<string>();
  private readonly expected: ExpectedDial[] = [];
  /** Every channel we know is up, by Uniqueid, and the channels of each Linkedid. */
  private readonly channels = new Map<string, Channel>();
  private readonly callChannels = new Map<string, Set<string>>();
  /** Calls that rang a rep and are not finished yet, with the direction of their first leg. */
  private readonly openCalls = new Map<string, CallDirection>();
  /** How a failed click-to-dial ended at the rep's own phone, by request id. */
  private readonly ownPhoneOutcomes = new Map<string, OwnPhoneOutcome>();
  /** Since when the bridge could not see the PBX (link lost, or down before a restart). */
  private blindSince: Date | undefined;
  private skewReported = false;

  constructor(private readonly options: TranslatorOptions) {}

  /** The rep extension behind a channel name, or undefined for trunks, queues and helpers. */
  extensionOf(channel: string | undefined): string | undefined {
    if (channel === undefined) return undefined;
    const local = /^Local\/([^@]+)@(.+)-[0-9a-f]+;([12])$/i.exec(channel);
    if (local !== null) {
      const [, exten = '', context = '', half] = local;
      // ;1 is the half that was dialed (it stands for the rep's phone); ;2 runs the dialplan.
      if (half !== '1' || this.options.trunkContexts.includes(context)) return undefined;
      return this.options.extensionPattern.test(exten) ? exten : undefined;
    }
    const device =
      /^(?:PJSIP|SIP|IAX2|DAHDI|Skinny|SCCP|MGCP|UNISTIM)\/([^/@;]+?)(?:-[0-9a-f]+)?$/i.exec(
        channel,
      );
    const resource = device?.[1];
    return resource !== undefined && this.options.extensionPattern.test(resource)
      ? resource
      : undefined;
  }

  /** Marks the next ring of this extension (from our Originate) with the rep's dial request. */
  expectDial(dial: ExpectedDial): void {
    this.expected.push(dial);
  }

  /** Drops an expectation that will not be met (Originate failed before ringing). */
  forgetDial(requestId: string): void {
    const index = this.expected.findIndex((e) => e.requestId === requestId);
    if (index !== -1) this.expected.splice(index, 1);
  }

  /** The pbxCallId of a rep's call on this channel (for OriginateResponse → dial.result). */
  pbxCallIdOfChannel(uniqueid: string | undefined): string | undefined {
    return uniqueid === undefined ? undefined : this.byChannel.get(uniqueid)?.pbxCallId;
  }

  /**
   * Why a click-to-dial failed at the rep's own phone, when the events said so: its leg
   * ended busy / unanswered, or Asterisk asked to hang it up with cause 17 / 19.
   */
  ownPhoneOutcome(requestId: string): OwnPhoneOutcome | undefined {
    const ended = this.ownPhoneOutcomes.get(requestId);
    if (ended !== undefined) {
      this.ownPhoneOutcomes.delete(requestId);
      return ended;
    }
    for (const leg of this.legs.values()) {
      if (leg.dialRequestId !== requestId || leg.uniqueid === undefined) continue;
      const cause = this.channels.get(leg.uniqueid)?.hangupCause;
      if (cause === CAUSE_BUSY) return 'busy';
      if (cause === CAUSE_NO_ANSWER) return 'no-answer';
    }
    return undefined;
  }

  /**
   * After a bridge restart: the legs it had when it stopped, the calls still open, and when
   * it last saw the PBX. The next recover() matches them to the PBX's channels.
   */
  resume(state: ResumeState): void {
    for (const resumed of state.legs) {
      const key = legKey(resumed.pbxCallId, resumed.extension);
      if (this.legs.has(key)) continue;
      const leg = this.addLeg({
        pbxCallId: resumed.pbxCallId,
        extension: resumed.extension,
        direction: resumed.direction,
        uniqueid: undefined,
        role: 'callee',
        originated: false,
        dialRequestId: undefined,
      });
      leg.answered = resumed.answered;
      if (resumed.answered) this.answeredCalls.add(resumed.pbxCallId);
    }
    for (const pbxCallId of state.openCalls)
      if (!this.openCalls.has(pbxCallId)) this.openCalls.set(pbxCallId, 'inbound');
    this.blindSince = state.lastSeenAt;
  }

  /** The link to the PBX is down: events from now on are not seen until recover(). */
  linkLost(at: Date = this.options.now()): void {
    this.blindSince ??= at;
  }

  /** Applies one AMI event; returns the CallEvents it implies, in order. */
  handle(event: AmiMessage): CallEvent[] {
    const out: CallEvent[] = [];
    switch (event.event?.toLowerCase()) {
      case 'newchannel':
        this.register(event.uniqueid, event.linkedid, event.channel);
        break;
      case 'hanguprequest':
      case 'softhanguprequest':
        this.noteHangupCause(event);
        break;
      case 'dialbegin':
        this.dialBegin(event, out);
        break;
      case 'dialend':
        this.dialEnd(event, out);
        break;
      case 'hangup':
        this.hangup(event, out);
        break;
      case 'blindtransfer':
        this.blindTransfer(event, out);
        break;
      case 'attendedtransfer':
        this.attendedTransfer(event, out);
        break;
      case 'unparkedcall':
        this.unparked(event, out);
        break;
      default:
        break; // Newstate, Bridge*, Hold, Queue*, Agent*, VarSet… change nothing a rep sees
    }
    return out;
  }

  /**
   * Rebuilds state after (re)connecting from a CoreShowChannels listing. Legs we knew that
   * are gone ended while we could not see the PBX; legs found Up were answered meanwhile;
   * rep channels we did not know are calls under way; open calls without a channel are over.
   * What happened unseen is placed in the middle of the blind window and marked as estimated.
   */
  recover(channels: readonly AmiMessage[]): CallEvent[] {
    const out: CallEvent[] = [];
    const now = this.options.now();
    const blind = this.blindSince === undefined ? undefined : window(this.blindSince, now);
    this.blindSince = undefined;
    // A listed channel whose leg already ended is no call the cut hid: it must not ring again.
    const ended = new Set([...this.channels].filter(([, c]) => c.legEnded).map(([id]) => id));
    this.resetChannels(channels);

    for (const leg of [...this.legs.values()]) {
      if (leg.ended) continue;
      const channel = this.findChannel(leg, channels);
      if (channel === undefined) {
        const reason = leg.answered ? 'completed' : this.unansweredReason(leg, '');
        this.endLeg(leg, reason, blind ?? window(now, now), out);
        continue;
      }
      if (leg.uniqueid === undefined && channel.uniqueid !== undefined) {
        leg.uniqueid = channel.uniqueid;
        this.byChannel.set(channel.uniqueid, leg);
      }
      if (!leg.answered && this.isConnected(channel, leg)) {
        if (leg.originated) leg.ownAnswered = true;
        this.answer(leg, blind ?? window(now, now), out);
      }
    }

    for (const channel of channels)
      if (channel.uniqueid === undefined || !ended.has(channel.uniqueid))
        this.rebuild(channel, now, out);

    for (const pbxCallId of [...this.openCalls.keys()]) {
      if ((this.callChannels.get(pbxCallId)?.size ?? 0) > 0) continue;
      this.finish(pbxCallId, blind ?? window(now, now), out);
    }
    return out;
  }

  /**
   * The channel a call control acts on: the rep's own on this call (Hangup, BlindTransfer,
   * Atxfer and CancelAtxfer all name the rep's side). Undefined when the leg is over or its
   * channel is not known (yet).
   */
  channelOf(pbxCallId: string, extension: string): string | undefined {
    const leg = this.legs.get(legKey(pbxCallId, extension));
    if (leg === undefined || leg.ended || leg.uniqueid === undefined) return undefined;
    return this.channels.get(leg.uniqueid)?.name;
  }

  /** Every leg still under way (for tests and status). */
  activeLegCount(): number {
    let n = 0;
    for (const leg of this.legs.values()) if (!leg.ended) n += 1;
    return n;
  }

  /** When an event happened: the PBX's Timestamp when it has one we can trust, else now. */
  private timeOf(event: AmiMessage): Date {
    const now = this.options.now();
    const stamp = event.timestamp;
    if (stamp === undefined || !/^[0-9]+(\.[0-9]+)?$/.test(stamp)) return now;
    const at = Number(stamp) * 1000;
    const skew = at - now.getTime();
    if (Math.abs(skew) <= (this.options.maxClockSkewMs ?? 5 * 60_000)) return new Date(at);
    if (!this.skewReported) {
      this.skewReported = true;
      this.options.onClockSkew?.(skew);
    }
    return now;
  }

  private register(
    uniqueid: string | undefined,
    linkedid: string | undefined,
    name?: string,
  ): void {
    const callId = known(linkedid) ?? uniqueid;
    if (uniqueid === undefined || callId === undefined) return;
    const registered = this.channels.get(uniqueid);
    if (registered !== undefined) {
      registered.name ??= known(name);
      return;
    }
    if (this.channels.size >= MAX_CHANNELS) {
      const oldest = this.channels.keys().next();
      if (oldest.done !== true) this.unregister(oldest.value);
    }
    this.channels.set(uniqueid, { linkedid: callId, name: known(name), hangupCause: undefined });
    let set = this.callChannels.get(callId);
    if (set === undefined) {
      set = new Set();
      this.callChannels.set(callId, set);
    }
    set.add(uniqueid);
  }

  /** Forgets a channel; returns its call id when that was the call's last channel. */
  private unregister(uniqueid: string): string | undefined {
    const channel = this.channels.get(uniqueid);
    if (channel === undefined) return undefined;
    this.channels.delete(uniqueid);
    const set = this.callChannels.get(channel.linkedid);
    set?.delete(uniqueid);
    if (set === undefined || set.size > 0) return undefined;
    this.callChannels.delete(channel.linkedid);
    return channel.linkedid;
  }

  private resetChannels(listing: readonly AmiMessage[]): void {
    this.channels.clear();
    this.callChannels.clear();
    for (const channel of listing)
      this.register(channel.uniqueid, channel.linkedid, channel.channel);
  }

  private noteHangupCause(event: AmiMessage): void {
    const channel = event.uniqueid === undefined ? undefined : this.channels.get(event.uniqueid);
    const cause = known(event.cause);
    if (channel !== undefined && cause !== undefined && cause !== '0') channel.hangupCause = cause;
  }

  private dialBegin(event: AmiMessage, out: CallEvent[]): void {
    const at = this.timeOf(event);
    const destExtension = this.extensionOf(event.destchannel);
    const callerChannel = event.channel; // absent for Originate / call files
    const callerExtension = this.extensionOf(callerChannel);
    const pbxCallId = known(event.destlinkedid) ?? known(event.linkedid);
    if (pbxCallId === undefined) return;
    this.register(event.uniqueid, event.linkedid, event.channel);
    this.register(event.destuniqueid, event.destlinkedid, event.destchannel);

    // The rep who dialed: one outbound leg per call (a later Dial from the same phone, such
    // as the second half of a click-to-dial, continues it).
    let callerLeg = event.uniqueid === undefined ? undefined : this.byChannel.get(event.uniqueid);
    if (callerLeg === undefined && callerExtension !== undefined && event.uniqueid !== undefined) {
      const existing = this.legs.get(legKey(pbxCallId, callerExtension));
      if (existing !== undefined && !existing.ended) {
        callerLeg = existing;
        this.byChannel.set(event.uniqueid, existing);
      } else {
        callerLeg = this.addLeg({
          pbxCallId,
          extension: callerExtension,
          uniqueid: event.uniqueid,
          role: 'caller',
          direction: 'outbound',
          originated: false,
          dialRequestId: undefined,
        });
        const number = destExtension ?? known(event.exten) ?? known(event.destcalleridnum) ?? '';
        out.push(this.ringing(callerLeg, number, at));
      }
    }

    if (destExtension === undefined || event.destuniqueid === undefined) return;
    const key = legKey(pbxCallId, destExtension);
    const current = this.legs.get(key);
    if (current !== undefined && !current.ended) {
      this.byChannel.set(event.destuniqueid, current); // the same rep rung again on a new channel
      return;
    }
    if (callerChannel === undefined) {
      // Originate / call file: the rep's own phone rings first for a call they are placing.
      const index = this.expected.findIndex((e) => e.extension === destExtension);
      const dial = index === -1 ? undefined : this.expected.splice(index, 1)[0];
      const number =
        dial?.number ?? known(event.destconnectedlinenum) ?? known(event.destcalleridnum) ?? '';
      const leg = this.addLeg({
        pbxCallId,
        extension: destExtension,
        uniqueid: event.destuniqueid,
        role: 'callee',
        direction: 'outbound',
        originated: true,
        dialRequestId: dial?.requestId,
      });
      out.push({
        ...this.ringing(leg, number, at),
        ...(dial === undefined ? {} : { dialRequestId: dial.requestId }),
      });
      return;
    }
    // Someone calls the rep: from outside (a trunk, a queue) or a colleague.
    const number =
      callerLeg?.extension ??
      callerExtension ??
      known(event.calleridnum) ??
      known(event.destconnectedlinenum) ??
      '';
    const leg = this.addLeg({
      pbxCallId,
      extension: destExtension,
      uniqueid: event.destuniqueid,
      role: 'callee',
      direction: 'inbound',
      originated: false,
      dialRequestId: undefined,
    });
    out.push(this.ringing(leg, number, at));
  }

  private dialEnd(event: AmiMessage, out: CallEvent[]): void {
    const at = this.timeOf(event);
    let status = (event.dialstatus ?? '').toUpperCase();
    const dest =
      event.destuniqueid === undefined ? undefined : this.byChannel.get(event.destuniqueid);
    const caller = event.uniqueid === undefined ? undefined : this.byChannel.get(event.uniqueid);

    if (dest !== undefined && !dest.ended && dest.uniqueid === event.destuniqueid) {
      // app_queue reports a member's 486 Busy Here as NOANSWER; the HangupRequest said 17.
      const cause = this.channels.get(event.destuniqueid ?? '')?.hangupCause;
      if (status === 'NOANSWER' && cause === CAUSE_BUSY) status = 'BUSY';
      if (status === 'ANSWER') {
        // An originated call is not connected when the rep picks up: the number rings next.
        if (dest.originated) dest.ownAnswered = true;
        else this.answer(dest, exact(at), out);
      } else {
        this.endLeg(dest, this.unansweredReason(dest, status), exact(at), out);
      }
    }
    if (caller !== undefined && !caller.ended && caller !== dest) {
      if (status === 'ANSWER') this.answer(caller, exact(at), out);
      else caller.lastDialStatus = status;
    }
  }

  private hangup(event: AmiMessage, out: CallEvent[]): void {
    const uniqueid = event.uniqueid;
    if (uniqueid === undefined) return;
    const at = this.timeOf(event);
    const leg = this.byChannel.get(uniqueid);
    this.byChannel.delete(uniqueid);
    const cause = known(event.cause) ?? this.channels.get(uniqueid)?.hangupCause;
    if (leg !== undefined && !leg.ended && leg.uniqueid === uniqueid) {
      if (leg.transferred) {
        leg.ended = true; // the bridge ended this leg when it saw the transfer
        this.forget(leg);
      } else {
        const status =
          leg.lastDialStatus ??
          (cause === CAUSE_BUSY ? 'BUSY' : cause === CAUSE_NO_ANSWER ? 'NOANSWER' : '');
        const reason: EndReason = leg.answered ? 'completed' : this.unansweredReason(leg, status);
        this.endLeg(leg, reason, exact(at), out);
      }
    }
    const emptied = this.unregister(uniqueid);
    if (emptied !== undefined && this.openCalls.has(emptied)) this.finish(emptied, exact(at), out);
  }

  private blindTransfer(event: AmiMessage, out: CallEvent[]): void {
    if ((event.result ?? '').toLowerCase() !== 'success') return;
    const leg =
      event.transfereruniqueid === undefined
        ? undefined
        : this.byChannel.get(event.transfereruniqueid);
    const toExtension = known(event.extension);
    if (leg === undefined || leg.ended || toExtension === undefined) return;
    if (!this.options.extensionPattern.test(toExtension)) return; // sent outside: the leg just ends
    this.transfer(leg, toExtension, this.timeOf(event), out);
  }

  /**
   * An attended transfer completed: the rep who consulted a colleague hung up, and the
   * colleague's leg (the consultation, with the same Linkedid) now carries the caller.
   */
  private attendedTransfer(event: AmiMessage, out: CallEvent[]): void {
    if ((event.result ?? '').toLowerCase() !== 'success') return;
    const ids = [event.origtransfereruniqueid, event.secondtransfereruniqueid];
    const leg = ids
      .map((id) => (id === undefined ? undefined : this.byChannel.get(id)))
      .find((l) => l !== undefined && !l.ended);
    if (leg === undefined) return;
    const targets = [...this.legs.values()].filter(
      (l) => l.pbxCallId === leg.pbxCallId && l !== leg && !l.ended,
    );
    const target = targets.length === 1 ? targets[0] : undefined;
    // Transferred to a number outside, or ambiguous: the rep's leg just ends with its channel.
    if (target === undefined) return;
    this.transfer(leg, target.extension, this.timeOf(event), out);
  }

  /**
   * A rep took a parked call back by dialing its parking space: a new leg on the retriever's
   * own call (its channel's Linkedid), connected at once, with the parked caller's number.
   */
  private unparked(event: AmiMessage, out: CallEvent[]): void {
    const extension = this.extensionOf(event.retrieverchannel);
    const uniqueid = event.retrieveruniqueid;
    const pbxCallId = known(event.retrieverlinkedid) ?? uniqueid;
    if (extension === undefined || uniqueid === undefined || pbxCallId === undefined) return;
    if (this.byChannel.has(uniqueid) || this.legs.get(legKey(pbxCallId, extension)) !== undefined)
      return;
    const at = this.timeOf(event);
    this.register(uniqueid, pbxCallId);
    const parkedCall = known(event.parkeelinkedid);
    const leg = this.addLeg({
      pbxCallId,
      extension,
      uniqueid,
      role: 'callee',
      direction:
        (parkedCall === undefined ? undefined : this.openCalls.get(parkedCall)) ?? 'inbound',
      originated: false,
      dialRequestId: undefined,
    });
    out.push(this.ringing(leg, known(event.parkeecalleridnum) ?? '', at));
    this.answer(leg, exact(at), out);
  }

  private transfer(leg: Leg, toExtension: string, at: Date, out: CallEvent[]): void {
    if (leg.transferred) return; // a repeated transfer event: the leg has already moved on
    leg.transferred = true;
    out.push({
      type: 'transferred',
      pbxCallId: leg.pbxCallId,
      extension: leg.extension,
      toExtension,
      at,
    });
  }

  /** A channel of a leg, from a CoreShowChannels listing: by Uniqueid, or for a resumed leg
   * (whose channel the bridge never saw) by call and extension. */
  private findChannel(leg: Leg, listing: readonly AmiMessage[]): AmiMessage | undefined {
    if (leg.uniqueid !== undefined) return listing.find((c) => c.uniqueid === leg.uniqueid);
    return listing.find(
      (c) =>
        (known(c.linkedid) ?? c.uniqueid) === leg.pbxCallId &&
        this.extensionOf(c.channel) === leg.extension,
    );
  }

  /** Whether a listed channel of this leg is in a conversation. */
  private isConnected(channel: AmiMessage, leg: Leg): boolean {
    if ((channel.channelstatedesc ?? '').toLowerCase() !== 'up') return false;
    // A rep's own phone picking up a click-to-dial, or a rep dialing out, is Up before the
    // other side answers: only a bridge says they are talking to someone.
    const dialing = leg.originated || leg.role === 'caller';
    return !dialing || known(channel.bridgeid) !== undefined;
  }

  /** A rep channel we did not know: a call under way since before we could see it. */
  private rebuild(channel: AmiMessage, now: Date, out: CallEvent[]): void {
    const extension = this.extensionOf(channel.channel);
    const uniqueid = channel.uniqueid;
    const pbxCallId = known(channel.linkedid) ?? uniqueid;
    if (extension === undefined || uniqueid === undefined || pbxCallId === undefined) return;
    if (this.byChannel.has(uniqueid)) return;
    if (this.legs.get(legKey(pbxCallId, extension))?.ended === false) return;
    // The dialed side of a Dial() runs "AppDial"; the side that dialed runs "Dial"/"Queue".
    const app = (channel.application ?? '').toLowerCase();
    const role: Leg['role'] = app === 'dial' ? 'caller' : 'callee';
    const direction: CallDirection = role === 'caller' ? 'outbound' : 'inbound';
    const number =
      known(channel.connectedlinenum) ??
      (role === 'caller' ? known(channel.exten) : known(channel.calleridnum)) ??
      '';
    const leg = this.addLeg({
      pbxCallId,
      extension,
      uniqueid,
      role,
      direction,
      originated: false,
      dialRequestId: undefined,
    });
    // The PBX says how long the channel has existed: that is when it started ringing.
    const age = durationMs(channel.duration);
    const startedAt = age === undefined ? now : new Date(now.getTime() - age);
    out.push(this.ringing(leg, number, startedAt));
    if (this.isConnected(channel, leg)) this.answer(leg, window(startedAt, now), out);
  }

  private ringing(leg: Leg, number: string, at: Date): Extract<CallEvent, { type: 'ringing' }> {
    return {
      type: 'ringing',
      pbxCallId: leg.pbxCallId,
      extension: leg.extension,
      direction: leg.direction,
      number,
      at,
      reportsFinish: true,
    };
  }

  private answer(leg: Leg, when: When, out: CallEvent[]): void {
    if (leg.answered) return;
    leg.answered = true;
    this.answeredCalls.add(leg.pbxCallId);
    out.push({
      type: 'answered',
      pbxCallId: leg.pbxCallId,
      extension: leg.extension,
      ...timing(when),
    });
  }

  private unansweredReason(leg: Leg, status: string): EndReason {
    switch (status) {
      case 'BUSY':
        return 'busy';
      case 'NOANSWER':
        return 'no-answer';
      case 'CANCEL':
        // The caller gave up, or a colleague took a queue / ring-group call.
        return this.answeredCalls.has(leg.pbxCallId) ? 'answered-elsewhere' : 'missed';
      case 'ANSWER':
        return 'completed';
      case '':
        return leg.direction === 'inbound' ? 'missed' : 'no-answer';
      default:
        // CHANUNAVAIL, CONGESTION, DONTCALL…: the phone or the route could not take it.
        return leg.direction === 'outbound' ? 'failed' : 'missed';
    }
  }

  private endLeg(leg: Leg, reason: EndReason, when: When, out: CallEvent[]): void {
    if (leg.ended) return;
    leg.ended = true;
    for (const [uniqueid, l] of this.byChannel) {
      const channel = l === leg ? this.channels.get(uniqueid) : undefined;
      if (channel !== undefined) channel.legEnded = true;
    }
    const notDialed = leg.originated && !leg.ownAnswered;
    if (
      notDialed &&
      leg.dialRequestId !== undefined &&
      (reason === 'busy' || reason === 'no-answer')
    ) {
      this.ownPhoneOutcomes.set(leg.dialRequestId, reason);
      while (this.ownPhoneOutcomes.size > MAX_OUTCOMES) {
        const oldest = this.ownPhoneOutcomes.keys().next();
        if (oldest.done === true) break;
        this.ownPhoneOutcomes.delete(oldest.value);
      }
    }
    out.push({
      type: 'ended',
      pbxCallId: leg.pbxCallId,
      extension: leg.extension,
      reason,
      ...timing(when),
      ...(notDialed ? { notDialed: true } : {}),
    });
    this.forget(leg);
  }

  /** The whole call is over: ends what is left of it and says so. */
  private finish(pbxCallId: string, when: When, out: CallEvent[]): void {
    for (const leg of [...this.legs.values()]) {
      if (leg.pbxCallId !== pbxCallId || leg.ended) continue;
      const reason = leg.answered ? 'completed' : this.unansweredReason(leg, '');
      this.endLeg(leg, reason, when, out);
    }
    this.openCalls.delete(pbxCallId);
    this.answeredCalls.delete(pbxCallId);
    out.push({ type: 'finished', pbxCallId, ...timing(when) });
  }

  private addLeg(
    init: Omit<
      Leg,
      'key' | 'answered' | 'transferred' | 'ended' | 'lastDialStatus' | 'ownAnswered'
    >,
  ): Leg {
    const leg: Leg = {
      ...init,
      key: legKey(init.pbxCallId, init.extension),
      answered: false,
      ownAnswered: false,
      transferred: false,
      ended: false,
      lastDialStatus: undefined,
    };
    this.legs.set(leg.key, leg);
    if (leg.uniqueid !== undefined) this.byChannel.set(leg.uniqueid, leg);
    if (!this.openCalls.has(leg.pbxCallId)) this.openCalls.set(leg.pbxCallId, leg.direction);
    return leg;
  }

  /** Drops an ended leg. The call's bookkeeping stays until the call is finished. */
  private forget(leg: Leg): void {
    if (this.legs.get(leg.key) === leg) this.legs.delete(leg.key);
    for (const [uniqueid, l] of this.byChannel) if (l === leg) this.byChannel.delete(uniqueid);
  }
}

/** When something happened: exactly, or somewhere in a window (then `at` is its middle). */
type When = { at: Date; estimate?: undefined } | { at: Date; estimate: TimeWindow };

function exact(at: Date): When {
  return { at };
}

function window(from: Date, to: Date): When {
  if (to.getTime() <= from.getTime()) return { at: to };
  return {
    at: new Date(Math.round((from.getTime() + to.getTime()) / 2)),
    estimate: { from, to },
  };
}

function timing(when: When): { at: Date; estimate?: TimeWindow } {
  return when.estimate === undefined ? { at: when.at } : { at: when.at, estimate: when.estimate };
}

/** CoreShowChannel's Duration, "HH:MM:SS", in ms. */
function durationMs(value: string | undefined): number | undefined {
  const match = /^([0-9]+):([0-5][0-9]):([0-5][0-9])$/.exec(value?.trim() ?? '');
  if (match === null) return undefined;
  const [, h = '0', m = '0', s = '0'] = match;
  return ((Number(h) * 60 + Number(m)) * 60 + Number(s)) * 1000;
}

function legKey(pbxCallId: string, extension: string): string {
  return `${pbxCallId}|${extension}`;
}
