// Which better-sqlite3 build the bridge loads, by the Node it runs on.
//
// better-sqlite3 12 wraps its objects in node::ObjectWrap, and since Node 24.19 an ObjectWrap
// that the garbage collector finalizes outside a JavaScript context aborts the process
// ("Assertion failed: (env) != nullptr" in node::RemoveEnvironmentCleanupHook, from
// Statement::~Statement; nodejs/node#65446): the bridge's test suite died of it on Node 24.21,
// and so would a bridge in production. better-sqlite3 13 is built on Node-API and does not, but
// it needs Node-API 10 (Node 22.14 and later) and crashes on Node 20. Both are installed — 13
// under the alias `better-sqlite3-napi` — and the Node-API version picks one; their JavaScript
// API is the same (@types/better-sqlite3 describes both). Drop 12 and the alias with Node 20.
import type BetterSqlite3 from 'better-sqlite3';

export type SqliteDriver = typeof BetterSqlite3;

/** The Node-API version better-sqlite3 13's prebuilt binaries are compiled for. */
export const NAPI_VERSION_OF_BETTER_SQLITE3_13 = 10;

/** The package to load on a Node with this Node-API version (`process.versions.napi`). */
export function sqliteDriverPackage(napiVersion: number): 'better-sqlite3-napi' | 'better-sqlite3' {
  return napiVersion >= NAPI_VERSION_OF_BETTER_SQLITE3_13
    ? 'better-sqlite3-napi'
    : 'better-sqlite3';
}

/* eslint-disable @typescript-eslint/no-require-imports -- which module depends on the runtime;
   literal names keep bundlers and jest's moduleNameMapper able to see both. */
export const SqliteDriver: SqliteDriver =
  sqliteDriverPackage(Number(process.versions.napi)) === 'better-sqlite3-napi'
    ? (require('better-sqlite3-napi') as SqliteDriver)
    : (require('better-sqlite3') as SqliteDriver);
/* eslint-enable @typescript-eslint/no-require-imports */
