// The SOQL subset the emulated org answers, on top of @jetstreamapp/soql-parser-js: field lists
// with parent relationships (Account.Name, Owner.Name), WHERE with comparison, LIKE, IN, NOT IN,
// INCLUDES/EXCLUDES, AND/OR/NOT and parentheses, null, booleans, numbers, dates, datetimes and
// TODAY/YESTERDAY/TOMORROW; ORDER BY (several keys, ASC/DESC, NULLS FIRST/LAST), LIMIT, OFFSET,
// COUNT(). Anything else is refused with the error Salesforce would give, so a query that works
// here is one the bridge may send to a real org.
import {
  parseQuery,
  type Condition,
  type OrderByClause,
  type Query,
  type WhereClause,
} from '@jetstreamapp/soql-parser-js';
import { sameId } from './ids';
import type { FieldDef, ObjectDef, OrgSchema } from './schema';
import { OrgApiError, parseSfDateTime, type RecordStore, type StoredRecord } from './store';

/** A field as reached from the queried object: the reference fields walked, then the leaf. */
export interface FieldPath {
  /** Reference fields followed, in order (AccountId for Account.Name). */
  via: FieldDef[];
  /** Canonical relationship names, for building nested result objects. */
  relationshipNames: string[];
  /** The leaf field's name as written (resolved per parent type at run time). */
  leaf: string;
  /** The leaf's definition on the first candidate parent type. */
  leafDef: FieldDef;
}

export type Predicate = (record: StoredRecord) => boolean;

export interface QueryPlan {
  def: ObjectDef;
  count: boolean;
  select: FieldPath[];
  where: Predicate | undefined;
  orderBy: { path: FieldPath; desc: boolean; nullsLast: boolean }[];
  limit: number | undefined;
  offset: number;
}

export interface EngineContext {
  schema: OrgSchema;
  store: RecordStore;
  clock: () => number;
  /**
   * Field-level security of the user asking: a field they cannot read does not exist for them
   * (INVALID_FIELD), in SELECT, WHERE and ORDER BY alike. Absent: every field is readable.
   */
  canRead?: (def: ObjectDef, field: FieldDef) => boolean;
}

export function malformed(message: string): OrgApiError {
  return new OrgApiError(400, 'MALFORMED_QUERY', message);
}

export function parseSoql(text: string): Query {
  try {
    return parseQuery(text);
  } catch (error) {
    const message = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
    throw malformed(`unexpected token in query: ${message.slice(0, 200)}`);
  }
}

function noSuchColumn(name: string, def: ObjectDef): OrgApiError {
  return new OrgApiError(
    400,
    'INVALID_FIELD',
    `No such column '${name}' on entity '${def.name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
  );
}

export function resolveObject(schema: OrgSchema, name: string | undefined): ObjectDef {
  const def = name === undefined ? undefined : schema.object(name);
  if (def === undefined) throw unsupportedObject(name ?? '');
  return def;
}

/** Salesforce's answer for an object that does not exist, or that the user may not see. */
export function unsupportedObject(name: string): OrgApiError {
  return new OrgApiError(
    400,
    'INVALID_TYPE',
    `sObject type '${name}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`,
  );
}

/**
 * Resolves `Account.Owner.Name` from `def`, checking every step against the schema and, when
 * given, the user's field-level security (a hidden reference field hides its relationship).
 */
export function resolvePath(
  schema: OrgSchema,
  def: ObjectDef,
  dotted: string,
  canRead: (def: ObjectDef, field: FieldDef) => boolean = () => true,
): FieldPath {
  const parts = dotted.split('.');
  // SOQL allows the object's own name as a prefix: SELECT Contact.Name FROM Contact.
  if (parts.length > 1 && parts[0]?.toLowerCase() === def.name.toLowerCase()) parts.shift();
  const via: FieldDef[] = [];
  const relationshipNames: string[] = [];
  let candidates: ObjectDef[] = [def];
  for (const rel of parts.slice(0, -1)) {
    const ref = candidates
      .map((c) => {
        const r = c.relationships.get(rel.toLowerCase());
        return r !== undefined && canRead(c, r) ? r : undefined;
      })
      .find((r) => r !== undefined);
    if (ref === undefined || ref.relationshipName === undefined)
      throw new OrgApiError(
        400,
        'INVALID_FIELD',
        `Didn't understand relationship '${rel}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`,
      );
    via.push(ref);
    relationshipNames.push(ref.relationshipName);
    candidates = (ref.referenceTo ?? [])
      .map((t) => schema.object(t))
      .filter((d): d is ObjectDef => d !== undefined);
  }
  const leaf = parts[parts.length - 1] ?? '';
  const leafDef = candidates
    .map((c) => {
      const f = c.fields.get(leaf.toLowerCase());
      return f !== undefined && canRead(c, f) ? f : undefined;
    })
    .find((f) => f !== undefined);
  if (leafDef === undefined) throw noSuchColumn(leaf, candidates[0] ?? def);
  return { via, relationshipNames, leaf, leafDef };
}

