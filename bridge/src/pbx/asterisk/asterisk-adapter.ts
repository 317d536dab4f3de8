// The Asterisk PbxAdapter: AMI client + call translator. Rebuilds calls under way after every
// (re)connect, places click-to-dial calls with Originate, reads users from voicemail.conf, and
// does the reps' call controls on their own channel (Hangup, BlindTransfer, Atxfer, CancelAtxfer;
// offered as far as the manager user's write classes allow them: ListCommands after connecting).
// It also writes AstDB entries (DBPut/DBDel) for the directory's caller-name push, and sets and
// follows reps' presence and queue pause (ami-presence.ts).
import type { CallEvent } from '../../calls/call';
import type { Config } from '../../config/schema';
import { ErrorCodes, SwitchboardError } from '../../errors';
import { numberForLog, type Logger } from '../../logging/logger';
import type { CallControlAction } from '../../protocol/v1';
import type {
  CallEventListener,
  DialRequest,
  DialResult,
  PbxAdapter,
  PbxControlRequest,
  PbxSelfCheck,
  PbxUser,
  PbxUses,
  ResumeState,
} from '../adapter';
import type { AstDbWriter } from '../astdb-writer';
import type {
  PbxPresenceSupport,
  PresenceChange,
  PresenceListener,
  PresenceReport,
} from '../../presence/presence';
import { checkAmiAccess } from './ami-access-check';
import { AmiCallTranslator } from './ami-call-translator';
import { AmiClient } from './ami-client';
import type { AmiMessage } from './ami-parser';
import { AmiPresence, type PresenceAction } from './ami-presence';

export type AsteriskConfig = NonNullable<Config['pbx']['asterisk']>;

export interface AsteriskAdapterOptions {
  config: AsteriskConfig;
  logger: Logger;
  now?: () => Date;
  /** For tests: reconnect faster than a real deployment should. */
  reconnectInitialMs?: number;
}

interface PendingOriginate {
  request: DialRequest;
  resolve(result: DialResult): void;
  reject(error: SwitchboardError): void;
  timer: NodeJS.Timeout;
}

/**
 * OriginateResponse Reason codes (Asterisk's AST_CONTROL_* values as reported by Originate).
 * A real SIP phone answering 486 gives Reason 0 instead of 5: the leg's own events say busy.
 */
const ORIGINATE_REASON_BUSY = '5';
const ORIGINATE_REASON_NO_ANSWER = '3';

export class AsteriskPbxAdapter implements PbxAdapter, AstDbWriter {
  readonly name = 'asterisk';
  private readonly config: AsteriskConfig;
  private readonly log: Logger;
  private readonly translator: AmiCallTranslator;
  private readonly client: AmiClient;
  private readonly originates = new Map<string, PendingOriginate>();
  private listener: CallEventListener | undefined;
  private readonly connectionListeners: ((connected: boolean) => void)[] = [];
  private readonly presence: AmiPresence;
  private readonly presenceListeners: PresenceListener[] = [];
  private readonly now: () => Date;
  private reportedConnected = false;
  private firstConnect: { resolve(): void; reject(error: SwitchboardError): void } | undefined;
  /** The actions the manager user may send (ListCommands, lower-cased), read at each connect. */
  private allowedActions = new Set<string>();

  constructor(options: AsteriskAdapterOptions) {
    this.config = options.config;
    this.log = options.logger; // named by its creator (pbx-asterisk)
    const now = options.now ?? (() => new Date());
    this.now = now;
    const extensionPattern = new RegExp(this.config.extensionPattern);
    this.presence = new AmiPresence(this.config.presence, this.config.endpointTechnology, (name) =>
      extensionPattern.test(name),
    );
    this.translator = new AmiCallTranslator({
      extensionPattern,
      trunkContexts: this.config.trunkContexts,
      now,
      onClockSkew: (skewMs) => {
        this.log.warn(
          { skewMs },
          "Asterisk's event timestamps are far from the bridge's clock; using the bridge's clock " +
            '(keep both in sync with NTP)',
        );
      },
    });
    this.client = new AmiClient(
      {
        host: this.config.host,
        port: this.config.port,
        username: this.config.username,
        secret: this.config.secret,
        logger: options.logger,
        keepaliveMs: this.config.keepaliveSeconds * 1000,
        reconnectMaxMs: this.config.reconnectMaxSeconds * 1000,
        ...(options.reconnectInitialMs === undefined
          ? {}
          : { reconnectInitialMs: options.reconnectInitialMs }),
      },
      {
        onEvent: (event) => {
          this.onEvent(event);
        },
        onConnected: () => {
          void this.recover();
        },
        onDisconnected: () => {
          this.translator.linkLost(now());
          this.reportConnection(false);
        },
        onConnectFailed: () => {
          // The PBX may come up after the bridge: start anyway, keep trying in the background.
          this.settleFirstConnect();
        },
        onLoginRefused: (error) => {
          const first = this.firstConnect;
          this.firstConnect = undefined;
          first?.reject(error);
        },
      },
    );
  }

