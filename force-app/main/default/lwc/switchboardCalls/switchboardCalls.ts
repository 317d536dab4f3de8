// The utility's call list as data, no UI: which calls stay on screen and which move to recent
// calls as frames arrive, who a call is with, when its notes are still taken, and what the
// utility bar item and the screen-reader announcement say about it. The utility component
// keeps the lists; its children and its tests share these rules.
import type { Call, CallMatch, ReadySettings } from 'c/switchboardProtocol';
import { formatCallNumber, formatLabel } from 'c/switchboardFormat';
import LABELS from './labels';

/** Recent calls kept in the list, newest first. */
export const MAX_RECENT = 10;

/** The utility bar item's own name, shown when no call rings or runs. */
export const UTILITY_LABEL = LABELS.utility;

export interface CallLists {
  /** Calls in progress and the last ended call, newest first. */
  calls: Call[];
  recent: Call[];
}

/**
 * What the rep may see of a record, as Lightning Data Service answered for the rep: its name and
 * (Contact) its account's name; null where the rep has no access.
 */
export interface VisibleName {
  name: string | null;
  accountName: string | null;
}

/** Names per record, by the 15-character id (the bridge and LDS may use either form). */
export type VisibleNames = ReadonlyMap<string, VisibleName>;

export const nameKey = (recordId: string): string => recordId.slice(0, 15);

/**
 * The call as the rep may see it: every match's name and account name replaced by what Lightning
 * Data Service returned under the rep's own access, empty until it answered and for a record
 * the rep may not see. The names the bridge sends (read as the integration user) are never shown.
 */
export function visibleCall(call: Call, names: VisibleNames): Call {
  return {
    ...call,
    matches: call.matches.map((match) => {
      const seen = names.get(nameKey(match.id));
      const visible: CallMatch = { ...match, name: seen?.name ?? '' };
      if (seen?.accountName) visible.accountName = seen.accountName;
      else delete visible.accountName;
      return visible;
    }),
  };
}

/** "Marcus Lee, Golden Gate Analytics Inc.": the linked match, or the only one. */
export function callerName(call: Call): string | undefined {
  const linked = call.matches.find((m) => m.id === call.linkedRecordId);
  const match = linked ?? (call.matches.length === 1 ? call.matches[0] : undefined);
  if (!match || match.name === '') return undefined;
  return match.accountName && match.object !== 'Account'
    ? `${match.name}, ${match.accountName}`
    : match.name;
}

/** The caller's name, else the number as a rep reads it. */
export function callerOrNumber(call: Call): string {
  return callerName(call) ?? formatCallNumber(call);
}

/** A number Salesforce has no record of, which the rep could create one for. */
export function isUnknownCaller(call: Call): boolean {
  return call.lookup === 'done' && call.matches.length === 0 && !call.withheld && !call.internal;
}

/** Newest first; a call already listed is updated where it is. */
export function addRecent(recent: Call[], call: Call): Call[] {
  if (recent.some((c) => c.id === call.id)) return recent.map((c) => (c.id === call.id ? call : c));
  return [call, ...recent].slice(0, MAX_RECENT);
}

/** A `call` frame: the call is shown (or updated); an ended one also goes to recent calls. */
export function applyCall({ calls, recent }: CallLists, call: Call): CallLists {
  const others = calls.filter((c) => c.id !== call.id);
  const shown = others.length !== calls.length;
  if (call.state !== 'ended')
    return { calls: [call, ...others.filter((c) => c.state !== 'ended')], recent };
  // A late update (the log status) of a call no longer on screen, or of one that ended before
  // this page connected, must not push the call the rep is looking at away.
  if (!shown) return { calls, recent: addRecent(recent, call) };
  // Only one ended call stays on screen, and only while nothing else is going on.
  return {
    calls: [...others.filter((c) => c.state !== 'ended'), call],
    recent: addRecent(recent, call),
  };
}

