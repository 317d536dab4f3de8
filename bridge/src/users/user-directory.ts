// PBX user ↔ Salesforce user, by email, case-insensitive. Interfaces only; see
// email-user-directory.ts for the implementation.

/** A PBX user as the PBX itself knows it (e.g. voicemail users with their email). */
export interface PbxUser {
  extension: string;
  email: string;
  name?: string;
}

export interface RepIdentity {
  /** Lower-cased email: the join key between the PBX and Salesforce. */
  email: string;
  extensions: string[];
  /** The Salesforce user with this email, when one exists. */
  salesforceUserId?: string;
  name?: string;
}

export interface UserDirectory {
  /** Extensions that belong to this email (case-insensitive). */
  extensionsForEmail(email: string): string[];
  /** The email of the rep at this extension, if known. */
  emailForExtension(extension: string): string | undefined;
  /** The Salesforce user id behind an email, if any. */
  salesforceUserIdForEmail(email: string): string | undefined;
  /** Human-readable warnings for a rep who connects with this email (ready.warnings). */
  warningsFor(email: string): string[];
}
