// Harness stand-ins for the Apex methods the component calls, answered by the demo bridge:
//   getToken        → GET  /demo/token?email=<rep>        → {token}
//   getPreferences  → GET  /demo/preferences?email=<rep>  → the preferences object
//   savePreferences → POST /demo/preferences?email=<rep>  {openSingleMatch, …} → {ok: true}
// Failures reject like Apex does: {body: {message}, status}.
import { harnessEmail } from '../harness-state';

async function call(method, path, body) {
  const separator = path.includes('?') ? '&' : '?';
  const response = await fetch(`${path}${separator}email=${encodeURIComponent(harnessEmail())}`, {
    method,
    headers: body ? { 'Content-Type': 'application/json' } : undefined,
    body: body ? JSON.stringify(body) : undefined,
  });
  const payload = await response.json().catch(() => ({}));
  if (!response.ok) {
    const message =
      (payload && payload.error && payload.error.message) || `HTTP ${response.status}`;
    throw { body: { message }, status: response.status };
  }
  return payload;
}

export async function getToken() {
  return (await call('GET', '/demo/token')).token;
}

export async function getPreferences() {
  return call('GET', '/demo/preferences');
}

export async function savePreferences(preferences) {
  await call('POST', '/demo/preferences', preferences);
}
