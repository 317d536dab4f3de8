// What `check` asks Asterisk, in one short AMI session of its own: can the bridge's manager user
// log in, and which of the actions the adapter needs may it run. ListCommands names exactly the
// actions the user's `write =` classes allow (manager.c lists an action when the user holds one of
// its classes); an action the adapter needs that is not listed is sent bare — Asterisk answers
// "Permission denied" before running it, or "Invalid/unknown command" when no loaded module has
// it — so the report names the manager.conf class to add, or the module to load. Read classes
// cannot be asked: the first call's events show whether `read = call` is there.
import { ErrorCodes, isSwitchboardError, type SwitchboardError } from '../../errors';
import type { Logger } from '../../logging/logger';
import type { PbxFinding, PbxSelfCheck, PbxUses } from '../adapter';
import { AmiClient } from './ami-client';
import type { Config } from '../../config/schema';

type AsteriskConfig = NonNullable<Config['pbx']['asterisk']>;

/** An action the adapter sends, the classes Asterisk registers it with, and what it is for. */
interface NeededAction {
  action: string;
  /** Any one of these in `write =` allows it; the first is the one to add. */
  classes: readonly string[];
  purpose: string;
  /** Without it the bridge still works, with less. */
  optional?: string;
  /** The reps' call controls it does: missing, they are shown as unavailable (a warning). */
  controls?: string;
}

/** The call controls' actions (all registered with class call; Hangup also with system). */
const CONTROL_ACTIONS: readonly { action: string; controls: string }[] = [
  { action: 'Hangup', controls: 'hang up / decline, and completing an attended transfer' },
  { action: 'BlindTransfer', controls: 'transfer' },
  { action: 'Atxfer', controls: 'consult (attended transfer)' },
  { action: 'CancelAtxfer', controls: 'going back to the caller from a consultation' },
];

/** docs/asterisk.md, "Why exactly these classes". */
export function neededActions(config: AsteriskConfig, uses: PbxUses): NeededAction[] {
  const actions: NeededAction[] = [
    { action: 'Originate', classes: ['originate', 'call'], purpose: 'click-to-dial' },
    {
      action: 'CoreShowChannels',
      classes: ['reporting', 'system'],
      purpose: 'calls under way after a (re)connect',
    },
  ];
  if (config.usersFromVoicemail)
    actions.push({
      action: 'VoicemailUsersList',
      classes: ['reporting', 'call'],
      purpose: 'extension ↔ email from voicemail.conf',
      optional: 'or set pbx.asterisk.usersFromVoicemail: false and map users under users:',
    });
  for (const { action, controls } of CONTROL_ACTIONS)
    actions.push({ action, classes: ['call'], purpose: `call controls: ${controls}`, controls });
  if (uses.callerNamePush)
    for (const action of ['DBPut', 'DBDel'])
      actions.push({
        action,
        classes: ['system'],
        purpose: 'caller names into AstDB (directory.astdb)',
      });
  actions.push(...presenceActions(config, uses));
  // One entry per action: the first (a required one) says what it is for.
  return actions.filter((need, i) => actions.findIndex((n) => n.action === need.action) === i);
}

/** What presence from the utility sends (ami-presence.ts); without it only that is off. */
function presenceActions(config: AsteriskConfig, uses: PbxUses): NeededAction[] {
  const { presence } = config;
  const actions: NeededAction[] = [];
  if (uses.presence?.states === true && (presence.presentity !== '' || presence.dndDevice !== ''))
    actions.push({
      action: 'Setvar',
      classes: ['call'],
      purpose: 'presence from the utility (device and presence state)',
      optional: 'or set pbx.presence.states: [] to offer no presence',
    });
  if (uses.presence?.states === true && presence.astdbFamily !== '')
    for (const action of ['DBPut', 'DBDel', 'DBGet'])
      actions.push({
        action,
        classes: ['system', 'reporting'].slice(0, action === 'DBGet' ? 2 : 1),
        purpose: `Do not disturb in AstDB (${presence.astdbFamily}/<extension>)`,
        optional: "or set pbx.asterisk.presence.astdbFamily: ''",
      });
  if (uses.presence?.queuePause === true)
    actions.push({
      action: 'QueuePause',
      classes: ['agent'],
      purpose: 'queue pause from the utility',
      optional: 'or set pbx.presence.queuePause: false',
    });
  return actions;
}

const TIMEOUT_MS = 5000;

export async function checkAmiAccess(
  config: AsteriskConfig,
  uses: PbxUses,
  logger: Logger,
): Promise<PbxSelfCheck> {
  const where = `${config.host}:${config.port}`;
  let resolveLogin: (outcome: LoginOutcome) => void = () => undefined;
  const login = new Promise<LoginOutcome>((resolve) => {
    resolveLogin = resolve;
  });
  const client = new AmiClient(
    {
      host: config.host,
      port: config.port,
      username: config.username,
      secret: config.secret,
      // The check's own session: its lines are the report, not the log.
      logger: logger.child({ component: 'ami-check' }, { level: 'silent' }),
      keepaliveMs: 60_000,
      reconnectMaxMs: 60_000,
      connectTimeoutMs: TIMEOUT_MS,
      actionTimeoutMs: TIMEOUT_MS,
      // It only asks: the call events go to the bridge's own session, not to this one too.
      events: false,
    },
    {
      onEvent: () => undefined,
      onConnected: () => resolveLogin({ kind: 'connected' }),
      onDisconnected: () => undefined,
      onConnectFailed: (reason) => resolveLogin({ kind: 'unreachable', reason }),
      onLoginRefused: (error) => resolveLogin({ kind: 'refused', error }),
    },
  );
  client.start();
  try {
    const outcome = await login;
    if (outcome.kind !== 'connected') return notLoggedIn(outcome, config, where);
    return await review(client, config, uses, where);
  } finally {
    await client.stop();
  }
}

