// "Who has this number?" answered live from Salesforce: a SOSL phone search with digit-only
// terms, every hit re-checked by normalizing its stored phone fields the way the directory index
// does (record-plan.ts: the same fields, each with the record's own country, Person Account
// phones included), plus two ways around the search index lag — records the bridge was told
// about are fetched by id, and an empty search falls back to a query over recently modified
// records. Only fields the integration user can read are asked for. What a lookup asks after the
// search (noted and recent records) goes out as one Composite request, so a lookup costs one API
// call, two when the search found nobody or records were noted. Lookups of the same number share
// one request and a short-lived cache.
import type { DirectoryConfig, PhoneConfig, LookupConfig } from '../config/schema';
import { ErrorCodes, SwitchboardError, isSwitchboardError } from '../errors';
import { numberForLog, type Logger } from '../logging/logger';
import type { MatchObject } from '../calls/call';
import { phoneSearchTerms } from '../phone/phone-number';
import type { SObjectRecord, SalesforceGateway } from '../salesforce/gateway';
import { OrgFields } from '../salesforce/org-fields';
import {
  QueryFragment,
  type Soql,
  fieldList,
  findTerms,
  identifier,
  soql,
  sosl,
} from '../salesforce/query-builder';
import type { DirectoryMatch } from '../calls/caller-directory';
import type { RememberingDirectory } from './shared-live-search';
import { idKey, matchObjectForId } from './record-ids';
import {
  fieldValue,
  isExcluded,
  objectPlan,
  personAccountsFromDescribe,
  readablePlan,
  recordNumbers,
  type ObjectPlan,
} from './record-plan';

export interface LiveSearchDirectoryOptions {
  gateway: SalesforceGateway;
  phone: PhoneConfig;
  lookup: LookupConfig;
  logger: Logger;
  /**
   * Custom phone fields and Person Accounts, as the directory index reads them (default: no
   * custom fields, Person Accounts when the org has them).
   */
  directory?: Pick<DirectoryConfig, 'customPhoneFields' | 'personAccounts'>;
  /** What the integration user may read (one per bridge); made from the gateway if omitted. */
  orgFields?: OrgFields;
  /** Milliseconds since the epoch; injected by tests. */
  now?: () => number;
}

export { PHONE_FIELDS } from './record-plan';

const OBJECTS: readonly MatchObject[] = ['Contact', 'Lead', 'Account'];
const NO_CUSTOM_FIELDS: DirectoryConfig['customPhoneFields'] = {
  Contact: [],
  Lead: [],
  Account: [],
};

/** Bounds on memory: a bridge runs for months. */
const MAX_CACHE_ENTRIES = 10_000;
const MAX_NOTED_RECORDS = 1_000;
/** Records fetched per query by id, and per object in the recent-records fallback. */
const ID_CHUNK = 200;
const FALLBACK_LIMIT = 200;
/** Salesforce's search index usually catches up within ~15 minutes. */
const MIN_NOTED_MINUTES = 15;

/** A query a lookup sends after its search, and the object it reads. */
interface FollowUpQuery {
  sobject: MatchObject;
  soql: Soql;
}

interface CacheEntry {
  matches: DirectoryMatch[];
  expiresAt: number;
}

interface NotedRecord {
  sobjectType: MatchObject;
  /** The id as given (the map key is its 15-character form). */
  id: string;
  notedAt: number;
}

export class LiveSearchDirectory implements RememberingDirectory {
  private readonly gateway: SalesforceGateway;
  private readonly phone: PhoneConfig;
  private readonly lookup: LookupConfig;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly orgFields: OrgFields;
  private readonly directory: Pick<DirectoryConfig, 'customPhoneFields' | 'personAccounts'>;
  private readonly cache = new Map<string, CacheEntry>();
  private readonly inFlight = new Map<string, Promise<DirectoryMatch[]>>();
  private readonly noted = new Map<string, NotedRecord>();
  /** Bumped whenever a record changes, so a lookup started before it is not cached after it. */
  private generation = 0;

