// Starts the PBX adapter feeding the call core. A PBX that is down or refuses the login must
// not stop the bridge: adapters keep retrying in the background, and /healthz reports the PBX
// as not connected meanwhile. One event that cannot be handled is logged, never fatal.
import type { CallEvent } from '../calls/call';
import { errorLogFields } from '../errors';
import type { Logger } from '../logging/logger';
import type { PbxAdapter } from './adapter';

export async function startPbx(
  adapter: PbxAdapter,
  handleEvent: (event: CallEvent) => void,
  logger: Logger,
): Promise<void> {
  try {
    await adapter.start((event) => {
      try {
        handleEvent(event);
      } catch (error) {
        logger.error(errorLogFields(error), 'call event could not be handled');
      }
    });
  } catch (error) {
    logger.error(errorLogFields(error), 'PBX not connected yet; retrying in the background');
  }
}
