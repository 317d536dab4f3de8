// The shipped permission set for the integration user
// (force-app/main/default/permissionsets/Switchboard_Integration.permissionset-meta.xml) as the
// emulated org's FieldPermissions seed rows: tests run the bridge with exactly the field access
// an installer grants, so a field the bridge needs and the permission set lacks fails a test.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';

export const PERMISSION_SET_FILE = path.join(
  __dirname,
  '../../../force-app/main/default/permissionsets/Switchboard_Integration.permissionset-meta.xml',
);

export interface FieldPermissionRow extends Record<string, unknown> {
  Field: string;
  PermissionsRead: boolean;
  PermissionsEdit: boolean;
}

/** The permission set's fieldPermissions, minus any field named in `without`. */
export function integrationFieldPermissions(without: readonly string[] = []): FieldPermissionRow[] {
  const parsed = new XMLParser({ isArray: (name) => name === 'fieldPermissions' }).parse(
    readFileSync(PERMISSION_SET_FILE, 'utf8'),
  ) as {
    PermissionSet: {
      fieldPermissions: { field: string; readable: boolean; editable: boolean }[];
    };
  };
  return parsed.PermissionSet.fieldPermissions
    .filter((p) => !without.includes(p.field))
    .map((p) => ({ Field: p.field, PermissionsRead: p.readable, PermissionsEdit: p.editable }));
}
