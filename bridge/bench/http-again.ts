// HTTP requests of the benchmark that survive a kept-alive connection closing under them.
// fetch keeps connections to the bridge open between requests; the bridge closes one after
// 5 s idle, fetch stops reusing it after 4 s. On a starved machine neither timer fires on time,
// and a request sent on a connection the server is closing fails with "fetch failed: other
// side closed". After a round, every connection of the pool went idle at the same moment, so
// the next round may meet many such connections in a row: three attempts were not always
// enough (the bench crashed three times at load 15). Each failed attempt takes one dead
// connection out of the pool, so the request is sent again until it meets a live one.
// Only for requests that may be repeated (the webhook drops repeated events; reads).

/** The connection closed before the whole answer came: a stale kept-alive one, or a reset. */
export function closedUnderUs(error: unknown): boolean {
  // fetch fails with TypeError('fetch failed' or 'terminated'), the socket's error its cause.
  const code = (error as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  return code === 'UND_ERR_SOCKET' || code === 'ECONNRESET' || code === 'EPIPE';
}

export interface Answer {
  status: number;
  body: string;
}

/**
 * fetch, reading the whole answer, sent again (at once) while its connection closes under it;
 * at most `maxAttempts` times. Any other failure (nothing listening, a timeout) fails at once.
 */
export async function fetchAgain(
  url: string,
  init: RequestInit = {},
  options: { maxAttempts?: number; onRetry?: () => void } = {},
): Promise<Answer> {
  const maxAttempts = options.maxAttempts ?? 50;
  for (let attempt = 1; ; attempt++) {
    try {
      const response = await fetch(url, init);
      return { status: response.status, body: await response.text() };
    } catch (error) {
      if (attempt >= maxAttempts || !closedUnderUs(error)) throw error;
      options.onRetry?.();
    }
  }
}
