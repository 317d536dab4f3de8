// Tests for IdentityVerifier: every rejection the design lists, the HS256/none confusion
// attacks, org id comparison, replay memory, and both key formats (SPKI and a real X.509
// certificate generated with selfsigned).
import { createPrivateKey, randomUUID } from 'node:crypto';
import { SignJWT, UnsecuredJWT } from 'jose';
import { generate } from 'selfsigned';
import { ErrorCodes, SwitchboardError } from '../../src/errors';
import { silentLogger } from '../../src/logging/logger';
import { IdentityVerifier, orgAllowed } from '../../src/hub/identity-verifier';
import {
  AUDIENCE,
  ORG_ID,
  USER_ID,
  generateKeys,
  signToken,
  type TestKeys,
} from './identity-tokens';

const NOW_S = 1_750_000_000;

describe('IdentityVerifier', () => {
  let keys: TestKeys;
  let nowMs: number;
  let allowed: string[];

  beforeAll(() => {
    keys = generateKeys();
  });

  beforeEach(() => {
    nowMs = NOW_S * 1000;
    allowed = [ORG_ID];
  });

  function createVerifier(certificatePem = keys.publicKeyPem) {
    return IdentityVerifier.create({
      certificatePem,
      audience: AUDIENCE,
      allowedOrgIds: () => allowed,
      maxLifetimeSeconds: 300,
      clockToleranceSeconds: 30,
      now: () => nowMs,
      logger: silentLogger(),
    });
  }

  async function rejection(promise: Promise<unknown>): Promise<SwitchboardError> {
    try {
      await promise;
    } catch (error) {
      if (error instanceof SwitchboardError) {
        // Every rejection tells the reader what to do next.
        expect(error.hint).toEqual(expect.any(String));
        return error;
      }
      throw error;
    }
    throw new Error('expected a rejection');
  }

  it('accepts a valid token and returns its claims', async () => {
    const verifier = await createVerifier();
    const token = await signToken(keys.privateKey, { iat: NOW_S, claims: { jti: 'jti-1' } });

    await expect(verifier.verify(token)).resolves.toEqual({
      orgId: ORG_ID,
      userId: USER_ID,
      email: 'Rep@Example.com',
      jti: 'jti-1',
      expiresAt: NOW_S + 300,
      roles: [],
    });
  });

  it('reads the roles Apex grants (switchboard_roles), keeping only the roles it knows', async () => {
    const verifier = await createVerifier();
    const roles = async (claim: unknown) =>
      (
        await verifier.verify(
          await signToken(keys.privateKey, {
            iat: NOW_S,
            extraClaims: { switchboard_roles: claim },
          }),
        )
      ).roles;
    expect(await roles(['admin'])).toEqual(['admin']);
    expect(await roles(['rep', 'admin', 'admin', 'Admin', 'root', 7])).toEqual(['rep', 'admin']);
    // Not a list: no role at all, never a partial reading.
    expect(await roles('admin')).toEqual([]);
    expect(await roles({ 0: 'admin' })).toEqual([]);
  });

  it('accepts a token signed by the key of a real X.509 certificate', async () => {
    const pems = await generate([{ name: 'commonName', value: 'Switchboard_Bridge' }], {
      keySize: 2048,
      algorithm: 'sha256',
    });
    expect(pems.cert).toContain('-----BEGIN CERTIFICATE-----');
    // Indented, with Windows line ends: how a pasted certificate often arrives.
    const pasted = pems.cert
      .split('\n')
      .map((line) => `  ${line}`)
      .join('\r\n');
    const verifier = await createVerifier(pasted);
    const token = await signToken(createPrivateKey(pems.private), { iat: NOW_S });

    await expect(verifier.verify(token)).resolves.toMatchObject({ userId: USER_ID });
    // The certificate's key is not the SPKI test key: tokens from that key do not pass.
    const other = await signToken(keys.privateKey, { iat: NOW_S });
    expect((await rejection(verifier.verify(other))).code).toBe(ErrorCodes.AUTH_TOKEN_INVALID);
  });

  it('refuses a certificate setting that is not PEM with CONFIG_INVALID and a hint', async () => {
    const error = await rejection(createVerifier('MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA'));
    expect(error.code).toBe(ErrorCodes.CONFIG_INVALID);
    expect(error.hint).toContain('auth.certificate');

    const garbled = await rejection(
      createVerifier('-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----'),
    );
    expect(garbled.code).toBe(ErrorCodes.CONFIG_INVALID);
  });

  it('rejects a token signed by another key (forged signature)', async () => {
    const verifier = await createVerifier();
    const forged = await signToken(generateKeys().privateKey, { iat: NOW_S });

    const error = await rejection(verifier.verify(forged));
    expect(error.code).toBe(ErrorCodes.AUTH_TOKEN_INVALID);
    expect(error.message).toMatch(/signature/);
  });

  it('rejects HS256 signed with the public key text as secret (algorithm confusion)', async () => {
    const verifier = await createVerifier();
    const token = await new SignJWT({ email: 'rep@example.com', jti: randomUUID() })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(ORG_ID)
      .setSubject(USER_ID)
      .setAudience(AUDIENCE)
      .setIssuedAt(NOW_S)
      .setExpirationTime(NOW_S + 300)
      .sign(new TextEncoder().encode(keys.publicKeyPem));

    expect((await rejection(verifier.verify(token))).code).toBe(ErrorCodes.AUTH_TOKEN_INVALID);
  });

  it('rejects an unsigned token (alg none)', async () => {
    const verifier = await createVerifier();
    const token = new UnsecuredJWT({ email: 'rep@example.com', jti: randomUUID() })
      .setIssuer(ORG_ID)
      .setSubject(USER_ID)
      .setAudience(AUDIENCE)
      .setIssuedAt(NOW_S)
      .setExpirationTime(NOW_S + 300)
      .encode();

    expect((await rejection(verifier.verify(token))).code).toBe(ErrorCodes.AUTH_TOKEN_INVALID);
  });

  it.each([
    ['not a jwt', ErrorCodes.AUTH_TOKEN_INVALID],
    ['a.b.c', ErrorCodes.AUTH_TOKEN_INVALID],
    ['', ErrorCodes.AUTH_TOKEN_MISSING],
    ['x'.repeat(10_000), ErrorCodes.AUTH_TOKEN_INVALID],
  ])('rejects malformed token %#', async (token, code) => {
    const verifier = await createVerifier();
    expect((await rejection(verifier.verify(token))).code).toBe(code);
  });

  it('rejects a token for another audience', async () => {
    const verifier = await createVerifier();
    const token = await signToken(keys.privateKey, { iat: NOW_S, claims: { aud: 'other-app' } });

    expect((await rejection(verifier.verify(token))).code).toBe(ErrorCodes.AUTH_WRONG_AUDIENCE);
  });

  it('rejects a token from an org that is not allowed, reading the allowlist each time', async () => {
    const verifier = await createVerifier();
    const other = '00D000000000002EAA';

    const error = await rejection(
      verifier.verify(await signToken(keys.privateKey, { iat: NOW_S, claims: { iss: other } })),
    );
    expect(error.code).toBe(ErrorCodes.AUTH_ORG_NOT_ALLOWED);
    expect(error.hint).toContain('auth.orgIds');

    allowed = [ORG_ID, other];
    await expect(
      verifier.verify(await signToken(keys.privateKey, { iat: NOW_S, claims: { iss: other } })),
    ).resolves.toMatchObject({ orgId: other });
  });

  it('compares org ids exactly on 18 characters and by prefix on 15', () => {
    expect(orgAllowed(ORG_ID, [ORG_ID])).toBe(true);
    expect(orgAllowed(ORG_ID.slice(0, 15), [ORG_ID])).toBe(true);
    expect(orgAllowed(ORG_ID, [ORG_ID.slice(0, 15)])).toBe(true);
    // 15-character ids are case-sensitive: a different case is a different org.
    expect(orgAllowed(ORG_ID.toLowerCase(), [ORG_ID])).toBe(false);
    expect(orgAllowed(ORG_ID.slice(0, 15) + 'XXX', [ORG_ID])).toBe(false);
    expect(orgAllowed('00D0000000000', [ORG_ID])).toBe(false);
    expect(orgAllowed(ORG_ID, [])).toBe(false);
  });

  it('rejects an expired token, and accepts one within the clock tolerance', async () => {
    const verifier = await createVerifier();
    const old = await signToken(keys.privateKey, { iat: NOW_S - 400, lifetimeSeconds: 300 });
    expect((await rejection(verifier.verify(old))).code).toBe(ErrorCodes.AUTH_TOKEN_EXPIRED);

    const justExpired = await signToken(keys.privateKey, {
      iat: NOW_S - 310,
      lifetimeSeconds: 300,
    });
    await expect(verifier.verify(justExpired)).resolves.toMatchObject({ userId: USER_ID });
  });

  it('rejects a token valid for longer than the maximum lifetime', async () => {
    const verifier = await createVerifier();
    const token = await signToken(keys.privateKey, { iat: NOW_S, lifetimeSeconds: 3600 });

    expect((await rejection(verifier.verify(token))).code).toBe(
      ErrorCodes.AUTH_TOKEN_TOO_LONG_LIVED,
    );
  });

  it('rejects a token issued in the future beyond the tolerance', async () => {
    const verifier = await createVerifier();
    const token = await signToken(keys.privateKey, { iat: NOW_S + 120 });

    expect((await rejection(verifier.verify(token))).code).toBe(ErrorCodes.AUTH_TOKEN_INVALID);
  });

  it('accepts a token without iat whose exp is at most the maximum lifetime away', async () => {
    const verifier = await createVerifier();
    // Issued 100 s ago by a signer that does not emit iat: 200 s left.
    const token = await signToken(keys.privateKey, { iat: NOW_S - 100, omit: ['iat'] });

    await expect(verifier.verify(token)).resolves.toMatchObject({
      userId: USER_ID,
      expiresAt: NOW_S + 200,
    });
  });

  it('without iat, allows the clock tolerance on the lifetime and no more', async () => {
    const verifier = await createVerifier();
    const withinTolerance = await signToken(keys.privateKey, {
      iat: NOW_S,
      lifetimeSeconds: 330,
      omit: ['iat'],
    });
    await expect(verifier.verify(withinTolerance)).resolves.toMatchObject({ userId: USER_ID });

    const beyond = await signToken(keys.privateKey, {
      iat: NOW_S,
      lifetimeSeconds: 331,
      omit: ['iat'],
    });
    const error = await rejection(verifier.verify(beyond));
    expect(error.code).toBe(ErrorCodes.AUTH_TOKEN_TOO_LONG_LIVED);
    expect(error.message).toContain('331 s from now');
  });

  it('rejects a token without iat whose exp is too far away', async () => {
    const verifier = await createVerifier();
    const token = await signToken(keys.privateKey, {
      iat: NOW_S,
      lifetimeSeconds: 3600,
      omit: ['iat'],
    });

    expect((await rejection(verifier.verify(token))).code).toBe(
      ErrorCodes.AUTH_TOKEN_TOO_LONG_LIVED,
    );
  });

  it('rejects an expired token without iat', async () => {
    const verifier = await createVerifier();
    const token = await signToken(keys.privateKey, { iat: NOW_S - 400, omit: ['iat'] });

    expect((await rejection(verifier.verify(token))).code).toBe(ErrorCodes.AUTH_TOKEN_EXPIRED);
  });

  it('accepts switchboard_nonce in place of jti, single use like a jti', async () => {
    const verifier = await createVerifier();
    const token = await signToken(keys.privateKey, {
      iat: NOW_S,
      claims: { jti: undefined, switchboard_nonce: 'nonce-1' },
    });

    await expect(verifier.verify(token)).resolves.toMatchObject({ jti: 'nonce-1' });
    expect((await rejection(verifier.verify(token))).code).toBe(ErrorCodes.AUTH_TOKEN_REPLAYED);
    // A fresh token reusing the nonce is a replay of that id too.
    const again = await signToken(keys.privateKey, {
      iat: NOW_S,
      claims: { jti: undefined, switchboard_nonce: 'nonce-1' },
    });
    expect((await rejection(verifier.verify(again))).code).toBe(ErrorCodes.AUTH_TOKEN_REPLAYED);
  });

  it('prefers jti over switchboard_nonce when a token carries both', async () => {
    const verifier = await createVerifier();
    const token = await signToken(keys.privateKey, {
      iat: NOW_S,
      claims: { jti: 'jti-both', switchboard_nonce: 'nonce-both' },
    });

    await expect(verifier.verify(token)).resolves.toMatchObject({ jti: 'jti-both' });
  });

  it('rejects a token with neither jti nor switchboard_nonce', async () => {
    const verifier = await createVerifier();
    const token = await signToken(keys.privateKey, { iat: NOW_S, claims: { jti: undefined } });

    const error = await rejection(verifier.verify(token));
    expect(error.code).toBe(ErrorCodes.AUTH_TOKEN_INVALID);
    expect(error.message).toContain('jti (or switchboard_nonce)');
    expect(error.hint).toContain('switchboard_nonce');
  });

  it('does not let switchboard_nonce stand in for an empty jti', async () => {
    const verifier = await createVerifier();
    const token = await signToken(keys.privateKey, {
      iat: NOW_S,
      claims: { jti: '', switchboard_nonce: 'nonce-2' },
    });

    expect((await rejection(verifier.verify(token))).code).toBe(ErrorCodes.AUTH_TOKEN_INVALID);
  });

  it.each(['sub', 'email', 'jti', 'iss'] as const)('rejects a token without %s', async (claim) => {
    const verifier = await createVerifier();
    const token = await signToken(keys.privateKey, { iat: NOW_S, claims: { [claim]: undefined } });

    const error = await rejection(verifier.verify(token));
    expect(error.code).toBe(ErrorCodes.AUTH_TOKEN_INVALID);
    expect(error.message).toContain(claim);
  });

  it('rejects a token without exp', async () => {
    const verifier = await createVerifier();
    const token = await signToken(keys.privateKey, { iat: NOW_S, omit: ['exp'] });

    const error = await rejection(verifier.verify(token));
    expect(error.code).toBe(ErrorCodes.AUTH_TOKEN_INVALID);
    expect(error.message).toContain('exp');
  });

  it('rejects a sub that is not a Salesforce id', async () => {
    const verifier = await createVerifier();
    const token = await signToken(keys.privateKey, { iat: NOW_S, claims: { sub: 'admin' } });

    expect((await rejection(verifier.verify(token))).code).toBe(ErrorCodes.AUTH_TOKEN_INVALID);
  });

  it('rejects a replayed token and forgets ids once their tokens have expired', async () => {
    const verifier = await createVerifier();
    const token = await signToken(keys.privateKey, { iat: NOW_S });

    await verifier.verify(token);
    expect((await rejection(verifier.verify(token))).code).toBe(ErrorCodes.AUTH_TOKEN_REPLAYED);
    expect(verifier.rememberedTokenCount()).toBe(1);

    // Past exp + tolerance the first id cannot be replayed anyway: verifying a new token
    // prunes it, so memory stays bounded by what is still valid.
    nowMs = (NOW_S + 300 + 31) * 1000;
    await verifier.verify(await signToken(keys.privateKey, { iat: NOW_S + 331 }));
    expect(verifier.rememberedTokenCount()).toBe(1);
  });

  it('does not remember the jti of a token it rejected', async () => {
    const verifier = await createVerifier();
    const jti = randomUUID();
    const wrongAud = await signToken(keys.privateKey, { iat: NOW_S, claims: { jti, aud: 'x' } });
    await rejection(verifier.verify(wrongAud));

    const good = await signToken(keys.privateKey, { iat: NOW_S, claims: { jti } });
    await expect(verifier.verify(good)).resolves.toMatchObject({ jti });
  });
});
