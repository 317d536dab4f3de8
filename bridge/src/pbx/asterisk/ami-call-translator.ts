// Turns the AMI event stream into our CallEvents. Pure (no I/O): it keeps just enough channel
// and call state to say, per rep extension, when a call rings, is answered and ends, and why.
//
// What it keys on (see docs/asterisk.md): DialBegin/DialEnd name both sides of every Dial();
// the side whose channel belongs to a rep (PJSIP/201-…, SIP/201-…, Local/201@ctx-…;1) is a
// rep's leg. Linkedid (shared by every channel of a call, also across transfers) is our
// pbxCallId. Hangup of the rep's own channel ends that rep's leg. Hold, bridges and queue
// bookkeeping events change nothing a rep sees.
import type { CallDirection, CallEvent, EndReason } from '../../calls/call';
import type { AmiMessage } from './ami-parser';

export interface TranslatorOptions {
  /** Which channel resources / Local extensions are reps' extensions. */
  extensionPattern: RegExp;
  /** Dialplan contexts of trunks: a Local channel into one of these is never a rep. */
  trunkContexts: readonly string[];
  now: () => Date;
}

/** A click-to-dial the bridge asked for, waiting for the PBX to ring the rep's phone. */
export interface ExpectedDial {
  requestId: string;
  extension: string;
  number: string;
}

interface Leg {
  key: string;
  pbxCallId: string;
  extension: string;
  direction: CallDirection;
  /** The rep's channel (Uniqueid) whose Hangup ends this leg. */
  uniqueid: string;
  /** The rep placed the call by picking up their phone (or our Originate rang it first). */
  role: 'callee' | 'caller';
  /** Originated by AMI/call file: the rep's own phone rings first, then the number. */
  originated: boolean;
  answered: boolean;
  transferred: boolean;
  ended: boolean;
  /** The last DialStatus of a Dial() the rep's channel placed (why an outbound call failed). */
  lastDialStatus: string | undefined;
}

const UNKNOWN = new Set(['', '<unknown>', 'unknown']);

function known(value: string | undefined): string | undefined {
  return value === undefined || UNKNOWN.has(value.trim()) ? undefined : value.trim();
}

export class AmiCallTranslator {
  private readonly legs = new Map<string, Leg>();
  private readonly byChannel = new Map<string, Leg>();
  private readonly answeredCalls = new Set<string>();
  private readonly expected: ExpectedDial[] = [];

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

  /** Applies one AMI event; returns the CallEvents it implies, in order. */
  handle(event: AmiMessage): CallEvent[] {
    const out: CallEvent[] = [];
    switch (event.event?.toLowerCase()) {
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
      default:
        break; // Newstate, Bridge*, Hold, Queue*, Agent*, VarSet… change nothing a rep sees
    }
    return out;
  }

