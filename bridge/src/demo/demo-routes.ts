// Demo-only HTTP endpoints, mounted at /demo when the bridge runs against the emulated org.
// They stand in for what Salesforce provides the component in a real org: the identity
// token (Apex SwitchboardTokenController), preferences (SwitchboardPreferencesController)
// and record fields (Lightning Data Service). They never exist with a real org configured.
import express from 'express';
import { z } from 'zod';
import { ErrorCodes, SwitchboardError } from '../errors';
import type { Logger } from '../logging/logger';
import type { SimulatorPbxAdapter } from '../pbx/simulator/simulator-adapter';
import type { EmulatedOrg } from './emulated-org/emulated-org';

export interface DemoRouterOptions {
  org: EmulatedOrg;
  simulator?: SimulatorPbxAdapter;
  logger: Logger;
}

const DEFAULT_EMAIL = 'ana.lopez@acme.example';

export interface DemoPreferences {
  openSingleMatch: boolean;
  createFormForUnknownInbound: boolean;
  createFormForUnknownOutbound: boolean;
}

const PreferencesBody = z
  .object({
    openSingleMatch: z.boolean(),
    createFormForUnknownInbound: z.boolean(),
    createFormForUnknownOutbound: z.boolean(),
  })
  .strict();

const CallBody = z
  .object({
    extension: z.union([
      z.string().min(1).max(20),
      z.array(z.string().min(1).max(20)).min(1).max(10),
    ]),
    number: z.string().min(1).max(64),
    direction: z.enum(['inbound', 'outbound']).default('inbound'),
    answerAfterMs: z.number().int().min(0).max(600_000).nullable().optional(),
    hangupAfterMs: z.number().int().min(0).max(3_600_000).nullable().optional(),
  })
  .strict();

/** A rep pressing DND or queue pause on the desk phone (what reps' utilities then show). */
const PhonePresenceBody = z
  .object({
    extension: z.string().min(1).max(20),
    state: z.enum(['available', 'dnd', 'away']).optional(),
    queuePaused: z.boolean().optional(),
    pauseReason: z.string().min(1).max(40).optional(),
  })
  .strict();

/** Admin-chosen fields per object, as the org default of Switchboard_Settings__c would hold them. */
export const DEMO_FIELDS = {
  contactFields: ['Title', 'Account.Name', 'Owner.Name', 'Email'],
  leadFields: ['Company', 'Status', 'Owner.Name', 'Email'],
  accountFields: ['Industry', 'AnnualRevenue', 'Owner.Name'],
};

