// Test helpers for presence over a rep's socket (RepClient): send presence.set and wait for its
// presence.result, and read the presence frames an extension got, in order.
import type { Presence } from '../../src/protocol/v1';
import type { RepClient, ServerFrame } from './test-bridge';

let nextRequest = 0;

/** Sends presence.set and resolves with its presence.result. */
export async function setPresence(
  client: RepClient,
  fields: Record<string, unknown>,
): Promise<ServerFrame> {
  const requestId = `presence-${++nextRequest}`;
  client.send({ type: 'presence.set', requestId, ...fields });
  return client.waitFor((f) => f.type === 'presence.result' && f.requestId === requestId);
}

/** The presence frames for one extension, in order. */
export function presences(client: RepClient, extension = '201'): Presence[] {
  return client.frames
    .filter((f) => f.type === 'presence' && f.extension === extension)
    .map((f) => f.presence as Presence);
}

/** Resolves with the first presence of `extension` (received or to come) that matches. */
export async function waitForPresence(
  client: RepClient,
  extension: string,
  match: (presence: Presence) => boolean = () => true,
): Promise<Presence> {
  const frame = await client.waitFor(
    (f) => f.type === 'presence' && f.extension === extension && match(f.presence as Presence),
  );
  return frame.presence as Presence;
}
