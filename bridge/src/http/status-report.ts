// What the bridge reports about itself: /healthz (ready when the PBX link is up, with a few
// details) and the admin status document (/admin/status: PBX, Salesforce, sockets, calls, call
// log, directory). Each part is read when asked, so a part built later (the hub) is simply
// absent until it exists.
import type { HealthReport } from './http-server';

export interface StatusSources {
  pbx: { readonly name: string; isConnected(): boolean };
  salesforce: {
    /** The connected org, once connected. */
    identity(): { orgId: string; instanceUrl: string } | undefined;
    apiUsage(): unknown;
  };
  /** WebSocket counts; undefined before the hub exists. */
  sockets(): unknown;
  activeCalls(): number;
  callLog: { enabled: boolean; counts(): object };
  /** The directory index's status, when it is enabled. */
  directory(): object | undefined;
  now?: () => Date;
}

export interface StatusReport {
  health: () => HealthReport;
  status: () => Record<string, unknown>;
}

export function statusReport(sources: StatusSources): StatusReport {
  const now = sources.now ?? (() => new Date());
  const startedAt = now();
  const pbx = () => ({ adapter: sources.pbx.name, connected: sources.pbx.isConnected() });
  return {
    health: () => ({
      ready: sources.pbx.isConnected(),
      details: {
        pbx: pbx(),
        salesforce: {
          connected: sources.salesforce.identity() !== undefined,
          apiUsage: sources.salesforce.apiUsage(),
        },
        sockets: sources.sockets(),
      },
    }),
    status: () => {
      const org = sources.salesforce.identity();
      const memory = process.memoryUsage();
      return {
        startedAt: startedAt.toISOString(),
        uptimeSeconds: Math.round((now().getTime() - startedAt.getTime()) / 1000),
        memory: { rssBytes: memory.rss, heapUsedBytes: memory.heapUsed },
        pbx: pbx(),
        salesforce: {
          connected: org !== undefined,
          orgId: org?.orgId,
          instanceUrl: org?.instanceUrl,
          apiUsage: sources.salesforce.apiUsage(),
        },
        sockets: sources.sockets(),
        calls: { active: sources.activeCalls() },
        callLog: { enabled: sources.callLog.enabled, ...sources.callLog.counts() },
        directory: sources.directory() ?? { enabled: false },
      };
    },
  };
}
