// What the Switchboard Setup page shows, assembled from every part of the running bridge: the
// PBX and Salesforce links, who is connected, the user mapping both ways, the directory sync, the
// parked call logs, the last installation check and the recent warnings. Each part is read when
// asked (the page is sent this every few seconds); the composition root hands the parts in.
import type { CheckReport } from '../check/check-report';
import type {
  AdminConnectedUser,
  AdminDirectoryStatus,
  AdminLogEntry,
  AdminMappingRow,
  AdminParkedLog,
  AdminStatus,
  CheckProblem,
} from '../protocol/v1';
import type { RepIdentity } from '../users/user-directory';

/** The index's status as create-indexed-directory reports it (the fields the page shows). */
export interface DirectoryStatusSource {
  ready: boolean;
  syncing: boolean;
  lastSyncAt: string | null;
  lastError: { code: string; message: string } | null;
  totalRecords: number;
  numbers: number;
  objects: Record<string, { phase: string; loaded: number }>;
}

export interface AdminStatusSources {
  pbx: { readonly name: string; isConnected(): boolean };
  salesforce: {
    identity(): { orgId: string; instanceUrl: string } | undefined;
    apiUsage(): { used: number; max: number } | undefined;
  };
  /** Reps and admins with an open socket (the hub). */
  connected(): AdminConnectedUser[];
  /** Extension ↔ email ↔ Salesforce user, as the bridge maps them now. */
  users: { identities(): RepIdentity[] };
  /** The directory index, when directory.enabled. */
  directory(): DirectoryStatusSource | undefined;
  callLog: {
    enabled: boolean;
    counts(): Record<string, number>;
    listParked(): AdminParkedLog[];
  };
  /** The last installation check, once one finished. */
  check(): CheckReport | undefined;
  recentErrors(): AdminLogEntry[];
  now?: () => Date;
}

/** Parked logs listed at most (the count has them all). */
const MAX_PARKED = 50;

export function adminStatusOf(sources: AdminStatusSources): () => AdminStatus {
  const now = sources.now ?? (() => new Date());
  const startedAt = now().toISOString();
  return () => {
    const org = sources.salesforce.identity();
    const usage = sources.salesforce.apiUsage();
    const check = sources.check();
    return {
      at: now().toISOString(),
      startedAt,
      pbx: { adapter: sources.pbx.name, connected: sources.pbx.isConnected() },
      salesforce: {
        connected: org !== undefined,
        ...(org === undefined ? {} : { orgId: org.orgId, instanceUrl: org.instanceUrl }),
        ...(usage === undefined ? {} : { apiUsage: { used: usage.used, max: usage.max } }),
      },
      connected: sources.connected(),
      mapping: mappingRows(sources.users.identities()),
      mismatches: mismatchesOf(check),
      directory: directoryOf(sources.directory()),
      callLog: {
        enabled: sources.callLog.enabled,
        counts: sources.callLog.counts(),
        parked: sources.callLog.listParked().slice(0, MAX_PARKED),
      },
      ...(check === undefined ? {} : { check }),
      recentErrors: sources.recentErrors(),
    };
  };
}

/** One row per extension, in extension order. */
function mappingRows(identities: readonly RepIdentity[]): AdminMappingRow[] {
  const rows: AdminMappingRow[] = [];
  for (const identity of identities)
    for (const extension of identity.extensions) {
      const row: AdminMappingRow = { extension, email: identity.email };
      if (identity.salesforceUserId !== undefined) row.salesforceUserId = identity.salesforceUserId;
      if (identity.name !== undefined) row.name = identity.name;
      rows.push(row);
    }
  return rows.sort((a, b) => a.extension.localeCompare(b.extension, 'en', { numeric: true }));
}

/**
 * What the last check found wrong with the mapping, both ways: extensions no Salesforce user
 * has, reps with the permission set but no extension, inactive users, look-alike emails.
 */
function mismatchesOf(report: CheckReport | undefined): CheckProblem[] {
  const users = report?.steps.find((step) => step.id === 'users');
  return users === undefined ? [] : [...users.problems, ...users.warnings];
}

function directoryOf(status: DirectoryStatusSource | undefined): AdminDirectoryStatus {
  if (status === undefined) return { enabled: false };
  return {
    enabled: true,
    ready: status.ready,
    syncing: status.syncing,
    lastSyncAt: status.lastSyncAt,
    lastError: status.lastError,
    totalRecords: status.totalRecords,
    numbers: status.numbers,
    objects: Object.fromEntries(
      Object.entries(status.objects).map(([name, o]) => [
        name,
        { phase: o.phase, loaded: o.loaded },
      ]),
    ),
  };
}
