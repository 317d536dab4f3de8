// The call model shared by every part of the bridge: what a PBX adapter reports (CallEvent)
// and what a rep's browser receives (Call, WebSocket protocol v1). No I/O here.

export type CallDirection = 'inbound' | 'outbound';
export type CallState = 'ringing' | 'dialing' | 'connected' | 'ended';
export type LookupState = 'pending' | 'done' | 'failed';
export type MatchObject = 'Contact' | 'Lead' | 'Account';

/**
 * Why a call ended (protocol v1 extension, optional): `completed` after a conversation,
 * `missed` (nobody answered, the caller gave up, or it was busy), `answered-elsewhere`
 * (a ring group or queue call taken by a colleague), `failed` (the PBX could not place it).
 */
export type EndReason =
  'completed' | 'missed' | 'busy' | 'no-answer' | 'answered-elsewhere' | 'failed';

export interface CallMatch {
  id: string;
  object: MatchObject;
  name: string;
  /** The API name of the field whose value matched, e.g. MobilePhone. */
  phoneField: string;
  accountId?: string;
  accountName?: string;
  ownerId?: string;
}

/** A call as one rep sees it: one leg, on one extension. */
export interface Call {
  id: string;
  direction: CallDirection;
  state: CallState;
  extension: string;
  /** The remote party's number as the PBX gave it. */
  number: string;
  e164: string | null;
  withheld: boolean;
  internal: boolean;
  startedAt: string;
  answeredAt?: string;
  endedAt?: string;
  endReason?: EndReason;
  lookup: LookupState;
  matches: CallMatch[];
  /** The record the rep chose (call.link) or dialed from; extension of v1. */
  linkedRecordId?: string;
  /** Whether the call was logged to Salesforce as a Task, and if not, why; extension of v1. */
  log?: CallLogView;
}

export interface CallLogView {
  state: 'pending' | 'logged' | 'parked' | 'disabled' | 'skipped';
  taskId?: string;
  error?: { code: string; message: string };
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
