// The service definitions in deploy/ (systemd unit, container image) must not rot: they run the
// package's own CLI with a command and options it has, the Dockerfile copies files that exist and
// runs npm scripts that exist, its health check passes against a real bridge's /healthz (and
// fails when the bridge does not answer), and it exposes the bridge's default port.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseConfig } from '../../src/config/load';
import { startBridge } from '../../src/bridge';
import { silentLogger } from '../../src/logging/logger';
import { Teardown } from '../support/teardown';

const repo = path.resolve(__dirname, '../../..');
const read = (file: string) => readFileSync(path.join(repo, file), 'utf8');
const packageJson = JSON.parse(read('package.json')) as {
  bin: Record<string, string>;
  scripts: Record<string, string>;
};
const unit = read('deploy/switchboard-bridge.service');
const dockerfile = read('deploy/Dockerfile');

/** Dockerfile instructions, continuation lines joined, comments dropped. */
function instructions(text: string): { op: string; args: string }[] {
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [op, ...rest] = line.split(/\s+/);
      return { op: op!.toUpperCase(), args: rest.join(' ') };
    });
}
const docker = instructions(dockerfile);
const dockerArgs = (op: string) => docker.filter((i) => i.op === op).map((i) => i.args);

/** The CLI's commands and each one's long options, read from its commander definition. */
function cliCommands(): Map<string, string[]> {
  const source = read('bridge/src/cli.ts');
  const commands = new Map<string, string[]>();
  for (const block of source.split(/\.command\(/).slice(1)) {
    const name = /^'([^']+)'/.exec(block)?.[1];
    if (name === undefined) continue;
    const options = [...block.matchAll(/\.(?:required)?[oO]ption\('[^']*?(--[a-z-]+)/g)].map(
      (m) => m[1]!,
    );
    commands.set(name, options);
  }
  return commands;
}

/** The package's CLI script, and the TypeScript source it is compiled from. */
const binScript = packageJson.bin['switchboard-bridge']!;

function expectCliInvocation(script: string, argv: string[]) {
  expect(script).toBe(binScript);
  const [command, ...rest] = argv;
  const options = cliCommands().get(command!);
  expect(options).toBeDefined();
  for (const arg of rest.filter((a) => a.startsWith('--'))) expect(options).toContain(arg);
}

