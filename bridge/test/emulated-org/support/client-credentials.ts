// The OAuth client credentials request a client sends the emulated org's token endpoint, for
// tests that speak the wire format with plain fetch.
import type { EmulatedOrg } from '../../../src/demo/emulated-org/emulated-org';

export function requestToken(org: EmulatedOrg): Promise<Response> {
  return fetch(`${org.url}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: org.credentials.clientId,
      client_secret: org.credentials.clientSecret,
    }),
  });
}
