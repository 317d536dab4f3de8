// The composition root: the only module that knows the concrete adapters. It builds the
// bridge from a validated Config, starts it, and returns a handle to stop it. The CLI, the
// demo, the tests and the benchmark all start the bridge through startBridge().
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type express from 'express';
import type { Config } from './config/schema';
import { CallService } from './calls/call-service';
import { CallTracker } from './calls/call-tracker';
import type { Call } from './calls/call';
import type { CallerDirectory } from './directory/caller-directory';
import { LiveSearchDirectory } from './directory/live-search-directory';
import {
  createIndexedDirectory,
  type IndexedDirectoryFeature,
} from './directory/index/create-indexed-directory';
import { DialService } from './dial/dial-service';
import { ErrorCodes, SwitchboardError, isSwitchboardError } from './errors';
import { createAdminRouter } from './http/admin-routes';
import { createHttpApp } from './http/http-server';
import { IdentityVerifier } from './hub/identity-verifier';
import { WebSocketHub } from './hub/websocket-hub';
import type { Logger } from './logging/logger';
import type { PbxAdapter } from './pbx/adapter';
import { AsteriskPbxAdapter } from './pbx/asterisk/asterisk-adapter';
import { SimulatorPbxAdapter } from './pbx/simulator/simulator-adapter';
import { WebhookPbxAdapter, createWebhookRouter } from './pbx/webhook/webhook-adapter';
import type { OrgIdentity, SalesforceGateway } from './salesforce/gateway';
import type { EmulatedOrg } from './demo/emulated-org/emulated-org';
import { openSalesforce, readPemSetting } from './open-salesforce';
import { createDemoRouter, demoNumbers } from './demo/demo-routes';
import { EmailUserDirectory } from './users/email-user-directory';
import { CallLogService } from './call-log/call-log-service';
import { openDatabase } from './storage/database';

export interface StartBridgeOptions {
  logger: Logger;
  /** Directory of the built browser harness, served at / in demo mode. */
  harnessDir?: string;
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
  readonly callLog: CallLogService;
  stop(): Promise<void>;
}

/** How often PBX users are re-read and re-matched to Salesforce users. */
const USER_REFRESH_MS = 10 * 60_000;
const SALESFORCE_RETRY_MS = 30_000;