  constructor(options: LiveSearchDirectoryOptions) {
    this.gateway = options.gateway;
    this.phone = options.phone;
    this.lookup = options.lookup;
    this.logger = options.logger;
    this.now = options.now ?? Date.now;
    this.orgFields =
      options.orgFields ?? new OrgFields({ gateway: options.gateway, logger: options.logger });
    this.directory = options.directory ?? {
      customPhoneFields: NO_CUSTOM_FIELDS,
      personAccounts: 'auto',
    };
  }

  findByNumber(e164: string): Promise<DirectoryMatch[]> {
    const cached = this.fromCache(e164);
    if (cached !== undefined) return Promise.resolve(cached);
    const running = this.inFlight.get(e164);
    if (running !== undefined) return running.then((matches) => [...matches]);

    const generation = this.generation;
    const lookup = this.search(e164).then(
      (matches) => {
        if (this.inFlight.get(e164) === lookup) this.inFlight.delete(e164);
        if (generation === this.generation) this.toCache(e164, matches);
        return matches;
      },
      (error: unknown) => {
        if (this.inFlight.get(e164) === lookup) this.inFlight.delete(e164);
        throw error;
      },
    );
    this.inFlight.set(e164, lookup);
    return lookup.then((matches) => [...matches]);
  }

  knownMatches(e164: string): DirectoryMatch[] | undefined {
    return this.fromCache(e164);
  }

  /** Another bridge's answer for this number (shared-live-search.ts): cached like one's own. */
  remember(e164: string, matches: readonly DirectoryMatch[]): void {
    this.toCache(e164, [...matches]);
  }

  noteRecordChanged(sobjectType: string, id: string): void {
    this.generation += 1;
    this.cache.clear();
    this.inFlight.clear();
    // call.link carries only an id: the key prefix tells a Contact, Lead or Account.
    const object = isMatchObject(sobjectType) ? sobjectType : matchObjectForId(id);
    if (object === undefined) return;
    this.noted.delete(idKey(id));
    this.noted.set(idKey(id), { sobjectType: object, id, notedAt: this.now() });
    while (this.noted.size > MAX_NOTED_RECORDS) this.deleteOldest(this.noted);
  }

  private async search(e164: string): Promise<DirectoryMatch[]> {
    const terms = phoneSearchTerms(e164);
    if (terms.length === 0)
      throw new SwitchboardError(
        ErrorCodes.SF_BAD_QUERY_VALUE,
        'Only E.164 numbers are looked up',
        {
          hint: 'Normalize the number with phone/phone-number.ts first.',
          details: { number: numberForLog(this.logger, e164) },
        },
      );
    try {
      return await this.searchWith(e164, terms);
    } catch (error) {
      // A field we were told we may read is not there any more (a permission was taken away
      // since the last describe): describe again and ask once more without it.
      if (!(isSwitchboardError(error) && error.details?.errorCode === 'INVALID_FIELD'))
        throw asLookupError(error);
      this.orgFields.refresh();
      try {
        return await this.searchWith(e164, terms);
      } catch (again) {
        throw asLookupError(again);
      }
    }
  }

  /**
   * Describes the objects at start, so a missing field permission is named before the first
   * call rather than during it (each once). Never throws: the lookup will say it again.
   */
  async checkAccess(): Promise<void> {
    try {
      await this.plans();
    } catch (error) {
      this.logger.debug({ err: asLookupError(error).message }, 'field access not checked yet');
    }
  }

  /** The fields read per object: the index's plan, minus what the integration user cannot read. */
  private async plans(): Promise<Record<MatchObject, ObjectPlan>> {
    const personAccounts =
      (await personAccountsFromDescribe(this.directory.personAccounts, this.orgFields)) ?? false;
    const out = {} as Record<MatchObject, ObjectPlan>;
    for (const object of OBJECTS)
      out[object] = await readablePlan(
        objectPlan(object, this.directory, object !== 'Lead' && personAccounts),
        this.orgFields,
        'caller lookup',
      );
    return out;
  }

