// Test support for the hub: an RSA key pair standing in for the org certificate, and a
// factory for identity tokens shaped like the ones the Apex token controller signs.
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { SignJWT, type JWTPayload } from 'jose';
import { IdentityVerifier, type IdentityVerifierOptions } from '../../src/hub/identity-verifier';
import type { Logger } from '../../src/logging/logger';

export const ORG_ID = '00D000000000001EAA';
export const USER_ID = '005000000000001AAA';
export const AUDIENCE = 'switchboard-bridge';

export interface TestKeys {
  privateKey: KeyObject;
  publicKeyPem: string;
}

export function generateKeys(): TestKeys {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privateKey, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

/** A verifier for the test org's tokens signed with `keys`; `extra` overrides any option. */
export function testVerifier(
  keys: TestKeys,
  logger: Logger,
  extra: Partial<IdentityVerifierOptions> = {},
): Promise<IdentityVerifier> {
  return IdentityVerifier.create({
    certificatePem: keys.publicKeyPem,
    audience: AUDIENCE,
    allowedOrgIds: () => [ORG_ID],
    maxLifetimeSeconds: 300,
    clockToleranceSeconds: 30,
    logger,
    ...extra,
  });
}

export interface TokenOptions {
  /** Seconds since the epoch; defaults to the real clock. */
  iat?: number;
  lifetimeSeconds?: number;
  /** Claims to set or, with `undefined`, to leave out. */
  claims?: Partial<
    Record<'iss' | 'sub' | 'aud' | 'email' | 'jti' | 'switchboard_nonce', string | undefined>
  >;
  omit?: readonly ('iat' | 'exp')[];
  /** Claims of other shapes, e.g. switchboard_roles. */
  extraClaims?: Record<string, unknown>;
}

/** Signs an RS256 token with the standard claims, overridable per test. */
export async function signToken(key: KeyObject, options: TokenOptions = {}): Promise<string> {
  const iat = options.iat ?? Math.floor(Date.now() / 1000);
  const defaults: Record<string, string> = {
    iss: ORG_ID,
    sub: USER_ID,
    aud: AUDIENCE,
    email: 'Rep@Example.com',
    jti: randomUUID(),
  };
  const payload: JWTPayload = {};
  const merged: Record<string, unknown> = {
    ...defaults,
    ...options.claims,
    ...options.extraClaims,
  };
  for (const [name, value] of Object.entries(merged)) {
    if (value !== undefined) payload[name] = value;
  }
  if (!(options.omit ?? []).includes('iat')) payload.iat = iat;
  if (!(options.omit ?? []).includes('exp')) payload.exp = iat + (options.lifetimeSeconds ?? 300);
  return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', typ: 'JWT' }).sign(key);
}