export async function startBridge(
  config: Config,
  options: StartBridgeOptions,
): Promise<RunningBridge> {
  const logger = options.logger;
  const stack: Array<() => Promise<void> | void> = [];
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
    // Salesforce: the emulated org in-process, or the real one.
    const salesforce = await openSalesforce(config, logger);
    stack.push(() => salesforce.stop());
    const { gateway, emulatedOrg } = salesforce;

    // Which org the bridge serves: auth.orgIds, else the connected org (known once connected).
    let orgIdentity: OrgIdentity | undefined;
    let salesforceRetry: NodeJS.Timeout | undefined;
    stack.push(() => clearTimeout(salesforceRetry));
    /** Set once the user mapping exists: a late first connection re-reads the users. */
    const afterConnect: { refreshUsers?: () => void } = {};
    const connectSalesforce = async (): Promise<void> => {
      try {
        orgIdentity = await gateway.connect();
        logger.info(
          { orgId: orgIdentity.orgId, instanceUrl: orgIdentity.instanceUrl },
          'connected to Salesforce',
        );
        afterConnect.refreshUsers?.();
      } catch (error) {
        logger.error(
          errorFields(error),
          'cannot connect to Salesforce; retrying in the background',
        );
        salesforceRetry = setTimeout(() => void connectSalesforce(), SALESFORCE_RETRY_MS);
        salesforceRetry.unref();
      }
    };
    await connectSalesforce();
    const allowedOrgIds = (): readonly string[] =>
      config.auth.orgIds ?? (orgIdentity === undefined ? [] : [orgIdentity.orgId]);

    const verifier = await IdentityVerifier.create({
      // A configured certificate wins; the emulated org otherwise signs with its own key.
      certificatePem:
        config.auth.certificate !== undefined
          ? readPemSetting(config.auth.certificate, 'auth.certificate')
          : (emulatedOrg?.identity.publicKeyPem ?? ''),
      audience: config.auth.audience,
      allowedOrgIds,
      maxLifetimeSeconds: config.auth.maxTokenLifetimeSeconds,
      clockToleranceSeconds: config.auth.clockToleranceSeconds,
      logger: logger.child({ component: 'auth' }),
    });

    const users = new EmailUserDirectory({
      mappings: config.users,
      gateway,
      logger: logger.child({ component: 'users' }),
    });
    // The embedded database: call-log outbox and directory index.
    const db = openDatabase(config.storage.database, logger.child({ component: 'storage' }));
    stack.push(() => {
      db.close();
    });

    // Built (not started) before the directory: the Asterisk adapter is also where the
    // directory pushes caller names (directory.astdb).
    const { adapter, simulator, webhook, asterisk } = createPbxAdapter(config, logger, emulatedOrg);

    // Who has this number: the local index synced from Salesforce when enabled (no API call
    // per ring), else a live search per call.
    let directoryIndex: IndexedDirectoryFeature | undefined;
    let directory: CallerDirectory;
    if (config.directory.enabled) {
      const feature = createIndexedDirectory({
        config,
        db,
        gateway,
        logger: logger.child({ component: 'directory-index' }),
        ...(config.directory.astdb.enabled && asterisk !== undefined
          ? { astDbWriter: asterisk }
          : {}),
      });
      directoryIndex = feature;
      directory = feature.directory;
      feature.start();
      stack.push(() => feature.stop());
    } else {
      directory = new LiveSearchDirectory({
        gateway,
        phone: config.phone,
        lookup: config.lookup,
        logger: logger.child({ component: 'directory' }),
      });
    }

    // The hub is created once the server listens (its own origin is allowed in the demo), so
    // calls published before that are simply not delivered: no socket can exist yet.
    const hubRef: { current?: WebSocketHub } = {};
    const tracker = new CallTracker();
    const calls = new CallService({
      tracker,
      directory,
      users,
      phone: config.phone,
      lookup: config.lookup,
      publish: (call: Call) => hubRef.current?.publishCall(call),
      logger: logger.child({ component: 'calls' }),
    });
    stack.push(() => calls.stop());

    // Call logging: every ended call becomes one Task, through the durable outbox.
    const callLog = new CallLogService({
      db,
      gateway,
      config: config.callLog,
      repUserIdForExtension: (extension) => {
        const email = users.emailForExtension(extension);
        return email === undefined ? undefined : users.salesforceUserIdForEmail(email);
      },
      logger: logger.child({ component: 'call-log' }),
      publishStatus: (callId, status) => calls.setLogStatus(callId, status),
    });
    calls.onCallChanged((call) => callLog.onCallChanged(call));
    callLog.start();
    stack.push(() => callLog.stop());

    const dials = new DialService({
      adapter,
      phone: config.phone,
      logger: logger.child({ component: 'dial' }),
      // The outbound call pops already linked to the record it was dialed from.
      onDialStarting: ({ dialId, recordId }) => {
        if (recordId !== undefined) calls.noteDialRequest(dialId, recordId);
      },
      onDialFailed: (dialId) => {
        calls.forgetDialRequest(dialId);
      },
    });

    const routers: Array<{ path: string; router: express.Router }> = [];
    if (webhook !== undefined && config.pbx.webhook !== undefined)
      routers.push({
        path: '/',
        router: createWebhookRouter({
          adapter: webhook,
          token: config.pbx.webhook.token,
          logger: logger.child({ component: 'webhook' }),
        }),
      });
    if (directoryIndex !== undefined) routers.push({ path: '/', router: directoryIndex.router });
    const startedAt = new Date();
    if (config.server.adminToken !== undefined)
      routers.push({
        path: '/admin',
        router: createAdminRouter({
          token: config.server.adminToken,
          callLogs: callLog,
          status: () => ({
            startedAt: startedAt.toISOString(),
            uptimeSeconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
            memory: {
              rssBytes: process.memoryUsage().rss,
              heapUsedBytes: process.memoryUsage().heapUsed,
            },
            pbx: { adapter: adapter.name, connected: adapter.isConnected() },
            salesforce: {
              connected: orgIdentity !== undefined,
              orgId: orgIdentity?.orgId,
              instanceUrl: orgIdentity?.instanceUrl,
              apiUsage: gateway.apiUsage(),
            },
            sockets: hubRef.current?.stats(),
            calls: { active: tracker.activeCount },
            callLog: { enabled: config.callLog.enabled, ...callLog.counts() },
            directory: directoryIndex?.status() ?? { enabled: false },
          }),
        }),
      });
    // The demo endpoints hand out identity tokens and record fields without a login: they
    // stand in for Salesforce on this machine only, never on an address others can reach.
    const loopback = ['127.0.0.1', '::1', 'localhost'].includes(config.server.host);
    if (emulatedOrg !== undefined && loopback)
      routers.push({
        path: '/demo',
        router: createDemoRouter({
          org: emulatedOrg,
          simulator,
          logger: logger.child({ component: 'demo' }),
        }),
      });
    else if (emulatedOrg !== undefined)
      logger.warn(
        { host: config.server.host },
        'demo endpoints (/demo/*, the browser page) are off: the bridge listens beyond this machine',
      );

    const app = createHttpApp({
      logger: logger.child({ component: 'http' }),
      health: () => ({
        ready: adapter.isConnected(),
        details: {
          pbx: { adapter: adapter.name, connected: adapter.isConnected() },
          salesforce: { connected: orgIdentity !== undefined, apiUsage: gateway.apiUsage() },
          sockets: hubRef.current?.stats(),
        },
      }),
      routers,
      staticDirs:
        emulatedOrg !== undefined && options.harnessDir !== undefined
          ? [{ path: '/', dir: options.harnessDir }]
          : [],
    });

    const server = config.server.tls
      ? https.createServer(
          {
            cert: readPemSetting(config.server.tls.certFile, 'server.tls.certFile'),
            key: readPemSetting(config.server.tls.keyFile, 'server.tls.keyFile'),
          },
          app,
        )
      : http.createServer(app);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.server.port, config.server.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    stack.push(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    );
    const port = (server.address() as AddressInfo).port;
    const scheme = config.server.tls ? 'https' : 'http';
    const host =
      config.server.host === '0.0.0.0' || config.server.host === '::'
        ? '127.0.0.1'
        : config.server.host;
    const httpUrl = `${scheme}://${host}:${port}`;
    const wsUrl = `${config.server.tls ? 'wss' : 'ws'}://${host}:${port}/ws`;

    const allowedOrigins =
      emulatedOrg !== undefined
        ? [...config.server.allowedOrigins, httpUrl, `${scheme}://localhost:${port}`]
        : config.server.allowedOrigins;
    const theHub = new WebSocketHub({
      verifier,
      users,
      calls,
      allowedOrigins,
      heartbeatMs: config.server.heartbeatSeconds * 1000,
      helloTimeoutMs: config.server.helloTimeoutSeconds * 1000,
      // The utility offers notes only while the bridge accepts them.
      settings: {
        noteGraceSeconds: config.callLog.noteGraceSeconds,
        logCalls: config.callLog.enabled,
      },
      logger: logger.child({ component: 'hub' }),
      handlers: {
        dial: async (rep, frame) => {
          try {
            const result = await dials.dial({
              requestId: frame.requestId,
              number: frame.number,
              recordId: frame.recordId,
              rep,
            });
            return {
              v: 1,
              type: 'dial.result',
              requestId: frame.requestId,
              ok: true,
              ...(result.pbxCallId === undefined ? {} : { callId: result.pbxCallId }),
            };
          } catch (error) {
            const failure = isSwitchboardError(error)
              ? error
              : new SwitchboardError(ErrorCodes.INTERNAL, 'The call could not be placed');
            return {
              v: 1,
              type: 'dial.result',
              requestId: frame.requestId,
              ok: false,
              error: failure.toJSON(),
            };
          }
        },
        linkRecord: (rep, frame) => {
          const linked = calls.linkRecord(rep.extensions, frame.callId, frame.recordId);
          // A record the rep just created from this pop is not searchable for minutes: the
          // directory remembers it so the caller's next ring finds it (no duplicate record).
          // One of the call's own matches is known already and costs nothing.
          const sameId = (id: string) => id.slice(0, 15) === frame.recordId.slice(0, 15);
          if (!linked.matches.some((match) => sameId(match.id)))
            directory.noteRecordChanged?.('', frame.recordId);
        },
        // The status after storing the note is what call.note.result tells the rep.
        addNote: (rep, frame) =>
          callLog.addNote({
            callId: frame.callId,
            notes: frame.notes,
            disposition: frame.disposition,
            repExtensions: rep.extensions,
          }),
      },
    });
    theHub.attach(server);
    hubRef.current = theHub;
    stack.push(() => theHub.close());

    // A PBX that is down or refuses the login must not stop the bridge: adapters keep
    // retrying in the background, and /healthz reports the PBX as not connected meanwhile.
    stack.push(() => adapter.stop());
    try {
      await adapter.start((event) => {
        try {
          calls.handleEvent(event);
        } catch (error) {
          logger.error(errorFields(error), 'call event could not be handled');
        }
      });
    } catch (error) {
      logger.error(errorFields(error), 'PBX not connected yet; retrying in the background');
    }
    // The first sync may have finished before the AMI login: push the names now.
    directoryIndex?.astDbPusher?.schedule();

    const refreshUsers = async (): Promise<void> => {
      try {
        await users.refresh(await adapter.listUsers());
        hubRef.current?.refreshExtensions();
      } catch (error) {
        logger.warn(
          errorFields(error),
          'user mapping refresh failed; keeping the previous mapping',
        );
      }
    };
    await refreshUsers();
    // Tasks take their owner from this mapping: when Salesforce was down at start, read the
    // users as soon as it answers rather than ten minutes later.
    afterConnect.refreshUsers = () => void refreshUsers();
    const userTimer = setInterval(() => void refreshUsers(), USER_REFRESH_MS);
    userTimer.unref();
    stack.push(() => clearInterval(userTimer));

    logger.info(
      {
        httpUrl,
        wsUrl,
        publicUrl: config.server.publicUrl,
        pbx: adapter.name,
        emulated: emulatedOrg !== undefined,
      },
      'bridge ready',
    );
    return {
      config,
      httpUrl,
      wsUrl,
      port,
      gateway,
      calls,
      hub: theHub,
      adapter,
      emulatedOrg,
      simulator,
      callLog,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

function createPbxAdapter(
  config: Config,
  logger: Logger,
  emulatedOrg: EmulatedOrg | undefined,
): {
  adapter: PbxAdapter;
  simulator?: SimulatorPbxAdapter;
  webhook?: WebhookPbxAdapter;
  asterisk?: AsteriskPbxAdapter;
} {
  const webhookConfig = config.pbx.webhook;
  const webhook =
    webhookConfig === undefined
      ? undefined
      : new WebhookPbxAdapter({
          token: webhookConfig.token,
          dialUrl: webhookConfig.dialUrl,
          dialToken: webhookConfig.dialToken,
          dialTimeoutMs: webhookConfig.dialTimeoutMs,
          logger: logger.child({ component: 'pbx-webhook' }),
        });
  switch (config.pbx.adapter) {
    case 'simulator': {
      const extensions =
        config.users.length > 0 ? config.users.map((u) => u.extension) : ['201', '202', '203'];
      const simulator = new SimulatorPbxAdapter({
        extensions,
        numbers: demoNumbers(emulatedOrg),
        intervalMs: config.pbx.simulator.intervalSeconds * 1000,
        logger: logger.child({ component: 'pbx-simulator' }),
      });
      // The webhook still accepts events next to the simulator (the benchmark injects through it).
      return {
        adapter: webhook === undefined ? simulator : combineAdapters(simulator, webhook),
        simulator,
        webhook,
      };
    }
    case 'webhook':
      if (webhook === undefined)
        throw new SwitchboardError(ErrorCodes.CONFIG_INVALID, 'pbx.webhook is required');
      return { adapter: webhook, webhook };
    case 'asterisk': {
      const asterisk = config.pbx.asterisk;
      if (asterisk === undefined)
        throw new SwitchboardError(ErrorCodes.CONFIG_INVALID, 'pbx.asterisk is required');
      const adapter = new AsteriskPbxAdapter({
        config: asterisk,
        logger: logger.child({ component: 'pbx-asterisk' }),
      });
      return {
        adapter: webhook === undefined ? adapter : combineAdapters(adapter, webhook),
        webhook,
        asterisk: adapter,
      };
    }
  }
}

/** The primary adapter dials and reports users; the secondary only adds its events. */
function combineAdapters(primary: PbxAdapter, secondary: PbxAdapter): PbxAdapter {
  return {
    name: primary.name,
    start: async (listener) => {
      await secondary.start(listener);
      await primary.start(listener);
    },
    stop: async () => {
      await primary.stop();
      await secondary.stop();
    },
    dial: (request) => primary.dial(request),
    listUsers: () => primary.listUsers(),
    isConnected: () => primary.isConnected(),
  };
}

function errorFields(error: unknown): Record<string, unknown> {
  if (isSwitchboardError(error)) return { code: error.code, err: error.message, hint: error.hint };
  return { code: ErrorCodes.INTERNAL, err: error instanceof Error ? error.message : String(error) };
}
