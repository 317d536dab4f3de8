// Who may do what in the emulated org, as in Salesforce: a user's profile and the permission sets
// assigned to them grant user permissions (API Enabled, API Only, View Setup and Configuration,
// Customize Application). The setup objects that describe them — Profile, PermissionSet,
// PermissionSetAssignment — are readable only with View Setup and Configuration (the rule for
// PermissionSetAssignment since Summer '20); UserPermissionAccess answers the caller's own
// effective permissions and needs nothing. `check` relies on exactly this to tell whether the
// Run-As user is API Only, and says so when it cannot tell.
import type { ObjectDef, OrgSchema, UserPermission } from './schema';
import { USER_PERMISSIONS } from './schema';
import type { RecordStore, StoredRecord } from './store';

export type UserPermissions = Record<UserPermission, boolean>;

/** Profiles every org has (their names are localized in real orgs: never look them up by name). */
export const STANDARD_PROFILES: Record<string, Partial<UserPermissions>> = {
  'System Administrator': { ApiEnabled: true, ViewSetup: true, CustomizeApplication: true },
  'Standard User': { ApiEnabled: true },
  'Minimum Access - API Only Integrations': { ApiEnabled: true, ApiUserOnly: true },
};
const INTEGRATION_PROFILE = 'Minimum Access - API Only Integrations';
const USER_PROFILE = 'Standard User';

/** Objects only users with View Setup and Configuration may query. */
const SETUP_VISIBILITY = new Set(['profile', 'permissionset', 'permissionsetassignment']);

export function needsViewSetup(objectName: string): boolean {
  return SETUP_VISIBILITY.has(objectName.toLowerCase());
}

/**
 * Adds the standard profiles the seed lacks and gives every user without one a profile: the
 * integration user the API-only integration profile (or, with `integrationPermissions`, a profile
 * of exactly those permissions), everyone else Standard User.
 */
export function setUpProfiles(
  store: RecordStore,
  schema: OrgSchema,
  integrationUserId: string,
  integrationPermissions: Partial<UserPermissions> | undefined,
  now: number,
): void {
  const profileDef = objectDef(schema, 'Profile');
  const userDef = objectDef(schema, 'User');
  const byName = new Map(store.list(profileDef).map((p) => [String(p.fields.Name), p]));
  const insert = (name: string, permissions: Partial<UserPermissions>): StoredRecord => {
    const fields: Record<string, unknown> = { Name: name };
    for (const permission of USER_PERMISSIONS)
      fields[`Permissions${permission}`] = permissions[permission] === true;
    const record = store.insert(profileDef, fields, {
      actorId: integrationUserId,
      searchableAt: now,
      trusted: true,
    });
    byName.set(name, record);
    return record;
  };
  for (const [name, permissions] of Object.entries(STANDARD_PROFILES))
    if (!byName.has(name)) insert(name, permissions);
  const integrationProfile =
    integrationPermissions === undefined
      ? byName.get(INTEGRATION_PROFILE)
      : insert('Switchboard Integration (emulated)', integrationPermissions);
  for (const user of store.list(userDef)) {
    if (typeof user.fields.ProfileId === 'string' && user.fields.ProfileId !== '') continue;
    const profile =
      String(user.fields.Id) === integrationUserId ? integrationProfile : byName.get(USER_PROFILE);
    user.fields.ProfileId = profile?.fields.Id ?? null;
  }
}

/** What the user may do: their profile's permissions plus every assigned permission set's. */
export function effectivePermissions(
  store: RecordStore,
  schema: OrgSchema,
  userId: string,
): UserPermissions {
  const granted = Object.fromEntries(USER_PERMISSIONS.map((p) => [p, false])) as UserPermissions;
  const grant = (record: StoredRecord | undefined) => {
    if (record === undefined) return;
    for (const permission of USER_PERMISSIONS)
      if (record.fields[`Permissions${permission}`] === true) granted[permission] = true;
  };
  const user = store.get(userId);
  if (typeof user?.fields.ProfileId === 'string') grant(store.get(user.fields.ProfileId));
  for (const assignment of store.list(objectDef(schema, 'PermissionSetAssignment')))
    if (sameUser(assignment.fields.AssigneeId, userId) && assignment.fields.IsDeleted !== true)
      grant(
        typeof assignment.fields.PermissionSetId === 'string'
          ? store.get(assignment.fields.PermissionSetId)
          : undefined,
      );
  return granted;
}

/** The one UserPermissionAccess row a user sees: their own permissions (no Id of its own). */
export function userPermissionAccessRow(
  schema: OrgSchema,
  permissions: UserPermissions,
): StoredRecord {
  const fields: Record<string, unknown> = { Id: null, IsDeleted: false };
  for (const permission of USER_PERMISSIONS)
    fields[`Permissions${permission}`] = permissions[permission];
  return { def: objectDef(schema, 'UserPermissionAccess'), fields, indexed: null };
}

function sameUser(value: unknown, userId: string): boolean {
  return typeof value === 'string' && value.slice(0, 15) === userId.slice(0, 15);
}

function objectDef(schema: OrgSchema, name: string): ObjectDef {
  const def = schema.object(name);
  if (def === undefined) throw new Error(`the emulated org's schema lacks ${name}`);
  return def;
}
