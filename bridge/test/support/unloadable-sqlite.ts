// Stands in for better-sqlite3 when its native binding cannot be loaded (a rebuild under way,
// a Node version it was not built for): every open (`new Database(…)`) fails the way the real
// module then fails. Used by failed-setup.test.ts through jest's moduleNameMapper.
// `export =`: the bridge require()s the driver (storage/sqlite-driver.ts), as CommonJS does.
function UnloadableSqlite(): never {
  throw new Error(
    'Could not locate the bindings file. Tried: node_modules/better-sqlite3/build/Release/better_sqlite3.node',
  );
}
export = UnloadableSqlite;
