// Orders a lookup's matches for the screen pop: what the ringing rep owns first, then what was
// touched most recently (the live relationship), one entry per record, at most `max`.
import type { CallMatch, MatchObject } from '../calls/call';
import type { DirectoryMatch } from '../calls/caller-directory';
import { idKey } from './record-ids';

export interface RankOptions {
  /** The Salesforce user id of the rep whose phone rings; their records come first. */
  repUserId?: string;
  max: number;
}

/** Between equally recent records, a person beats a company. */
const OBJECT_ORDER: Record<MatchObject, number> = { Contact: 0, Lead: 1, Account: 2 };

export function rankMatches(matches: DirectoryMatch[], options: RankOptions): CallMatch[] {
  const byId = new Map<string, DirectoryMatch>();
  for (const match of matches) {
    const key = idKey(match.id);
    const seen = byId.get(key);
    if (seen === undefined || timeOf(match) > timeOf(seen)) byId.set(key, match);
  }
  const rep = options.repUserId === undefined ? undefined : idKey(options.repUserId);
  const owned = (m: DirectoryMatch) =>
    rep !== undefined && m.ownerId !== undefined && idKey(m.ownerId) === rep ? 0 : 1;
  return [...byId.values()]
    .sort(
      (a, b) =>
        owned(a) - owned(b) ||
        timeOf(b) - timeOf(a) ||
        OBJECT_ORDER[a.object] - OBJECT_ORDER[b.object],
    )
    .slice(0, Math.max(0, options.max))
    .map(toCallMatch);
}

function timeOf(match: DirectoryMatch): number {
  // Salesforce writes offsets as +0000; ISO 8601 parsers only promise +00:00.
  const time = Date.parse(match.lastModifiedAt.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isNaN(time) ? Number.NEGATIVE_INFINITY : time;
}

/** The part the browser receives: no ranking data, no undefined keys. */
function toCallMatch(match: DirectoryMatch): CallMatch {
  const result: CallMatch = {
    id: match.id,
    object: match.object,
    name: match.name,
    phoneField: match.phoneField,
  };
  if (match.accountId !== undefined) result.accountId = match.accountId;
  if (match.accountName !== undefined) result.accountName = match.accountName;
  if (match.ownerId !== undefined) result.ownerId = match.ownerId;
  return result;
}
