// Several bridges: the bridge that stores and sends a call's log is not always the one the
// rep is connected to (every bridge sees the call end; the first to store it owns the log).
// Every log status this bridge reports is also sent to the other bridges, and theirs are
// applied here, so each of the rep's tabs sees "pending", "logged" or "parked" wherever it is.
import type { CallLogView } from '../calls/call';
import type { CallLogFeed } from '../calls/call-service';
import type { Logger } from '../logging/logger';

/** Messages to and from the other bridges (storage/postgres-broadcast.ts). */
export interface BridgeChannel {
  send(topic: string, body: unknown): Promise<void>;
  on(topic: string, handler: (body: unknown) => void): void;
}

const TOPIC = 'call-log-status';

interface StatusMessage {
  callId: string;
  log: CallLogView;
}

function isStatusMessage(body: unknown): body is StatusMessage {
  if (typeof body !== 'object' || body === null) return false;
  const { callId, log } = body as Partial<StatusMessage>;
  return typeof callId === 'string' && typeof log === 'object';
}

/** `feed`, whose log statuses also reach (and come from) the other bridges on `channel`. */
export function shareLogStatus(
  feed: CallLogFeed,
  channel: BridgeChannel | undefined,
  logger: Logger,
): CallLogFeed {
  if (channel === undefined) return feed;
  channel.on(TOPIC, (body) => {
    if (isStatusMessage(body)) feed.setLogStatus(body.callId, body.log);
  });
  return {
    onCallChanged: (listener) => feed.onCallChanged(listener),
    onCallFinished: (listener) => feed.onCallFinished(listener),
    ...(feed.resumes === undefined ? {} : { resumes: (callId) => feed.resumes?.(callId) === true }),
    setLogStatus: (callId, log) => {
      feed.setLogStatus(callId, log);
      channel.send(TOPIC, { callId, log } satisfies StatusMessage).catch((error: unknown) => {
        logger.warn(
          { err: error instanceof Error ? error.message : String(error), callId },
          'call-log status not sent to the other bridges',
        );
      });
    },
  };
}