export function createDemoRouter(options: DemoRouterOptions): express.Router {
  const { org, simulator } = options;
  const router = express.Router();
  const preferences = new Map<string, DemoPreferences>();

  const userByEmail = (email: string) =>
    org
      .records('User')
      .find((u) => typeof u.Email === 'string' && u.Email.toLowerCase() === email.toLowerCase());
  const emailOf = (req: express.Request): string => {
    const value = req.query.email ?? req.query.as;
    return typeof value === 'string' && value !== '' ? value : DEFAULT_EMAIL;
  };

  router.get('/token', async (req, res) => {
    const user = userByEmail(emailOf(req));
    if (user === undefined)
      throw new SwitchboardError(
        ErrorCodes.HTTP_NOT_FOUND,
        `No user ${emailOf(req)} in the demo org`,
        {
          status: 404,
          hint: 'Demo users: ana.lopez@acme.example, ben.okafor@acme.example, chloe.martin@acme.example',
        },
      );
    res.json({ token: await org.identity.signToken(String(user.Id)) });
  });

  router.get('/preferences', (req, res) => {
    const saved = preferences.get(emailOf(req).toLowerCase());
    const host = req.headers.host ?? '127.0.0.1';
    const wsScheme = req.protocol === 'https' ? 'wss' : 'ws';
    res.json({
      bridgeUrl: `${wsScheme}://${host}/ws`,
      openSingleMatch: saved?.openSingleMatch ?? true,
      createFormForUnknownInbound: saved?.createFormForUnknownInbound ?? false,
      createFormForUnknownOutbound: saved?.createFormForUnknownOutbound ?? false,
      logCalls: true,
      ...DEMO_FIELDS,
    });
  });

  router.post('/preferences', (req, res) => {
    const parsed = PreferencesBody.safeParse(req.body);
    if (!parsed.success)
      throw new SwitchboardError(
        ErrorCodes.HTTP_BAD_JSON,
        `Invalid preferences: ${parsed.error.issues[0]?.message ?? ''}`,
        { status: 400 },
      );
    preferences.set(emailOf(req).toLowerCase(), parsed.data);
    res.json({ ok: true });
  });

  // The UI API record shape getRecord returns: {id, apiName, fields: {Name: {value, displayValue}}}.
  router.get('/records/:id', (req, res) => {
    const id = req.params.id;
    const found = findRecord(org, id);
    // Lightning Data Service answers as the rep: a record their sharing hides is an error.
    const rep = userByEmail(emailOf(req));
    if (found === undefined || (rep !== undefined && !org.canSee(String(rep.Id), id)))
      throw new SwitchboardError(ErrorCodes.HTTP_NOT_FOUND, `No record ${id} for this user`, {
        status: 404,
      });
    const requested =
      typeof req.query.fields === 'string' ? req.query.fields.split(',').filter(Boolean) : [];
    const fields: Record<string, unknown> = {};
    for (const qualified of requested) {
      const [objectName, ...path] = qualified.split('.');
      if (objectName !== found.type || path.length === 0) continue;
      setUiField(fields, path, resolvePath(org, found.record, path));
    }
    res.json({ id, apiName: found.type, fields });
  });

  router.post('/calls', (req, res) => {
    if (simulator === undefined)
      throw new SwitchboardError(
        ErrorCodes.DIAL_NOT_SUPPORTED,
        'The simulator PBX is not running',
        { status: 409 },
      );
    const parsed = CallBody.safeParse(req.body);
    if (!parsed.success)
      throw new SwitchboardError(
        ErrorCodes.PBX_EVENT_INVALID,
        `Invalid call: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
        {
          status: 400,
          hint: 'Send {"extension":"201","number":"+14155551212"}',
        },
      );
    const pbxCallId = simulator.triggerCall(parsed.data);
    res.status(202).json({ pbxCallId });
  });

  router.post('/presence', (req, res) => {
    const parsed = PhonePresenceBody.safeParse(req.body);
    if (simulator === undefined || !parsed.success)
      throw new SwitchboardError(
        ErrorCodes.PBX_EVENT_INVALID,
        simulator === undefined
          ? 'The simulator PBX is not running'
          : `Invalid presence: ${parsed.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') ?? ''}`,
        {
          status: simulator === undefined ? 409 : 400,
          hint: 'Send {"extension":"201","state":"dnd"}',
        },
      );
    const { extension, ...change } = parsed.data;
    simulator.changeOnPhone(extension, change);
    res.status(202).json({ accepted: true });
  });

  return router;
}

function findRecord(
  org: EmulatedOrg,
  id: string,
): { type: string; record: Record<string, unknown> } | undefined {
  for (const type of ['Contact', 'Lead', 'Account', 'User', 'Task']) {
    const record = org
      .records(type)
      .find(
        (r) => r.Id === id || (typeof r.Id === 'string' && r.Id.slice(0, 15) === id.slice(0, 15)),
      );
    if (record !== undefined) return { type, record };
  }
  return undefined;
}

/** Follows Account.Name / Owner.Name through lookups (AccountId, OwnerId) in the emulated org. */
function resolvePath(org: EmulatedOrg, record: Record<string, unknown>, path: string[]): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return undefined;
  if (rest.length === 0) return record[head];
  const refId = record[`${head}Id`];
  if (typeof refId !== 'string') return undefined;
  const target = findRecord(org, refId);
  return target === undefined ? undefined : resolvePath(org, target.record, rest);
}

function setUiField(fields: Record<string, unknown>, path: string[], value: unknown): void {
  const [head, ...rest] = path;
  if (head === undefined) return;
  if (rest.length === 0) {
    const scalar = value === undefined ? null : value;
    fields[head] = {
      value: scalar,
      displayValue: typeof scalar === 'number' ? scalar.toLocaleString('en-US') : null,
    };
    return;
  }
  const existing = fields[head] as { value?: { fields?: Record<string, unknown> } } | undefined;
  const nested = existing?.value?.fields ?? {};
  setUiField(nested, rest, value);
  fields[head] = { value: { fields: nested }, displayValue: null };
}

/** Numbers the simulator rings from: every number in the org's seed, plus a few unknown ones. */
/**
 * The demo endpoints for an emulated org, or none: they hand out identity tokens and record
 * fields without a login, standing in for Salesforce on this machine only, never on an address
 * others can reach.
 */
export function demoRouterFor(
  options: DemoRouterOptions & { host: string },
): express.Router | undefined {
  if (['127.0.0.1', '::1', 'localhost'].includes(options.host)) return createDemoRouter(options);
  options.logger.warn(
    { host: options.host },
    'demo endpoints (/demo/*, the browser page) are off: the bridge listens beyond this machine',
  );
  return undefined;
}

export function demoNumbers(org?: EmulatedOrg): string[] {
  const known: string[] = [];
  if (org !== undefined)
    for (const type of ['Contact', 'Lead', 'Account'])
      for (const record of org.records(type))
        for (const field of ['Phone', 'MobilePhone'])
          if (typeof record[field] === 'string' && record[field] !== '') known.push(record[field]);
  return [...known, '+1 650 555 0100', '+49 30 901820', 'anonymous', '203'];
}
