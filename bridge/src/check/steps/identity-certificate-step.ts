// Step "Identity certificate" (docs/install.md step 2): auth.certificate can be read, holds an
// RSA key of at least 2048 bits (identity tokens are RS256), has not expired, and does not
// expire within a month — the same facts the bridge refuses to start without.
import { readPemSetting } from '../../config/pem-setting';
import { isSwitchboardError } from '../../errors';
import {
  certificateProblem,
  day,
  parseIdentityCertificate,
  type IdentityCertificate,
} from '../../hub/identity-certificate';
import type { CheckContext } from '../check-context';
import type { CheckProblem } from '../check-report';
import type { CheckStep, StepFindings } from '../run-checks';

const RENEW_WARNING_DAYS = 30;

export const identityCertificateStep: CheckStep = {
  id: 'identity-certificate',
  title: 'Identity certificate',
  guide: 'docs/install.md step 2',
  keys: ['auth'],
  needs: [],
  runsWithInvalidConfig: true,
  run: (ctx: CheckContext): Promise<StepFindings> => {
    const written = ctx.written('auth.certificate');
    if (typeof written !== 'string' || written.trim() === '')
      return Promise.resolve({
        summary: 'none configured: the emulated org signs the tokens (salesforce.emulate)',
      });
    let certificate: IdentityCertificate;
    try {
      certificate = parseIdentityCertificate(readPemSetting(written.trim(), 'auth.certificate'));
    } catch (error) {
      return Promise.resolve({ summary: 'cannot be read', problems: [asProblem(error)] });
    }
    const problem = certificateProblem(certificate, ctx.now());
    if (problem !== undefined)
      return Promise.resolve({ summary: describe(certificate), problems: [asProblem(problem)] });
    return Promise.resolve({
      summary: describe(certificate),
      warnings: warningsFor(certificate, ctx.now()),
    });
  },
};

function warningsFor(certificate: IdentityCertificate, now: Date): CheckProblem[] {
  if (certificate.validTo === undefined)
    return [
      {
        message: 'auth.certificate is a bare public key: it has no expiry date to watch.',
        fix: 'Configure the certificate downloaded from Setup (.crt) instead, so check warns before it expires.',
      },
    ];
  const daysLeft = Math.floor((certificate.validTo.getTime() - now.getTime()) / 86_400_000);
  if (daysLeft > RENEW_WARNING_DAYS) return [];
  return [
    {
      message: `auth.certificate expires in ${daysLeft} day${daysLeft === 1 ? '' : 's'}, on ${day(certificate.validTo)}.`,
      fix:
        'Create its successor in Setup › Certificate and Key Management now; on the day you switch ' +
        'the Certificate Name setting to it, give the bridge the new .crt.',
    },
  ];
}

function describe(certificate: IdentityCertificate): string {
  const key =
    certificate.keyType === 'rsa'
      ? `RSA ${certificate.rsaBits ?? '?'}-bit`
      : `${certificate.keyType.toUpperCase()} key`;
  if (certificate.kind === 'public-key') return `${key} public key`;
  return `${key}, ${certificate.subject ?? 'no subject'}, valid until ${certificate.validTo === undefined ? '?' : day(certificate.validTo)}`;
}

function asProblem(error: unknown): CheckProblem {
  if (isSwitchboardError(error))
    return { message: error.message, fix: error.hint ?? 'See docs/install.md step 2.' };
  return {
    message: error instanceof Error ? error.message : String(error),
    fix: 'See docs/install.md step 2.',
  };
}
