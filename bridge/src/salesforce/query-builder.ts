// The only way to build SOQL and SOSL in the bridge. Queries are tagged templates whose
// interpolated values are always escaped (strings quoted, identifiers validated, search
// terms stripped of reserved characters), and the result carries a brand type the gateway
// demands: a string pasted together by hand does not type-check as a query.
import { ErrorCodes, SwitchboardError } from '../errors';

declare const soqlBrand: unique symbol;
declare const soslBrand: unique symbol;
export type Soql = string & { readonly [soqlBrand]: true };
export type Sosl = string & { readonly [soslBrand]: true };

/** A piece of query text already made safe (an identifier, a list of fields, a search term). */
export class QueryFragment {
  constructor(readonly text: string) {}
}

export type QueryValue =
  string | number | boolean | Date | null | QueryFragment | readonly (string | number)[];

const IDENTIFIER = /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)*$/;

/** A field, object or relationship path, e.g. Account.Name or Phone__c. Rejects anything else. */
export function identifier(name: string): QueryFragment {
  if (!IDENTIFIER.test(name) || name.length > 255)
    throw new SwitchboardError(
      ErrorCodes.SF_BAD_QUERY_VALUE,
      `"${name.slice(0, 60)}" is not a valid field or object name`,
      {
        hint: 'Field names in the configuration must be API names such as Phone or Mobile__c.',
      },
    );
  return new QueryFragment(name);
}

/** A comma-separated list of identifiers: SELECT ${fieldList([...])} FROM … */
export function fieldList(names: readonly string[]): QueryFragment {
  if (names.length === 0)
    throw new SwitchboardError(ErrorCodes.SF_BAD_QUERY_VALUE, 'A field list must not be empty');
  return new QueryFragment(names.map((n) => identifier(n).text).join(', '));
}

/** Escapes text for a single-quoted SOQL string literal (and for LIKE, its wildcards too). */
export function escapeSoqlString(value: string, forLike = false): string {
  let escaped = value.replace(/[\\'"\n\r\t\f\b]/g, (c) => SOQL_ESCAPES[c] ?? c);
  if (forLike) escaped = escaped.replace(/[%_]/g, (c) => `\\${c}`);
  return escaped;
}

const SOQL_ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  "'": "\\'",
  '"': '\\"',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\f': '\\f',
  '\b': '\\b',
};

/** A LIKE pattern: the value is escaped, then `%` is put where asked. */
export function likePattern(
  value: string,
  where: 'contains' | 'startsWith' | 'endsWith',
): QueryFragment {
  const core = escapeSoqlString(value, true);
  const text =
    where === 'contains' ? `%${core}%` : where === 'startsWith' ? `${core}%` : `%${core}`;
  return new QueryFragment(`'${text}'`);
}

/** SOSL reserved characters: ? & | ! { } [ ] ( ) ^ ~ * : \ " ' + - */
const SOSL_RESERVED = /[?&|!{}[\]()^~*:\\"'+-]/g;

export function escapeSoslTerm(value: string): string {
  return value.replace(SOSL_RESERVED, (c) => `\\${c}`);
}

/**
 * The braces of `FIND {…}`: each term escaped, quoted as a phrase, joined with OR.
 * Terms shorter than two characters are dropped (SOSL rejects them).
 */
export function findTerms(terms: readonly string[]): QueryFragment {
  const usable = [...new Set(terms.map((t) => t.trim()).filter((t) => t.length >= 2))];
  if (usable.length === 0)
    throw new SwitchboardError(
      ErrorCodes.SF_BAD_QUERY_VALUE,
      'A search needs at least one term of two or more characters',
    );
  return new QueryFragment(`{${usable.map((t) => `"${escapeSoslTerm(t)}"`).join(' OR ')}}`);
}

export function literal(value: QueryValue): string {
  if (value instanceof QueryFragment) return value.text;
  if (value === null) return 'null';
  if (typeof value === 'string') return `'${escapeSoqlString(value)}'`;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value))
      throw new SwitchboardError(ErrorCodes.SF_BAD_QUERY_VALUE, 'A query number must be finite');
    return String(value);
  }
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime()))
      throw new SwitchboardError(ErrorCodes.SF_BAD_QUERY_VALUE, 'A query date is invalid');
    return value.toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
  if (value.length === 0)
    throw new SwitchboardError(ErrorCodes.SF_BAD_QUERY_VALUE, 'An IN list must not be empty');
  return `(${value.map((v) => literal(v)).join(', ')})`;
}

function assemble(strings: TemplateStringsArray, values: readonly QueryValue[]): string {
  return strings.reduce(
    (text, part, i) => text + part + (i < values.length ? literal(values[i] as QueryValue) : ''),
    '',
  );
}

/** soql`SELECT Id FROM Contact WHERE Email = ${email}` — every value escaped. */
export function soql(strings: TemplateStringsArray, ...values: QueryValue[]): Soql {
  return assemble(strings, values) as Soql;
}

/** sosl`FIND ${findTerms([...])} IN PHONE FIELDS RETURNING Contact(Id WHERE …)` */
export function sosl(strings: TemplateStringsArray, ...values: QueryValue[]): Sosl {
  return assemble(strings, values) as Sosl;
}
