// Builds the PBX adapter the configuration names (pbx.adapter): the simulator, the generic
// webhook or Asterisk over AMI. With pbx.webhook.token set, the webhook also accepts events
// next to the simulator or Asterisk (the benchmark injects calls through it); the primary
// adapter dials and reports users. Only the composition root calls this.
import type { Config } from '../config/schema';
import { ErrorCodes, SwitchboardError } from '../errors';
import type { Logger } from '../logging/logger';
import type { PbxAdapter } from './adapter';
import type { AstDbWriter } from './astdb-writer';
import { AsteriskPbxAdapter } from './asterisk/asterisk-adapter';
import { SimulatorPbxAdapter } from './simulator/simulator-adapter';
import { WebhookPbxAdapter } from './webhook/webhook-adapter';
import { createWebhookRoutes, type WebhookRoutes } from './webhook/webhook-router';

export interface CreatedPbxAdapter {
  /** What the bridge starts, stops, dials through and reads users from. */
  adapter: PbxAdapter;
  /** Present with pbx.adapter simulator: the demo rings its phones on request. */
  simulator?: SimulatorPbxAdapter;
  /** Present with Asterisk: where the directory may push caller names (directory.astdb). */
  astDb?: AstDbWriter;
  /** POST /pbx/events and /pbx/presence, present when pbx.webhook is configured (mount at /). */
  webhookRoutes?: WebhookRoutes;
  /** The webhook adapter when pbx.webhook is configured (several bridges relay its events). */
  webhook?: WebhookPbxAdapter;
}

export function createPbxAdapter(
  config: Pick<Config, 'pbx' | 'users'>,
  logger: Logger,
  /** Numbers the simulator rings with (the demo's sample records). */
  simulatorNumbers: readonly string[],
): CreatedPbxAdapter {
  const webhookConfig = config.pbx.webhook;
  const webhook =
    webhookConfig === undefined
      ? undefined
      : new WebhookPbxAdapter({
          token: webhookConfig.token,
          dialUrl: webhookConfig.dialUrl,
          dialToken: webhookConfig.dialToken,
          dialTimeoutMs: webhookConfig.dialTimeoutMs,
          presenceUrl: webhookConfig.presenceUrl,
          controlUrl: webhookConfig.controlUrl,
          controls: webhookConfig.controls,
          logger: logger.child({ component: 'pbx-webhook' }),
        });
  const webhookRoutes =
    webhook === undefined
      ? undefined
      : createWebhookRoutes({
          adapter: webhook,
          token: webhook.token,
          logger: logger.child({ component: 'webhook' }),
        });
  const withWebhook = (primary: PbxAdapter) =>
    webhook === undefined ? primary : combineAdapters(primary, webhook);

  switch (config.pbx.adapter) {
    case 'simulator': {
      const extensions =
        config.users.length > 0 ? config.users.map((u) => u.extension) : ['201', '202', '203'];
      const simulator = new SimulatorPbxAdapter({
        extensions,
        numbers: [...simulatorNumbers],
        intervalMs: config.pbx.simulator.intervalSeconds * 1000,
        logger: logger.child({ component: 'pbx-simulator' }),
      });
      return { adapter: withWebhook(simulator), simulator, webhookRoutes, webhook };
    }
    case 'webhook':
      if (webhook === undefined)
        throw new SwitchboardError(ErrorCodes.CONFIG_INVALID, 'pbx.webhook is required');
      return { adapter: webhook, webhookRoutes, webhook };
    case 'asterisk': {
      if (config.pbx.asterisk === undefined)
        throw new SwitchboardError(ErrorCodes.CONFIG_INVALID, 'pbx.asterisk is required');
      const asterisk = new AsteriskPbxAdapter({
        config: config.pbx.asterisk,
        logger: logger.child({ component: 'pbx-asterisk' }),
      });
      return { adapter: withWebhook(asterisk), astDb: asterisk, webhookRoutes, webhook };
    }
  }
}

/** The primary adapter dials and reports users; the secondary only adds its events. */
export function combineAdapters(primary: PbxAdapter, secondary: PbxAdapter): PbxAdapter {
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
    selfCheck: async (uses) => {
      const checks = await Promise.all([
        ...(primary.selfCheck === undefined ? [] : [primary.selfCheck(uses)]),
        ...(secondary.selfCheck === undefined
          ? []
          : [secondary.selfCheck({ ...uses, dialing: false })]),
      ]);
      return {
        summary: checks.map((c) => c.summary).join('; ') || 'nothing to check',
        problems: checks.flatMap((c) => c.problems),
        warnings: checks.flatMap((c) => c.warnings),
      };
    },
    resume: (state) => primary.resume?.(state),
    onConnectionChange: (listener) => primary.onConnectionChange?.(listener),
    // Call controls act on the calls the primary places and sees.
    controls: () => (primary.control === undefined ? [] : (primary.controls?.() ?? [])),
    control: (request) =>
      primary.control === undefined
        ? Promise.reject(
            new SwitchboardError(
              ErrorCodes.CONTROL_NOT_SUPPORTED,
              'The PBX offers no call controls.',
            ),
          )
        : primary.control(request),
    // Presence is set on the primary; either may report a change (the webhook next to Asterisk).
    presenceSupport: () => primary.presenceSupport?.() ?? { states: [], queuePause: false },
    setPresence: (extension, change) =>
      primary.setPresence?.(extension, change) ?? Promise.resolve(),
    readPresence: (extension) => primary.readPresence?.(extension) ?? Promise.resolve(undefined),
    onPresenceChange: (listener) => {
      primary.onPresenceChange?.(listener);
      secondary.onPresenceChange?.(listener);
    },
  };
}
