// The SOSL subset the emulated org answers:
//   FIND {terms} [IN ALL|NAME|EMAIL|PHONE FIELDS] [RETURNING Obj[(fields [WHERE …] [ORDER BY …]
//   [LIMIT n])], …] [LIMIT n]
// The braces are tokenized by hand, honoring SOSL's backslash escapes, quoted phrases and the
// operators OR, AND, AND NOT and parentheses; an unescaped reserved character is refused as
// Salesforce refuses it. Each RETURNING clause is parsed as SOQL by wrapping it in a SELECT.
// Phone fields are matched the way a search index sees them, not by "the digits contain the
// term": a stored value is split into tokens at spaces and punctuation ("+49 (0)7131 123456" is
// 49 · 0 · 7131 · 123456), plus one token of all its digits (497131123456: a search for the
// digits of a formatted number finds it). A term matches a whole token (a trailing * a token's
// start); a phrase matches consecutive tokens. Salesforce documents the tokenizing, not the exact
// phone rules, so this is the strict reading: a search that works here does not rely on more.
// Fields the user cannot read are not searched.
import type { Query } from '@jetstreamapp/soql-parser-js';
import type { FieldDef, ObjectDef } from './schema';
import { isPhoneField } from './schema';
import {
  execute,
  parseSoql,
  planQuery,
  resolveObject,
  shape,
  type EngineContext,
  type QueryPlan,
} from './soql-engine';
import { OrgApiError, type Fields, type StoredRecord } from './store';

export type SearchScope = 'ALL' | 'NAME' | 'EMAIL' | 'PHONE' | 'SIDEBAR';

export interface SearchTerm {
  text: string;
  phrase: boolean;
}

export type SearchExpr =
  | { kind: 'term'; term: SearchTerm }
  | { kind: 'and' | 'or'; parts: SearchExpr[] }
  | { kind: 'andNot'; left: SearchExpr; right: SearchExpr };

export interface ParsedSearch {
  expr: SearchExpr;
  terms: SearchTerm[];
  scope: SearchScope;
  returning: { def: ObjectDef; plan: QueryPlan }[];
  limit: number;
}

function malformedSearch(message: string): OrgApiError {
  return new OrgApiError(400, 'MALFORMED_SEARCH', message);
}

const RESERVED_IN_WORD = new Set(['&', '|', '!', '{', '}', '[', ']', '^', '~', ':', "'", '+', '-']);

type SearchToken =
  { kind: 'term'; term: SearchTerm } | { kind: 'op'; op: 'AND' | 'OR' | 'NOT' | '(' | ')' };

/** Tokenizes the text between FIND's braces (without the braces). */
export function tokenizeSearch(text: string): SearchToken[] {
  const tokens: SearchToken[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text.charAt(i);
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')') {
      tokens.push({ kind: 'op', op: c });
      i++;
    } else if (c === '"') {
      let phrase = '';
      i++;
      for (;;) {
        if (i >= text.length) throw malformedSearch('unterminated quoted phrase in search term');
        const p = text.charAt(i);
        if (p === '\\') {
          if (i + 1 >= text.length) throw malformedSearch('search term ends with a lone backslash');
          phrase += text.charAt(i + 1);
          i += 2;
        } else if (p === '"') {
          i++;
          break;
        } else {
          phrase += p;
          i++;
        }
      }
      tokens.push({ kind: 'term', term: { text: phrase, phrase: true } });
    } else {
      let word = '';
      let escaped = false;
      while (i < text.length) {
        const w = text.charAt(i);
        if (/\s/.test(w) || w === '(' || w === ')' || w === '"') break;
        if (w === '\\') {
          if (i + 1 >= text.length) throw malformedSearch('search term ends with a lone backslash');
          word += text.charAt(i + 1);
          escaped = true;
          i += 2;
          continue;
        }
        if (RESERVED_IN_WORD.has(w))
          throw malformedSearch(
            `unescaped reserved character '${w}' in search term: escape it with a backslash`,
          );
        word += w;
        i++;
      }
      const upper = word.toUpperCase();
      if (!escaped && (upper === 'AND' || upper === 'OR' || upper === 'NOT'))
        tokens.push({ kind: 'op', op: upper });
      else tokens.push({ kind: 'term', term: { text: word, phrase: false } });
    }
  }
  return tokens;
}