  start(listener: CallEventListener): Promise<void> {
    this.listener = listener;
    return new Promise<void>((resolve, reject) => {
      this.firstConnect = { resolve, reject };
      this.client.start();
    });
  }

  async stop(): Promise<void> {
    for (const [id, pending] of this.originates) {
      clearTimeout(pending.timer);
      this.originates.delete(id);
      pending.reject(unreachable('the bridge is shutting down'));
    }
    this.settleFirstConnect();
    await this.client.stop();
    this.listener = undefined;
  }

  isConnected(): boolean {
    return this.client.connected;
  }

  resume(state: ResumeState): void {
    this.translator.resume(state);
  }

  onConnectionChange(listener: (connected: boolean) => void): void {
    this.connectionListeners.push(listener);
  }

  /** A short AMI session of its own: login, and the manager.conf classes the bridge needs. */
  selfCheck(uses: PbxUses): Promise<PbxSelfCheck> {
    return checkAmiAccess(this.config, uses, this.log);
  }

  async dial(request: DialRequest): Promise<DialResult> {
    if (!this.client.connected) throw unreachable('not connected to Asterisk');
    const actionId = `dial-${request.requestId.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 64)}`;
    const callerIdName = (request.callerIdName ?? request.number).replace(/["<>]/g, '');
    const ringMs = this.config.originateTimeoutSeconds * 1000;
    this.translator.expectDial({
      requestId: request.requestId,
      extension: request.extension,
      number: request.callNumber ?? request.number,
    });
    const result = new Promise<DialResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.originates.delete(actionId);
        // Otherwise the next ring on this extension would be taken for this dial.
        this.translator.forgetDial(request.requestId);
        reject(unreachable('Asterisk did not report how the call went'));
      }, ringMs + 15_000);
      this.originates.set(actionId, { request, resolve, reject, timer });
    });
    this.log.info(
      {
        requestId: request.requestId,
        extension: request.extension,
        number: numberForLog(this.log, request.number),
      },
      'originating click-to-dial',
    );
    try {
      await this.client.action({
        Action: 'Originate',
        ActionID: actionId,
        Channel: `${this.config.endpointTechnology}/${request.extension}`,
        Context: this.config.originateContext,
        Exten: request.number,
        Priority: 1,
        CallerID: `"${callerIdName}" <${request.number}>`,
        Timeout: ringMs,
        Async: 'true',
      });
    } catch (error) {
      const pending = this.originates.get(actionId);
      if (pending !== undefined) clearTimeout(pending.timer);
      this.originates.delete(actionId);
      this.translator.forgetDial(request.requestId);
      result.catch(() => undefined);
      if (error instanceof SwitchboardError && error.code === ErrorCodes.PBX_REFUSED) {
        throw new SwitchboardError(ErrorCodes.PBX_REFUSED, 'Asterisk refused to place the call', {
          hint:
            'the AMI user needs write = originate, and pbx.asterisk.originateContext must exist ' +
            'in the dialplan',
          cause: error,
        });
      }
      throw error;
    }
    return result;
  }

  /**
   * The controls the manager user's write classes allow (all need `call`): hang up with Hangup,
   * transfer with BlindTransfer, consult with Atxfer — completed by hanging up the rep's channel,
   * as Asterisk completes an attended transfer when the transferer leaves — and cancelled with
   * CancelAtxfer. Hold is not offered: Park and Redirect hang up the rep's phone (docs/asterisk.md).
   */
  controls(): readonly CallControlAction[] {
    const can = (action: string) => this.allowedActions.has(action);
    const controls: CallControlAction[] = [];
    if (can('hangup')) controls.push('hangup');
    if (can('blindtransfer')) controls.push('transfer');
    if (can('atxfer') && can('hangup')) controls.push('consult', 'consult.complete');
    if (can('atxfer') && can('cancelatxfer')) controls.push('consult.cancel');
    return controls;
  }

  async control(request: PbxControlRequest): Promise<void> {
    if (!this.client.connected) throw unreachable('not connected to Asterisk');
    const channel = this.translator.channelOf(request.pbxCallId, request.extension);
    if (channel === undefined)
      throw new SwitchboardError(
        ErrorCodes.PBX_REFUSED,
        'Asterisk has no channel of your phone on this call any more',
        { status: 409, hint: 'The call may have just ended or moved; look at your phone.' },
      );
    const fields = controlAction(request, channel, this.config.originateContext);
    this.log.info(
      { action: fields.Action, extension: request.extension, pbxCallId: request.pbxCallId },
      'call control',
    );
    try {
      await this.client.action(fields, 'control');
    } catch (error) {
      if (error instanceof SwitchboardError && error.code === ErrorCodes.PBX_REFUSED)
        throw new SwitchboardError(
          ErrorCodes.PBX_REFUSED,
          `Asterisk refused ${fields.Action}: ${error.message}`,
          {
            status: 502,
            hint: /permission denied/i.test(error.message)
              ? `the AMI user needs write = call for ${fields.Action} (docs/asterisk.md)`
              : 'Look at your phone: the call may have changed meanwhile.',
            cause: error,
          },
        );
      throw error;
    }
  }

  async listUsers(): Promise<PbxUser[]> {
    if (!this.config.usersFromVoicemail || !this.client.connected) return [];
    try {
      const entries = await this.client.listAction({ Action: 'VoicemailUsersList' }, 'vmusers');
      const users: PbxUser[] = [];
      for (const entry of entries) {
        const extension = entry.voicemailbox?.trim();
        const email = entry.email?.trim();
        if (
          extension === undefined ||
          extension === '' ||
          email === undefined ||
          !email.includes('@')
        )
          continue;
        const name = entry.fullname?.trim();
        users.push(
          name === undefined || name === '' ? { extension, email } : { extension, email, name },
        );
      }
      return users;
    } catch (error) {
      const code = error instanceof SwitchboardError ? error.code : ErrorCodes.PBX_PROTOCOL_ERROR;
      this.log.warn(
        code === ErrorCodes.PBX_ACTION_UNAVAILABLE
          ? {
              code,
              action: 'VoicemailUsersList',
              hint:
                'Asterisk has no voicemail module (app_voicemail) loaded: load it, or set ' +
                'pbx.asterisk.usersFromVoicemail: false and map users in the config',
            }
          : { code },
        'could not read voicemail users from Asterisk; using the users from the config only',
      );
      return [];
    }
  }

  /** AMI DBPut (class system). The value travels in one header: CR/LF are removed upstream. */
  async put(family: string, key: string, value: string): Promise<void> {
    await this.astDbAction({ Action: 'DBPut', Family: family, Key: key, Val: value });
  }

  /** AMI DBDel (class system); a key that is already gone counts as deleted. */
  async del(family: string, key: string): Promise<void> {
    try {
      await this.astDbAction({ Action: 'DBDel', Family: family, Key: key });
    } catch (error) {
      if (
        error instanceof SwitchboardError &&
        error.code === ErrorCodes.PBX_REFUSED &&
        isNotFound(error.details?.message)
      )
        return;
      throw error;
    }
  }

  presenceSupport(): PbxPresenceSupport {
    return this.presence.support();
  }

  onPresenceChange(listener: PresenceListener): void {
    this.presenceListeners.push(listener);
  }

  /**
   * Sends the actions that express the change (ami-presence.ts), in order; the PBX's events
   * about them come back as presence changes like any other. Stops at the first refusal.
   */
  async setPresence(extension: string, change: PresenceChange): Promise<void> {
    if (!this.client.connected) throw unreachable('not connected to Asterisk');
    for (const action of this.presence.actionsFor(extension, change)) {
      try {
        await this.client.action(action.fields, 'presence');
      } catch (error) {
        if (action.missingIsFine === true && isRefusal(error) && isNotFound(error.message))
          continue;
        throw presenceRefusal(action, error);
      }
    }
    this.log.info({ extension, ...change }, 'presence set on Asterisk');
  }

  /** Where an AstDB family is configured: whether the extension is on DND now (DBGet). */
  async readPresence(extension: string): Promise<PresenceReport | undefined> {
    const action = this.presence.readAction(extension);
    if (action === undefined || !this.client.connected) return undefined;
    try {
      const [item] = await this.client.listAction(action, 'presence');
      return this.presence.readReport(extension, item?.val, this.now());
    } catch (error) {
      if (isRefusal(error) && isNotFound(error.message))
        return this.presence.readReport(extension, undefined, this.now());
      throw error;
    }
  }

  private async astDbAction(fields: Record<string, string>): Promise<void> {
    if (!this.client.connected) throw unreachable('not connected to Asterisk');
    try {
      await this.client.action(fields, 'astdb');
    } catch (error) {
      if (error instanceof SwitchboardError && error.code === ErrorCodes.PBX_REFUSED)
        throw new SwitchboardError(
          ErrorCodes.PBX_REFUSED,
          `Asterisk refused ${String(fields.Action)}: ${error.message}`,
          {
            hint: 'the AMI user needs write = system for DBPut/DBDel (docs/asterisk.md)',
            cause: error,
            details: { message: error.message },
          },
        );
      throw error;
    }
  }

  private onEvent(event: AmiMessage): void {
    if (event.event?.toLowerCase() === 'originateresponse') {
      this.onOriginateResponse(event);
    }
    const presence = this.presence.reportOf(event, this.now());
    if (presence !== undefined) this.emitPresence(presence);
    this.emit(this.translator.handle(event));
  }

  private onOriginateResponse(event: AmiMessage): void {
    const actionId = event.actionid;
    const pending = actionId === undefined ? undefined : this.originates.get(actionId);
    if (pending === undefined || actionId === undefined) return;
    clearTimeout(pending.timer);
    this.originates.delete(actionId);
    if ((event.response ?? '').toLowerCase() === 'success') {
      const pbxCallId = this.translator.pbxCallIdOfChannel(event.uniqueid) ?? event.uniqueid;
      pending.resolve(pbxCallId === undefined ? {} : { pbxCallId });
      return;
    }
    this.translator.forgetDial(pending.request.requestId);
    const reason = event.reason ?? '';
    const outcome = this.translator.ownPhoneOutcome(pending.request.requestId);
    const error =
      reason === ORIGINATE_REASON_BUSY || outcome === 'busy'
        ? new SwitchboardError(ErrorCodes.DIAL_PHONE_BUSY, 'Your phone is busy', {
            hint: 'Finish or hang up the call on your desk phone, then dial again. Nothing was dialed.',
            status: 409,
          })
        : reason === ORIGINATE_REASON_NO_ANSWER || outcome === 'no-answer'
          ? new SwitchboardError(ErrorCodes.DIAL_PHONE_NO_ANSWER, 'Your phone did not answer', {
              hint: 'Pick up your desk phone when it rings: then the number is dialed. Nothing was dialed.',
              status: 409,
            })
          : new SwitchboardError(ErrorCodes.PBX_REFUSED, 'Asterisk could not ring your phone', {
              hint:
                `check that ${this.config.endpointTechnology}/${pending.request.extension} is ` +
                'registered and that pbx.asterisk.endpointTechnology matches your phones',
              status: 502,
              details: { reason },
            });
    pending.reject(error);
  }

  /** Which actions the manager user may send: what controls() offers. */
  private async readAllowedActions(): Promise<void> {
    try {
      this.allowedActions = new Set(
        Object.keys(await this.client.action({ Action: 'ListCommands' })),
      );
    } catch (error) {
      this.allowedActions = new Set();
      this.log.warn(
        { code: error instanceof SwitchboardError ? error.code : ErrorCodes.PBX_PROTOCOL_ERROR },
        'could not list the AMI actions allowed; call controls are not offered',
      );
    }
  }

  private async recover(): Promise<void> {
    await this.readAllowedActions();
    try {
      const channels = await this.client.listAction({ Action: 'CoreShowChannels' }, 'recover');
      this.emit(this.translator.recover(channels));
      this.reportConnection(this.client.connected);
    } catch (error) {
      this.log.warn(
        { code: error instanceof SwitchboardError ? error.code : ErrorCodes.PBX_PROTOCOL_ERROR },
        'could not list channels after connecting; calls under way appear on their next event',
      );
      this.reportConnection(this.client.connected);
    }
    this.settleFirstConnect();
  }

  /** Tells the connection listeners about a change (not about a repeated state). */
  private reportConnection(connected: boolean): void {
    if (connected === this.reportedConnected) return;
    this.reportedConnected = connected;
    for (const listener of [...this.connectionListeners]) {
      try {
        listener(connected);
      } catch (error) {
        this.log.error({ err: error }, 'PBX connection listener threw');
      }
    }
  }

  private settleFirstConnect(): void {
    const first = this.firstConnect;
    this.firstConnect = undefined;
    first?.resolve();
  }

  private emitPresence(report: PresenceReport): void {
    for (const listener of this.presenceListeners) {
      try {
        listener(report);
      } catch (error) {
        this.log.error({ err: error }, 'presence listener threw');
      }
    }
  }

  private emit(events: CallEvent[]): void {
    const listener = this.listener;
    if (listener === undefined) return;
    for (const event of events) {
      try {
        listener(event);
      } catch (error) {
        // A bug downstream must not stop the AMI stream (and every later call with it).
        this.log.error({ err: error, type: event.type }, 'call event listener threw');
      }
    }
  }
}

