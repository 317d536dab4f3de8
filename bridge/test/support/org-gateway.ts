// The bridge's real Salesforce gateway (jsforce, client credentials) pointed at an emulated org,
// for tests that drive the bridge's Salesforce code over real HTTP; and the config file's
// `salesforce` section for that org, for tests that start the bridge or one of its commands.
import type { EmulatedOrg } from '../../src/demo/emulated-org/emulated-org';
import { silentLogger } from '../../src/logging/logger';
import {
  JsforceSalesforceGateway,
  type JsforceGatewayOptions,
} from '../../src/salesforce/jsforce-gateway';

/** Where an emulated org answers and its connected app's credentials: all a child process
 * needs to reach the org its parent started. */
export type OrgAddress = Pick<EmulatedOrg, 'url' | 'credentials'>;

/** The `salesforce` section of a config file for the org (client credentials flow). */
export function salesforceConfigFor(org: OrgAddress): {
  loginUrl: string;
  clientId: string;
  clientSecret: string;
} {
  return {
    loginUrl: org.url,
    clientId: org.credentials.clientId,
    clientSecret: org.credentials.clientSecret,
  };
}

/** A gateway for the org; `overrides` set what a test varies (retries, logger, poll interval). */
export function gatewayForOrg(
  org: OrgAddress,
  overrides: Partial<JsforceGatewayOptions> = {},
): JsforceSalesforceGateway {
  return new JsforceSalesforceGateway({
    ...salesforceConfigFor(org),
    flow: 'client_credentials',
    apiVersion: '62.0',
    logger: silentLogger(),
    ...overrides,
  });
}
