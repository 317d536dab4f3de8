#!/usr/bin/env node
// Compiles the TypeScript LWC bundles to the .js an org accepts, next to each .ts, like
// `tsc -p force-app/main/default/lwc/tsconfig.json` — but writes only files inside that folder.
// The components import the WebSocket protocol's types from bridge/src/protocol/v1.ts with
// `import type` (erased); tsc alone would also write a v1.js into the bridge's sources.
// Type errors anywhere in the program fail the build, as with tsc.
// Usage: node scripts/build-lwc.mjs [--project <tsconfig.json>]
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * @param {string} tsconfigPath
 * @returns {{ emitted: string[], errors: string[] }}
 */
export function buildLwc(tsconfigPath) {
  const configDir = path.dirname(path.resolve(tsconfigPath));
  const host = {
    getCanonicalFileName: (/** @type {string} */ name) => name,
    getCurrentDirectory: () => process.cwd(),
    getNewLine: () => '\n',
  };
  /** @param {readonly ts.Diagnostic[]} diagnostics */
  const format = (diagnostics) =>
    diagnostics.map((d) => ts.formatDiagnostic(d, host).trimEnd()).filter(Boolean);

  const read = ts.readConfigFile(tsconfigPath, ts.sys.readFile);
  if (read.error) return { emitted: [], errors: format([read.error]) };
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, configDir);
  if (parsed.errors.length > 0) return { emitted: [], errors: format(parsed.errors) };

  const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options });
  const errors = format(ts.getPreEmitDiagnostics(program));
  if (errors.length > 0) return { emitted: [], errors };

  const inside = configDir + path.sep;
  const emitted = [];
  for (const source of program.getSourceFiles()) {
    if (source.isDeclarationFile || !path.resolve(source.fileName).startsWith(inside)) continue;
    const result = program.emit(source, (file, text) => {
      ts.sys.writeFile(file, text);
      emitted.push(file);
    });
    errors.push(...format(result.diagnostics));
  }
  return { emitted, errors };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const flag = process.argv.indexOf('--project');
  const project =
    flag >= 0 && process.argv[flag + 1]
      ? path.resolve(process.argv[flag + 1])
      : path.join(REPO_ROOT, 'force-app/main/default/lwc/tsconfig.json');
  const { errors } = buildLwc(project);
  for (const error of errors) console.error(error);
  process.exit(errors.length > 0 ? 1 : 0);
}
