// The bridge's real Salesforce gateway (jsforce, client credentials) signed in to an emulated
// org, for tests that drive the bridge's Salesforce code over real HTTP.
import type { EmulatedOrg } from '../../src/demo/emulated-org/emulated-org';
import { silentLogger } from '../../src/logging/logger';
import {
  JsforceSalesforceGateway,
  type JsforceGatewayOptions,
} from '../../src/salesforce/jsforce-gateway';

export function gatewayForOrg(
  org: EmulatedOrg,
  overrides: Partial<JsforceGatewayOptions> = {},
): JsforceSalesforceGateway {
  return new JsforceSalesforceGateway({
    loginUrl: org.url,
    flow: 'client_credentials',
    clientId: org.credentials.clientId,
    clientSecret: org.credentials.clientSecret,
    apiVersion: '62.0',
    logger: silentLogger(),
    ...overrides,
  });
}
