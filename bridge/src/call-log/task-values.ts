// The Task values of this org: admins rename Task statuses and priorities, so a call log's
// "Completed", "Not Started" and "Normal" (what call-task.ts writes, and what the outbox keeps)
// become the org's own closed status, open status and default priority just before sending —
// from callLog.taskValues when set, else from the org (TaskStatus rows: IsClosed, IsDefault;
// Task.Priority's describe default). Then only what the integration user may write goes out:
// fields it cannot create or update, and values a restricted picklist lacks, are left out and
// named in the log once (OrgFields).
import type { CallLogConfig } from '../config/schema';
import { ErrorCodes } from '../errors';
import type { Logger } from '../logging/logger';
import type { SalesforceGateway } from '../salesforce/gateway';
import type { OrgFields } from '../salesforce/org-fields';
import { soql } from '../salesforce/query-builder';

/** Every Task field call-task.ts and the notes may write: what the start-up check asks about. */
export const TASK_FIELDS_WRITTEN = [
  'Subject',
  'Status',
  'Priority',
  'ActivityDate',
  'Description',
  'TaskSubtype',
  'CallType',
  'CallDurationInSeconds',
  'CallObject',
  'CallDisposition',
  'WhoId',
  'WhatId',
  'OwnerId',
] as const;

/** What call-task.ts writes; the org's own values replace them. */
export const STANDARD_TASK_VALUES = {
  closedStatus: 'Completed',
  openStatus: 'Not Started',
  priority: 'Normal',
} as const;

export interface OrgTaskValues {
  closedStatus: string;
  openStatus: string;
  priority: string;
}

export interface PreparedTask {
  fields: Record<string, unknown>;
  /** Fields left out, with the reason. */
  skipped: { field: string; reason: string }[];
}

export class TaskValues {
  private resolved: Promise<OrgTaskValues> | undefined;
  private resolvedAt = 0;
  private readonly warned = new Set<string>();

  constructor(
    private readonly options: {
      gateway: Pick<SalesforceGateway, 'query'>;
      orgFields: OrgFields;
      config: Pick<CallLogConfig, 'taskValues'>;
      logger: Logger;
      /** How long the org's values are trusted (default one hour, like describes). */
      ttlMs?: number;
      now?: () => number;
    },
  ) {}

  /** The Task as this org and this integration user accept it. */
  async prepare(
    fields: Readonly<Record<string, unknown>>,
    op: 'create' | 'update',
  ): Promise<PreparedTask> {
    const { orgFields } = this.options;
    if (!orgFields.canDescribe) return { fields: { ...fields }, skipped: [] };
    const values = await this.values();
    const mapped: Record<string, unknown> = { ...fields };
    if (mapped.Status === STANDARD_TASK_VALUES.closedStatus) mapped.Status = values.closedStatus;
    else if (mapped.Status === STANDARD_TASK_VALUES.openStatus) mapped.Status = values.openStatus;
    if (mapped.Priority === STANDARD_TASK_VALUES.priority) mapped.Priority = values.priority;
    return orgFields.writable('Task', mapped, op, 'call logging');
  }

  /**
   * At start: reads the org's Task values and names every Task field the integration user may
   * not write (each once), before the first call needs them.
   */
  async check(): Promise<void> {
    const { orgFields } = this.options;
    if (!orgFields.canDescribe) return;
    await this.values();
    await orgFields.writable(
      'Task',
      Object.fromEntries(TASK_FIELDS_WRITTEN.map((f) => [f, null])),
      'create',
      'call logging',
    );
  }

  /** Forget the org's values (after Salesforce refused one). */
  refresh(): void {
    this.resolved = undefined;
  }

  private values(): Promise<OrgTaskValues> {
    const now = (this.options.now ?? Date.now)();
    if (this.resolved === undefined || now - this.resolvedAt > (this.options.ttlMs ?? 3_600_000)) {
      this.resolvedAt = now;
      const loading = this.load();
      this.resolved = loading;
      loading.catch(() => {
        if (this.resolved === loading) this.resolved = undefined;
      });
    }
    return this.resolved;
  }

  private async load(): Promise<OrgTaskValues> {
    const configured = this.options.config.taskValues;
    const rows = await this.options.gateway.query(
      soql`SELECT ApiName, MasterLabel, IsClosed, IsDefault FROM TaskStatus ORDER BY SortOrder`,
    );
    const statuses = rows.map((r) => ({
      value:
        typeof r.ApiName === 'string'
          ? r.ApiName
          : typeof r.MasterLabel === 'string'
            ? r.MasterLabel
            : '',
      closed: r.IsClosed === true,
      default: r.IsDefault === true,
    }));
    const priority = await this.options.orgFields.field('Task', 'Priority');
    const priorities = (priority?.picklistValues ?? []).filter((v) => v.active);

    const pick = (
      key: keyof OrgTaskValues,
      allowed: readonly string[],
      fallback: string | undefined,
    ): string => {
      const wanted = configured[key];
      if (wanted !== undefined && (allowed.length === 0 || allowed.includes(wanted))) return wanted;
      if (wanted !== undefined) this.warnUnknown(key, wanted, allowed);
      return fallback ?? STANDARD_TASK_VALUES[key];
    };
    const closed = statuses.filter((s) => s.closed).map((s) => s.value);
    const open = statuses.filter((s) => !s.closed).map((s) => s.value);
    return {
      closedStatus: pick(
        'closedStatus',
        closed,
        closed.includes(STANDARD_TASK_VALUES.closedStatus)
          ? STANDARD_TASK_VALUES.closedStatus
          : closed[0],
      ),
      openStatus: pick(
        'openStatus',
        open,
        statuses.find((s) => s.default && !s.closed)?.value ?? open[0],
      ),
      priority: pick(
        'priority',
        priorities.map((v) => v.value),
        priorities.find((v) => v.defaultValue)?.value ??
          priorities.find((v) => v.value === STANDARD_TASK_VALUES.priority)?.value ??
          priorities[0]?.value,
      ),
    };
  }

  private warnUnknown(key: keyof OrgTaskValues, value: string, allowed: readonly string[]): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.options.logger.warn(
      {
        code: ErrorCodes.SF_PICKLIST_VALUE_MISSING,
        key: `callLog.taskValues.${key}`,
        value,
        allowed,
      },
      `callLog.taskValues.${key} is "${value}", which this org does not have there: using the org's own value. Set one of: ${allowed.join(', ')}.`,
    );
  }
}
