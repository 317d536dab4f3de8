// Keeps the PBX user ↔ Salesforce user mapping current: re-reads the PBX's users and matches
// them to Salesforce users now, every ten minutes, and whenever the org connection comes back
// (Tasks take their owner from this mapping). A failed refresh keeps the previous mapping.
import { errorLogFields } from '../errors';
import type { Logger } from '../logging/logger';
import type { PbxUser } from './user-directory';

export interface UserRefreshOptions {
  /** Where the PBX's own users come from (the PBX adapter). */
  pbx: { listUsers(): Promise<PbxUser[]> };
  /** The mapping to refresh (EmailUserDirectory). */
  users: { refresh(pbxUsers: PbxUser[]): Promise<void> };
  /** Told after each refresh, e.g. so open sessions pick up changed extensions. */
  onRefreshed: () => void;
  logger: Logger;
  /** Default 10 minutes. */
  intervalMs?: number;
}

export class UserRefresh {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: UserRefreshOptions) {}

  /** Refreshes once now, then on the interval until stop(). */
  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.options.intervalMs ?? 10 * 60_000);
    this.timer.unref();
  }

  /** One refresh. Never throws. */
  async refresh(): Promise<void> {
    try {
      await this.options.users.refresh(await this.options.pbx.listUsers());
      this.options.onRefreshed();
    } catch (error) {
      this.options.logger.warn(
        errorLogFields(error),
        'user mapping refresh failed; keeping the previous mapping',
      );
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
