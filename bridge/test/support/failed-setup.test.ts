// A setup that fails must fail fast and let Jest exit. Runs real suites in a child Jest whose
// better-sqlite3 cannot load its native binding (what a rebuild under way or a Node version it
// was not built for looks like): every suite's setup fails, each failure names the database,
// no teardown trips over a handle that was never assigned, and nothing started before the
// failure (emulated orgs, AMI servers, bridges) keeps the process alive. A leaked handle makes
// the child hang: it is killed after a generous bound and the test fails saying so.
import { spawn } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');
/** Suites whose setup starts servers before it opens the database. */
const SUITES = [
  'bridge/test/directory/index/directory-index.integration.test.ts',
  'bridge/test/integration/directory-index.test.ts',
  'bridge/test/pbx/asterisk/astdb-push.test.ts',
  'bridge/test/call-log/call-log-service.test.ts',
];
/** Only an upper bound for a hang: a healthy run of these suites takes a fraction of it. */
const HANG_MS = 240_000;

function runJest(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [require.resolve('jest/bin/jest'), ...args], {
      cwd: ROOT,
      env: { ...process.env, FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const hung = setTimeout(() => {
      output += `\n[still running after ${HANG_MS} ms: killed]`;
      child.kill('SIGKILL');
    }, HANG_MS);
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(hung);
      resolve({ code, output });
    });
  });
}

describe('a failed setup', () => {
  it(
    'fails each suite with the cause and lets Jest exit',
    async () => {
      const config = {
        rootDir: ROOT,
        testEnvironment: 'node',
        transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] },
        moduleFileExtensions: ['ts', 'js', 'json'],
        moduleNameMapper: {
          '^better-sqlite3(-napi)?$': '<rootDir>/bridge/test/support/unloadable-sqlite.ts',
        },
      };
      const { code, output } = await runJest([
        '--config',
        JSON.stringify(config),
        '--runInBand',
        '--ci',
        '--runTestsByPath',
        ...SUITES,
      ]);

      expect(code).toBe(1);
      expect(output).toContain(`Test Suites: ${SUITES.length} failed, ${SUITES.length} total`);
      expect(output).toContain('Cannot open database');
      expect(output).toContain('Could not locate the bindings file');
      // No teardown dereferenced what its setup never assigned.
      expect(output).not.toContain('TypeError');
      expect(output).not.toContain('did not exit');
      expect(output).not.toContain('killed]');
    },
    HANG_MS + 30_000,
  );
});