  private async searchWith(e164: string, terms: string[]): Promise<DirectoryMatch[]> {
    const plans = await this.plans();
    const returning = new QueryFragment(
      OBJECTS.filter((object) => plans[object].phoneFields.length > 0)
        .map((object) => {
          const plan = plans[object];
          const where = plan.exclude === undefined ? '' : ` WHERE ${plan.exclude.condition}`;
          return `${identifier(object).text}(${fieldList(plan.selectFields).text}${where})`;
        })
        .join(', '),
    );
    if (returning.text === '') return [];
    const hits = await this.gateway.search(
      sosl`FIND ${findTerms(terms)} IN PHONE FIELDS RETURNING ${returning}`,
    );
    const matches = this.recheck(hits, e164, plans);
    const seen = new Set(hits.map((hit) => idKey(hit.Id)));
    // Everything a lookup asks after the search goes out together: one Composite request (one
    // API call) for the noted records and, when the search found nobody, the recent records.
    const followUps = [
      ...this.notedQueries(seen, plans),
      ...(matches.length === 0 && this.lookup.recentWindowMinutes > 0
        ? this.recentQueries(e164, plans)
        : []),
    ];
    matches.push(...this.recheck(await this.run(followUps), e164, plans));
    const unique = [...new Map(matches.map((m) => [idKey(m.id), m])).values()];
    this.logger.debug(
      { number: numberForLog(this.logger, e164), hits: hits.length, matches: unique.length },
      'caller lookup',
    );
    return unique;
  }

  /**
   * Keeps the hits whose stored phone values are the caller's number — normalized exactly as
   * the directory index normalizes them — as our own type.
   */
  private recheck(
    records: readonly SObjectRecord[],
    e164: string,
    plans: Record<MatchObject, ObjectPlan>,
  ): DirectoryMatch[] {
    const matches: DirectoryMatch[] = [];
    for (const record of records) {
      if (!isMatchObject(record.sobjectType)) continue;
      const plan = plans[record.sobjectType];
      if (isExcluded(plan, record)) continue;
      const phoneField = recordNumbers(plan, record, this.phone).find((n) => n.e164 === e164);
      if (phoneField !== undefined)
        matches.push(toMatch(record.sobjectType, record, phoneField.field));
    }
    return matches;
  }

  /** Queries for the records the bridge was told about recently and the search did not return. */
  private notedQueries(
    seen: ReadonlySet<string>,
    plans: Record<MatchObject, ObjectPlan>,
  ): FollowUpQuery[] {
    const keepFor = Math.max(this.lookup.recentWindowMinutes, MIN_NOTED_MINUTES) * 60_000;
    const cutoff = this.now() - keepFor;
    const wanted = new Map<MatchObject, string[]>();
    for (const [key, record] of this.noted) {
      if (record.notedAt < cutoff) {
        this.noted.delete(key);
        continue;
      }
      if (seen.has(key)) continue;
      wanted.set(record.sobjectType, [...(wanted.get(record.sobjectType) ?? []), record.id]);
    }
    const queries: FollowUpQuery[] = [];
    for (const [sobject, ids] of wanted) {
      // One query per object and chunk rather than one retrieve per record: a busy rep may
      // have created dozens of records inside the lag window.
      for (let i = 0; i < ids.length; i += ID_CHUNK) {
        const chunk = ids.slice(i, i + ID_CHUNK);
        queries.push({
          sobject,
          soql: soql`SELECT ${fieldList(plans[sobject].selectFields)} FROM ${identifier(sobject)} WHERE Id IN ${chunk}`,
        });
      }
    }
    return queries;
  }

  /**
   * The search index lags behind writes: look at records modified inside the window whose
   * phone fields contain the number's last four digits, with or without one separator in any
   * of the three gaps (`4567`, `45 67`, `4 56 7`, `456-7`…: people group digits every way),
   * and let the re-check decide.
   */
  private recentQueries(e164: string, plans: Record<MatchObject, ObjectPlan>): FollowUpQuery[] {
    const since = new Date(this.now() - this.lookup.recentWindowMinutes * 60_000);
    const patterns = lastDigitsPatterns(e164);
    const queries: FollowUpQuery[] = [];
    for (const sobject of OBJECTS) {
      const plan = plans[sobject];
      if (plan.phoneFields.length === 0) continue;
      const phoneClause = new QueryFragment(
        plan.phoneFields
          .flatMap((field) => patterns.map((p) => `${identifier(field).text} LIKE ${p}`))
          .join(' OR '),
      );
      const excluded = new QueryFragment(
        plan.exclude === undefined ? '' : ` AND ${plan.exclude.condition}`,
      );
      queries.push({
        sobject,
        soql: soql`SELECT ${fieldList(plan.selectFields)} FROM ${identifier(sobject)} WHERE LastModifiedDate > ${since}${excluded} AND (${phoneClause}) ORDER BY LastModifiedDate DESC LIMIT ${FALLBACK_LIMIT}`,
      });
    }
    return queries;
  }