describe('deploy/ service definitions', () => {
  const teardown = new Teardown();
  afterEach(() => teardown.run());

  it('the CLI script the package names is what bridge/tsconfig.build.json compiles cli.ts to', () => {
    const build = JSON.parse(read('bridge/tsconfig.build.json')) as {
      compilerOptions: { rootDir: string; outDir: string };
    };
    const source = path
      .join(
        'bridge',
        build.compilerOptions.rootDir,
        path.relative(path.join('bridge', build.compilerOptions.outDir), binScript),
      )
      .replace(/\.js$/, '.ts');
    expect(source).toBe(path.join('bridge', 'src', 'cli.ts'));
    expect(existsSync(path.join(repo, source))).toBe(true);
  });

  it("the systemd unit's ExecStart runs the CLI's start with a config file", () => {
    const execStart = /^ExecStart=(.+)$/m.exec(unit)?.[1]?.split(/\s+/) ?? [];
    const [node, script, ...argv] = execStart;
    expect(node).toMatch(/\/node$/);
    expect(script).toMatch(/^\/opt\/switchboard\//);
    expectCliInvocation(path.relative('/opt/switchboard', script!), argv);
    expect(argv.slice(0, 1)).toEqual(['start']);
    expect(argv).toContain('--config');
  });

  it('systemd-analyze finds nothing to say about the unit (where systemd is installed)', () => {
    let analyze: string | undefined;
    try {
      analyze = execFileSync('sh', ['-c', 'command -v systemd-analyze'], {
        encoding: 'utf8',
      }).trim();
    } catch {
      analyze = undefined; // no systemd on this machine: the other checks still hold
    }
    if (analyze === undefined || analyze === '') return;
    // verify prints unknown keys and bad values to stderr but exits 0 for them.
    const result = execFileSync(
      'sh',
      [
        '-c',
        `"${analyze}" verify "$1" 2>&1`,
        'sh',
        path.join(repo, 'deploy/switchboard-bridge.service'),
      ],
      { encoding: 'utf8' },
    );
    expect(result).toBe('');
  });

  it("the Dockerfile's ENTRYPOINT and CMD run the CLI's start with a config file", () => {
    const entrypoint = JSON.parse(dockerArgs('ENTRYPOINT').at(-1)!) as string[];
    const cmd = JSON.parse(dockerArgs('CMD').at(-1)!) as string[];
    // The build stage's WORKDIR is where the runtime stage copies the compiled bridge to.
    const installDir = dockerArgs('WORKDIR')[0]!;
    const [node, script] = entrypoint;
    expect(node).toBe('node');
    expect(script!.startsWith(`${installDir}/`)).toBe(true);
    expectCliInvocation(path.relative(installDir, script!), cmd);
    expect(cmd[0]).toBe('start');
    expect(cmd).toContain('--config');
    expect(dockerArgs('COPY')).toContain(`--from=build ${installDir}/bridge/dist ./bridge/dist`);
  });

  it('the Dockerfile copies files that exist and runs npm scripts that exist, not as root', () => {
    for (const args of dockerArgs('COPY').filter((a) => !a.startsWith('--from'))) {
      const sources = args.split(/\s+/).slice(0, -1);
      for (const source of sources)
        expect(`${source}: ${existsSync(path.join(repo, source))}`).toBe(`${source}: true`);
    }
    const scripts = dockerArgs('RUN').flatMap((run) =>
      [...run.matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1]!),
    );
    expect(scripts).toContain('build:bridge');
    for (const script of scripts) expect(Object.keys(packageJson.scripts)).toContain(script);
    expect(dockerArgs('FROM').length).toBeGreaterThanOrEqual(2);
    expect(dockerArgs('USER').at(-1)).not.toMatch(/^(root|0)$/);
  });

  it("the Dockerfile exposes the bridge's default port and its health check passes only against a ready bridge", async () => {
    const defaults = parseConfig({
      salesforce: { emulate: 'demo' },
      pbx: { adapter: 'webhook', webhook: { token: 'webhook-secret-0123456789' } },
    });
    expect(dockerArgs('EXPOSE')).toEqual([String(defaults.server.port)]);
    const healthUrl = new URL(/HEALTHCHECK_URL=(\S+)/.exec(dockerfile)![1]!);
    expect(healthUrl.port).toBe(String(defaults.server.port));
    expect(healthUrl.pathname).toBe('/healthz');

    // The HEALTHCHECK's own command, run against a real bridge on a free port.
    const healthcheck = dockerArgs('HEALTHCHECK')[0]!;
    const command = JSON.parse(
      healthcheck.slice(healthcheck.indexOf('CMD') + 3).trim(),
    ) as string[];
    const run = (url: string) =>
      new Promise<number>((resolve) => {
        const child = execFile(command[0]!, command.slice(1), {
          env: { ...process.env, HEALTHCHECK_URL: url },
        });
        child.on('exit', (code) => resolve(code ?? -1));
      });

    const config = parseConfig({
      server: { port: 0, host: '127.0.0.1' },
      salesforce: { emulate: 'demo' },
      pbx: { adapter: 'webhook', webhook: { token: 'webhook-secret-0123456789' } },
      storage: { database: ':memory:' },
    });
    const bridge = teardown.add(await startBridge(config, { logger: silentLogger() }), (b) =>
      b.stop(),
    );
    const url = `${bridge.httpUrl}${healthUrl.pathname}`;
    expect((await fetch(url)).status).toBe(200);
    expect(await run(url)).toBe(0);
    // Not the health path (404), and no bridge listening at all.
    expect(await run(`${bridge.httpUrl}/nothing-here`)).toBe(1);
    await bridge.stop();
    expect(await run(url)).toBe(1);
  }, 60_000); // three node processes on a busy machine: a hang guard, not a speed check
});
