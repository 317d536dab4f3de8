// The emulated org's records, in memory. Writes get what Salesforce adds (ids, audit fields,
// owner, compound Name, picklist defaults) and what it checks (unknown fields, read-only fields,
// fields the user may not see or edit, values outside a restricted picklist, required fields). Search sees a separate, delayed copy of each record: in a real org a new or
// changed record takes a while to reach the search index, while SOQL sees it at once.
import type { FieldAccessLevel } from './access';
import { IdFactory, to18 } from './ids';
import type { FieldDef, ObjectDef, OrgSchema } from './schema';

export type Fields = Record<string, unknown>;

export interface StoredRecord {
  readonly def: ObjectDef;
  /** Current values, keyed by canonical API name. */
  fields: Fields;
  /** What the search index holds; null until the record is first indexed. */
  indexed: Fields | null;
  /** A newer version waiting to reach the index at `at` (epoch ms). */
  pending?: { at: number; fields: Fields };
}

/** An error in the REST wire format: HTTP status and `[{message, errorCode, fields?}]`. */
export class OrgApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
    readonly fields?: string[],
  ) {
    super(message);
    this.name = 'OrgApiError';
  }

  body(): { message: string; errorCode: string; fields?: string[] }[] {
    return [
      this.fields === undefined
        ? { message: this.message, errorCode: this.errorCode }
        : { message: this.message, errorCode: this.errorCode, fields: this.fields },
    ];
  }
}

/** Salesforce's datetime format in REST responses: 2024-05-01T10:00:00.000+0000. */
export function sfDateTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

/** Parses Salesforce and ISO datetimes (+0000 as well as Z and +00:00). */
export function parseSfDateTime(value: string): number {
  return Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
}

const DEFAULTS: Record<string, Fields> = {
  Lead: { IsConverted: false, Status: 'Open - Not Contacted' },
  User: { IsActive: true },
};

/** Each picklist's default value (Task Status and Priority among them), for a new record. */
function picklistDefaults(def: ObjectDef): Fields {
  const out: Fields = {};
  for (const field of def.fields.values()) {
    const value = field.picklist?.values.find((v) => v.active && v.defaultValue)?.value;
    if (value !== undefined) out[field.name] = value;
  }
  return out;
}

export interface WriteOptions {
  /** The user the write is made as (CreatedById, LastModifiedById, default OwnerId). */
  actorId: string;
  /** When the new values reach the search index (epoch ms). */
  searchableAt: number;
  /** Seed loading: accept read-only fields and learn unknown ones instead of rejecting them. */
  trusted?: boolean;
  /** The writing user's field-level security (absent: every field editable). */
  access?: (def: ObjectDef, field: FieldDef) => FieldAccessLevel;
}

/** How to undo one write, newest first (a Composite or Collections request with allOrNone). */
type Undo = () => void;

export class RecordStore {
  private readonly byType = new Map<ObjectDef, StoredRecord[]>();
  /** Keyed by the 15-character id: lookups accept either form. */
  private readonly byId = new Map<string, StoredRecord>();
  /** Set while a transaction runs: every insert and update records how to undo itself. */
  private journal: Undo[] | undefined;

  constructor(
    private readonly schema: OrgSchema,
    private readonly ids: IdFactory,
    private readonly clock: () => number,
  ) {}

  /**
   * Runs `work` as one transaction: `rollback()` inside it undoes every insert and update made
   * since it began (Salesforce's allOrNone). A transaction inside another (Collections inside
   * Composite) rolls back only its own writes; the outer one can still undo them all.
   */
  transaction<T>(work: (rollback: () => void) => T): T {
    const outer = this.journal;
    const journal = outer ?? [];
    const mark = journal.length;
    this.journal = journal;
    try {
      return work(() => {
        for (const step of journal.splice(mark).reverse()) step();
      });
    } finally {
      this.journal = outer;
    }
  }

  list(def: ObjectDef): readonly StoredRecord[] {
    return this.byType.get(def) ?? [];
  }

  get(id: string): StoredRecord | undefined {
    return this.byId.get(id.slice(0, 15));
  }

