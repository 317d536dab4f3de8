// What a call becomes in Salesforce: the Task fields of its log, by Salesforce's rules for
// call Tasks (WhoId a Contact or Lead, WhatId never with a Lead), or the reason it is not
// logged. Pure: no I/O, time comes in as `now`.
import type { Call, CallMatch, EndReason } from '../calls/call';
import type { CallLogConfig } from '../config/schema';

export type TaskFields = Record<string, string | number>;

export type CallTaskDecision =
  | { log: true; fields: TaskFields; kind: 'call' | 'callback' }
  | { log: false; code: 'CALL_LOG_DISABLED' | 'CALL_LOG_NOT_LOGGED'; reason: string };

/** Salesforce's field lengths that matter here. */
export const SUBJECT_MAX = 255;
export const DISPOSITION_MAX = 255;
export const DESCRIPTION_MAX = 32000;

const WHO_PREFIXES: Record<string, 'Contact' | 'Lead'> = { '003': 'Contact', '00Q': 'Lead' };
/** Objects a call may be "related to" (WhatId): Account, Opportunity, Case, Campaign, Contract, custom. */
const WHAT_PREFIX = /^(001|006|500|701|800|a[0-9A-Za-z]{2})/;
const SALESFORCE_ID = /^[0-9A-Za-z]{15}([0-9A-Za-z]{3})?$/;

type CallKind = 'inbound' | 'outbound' | 'internal';

export function callKind(call: Call): CallKind {
  return call.internal ? 'internal' : call.direction;
}

/** The seconds between answer and hang-up; 0 for a call nobody answered. */
export function callDurationSeconds(call: Call): number {
  if (call.answeredAt === undefined || call.endedAt === undefined) return 0;
  const ms = Date.parse(call.endedAt) - Date.parse(call.answeredAt);
  return Number.isFinite(ms) && ms > 0 ? Math.round(ms / 1000) : 0;
}

/**
 * How the call went for the Task. An inbound call nobody answered is `missed` whatever the
 * phones did (rang out, busy, the caller gave up): the caller was missed.
 */
function result(call: Call): 'answered' | 'missed' | 'no answer' | 'busy' | 'failed' {
  if (call.answeredAt !== undefined) return 'answered';
  if (call.direction === 'inbound') return 'missed';
  const reason: EndReason | undefined = call.endReason;
  if (reason === 'busy') return 'busy';
  if (reason === 'failed') return 'failed';
  return 'no answer';
}

/** A sentence for the Task when the bridge had to estimate a time (it could not see the PBX). */
function estimateNote(call: Call): string | undefined {
  const estimated = call.estimated;
  if (estimated === undefined) return undefined;
  const parts: string[] = [];
  if (estimated.answeredAt !== undefined)
    parts.push(`answered between ${estimated.answeredAt.from} and ${estimated.answeredAt.to}`);
  if (estimated.endedAt !== undefined)
    parts.push(`ended between ${estimated.endedAt.from} and ${estimated.endedAt.to}`);
  if (parts.length === 0) return undefined;
  return (
    `Duration estimated: the call was ${parts.join(' and ')}, while Switchboard could not ` +
    'see the phone system.'
  );
}

/** One formatter per time zone: building an Intl.DateTimeFormat costs far more than using it. */
const dateFormatters = new Map<string, Intl.DateTimeFormat>();
/**
 * The last date formatted per time zone, by quarter hour: every zone's offset has been a
 * multiple of 15 minutes since 1980, so the date cannot change within one. Formatting was
 * 1.5 % of the bridge's CPU per call at 100 calls/s (npm run bench).
 */
const lastDates = new Map<string, { quarter: number; date: string }>();
const QUARTER_HOUR_MS = 15 * 60_000;
const CACHED_FROM_MS = Date.UTC(1980, 0, 1);

/** YYYY-MM-DD of `at` in the time zone (en-CA formats dates that way). */
export function dateIn(at: Date, timeZone: string): string {
  const ms = at.getTime();
  const quarter = Math.floor(ms / QUARTER_HOUR_MS);
  const last = lastDates.get(timeZone);
  if (last !== undefined && last.quarter === quarter) return last.date;
  let formatter = dateFormatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    dateFormatters.set(timeZone, formatter);
  }
  const date = formatter.format(at);
  if (ms >= CACHED_FROM_MS) lastDates.set(timeZone, { quarter, date });
  return date;
}

function formatDuration(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  return `${m}:${String(s).padStart(2, '0')}`;
}

export interface TaskLinks {
  whoId?: string;
  whatId?: string;
  who?: CallMatch;
  what?: CallMatch;
}

/**
 * WhoId/WhatId: the record the rep picked if it is a Contact or Lead, else the single
 * Contact/Lead match; WhatId the picked Account (or other related object), else the Contact's
 * Account, else the single Account match — and never a WhatId with a Lead.
 */
