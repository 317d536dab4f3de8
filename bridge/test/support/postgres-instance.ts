// A real PostgreSQL server for tests and the benchmark: initdb into a temporary directory,
// `postgres` listening only on a unix socket in that directory (no port to collide with), torn
// down afterwards. Nothing here needs Jest (`npm run bench -- --bridges N` starts one too);
// postgres-server.ts ties it to a suite.
// The binaries are the Debian package's (/usr/lib/postgresql/<version>/bin; `.ci/run` installs
// it); without them the suite fails with what to install, never skips. initdb refuses to run
// as root, so as root the server runs as the `postgres` user the package creates.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

const PG_ROOT = '/usr/lib/postgresql';

/** The newest installed server's bin directory (a glob over /usr/lib/postgresql/<v>/bin). */
export function postgresBinDir(): string {
  const versions = existsSync(PG_ROOT)
    ? readdirSync(PG_ROOT)
        .filter((v) => existsSync(join(PG_ROOT, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const newest = versions[0];
  if (newest === undefined)
    throw new Error(
      `PostgreSQL server binaries not found under ${PG_ROOT}/*/bin: the PostgreSQL storage tests ` +
        'need a real server. Install it with `apt-get install -y --no-install-recommends postgresql` ' +
        '(.ci/run does).',
    );
  return join(PG_ROOT, newest, 'bin');
}

/** uid/gid to run the server as: ourselves, or `postgres` when we are root. */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (uid === undefined || gid === undefined)
    throw new Error(
      'Running as root and there is no `postgres` user to run PostgreSQL as (initdb refuses ' +
        'root). The Debian package creates it: apt-get install -y postgresql.',
    );
  return { uid: Number(uid), gid: Number(gid) };
}

export interface TestPostgres {
  /** The unix socket directory (the `host` of a connection). */
  readonly socketDir: string;
  /** The postmaster's process id (its backends are its children). */
  readonly pid: number | undefined;
  /** A connection URL for database `name` (default `postgres`). */
  url(name?: string): string;
  /** Creates an empty database and returns its URL: one per test keeps tests apart. */
  freshDatabase(): Promise<string>;
  stop(): Promise<void>;
}

const SUPERUSER = 'switchboard';
let databases = 0;

/** How long initdb's server may take to accept its first connection on a busy machine. */
export const START_LIMIT_MS = 120_000;

/** Starts a private server; resolves once it accepts connections. */
/**
 * @param options.settings more server settings (`name=value`, as `postgres -c`), e.g. the
 *   benchmark's pg_stat_statements.
 */
export async function startTestPostgres(
  options: { settings?: readonly string[] } = {},
): Promise<TestPostgres> {
  const bin = postgresBinDir();
  const user = serverUser();
  const dir = mkdtempSync(join(tmpdir(), 'sb-pg-'));
  const dataDir = join(dir, 'data');
  if (user !== undefined) chownSync(dir, user.uid, user.gid);
  const asUser = user === undefined ? {} : { uid: user.uid, gid: user.gid };

  const init = spawnSync(
    join(bin, 'initdb'),
    ['-D', dataDir, '-U', SUPERUSER, '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync'],
    { ...asUser, encoding: 'utf8' },
  );
  if (init.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed (${init.status}): ${init.stderr || String(init.error)}`);
  }

  const server: ChildProcess = spawn(
    join(bin, 'postgres'),
    [
      '-D',
      dataDir,
      '-k',
      dir,
      '-c',
      'listen_addresses=',
      '-c',
      'fsync=off',
      '-c',
      'full_page_writes=off',
      '-c',
      'max_connections=200',
      ...(options.settings ?? []).flatMap((setting) => ['-c', setting]),
    ],
    { ...asUser, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  server.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));

  const url = (name = 'postgres') =>
    `postgresql://${SUPERUSER}@localhost/${name}?host=${encodeURIComponent(dir)}`;
  const stop = async () => {
    if (server.exitCode === null && server.signalCode === null) {
      server.kill('SIGINT'); // fast shutdown: disconnects clients, no waiting for them
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };

  // Ready when a connection succeeds; the server may still be starting (57P03) or not yet
  // have created its socket (ENOENT). Bounded: a server that never accepts is stopped and
  // reported, never left running to keep Jest from exiting.
  const giveUpAt = Date.now() + START_LIMIT_MS;
  for (;;) {
    if (server.exitCode !== null || server.signalCode !== null) {
      await stop();
      throw new Error(`postgres exited before accepting connections:\n${stderr}`);
    }
    if (Date.now() > giveUpAt) {
      await stop();
      throw new Error(
        `postgres accepted no connection within ${START_LIMIT_MS / 1000} s:\n${stderr}`,
      );
    }
    const client = new Client({ connectionString: url() });
    try {
      await client.connect();
      await client.end();
      break;
    } catch {
      await client.end().catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  return {
    socketDir: dir,
    pid: server.pid,
    url,
    freshDatabase: async () => {
      databases += 1;
      const name = `t${process.pid}_${databases}`;
      const client = new Client({ connectionString: url() });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return url(name);
    },
    stop,
  };
}
