// The presence model of the bridge: what a rep may set (protocol v1's Presence, re-exported for
// the presence room and the PBX adapters), a change a rep asks for, and what a PBX reports about
// an extension. No I/O here.
import type { PresenceState } from '../protocol/v1';

export type { Presence, PresenceState, PresenceSupport } from '../protocol/v1';

/** Every state, in the order a PBX report's candidates are preferred and the utility lists them. */
export const PRESENCE_STATE_ORDER: readonly PresenceState[] = ['available', 'dnd', 'away'];

/** What a rep asks to change: a state, a queue pause (with a reason), or both. */
export interface PresenceChange {
  state?: PresenceState;
  queuePaused?: boolean;
  pauseReason?: string;
}

/** What this PBX can express (the presence room narrows it further by pbx.presence). */
export interface PbxPresenceSupport {
  states: PresenceState[];
  queuePause: boolean;
}

/**
 * What a PBX said about one extension: only the fields it said something about. `states` are
 * the states its signal fits, best first — one signal may fit several (a custom device state
 * NOT_INUSE is both Available and Away), and the presence room keeps the current or the asked
 * state when it is among them.
 */
export interface PresenceReport {
  extension: string;
  states?: PresenceState[];
  queuePaused?: boolean;
  pauseReason?: string;
  at: Date;
}

export type PresenceListener = (report: PresenceReport) => void;