export function resolveLinks(call: Call): TaskLinks {
  const byId = (id: string | undefined) =>
    id === undefined ? undefined : call.matches.find((m) => m.id === id);
  const linked = call.linkedRecordId;
  const linkedOk = linked !== undefined && SALESFORCE_ID.test(linked) ? linked : undefined;
  const linkedMatch = byId(linkedOk);
  const linkedObject =
    linkedMatch?.object ??
    (linkedOk === undefined ? undefined : WHO_PREFIXES[linkedOk.slice(0, 3)]);

  const links: TaskLinks = {};
  let whoObject: 'Contact' | 'Lead' | undefined;
  if (linkedOk !== undefined && (linkedObject === 'Contact' || linkedObject === 'Lead')) {
    links.whoId = linkedOk;
    links.who = linkedMatch;
    whoObject = linkedObject;
  } else {
    const people = call.matches.filter((m) => m.object === 'Contact' || m.object === 'Lead');
    const only = people.length === 1 ? people[0] : undefined;
    if (only !== undefined) {
      links.whoId = only.id;
      links.who = only;
      whoObject = only.object as 'Contact' | 'Lead';
    }
  }
  if (whoObject === 'Lead') return links;

  const linkedIsWhat =
    linkedOk !== undefined &&
    (linkedObject === 'Account' || (linkedObject === undefined && WHAT_PREFIX.test(linkedOk)));
  if (linkedOk !== undefined && linkedIsWhat) {
    links.whatId = linkedOk;
    links.what = linkedMatch;
  } else if (whoObject === 'Contact' && links.who?.accountId !== undefined) {
    links.whatId = links.who.accountId;
    links.what = byId(links.who.accountId);
  } else if (whoObject === undefined) {
    const accounts = call.matches.filter((m) => m.object === 'Account');
    const only = accounts.length === 1 ? accounts[0] : undefined;
    if (only !== undefined) {
      links.whatId = only.id;
      links.what = only;
    }
  }
  return links;
}

export function renderSubject(template: string, values: Record<string, string>): string {
  const text = template
    .replace(/\{([^{}]*)\}/g, (_m, name: string) => values[name] ?? '')
    .replace(/\s+/g, ' ')
    .trim();
  return (text === '' ? 'Call' : text).slice(0, SUBJECT_MAX);
}

export interface BuildTaskInput {
  call: Call;
  config: CallLogConfig;
  /** The rep's Salesforce user id, if known; without it Salesforce assigns the API user. */
  repUserId: string | undefined;
  now: Date;
  /** For a missed call that rang several reps (a queue): the other extensions it rang. */
  alsoRang?: readonly string[];
}

/** The Task for an ended call, or why there is none. */
export function buildCallTask({
  call,
  config,
  repUserId,
  now,
  alsoRang = [],
}: BuildTaskInput): CallTaskDecision {
  if (!config.enabled)
    return { log: false, code: 'CALL_LOG_DISABLED', reason: 'Call logging is turned off' };
  const kind = callKind(call);
  if (!config.callTypes.includes(kind))
    return { log: false, code: 'CALL_LOG_NOT_LOGGED', reason: `${kind} calls are not logged` };
  if (call.endReason === 'answered-elsewhere')
    return {
      log: false,
      code: 'CALL_LOG_NOT_LOGGED',
      reason: 'Answered by a colleague: their call log has it',
    };
  const outcome = result(call);
  const missedInbound = call.direction === 'inbound' && outcome !== 'answered';
  if (missedInbound && config.missedCalls === 'skip')
    return { log: false, code: 'CALL_LOG_NOT_LOGGED', reason: 'Missed calls are not logged' };

  const links = resolveLinks(call);
  const duration = callDurationSeconds(call);
  const number = call.withheld ? 'withheld number' : (call.e164 ?? call.number);
  const name = links.who?.name ?? links.what?.name ?? '';
  const started = new Date(call.startedAt);
  const startedValid = Number.isNaN(started.getTime()) ? now : started;
  const direction = kind === 'internal' ? 'Internal' : kind === 'inbound' ? 'Inbound' : 'Outbound';

  const fields: TaskFields = {
    TaskSubtype: 'Call',
    CallType: direction,
    CallDurationInSeconds: duration,
    CallObject: call.id.slice(0, 255),
    Priority: 'Normal',
  };
  if (links.whoId !== undefined) fields.WhoId = links.whoId;
  if (links.whatId !== undefined) fields.WhatId = links.whatId;

  if (missedInbound && config.missedCalls === 'callback-task') {
    // A record owned by a queue (00G…) cannot own a Task: fall back to the rep then.
    const owner = [links.who?.ownerId, links.what?.ownerId].find(isUserId) ?? repUserId;
    if (owner !== undefined) fields.OwnerId = owner;
    fields.Status = 'Not Started';
    fields.Subject = `Call back ${name === '' ? number : name}`.slice(0, SUBJECT_MAX);
    fields.ActivityDate = dateIn(now, config.timeZone);
    fields.CallDisposition = 'Missed';
    const extensions = [call.extension, ...alsoRang.filter((e) => e !== call.extension)];
    const on =
      extensions.length === 1
        ? `extension ${call.extension}`
        : `extensions ${extensions.join(', ')}`;
    fields.Description = `Missed call from ${number} at ${startedValid.toISOString()} on ${on}.`;
    return { log: true, fields, kind: 'callback' };
  }

  if (repUserId !== undefined) fields.OwnerId = repUserId;
  fields.Status = 'Completed';
  fields.ActivityDate = dateIn(startedValid, config.timeZone);
  fields.Subject = renderSubject(config.subjectTemplate, {
    direction,
    number,
    name,
    extension: call.extension,
    duration: formatDuration(duration),
    result: outcome,
    date: dateIn(startedValid, config.timeZone),
  });
  const note = estimateNote(call);
  if (note !== undefined) fields.Description = note;
  if (outcome !== 'answered')
    fields.CallDisposition =
      outcome === 'missed'
        ? 'Missed'
        : outcome === 'busy'
          ? 'Busy'
          : outcome === 'failed'
            ? 'Failed'
            : 'No answer';
  return { log: true, fields, kind: 'call' };
}

/** A User id (005…), as opposed to a queue or group that may own a record but not a Task. */
function isUserId(id: string | undefined): id is string {
  return id !== undefined && id.startsWith('005');
}
