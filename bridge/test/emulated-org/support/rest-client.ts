// A plain-fetch client of the emulated org's data API (no jsforce), logged in with the client
// credentials flow: for tests that check the wire format itself.
import type { EmulatedOrg } from '../../../src/demo/emulated-org/emulated-org';
import { requestToken } from './client-credentials';

export const V = '/services/data/v62.0';

export interface Client {
  get(path: string): Promise<{ status: number; body: unknown }>;
  send(method: string, path: string, body: unknown): Promise<{ status: number; body: unknown }>;
  query(soql: string): Promise<{ status: number; body: unknown }>;
  search(sosl: string): Promise<{ status: number; body: unknown }>;
}

export async function login(org: EmulatedOrg): Promise<Client> {
  const res = await requestToken(org);
  const token = ((await res.json()) as { access_token: string }).access_token;
  const call = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(`${org.url}${V}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await r.text();
    return { status: r.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
  };
  return {
    get: (path) => call('GET', path),
    send: (method, path, body) => call(method, path, body),
    query: (soql) => call('GET', `/query?q=${encodeURIComponent(soql)}`),
    search: (sosl) => call('GET', `/search?q=${encodeURIComponent(sosl)}`),
  };
}
