// Field-level security for the emulated org's integration user, as Salesforce enforces it through
// the API: a field the user cannot read does not exist for them (INVALID_FIELD in SOQL, SOSL and
// retrieve, absent from describe, never matched by search), and a field they can read but not
// edit is refused on create and update (INVALID_FIELD_FOR_INSERT_UPDATE).
//
// The base is either "everything" (an admin-like user: the default, when the seed grants nothing)
// or exactly the fields the seed's FieldPermissions rows grant, like a permission set; overrides
// (options.fieldPermissions, org.setFieldAccess) apply on top of either. Fields FLS does not
// govern (Id, audit fields, owner, names, required fields) are always accessible; address
// components (MailingCountry) follow their compound field (Contact.MailingAddress).
import type { FieldDef, ObjectDef } from './schema';
import { isPermissionable } from './schema';

export type FieldAccessLevel = 'none' | 'read' | 'edit';

const ADDRESS_COMPONENT =
  /^(Billing|Shipping|Mailing|Other|PersonMailing|PersonOther)?(Street|City|State|PostalCode|Country|StateCode|CountryCode|Latitude|Longitude|GeocodeAccuracy)$/;

/** BillingCountry → BillingAddress, Lead City → Address; undefined for other fields. */
function compoundAddressOf(field: string): string | undefined {
  const m = ADDRESS_COMPONENT.exec(field);
  return m === null ? undefined : `${m[1] ?? ''}Address`;
}

export class FieldAccessPolicy {
  /** Lower-case `object.field` → access; undefined = every permissionable field is editable. */
  private grants: Map<string, FieldAccessLevel> | undefined;
  private readonly overrides = new Map<string, FieldAccessLevel>();

  /** From now on only granted fields are accessible (a permission set's field permissions). */
  grant(path: string, level: FieldAccessLevel): void {
    this.grants ??= new Map();
    this.grants.set(path.toLowerCase(), level);
  }

  /** Changes one field's access whatever the base says. */
  override(path: string, level: FieldAccessLevel): void {
    this.overrides.set(path.toLowerCase(), level);
  }

  level(def: ObjectDef, field: FieldDef): FieldAccessLevel {
    if (!isPermissionable(def, field)) return 'edit';
    // Address components follow their compound field (Contact.MailingAddress), as in Setup.
    const keys = [field.name, compoundAddressOf(field.name)]
      .filter((name): name is string => name !== undefined)
      .map((name) => `${def.name}.${name}`.toLowerCase());
    for (const key of keys) {
      const override = this.overrides.get(key);
      if (override !== undefined) return override;
    }
    if (this.grants === undefined) return 'edit';
    for (const key of keys) {
      const granted = this.grants.get(key);
      if (granted !== undefined) return granted;
    }
    return 'none';
  }

  canRead(def: ObjectDef, field: FieldDef): boolean {
    return this.level(def, field) !== 'none';
  }
}
