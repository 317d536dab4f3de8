// The emulated org's Composite resource (`POST /composite`) and sObject Collections create
// (`POST /composite/sobjects`), with the limits and error shapes of a real org: at most 25
// subrequests of which at most 5 queries or Collections, only the resources Composite supports
// (no SOSL search, no Bulk jobs), references between subrequests (`@{ref.id}`), allOrNone (roll
// back and answer PROCESSING_HALTED) and collateSubrequests; Collections create at most 200
// records, each checked like a single create (field-level security, required fields,
// restricted picklists, write rejections) with its own SaveResult, or all rolled back with
// allOrNone. The whole request is one API call, as Salesforce counts it. The org routes each
// subrequest (emulated-org.ts); this file only knows the envelope.
import { OrgApiError, type Fields } from './store';

/** One data-API request, whether it came over HTTP or inside a Composite request. */
export interface DataRequest {
  method: string;
  url: URL;
  /** The API version in the request's path (62.0). */
  version: string;
  /** The parsed JSON body (undefined for GET). */
  body: unknown;
}

export interface DataReply {
  status: number;
  body: unknown;
  /** The new record's URL after a create. */
  location?: string;
}

export interface Transactions {
  /** Runs `work` so that `rollback()` undoes every write it made (store.ts). */
  transaction<T>(work: (rollback: () => void) => T): T;
}

export interface CompositeHost extends Transactions {
  /** Answers one subrequest as the same user; a refusal is thrown as an OrgApiError. */
  route(request: DataRequest): DataReply;
}

export const COMPOSITE_LIMITS = {
  subrequests: 25,
  /** Query, QueryAll and sObject Collections subrequests together. */
  queriesAndCollections: 5,
  collectionRecords: 200,
  /** Subrequests reach resources no older than this version. */
  oldestVersion: 34,
} as const;

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);
/** Subrequests inherit these from the top-level request and may not set them. */
const INHERITED_HEADERS = new Set(['accept', 'authorization', 'content-type']);
const REFERENCE_ID = /^[A-Za-z0-9][A-Za-z0-9_]*$/;
const REFERENCE = /@\{([A-Za-z0-9_]+)((?:\.[A-Za-z0-9_]+|\[\d+\])*)\}/g;
const ROLLED_BACK_MESSAGE =
  'The transaction was rolled back since another operation in the same transaction failed.';

interface Subrequest {
  method: string;
  url: string;
  referenceId: string;
  body: unknown;
}

interface Subresponse {
  body: unknown;
  httpHeaders: Record<string, string>;
  httpStatusCode: number;
  referenceId: string;
}

/** `POST /composite`: checks the envelope, then runs the subrequests in order. */
export function runComposite(body: unknown, version: string, host: CompositeHost): DataReply {
  const envelope = objectBody(body, 'The Composite request body must be a JSON object');
  const allOrNone = optionalBoolean(envelope, 'allOrNone');
  optionalBoolean(envelope, 'collateSubrequests');
  const subrequests = parseSubrequests(envelope.compositeRequest, version);

  return host.transaction((rollback) => {
    const responses: Subresponse[] = [];
    const outputs = new Map<string, unknown>();
    let failedAt: number | undefined;
    for (const sub of subrequests) {
      if (allOrNone && failedAt !== undefined) {
        responses.push(halted(sub.referenceId));
        continue;
      }
      const reply = runSubrequest(sub, outputs, host);
      responses.push({
        body: reply.body,
        httpHeaders: reply.location === undefined ? {} : { Location: reply.location },
        httpStatusCode: reply.status,
        referenceId: sub.referenceId,
      });
      if (reply.status >= 400) failedAt ??= responses.length - 1;
      else outputs.set(sub.referenceId, reply.body);
    }
    if (allOrNone && failedAt !== undefined) {
      rollback();
      return {
        status: 200,
        body: {
          compositeResponse: responses.map((r, i) => (i === failedAt ? r : halted(r.referenceId))),
        },
      };
    }
    return { status: 200, body: { compositeResponse: responses } };
  });
}

/**
 * `POST /composite/sobjects`: creates up to 200 records in order, one SaveResult each; with
 * allOrNone a single failure rolls every record back.
 */