function isRefusal(error: unknown): error is SwitchboardError {
  return error instanceof SwitchboardError && error.code === ErrorCodes.PBX_REFUSED;
}

/** What the rep and the log are told when Asterisk refuses one of the presence actions. */
function presenceRefusal(action: PresenceAction, error: unknown): unknown {
  if (!isRefusal(error)) return error;
  const name = action.fields.Action ?? 'the action';
  const said = error.message;
  if (/permission denied/i.test(said))
    return new SwitchboardError(
      ErrorCodes.PBX_REFUSED,
      `Asterisk refused ${name}: permission denied`,
      {
        hint: `the AMI user needs write = ${action.writeClass} for ${name} (docs/asterisk.md, "Presence")`,
        status: 502,
        cause: error,
      },
    );
  if (name === 'QueuePause' && /interface not found/i.test(said))
    return new SwitchboardError(
      ErrorCodes.PBX_REFUSED,
      `Asterisk has no queue member ${action.fields.Interface ?? ''}${action.fields.Queue === undefined ? '' : ` in ${action.fields.Queue}`}`,
      {
        hint: 'add the phone to a queue, or set pbx.asterisk.presence.queueInterface and queues to how the queues name it',
        status: 409,
        cause: error,
      },
    );
  return new SwitchboardError(ErrorCodes.PBX_REFUSED, `Asterisk refused ${name}: ${said}`, {
    hint: 'see docs/asterisk.md, "Presence"',
    status: 502,
    cause: error,
  });
}

