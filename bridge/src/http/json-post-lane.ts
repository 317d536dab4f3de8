// A JSON POST answered without express: the PBX webhook's POST /pbx/events, twice per call at
// 100 calls a second. Express's routing and body parsing were ~12 % of the bridge's CPU per call
// at 10,000 reps (docs/benchmarks.md).
// The lane takes only the plain case — `Content-Type: application/json` (UTF-8), a
// Content-Length within the limit, no Content-Encoding — and hands everything else to express,
// where the same handler is mounted as an ordinary route: a gzip body, a chunked one or a
// charset the lane does not read still gets express's answer, and a bad body the same coded
// errors as anywhere else (http-server.ts owns that policy and gives it to the lane).
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type express from 'express';

/** What a lane's handler sees of the request. */
export interface JsonPostRequest {
  /** The parsed body: an object or an array (strict JSON, as express.json takes it). */
  body: unknown;
  headers: IncomingHttpHeaders;
  remoteAddress: string | undefined;
}

/** What it answers: a status, a JSON body and any extra headers. */
export interface JsonAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface JsonPostLane {
  /** The exact path (no query string), e.g. /pbx/events. */
  path: string;
  /**
   * The answer, or a promise of it when it must wait (the webhook's hand-off to the other
   * bridges). A throw or a rejection (or an answer JSON cannot write) is answered 500 INTERNAL
   * and logged, as in express.
   */
  handle(request: JsonPostRequest): JsonAnswer | Promise<JsonAnswer>;
}

/** Headers every answer of the bridge carries (http-server.ts sets them for express too). */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Content-Security-Policy': "frame-ancestors 'none'",
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

/** `application/json`, optionally with `charset=utf-8`: what the lane reads itself. */
const PLAIN_JSON = /^application\/json\s*(?:;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;

/**
 * True when the lane can read this request's body itself; decided on the headers alone, before
 * any byte of the body is read, so that express can still take the rest whole.
 */
export function fitsLane(req: IncomingMessage, limitBytes: number): boolean {
  const { headers } = req;
  if (headers['transfer-encoding'] !== undefined) return false;
  const encoding = headers['content-encoding'];
  if (encoding !== undefined && encoding.toLowerCase() !== 'identity') return false;
  if (!PLAIN_JSON.test(headers['content-type'] ?? '')) return false;
  const length = Number(headers['content-length']);
  return Number.isInteger(length) && length > 0 && length <= limitBytes;
}

/** Why a body the lane read is not JSON it takes (express.json's `entity.parse.failed`). */
export class LaneBodyError extends Error {}

/**
 * Reads the whole body (its Content-Length was checked) and parses it as strict JSON, as
 * express.json does: a UTF-8 BOM is skipped, and the text must hold an object or an array.
 */
export function readJsonBody(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('error', reject);
    req.once('end', () => {
      try {
        const [only] = chunks;
        resolve(parseStrictJson(chunks.length === 1 && only ? only : Buffer.concat(chunks)));
      } catch (error) {
        reject(error instanceof LaneBodyError ? error : new LaneBodyError(String(error)));
      }
    });
  });
}

function parseStrictJson(raw: Buffer): unknown {
  const start = raw[0] === 0xef && raw[1] === 0xbb && raw[2] === 0xbf ? 3 : 0;
  const text = raw.toString('utf8', start);
  const first = /^[\x20\x09\x0a\x0d]*(.)/.exec(text)?.[1];
  if (first !== '{' && first !== '[') throw new LaneBodyError('not an object or array');
  return JSON.parse(text) as unknown;
}

/** Writes a JSON answer: the security headers, the answer's own, its length and body. */
export function sendJson(res: ServerResponse, answer: JsonAnswer, secure: boolean): void {
  const text = JSON.stringify(answer.body);
  res
    .writeHead(answer.status, {
      ...SECURITY_HEADERS,
      ...(secure ? { 'Strict-Transport-Security': HSTS } : {}),
      ...answer.headers,
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(text),
    })
    .end(text);
}

export const HSTS = 'max-age=15552000';

/** The same handler as an express route, for the requests the lane leaves to express. */
export function laneAsRoute(lane: JsonPostLane): express.RequestHandler {
  return (req, res, next) => {
    const answer = lane.handle({
      body: req.body,
      headers: req.headers,
      remoteAddress: req.socket.remoteAddress,
    });
    if (!(answer instanceof Promise)) {
      sendJson(res, answer, req.secure);
      return;
    }
    answer.then((later) => {
      sendJson(res, later, req.secure);
    }, next);
  };
}