/** OR binds loosest, then AND / AND NOT; adjacent terms mean AND, as in SOSL. */
function parseSearchExpr(tokens: SearchToken[]): SearchExpr {
  let pos = 0;
  const peekOp = (op: string) => {
    const t = tokens[pos];
    return t !== undefined && t.kind === 'op' && t.op === op;
  };
  const parseOr = (): SearchExpr => {
    const parts = [parseAnd()];
    while (peekOp('OR')) {
      pos++;
      parts.push(parseAnd());
    }
    return parts.length === 1 ? (parts[0] as SearchExpr) : { kind: 'or', parts };
  };
  const parseAnd = (): SearchExpr => {
    let left = parsePrimary();
    for (;;) {
      const t = tokens[pos];
      if (t === undefined || (t.kind === 'op' && (t.op === 'OR' || t.op === ')'))) return left;
      if (t.kind === 'op' && t.op === 'AND') {
        pos++;
        if (peekOp('NOT')) {
          pos++;
          left = { kind: 'andNot', left, right: parsePrimary() };
          continue;
        }
      }
      left = { kind: 'and', parts: [left, parsePrimary()] };
    }
  };
  const parsePrimary = (): SearchExpr => {
    const t = tokens[pos];
    if (t === undefined) throw malformedSearch('search term missing after operator');
    if (t.kind === 'term') {
      pos++;
      return t;
    }
    if (t.op === '(') {
      pos++;
      const inner = parseOr();
      if (!peekOp(')')) throw malformedSearch('unbalanced parentheses in search term');
      pos++;
      return inner;
    }
    throw malformedSearch(`unexpected ${t.op} in search term`);
  };
  if (tokens.length === 0)
    throw malformedSearch('No search term found. The search term must be enclosed in braces.');
  const expr = parseOr();
  if (pos !== tokens.length) throw malformedSearch('unexpected token in search term');
  return expr;
}

function collectTerms(expr: SearchExpr, out: SearchTerm[] = []): SearchTerm[] {
  if (expr.kind === 'term') out.push(expr.term);
  else if (expr.kind === 'andNot') {
    collectTerms(expr.left, out);
    collectTerms(expr.right, out);
  } else for (const p of expr.parts) collectTerms(p, out);
  return out;
}

/** Scans the part after the braces: keywords, names, numbers, and raw parenthesized clauses. */
class Scanner {
  pos = 0;
  constructor(readonly text: string) {}

  skipSpace(): void {
    while (/\s/.test(this.text.charAt(this.pos))) this.pos++;
  }

  word(): string | undefined {
    this.skipSpace();
    const m = /^[A-Za-z0-9_]+/.exec(this.text.slice(this.pos));
    if (m === null) return undefined;
    this.pos += m[0].length;
    return m[0];
  }

  peekWord(): string | undefined {
    const at = this.pos;
    const w = this.word();
    this.pos = at;
    return w;
  }

  char(c: string): boolean {
    this.skipSpace();
    if (this.text.charAt(this.pos) !== c) return false;
    this.pos++;
    return true;
  }

  /** The raw text up to the ')' matching an already consumed '(', skipping quoted strings. */
  parenthesized(): string {
    const start = this.pos;
    let depth = 1;
    while (this.pos < this.text.length) {
      const c = this.text.charAt(this.pos);
      if (c === "'") {
        this.pos++;
        while (this.pos < this.text.length && this.text.charAt(this.pos) !== "'") {
          if (this.text.charAt(this.pos) === '\\') this.pos++;
          this.pos++;
        }
      } else if (c === '(') depth++;
      else if (c === ')' && --depth === 0) {
        const inner = this.text.slice(start, this.pos);
        this.pos++;
        return inner;
      }
      this.pos++;
    }
    throw malformedSearch('unbalanced parentheses in RETURNING');
  }

