// Stands in for the Apex SwitchboardTokenController of a real org: the org's certificate
// "Switchboard_Bridge" (an RSA key pair with a self-signed X.509 certificate, as Setup ›
// Certificate and Key Management makes) signs the identity JWT an LWC sends to the bridge.
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import { generate as generateCertificate } from 'selfsigned';

export interface IdentityTokenOverrides {
  aud?: string;
  iss?: string;
  exp?: number;
  iat?: number;
  jti?: string;
  /** The switchboard_nonce (default: 128 random bits in hex, as Apex makes it). */
  nonce?: string;
  email?: string;
  /** The switchboard_roles claim (default: ["admin"] for a holder of Switchboard_Admin, else none). */
  roles?: string[];
}

/** The custom permission whose holders Apex gives the admin role (force-app customPermissions). */
export const ADMIN_PERMISSION = 'Switchboard_Admin';

export const IDENTITY_AUDIENCE = 'switchboard-bridge';
export const IDENTITY_CERTIFICATE_NAME = 'Switchboard_Bridge';
const LIFETIME_SECONDS = 300;

export class OrgIdentitySigner {
  private constructor(
    private readonly orgId: string,
    private readonly privateKey: KeyObject,
    /** SPKI PEM of the signing key. */
    readonly publicKeyPem: string,
    /** Self-signed X.509 certificate (PEM), what an admin downloads from Setup. */
    readonly certificatePem: string,
    private readonly emailOf: (userId: string) => string | undefined,
    private readonly clock: () => number,
    private readonly isAdmin: (userId: string) => boolean,
  ) {}

  static async create(
    orgId: string,
    emailOf: (userId: string) => string | undefined,
    clock: () => number,
    isAdmin: (userId: string) => boolean = () => false,
  ): Promise<OrgIdentitySigner> {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const cert = await generateCertificate(
      [{ name: 'commonName', value: IDENTITY_CERTIFICATE_NAME }],
      {
        keyPair: { privateKey: privatePem, publicKey: publicPem },
        algorithm: 'sha256',
        notAfterDate: new Date(clock() + 365 * 86_400_000),
      },
    );
    return new OrgIdentitySigner(orgId, privateKey, publicPem, cert.cert, emailOf, clock, isAdmin);
  }

  /**
   * A compact RS256 JWT as the Apex controller issues it: the single-use id as the private
   * claim `switchboard_nonce` (Apex adds no standard claim such as `jti` to Auth.JWT's
   * additional claims), and `switchboard_roles: ["admin"]` for a user with the Switchboard_Admin
   * custom permission. Overrides make bad tokens for tests; `jti` adds one.
   */
  async signToken(userId: string, overrides: IdentityTokenOverrides = {}): Promise<string> {
    const iat = overrides.iat ?? Math.floor(this.clock() / 1000);
    const email = overrides.email ?? this.emailOf(userId);
    const roles = overrides.roles ?? (this.isAdmin(userId) ? ['admin'] : undefined);
    const jwt = new SignJWT({
      ...(email === undefined ? {} : { email }),
      ...(roles === undefined ? {} : { switchboard_roles: roles }),
      switchboard_nonce: overrides.nonce ?? randomUUID().replace(/-/g, ''),
    })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
      .setIssuer(overrides.iss ?? this.orgId)
      .setSubject(userId)
      .setAudience(overrides.aud ?? IDENTITY_AUDIENCE)
      .setIssuedAt(iat)
      .setExpirationTime(overrides.exp ?? iat + LIFETIME_SECONDS);
    if (overrides.jti !== undefined) jwt.setJti(overrides.jti);
    return jwt.sign(this.privateKey);
  }
}
