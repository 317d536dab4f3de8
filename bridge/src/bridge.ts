// The composition root: the only module that knows the concrete adapters. It builds the
// bridge from a validated Config, wires the rooms together, starts it, and returns a handle to
// stop it. The CLI, the demo, the tests and the benchmark all start the bridge through
// startBridge(). What each part does lives in its room; this file only connects them.
import { randomUUID } from 'node:crypto';
import { adminStatusOf } from './admin/admin-status';
import { SqliteCallLogOutbox } from './call-log/call-log-outbox';
import { CallLogService } from './call-log/call-log-service';
import { PostgresCallLogOutbox } from './call-log/postgres-call-log-outbox';
import { shareLogStatus } from './call-log/shared-log-status';
import { RunningBridgeCheck } from './check/running-bridge-check';
import { CallService } from './calls/call-service';
import { SqliteCallStore } from './calls/call-store';
import { CallTracker } from './calls/call-tracker';
import type { Config } from './config/schema';
import { demoNumbers, demoRouterFor } from './demo/demo-routes';
import type { EmulatedOrg } from './demo/emulated-org/emulated-org';
import { CallControlService } from './controls/call-control-service';
import { DialService } from './dial/dial-service';
import { createDirectory } from './directory/create-directory';
import { rankMatches } from './directory/rank-matches';
import { createAdminRouter } from './http/admin-routes';
import { createHttpApp } from './http/http-server';
import { listen } from './http/listen';
import { statusReport } from './http/status-report';
import { IdentityVerifier } from './hub/identity-verifier';
import { PostgresReplayCache } from './hub/replay-cache';
import { repRequestHandlers } from './hub/rep-requests';
import { WebSocketHub } from './hub/websocket-hub';
import type { Logger } from './logging/logger';
import type { RecentLog } from './logging/recent-log';
import { openSalesforce } from './open-salesforce';
import type { PbxAdapter } from './pbx/adapter';
import { createPbxAdapter } from './pbx/create-pbx-adapter';
import { startPbx } from './pbx/start-pbx';
import type { SimulatorPbxAdapter } from './pbx/simulator/simulator-adapter';
import { createPhonebookRouter } from './phonebook/phonebook-router';
import { PresenceService } from './presence/presence-service';
import type { SalesforceGateway } from './salesforce/gateway';
import { OrgConnection } from './salesforce/org-connection';
import { LinkableRecords } from './salesforce/linkable-records';
import { OrgFields } from './salesforce/org-fields';
import { relayWebhookEvents } from './pbx/webhook/webhook-relay';
import { PostgresLeaderLock } from './storage/postgres-lock';
import { PostgresDirectoryIndex } from './directory/index/postgres-directory-index';
import { PostgresLookupShare } from './directory/postgres-lookup-share';
import { openStorage } from './storage/storage';
import { EmailUserDirectory } from './users/email-user-directory';
import { SqliteUserSnapshotStore } from './users/user-snapshot-store';
import { UserRefresh } from './users/user-refresh';

export interface StartBridgeOptions {
  logger: Logger;
  /** Directory of the built browser harness, served at / in demo mode. */
  harnessDir?: string;
  /** The configuration as written (before validation), for the start-up check. */
  configInput?: Record<string, unknown>;
  /** Where the configuration came from, as the check names it. */
  configSource?: string;
  /**
   * Run the installation check once the bridge listens (`start` does; tests that count API
   * requests do not want its queries, so the default is off).
   */
  checkAtStart?: boolean;
  /** Extra CA certificates the check trusts when reaching server.publicUrl (tests). */
  checkTrustedCa?: string[];
  /** The warnings and errors `logger` also keeps (createLogger's `recent`), for the Setup page. */
  recentLog?: RecentLog;
}

