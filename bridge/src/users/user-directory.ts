// PBX user ↔ Salesforce user, by email (compared as email-identity.ts says: case-insensitive,
// look-alikes refused), and rep ↔ extension, by the Salesforce user id the email is bound to.
// Interfaces only; see email-user-directory.ts for the implementation.

/** A PBX user as the PBX itself knows it (e.g. voicemail users with their email). */
export interface PbxUser {
  extension: string;
  email: string;
  name?: string;
}

/** A rep as their identity token names them: the Salesforce user id (`sub`) and email. */
export interface RepClaims {
  userId: string;
  email: string;
}

export interface RepIdentity {
  /** The mapped email: lower-cased when plain, as written when not (a look-alike stays visible). */
  email: string;
  extensions: string[];
  /** The Salesforce user with this email, when one exists. */
  salesforceUserId?: string;
  name?: string;
}

export interface UserDirectory {
  /**
   * The extensions of the rep behind an identity token: those mapped to the same email as the
   * token's (not a look-alike) and bound to the token's Salesforce user id. An email no active
   * Salesforce user has, or that another user was bound to, gets none.
   */
  extensionsForRep(rep: RepClaims): string[];
  /** Why a rep gets no extension, for ready.warnings; [] when they have one. */
  warningsForRep(rep: RepClaims): string[];
  /** Extensions mapped to this email (the same address, not a look-alike): PBX events by email. */
  extensionsForEmail(email: string): string[];
  /** The email of the rep at this extension, if known. */
  emailForExtension(extension: string): string | undefined;
  /** The active Salesforce user this email is bound to, if any. */
  salesforceUserIdForEmail(email: string): string | undefined;
}