  /**
   * Sends the follow-up queries: several as one Composite request where the gateway can
   * (QUERIES_PER_COMPOSITE per API call), else one by one. Records come back typed.
   */
  private async run(queries: readonly FollowUpQuery[]): Promise<SObjectRecord[]> {
    if (queries.length === 0) return [];
    const results =
      queries.length > 1 && this.gateway.queryBatch !== undefined
        ? await this.gateway.queryBatch(queries.map((q) => q.soql))
        : await Promise.all(queries.map((q) => this.gateway.query(q.soql)));
    return queries.flatMap((q, i) =>
      (results[i] ?? []).map((row) => ({ ...row, sobjectType: q.sobject })),
    );
  }

  private fromCache(e164: string): DirectoryMatch[] | undefined {
    const entry = this.cache.get(e164);
    if (entry === undefined) return undefined;
    this.cache.delete(e164);
    if (entry.expiresAt <= this.now()) return undefined;
    this.cache.set(e164, entry); // most recently used goes last
    return [...entry.matches];
  }

  private toCache(e164: string, matches: DirectoryMatch[]): void {
    if (this.lookup.cacheTtlSeconds <= 0) return;
    this.cache.delete(e164);
    this.cache.set(e164, { matches, expiresAt: this.now() + this.lookup.cacheTtlSeconds * 1000 });
    while (this.cache.size > MAX_CACHE_ENTRIES) this.deleteOldest(this.cache);
  }

  private deleteOldest(map: Map<string, unknown>): void {
    const oldest = map.keys().next();
    if (oldest.done !== true) map.delete(oldest.value);
  }
}

/**
 * LIKE literals for the last four digits with `_` (any one character) optionally in each gap.
 * Built here rather than with likePattern, which escapes `_`; safe because the input is
 * checked to be digits and nothing else reaches the literal.
 */
function lastDigitsPatterns(e164: string): string[] {
  const last4 = e164.slice(-4);
  if (!/^\d{4}$/.test(last4))
    throw new SwitchboardError(ErrorCodes.SF_BAD_QUERY_VALUE, 'Only E.164 numbers are looked up');
  const [a, b, c, d] = [0, 1, 2, 3].map((i) => last4.charAt(i));
  const patterns: string[] = [];
  for (let gaps = 0; gaps < 8; gaps++) {
    const gap = (bit: number) => ((gaps >> bit) & 1 ? '_' : '');
    patterns.push(`'%${a ?? ''}${gap(0)}${b ?? ''}${gap(1)}${c ?? ''}${gap(2)}${d ?? ''}%'`);
  }
  return patterns;
}

function isMatchObject(value: string): value is MatchObject {
  return value === 'Contact' || value === 'Lead' || value === 'Account';
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function toMatch(object: MatchObject, record: SObjectRecord, phoneField: string): DirectoryMatch {
  const match: DirectoryMatch = {
    id: record.Id,
    object,
    name: text(record.Name) ?? record.Id,
    phoneField,
    lastModifiedAt: text(record.LastModifiedDate) ?? '',
  };
  const ownerId = text(record.OwnerId);
  if (ownerId !== undefined) match.ownerId = ownerId;
  if (object === 'Contact') {
    const accountId = text(record.AccountId);
    if (accountId !== undefined) match.accountId = accountId;
    const accountName = text(fieldValue(record, 'Account.Name'));
    if (accountName !== undefined) match.accountName = accountName;
  }
  return match;
}

function asLookupError(error: unknown): SwitchboardError {
  if (isSwitchboardError(error)) return error;
  return new SwitchboardError(
    ErrorCodes.SF_UNAVAILABLE,
    'Salesforce could not be searched for the caller',
    {
      cause: error,
      hint: 'Check the bridge can reach the org (GET /healthz) and the integration user can search.',
    },
  );
}
