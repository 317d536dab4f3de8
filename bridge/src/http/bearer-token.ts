// Shared-secret checks for the bridge's HTTP endpoints (PBX webhook, admin, phonebook): one
// way to read a bearer token and one constant-time comparison, so the three cannot drift.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** The token of an `Authorization: Bearer <token>` header (scheme case-insensitive, RFC 6750). */
export function bearerToken(headers: IncomingHttpHeaders): string | undefined {
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(headers.authorization ?? '');
  return match?.[1];
}

/**
 * A checker for one configured secret. Both sides are hashed first, so the comparison takes
 * the same time whatever was presented and never reveals the secret's length.
 */
export function secretMatcher(secret: string): (presented: string | undefined) => boolean {
  const expected = sha256(secret);
  return (presented) => presented !== undefined && timingSafeEqual(sha256(presented), expected);
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
