// Loads the configuration once at start-up: YAML file, then SWITCHBOARD__* environment
// overrides, then validation. The result is typed and frozen; nothing else reads process.env.
import { readFileSync } from 'node:fs';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import { ErrorCodes, SwitchboardError } from '../errors';
import { ConfigSchema, type Config } from './schema';

/** Prefix of environment overrides; `__` separates path segments: SWITCHBOARD__SALESFORCE__CLIENT_SECRET. */
export const ENV_PREFIX = 'SWITCHBOARD__';

export interface LoadConfigOptions {
  /** Path to the YAML file; without one the bridge runs the demo. */
  file?: string;
  env?: NodeJS.ProcessEnv;
}

export function loadConfig(options: LoadConfigOptions = {}): Readonly<Config> {
  return parseConfig(readConfigInput(options), options.file);
}

/**
 * The configuration as written: the YAML file (or the demo's) with the environment overrides
 * applied, not yet validated. `check` looks at it for what validation smooths over (a secret
 * pasted with surrounding spaces). Throws for an unreadable file or invalid YAML.
 */
export function readConfigInput(options: LoadConfigOptions = {}): Record<string, unknown> {
  const raw = options.file === undefined ? demoConfigInput() : readYamlFile(options.file);
  applyEnvOverrides(raw, options.env ?? {});
  return raw;
}

/** One key the schema refuses: `salesforce.loginUrl` and what is wrong with it. */
export interface ConfigIssue {
  key: string;
  message: string;
}

/** Validates without throwing: the config, or every key that is wrong. */
export function validateConfig(
  raw: unknown,
): { config: Readonly<Config>; issues: [] } | { config: undefined; issues: ConfigIssue[] } {
  const result = ConfigSchema.safeParse(raw);
  if (result.success) return { config: deepFreeze(result.data), issues: [] };
  return {
    config: undefined,
    issues: result.error.issues.map((issue) => ({
      key: issue.path.map(String).join('.') || '(root)',
      message: issue.message,
    })),
  };
}

/** The environment variable that overrides a key: salesforce.clientSecret → SWITCHBOARD__SALESFORCE__CLIENT_SECRET. */
export function envNameOf(key: string): string {
  return `${ENV_PREFIX}${key
    .split('.')
    .map((s) => s.replace(/([A-Z])/g, '_$1').toUpperCase())
    .join('__')}`;
}

/** What `npm start` without a config runs: emulated org with sample data, simulator PBX. */
export function demoConfigInput(): Record<string, unknown> {
  return {
    server: { port: 8080, host: '127.0.0.1', adminToken: 'demo-admin-token' },
    salesforce: { emulate: 'demo' },
    phone: { defaultCountry: 'US' },
    pbx: {
      adapter: 'simulator',
      simulator: { intervalSeconds: 8 },
      webhook: { token: 'demo-webhook-token-not-for-production' },
    },
    // The sample org's users (bridge/src/demo/sample-org.json) on the simulator's extensions.
    users: [
      { extension: '201', email: 'ana.lopez@acme.example' },
      { extension: '202', email: 'ben.okafor@acme.example' },
      { extension: '203', email: 'chloe.martin@acme.example' },
    ],
    storage: { database: ':memory:' },
    // The local phone index and the PBX phonebook, loaded from the sample org at start.
    directory: { enabled: true, phonebook: { token: 'demo-phonebook-token' } },
  };
}

export function parseConfig(raw: unknown, source = 'configuration'): Readonly<Config> {
  const result = ConfigSchema.safeParse(raw);
  if (!result.success) throw configError(result.error, source);
  return deepFreeze(result.data);
}

function readYamlFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new SwitchboardError(
      ErrorCodes.CONFIG_FILE_UNREADABLE,
      `Cannot read config file ${file}`,
      {
        hint: 'Check the path passed to --config and that the bridge user may read it.',
        cause,
      },
    );
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (cause) {
    const where =
      cause instanceof YAMLParseError && cause.linePos ? ` at line ${cause.linePos[0].line}` : '';
    throw new SwitchboardError(
      ErrorCodes.CONFIG_YAML_INVALID,
      `${file} is not valid YAML${where}`,
      {
        hint: cause instanceof Error ? cause.message.split('\n')[0] : 'Fix the YAML syntax.',
        cause,
      },
    );
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed))
    throw new SwitchboardError(
      ErrorCodes.CONFIG_YAML_INVALID,
      `${file} must hold a mapping of sections (server, salesforce, …)`,
      {
        hint: 'See docs/configuration.md for an example file.',
      },
    );
  return parsed as Record<string, unknown>;
}

/** SWITCHBOARD__PBX__WEBHOOK__TOKEN=x sets pbx.webhook.token; values are read as YAML scalars. */
export function applyEnvOverrides(target: Record<string, unknown>, env: NodeJS.ProcessEnv): void {
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || value === undefined) continue;
    const path = name.slice(ENV_PREFIX.length).split('__').filter(Boolean).map(snakeToCamel);
    if (path.length === 0) continue;
    let node: Record<string, unknown> = target;
    for (const segment of path.slice(0, -1)) {
      const next = node[segment];
      if (typeof next !== 'object' || next === null || Array.isArray(next)) node[segment] = {};
      node = node[segment] as Record<string, unknown>;
    }
    node[path[path.length - 1] as string] = takesText(ConfigSchema, path)
      ? value
      : parseEnvValue(value);
  }
}

/** The parts of a zod schema's definition that lead to the schema of a key. */
interface SchemaDef {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  options?: z.ZodType[];
}

function defOf(schema: z.ZodType): SchemaDef {
  return schema.def;
}

/** The schema under defaults, optionals and transforms: what the value is checked against. */
function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    const def = defOf(current);
    const inner = def.innerType ?? (def.type === 'pipe' ? def.in : undefined);
    if (inner === undefined) return current;
    current = inner;
  }
}

/**
 * Whether the config takes text at this key (a secret, a host, an extension): an environment
 * value for it is kept exactly as typed, so SWITCHBOARD__PBX__ASTERISK__SECRET=123456 stays the
 * text "123456" (not a number the schema refuses) and 1.50 keeps its zero.
 */
function takesText(schema: z.ZodType, path: readonly string[]): boolean {
  let node = unwrap(schema);
  for (const segment of path) {
    const def = defOf(node);
    const child = def.type === 'object' ? def.shape?.[segment] : def.element;
    if (child === undefined) return false;
    node = unwrap(child);
  }
  const def = defOf(node);
  if (def.type === 'union')
    return (def.options ?? []).some((option) => defOf(unwrap(option)).type === 'string');
  return def.type === 'string';
}

/**
 * Plain numbers, booleans and [lists] become typed; everything else stays the exact string,
 * so a secret like `abc #def` or `0123` is not cut at a YAML comment or turned into a number.
 */
function parseEnvValue(value: string): unknown {
  const trimmed = value.trim();
  if (/^(true|false)$/.test(trimmed)) return trimmed === 'true';
  if (/^(0|[1-9]\d*)(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  if (/^\[.*\]$/.test(trimmed)) {
    try {
      return parseYaml(trimmed) as unknown;
    } catch {
      return value;
    }
  }
  return value;
}

function snakeToCamel(segment: string): string {
  return segment.toLowerCase().replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

function configError(error: z.ZodError, source: string): SwitchboardError {
  const problems = error.issues.map((issue) => {
    const key = issue.path.map(String).join('.') || '(root)';
    return `${key}: ${issue.message}`;
  });
  const first = error.issues[0];
  const firstKey = first ? first.path.map(String).join('.') : '';
  return new SwitchboardError(
    ErrorCodes.CONFIG_INVALID,
    `Invalid ${source}: ${problems.join('; ')}`,
    {
      hint: `Fix ${firstKey || 'the file'} (docs/configuration.md lists every key), or override it with ${envNameOf(firstKey)}.`,
      details: { problems },
    },
  );
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
