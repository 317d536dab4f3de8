// Composition helper shared by the bridge and the `sync` command: the Salesforce gateway for a
// config — the emulated org started in-process (salesforce.emulate) or the real org — and
// how to stop what was started. Only composition code imports this (it knows the adapters).
import { readPemSetting } from './config/pem-setting';
import type { Config } from './config/schema';
import { EmulatedOrg, loadSeed } from './demo/emulated-org/emulated-org';
import { ErrorCodes, SwitchboardError } from './errors';
import type { Logger } from './logging/logger';
import type { SalesforceGateway } from './salesforce/gateway';
import { JsforceSalesforceGateway } from './salesforce/jsforce-gateway';

export interface OpenedSalesforce {
  gateway: SalesforceGateway;
  /** Present when salesforce.emulate is set. */
  emulatedOrg?: EmulatedOrg;
  stop(): Promise<void>;
}

export async function openSalesforce(config: Config, logger: Logger): Promise<OpenedSalesforce> {
  const sf = config.salesforce;
  const gatewayLogger = logger.child({ component: 'salesforce' });
  if (sf.emulate !== undefined) {
    const seedFile = sf.emulate;
    const org = await namingTheSeed(seedFile, async () =>
      EmulatedOrg.start({
        seed: loadSeed(seedFile),
        logger: logger.child({ component: 'emulated-org' }),
        apiVersion: sf.apiVersion,
      }),
    );
    return {
      emulatedOrg: org,
      gateway: new JsforceSalesforceGateway({
        loginUrl: org.url,
        flow: 'client_credentials',
        clientId: org.credentials.clientId,
        clientSecret: org.credentials.clientSecret,
        apiVersion: sf.apiVersion,
        logger: gatewayLogger,
      }),
      stop: () => org.stop(),
    };
  }
  if (sf.loginUrl === undefined || sf.clientId === undefined)
    throw new SwitchboardError(
      ErrorCodes.CONFIG_INVALID,
      'salesforce.loginUrl and salesforce.clientId are required',
      { hint: 'Set them, or salesforce.emulate to try the bridge without an org.' },
    );
  return {
    gateway: new JsforceSalesforceGateway({
      loginUrl: sf.loginUrl,
      flow: sf.flow,
      clientId: sf.clientId,
      clientSecret: sf.clientSecret,
      username: sf.username,
      privateKeyPem:
        sf.privateKeyFile === undefined
          ? undefined
          : readPemSetting(sf.privateKeyFile, 'salesforce.privateKeyFile'),
      apiVersion: sf.apiVersion,
      logger: gatewayLogger,
    }),
    stop: () => Promise.resolve(),
  };
}

/** A seed the emulated org refuses is a configuration problem: name the key it came from. */
async function namingTheSeed<T>(seedFile: string, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (error) {
    if (
      error instanceof SwitchboardError &&
      (error.code === ErrorCodes.DEMO_SEED_INVALID ||
        error.code === ErrorCodes.DEMO_SEED_UNREADABLE)
    )
      throw new SwitchboardError(error.code, `salesforce.emulate: ${error.message}`, {
        hint: `${error.hint ?? ''} Fix the file salesforce.emulate names (${seedFile}), or set salesforce.emulate: demo for the built-in sample data.`.trim(),
        cause: error,
        details: error.details,
      });
    throw error;
  }
}