/**
 * After (re)connecting the bridge replays its active calls, which replace ours; calls we
 * showed as active that it no longer has ended while we were away and move to recent calls.
 */
export function replaceActiveCalls(lists: CallLists, active: Call[]): CallLists {
  const activeIds = new Set(active.map((c) => c.id));
  let recent = lists.recent;
  for (const call of lists.calls)
    if (call.state !== 'ended' && !activeIds.has(call.id))
      recent = addRecent(recent, { ...call, state: 'ended' });
  let next: CallLists = {
    calls: lists.calls.filter((c) => c.state === 'ended' && !activeIds.has(c.id)),
    recent,
  };
  for (const call of active) next = applyCall(next, call);
  return next;
}

/** The same call with the record the rep said it is with. */
export function linkCall(lists: CallLists, callId: string, recordId: string): CallLists {
  const link = (c: Call) => (c.id === callId ? { ...c, linkedRecordId: recordId } : c);
  return { calls: lists.calls.map(link), recent: lists.recent.map(link) };
}

export interface NotesContext {
  settings: ReadySettings;
  /** The org's (rep's) logCalls preference. */
  logCalls: boolean;
  now: number;
}

/** When the bridge stops taking notes for an ended call (ready.settings.noteGraceSeconds). */
function graceEnd(call: Call, settings: ReadySettings): number {
  return Date.parse(call.endedAt ?? '') + settings.noteGraceSeconds * 1000;
}

/** Notes are offered while connected and until the grace period after hang-up ends. */
export function notesOpen(call: Call, context: NotesContext): boolean {
  if (!context.logCalls || !context.settings.logCalls) return false;
  if (call.log?.state === 'disabled' || call.log?.state === 'skipped') return false;
  if (call.state === 'connected') return true;
  if (call.state !== 'ended') return false;
  const end = graceEnd(call, context.settings);
  return Number.isFinite(end) && context.now < end;
}

/** The earliest moment a shown notes form must go away, if any. */
export function nextNotesClose(calls: Call[], context: NotesContext): number | undefined {
  const ends = calls
    .filter((c) => c.state === 'ended' && notesOpen(c, context))
    .map((c) => graceEnd(c, context.settings));
  return ends.length === 0 ? undefined : Math.min(...ends);
}

export interface UtilityItem {
  highlighted: boolean;
  label: string;
}

/**
 * What the utility bar item says: the ringing call (highlighted), else the call in progress,
 * else just its name.
 */
export function utilityItem(calls: Call[]): UtilityItem {
  const ringing = calls.find((c) => c.state === 'ringing' || c.state === 'dialing');
  if (ringing) {
    const label = ringing.direction === 'inbound' ? LABELS.utilityRinging : LABELS.utilityCalling;
    return { highlighted: true, label: formatLabel(label, callerOrNumber(ringing)) };
  }
  const talking = calls.find((c) => c.state === 'connected');
  if (talking)
    return {
      highlighted: false,
      label: formatLabel(LABELS.utilityOnCall, callerOrNumber(talking)),
    };
  return { highlighted: false, label: UTILITY_LABEL };
}

/** What the polite live region says about a call, as the lookup result comes in. */
export function announcement(call: Call): string {
  const who = callerName(call);
  const number = formatCallNumber(call);
  if (call.state === 'connected') return formatLabel(LABELS.connected, who ?? number);
  const inbound = call.direction === 'inbound';
  if (who) return formatLabel(inbound ? LABELS.incoming : LABELS.outgoing, who);
  if (call.lookup === 'done' && call.matches.length > 1) {
    const several = inbound ? LABELS.incomingSeveral : LABELS.outgoingSeveral;
    return formatLabel(several, number, call.matches.length);
  }
  if (isUnknownCaller(call))
    return formatLabel(inbound ? LABELS.incomingUnknown : LABELS.outgoingUnknown, number);
  return formatLabel(inbound ? LABELS.incoming : LABELS.outgoing, number);
}