  atEnd(): boolean {
    this.skipSpace();
    return this.pos >= this.text.length;
  }
}

/** Splits `Id, Name WHERE …` into the field list and the rest, outside quoted strings. */
function splitReturningClause(inner: string): { fields: string; rest: string } {
  const keyword = /\b(WHERE|ORDER\s+BY|LIMIT|OFFSET|USING|WITH)\b/iy;
  for (let i = 0; i < inner.length; i++) {
    const c = inner.charAt(i);
    if (c === "'") {
      i++;
      while (i < inner.length && inner.charAt(i) !== "'") i += inner.charAt(i) === '\\' ? 2 : 1;
      continue;
    }
    keyword.lastIndex = i;
    if ((i === 0 || /[\s,]/.test(inner.charAt(i - 1))) && keyword.test(inner))
      return { fields: inner.slice(0, i).trim(), rest: inner.slice(i).trim() };
  }
  return { fields: inner.trim(), rest: '' };
}

const DEFAULT_RETURNING = ['Account', 'Contact', 'Lead'];

export function parseSearch(text: string, ctx: EngineContext): ParsedSearch {
  const head = /^\s*FIND\s*\{/i.exec(text);
  if (head === null)
    throw malformedSearch('No search term found. The search term must be enclosed in braces.');
  // Find the closing brace: backslash escapes and quoted phrases can hold a literal brace.
  let i = head[0].length;
  let inQuotes = false;
  for (; i < text.length; i++) {
    const c = text.charAt(i);
    if (c === '\\') i++;
    else if (c === '"') inQuotes = !inQuotes;
    else if (c === '}' && !inQuotes) break;
  }
  if (i >= text.length) throw malformedSearch('missing closing brace after the search term');
  const expr = parseSearchExpr(tokenizeSearch(text.slice(head[0].length, i)));
  const terms = collectTerms(expr);
  for (const term of terms) {
    if (term.text.replace(/[*?]/g, '').trim().length < 2)
      throw malformedSearch(`search term must be longer than one character: ${term.text}`);
  }

  const scanner = new Scanner(text.slice(i + 1));
  let scope: SearchScope = 'ALL';
  if (scanner.peekWord()?.toUpperCase() === 'IN') {
    scanner.word();
    const s = scanner.word()?.toUpperCase();
    if (s !== 'ALL' && s !== 'NAME' && s !== 'EMAIL' && s !== 'PHONE' && s !== 'SIDEBAR')
      throw malformedSearch(`unexpected search group: ${s ?? ''}`);
    if (scanner.word()?.toUpperCase() !== 'FIELDS')
      throw malformedSearch('expected FIELDS after the search group');
    scope = s;
  }
  const returning: ParsedSearch['returning'] = [];
  if (scanner.peekWord()?.toUpperCase() === 'RETURNING') {
    scanner.word();
    do {
      const name = scanner.word();
      if (name === undefined) throw malformedSearch('expected an object name after RETURNING');
      const def = resolveObject(ctx.schema, name);
      let inner = '';
      if (scanner.char('(')) inner = scanner.parenthesized();
      const { fields, rest } = splitReturningClause(inner);
      const query: Query = parseSoql(
        `SELECT ${fields === '' ? 'Id' : fields} FROM ${def.name} ${rest}`,
      );
      returning.push({ def, plan: planQuery(query, ctx) });
    } while (scanner.char(','));
  } else {
    for (const name of DEFAULT_RETURNING)
      returning.push({
        def: resolveObject(ctx.schema, name),
        plan: planQuery(parseSoql(`SELECT Id FROM ${name}`), ctx),
      });
  }
  let limit = 2000;
  if (scanner.peekWord()?.toUpperCase() === 'LIMIT') {
    scanner.word();
    const n = Number(scanner.word());
    if (!Number.isInteger(n) || n < 1) throw malformedSearch('LIMIT must be a positive integer');
    limit = Math.min(n, 2000);
  }
  if (!scanner.atEnd())
    throw malformedSearch(
      `unexpected text after the search: ${scanner.text.slice(scanner.pos, scanner.pos + 40)}`,
    );
  return { expr, terms, scope, returning, limit };
}

/** Words of a text as the search index splits them: runs of letters and digits, lower-cased. */
export function searchTokens(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^\p{L}\p{N}*?]+/u)
    .filter((t) => t !== '');
}

