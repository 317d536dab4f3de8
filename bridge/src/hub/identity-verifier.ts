// Verifies the identity token a rep's browser sends in `hello`: a compact RS256 JWT that Apex
// signs with the org's certificate (docs/design.md "Identity", docs/protocol.md). The bridge
// holds only the public half, so nothing a browser can read lets anyone mint a token.
import { errors as joseErrors, jwtVerify, type KeyLike } from 'jose';
import { readPemSetting } from '../config/pem-setting';
import type { AuthConfig } from '../config/schema';
import { ErrorCodes, SwitchboardError, type ErrorCode } from '../errors';
import type { Logger } from '../logging/logger';
import { readIdentityCertificate } from './identity-certificate';
import { MemoryReplayCache, type ReplayCache } from './replay-cache';

/** Who a verified token says the rep is. */
export interface RepIdentityClaims {
  /** The org id as the token's `iss` carried it (15 or 18 characters). */
  orgId: string;
  /** The Salesforce user id (`sub`). */
  userId: string;
  email: string;
  /** The token's unique id: its `jti`, or `switchboard_nonce` when the token has no `jti`. */
  jti: string;
  /** `exp`, in seconds since the epoch. */
  expiresAt: number;
  /**
   * The token's `switchboard_roles` (extension of v1): "admin" for a holder of the
   * Switchboard_Admin custom permission, whose token Apex issues for the Setup page. Empty for a
   * rep's token (which carries none, or ["rep"]).
   */
  roles: string[];
}

export interface IdentityVerifierOptions {
  /** PEM text: an X.509 certificate (as downloaded from Setup) or an SPKI public key. */
  certificatePem: string;
  audience: string;
  /** Orgs whose tokens are accepted; read on every verify so a config reload takes effect. */
  allowedOrgIds: () => readonly string[];
  maxLifetimeSeconds: number;
  clockToleranceSeconds: number;
  /** Milliseconds since the epoch; tests inject a clock. */
  now?: () => number;
  logger: Logger;
  /** Where accepted token ids are kept; default this bridge's memory (one bridge). */
  replayCache?: ReplayCache;
}

const ALGORITHM = 'RS256';
/** A Salesforce-signed token is ~1 KB; anything far larger is not one of ours. */
const MAX_TOKEN_LENGTH = 8192;
const MAX_JTI_LENGTH = 256;
/**
 * Where Apex puts the unique id if Auth.JWT refuses `jti` among its additional claims (its docs
 * say those "cannot include standard claims"). Same single-use rule as `jti`.
 */
const NONCE_CLAIM = 'switchboard_nonce';
/** A custom claim, never a standard one: Auth.JWT refuses standard claims among additional ones. */
export const ROLES_CLAIM = 'switchboard_roles';
/** The roles the bridge knows; any other value in the claim is ignored. */
const KNOWN_ROLES = new Set(['rep', 'admin']);
const SALESFORCE_ID = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;

const HINT_GET_NEW_TOKEN =
  'Reload the Lightning page so the utility asks Apex for a fresh token; tokens are single-use.';

export class IdentityVerifier {
  /** The `${iss}:${jti}` of accepted tokens: this bridge's memory, or shared by every bridge. */
  private readonly replay: ReplayCache;

  private constructor(
    private readonly key: KeyLike,
    private readonly options: IdentityVerifierOptions,
    private readonly now: () => number,
  ) {
    this.replay = options.replayCache ?? new MemoryReplayCache(options.logger);
  }

  /**
   * Refuses (CONFIG_INVALID, naming auth.certificate) a certificate that cannot verify RS256
   * tokens: not PEM, not RSA, under 2048 bits, or expired.
   */
  static create(options: IdentityVerifierOptions): Promise<IdentityVerifier> {
    const now = options.now ?? Date.now;
    // A promise either way, so a refusal reaches the caller's await as a rejection.
    return new Promise((resolve) => {
      const { publicKey } = readIdentityCertificate(options.certificatePem, new Date(now()));
      resolve(new IdentityVerifier(publicKey, options, now));
    });
  }

  /**
   * The verifier the `auth` configuration asks for: auth.certificate, else the emulated org's
   * own key; the orgs in auth.orgIds, else the org the bridge is connected to (once it is).
   */
  static forConfig(
    auth: AuthConfig,
    options: {
      emulatedOrgPublicKeyPem: string | undefined;
      connectedOrgId: () => string | undefined;
      logger: Logger;
      replayCache?: ReplayCache;
    },
  ): Promise<IdentityVerifier> {
    return IdentityVerifier.create({
      certificatePem:
        auth.certificate !== undefined
          ? readPemSetting(auth.certificate, 'auth.certificate')
          : (options.emulatedOrgPublicKeyPem ?? ''),
      audience: auth.audience,
      allowedOrgIds: () => {
        const connected = options.connectedOrgId();
        return auth.orgIds ?? (connected === undefined ? [] : [connected]);
      },
      maxLifetimeSeconds: auth.maxTokenLifetimeSeconds,
      clockToleranceSeconds: auth.clockToleranceSeconds,
      logger: options.logger,
      ...(options.replayCache === undefined ? {} : { replayCache: options.replayCache }),
    });
  }