/** The record a path's leaf lives on (the record itself, or a parent), or null. */
export function holderOf(
  store: RecordStore,
  record: StoredRecord,
  path: FieldPath,
): StoredRecord | null {
  let current: StoredRecord | undefined = record;
  for (const ref of path.via) {
    const id: unknown = current.fields[ref.name];
    current = typeof id === 'string' ? store.get(id) : undefined;
    if (current === undefined) return null;
  }
  return current;
}

export function valueOf(store: RecordStore, record: StoredRecord, path: FieldPath): unknown {
  const holder = holderOf(store, record, path);
  if (holder === null) return null;
  const name = holder.def.fields.get(path.leaf.toLowerCase())?.name ?? path.leafDef.name;
  return holder.fields[name] ?? null;
}

// ---------------------------------------------------------------- literals

type Literal =
  | { kind: 'string'; value: string; raw: string }
  | { kind: 'number'; value: number }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'null' }
  | { kind: 'datetime'; value: number }
  | { kind: 'date'; value: string }
  | { kind: 'range'; from: number; to: number };

const STRING_ESCAPES: Record<string, string> = {
  n: '\n',
  r: '\r',
  t: '\t',
  b: '\b',
  f: '\f',
  '"': '"',
  "'": "'",
  '\\': '\\',
};

function unquote(raw: string): string {
  if (!raw.startsWith("'") || !raw.endsWith("'") || raw.length < 2)
    throw malformed(`unexpected token: '${raw}' (string values must be in single quotes)`);
  const body = raw.slice(1, -1);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body.charAt(i);
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = body.charAt(++i);
    const mapped = STRING_ESCAPES[next] ?? (next === '%' || next === '_' ? `\\${next}` : undefined);
    if (mapped === undefined)
      throw malformed(`Invalid string literal '${raw}'. Illegal escape sequence '\\${next}'`);
    out += mapped;
  }
  return out;
}

const DAY = 86_400_000;

function dayStart(ms: number): number {
  return Math.floor(ms / DAY) * DAY;
}

function toLiteral(value: string, type: string | undefined, clock: () => number): Literal {
  switch (type) {
    case 'STRING': {
      const text = unquote(value);
      return { kind: 'string', value: text.replace(/\\([%_])/g, '$1'), raw: text };
    }
    case 'INTEGER':
    case 'DECIMAL':
      return { kind: 'number', value: Number(value) };
    case 'BOOLEAN':
      return { kind: 'boolean', value: value.toUpperCase() === 'TRUE' };
    case 'NULL':
      return { kind: 'null' };
    case 'DATETIME':
      return { kind: 'datetime', value: parseSfDateTime(value) };
    case 'DATE':
      return { kind: 'date', value };
    case 'DATE_LITERAL': {
      const today = dayStart(clock());
      const offset = { YESTERDAY: -1, TODAY: 0, TOMORROW: 1 }[value.toUpperCase()];
      if (offset === undefined)
        throw malformed(`date literal ${value} is not supported by the emulated org`);
      return { kind: 'range', from: today + offset * DAY, to: today + (offset + 1) * DAY };
    }
    default:
      throw malformed(`${type ?? 'this'} value is not supported by the emulated org`);
  }
}

function checkType(path: FieldPath, literal: Literal, fieldName: string): void {
  const t = path.leafDef.type;
  const textual = [
    'string',
    'textarea',
    'phone',
    'email',
    'url',
    'picklist',
    'id',
    'reference',
  ].includes(t);
  const ok =
    literal.kind === 'null' ||
    (textual && literal.kind === 'string') ||
    (t === 'boolean' && literal.kind === 'boolean') ||
    (['int', 'double', 'currency'].includes(t) && literal.kind === 'number') ||
    ((t === 'date' || t === 'datetime') && ['date', 'datetime', 'range'].includes(literal.kind));
  if (!ok)
    throw new OrgApiError(
      400,
      'INVALID_FIELD',
      textual
        ? `value of filter criterion for field '${fieldName}' must be of type ${t} and should be enclosed in quotes`
        : `value of filter criterion for field '${fieldName}' must be of type ${t} and should not be enclosed in quotes`,
    );
  if (
    (t === 'id' || t === 'reference') &&
    literal.kind === 'string' &&
    literal.value !== '' &&
    !/^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/.test(literal.value)
  )
    throw new OrgApiError(
      400,
      'INVALID_QUERY_FILTER_OPERATOR',
      `invalid ID field: ${literal.value}`,
    );
}

