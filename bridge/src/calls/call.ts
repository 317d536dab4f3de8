// The call model of the bridge: a Call is what a rep's browser receives (WebSocket protocol v1,
// declared in protocol/v1.ts and re-exported here for the call core and its neighbours), and a
// CallEvent is what a PBX adapter reports. No I/O here.
import type { CallDirection, EndReason } from '../protocol/v1';

export type {
  Call,
  CallDirection,
  CallLogView,
  CallMatch,
  CallState,
  ConsultView,
  EndReason,
  LookupState,
  MatchObject,
} from '../protocol/v1';

/**
 * When the PBX did not say when something happened (it happened while the bridge could not
 * see the PBX): between `from` and `to`. The event's `at` is then the middle of the window.
 */
export interface TimeWindow {
  from: Date;
  to: Date;
}

interface CallEventBase {
  /**
   * The PBX's id for the call (all legs of a queue or ring-group call share it). The bridge
   * derives each leg's `Call.id` from it and the extension.
   */
  pbxCallId: string;
  /** The rep's extension. Omitted on answered/ended: the event applies to every leg. */
  extension?: string;
  /** Where the PBX names the rep by email instead of an extension (generic webhook). */
  userEmail?: string;
  at: Date;
  /** Set when `at` is an estimate: the event happened somewhere in this window. */
  estimate?: TimeWindow;
}

/** What a PBX adapter reports; adapters only translate vendor traffic into these. */
export type CallEvent =
  | (CallEventBase & {
      type: 'ringing';
      direction: CallDirection;
      /** The remote party: caller for inbound, callee for outbound. */
      number: string;
      /** For an outbound call the bridge originated: the rep's dial request and record. */
      dialRequestId?: string;
      /**
       * The adapter reports the end of the whole PBX call with `finished` (Asterisk). Without
       * it the call counts as finished once its last leg has ended.
       */
      reportsFinish?: boolean;
    })
  | (CallEventBase & { type: 'answered' })
  | (CallEventBase & {
      type: 'ended';
      reason?: EndReason;
      /** A click-to-dial that ended at the rep's own phone: the number was never dialed. */
      notDialed?: boolean;
    })
  | (CallEventBase & { type: 'transferred'; toExtension: string })
  /** The rep's leg was put on hold, or taken off hold (from the utility or the phone). */
  | (CallEventBase & { type: 'held' | 'resumed' })
  /**
   * The whole PBX call is over (its last channel hung up): no leg of it will ring again. A
   * queue may ring a rep twice under one call, so a missed leg is only final once this comes.
   */
  | (CallEventBase & { type: 'finished' });

export type CallEventType = CallEvent['type'];

/** What the bridge knew of calls under way when it last stopped (the call core's durable store, calls/call-store.ts); a PBX adapter that can resume takes it up. */
export interface ResumeState {
  /** Legs that had not ended. */
  legs: { pbxCallId: string; extension: string; direction: CallDirection; answered: boolean }[];
  /** PBX calls not finished yet (a queue call between two ring cycles has no live leg). */
  openCalls: string[];
  /** Until when the bridge saw the PBX: what it missed happened after this. */
  lastSeenAt: Date;
}