  /** Resolves with the rep's claims or rejects with a SwitchboardError AUTH_* carrying a hint. */
  async verify(token: string): Promise<RepIdentityClaims> {
    if (typeof token !== 'string' || token.trim() === '') {
      throw authError(
        ErrorCodes.AUTH_TOKEN_MISSING,
        'No identity token was sent.',
        HINT_GET_NEW_TOKEN,
      );
    }
    if (token.length > MAX_TOKEN_LENGTH) {
      throw authError(
        ErrorCodes.AUTH_TOKEN_INVALID,
        `The identity token is ${token.length} characters long; a Salesforce identity token is far shorter.`,
        'Send the compact JWT that SwitchboardTokenController returns, nothing else.',
      );
    }
    const nowMs = this.now();
    const payload = await this.verifySignature(token.trim(), nowMs);

    const sub = payload.sub;
    const email = payload['email'];
    const iat = payload.iat;
    const exp = payload.exp;
    const iss = payload.iss;
    const tokenId = uniqueTokenId(payload.jti, payload[NONCE_CLAIM]);
    const missing = [
      typeof iss === 'string' && iss !== '' ? undefined : 'iss',
      typeof sub === 'string' && sub !== '' ? undefined : 'sub',
      typeof email === 'string' && email !== '' ? undefined : 'email',
      tokenId !== undefined ? undefined : `jti (or ${NONCE_CLAIM})`,
      // iat is optional (v1 clarification, docs/protocol.md): Auth.JWT is not documented to
      // emit it. When present it must be a number.
      iat === undefined || typeof iat === 'number' ? undefined : 'iat',
      typeof exp === 'number' ? undefined : 'exp',
    ].filter((name): name is string => name !== undefined);
    if (missing.length > 0) {
      throw authError(
        ErrorCodes.AUTH_TOKEN_INVALID,
        `The identity token lacks the claim(s) ${missing.join(', ')}.`,
        'The Apex token controller must set iss, sub, aud, email, iat, exp and jti (or ' +
          `${NONCE_CLAIM} where Auth.JWT refuses jti); update the Switchboard package in the org.`,
      );
    }
    // Narrowed above; the casts only restate what the checks proved.
    const claims = {
      iss: iss as string,
      sub: sub as string,
      email: email as string,
      jti: tokenId as string,
      iat,
      exp: exp as number,
    };

    if (!audienceMatches(payload.aud, this.options.audience)) {
      throw authError(
        ErrorCodes.AUTH_WRONG_AUDIENCE,
        `The identity token is meant for ${JSON.stringify(payload.aud ?? null)}, not for ${JSON.stringify(this.options.audience)}.`,
        'auth.audience on the bridge and the audience the Apex token controller sets must be the same (default switchboard-bridge).',
      );
    }
    if (!orgAllowed(claims.iss, this.options.allowedOrgIds())) {
      throw authError(
        ErrorCodes.AUTH_ORG_NOT_ALLOWED,
        `Tokens from org ${claims.iss} are not accepted by this bridge.`,
        'Add the org id (18 characters, Setup › Company Information) to auth.orgIds.',
      );
    }
    if (!SALESFORCE_ID.test(claims.sub)) {
      throw authError(
        ErrorCodes.AUTH_TOKEN_INVALID,
        'The identity token’s sub is not a Salesforce user id.',
        'The Apex token controller must set sub to UserInfo.getUserId().',
      );
    }
    const toleranceMs = this.options.clockToleranceSeconds * 1000;
    if (claims.iat !== undefined && claims.iat * 1000 > nowMs + toleranceMs) {
      throw authError(
        ErrorCodes.AUTH_TOKEN_INVALID,
        'The identity token was issued in the future.',
        'The clocks of the bridge host and Salesforce disagree: enable NTP on the bridge host ' +
          'or raise auth.clockToleranceSeconds.',
      );
    }
    // With iat the lifetime is exactly exp − iat. Without it, what is left (exp − now) bounds
    // how long a stolen token stays usable; the tolerance allows for a Salesforce clock ahead.
    const lifetimeSeconds =
      claims.iat !== undefined ? claims.exp - claims.iat : claims.exp - Math.floor(nowMs / 1000);
    const allowedSeconds =
      this.options.maxLifetimeSeconds +
      (claims.iat !== undefined ? 0 : this.options.clockToleranceSeconds);
    if (lifetimeSeconds > allowedSeconds) {
      throw authError(
        ErrorCodes.AUTH_TOKEN_TOO_LONG_LIVED,
        `The identity token is valid for ${lifetimeSeconds} s${claims.iat !== undefined ? '' : ' from now'}; at most ${this.options.maxLifetimeSeconds} s is accepted.`,
        'A long-lived token is worth stealing: keep the Apex validity length at 300 s or less ' +
          '(or raise auth.maxTokenLifetimeSeconds, at most 300).',
      );
    }
    if (claims.jti.length > MAX_JTI_LENGTH) {
      throw authError(
        ErrorCodes.AUTH_TOKEN_INVALID,
        `The identity token’s jti (or ${NONCE_CLAIM}) is too long.`,
        'The Apex token controller should use a UUID or 128 random bits in hex as jti.',
      );
    }
    await this.rememberOnce(claims.iss, claims.jti, claims.exp * 1000 + toleranceMs, nowMs);

    return {
      orgId: claims.iss,
      userId: claims.sub,
      email: claims.email,
      jti: claims.jti,
      expiresAt: claims.exp,
      roles: rolesOf(payload[ROLES_CLAIM]),
    };
  }