// ---------------------------------------------------------------- comparison

/** A stored scalar as text (seed and API values are strings, numbers, booleans or null). */
function text(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
    ? String(value)
    : '';
}

function timeOf(value: unknown): number {
  return typeof value === 'string'
    ? parseSfDateTime(value.length === 10 ? `${value}T00:00:00Z` : value)
    : NaN;
}

function equals(fieldValue: unknown, literal: Literal, def: FieldDef): boolean {
  if (literal.kind === 'null') return fieldValue === null || fieldValue === undefined;
  if (fieldValue === null || fieldValue === undefined) return false;
  switch (literal.kind) {
    case 'string':
      if (def.type === 'id' || def.type === 'reference')
        return typeof fieldValue === 'string' && sameId(fieldValue, literal.value);
      // SOQL string comparison is case-insensitive.
      return text(fieldValue).toLowerCase() === literal.value.toLowerCase();
    case 'number':
      return Number(fieldValue) === literal.value;
    case 'boolean':
      return fieldValue === literal.value;
    case 'datetime':
      return timeOf(fieldValue) === literal.value;
    case 'date':
      return text(fieldValue).slice(0, 10) === literal.value;
    case 'range': {
      const t = timeOf(fieldValue);
      return t >= literal.from && t < literal.to;
    }
  }
}

/** <0, 0, >0, or NaN when the two cannot be ordered (null, or mismatched types). */
function compare(fieldValue: unknown, literal: Literal, field?: FieldDef): number {
  if (fieldValue === null || fieldValue === undefined) return NaN;
  switch (literal.kind) {
    case 'string': {
      // Ids order case-sensitively (by their 15-character form): the directory sync pages
      // with `Id > :last ORDER BY Id`, and 00Q…a and 00Q…A are different records.
      if (field !== undefined && isIdField(field))
        return compareIds(text(fieldValue), literal.value);
      const a = text(fieldValue).toLowerCase();
      const b = literal.value.toLowerCase();
      return a < b ? -1 : a > b ? 1 : 0;
    }
    case 'number':
      return Number(fieldValue) - literal.value;
    case 'datetime':
      return timeOf(fieldValue) - literal.value;
    case 'date': {
      const a = text(fieldValue).slice(0, 10);
      return a < literal.value ? -1 : a > literal.value ? 1 : 0;
    }
    case 'range': {
      const t = timeOf(fieldValue);
      return t < literal.from ? -1 : t >= literal.to ? 1 : 0;
    }
    default:
      return NaN;
  }
}