  insert(def: ObjectDef, input: Fields, options: WriteOptions): StoredRecord {
    const now = sfDateTime(this.clock());
    const given = this.canonicalize(def, input, options, 'insert');
    let id: string;
    if (options.trusted === true && typeof given.Id === 'string') {
      id = to18(given.Id);
      if (this.get(id) !== undefined)
        throw new OrgApiError(
          400,
          'DUPLICATE_VALUE',
          `duplicate value found: Id duplicates value on record with id: ${id}`,
        );
    } else {
      id = this.ids.create(def.keyPrefix, (candidate) => this.get(candidate) !== undefined);
    }
    const fields: Fields = {
      ...picklistDefaults(def),
      ...(DEFAULTS[def.name] ?? {}),
      ...(def.fields.has('ownerid') ? { OwnerId: options.actorId } : {}),
      IsDeleted: false,
      CreatedDate: now,
      CreatedById: options.actorId,
      LastModifiedDate: now,
      LastModifiedById: options.actorId,
      SystemModstamp: now,
      ...given,
      Id: id,
    };
    const missing = [...def.fields.values()]
      .filter(
        (f) =>
          f.required === true &&
          (fields[f.name] === undefined || fields[f.name] === null || fields[f.name] === ''),
      )
      .map((f) => f.name);
    if (
      missing.length > 0 &&
      !(
        def.personName &&
        missing.length === 1 &&
        missing[0] === 'LastName' &&
        typeof fields.Name === 'string'
      )
    )
      throw new OrgApiError(
        400,
        'REQUIRED_FIELD_MISSING',
        `Required fields are missing: [${missing.join(', ')}]`,
        missing,
      );
    this.deriveName(def, fields);
    const record: StoredRecord = { def, fields, indexed: null };
    this.scheduleIndex(record, options.searchableAt);
    const list = this.byType.get(def) ?? [];
    list.push(record);
    this.byType.set(def, list);
    this.byId.set(id.slice(0, 15), record);
    this.journal?.push(() => this.remove(record));
    return record;
  }

  update(record: StoredRecord, input: Fields, options: WriteOptions): void {
    const given = this.canonicalize(record.def, input, options, 'update');
    delete given.Id;
    const now = sfDateTime(this.clock());
    const before = {
      fields: { ...record.fields },
      indexed: record.indexed,
      pending: record.pending,
    };
    this.journal?.push(() => {
      record.fields = before.fields;
      record.indexed = before.indexed;
      if (before.pending === undefined) delete record.pending;
      else record.pending = before.pending;
    });
    Object.assign(record.fields, given, {
      LastModifiedDate: now,
      LastModifiedById: options.actorId,
      SystemModstamp: now,
    });
    this.deriveName(record.def, record.fields);
    this.scheduleIndex(record, options.searchableAt);
  }

  /** Removes a record (a delete: it leaves query and search at once). */
  remove(record: StoredRecord): void {
    const list = this.byType.get(record.def);
    if (list !== undefined) {
      const at = list.indexOf(record);
      if (at >= 0) list.splice(at, 1);
    }
    this.byId.delete(String(record.fields.Id).slice(0, 15));
  }

  /** The record as the search index sees it now (null: not yet indexed). */
  searchable(record: StoredRecord): Fields | null {
    if (record.pending !== undefined && record.pending.at <= this.clock()) {
      record.indexed = record.pending.fields;
      delete record.pending;
    }
    return record.indexed;
  }

  private scheduleIndex(record: StoredRecord, at: number): void {
    const snapshot = { ...record.fields };
    if (at <= this.clock()) {
      record.indexed = snapshot;
      delete record.pending;
    } else {
      record.pending = { at, fields: snapshot };
    }
  }

  private deriveName(def: ObjectDef, fields: Fields): void {
    if (!def.personName) return;
    const parts = [fields.FirstName, fields.LastName].filter(
      (p) => typeof p === 'string' && p !== '',
    );
    if (parts.length > 0) fields.Name = parts.join(' ');
    else if (typeof fields.Name === 'string' && fields.LastName === undefined) {
      // Seed data may give only Name: split it the way people usually write names.
      const words = fields.Name.trim().split(/\s+/);
      fields.LastName = words.pop();
      if (words.length > 0) fields.FirstName = words.join(' ');
    }
  }

  private canonicalize(
    def: ObjectDef,
    input: Fields,
    options: WriteOptions,
    op: 'insert' | 'update',
  ): Fields {
    const trusted = options.trusted === true;
    const out: Fields = {};
    for (const [name, value] of Object.entries(input)) {
      if (name === 'attributes') continue;
      let field: FieldDef | undefined = def.fields.get(name.toLowerCase());
      const level =
        field === undefined || trusted ? 'edit' : (options.access?.(def, field) ?? 'edit');
      // A field the user cannot read does not exist for them.
      if (field === undefined || level === 'none') {
        if (!trusted)
          throw new OrgApiError(
            400,
            'INVALID_FIELD',
            `No such column '${name}' on sobject of type ${def.name}`,
          );
        field = this.schema.learnField(def, name, value);
      }
      if (
        !trusted &&
        (field.readOnly === true ||
          level === 'read' ||
          (op === 'update' && field.createOnly === true)) &&
        !(op === 'update' && field.name === 'Id')
      )
        throw new OrgApiError(
          400,
          'INVALID_FIELD_FOR_INSERT_UPDATE',
          `Unable to create/update fields: ${field.name}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
          [field.name],
        );
      const picklist = field.picklist;
      if (
        !trusted &&
        picklist?.restricted === true &&
        value !== null &&
        !picklist.values.some((v) => v.active && v.value === value)
      )
        throw new OrgApiError(
          400,
          'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
          `${field.name}: bad value for restricted picklist field: ${typeof value === 'string' ? value : JSON.stringify(value)}`,
          [field.name],
        );
      out[field.name] =
        (field.type === 'reference' || field.type === 'id') &&
        typeof value === 'string' &&
        value.length === 15
          ? to18(value)
          : value;
    }
    return out;
  }
}