type LoginOutcome =
  | { kind: 'connected' }
  | { kind: 'unreachable'; reason: string | undefined }
  | { kind: 'refused'; error: SwitchboardError };

function notLoggedIn(
  outcome: Exclude<LoginOutcome, { kind: 'connected' }>,
  config: AsteriskConfig,
  where: string,
): PbxSelfCheck {
  const manager = `[${config.username}] in /etc/asterisk/manager.conf`;
  if (outcome.kind === 'refused') {
    const detail = outcome.error.details?.['message'];
    return {
      summary: `no AMI session at ${where}`,
      warnings: [],
      problems: [
        {
          message: `Asterisk refused the AMI login of ${config.username} (${typeof detail === 'string' ? detail : 'refused'}).`,
          fix: `pbx.asterisk.username and pbx.asterisk.secret must match ${manager}, and its permit= must allow the bridge's address.`,
        },
      ],
    };
  }
  const reason = outcome.reason ?? 'no answer';
  // The AMI client says when something answered but not as AMI, or never answered the login.
  const notAmi = /did not (greet|answer)|without answering/i.test(reason);
  return {
    summary: `no AMI session at ${where}`,
    warnings: [],
    problems: [
      notAmi
        ? {
            message: `${where} answered the connection but not as AMI: ${reason}.`,
            fix: 'Check that pbx.asterisk.port is the AMI port (manager.conf [general] port, usually 5038), not another service, and the PBX load.',
          }
        : {
            message: `Nothing answers AMI at ${where} (${reason}).`,
            fix:
              'Check pbx.asterisk.host and port, that manager.conf [general] has enabled = yes and a ' +
              'bindaddr the bridge reaches, and the firewall between them.',
          },
    ],
  };
}

async function review(
  client: AmiClient,
  config: AsteriskConfig,
  uses: PbxUses,
  where: string,
): Promise<PbxSelfCheck> {
  const listing = await client.action({ Action: 'ListCommands' });
  const allowed = new Set(Object.keys(listing));
  const needed = neededActions(config, uses);
  const refused: NeededAction[] = [];
  const warnings: PbxFinding[] = [];
  const problems: PbxFinding[] = [];
  for (const need of needed) {
    if (allowed.has(need.action.toLowerCase())) continue;
    const answer = await probe(client, need.action);
    if (answer === 'allowed') continue;
    if (answer === 'refused' && need.controls !== undefined) {
      warnings.push({
        message: `write = call is missing for the AMI user ${config.username}: Asterisk answers "Permission denied" to ${need.action}, so reps cannot ${need.controls} from Salesforce (shown as unavailable).`,
        fix: `Add call to write = in [${config.username}] of /etc/asterisk/manager.conf to offer it, then run asterisk -rx 'manager reload'; or leave it out on purpose (docs/asterisk.md).`,
      });
      continue;
    }
    if (answer === 'refused') {
      refused.push(need);
      continue;
    }
    const finding = {
      message: `Asterisk has no ${need.action} action (${need.purpose}): the module providing it is not loaded.`,
      fix: `Load the module (docs/asterisk.md names it)${need.optional === undefined ? '' : `, ${need.optional}`}.`,
    };
    (need.optional === undefined ? problems : warnings).push(finding);
  }
  const byClass = new Map<string, NeededAction[]>();
  for (const need of refused) {
    const cls = need.classes[0] ?? 'all';
    byClass.set(cls, [...(byClass.get(cls) ?? []), need]);
  }
  for (const [cls, needs] of byClass) {
    // A class only optional features need is a warning naming what is off without it.
    const optional = needs.every((n) => n.optional !== undefined);
    (optional ? warnings : problems).push({
      message:
        `write = ${cls} is missing for the AMI user ${config.username}: Asterisk answers ` +
        `"Permission denied" to ${needs.map((n) => `${n.action} (${n.purpose})`).join(', ')}` +
        (optional ? ', so that is off.' : '.'),
      fix:
        `Add ${cls} to write = in [${config.username}] of /etc/asterisk/manager.conf, then run ` +
        "asterisk -rx 'manager reload' (docs/asterisk.md explains each class)" +
        (optional ? `, ${[...new Set(needs.map((n) => n.optional))].join(', ')}.` : '.'),
    });
  }
  const granted = needed.filter((n) => !refused.includes(n)).map((n) => n.action);
  return {
    summary:
      `logged in to Asterisk at ${where} as ${config.username}; ` +
      (granted.length > 0
        ? `may run ${granted.join(', ')}`
        : 'may run none of the actions it needs') +
      '; read = call shows once calls ring',
    problems,
    warnings,
  };
}

/** Sends an action the user was not listed for: refused, unknown, or (old Asterisk) allowed. */
async function probe(
  client: AmiClient,
  action: string,
): Promise<'allowed' | 'refused' | 'unknown'> {
  try {
    await client.action({ Action: action });
    return 'allowed';
  } catch (error) {
    if (!isSwitchboardError(error)) throw error;
    if (error.code === ErrorCodes.PBX_ACTION_UNAVAILABLE) return 'unknown';
    if (error.code !== ErrorCodes.PBX_REFUSED) throw error;
    // Refused for want of a class, or run and refused for its (absent) arguments.
    return /permission denied/i.test(error.message) ? 'refused' : 'allowed';
  }
}