/** A term token against an indexed token: equal, or `*` (any run) and `?` (one character). */
function tokenMatches(pattern: string, token: string): boolean {
  if (!/[*?]/.test(pattern)) return pattern === token;
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${regex}$`, 'u').test(token);
}

/** Does a phone value, tokenized as the index does, contain the term or phrase? */
export function phoneValueMatches(value: string, term: SearchTerm): boolean {
  const words = searchTokens(value.replace(/[*?]/g, ' '));
  const digits = value.replace(/\D/g, '');
  const wanted = searchTokens(term.text);
  if (wanted.length === 0) return false;
  if (wanted.length === 1) {
    const only = wanted[0] ?? '';
    return (
      words.some((w) => tokenMatches(only, w)) || (digits !== '' && tokenMatches(only, digits))
    );
  }
  for (let start = 0; start + wanted.length <= words.length; start++)
    if (wanted.every((w, i) => tokenMatches(w, words[start + i] ?? ''))) return true;
  return false;
}

function termMatches(
  term: SearchTerm,
  def: ObjectDef,
  indexed: Fields,
  scope: SearchScope,
  canRead: (def: ObjectDef, field: FieldDef) => boolean,
): boolean {
  const needle = term.text.toLowerCase().replace(/[*?]/g, '');
  for (const field of def.fields.values()) {
    const value = indexed[field.name];
    if (typeof value !== 'string' || value === '') continue;
    if (!canRead(def, field)) continue;
    if (isPhoneField(field)) {
      if (scope === 'NAME' || scope === 'EMAIL') continue;
      if (phoneValueMatches(value, term)) return true;
      continue;
    }
    if (scope === 'PHONE') continue;
    if (scope === 'EMAIL' && field.type !== 'email') continue;
    if (scope === 'NAME' && !['Name', 'FirstName', 'LastName', 'Company'].includes(field.name))
      continue;
    if (['id', 'reference', 'datetime', 'date'].includes(field.type)) continue;
    if (needle !== '' && value.toLowerCase().includes(needle)) return true;
  }
  return false;
}

function evaluate(expr: SearchExpr, match: (t: SearchTerm) => boolean): boolean {
  switch (expr.kind) {
    case 'term':
      return match(expr.term);
    case 'and':
      return expr.parts.every((p) => evaluate(p, match));
    case 'or':
      return expr.parts.some((p) => evaluate(p, match));
    case 'andNot':
      return evaluate(expr.left, match) && !evaluate(expr.right, match);
  }
}

/** Runs a parsed search; records not yet in the search index are invisible to it. */
export function runSearch(
  search: ParsedSearch,
  ctx: EngineContext,
  version: string,
): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const canRead = ctx.canRead ?? (() => true);
  for (const { def, plan } of search.returning) {
    const hits = ctx.store.list(def).filter((record: StoredRecord) => {
      const indexed = ctx.store.searchable(record);
      return (
        indexed !== null &&
        evaluate(search.expr, (t) => termMatches(t, def, indexed, search.scope, canRead))
      );
    });
    for (const record of execute(plan, ctx, hits)) {
      if (out.length >= search.limit) return out;
      out.push(shape(plan, record, ctx, version));
    }
  }
  return out;
}
