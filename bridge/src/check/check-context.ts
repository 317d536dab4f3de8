// What a check run works from: the configuration as written and as validated, and the parts it
// probes — the Salesforce gateway and the PBX adapter — opened once, on first use, by whoever
// composes the run (the `check` command builds its own; the bridge at start lends its running
// ones). Steps read the config keys they own and record what they learned for later steps.
import type { ConfigIssue } from '../config/load';
import type { Config } from '../config/schema';
import type { SwitchboardError } from '../errors';
import type { PbxAdapter } from '../pbx/adapter';
import type { OrgIdentity, SalesforceGateway } from '../salesforce/gateway';
import type { CheckStepId, CheckStepResult } from './check-report';

/** The parts a check probes, built for the configuration being checked. */
export interface CheckParts {
  /** The gateway for this configuration (not yet connected). */
  salesforce(config: Readonly<Config>): Promise<SalesforceGateway>;
  /** The PBX adapter, started: logged in, refused, or still trying. */
  pbx(config: Readonly<Config>): Promise<PbxAdapter>;
  /** Releases what the parts opened (nothing, when they belong to a running bridge). */
  close(): Promise<void>;
}

export interface CheckContextOptions {
  /** What is checked, for the report: the config file, or "running bridge". */
  source: string;
  /** The configuration as written (YAML + environment), before validation. */
  input: Record<string, unknown> | undefined;
  /** Why the configuration could not be read at all (unreadable file, invalid YAML). */
  readError?: SwitchboardError;
  config: Readonly<Config> | undefined;
  issues: readonly ConfigIssue[];
  parts: CheckParts;
  /** Whether this is the running bridge checking itself (it listens; the CLI does not). */
  bridgeRunning: boolean;
  now?: () => Date;
  /** Extra CA certificates to trust when reaching the bridge as a browser (tests). */
  trustedCa?: string[];
}

export class CheckContext {
  readonly source: string;
  readonly input: Record<string, unknown> | undefined;
  readonly readError: SwitchboardError | undefined;
  readonly config: Readonly<Config> | undefined;
  readonly issues: readonly ConfigIssue[];
  readonly bridgeRunning: boolean;
  readonly trustedCa: string[] | undefined;
  readonly now: () => Date;
  /** Results so far, for steps that build on earlier ones. */
  readonly results = new Map<CheckStepId, CheckStepResult>();
  /** Set by the Salesforce login step once the token request succeeded. */
  org: OrgIdentity | undefined;
  private gatewayOpened: Promise<SalesforceGateway> | undefined;
  private pbxStarted: Promise<PbxAdapter> | undefined;

  constructor(private readonly options: CheckContextOptions) {
    this.source = options.source;
    this.input = options.input;
    this.readError = options.readError;
    this.config = options.config;
    this.issues = options.issues;
    this.bridgeRunning = options.bridgeRunning;
    this.trustedCa = options.trustedCa;
    this.now = options.now ?? (() => new Date());
  }

  /** The gateway, opened once. Only for steps that run with a valid configuration. */
  gateway(): Promise<SalesforceGateway> {
    this.gatewayOpened ??= this.options.parts.salesforce(this.validConfig());
    return this.gatewayOpened;
  }

  /** The PBX adapter, started once. */
  pbx(): Promise<PbxAdapter> {
    this.pbxStarted ??= this.options.parts.pbx(this.validConfig());
    return this.pbxStarted;
  }

  /** The value at `a.b.c` of the configuration as written, before validation trimmed it. */
  written(key: string): unknown {
    let node: unknown = this.input;
    for (const segment of key.split('.')) {
      if (typeof node !== 'object' || node === null) return undefined;
      node = (node as Record<string, unknown>)[segment];
    }
    return node;
  }

  passed(step: CheckStepId): boolean {
    const status = this.results.get(step)?.status;
    return status === 'pass' || status === 'warn';
  }

  close(): Promise<void> {
    return this.options.parts.close();
  }

  private validConfig(): Readonly<Config> {
    if (this.config === undefined) throw new Error('check: a step needing a valid config ran');
    return this.config;
  }
}
