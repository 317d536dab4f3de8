// The bench's webhook posts survive connections closing under them: a server that drops the
// first requests' connections without an answer (as a bridge closing stale kept-alive
// connections does, several in a row after a round) still gets the event; a bridge that is not
// there fails the post at once.
import net from 'node:net';
import { closedUnderUs, fetchAgain } from '../../bench/http-again';
import { freePort } from '../../bench/process-tools';

/** Answers 202 to each request after the first `drop`, whose connections it just closes. */
async function droppingServer(drop: number): Promise<{ url: string; close: () => void }> {
  let requests = 0;
  const server = net.createServer((socket) => {
    socket.on('data', () => {
      requests += 1;
      if (requests <= drop) socket.destroy();
      else socket.end('HTTP/1.1 202 Accepted\r\nContent-Length: 17\r\n\r\n{"accepted":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return { url: `http://127.0.0.1:${port}/pbx/events`, close: () => server.close() };
}

describe('bench HTTP posts', () => {
  it('sends again while connections close under it, past three in a row', async () => {
    const server = await droppingServer(6);
    let retries = 0;
    try {
      const answer = await fetchAgain(
        server.url,
        { method: 'POST', body: '{}' },
        { onRetry: () => (retries += 1) },
      );
      expect(answer).toEqual({ status: 202, body: '{"accepted":true}' });
      expect(retries).toBe(6);
    } finally {
      server.close();
    }
  });

  it('gives up after maxAttempts, with the connection error', async () => {
    const server = await droppingServer(10);
    try {
      const failure = await fetchAgain(server.url, { method: 'POST' }, { maxAttempts: 3 }).catch(
        (error: unknown) => error,
      );
      expect(closedUnderUs(failure)).toBe(true);
    } finally {
      server.close();
    }
  });

  it('fails at once where nothing listens: a bridge that is gone is not retried', async () => {
    let retries = 0;
    const url = `http://127.0.0.1:${await freePort()}/pbx/events`;
    const failure = await fetchAgain(url, {}, { onRetry: () => (retries += 1) }).catch(
      (error: unknown) => error,
    );
    expect((failure as Error).message).toBe('fetch failed');
    expect(closedUnderUs(failure)).toBe(false);
    expect(retries).toBe(0);
  });
});
