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
  EndReason,
  LookupState,
  MatchObject,
} from '../protocol/v1';

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
    })
  | (CallEventBase & { type: 'answered' })
  | (CallEventBase & { type: 'ended'; reason?: EndReason })
  | (CallEventBase & { type: 'transferred'; toExtension: string });

export type CallEventType = CallEvent['type'];
