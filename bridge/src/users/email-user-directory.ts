// PBX user ↔ Salesforce user by email, and rep ↔ extension by Salesforce user id. Extensions
// come from the `users:` configuration (which wins) and from what the PBX reports; emails are
// compared as email-identity.ts says (case-insensitive, look-alikes refused). Each mapped email
// is bound to the active Salesforce user with that email, and a rep gets an extension only
// when their identity token's user id (`sub`) is that user: a look-alike email, a second user
// with the same email, or an email no active Salesforce user has gets nothing. A Salesforce
// outage never stops the bridge: the last known users stay, and the next refresh tries again;
// they are also kept in the database (user-snapshot-store.ts) for a restart during an outage.
import { ErrorCodes, isSwitchboardError } from '../errors';
import type { Logger } from '../logging/logger';
import type { SalesforceGateway } from '../salesforce/gateway';
import { soql } from '../salesforce/query-builder';
import { compareEmails, emailKey, emailSkeleton, isPlainEmail } from './email-identity';
import type { PbxUser, RepClaims, RepIdentity, UserDirectory } from './user-directory';
import type { KnownSalesforceUser, UserSnapshotStore } from './user-snapshot-store';

export interface EmailUserDirectoryOptions {
  /** The `users:` configuration: extension ↔ email where the PBX does not say. */
  mappings: ReadonlyArray<{ extension: string; email: string }>;
  gateway: SalesforceGateway;
  logger: Logger;
  /** The last good read of Salesforce's users, kept across restarts. */
  snapshots?: UserSnapshotStore;
}

/** `email` as Salesforce has it, for the comparison with the mapped email. */
type SalesforceUser = KnownSalesforceUser;

/** A mapped extension and its email. */
interface Mapping {
  extension: string;
  email: string;
}

/** Emails per `WHERE Email IN (…)`: keeps each SOQL statement far below the length limit. */
const EMAIL_CHUNK = 100;

/**
 * An email as the directory keeps and shows it: lower-cased when plain, as written (trimmed)
 * when not, so that a look-alike is neither folded into the address it imitates nor hidden.
 * Comparisons go through compareEmails.
 */
export function normalizeEmail(email: string): string {
  return isPlainEmail(email) ? emailKey(email) : email.trim();
}

const sameUser = (a: string, b: string) => a.slice(0, 15) === b.slice(0, 15);

export class EmailUserDirectory implements UserDirectory {
  private readonly mappings: ReadonlyArray<{ extension: string; email: string }>;
  private readonly gateway: SalesforceGateway;
  private readonly logger: Logger;
  private readonly snapshots: UserSnapshotStore | undefined;
  /** extension → email (normalizeEmail), config first, then PBX. */
  private emailByExtension = new Map<string, string>();
  private indexes:
    | {
        source: Map<string, string>;
        /** emailKey → mappings: the candidates compareEmails decides between. */
        byKey: Map<string, Mapping[]>;
        /** skeleton → mappings: look-alikes the key does not catch (Cyrillic а for a). */
        bySkeleton: Map<string, Mapping[]>;
      }
    | undefined;
  private namesByEmail = new Map<string, string>();
  /** emailKey → Salesforce users with an email of that key, as of the last good refresh. */
  private sfUsers = new Map<string, SalesforceUser[]>();
  /**
   * emailKey → the Salesforce user id the email was bound to. Kept while that user stays
   * active with that email: a second active user given the same email later does not take
   * the extension over.
   */
  private readonly bindings = new Map<string, string>();
  /** Warnings already logged, so a periodic refresh or a reconnecting rep does not repeat them. */
  private readonly warned = new Set<string>();

  constructor(options: EmailUserDirectoryOptions) {
    this.mappings = options.mappings;
    this.gateway = options.gateway;
    this.logger = options.logger;
    this.snapshots = options.snapshots;
    this.emailByExtension = this.merge([]);
    const snapshot = this.snapshots?.load();
    if (snapshot !== undefined) {
      for (const user of snapshot.users) {
        const key = emailKey(user.email);
        this.sfUsers.set(key, [...(this.sfUsers.get(key) ?? []), user]);
      }
      for (const [key, id] of snapshot.bindings) this.bindings.set(key, id);
    }
  }

