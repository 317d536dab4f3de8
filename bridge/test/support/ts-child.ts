// Node arguments that run a TypeScript file of this repository in a child process without a
// build: a require hook compiles each .ts file with TypeScript itself (transpile only, no type
// check) as it is loaded. For tests that need a real process (SIGKILL, a second bridge).
import path from 'node:path';

/**
 * Installs the hook, then loads process.argv[1] (the file named after `-e`). Transpiled output
 * is kept in a cache directory keyed by the source's hash and the compiler's version: loading
 * the bridge transpiles 115 files, seconds of CPU a busy machine should pay once, not once per
 * child. Written to a temporary name and renamed, so children starting together never read a
 * half-written entry.
 */
const TS_HOOK = `
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const cache = path.join(require('os').tmpdir(), 'switchboard-ts-child-cache');
fs.mkdirSync(cache, { recursive: true });
const compiler = require('typescript/package.json').version;
require.extensions['.ts'] = (module, filename) => {
  const source = fs.readFileSync(filename, 'utf8');
  const key = crypto.createHash('sha256').update([compiler, filename, source].join(':')).digest('hex');
  const cached = path.join(cache, key + '.js');
  let output;
  try {
    output = fs.readFileSync(cached, 'utf8');
  } catch {
    const ts = require('typescript'); // loaded only when something is not cached
    output = ts.transpileModule(source, {
      fileName: filename,
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    }).outputText;
    const temporary = cached + '.' + process.pid;
    fs.writeFileSync(temporary, output);
    fs.renameSync(temporary, cached);
  }
  module._compile(output, filename);
};
require(process.argv[1]);
`;

/** `node <these> …args` runs `file` (a .ts path) with `…args` in process.argv from index 2. */
export function typescriptNodeArgs(file: string): string[] {
  return ['-e', TS_HOOK, file];
}

/** The bridge's CLI in its sources: `node …typescriptNodeArgs(TYPESCRIPT_CLI) start …`. */
export const TYPESCRIPT_CLI = path.resolve(__dirname, '../../src/cli.ts');