export function createCollection(
  body: unknown,
  create: (type: string, fields: Fields) => string,
  transactions: Transactions,
): unknown[] {
  const envelope = objectBody(body, 'The sObject Collections request body must be a JSON object');
  const allOrNone = optionalBoolean(envelope, 'allOrNone');
  const records = envelope.records;
  if (!Array.isArray(records))
    throw new OrgApiError(400, 'INVALID_FIELD', 'records: a list of sObjects is required');
  if (records.length > COMPOSITE_LIMITS.collectionRecords)
    throw new OrgApiError(
      400,
      'EXCEEDED_ID_LIMIT',
      `record limit reached. cannot submit more than ${COMPOSITE_LIMITS.collectionRecords} records into this call`,
    );
  return transactions.transaction((rollback) => {
    const results = records.map((record: unknown) => createOne(record, create));
    if (!allOrNone || results.every((r) => r.success)) return results;
    rollback();
    return results.map((r) =>
      r.success
        ? {
            success: false,
            errors: [
              {
                statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
                message:
                  'Record rolled back because not all records were valid and the request was using AllOrNone header',
                fields: [],
              },
            ],
          }
        : r,
    );
  });
}

type SaveResult =
  | { id: string; success: true; errors: [] }
  | { success: false; errors: { statusCode: string; message: string; fields: string[] }[] };

function createOne(record: unknown, create: (type: string, fields: Fields) => string): SaveResult {
  const failure = (statusCode: string, message: string, fields: string[] = []): SaveResult => ({
    success: false,
    errors: [{ statusCode, message, fields }],
  });
  if (record === null || typeof record !== 'object' || Array.isArray(record))
    return failure('INVALID_TYPE', 'Must send a concrete entity type.');
  const fields = record as Fields;
  const attributes = fields.attributes as { type?: unknown } | undefined;
  const type = attributes?.type;
  if (typeof type !== 'string' || type === '')
    return failure('INVALID_TYPE', 'Must send a concrete entity type.');
  if (Object.keys(fields).some((k) => k.toLowerCase() === 'id'))
    return failure('INVALID_FIELD_FOR_INSERT_UPDATE', 'cannot specify Id in an insert call', [
      'Id',
    ]);
  try {
    return { id: create(type, fields), success: true, errors: [] };
  } catch (error) {
    if (!(error instanceof OrgApiError)) throw error;
    if (error.errorCode === 'NOT_FOUND')
      return failure('INVALID_TYPE', `sObject type '${type}' is not supported.`);
    return failure(error.errorCode, error.message, error.fields ?? []);
  }
}

function runSubrequest(
  sub: Subrequest,
  outputs: ReadonlyMap<string, unknown>,
  host: CompositeHost,
): DataReply {
  let url: string;
  let body: unknown;
  try {
    url = resolveText(sub.url, outputs);
    body = resolveValue(sub.body, outputs);
  } catch (error) {
    if (!(error instanceof UnresolvedReference)) throw error;
    return {
      status: 400,
      body: [
        {
          errorCode: 'PROCESSING_HALTED',
          message: `Invalid reference specified. No value for ${error.expression} found in ${error.referenceId}. Provided referenceId ('${error.referenceId}') must refer to the output of an earlier subrequest that succeeded.`,
        },
      ],
    };
  }
  const parsed = new URL(url, 'http://org.invalid');
  const version = /^\/services\/data\/v(\d+\.\d)\//.exec(parsed.pathname)?.[1] ?? '';
  try {
    return host.route({ method: sub.method, url: parsed, version, body });
  } catch (error) {
    if (!(error instanceof OrgApiError)) throw error;
    return { status: error.status, body: error.body() };
  }
}

function halted(referenceId: string): Subresponse {
  return {
    body: [{ errorCode: 'PROCESSING_HALTED', message: ROLLED_BACK_MESSAGE }],
    httpHeaders: {},
    httpStatusCode: 400,
    referenceId,
  };
}

