// Step "Salesforce login" (docs/install.md step 3): the token request of the configured flow
// succeeds at salesforce.loginUrl, and the user the bridge then acts as (the client credentials
// Run-As user) is API Only, as Salesforce requires. Each refusal Salesforce can give is turned
// into the setting to change.
import type { Config } from '../../config/schema';
import { ErrorCodes, isSwitchboardError } from '../../errors';
import type { OrgIdentity, SalesforceGateway } from '../../salesforce/gateway';
import { soql } from '../../salesforce/query-builder';
import type { CheckContext } from '../check-context';
import type { CheckProblem } from '../check-report';
import type { CheckStep, StepFindings } from '../run-checks';
import { strayWhitespace } from '../stray-whitespace';

export const salesforceLoginStep: CheckStep = {
  id: 'salesforce-login',
  title: 'Salesforce login',
  guide: 'docs/install.md step 3',
  keys: ['salesforce'],
  needs: [],
  run: async (ctx: CheckContext): Promise<StepFindings> => {
    const config = ctx.config;
    if (config === undefined) throw new Error('no configuration');
    const secrets = strayWhitespace(
      ['salesforce.clientId', 'salesforce.clientSecret'].map((key) => ({
        key,
        written: ctx.written(key),
      })),
    );
    const where =
      config.salesforce.emulate === undefined ? config.salesforce.loginUrl : 'the emulated org';
    let gateway: SalesforceGateway;
    let org: OrgIdentity;
    try {
      gateway = await ctx.gateway();
      org = await gateway.connect();
    } catch (error) {
      return {
        summary: `${where ?? 'Salesforce'} refused the token request`,
        problems: [...secrets.problems, loginProblem(error, config.salesforce)],
        warnings: secrets.warnings,
      };
    }
    ctx.org = org;
    const runAs = await runAsUser(gateway, org.userId);
    const problems = [...secrets.problems];
    const warnings = [...secrets.warnings];
    const flow =
      config.salesforce.flow === 'client_credentials' ? 'client credentials' : 'JWT bearer';
    if (runAs.apiOnly === false && config.salesforce.flow === 'client_credentials')
      problems.push({
        message: `The Run-As user ${runAs.username ?? org.userId} is not API Only; Salesforce requires that of the client credentials flow's Run-As user.`,
        fix:
          'Give the integration user the "API Only User" permission (a permission set with it, or ' +
          'the Minimum Access - API Only Integrations profile): docs/install.md step 3.',
      });
    if (runAs.apiOnly === undefined)
      warnings.push({
        message: `Whether the Run-As user is API Only cannot be asked: ${runAs.why ?? 'no answer'}.`,
        fix: 'Look at the integration user in Setup › Users: its profile or a permission set must grant "API Only User".',
      });
    return {
      summary:
        `connected to org ${org.orgId} as ${runAs.username ?? org.userId}` +
        `${runAs.apiOnly === true ? ' (API Only)' : ''} by ${flow} at ${org.instanceUrl}`,
      problems,
      warnings,
    };
  },
};

/** Who the bridge acts as, and whether that user is API Only (the user's own permissions). */
async function runAsUser(
  gateway: SalesforceGateway,
  userId: string,
): Promise<{ username?: string; apiOnly?: boolean; why?: string }> {
  const out: { username?: string; apiOnly?: boolean; why?: string } = {};
  try {
    const [user] = await gateway.query(soql`SELECT Username FROM User WHERE Id = ${userId}`);
    if (typeof user?.Username === 'string') out.username = user.Username;
  } catch {
    // The id is enough to name the user.
  }
  try {
    // UserPermissionAccess answers the caller's own effective permissions; it needs nothing.
    const [access] = await gateway.query(
      soql`SELECT PermissionsApiUserOnly FROM UserPermissionAccess`,
    );
    if (typeof access?.PermissionsApiUserOnly === 'boolean')
      out.apiOnly = access.PermissionsApiUserOnly;
  } catch (error) {
    out.why = error instanceof Error ? error.message : String(error);
  }
  return out;
}

/** What a refused token request means, by the OAuth error Salesforce answered with. */
function loginProblem(error: unknown, salesforce: Readonly<Config['salesforce']>): CheckProblem {
  const loginUrl = salesforce.loginUrl;
  const fallback = {
    message: error instanceof Error ? error.message : String(error),
    fix:
      isSwitchboardError(error) && error.hint !== undefined
        ? error.hint
        : 'See docs/install.md step 3.',
  };
  if (!isSwitchboardError(error)) return fallback;
  if (error.code === ErrorCodes.SF_UNAVAILABLE)
    return {
      message: `Salesforce cannot be reached at ${loginUrl ?? 'the login URL'}: ${error.message}`,
      fix: error.hint ?? 'Check the network from the bridge host to Salesforce.',
    };
  const detail = error.details?.['error'];
  const oauthError = typeof detail === 'string' ? detail : '';
  const text = error.message;
  if (oauthError === 'invalid_client_id')
    return {
      message: 'Salesforce does not know salesforce.clientId (invalid_client_id).',
      fix:
        'Copy the Consumer Key again (External Client App › Settings › OAuth Settings › Consumer ' +
        'Key and Secret); a new app can take a few minutes to become active.',
    };
  if (oauthError === 'invalid_client')
    return {
      message: 'salesforce.clientSecret does not match the External Client App (invalid_client).',
      fix: 'Copy the Consumer Secret again into SWITCHBOARD__SALESFORCE__CLIENT_SECRET.',
    };
  if (salesforce.flow === 'jwt_bearer' && oauthError === 'invalid_grant') {
    if (/approved this consumer|user is not admin approved|inactive/i.test(text))
      return {
        message: `salesforce.username ${salesforce.username ?? ''} is not a user the app may act as: ${text}.`,
        fix:
          "Set salesforce.username to the integration user's Username (not its email), make sure " +
          "the user is active, and pre-authorize it in the app's Policies (Admin approved users, " +
          'with the Switchboard_Integration permission set): docs/install.md step 3.',
      };
    return {
      message: `${text}: the assertion signed with salesforce.privateKeyFile was not accepted.`,
      fix:
        'salesforce.privateKeyFile must be the private key of the certificate uploaded to the ' +
        "External Client App (Settings › OAuth Settings › Use digital signatures), and the bridge host's clock right.",
    };
  }
  if (/not supported on this domain/i.test(text))
    return {
      message: `salesforce.loginUrl ${loginUrl ?? ''} is not the org's My Domain: the client credentials flow is refused there ("request not supported on this domain").`,
      fix: 'Set salesforce.loginUrl to https://<your domain>.my.salesforce.com (Setup › My Domain).',
    };
  if (/no client credentials user enabled/i.test(text))
    return {
      message: 'The External Client App has no Run-As user for the client credentials flow.',
      fix:
        "In the app's Policies enable the Client Credentials Flow and set Run As to the " +
        'integration user (docs/install.md step 3).',
    };
  return fallback;
}