  /**
   * Re-reads the mapping (config + PBX) and the Salesforce users behind it; false when the
   * Salesforce users could not be read (the last known ones stay). Never throws.
   */
  async refresh(pbxUsers: PbxUser[] = []): Promise<boolean> {
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
        'Could not read Salesforce users; keeping the last known ones and retrying soon',
      );
      return false;
    }
    this.warnAboutUnmatched();
    this.snapshots?.save({
      users: [...this.sfUsers.values()].flat(),
      bindings: [...this.bindings],
      savedAt: Date.now(),
    });
    return true;
  }

  extensionsForRep(rep: RepClaims): string[] {
    return this.sameAs(rep.email)
      .filter((mapping) => {
        const owner = this.salesforceUserIdForEmail(mapping.email);
        return owner !== undefined && sameUser(owner, rep.userId);
      })
      .map((mapping) => mapping.extension)
      .sort();
  }

  warningsForRep(rep: RepClaims): string[] {
    if (this.extensionsForRep(rep).length > 0) return [];
    const shown = normalizeEmail(rep.email);
    const mapped = this.sameAs(rep.email);
    if (mapped.length === 0) {
      const lookalike = this.lookalikesOf(rep.email)[0];
      if (lookalike !== undefined) {
        this.warnOnce(
          `lookalike-rep:${rep.userId}:${lookalike.extension}`,
          `Salesforce user ${rep.userId} signed in with ${JSON.stringify(rep.email)}, a ` +
            `look-alike of ${JSON.stringify(lookalike.email)} (extension ${lookalike.extension}); ` +
            'no extension given',
          ErrorCodes.AUTH_EMAIL_LOOKALIKE,
        );
        return [
          `Your email ${shown} looks like ${lookalike.email}, which has a phone extension, but it ` +
            'is not the same address, so no extension was given. Ask your admin to check the ' +
            'email on your Salesforce user and in the bridge configuration.',
        ];
      }
      return [
        `No phone extension is mapped to ${shown}. Ask your admin to add you under users: in the ` +
          'bridge configuration, or to use the same email on the PBX.',
      ];
    }
    const owner = this.salesforceUserIdForEmail(rep.email);
    if (owner === undefined)
      return [
        `The bridge knows no active Salesforce user with the email ${shown} yet, so the phone ` +
          'extension mapped to it is not given to anyone. It reads users every ten minutes: ' +
          'reconnect later, or ask your admin to check that your user is active.',
      ];
    return [
      `Another Salesforce user has the email ${shown}, and the phone extension is mapped to ` +
        'that user: give each user their own email, or ask your admin to map your extension.',
    ];
  }

  extensionsForEmail(email: string): string[] {
    return this.sameAs(email)
      .map((mapping) => mapping.extension)
      .sort();
  }

  emailForExtension(extension: string): string | undefined {
    return this.emailByExtension.get(extension.trim());
  }

  salesforceUserIdForEmail(email: string): string | undefined {
    const key = emailKey(email);
    const candidates = (this.sfUsers.get(key) ?? []).filter(
      (user) => user.active && compareEmails(user.email, email) === 'same',
    );
    const bound = this.bindings.get(key);
    // The first binding goes to the lowest id (the oldest user), whatever order the org
    // answered in, so a restart binds the same user again.
    const user =
      candidates.find((u) => u.id === bound) ??
      [...candidates].sort((a, b) => (a.id < b.id ? -1 : 1))[0];
    if (user === undefined) return undefined;
    if (bound !== user.id) this.bindings.set(key, user.id);
    return user.id;
  }

  /** The Salesforce user of the rep at an extension (e.g. a call's Task owner), if known. */
  salesforceUserIdForExtension(extension: string): string | undefined {
    const email = this.emailForExtension(extension);
    return email === undefined ? undefined : this.salesforceUserIdForEmail(email);
  }

  /** Every known rep, for status pages and diagnostics. */
  identities(): RepIdentity[] {
    const byEmail = new Map<string, string[]>();
    for (const [extension, email] of this.emailByExtension)
      byEmail.set(email, [...(byEmail.get(email) ?? []), extension]);
    return [...byEmail].map(([email, extensions]) => {
      const identity: RepIdentity = { email, extensions: extensions.sort() };
      const id = this.salesforceUserIdForEmail(email);
      const user = (this.sfUsers.get(emailKey(email)) ?? []).find((u) => u.id === id);
      if (id !== undefined) identity.salesforceUserId = id;
      const name = user?.name ?? this.namesByEmail.get(email);
      if (name !== undefined) identity.name = name;
      return identity;
    });
  }

  /** Mappings whose email is the same address as this one. */
  private sameAs(email: string): Mapping[] {
    return (this.index().byKey.get(emailKey(email)) ?? []).filter(
      (mapping) => compareEmails(mapping.email, email) === 'same',
    );
  }

  /** Mappings whose email looks like this one without being the same address. */
  private lookalikesOf(email: string): Mapping[] {
    const { byKey, bySkeleton } = this.index();
    return [
      ...(byKey.get(emailKey(email)) ?? []),
      ...(bySkeleton.get(emailSkeleton(email)) ?? []),
    ].filter((mapping) => compareEmails(mapping.email, email) === 'look-alike');
  }

  /** The email indexes, rebuilt when the mapping changes (read on every hello). */
  private index(): NonNullable<EmailUserDirectory['indexes']> {
    if (this.indexes?.source !== this.emailByExtension) {
      const byKey = new Map<string, Mapping[]>();
      const bySkeleton = new Map<string, Mapping[]>();
      for (const [extension, email] of this.emailByExtension) {
        const mapping = { extension, email };
        const key = emailKey(email);
        byKey.set(key, [...(byKey.get(key) ?? []), mapping]);
        const skeleton = emailSkeleton(email);
        bySkeleton.set(skeleton, [...(bySkeleton.get(skeleton) ?? []), mapping]);
      }
      this.indexes = { source: this.emailByExtension, byKey, bySkeleton };
    }
    return this.indexes;
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
   * Every mapped email as written and as its key. Salesforce compares emails without regard to
   * case; asking for both spellings costs nothing and does not depend on that.
   */
  private spellings(pbxUsers: readonly PbxUser[]): string[] {
    const mapped = new Set(this.emailByExtension.values());
    const written = [...this.mappings, ...pbxUsers]
      .map((user) => user.email.trim())
      .filter((email) => mapped.has(normalizeEmail(email)));
    return [...new Set([...mapped, ...[...mapped].map(emailKey), ...written])];
  }

  private async fetchSalesforceUsers(emails: string[]): Promise<Map<string, SalesforceUser[]>> {
    const users = new Map<string, SalesforceUser[]>();
    for (let i = 0; i < emails.length; i += EMAIL_CHUNK) {
      const chunk = emails.slice(i, i + EMAIL_CHUNK);
      const records = await this.gateway.query(
        soql`SELECT Id, Name, Email, IsActive FROM User WHERE Email IN ${chunk}`,
      );
      for (const record of records) {
        if (typeof record.Email !== 'string') continue;
        const key = emailKey(record.Email);
        const list = users.get(key) ?? [];
        if (list.some((u) => u.id === record.Id)) continue; // asked for in two spellings
        const user: SalesforceUser = {
          id: record.Id,
          email: record.Email,
          active: record.IsActive === true,
        };
        if (typeof record.Name === 'string') user.name = record.Name;
        users.set(key, [...list, user]);
      }
    }
    return users;
  }

  private warnAboutUnmatched(): void {
    for (const [extension, email] of this.emailByExtension) {
      const key = emailKey(email);
      const users = this.sfUsers.get(key) ?? [];
      for (const user of users)
        if (user.active && compareEmails(user.email, email) === 'look-alike')
          this.warnOnce(
            `lookalike-sf:${user.id}:${extension}`,
            `Salesforce user ${user.id} has the email ${JSON.stringify(user.email)}, a look-alike ` +
              `of ${JSON.stringify(email)} (extension ${extension}); it is not given the extension`,
            ErrorCodes.AUTH_EMAIL_LOOKALIKE,
          );
      const owner = this.salesforceUserIdForEmail(email);
      const rivals = users.filter(
        (u) => u.active && u.id !== owner && compareEmails(u.email, email) === 'same',
      );
      if (owner !== undefined && rivals.length > 0)
        this.warnOnce(
          `dup:${key}`,
          `Several active Salesforce users have the email ${email}; extension ${extension} is ` +
            `bound to ${owner}, the others (${rivals.map((u) => u.id).join(', ')}) get none`,
        );
      if (owner !== undefined) {
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

  private warnOnce(key: string, message: string, code?: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    if (code === undefined) this.logger.warn(message);
    else this.logger.warn({ code }, message);
  }
}
