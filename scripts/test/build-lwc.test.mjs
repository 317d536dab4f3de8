// Tests for scripts/build-lwc.mjs on a throwaway project: a component that imports types from a
// module outside its folder compiles to .js next to its .ts, the outside module is not written,
// and a type error fails the build. Run: node --test scripts/test/
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildLwc } from '../build-lwc.mjs';

const temporaryDirs = /** @type {string[]} */ ([]);

/**
 * A project with a protocol module outside lwc/ and one component that types a frame with it.
 * @param {number} version the frame's v, where the protocol says 1
 * @returns {string} the project root
 */
function project(version) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'build-lwc-test-'));
  temporaryDirs.push(root);
  const files = {
    'shared/protocol.ts':
      'export const VERSION = 1;\nexport interface Frame { v: typeof VERSION }\n',
    'lwc/tsconfig.json': TSCONFIG,
    'lwc/hello/hello.ts':
      "import type { Frame } from '../../shared/protocol';\n" +
      `export const frame: Frame = { v: ${version} };\n`,
  };
  for (const [relative, content] of Object.entries(files)) {
    const file = path.join(root, relative);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
  return root;
}

const TSCONFIG = JSON.stringify({
  compilerOptions: {
    target: 'ESNext',
    module: 'ESNext',
    moduleResolution: 'Bundler',
    strict: true,
  },
  include: ['*/*.ts'],
});

after(() => {
  for (const dir of temporaryDirs) fs.rmSync(dir, { recursive: true, force: true });
});

describe('build-lwc', () => {
  it('writes the components only, without the modules they import types from', () => {
    const root = project(1);

    const { errors, emitted } = buildLwc(path.join(root, 'lwc/tsconfig.json'));

    assert.deepEqual(errors, []);
    assert.deepEqual(emitted, [path.join(root, 'lwc/hello/hello.js')]);
    assert.equal(fs.existsSync(path.join(root, 'shared/protocol.js')), false);
    const js = fs.readFileSync(path.join(root, 'lwc/hello/hello.js'), 'utf8');
    assert.doesNotMatch(js, /shared\/protocol/);
  });

  it('fails on a type error and writes nothing', () => {
    const root = project(2);

    const { errors, emitted } = buildLwc(path.join(root, 'lwc/tsconfig.json'));

    assert.equal(errors.length, 1, errors.join('\n'));
    assert.match(errors[0] ?? '', /hello\.ts.*TS2322/);
    assert.deepEqual(emitted, []);
  });
});
