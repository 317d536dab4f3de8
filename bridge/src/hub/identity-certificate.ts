// The identity certificate (auth.certificate) as the bridge needs it: PEM text of the X.509
// certificate Salesforce signs identity tokens with (or its SPKI public key), holding an RSA key
// of at least 2048 bits — RS256 needs one — that has not expired. Read once at start: a
// certificate that cannot work is refused there, naming the reason, rather than every rep's token
// failing later. `check` reports the same facts (check/steps/identity-certificate-step.ts).
import { createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { ErrorCodes, SwitchboardError } from '../errors';

/** RS256 with a shorter modulus is refused by jose (and by RFC 7518 §3.3). */
export const MIN_RSA_BITS = 2048;

export const HINT_CERTIFICATE =
  'auth.certificate must be the certificate Apex signs with (Setup › Certificate and Key ' +
  'Management › Switchboard_Bridge › Download Certificate), as PEM text or a path to that file.';

const HINT_CREATE_RSA =
  'In Setup › Certificate and Key Management, Create Self-Signed Certificate makes an RSA ' +
  'certificate (key size 2048 or 4096); download it and point auth.certificate at the .crt.';

const HINT_RENEW =
  'In Setup › Certificate and Key Management create a new self-signed certificate (and enter ' +
  'its Unique Name as Certificate Name in the Switchboard settings if it differs), then ' +
  'Download Certificate and point auth.certificate at the new .crt.';

/** What the configured PEM holds. */
export interface IdentityCertificate {
  /** The first certificate (a chain may follow) or the public key, with clean line ends. */
  pem: string;
  kind: 'certificate' | 'public-key';
  publicKey: KeyObject;
  /** e.g. rsa, ec, ed25519. */
  keyType: string;
  /** RSA modulus length in bits. */
  rsaBits: number | undefined;
  /** Certificates only. */
  subject: string | undefined;
  validFrom: Date | undefined;
  validTo: Date | undefined;
  fingerprint256: string | undefined;
}

/**
 * Parses the PEM and refuses what cannot verify an RS256 token: not PEM, not readable, not
 * RSA, RSA under 2048 bits, expired (as of `now`). Throws SwitchboardError CONFIG_INVALID naming
 * auth.certificate and the reason.
 */
export function readIdentityCertificate(pem: string, now: Date = new Date()): IdentityCertificate {
  const certificate = parseIdentityCertificate(pem);
  const problem = certificateProblem(certificate, now);
  if (problem !== undefined) throw problem;
  return certificate;
}

/** Parses without judging (the check reports what is wrong, and also what is right). */
export function parseIdentityCertificate(pem: string): IdentityCertificate {
  // Pasted PEM often arrives indented or with Windows line ends.
  const text = pem
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join('\n');
  try {
    if (text.startsWith('-----BEGIN CERTIFICATE-----')) {
      const first = text.slice(0, text.indexOf('-----END CERTIFICATE-----') + 25);
      const x509 = new X509Certificate(first);
      return describe(first, 'certificate', x509.publicKey, x509);
    }
    if (text.startsWith('-----BEGIN PUBLIC KEY-----')) {
      return describe(text, 'public-key', createPublicKey(text), undefined);
    }
  } catch (error) {
    throw new SwitchboardError(
      ErrorCodes.CONFIG_INVALID,
      `auth.certificate could not be read as a PEM certificate or public key: ${error instanceof Error ? error.message : String(error)}`,
      { hint: HINT_CERTIFICATE, cause: error },
    );
  }
  throw new SwitchboardError(
    ErrorCodes.CONFIG_INVALID,
    'auth.certificate is neither a PEM certificate (-----BEGIN CERTIFICATE-----) nor a PEM public key (-----BEGIN PUBLIC KEY-----).',
    { hint: HINT_CERTIFICATE },
  );
}

/** Why this certificate cannot verify identity tokens, or undefined when it can. */
export function certificateProblem(
  certificate: IdentityCertificate,
  now: Date,
): SwitchboardError | undefined {
  if (certificate.keyType !== 'rsa') {
    return new SwitchboardError(
      ErrorCodes.CONFIG_INVALID,
      `auth.certificate holds an ${certificate.keyType.toUpperCase()} key; identity tokens are ` +
        'signed RS256, which needs an RSA key.',
      { hint: HINT_CREATE_RSA, details: { keyType: certificate.keyType } },
    );
  }
  if (certificate.rsaBits !== undefined && certificate.rsaBits < MIN_RSA_BITS) {
    return new SwitchboardError(
      ErrorCodes.CONFIG_INVALID,
      `auth.certificate holds a ${certificate.rsaBits}-bit RSA key; RS256 needs at least ${MIN_RSA_BITS} bits.`,
      { hint: HINT_CREATE_RSA, details: { rsaBits: certificate.rsaBits } },
    );
  }
  if (certificate.validTo !== undefined && certificate.validTo.getTime() < now.getTime()) {
    return new SwitchboardError(
      ErrorCodes.CONFIG_INVALID,
      `auth.certificate expired on ${day(certificate.validTo)} (${certificate.subject ?? 'no subject'}).`,
      { hint: HINT_RENEW, details: { validTo: certificate.validTo.toISOString() } },
    );
  }
  return undefined;
}

/** YYYY-MM-DD, the form Setup shows expiry dates in. */
export function day(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function describe(
  pem: string,
  kind: IdentityCertificate['kind'],
  publicKey: KeyObject,
  x509: X509Certificate | undefined,
): IdentityCertificate {
  const details = publicKey.asymmetricKeyDetails;
  return {
    pem,
    kind,
    publicKey,
    keyType: publicKey.asymmetricKeyType ?? 'unknown',
    rsaBits: publicKey.asymmetricKeyType === 'rsa' ? details?.modulusLength : undefined,
    subject: x509?.subject.replace(/\n/g, ', '),
    validFrom: x509 === undefined ? undefined : new Date(x509.validFrom),
    validTo: x509 === undefined ? undefined : new Date(x509.validTo),
    fingerprint256: x509?.fingerprint256,
  };
}
