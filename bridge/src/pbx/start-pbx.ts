// Starts the PBX adapter feeding the call core. A PBX that is down or refuses the login must
// not stop the bridge: adapters keep retrying in the background, and /healthz reports the PBX
// as not connected meanwhile; reps are told (`pbx` frames). One event that cannot be handled is
// logged, never fatal. Before starting, the calls of the last run are handed to the adapter,
// which asks the PBX which are still up; while the link is up the bridge records every few
// seconds that it sees the PBX, so after a crash it knows since when it was blind.
import type { CallEvent } from '../calls/call';
import { errorLogFields } from '../errors';
import type { Logger } from '../logging/logger';
import type { PbxAdapter, ResumeState } from './adapter';

/** What the PBX feeds and what it needs back from the call core (CallService). */
export interface PbxCallFeed {
  handleEvent(event: CallEvent): void;
  /** The calls of the last run, for the adapter to check; undefined when there were none. */
  restore(): ResumeState | undefined;
  /** Records that the bridge sees the PBX now. */
  markPbxSeen(): void;
}

export interface StartPbxOptions {
  adapter: PbxAdapter;
  calls: PbxCallFeed;
  /** The link to the PBX went up or down (and once after start, with its state then). */
  onConnectionChange: (connected: boolean) => void;
  logger: Logger;
  /** How often the bridge records that it sees the PBX (default 5 s). */
  seenEveryMs?: number;
}

export interface PbxLink {
  /** Records a last sighting and stops recording; call before the adapter stops. */
  stop(): void;
}

export async function startPbx(options: StartPbxOptions): Promise<PbxLink> {
  const { adapter, calls, logger } = options;
  const seen = () => {
    if (adapter.isConnected()) calls.markPbxSeen();
  };
  adapter.onConnectionChange?.((connected) => {
    seen();
    options.onConnectionChange(connected);
  });
  const resumed = calls.restore();
  if (resumed !== undefined) adapter.resume?.(resumed);
  try {
    await adapter.start((event) => {
      try {
        calls.handleEvent(event);
      } catch (error) {
        logger.error(errorLogFields(error), 'call event could not be handled');
      }
    });
  } catch (error) {
    logger.error(errorLogFields(error), 'PBX not connected yet; retrying in the background');
  }
  // A rep who connected while the adapter was starting was told the link was down.
  options.onConnectionChange(adapter.isConnected());
  const timer = setInterval(seen, options.seenEveryMs ?? 5000);
  timer.unref();
  return {
    stop: () => {
      clearInterval(timer);
      seen();
    },
  };
}