function likeRegex(raw: string): RegExp {
  let pattern = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charAt(i);
    if (c === '\\' && (raw.charAt(i + 1) === '%' || raw.charAt(i + 1) === '_')) {
      pattern += raw.charAt(++i);
    } else if (c === '%') pattern += '.*';
    else if (c === '_') pattern += '.';
    else pattern += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${pattern}$`, 'is');
}

function conditionPredicate(cond: Condition, def: ObjectDef, ctx: EngineContext): Predicate {
  if (!('field' in cond) || !('operator' in cond))
    throw malformed('functions in WHERE are not supported by the emulated org');
  if ('valueQuery' in cond)
    throw malformed('semi-join subqueries are not supported by the emulated org');
  const path = resolvePath(ctx.schema, def, cond.field, ctx.canRead);
  const types = cond.literalType;
  const values = Array.isArray(cond.value) ? cond.value : [cond.value];
  const literals = values.map((v, i) =>
    toLiteral(v, Array.isArray(types) ? types[i] : types, ctx.clock),
  );
  for (const l of literals) checkType(path, l, cond.field);
  const get = (r: StoredRecord) => valueOf(ctx.store, r, path);
  const first = literals[0];
  if (first === undefined) throw malformed('a condition needs a value');
  const isList = Array.isArray(cond.value);
  switch (cond.operator) {
    case '=':
    case '!=':
      if (isList) throw malformed(`operator ${cond.operator} needs a single value`);
      return cond.operator === '='
        ? (r) => equals(get(r), first, path.leafDef)
        : (r) => !equals(get(r), first, path.leafDef);
    case '<':
    case '>':
    case '<=':
    case '>=': {
      const op = cond.operator;
      return (r) => {
        const c = compare(get(r), first, path.leafDef);
        if (Number.isNaN(c)) return false;
        return op === '<' ? c < 0 : op === '>' ? c > 0 : op === '<=' ? c <= 0 : c >= 0;
      };
    }
    case 'LIKE': {
      if (first.kind !== 'string') throw malformed('LIKE needs a string value');
      const regex = likeRegex(first.raw);
      return (r) => {
        const v = get(r);
        return v !== null && v !== undefined && regex.test(text(v));
      };
    }
    case 'IN':
    case 'NOT IN': {
      const inList = (r: StoredRecord) => literals.some((l) => equals(get(r), l, path.leafDef));
      return cond.operator === 'IN' ? inList : (r) => !inList(r);
    }
    case 'INCLUDES':
    case 'EXCLUDES': {
      const has = (r: StoredRecord) => {
        const picked = text(get(r))
          .split(';')
          .map((s) => s.trim().toLowerCase());
        return literals.some(
          (l) =>
            l.kind === 'string' &&
            l.value.split(';').every((v) => picked.includes(v.trim().toLowerCase())),
        );
      };
      return cond.operator === 'INCLUDES' ? has : (r) => !has(r);
    }
  }
}

// ---------------------------------------------------------------- WHERE

type Token = '(' | ')' | 'AND' | 'OR' | 'NOT' | { cond: Condition };

/** The parser keeps WHERE as a chain with paren counts; flatten it back into tokens. */
function flattenWhere(where: WhereClause | undefined, out: Token[] = []): Token[] {
  if (where === undefined) return out;
  const left = where.left as (Condition & { openParen?: number; closeParen?: number }) | null;
  if (left !== null) {
    for (let i = 0; i < (left.openParen ?? 0); i++) out.push('(');
    if ('field' in left || 'fn' in left) {
      out.push({ cond: left });
      for (let i = 0; i < (left.closeParen ?? 0); i++) out.push(')');
    }
  }
  if ('operator' in where) {
    out.push(where.operator);
    flattenWhere(where.right, out);
  }
  return out;
}

export function compileWhere(
  where: WhereClause | undefined,
  def: ObjectDef,
  ctx: EngineContext,
): Predicate | undefined {
  if (where === undefined) return undefined;
  const tokens = flattenWhere(where);
  let pos = 0;
  const peek = () => tokens[pos];
  // Precedence NOT > AND > OR; real SOQL demands parentheses when AND and OR mix, and so do we.
  const parseOr = (): Predicate => {
    const parts = [parseAnd()];
    while (peek() === 'OR') {
      pos++;
      parts.push(parseAnd());
    }
    return parts.length === 1 ? (parts[0] as Predicate) : (r) => parts.some((p) => p(r));
  };
  const parseAnd = (): Predicate => {
    const parts = [parseNot()];
    while (peek() === 'AND') {
      pos++;
      parts.push(parseNot());
    }
    if (parts.length > 1 && peek() === 'OR')
      throw malformed('unexpected token: OR (use parentheses when mixing AND and OR)');
    return parts.length === 1 ? (parts[0] as Predicate) : (r) => parts.every((p) => p(r));
  };
  const parseNot = (): Predicate => {
    const token = peek();
    if (token === 'NOT') {
      pos++;
      const inner = parseNot();
      return (r) => !inner(r);
    }
    if (token === '(') {
      pos++;
      const inner = parseOr();
      if (peek() !== ')') throw malformed('unbalanced parentheses in WHERE');
      pos++;
      return inner;
    }
    if (token !== undefined && typeof token === 'object') {
      pos++;
      return conditionPredicate(token.cond, def, ctx);
    }
    throw malformed(`unexpected token in WHERE: ${String(token)}`);
  };
  const predicate = parseOr();
  if (pos !== tokens.length) throw malformed('unexpected token in WHERE');
  return predicate;
}

// ---------------------------------------------------------------- query

export function planQuery(query: Query, ctx: EngineContext): QueryPlan {
  if (query.groupBy !== undefined || query.having !== undefined)
    throw malformed('GROUP BY is not supported by the emulated org');
  const def = resolveObject(ctx.schema, query.sObject);
  let count = false;
  const select: FieldPath[] = [];
  for (const field of query.fields ?? []) {
    if (field.type === 'Field') select.push(resolvePath(ctx.schema, def, field.field, ctx.canRead));
    else if (field.type === 'FieldRelationship')
      select.push(
        resolvePath(ctx.schema, def, [...field.relationships, field.field].join('.'), ctx.canRead),
      );
    else if (
      field.type === 'FieldFunctionExpression' &&
      field.functionName.toUpperCase() === 'COUNT' &&
      field.parameters.length === 0
    )
      count = true;
    else throw malformed(`${field.type} in SELECT is not supported by the emulated org`);
  }
  if (count && select.length > 0)
    throw malformed('COUNT() must be the only element in the SELECT list');
  const orderClauses: OrderByClause[] =
    query.orderBy === undefined
      ? []
      : Array.isArray(query.orderBy)
        ? query.orderBy
        : [query.orderBy];
  const orderBy = orderClauses.map((clause) => {
    if (!('field' in clause))
      throw malformed('ORDER BY functions are not supported by the emulated org');
    const desc = clause.order === 'DESC';
    return {
      path: resolvePath(ctx.schema, def, clause.field, ctx.canRead),
      desc,
      // Salesforce sorts nulls first unless told otherwise.
      nullsLast: clause.nulls === 'LAST',
    };
  });
  return {
    def,
    count,
    select,
    where: compileWhere(query.where, def, ctx),
    orderBy,
    limit: query.limit,
    offset: query.offset ?? 0,
  };
}

function isIdField(field: FieldDef): boolean {
  return field.type === 'id' || field.type === 'reference';
}

function compareIds(a: string, b: string): number {
  const x = a.slice(0, 15);
  const y = b.slice(0, 15);
  return x < y ? -1 : x > y ? 1 : 0;
}

function sortValue(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const x = text(a).toLowerCase();
  const y = text(b).toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Records matching the plan, ordered, with OFFSET and LIMIT applied. */
export function execute(
  plan: QueryPlan,
  ctx: EngineContext,
  candidates?: readonly StoredRecord[],
): StoredRecord[] {
  const all = candidates ?? ctx.store.list(plan.def);
  const where = plan.where;
  const matched = all.filter(
    (r) => r.fields.IsDeleted !== true && (where === undefined || where(r)),
  );
  if (plan.orderBy.length > 0) {
    matched.sort((ra, rb) => {
      for (const key of plan.orderBy) {
        const a = valueOf(ctx.store, ra, key.path);
        const b = valueOf(ctx.store, rb, key.path);
        const aNull = a === null || a === undefined;
        const bNull = b === null || b === undefined;
        if (aNull && bNull) continue;
        if (aNull || bNull) return (aNull ? -1 : 1) * (key.nullsLast ? -1 : 1);
        const c = isIdField(key.path.leafDef) ? compareIds(text(a), text(b)) : sortValue(a, b);
        if (c !== 0) return key.desc ? -c : c;
      }
      return 0;
    });
  }
  const end = plan.limit === undefined ? undefined : plan.offset + plan.limit;
  return matched.slice(plan.offset, end);
}

/** A record in the REST shape: attributes first, then the selected fields, parents nested. */
export function shape(
  plan: Pick<QueryPlan, 'select'>,
  record: StoredRecord,
  ctx: EngineContext,
  version: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = { attributes: attributesOf(record, version) };
  for (const path of plan.select) {
    let target = out;
    let holder: StoredRecord = record;
    let broken = false;
    for (const [i, ref] of path.via.entries()) {
      const relName = path.relationshipNames[i] ?? ref.name;
      const id: unknown = holder.fields[ref.name];
      const parent = typeof id === 'string' ? ctx.store.get(id) : undefined;
      if (parent === undefined) {
        if (!(relName in target)) target[relName] = null;
        broken = true;
        break;
      }
      holder = parent;
      const existing = target[relName];
      if (existing === null || typeof existing !== 'object')
        target[relName] = { attributes: attributesOf(holder, version) };
      target = target[relName] as Record<string, unknown>;
    }
    if (broken) continue;
    const name = holder.def.fields.get(path.leaf.toLowerCase())?.name ?? path.leafDef.name;
    target[name] = holder.fields[name] ?? null;
  }
  return out;
}

export function attributesOf(record: StoredRecord, version: string): { type: string; url: string } {
  return {
    type: record.def.name,
    url: `/services/data/v${version}/sobjects/${record.def.name}/${String(record.fields.Id)}`,
  };
}
