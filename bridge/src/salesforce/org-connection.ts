// The bridge's link to its Salesforce org: the first connection at start, then retries in the
// background until the org answers — an org that is down or refuses the login must not keep
// the bridge (and the reps' phones) down — and which org the bridge is connected to.
import { errorLogFields } from '../errors';
import type { Logger } from '../logging/logger';
import type { OrgIdentity, SalesforceGateway } from './gateway';

export interface OrgConnectionOptions {
  gateway: SalesforceGateway;
  logger: Logger;
  /** Wait between attempts while the org does not answer. Default 30 s. */
  retryMs?: number;
}

export class OrgConnection {
  private connected: OrgIdentity | undefined;
  private retry: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly listeners: Array<() => void> = [];

  constructor(private readonly options: OrgConnectionOptions) {}

  /** The org and user the bridge is connected as; undefined until the first success. */
  get identity(): OrgIdentity | undefined {
    return this.connected;
  }

  /** Called after every successful connection (e.g. to re-read the users). */
  onConnected(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** One attempt; on failure the next is scheduled. Never throws. */
  async connect(): Promise<void> {
    const { gateway, logger } = this.options;
    try {
      const identity = await gateway.connect();
      this.connected = identity;
      logger.info(
        { orgId: identity.orgId, instanceUrl: identity.instanceUrl },
        'connected to Salesforce',
      );
      for (const listener of this.listeners) listener();
    } catch (error) {
      logger.error(
        errorLogFields(error),
        'cannot connect to Salesforce; retrying in the background',
      );
      if (this.stopped) return;
      this.retry = setTimeout(() => void this.connect(), this.options.retryMs ?? 30_000);
      this.retry.unref();
    }
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retry);
  }
}