export interface RunningBridge {
  readonly config: Config;
  readonly httpUrl: string;
  readonly wsUrl: string;
  readonly port: number;
  readonly gateway: SalesforceGateway;
  readonly calls: CallService;
  readonly hub: WebSocketHub;
  readonly adapter: PbxAdapter;
  /** Present when salesforce.emulate is set (demo, tests). */
  readonly emulatedOrg?: EmulatedOrg;
  /** Present when pbx.adapter is simulator. */
  readonly simulator?: SimulatorPbxAdapter;
  /** Whether /demo/* is served (an emulated org on a loopback address). */
  readonly demoEndpoints: boolean;
  readonly callLog: CallLogService;
  readonly presence: PresenceService;
  /** The installation check on the running parts: its last report, and a new run on request. */
  readonly check: RunningBridgeCheck;
  stop(): Promise<void>;
}

export async function startBridge(
  config: Config,
  options: StartBridgeOptions,
): Promise<RunningBridge> {
  const logger = options.logger;
  const part = (component: string) => logger.child({ component });
  /** What was started, stopped in reverse order. */
  const stack: Array<() => unknown> = [];
  const stopAll = async () => {
    for (const stop of stack.splice(0).reverse()) {
      try {
        await stop();
      } catch (error) {
        logger.warn({ err: error }, 'error while stopping');
      }
    }
  };

  try {
    const salesforce = await openSalesforce(config, logger);
    stack.push(() => salesforce.stop());
    const { gateway, emulatedOrg } = salesforce;
    const org = new OrgConnection({ gateway, logger: part('salesforce') });
    stack.push(() => org.stop());
    // What the integration user may read and write (describe), one for every part.
    const orgFields = new OrgFields({ gateway, logger: part('salesforce') });
    await org.connect();

    // The SQLite file always; PostgreSQL too when several bridges share storage.postgres.
    const storage = await openStorage(config.storage, part('storage'));
    stack.push(() => storage.close());
    const db = storage.sqlite;

    const verifier = await IdentityVerifier.forConfig(config.auth, {
      emulatedOrgPublicKeyPem: emulatedOrg?.identity.publicKeyPem,
      connectedOrgId: () => org.identity?.orgId,
      logger: part('auth'),
      // A token used at any bridge is refused at every other.
      ...(storage.postgres === undefined
        ? {}
        : { replayCache: await PostgresReplayCache.open(storage.postgres, part('storage')) }),
    });
    const users = new EmailUserDirectory({
      mappings: config.users,
      gateway,
      logger: part('users'),
      // Started during a Salesforce outage, the bridge still knows its reps from the last run.
      snapshots: new SqliteUserSnapshotStore(db, part('storage')),
    });

    // Built (not started) before the directory: Asterisk is also where caller names go.
    const pbx = createPbxAdapter(config, logger, demoNumbers(emulatedOrg));
    const { adapter } = pbx;

    // Several bridges share one directory index in PostgreSQL; one bridge's file otherwise.
    const sharedIndex =
      storage.postgres !== undefined && config.directory.enabled
        ? await PostgresDirectoryIndex.open(storage.postgres, part('storage'))
        : undefined;
    // Several bridges ask Salesforce once per unknown number between them, not once each.
    const lookupShare =
      storage.postgres !== undefined && storage.broadcast !== undefined
        ? await PostgresLookupShare.open({
            pool: storage.postgres,
            channel: storage.broadcast,
            origin: randomUUID(),
            answerMs: config.lookup.cacheTtlSeconds * 1000,
            logger: part('storage'),
          })
        : undefined;
    const configured = createDirectory({
      config,
      db,
      ...(sharedIndex === undefined ? {} : { index: sharedIndex }),
      ...(lookupShare === undefined ? {} : { lookupShare }),
      gateway,
      astDbWriter: pbx.astDb,
      orgFields,
      logger,
    });
    const { directory, indexed } = configured;
    // Several bridges: one at a time syncs the shared index and writes caller names into
    // Asterisk (a lock, taken over when its holder's session ends); the others read the index.
    if (indexed !== undefined && storage.postgresConnection !== undefined) {
      const pusher = indexed.astDbPusher;
      const directoryLock = new PostgresLeaderLock({
        connection: storage.postgresConnection,
        name: 'directory-sync',
        logger: part('storage'),
        onAcquired: () => {
          indexed.sync.runSoon();
          pusher?.schedule();
        },
      });
      indexed.sync.gate(() => directoryLock.isHeld());
      pusher?.gate(() => directoryLock.isHeld());
      await directoryLock.start();
      stack.push(() => directoryLock.stop());
    }
    if (indexed !== undefined) {
      indexed.start();
      stack.push(() => indexed.stop());
    }
    // Several bridges: webhook events posted here reach the others, and theirs reach us.
    if (pbx.webhook !== undefined && storage.broadcast !== undefined)
      relayWebhookEvents(pbx.webhook, storage.broadcast, part('pbx'));

    // The hub is created once the server listens (its own origin is allowed in the demo), so
    // calls published before that are simply not delivered: no socket can exist yet.
    const hubRef: { current?: WebSocketHub } = {};
    // A record a rep links a call to (call.link, dial.recordId) must be one they may open.
    const records = new LinkableRecords(gateway);
    const dials = new DialService({ adapter, phone: config.phone, records, logger: part('dial') });
    const tracker = new CallTracker();
    const calls = new CallService({
      tracker,
      directory,
      users,
      phone: config.phone,
      lookup: config.lookup,
      rank: rankMatches,
      dialOrigins: dials,
      publish: (call) => hubRef.current?.publishCall(call),
      // Calls under way survive a restart; a queue call's missed legs wait for its end.
      store: new SqliteCallStore(db, part('storage')),
      logger: part('calls'),
    });
    stack.push(() => calls.stop());
    // Hang up, transfer and hold from the utility, for the rep's own calls only.
    const controls = new CallControlService({
      adapter,
      calls,
      reps: users,
      phone: config.phone,
      logger: part('controls'),
    });

    // Presence and queue pause: set by reps, reported by the PBX, told to every tab of the rep.
    const presence = new PresenceService({
      pbx: adapter,
      config: config.pbx.presence,
      publish: (extension, now) => hubRef.current?.publishPresence(extension, now),
      logger: part('presence'),
    });
    adapter.onPresenceChange?.((report) => presence.report(report));

    // Call logging: every ended call becomes one Task, through the durable outbox.
    const callLog = new CallLogService({
      // Several bridges share one outbox: one Task per call however many saw it end.
      outbox:
        storage.postgres === undefined
          ? new SqliteCallLogOutbox(db, part('storage'))
          : await PostgresCallLogOutbox.open(storage.postgres, part('storage')),
      gateway,
      // A rep's tabs on other bridges see the log's state too.
      calls: shareLogStatus(calls, storage.broadcast, part('call-log')),
      config: config.callLog,
      repUserIdForExtension: (extension) => users.salesforceUserIdForExtension(extension),
      orgFields,
      logger: part('call-log'),
    });
    // Once connected, name every missing field permission before the first call needs it.
    const checkAccess = () => {
      void configured.checkAccess().then(() => callLog.checkAccess());
    };
    org.onConnected(checkAccess);
    if (org.identity !== undefined) checkAccess();
    await callLog.start();
    stack.push(() => callLog.stop());

    const report = statusReport({
      pbx: adapter,
      salesforce: { identity: () => org.identity, apiUsage: () => gateway.apiUsage() },
      sockets: () => hubRef.current?.stats(),
      activeCalls: () => tracker.activeCount,
      callLog: {
        enabled: config.callLog.enabled,
        counts: () => {
          const storageError = callLog.storageProblem();
          return { ...callLog.counts(), ...(storageError === undefined ? {} : { storageError }) };
        },
      },
      directory: () => indexed?.status(),
    });
    const demo =
      emulatedOrg === undefined
        ? undefined
        : demoRouterFor({
            org: emulatedOrg,
            simulator: pbx.simulator,
            host: config.server.host,
            logger: part('demo'),
          });
    const app = createHttpApp({
      logger: part('http'),
      health: report.health,
      routers: [
        { path: '/', router: pbx.webhookRoutes?.router, lanes: pbx.webhookRoutes?.lanes },
        {
          path: '/',
          router:
            indexed &&
            createPhonebookRouter({
              index: indexed.index,
              token: config.directory.phonebook.token,
              phone: config.phone,
              logger: part('phonebook'),
            }),
        },
        {
          path: '/admin',
          router:
            config.server.adminToken === undefined
              ? undefined
              : createAdminRouter({
                  token: config.server.adminToken,
                  callLogs: callLog,
                  status: report.status,
                }),
        },
        { path: '/demo', router: demo },
      ],
      staticDirs:
        emulatedOrg !== undefined && options.harnessDir !== undefined
          ? [{ path: '/', dir: options.harnessDir }]
          : [],
    });
    const http = await listen(app, config.server);
    stack.push(() => http.close());

    // The installation check, in the log with the words `switchboard-bridge check` prints.
    const check = new RunningBridgeCheck({
      config,
      input: options.configInput,
      source: options.configSource ?? 'configuration',
      gateway,
      adapter,
      logger,
      ...(options.checkTrustedCa === undefined ? {} : { trustedCa: options.checkTrustedCa }),
    });
    // The Switchboard Setup page's view of every part, for admins' sockets.
    const adminStatus = adminStatusOf({
      pbx: adapter,
      salesforce: { identity: () => org.identity, apiUsage: () => gateway.apiUsage() },
      connected: () => hubRef.current?.connectedUsers() ?? [],
      users,
      directory: () => indexed?.status(),
      callLog: {
        enabled: config.callLog.enabled,
        counts: () => callLog.counts(),
        listParked: () => callLog.listParked(),
      },
      check: () => check.report,
      recentErrors: () => options.recentLog?.list() ?? [],
    });
    const hub = new WebSocketHub({
      verifier,
      users,
      calls,
      allowedOrigins:
        emulatedOrg !== undefined
          ? [
              ...config.server.allowedOrigins,
              http.httpUrl,
              `${http.scheme}://localhost:${http.port}`,
            ]
          : config.server.allowedOrigins,
      heartbeatMs: config.server.heartbeatSeconds * 1000,
      helloTimeoutMs: config.server.helloTimeoutSeconds * 1000,
      // The utility offers notes only while the bridge accepts them.
      settings: {
        noteGraceSeconds: config.callLog.noteGraceSeconds,
        logCalls: config.callLog.enabled,
      },
      pbxStatus: () => ({ connected: adapter.isConnected() }),
      controls: () => controls.available(),
      presence,
      logger: part('hub'),
      handlers: repRequestHandlers({ dials, calls, callLog, records, controls, presence }),
      admin: {
        status: adminStatus,
        retry: async (callId) => {
          await callLog.retryParked(callId);
        },
        check: () => check.run(),
      },
    });
    hub.attach(http.server);
    hubRef.current = hub;
    stack.push(() => hub.close());

    stack.push(() => adapter.stop());
    const pbxLink = await startPbx({
      adapter,
      calls,
      onConnectionChange: (connected) => hub.publishPbxStatus({ connected }),
      logger,
    });
    // Runs before adapter.stop(): the bridge saw the PBX until now.
    stack.push(() => pbxLink.stop());
    // The first sync may have finished before the AMI login: push the names now.
    indexed?.astDbPusher?.schedule();

    const userRefresh = new UserRefresh({
      pbx: adapter,
      users,
      onRefreshed: () => hub.refreshExtensions(),
      logger: part('users'),
    });
    await userRefresh.start();
    stack.push(() => userRefresh.stop());
    // Tasks take their owner from this mapping: when Salesforce was down at start, read the
    // users as soon as it answers rather than ten minutes later.
    org.onConnected(() => void userRefresh.refresh());

    logger.info(
      {
        httpUrl: http.httpUrl,
        wsUrl: http.wsUrl,
        publicUrl: config.server.publicUrl,
        pbx: adapter.name,
        emulated: emulatedOrg !== undefined,
      },
      'bridge ready',
    );
    if (options.checkAtStart === true) void check.run();
    return {
      config,
      httpUrl: http.httpUrl,
      wsUrl: http.wsUrl,
      port: http.port,
      gateway,
      calls,
      hub,
      adapter,
      emulatedOrg,
      simulator: pbx.simulator,
      demoEndpoints: demo !== undefined,
      callLog,
      presence,
      check,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
