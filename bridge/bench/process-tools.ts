// Small helpers the benchmark and the soak run share: a free TCP port for a bridge they start,
// and a child process's resident memory read from /proc (Linux).
import { readFileSync } from 'node:fs';
import net from 'node:net';

/** A TCP port nothing listens on right now, for a bridge about to be started. */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Resident memory of a process in MB; undefined when it is gone (or no /proc). */
export function rssMb(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
    return Number.isFinite(kb) ? kb / 1024 : undefined;
  } catch {
    return undefined;
  }
}
