// One bridge as a real child process (the CLI's `start` with a config file), as the soak and
// the failover test run it: started and awaited until it answers HTTP, killed with SIGKILL and
// started again, its log lines kept in a file next to its config, crashes (exits nobody asked
// for) and error lines counted, its resident memory sampled.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { stringify as toYaml } from 'yaml';
import type { EmulatedOrg } from '../src/demo/emulated-org/emulated-org';
import { freePort, rssMb } from './process-tools';

/** The compiled CLI (bridge/dist/src/cli.js), next to this file's compiled form. */
const COMPILED_CLI = path.join(__dirname, '../src/cli.js');

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface RssSample {
  at: number;
  incarnation: number;
  mb: number;
}

export class BridgeProcess {
  child: ChildProcess | undefined;
  incarnation = 0;
  /** Exits nobody caused (a crash), and error or fatal lines in the bridge's log. */
  readonly crashes: string[] = [];
  readonly errorLines: string[] = [];
  readonly rss: RssSample[] = [];
  /** When each incarnation was killed (by number). */
  readonly killedAt = new Map<number, number>();
  /** The last lines the bridge printed, to show why it would not start. */
  private tail: string[] = [];
  kills = 0;
  private readonly killed = new Set<ChildProcess>();

  /**
   * @param nodeArgs what `node` runs before `start --config …`: the compiled CLI by default; a
   *   test passes a script that loads the TypeScript sources.
   */
  constructor(
    readonly label: string,
    readonly configFile: string,
    readonly port: number,
    private readonly nodeArgs: readonly string[] = [COMPILED_CLI],
  ) {}

  get logFile(): string {
    return this.configFile.replace(/\.yaml$/, '.log');
  }

  get httpUrl(): string {
    return `http://127.0.0.1:${String(this.port)}`;
  }

  get alive(): boolean {
    return (
      this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null
    );
  }

  /** Starts the bridge and resolves once it answers HTTP (healthy or not: the org may be failing). */
  async start(): Promise<void> {
    const child = spawn(
      process.execPath,
      [...this.nodeArgs, 'start', '--config', this.configFile],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    this.child = child;
    this.incarnation += 1;
    const lines = (stream: NodeJS.ReadableStream | null) =>
      stream === null ? undefined : createInterface({ input: stream });
    lines(child.stdout)?.on('line', (line) => this.onLogLine(line));
    lines(child.stderr)?.on('line', (line) => this.onLogLine(line));
    child.once('exit', (code, signal) => {
      if (!this.killed.has(child))
        this.crashes.push(
          `${this.label} #${String(this.incarnation)} exited (${String(code ?? signal)})`,
        );
    });
    for (;;) {
      if (child.exitCode !== null)
        throw new Error(`${this.label} bridge exited at start:\n${this.tail.join('\n')}`);
      try {
        await (await fetch(`${this.httpUrl}/healthz`)).arrayBuffer();
        return;
      } catch {
        await sleep(100); // not listening yet
      }
    }
  }

  async kill(): Promise<void> {
    const child = this.child;
    if (child === undefined || !this.alive) return;
    this.killed.add(child);
    this.killedAt.set(this.incarnation, Date.now());
    this.kills += 1;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  sampleRss(start: number): void {
    const mb = rssMb(this.child?.pid);
    if (mb !== undefined && this.alive)
      this.rss.push({ at: (Date.now() - start) / 1000, incarnation: this.incarnation, mb });
  }

  /** The last lines the bridge printed (for a failing test's message). */
  get lastLines(): readonly string[] {
    return this.tail;
  }

  private onLogLine(line: string): void {
    this.tail = [...this.tail.slice(-19), line];
    // Kept in the work dir, which a failed run leaves behind for diagnosis.
    appendFileSync(this.logFile, `#${String(this.incarnation)} ${line}\n`);
    // pino JSON: 50 is error, 60 fatal. Anything else the bridge prints is not a failure.
    let level = 0;
    try {
      level = (JSON.parse(line) as { level?: number }).level ?? 0;
    } catch {
      if (/uncaught|unhandled/i.test(line)) level = 60;
    }
    if (level >= 50) this.errorLines.push(`${this.label}: ${line.slice(0, 300)}`);
  }
}

/** The config sections that point a bridge at an emulated org whose certificate is in `certificate`. */
export function emulatedOrgSections(org: EmulatedOrg, certificate: string) {
  return {
    auth: { certificate, orgIds: [org.orgId] },
    salesforce: {
      loginUrl: org.url,
      clientId: org.credentials.clientId,
      clientSecret: org.credentials.clientSecret,
    },
  };
}

/**
 * A bridge (not started) with its config in `<dir>/<label>.yaml`: `sections` plus a free port
 * on 127.0.0.1 and its SQLite file `<dir>/<label>.db` (`sections.storage` may add to it).
 */
export async function configuredBridge(
  dir: string,
  label: string,
  sections: Record<string, unknown> & { storage?: Record<string, unknown> },
  nodeArgs?: readonly string[],
): Promise<BridgeProcess> {
  const port = await freePort();
  const configFile = path.join(dir, `${label}.yaml`);
  writeFileSync(
    configFile,
    toYaml({
      ...sections,
      server: { port, host: '127.0.0.1' },
      storage: { database: path.join(dir, `${label}.db`), ...sections.storage },
    }),
  );
  return new BridgeProcess(label, configFile, port, nodeArgs);
}