/** Checks every subrequest before any runs: a bad envelope changes nothing in the org. */
function parseSubrequests(value: unknown, version: string): Subrequest[] {
  if (!Array.isArray(value) || value.length === 0)
    throw new OrgApiError(
      400,
      'INVALID_INPUT',
      'compositeRequest: a list of at least one subrequest is required',
    );
  if (value.length > COMPOSITE_LIMITS.subrequests)
    throw new OrgApiError(
      400,
      'LIMIT_EXCEEDED',
      `A Composite request may have at most ${COMPOSITE_LIMITS.subrequests} subrequests; this one has ${value.length}.`,
    );
  const seen = new Set<string>();
  let heavy = 0;
  const subrequests = value.map((raw: unknown, index): Subrequest => {
    const at = `compositeRequest[${index}]`;
    const sub = objectBody(raw, `${at} must be a JSON object`);
    const { method, url, referenceId } = sub;
    if (typeof method !== 'string' || !METHODS.has(method))
      throw new OrgApiError(
        400,
        'INVALID_INPUT',
        `${at}.method must be one of ${[...METHODS].join(', ')}`,
      );
    if (typeof referenceId !== 'string' || !REFERENCE_ID.test(referenceId))
      throw new OrgApiError(
        400,
        'INVALID_INPUT',
        `${at}.referenceId must start with a letter or digit and hold only letters, digits and underscores`,
      );
    if (seen.has(referenceId))
      throw new OrgApiError(400, 'INVALID_INPUT', `Duplicate referenceId: ${referenceId}`);
    seen.add(referenceId);
    if (typeof url !== 'string')
      throw new OrgApiError(400, 'INVALID_INPUT', `${at}.url is required`);
    const headers = sub.httpHeaders;
    if (headers !== undefined && (headers === null || typeof headers !== 'object'))
      throw new OrgApiError(400, 'INVALID_INPUT', `${at}.httpHeaders must be an object`);
    for (const name of Object.keys(headers ?? {}))
      if (INHERITED_HEADERS.has(name.toLowerCase()))
        throw new OrgApiError(
          400,
          'INVALID_INPUT',
          `${at}.httpHeaders may not set ${name}: subrequests inherit it from the Composite request`,
        );
    const kind = resourceKind(url, version, at);
    if (kind === 'query' || kind === 'collection') heavy++;
    return { method, url, referenceId, body: sub.body };
  });
  if (heavy > COMPOSITE_LIMITS.queriesAndCollections)
    throw new OrgApiError(
      400,
      'LIMIT_EXCEEDED',
      `A Composite request may have at most ${COMPOSITE_LIMITS.queriesAndCollections} query or sObject Collections subrequests; this one has ${heavy}.`,
    );
  return subrequests;
}

/** The resource a subrequest URL names; only those Composite supports pass. */
function resourceKind(
  url: string,
  version: string,
  at: string,
): 'sobject' | 'query' | 'collection' {
  const match = /^\/services\/data\/v(\d+\.\d)(\/[^?]*)/.exec(url);
  const subVersion = Number(match?.[1]);
  if (
    match === null ||
    !(subVersion >= COMPOSITE_LIMITS.oldestVersion) ||
    subVersion > Number(version)
  )
    throw new OrgApiError(
      400,
      'INVALID_INPUT',
      `${at}.url must be /services/data/vXX.X/… with a version from ${COMPOSITE_LIMITS.oldestVersion}.0 to ${version}`,
    );
  const path = (match[2] ?? '').replace(/\/+$/, '');
  if (path.startsWith('/sobjects/')) return 'sobject';
  if (/^\/(query|queryAll)(\/.*)?$/.test(path)) return 'query';
  if (path === '/composite/sobjects') return 'collection';
  throw new OrgApiError(
    400,
    'INVALID_INPUT',
    `${at}.url: ${path} is not supported in a Composite request (sObject, Query, QueryAll and sObject Collections resources only; SOSL search is not among them)`,
  );
}

class UnresolvedReference extends Error {
  constructor(
    readonly referenceId: string,
    readonly expression: string,
  ) {
    super(`No value for ${expression}`);
  }
}

/** Replaces every `@{ref.path}` in a string with the earlier subrequest's value. */
function resolveText(text: string, outputs: ReadonlyMap<string, unknown>): string {
  return text.replace(REFERENCE, (_whole, referenceId: string, path: string) => {
    const value = lookup(outputs, referenceId, path);
    return typeof value === 'string' ? value : JSON.stringify(value);
  });
}

function resolveValue(value: unknown, outputs: ReadonlyMap<string, unknown>): unknown {
  if (typeof value === 'string') return resolveText(value, outputs);
  if (Array.isArray(value)) return value.map((v) => resolveValue(v, outputs));
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveValue(v, outputs)]));
  return value;
}

function lookup(outputs: ReadonlyMap<string, unknown>, referenceId: string, path: string): unknown {
  const expression = `${referenceId}${path}`;
  if (!outputs.has(referenceId)) throw new UnresolvedReference(referenceId, expression);
  let value = outputs.get(referenceId);
  for (const [, field, index] of path.matchAll(/\.([A-Za-z0-9_]+)|\[(\d+)\]/g)) {
    if (value === null || typeof value !== 'object') {
      value = undefined;
      break;
    }
    value =
      field !== undefined
        ? (value as Record<string, unknown>)[field]
        : (value as unknown[])[Number(index)];
  }
  if (value === undefined || value === null) throw new UnresolvedReference(referenceId, expression);
  return value;
}

function objectBody(body: unknown, message: string): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new OrgApiError(400, 'JSON_PARSER_ERROR', message);
  return body as Record<string, unknown>;
}

function optionalBoolean(envelope: Record<string, unknown>, key: string): boolean {
  const value = envelope[key];
  if (value === undefined) return false;
  if (typeof value !== 'boolean')
    throw new OrgApiError(400, 'JSON_PARSER_ERROR', `${key} must be true or false`);
  return value;
}