/**
 * The AMI action for a control, on the rep's own channel: as the captures sip-ami-hangup,
 * sip-ami-blindtransfer, sip-attended-transfer(-cancel) sent them.
 */
function controlAction(
  request: PbxControlRequest,
  channel: string,
  context: string,
): Record<string, string> {
  const exten = request.to?.dial;
  switch (request.action) {
    case 'hangup':
    case 'consult.complete':
      return { Action: 'Hangup', Channel: channel, Cause: '16' };
    case 'transfer':
    case 'consult':
      if (exten === undefined) break;
      return {
        Action: request.action === 'transfer' ? 'BlindTransfer' : 'Atxfer',
        Channel: channel,
        Context: context,
        Exten: exten,
      };
    case 'consult.cancel':
      return { Action: 'CancelAtxfer', Channel: channel };
    default:
      break;
  }
  throw new SwitchboardError(
    ErrorCodes.CONTROL_NOT_SUPPORTED,
    `The Asterisk adapter does not do ${request.action}`,
    { status: 501, hint: 'Use your desk phone for it.' },
  );
}

/** DBDel's answer for a key that does not exist (Asterisk's manager_dbdel). */
function isNotFound(message: unknown): boolean {
  return typeof message === 'string' && /not found/i.test(message);
}

function unreachable(message: string): SwitchboardError {
  return new SwitchboardError(ErrorCodes.PBX_UNREACHABLE, message, {
    hint: 'check that Asterisk is running and its AMI port is reachable from the bridge',
    status: 503,
  });
}
