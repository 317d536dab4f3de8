// Keeps the PBX user ↔ Salesforce user mapping current: re-reads the PBX's users and matches
// them to Salesforce users now, every ten minutes, and whenever the org connection comes back
// (Tasks take their owner from this mapping). A failed refresh keeps the previous mapping and
// is retried soon (5 s, doubling up to the interval): a bridge that starts while Salesforce
// fails its User query would otherwise know no rep — no extension, no pops — for ten minutes.
import { errorLogFields } from '../errors';
import type { Logger } from '../logging/logger';
import type { PbxUser } from './user-directory';

export interface UserRefreshOptions {
  /** Where the PBX's own users come from (the PBX adapter). */
  pbx: { listUsers(): Promise<PbxUser[]> };
  /** The mapping to refresh (EmailUserDirectory); false when Salesforce's users were not read. */
  users: { refresh(pbxUsers: PbxUser[]): Promise<boolean> };
  /** Told after each refresh, e.g. so open sessions pick up changed extensions. */
  onRefreshed: () => void;
  logger: Logger;
  /** Default 10 minutes. */
  intervalMs?: number;
  /** The first retry after a failed refresh; each further one waits twice as long. Default 5 s. */
  retryMs?: number;
}

export class UserRefresh {
  private timer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  private stopped = false;

  constructor(private readonly options: UserRefreshOptions) {}

  /** Refreshes once now, then on the interval until stop(). */
  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.options.intervalMs ?? 10 * 60_000);
    this.timer.unref();
  }

  /** One refresh; true when it read Salesforce's users. Never throws. */
  async refresh(): Promise<boolean> {
    let complete = false;
    try {
      complete = await this.options.users.refresh(await this.options.pbx.listUsers());
      this.options.onRefreshed();
    } catch (error) {
      this.options.logger.warn(
        errorLogFields(error),
        'user mapping refresh failed; keeping the previous mapping',
      );
    }
    if (complete) this.failures = 0;
    else this.retrySoon();
    return complete;
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.retryTimer);
  }

  private retrySoon(): void {
    if (this.stopped || this.retryTimer !== undefined) return;
    const intervalMs = this.options.intervalMs ?? 10 * 60_000;
    const delayMs = Math.min(intervalMs, (this.options.retryMs ?? 5_000) * 2 ** this.failures);
    this.failures += 1;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.refresh();
    }, delayMs);
    this.retryTimer.unref();
  }
}
