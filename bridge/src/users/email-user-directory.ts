// PBX user ↔ Salesforce user by email. Extensions come from the `users:` configuration (which
// wins) and from what the PBX reports; Salesforce users are matched by email, case-insensitive.
// A Salesforce outage never stops the bridge: the last known users stay, and the next refresh
// tries again.
import { ErrorCodes, isSwitchboardError } from '../errors';
import type { Logger } from '../logging/logger';
import type { SalesforceGateway } from '../salesforce/gateway';
import { soql } from '../salesforce/query-builder';
import type { PbxUser, RepIdentity, UserDirectory } from './user-directory';

export interface EmailUserDirectoryOptions {
  /** The `users:` configuration: extension ↔ email where the PBX does not say. */
  mappings: ReadonlyArray<{ extension: string; email: string }>;
  gateway: SalesforceGateway;
  logger: Logger;
}

interface SalesforceUser {
  id: string;
  name?: string;
  active: boolean;
}

/** Emails per `WHERE Email IN (…)`: keeps each SOQL statement far below the length limit. */
const EMAIL_CHUNK = 100;

/** The one form an email is compared in. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export class EmailUserDirectory implements UserDirectory {
  private readonly mappings: ReadonlyArray<{ extension: string; email: string }>;
  private readonly gateway: SalesforceGateway;
  private readonly logger: Logger;
  /** extension → lower-cased email, config first, then PBX. */
  private emailByExtension = new Map<string, string>();
  private reverseIndex: { source: Map<string, string>; index: Map<string, string[]> } | undefined;
  private namesByEmail = new Map<string, string>();
  /** lower-cased email → Salesforce user (active preferred), as of the last good refresh. */
  private sfUsers = new Map<string, SalesforceUser>();
  /** Warnings already logged, so a periodic refresh does not repeat them. */
  private readonly warned = new Set<string>();

  constructor(options: EmailUserDirectoryOptions) {
    this.mappings = options.mappings;
    this.gateway = options.gateway;
    this.logger = options.logger;
    this.emailByExtension = this.merge([]);
  }

  /** Re-reads the mapping (config + PBX) and the Salesforce users behind it. Never throws. */
  async refresh(pbxUsers: PbxUser[] = []): Promise<void> {
    this.emailByExtension = this.merge(pbxUsers);
    const names = new Map<string, string>();
    for (const user of pbxUsers)
      if (user.name !== undefined && user.name !== '')
        names.set(normalizeEmail(user.email), user.name);
    this.namesByEmail = names;

    try {
      this.sfUsers = await this.fetchSalesforceUsers(this.spellings(pbxUsers));
    } catch (error) {
      const problem = isSwitchboardError(error) ? error : undefined;
      this.logger.warn(
        { code: problem?.code ?? ErrorCodes.SF_UNAVAILABLE, err: error },
        'Could not read Salesforce users; keeping the last known ones and retrying on the next refresh',
      );
      return;
    }
    this.warnAboutUnmatched();
  }

  extensionsForEmail(email: string): string[] {
    return [...(this.extensionsByEmail().get(normalizeEmail(email)) ?? [])];
  }

  /** email → its extensions, sorted; rebuilt when the mapping changes (read on every hello). */
  private extensionsByEmail(): Map<string, string[]> {
    if (this.reverseIndex?.source !== this.emailByExtension) {
      const index = new Map<string, string[]>();
      for (const [extension, email] of this.emailByExtension)
        index.set(email, [...(index.get(email) ?? []), extension]);
      for (const list of index.values()) list.sort();
      this.reverseIndex = { source: this.emailByExtension, index };
    }
    return this.reverseIndex.index;
  }

  emailForExtension(extension: string): string | undefined {
    return this.emailByExtension.get(extension.trim());
  }

  salesforceUserIdForEmail(email: string): string | undefined {
    const user = this.sfUsers.get(normalizeEmail(email));
    return user?.active === true ? user.id : undefined;
  }

  /** The Salesforce user of the rep at an extension (e.g. a call's Task owner), if known. */
  salesforceUserIdForExtension(extension: string): string | undefined {
    const email = this.emailForExtension(extension);
    return email === undefined ? undefined : this.salesforceUserIdForEmail(email);
  }

  warningsFor(email: string): string[] {
    const key = normalizeEmail(email);
    if (this.extensionsForEmail(key).length === 0)
      return [
        `No phone extension is mapped to ${key}. Ask your admin to add you under users: in the ` +
          'bridge configuration, or to use the same email on the PBX.',
      ];
    return [];
  }

  /** Every known rep, for status pages and diagnostics. */
  identities(): RepIdentity[] {
    const byEmail = new Map<string, string[]>();
    for (const [extension, email] of this.emailByExtension)
      byEmail.set(email, [...(byEmail.get(email) ?? []), extension]);
    return [...byEmail].map(([email, extensions]) => {
      const identity: RepIdentity = { email, extensions: extensions.sort() };
      const user = this.sfUsers.get(email);
      if (user?.active === true) identity.salesforceUserId = user.id;
      const name = user?.name ?? this.namesByEmail.get(email);
      if (name !== undefined) identity.name = name;
      return identity;
    });
  }

  private merge(pbxUsers: readonly PbxUser[]): Map<string, string> {
    const map = new Map<string, string>();
    for (const user of pbxUsers) {
      const extension = user.extension.trim();
      const email = normalizeEmail(user.email);
      if (extension !== '' && email !== '') map.set(extension, email);
    }
    // The configuration is the admin's explicit word: it overrides what the PBX says.
    for (const mapping of this.mappings)
      map.set(mapping.extension.trim(), normalizeEmail(mapping.email));
    return map;
  }

  /**
   * Every mapped email as written and lower-cased. Salesforce compares emails without regard to
   * case; asking for both spellings costs nothing and does not depend on that.
   */
  private spellings(pbxUsers: readonly PbxUser[]): string[] {
    const mapped = new Set(this.emailByExtension.values());
    const written = [...this.mappings, ...pbxUsers]
      .map((user) => user.email.trim())
      .filter((email) => mapped.has(email.toLowerCase()));
    return [...new Set([...mapped, ...written])];
  }

  private async fetchSalesforceUsers(emails: string[]): Promise<Map<string, SalesforceUser>> {
    const users = new Map<string, SalesforceUser>();
    for (let i = 0; i < emails.length; i += EMAIL_CHUNK) {
      const chunk = emails.slice(i, i + EMAIL_CHUNK);
      const records = await this.gateway.query(
        soql`SELECT Id, Name, Email, IsActive FROM User WHERE Email IN ${chunk}`,
      );
      for (const record of records) {
        if (typeof record.Email !== 'string') continue;
        const email = normalizeEmail(record.Email);
        const user: SalesforceUser = { id: record.Id, active: record.IsActive === true };
        if (typeof record.Name === 'string') user.name = record.Name;
        const seen = users.get(email);
        // Several users may share an email (usernames are unique, emails are not): an active
        // one wins, and the first active one stays.
        if (seen === undefined || (!seen.active && user.active)) users.set(email, user);
        else if (seen.active && user.active)
          this.warnOnce(
            `dup:${email}`,
            `Several active Salesforce users have the email ${email}; using ${seen.id}`,
          );
      }
    }
    return users;
  }

  private warnAboutUnmatched(): void {
    for (const [extension, email] of this.emailByExtension) {
      const user = this.sfUsers.get(email);
      if (user?.active === true) {
        this.warned.delete(`none:${extension}:${email}`);
        continue;
      }
      this.warnOnce(
        `none:${extension}:${email}`,
        `extension ${extension} (${email}): no active Salesforce user has this email — ` +
          'no window will open for this user',
      );
    }
  }

  private warnOnce(key: string, message: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.logger.warn(message);
  }
}
