// What the integration user may read and write, from Salesforce's own describe: a field it
// cannot read does not exist for it (a query naming it fails with INVALID_FIELD), and object
// permissions grant no field on their own. Lookups, the directory sync and call logging ask here
// which of the fields they want they may use, and keep working on those; each missing
// permission is logged once, naming the object, the field and the permission set to grant.
// Describes are cached (one request per object per hour) and re-read after refresh(), which
// callers use when Salesforce says a field they were told about does not exist after all.
import { ErrorCodes } from '../errors';
import type { Logger } from '../logging/logger';
import type { FieldDescribe, ObjectDescribe, SalesforceGateway } from './gateway';

/** The permission set shipped for the integration user (force-app/.../permissionsets). */
export const INTEGRATION_PERMISSION_SET = 'Switchboard_Integration';

export interface OrgFieldsOptions {
  gateway: Pick<SalesforceGateway, 'describe'>;
  logger: Logger;
  /** How long a describe is trusted (default one hour). */
  ttlMs?: number;
  now?: () => number;
}

export interface WritableFields {
  fields: Record<string, unknown>;
  /** Fields left out, each with the reason (already logged once). */
  skipped: { field: string; reason: string }[];
}

interface CachedDescribe {
  fields: Map<string, FieldDescribe>;
  /** Lower-case relationship name → the reference field. */
  relationships: Map<string, FieldDescribe>;
  at: number;
}

export class OrgFields {
  private readonly cache = new Map<string, Promise<CachedDescribe>>();
  private readonly warned = new Set<string>();
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(private readonly options: OrgFieldsOptions) {
    this.ttlMs = options.ttlMs ?? 3_600_000;
    this.now = options.now ?? Date.now;
  }

  /** Whether describe is available at all (test doubles without it allow everything). */
  get canDescribe(): boolean {
    return this.options.gateway.describe !== undefined;
  }

  /** Forget every describe: the next use reads the org again (a permission may have changed). */
  refresh(): void {
    this.cache.clear();
  }

  /**
   * The paths (`Phone`, `Account.Name`) the integration user can read, in the given order; every
   * other one is logged once with the permission to grant. `purpose` says what is missing out.
   */
  async readable(object: string, paths: readonly string[], purpose: string): Promise<string[]> {
    if (!this.canDescribe) return [...paths];
    const out: string[] = [];
    for (const path of paths) {
      const missing = await this.firstUnreadable(object, path);
      if (missing === undefined) out.push(path);
      else this.warnOnce(missing.object, missing.field, 'Read', purpose);
    }
    return out;
  }

  /** Whether the object has this field for the integration user; undefined without describe. */
  async hasField(object: string, field: string): Promise<boolean | undefined> {
    if (!this.canDescribe) return undefined;
    return (await this.describe(object)).fields.has(field.toLowerCase());
  }

  /** The field as described (picklist values, createable…), or undefined. */
  async field(object: string, field: string): Promise<FieldDescribe | undefined> {
    if (!this.canDescribe) return undefined;
    return (await this.describe(object)).fields.get(field.toLowerCase());
  }

  /**
   * The values the integration user may write: fields it cannot create (or update) are left
   * out, as are values a restricted picklist does not have. Each is logged once.
   */
  async writable(
    object: string,
    values: Readonly<Record<string, unknown>>,
    op: 'create' | 'update',
    purpose: string,
  ): Promise<WritableFields> {
    const result: WritableFields = { fields: {}, skipped: [] };
    if (!this.canDescribe) return { fields: { ...values }, skipped: [] };
    const described = await this.describe(object);
    for (const [name, value] of Object.entries(values)) {
      const field = described.fields.get(name.toLowerCase());
      const allowed =
        field !== undefined && (op === 'create' ? field.createable : field.updateable);
      if (!allowed) {
        this.warnOnce(object, name, 'Edit', purpose);
        result.skipped.push({ field: name, reason: `no Edit access to ${object}.${name}` });
        continue;
      }
      if (
        field.restrictedPicklist &&
        typeof value === 'string' &&
        !field.picklistValues.some((v) => v.active && v.value === value)
      ) {
        const key = `${object}.${name}=${value}`;
        if (!this.warned.has(key)) {
          this.warned.add(key);
          this.options.logger.warn(
            {
              code: ErrorCodes.SF_PICKLIST_VALUE_MISSING,
              object,
              field: name,
              value,
              values: field.picklistValues.filter((v) => v.active).map((v) => v.value),
              purpose,
            },
            `${object}.${name} is a restricted picklist without the value "${value}": the bridge leaves it empty (${purpose}). Add the value in Setup › Object Manager, or map it in the bridge configuration.`,
          );
        }
        result.skipped.push({ field: name, reason: `"${value}" is not a ${object}.${name} value` });
        continue;
      }
      result.fields[field.name] = value;
    }
    return result;
  }

  private async firstUnreadable(
    object: string,
    path: string,
  ): Promise<{ object: string; field: string } | undefined> {
    let current = object;
    const parts = path.split('.');
    for (const [i, part] of parts.entries()) {
      const described = await this.describe(current);
      if (i === parts.length - 1)
        return described.fields.has(part.toLowerCase())
          ? undefined
          : { object: current, field: part };
      const reference = described.relationships.get(part.toLowerCase());
      if (reference === undefined) return { object: current, field: `${part}Id` };
      const target = reference.referenceTo[0];
      if (target === undefined) return { object: current, field: reference.name };
      current = target;
    }
    return undefined;
  }

  private warnOnce(object: string, field: string, permission: 'Read' | 'Edit', purpose: string) {
    const key = `${object}.${field}:${permission}`;
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.options.logger.warn(
      {
        code: ErrorCodes.SF_FIELD_NOT_ACCESSIBLE,
        object,
        field,
        permission,
        permissionSet: INTEGRATION_PERMISSION_SET,
        purpose,
      },
      `The integration user has no ${permission} access to ${object}.${field}: the bridge works without it (${purpose}). Grant ${permission} on ${object}.${field} in the ${INTEGRATION_PERMISSION_SET} permission set (docs/install.md).`,
    );
  }

  private describe(object: string): Promise<CachedDescribe> {
    const key = object.toLowerCase();
    const cached = this.cache.get(key);
    if (cached !== undefined) {
      // A settled, stale entry is replaced; a pending one is shared.
      const fresh = cached.then((c) => this.now() - c.at < this.ttlMs);
      return fresh.then((ok) => (ok ? cached : this.load(key, object)));
    }
    return this.load(key, object);
  }

  private load(key: string, object: string): Promise<CachedDescribe> {
    const gateway = this.options.gateway;
    if (gateway.describe === undefined) return Promise.reject(new Error('describe not supported'));
    const loading = gateway
      .describe(object)
      .then((result: ObjectDescribe) => toCached(result, this.now()));
    this.cache.set(key, loading);
    // A failed describe is not remembered: the next use asks again.
    loading.catch(() => {
      if (this.cache.get(key) === loading) this.cache.delete(key);
    });
    return loading;
  }
}

function toCached(result: ObjectDescribe, at: number): CachedDescribe {
  const fields = new Map<string, FieldDescribe>();
  const relationships = new Map<string, FieldDescribe>();
  for (const field of result.fields) {
    fields.set(field.name.toLowerCase(), field);
    if (field.relationshipName !== null)
      relationships.set(field.relationshipName.toLowerCase(), field);
  }
  return { fields, relationships, at };
}