  /** How many token ids this bridge remembers (its own memory only; for stats and tests). */
  rememberedTokenCount(): number | undefined {
    return this.replay instanceof MemoryReplayCache ? this.replay.size : undefined;
  }

  private async verifySignature(token: string, nowMs: number) {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        // Only RS256: refusing every other alg is what defeats `none` and the HS256-with-the-
        // public-key-as-secret confusion attack.
        algorithms: [ALGORITHM],
        currentDate: new Date(nowMs),
        clockTolerance: this.options.clockToleranceSeconds,
      });
      return payload;
    } catch (error) {
      throw mapJoseError(error);
    }
  }

  private async rememberOnce(
    iss: string,
    jti: string,
    acceptedUntilMs: number,
    nowMs: number,
  ): Promise<void> {
    if (!(await this.replay.firstUse(`${iss}:${jti}`, acceptedUntilMs, nowMs)))
      throw authError(
        ErrorCodes.AUTH_TOKEN_REPLAYED,
        'This identity token was already used.',
        HINT_GET_NEW_TOKEN +
          ' If this repeats, something is replaying captured tokens: check who can reach the bridge.',
      );
  }
}

/** The known roles a token names; anything not a list of strings grants nothing. */
function rolesOf(claim: unknown): string[] {
  if (!Array.isArray(claim)) return [];
  return [
    ...new Set(claim.filter((r): r is string => typeof r === 'string' && KNOWN_ROLES.has(r))),
  ];
}

/**
 * The id the replay check keys on: `jti` when the token has one; only when `jti` is absent
 * altogether, the private `switchboard_nonce`. A present but unusable `jti` (empty, not a
 * string) is not papered over by a nonce.
 */
function uniqueTokenId(jti: unknown, nonce: unknown): string | undefined {
  if (jti !== undefined) return typeof jti === 'string' && jti !== '' ? jti : undefined;
  return typeof nonce === 'string' && nonce !== '' ? nonce : undefined;
}

function authError(code: ErrorCode, message: string, hint: string, cause?: unknown) {
  return new SwitchboardError(code, message, { hint, status: 401, cause });
}

function mapJoseError(error: unknown): SwitchboardError {
  if (error instanceof joseErrors.JWTExpired) {
    return authError(
      ErrorCodes.AUTH_TOKEN_EXPIRED,
      'The identity token has expired.',
      HINT_GET_NEW_TOKEN +
        ' If fresh tokens are rejected too, the bridge host’s clock is off: enable NTP.',
      error,
    );
  }
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) {
    return authError(
      ErrorCodes.AUTH_TOKEN_INVALID,
      'The identity token’s signature does not match the configured certificate.',
      'auth.certificate must be the certificate the Apex token controller signs with; after ' +
        'renewing it in Setup, give the bridge the new one.',
      error,
    );
  }
  if (
    error instanceof joseErrors.JOSEAlgNotAllowed ||
    error instanceof joseErrors.JOSENotSupported
  ) {
    return authError(
      ErrorCodes.AUTH_TOKEN_INVALID,
      `The identity token is not signed with ${ALGORITHM}.`,
      'Only RS256 tokens signed by the org certificate are accepted.',
      error,
    );
  }
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    return authError(
      ErrorCodes.AUTH_TOKEN_INVALID,
      `The identity token's ${error.claim} claim is not acceptable (${error.reason}).`,
      HINT_GET_NEW_TOKEN,
      error,
    );
  }
  return authError(
    ErrorCodes.AUTH_TOKEN_INVALID,
    'The identity token is malformed.',
    'Send the compact JWT (three base64url parts separated by dots) that the Apex token controller returns.',
    error,
  );
}

function audienceMatches(aud: string | string[] | undefined, expected: string): boolean {
  if (typeof aud === 'string') return aud === expected;
  return Array.isArray(aud) && aud.includes(expected);
}

/**
 * Org ids compare on their case-sensitive 15-character form: an 18-character id is the
 * 15-character one plus a case checksum. So an 18-character `iss` must equal an allowed
 * 18-character id exactly; a 15-character one (from older Apex) must equal its first 15.
 */
export function orgAllowed(iss: string, allowed: readonly string[]): boolean {
  if (!SALESFORCE_ID.test(iss)) return false;
  return allowed.some((id) => {
    if (id === iss) return true;
    if (iss.length === 15 || id.length === 15) return id.slice(0, 15) === iss.slice(0, 15);
    return false;
  });
}