  /**
   * Rebuilds state after (re)connecting from a CoreShowChannels listing: legs we knew that are
   * gone have ended while we were away; rep channels we did not know are calls under way.
   */
  recover(channels: readonly AmiMessage[]): CallEvent[] {
    const out: CallEvent[] = [];
    const at = this.options.now();
    const alive = new Set(channels.map((c) => c.uniqueid).filter((u) => u !== undefined));
    for (const leg of [...this.legs.values()]) {
      if (leg.ended || alive.has(leg.uniqueid)) continue;
      this.endLeg(leg, leg.answered ? 'completed' : missedReason(leg), at, out);
    }
    for (const channel of channels) {
      const extension = this.extensionOf(channel.channel);
      const uniqueid = channel.uniqueid;
      const pbxCallId = known(channel.linkedid) ?? uniqueid;
      if (extension === undefined || uniqueid === undefined || pbxCallId === undefined) continue;
      if (this.byChannel.has(uniqueid)) continue;
      const key = legKey(pbxCallId, extension);
      if (this.legs.get(key)?.ended === false) continue;
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
      });
      out.push({ type: 'ringing', pbxCallId, extension, direction, number, at });
      if (
        (channel.channelstatedesc ?? '').toLowerCase() === 'up' &&
        (role === 'callee' || channel.bridgeid)
      ) {
        leg.answered = true;
        this.answeredCalls.add(pbxCallId);
        out.push({ type: 'answered', pbxCallId, extension, at });
      }
    }
    return out;
  }

  /** Every leg still under way (for tests and status). */
  activeLegCount(): number {
    let n = 0;
    for (const leg of this.legs.values()) if (!leg.ended) n += 1;
    return n;
  }

  private dialBegin(event: AmiMessage, out: CallEvent[]): void {
    const at = this.options.now();
    const destExtension = this.extensionOf(event.destchannel);
    const callerChannel = event.channel; // absent for Originate / call files
    const callerExtension = this.extensionOf(callerChannel);
    const pbxCallId = known(event.destlinkedid) ?? known(event.linkedid);
    if (pbxCallId === undefined) return;

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
        });
        const number = destExtension ?? known(event.exten) ?? known(event.destcalleridnum) ?? '';
        out.push({
          type: 'ringing',
          pbxCallId,
          extension: callerExtension,
          direction: 'outbound',
          number,
          at,
        });
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
      this.addLeg({
        pbxCallId,
        extension: destExtension,
        uniqueid: event.destuniqueid,
        role: 'callee',
        direction: 'outbound',
        originated: true,
      });
      out.push({
        type: 'ringing',
        pbxCallId,
        extension: destExtension,
        direction: 'outbound',
        number,
        at,
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
    this.addLeg({
      pbxCallId,
      extension: destExtension,
      uniqueid: event.destuniqueid,
      role: 'callee',
      direction: 'inbound',
      originated: false,
    });
    out.push({
      type: 'ringing',
      pbxCallId,
      extension: destExtension,
      direction: 'inbound',
      number,
      at,
    });
  }

  private dialEnd(event: AmiMessage, out: CallEvent[]): void {
    const at = this.options.now();
    const status = (event.dialstatus ?? '').toUpperCase();
    const dest =
      event.destuniqueid === undefined ? undefined : this.byChannel.get(event.destuniqueid);
    const caller = event.uniqueid === undefined ? undefined : this.byChannel.get(event.uniqueid);

    if (dest !== undefined && !dest.ended && dest.uniqueid === event.destuniqueid) {
      if (status === 'ANSWER') {
        // An originated call is not connected when the rep picks up: the number rings next.
        if (!dest.originated) this.answer(dest, at, out);
      } else {
        this.endLeg(dest, this.unansweredReason(dest, status), at, out);
      }
    }
    if (caller !== undefined && !caller.ended && caller !== dest) {
      if (status === 'ANSWER') this.answer(caller, at, out);
      else caller.lastDialStatus = status;
    }
  }

  private hangup(event: AmiMessage, out: CallEvent[]): void {
    const uniqueid = event.uniqueid;
    if (uniqueid === undefined) return;
    const leg = this.byChannel.get(uniqueid);
    this.byChannel.delete(uniqueid);
    if (leg === undefined || leg.ended || leg.uniqueid !== uniqueid) return;
    if (leg.transferred) {
      leg.ended = true; // the bridge ended this leg when it saw the transfer
      this.forget(leg);
      return;
    }
    const reason: EndReason = leg.answered
      ? 'completed'
      : leg.lastDialStatus !== undefined
        ? this.unansweredReason(leg, leg.lastDialStatus)
        : missedReason(leg);
    this.endLeg(leg, reason, this.options.now(), out);
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
    leg.transferred = true;
    out.push({
      type: 'transferred',
      pbxCallId: leg.pbxCallId,
      extension: leg.extension,
      toExtension,
      at: this.options.now(),
    });
  }

  private answer(leg: Leg, at: Date, out: CallEvent[]): void {
    if (leg.answered) return;
    leg.answered = true;
    this.answeredCalls.add(leg.pbxCallId);
    out.push({ type: 'answered', pbxCallId: leg.pbxCallId, extension: leg.extension, at });
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
      default:
        // CHANUNAVAIL, CONGESTION, DONTCALL…: the phone or the route could not take it.
        return leg.direction === 'outbound' ? 'failed' : 'missed';
    }
  }

  private endLeg(leg: Leg, reason: EndReason, at: Date, out: CallEvent[]): void {
    if (leg.ended) return;
    leg.ended = true;
    out.push({ type: 'ended', pbxCallId: leg.pbxCallId, extension: leg.extension, reason, at });
    this.forget(leg);
  }

  private addLeg(
    init: Omit<Leg, 'key' | 'answered' | 'transferred' | 'ended' | 'lastDialStatus'>,
  ): Leg {
    const leg: Leg = {
      ...init,
      key: legKey(init.pbxCallId, init.extension),
      answered: false,
      transferred: false,
      ended: false,
      lastDialStatus: undefined,
    };
    this.legs.set(leg.key, leg);
    this.byChannel.set(leg.uniqueid, leg);
    return leg;
  }

  /** Drops an ended leg, and the call's bookkeeping once none of its legs is left. */
  private forget(leg: Leg): void {
    if (this.legs.get(leg.key) === leg) this.legs.delete(leg.key);
    for (const [uniqueid, l] of this.byChannel) if (l === leg) this.byChannel.delete(uniqueid);
    const stillLive = [...this.legs.values()].some((l) => l.pbxCallId === leg.pbxCallId);
    if (!stillLive) this.answeredCalls.delete(leg.pbxCallId);
  }
}

function legKey(pbxCallId: string, extension: string): string {
  return `${pbxCallId}|${extension}`;
}

function missedReason(leg: Leg): EndReason {
  return leg.direction === 'inbound' ? 'missed' : 'no-answer';
}
