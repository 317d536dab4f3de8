// The boundary between the bridge and a phone system. Each adapter (asterisk, webhook,
// simulator) translates vendor traffic into CallEvents and places calls; nothing vendor-
// specific crosses this interface.
import type { CallEvent } from '../calls/call';

export interface DialRequest {
  requestId: string;
  /** The rep's own extension: their phone rings first. */
  extension: string;
  /** The number in the form the PBX wants (see phone.dialFormat). */
  number: string;
  /** Caller id to present on the rep's phone while it rings (the remote number or name). */
  callerIdName?: string;
}

export interface DialResult {
  /** The PBX call id the originated call will carry in its CallEvents, when known. */
  pbxCallId?: string;
}

/** A PBX user as the PBX itself knows it (e.g. voicemail users with their email). */
export interface PbxUser {
  extension: string;
  email: string;
  name?: string;
}

export type CallEventListener = (event: CallEvent) => void;

export interface PbxAdapter {
  readonly name: string;
  /** Begin delivering events to the listener. Resolves once connected (or gives up cleanly). */
  start(listener: CallEventListener): Promise<void>;
  stop(): Promise<void>;
  /** Ring the rep's extension, then the number. Rejects with a SwitchboardError (DIAL_/PBX_ codes). */
  dial(request: DialRequest): Promise<DialResult>;
  /** Users with emails the PBX can report itself; empty when it has none. */
  listUsers(): Promise<PbxUser[]>;
  /** Whether the adapter currently has a working link to the PBX (for /healthz and status). */
  isConnected(): boolean;
}
