// AMI over TCP: connect, log in, deliver events, correlate actions with their responses by
// ActionID (with timeouts), keep the link alive with Ping, and reconnect after any loss (PBX
// restart, network drop, failed login): a fast first retry, then exponential backoff with
// jitter under a low ceiling, so the bridge is blind for little longer than the PBX was away.
import net from 'node:net';
import { ErrorCodes, SwitchboardError } from '../../errors';
import { textForLog, type Logger } from '../../logging/logger';
import { AmiParser, formatAction, type AmiMessage } from './ami-parser';

export interface AmiClientOptions {
  host: string;
  port: number;
  username: string;
  secret: string;
  logger: Logger;
  keepaliveMs: number;
  /** Upper bound of the reconnect delay. */
  reconnectMaxMs: number;
  /** The second reconnect delay (the first is FIRST_RETRY_MS); doubles up to reconnectMaxMs. */
  reconnectInitialMs?: number;
  actionTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** For tests: the jitter source (0 ≤ x < 1). */
  random?: () => number;
  /**
   * false: a session for actions only, such as `check`'s (Login with `Events: off`: Asterisk
   * sends it no events, so it costs the PBX nothing while calls flow). Default true.
   */
  events?: boolean;
}

export interface AmiClientHandlers {
  onEvent(event: AmiMessage): void;
  /** After every successful login (first connect and each reconnect). */
  onConnected(): void;
  onDisconnected(): void;
  /** A connection attempt ended before login (PBX down, not AMI, no answer), with the reason. */
  onConnectFailed(reason?: string): void;
  /** A login was refused: wrong credentials or a host the manager user may not connect from. */
  onLoginRefused(error: SwitchboardError): void;
}

type ActionFields = Record<string, string | number | boolean>;

/** The first retry after a loss: a dropped TCP link to a running PBX comes back at once. */
export const FIRST_RETRY_MS = 100;

/**
 * How long to wait before reconnect attempt `attempt` (1 = the first after a loss): about
 * FIRST_RETRY_MS, then `initialMs` doubling up to `maxMs`, each jittered into [half, all] of
 * it so that many bridges do not hammer a PBX that just restarted in step.
 */
export function reconnectDelayMs(
  attempt: number,
  initialMs: number,
  maxMs: number,
  random: () => number,
): number {
  const ceiling =
    attempt <= 1
      ? Math.min(FIRST_RETRY_MS, maxMs)
      : Math.min(maxMs, initialMs * 2 ** Math.min(attempt - 2, 30));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

const HINT_NOT_AMI =
  "check that pbx.asterisk.host and pbx.asterisk.port are Asterisk's AMI (manager.conf [general]: " +
  'enabled = yes, port = 5038), not another service, and that the PBX is not overloaded; the ' +
  'bridge keeps retrying';

function seconds(ms: number): string {
  return `${String(Math.round(ms / 100) / 10)} s`;
}

/** Asterisk's answer to an action it does not have (manager.c): a module is not loaded. */
const UNKNOWN_ACTION = /^Invalid\/unknown command/i;

interface Pending {
  /** The action's name, to say which one Asterisk does not know. */
  action: string;
  resolve(value: AmiMessage[]): void;
  reject(error: SwitchboardError): void;
  timer: NodeJS.Timeout;
  /** List actions (EventList: start) collect their item events until EventList: Complete. */
  items: AmiMessage[] | undefined;
  response: AmiMessage | undefined;
  expectList: boolean;
}

export class AmiClient {
  private socket: net.Socket | undefined;
  private readonly parser: AmiParser;
  private readonly pending = new Map<string, Pending>();
  private nextId = 1;
  private loggedIn = false;
  /**
   * The code of the last login problem logged (refused, unanswered, no greeting): each is
   * logged once, not at every retry, until a login succeeds or the problem changes.
   */
  private loginProblemLogged: string | undefined;
  /** Why the current connection attempt failed, for onConnectFailed (check reports it). */
  private connectProblem: string | undefined;
  private stopped = true;
  private attempt = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private keepaliveTimer: NodeJS.Timeout | undefined;
  private readonly log: Logger;

  constructor(
    private readonly options: AmiClientOptions,
    private readonly handlers: AmiClientHandlers,
  ) {
    this.log = options.logger.child({ part: 'ami', host: options.host, port: options.port });
    this.parser = new AmiParser((problem) => {
      this.log.warn(
        {
          code: ErrorCodes.PBX_PROTOCOL_ERROR,
          // The reason is the parser's own words (its figures, e.g. the size limit, stay
          // readable); the excerpt is raw PBX data carrying CallerIDNum: numbers are masked.
          reason: problem.reason,
          excerpt: textForLog(this.log, problem.excerpt),
        },
        'skipped a malformed AMI frame',
      );
    });
  }

  get connected(): boolean {
    return this.loggedIn;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.attempt = 0;
    this.connect();
  }

  stop(): Promise<void> {
    this.stopped = true;
    if (this.reconnectTimer !== undefined) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    const socket = this.socket;
    if (socket === undefined) return Promise.resolve();
    return new Promise((resolve) => {
      socket.once('close', () => {
        resolve();
      });
      if (this.loggedIn)
        socket.write(formatAction({ Action: 'Logoff', ActionID: this.newId('logoff') }));
      socket.end();
      // A PBX that never closes its side must not hold up shutdown.
      setTimeout(() => socket.destroy(), 1000).unref();
    });
  }

  /** Sends an action and resolves with its response; rejects on `Response: Error` or timeout. */
  async action(fields: ActionFields, idPrefix = 'sb'): Promise<AmiMessage> {
    const [response] = await this.send(fields, idPrefix, false);
    if (response === undefined) throw this.protocolError(String(fields.Action));
    return response;
  }

  /** Sends a list action (CoreShowChannels, VoicemailUsersList) and resolves with its items. */
  async listAction(fields: ActionFields, idPrefix = 'sb'): Promise<AmiMessage[]> {
    const [, ...items] = await this.send(fields, idPrefix, true);
    return items;
  }

  newId(prefix: string): string {
    return `${prefix}-${String(this.nextId++)}`;
  }

  private send(fields: ActionFields, idPrefix: string, expectList: boolean): Promise<AmiMessage[]> {
    const socket = this.socket;
    if (socket === undefined || !this.loggedIn) {
      return Promise.reject(
        new SwitchboardError(ErrorCodes.PBX_UNREACHABLE, 'not connected to Asterisk', {
          hint: 'the bridge reconnects on its own; check that Asterisk is running and the AMI port is reachable',
          status: 503,
        }),
      );
    }
    const actionId = typeof fields.ActionID === 'string' ? fields.ActionID : this.newId(idPrefix);
    return new Promise<AmiMessage[]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(actionId);
        reject(
          new SwitchboardError(
            ErrorCodes.PBX_UNREACHABLE,
            `Asterisk did not answer ${String(fields.Action)} in time`,
            {
              hint: 'check the PBX load and the network between the bridge and Asterisk',
              status: 504,
            },
          ),
        );
      }, this.options.actionTimeoutMs ?? 10_000);
      this.pending.set(actionId, {
        action: String(fields.Action),
        resolve,
        reject,
        timer,
        items: undefined,
        response: undefined,
        expectList,
      });
      socket.write(formatAction({ ...fields, ActionID: actionId }));
    });
  }

  private connect(): void {
    if (this.stopped) return;
    const { host, port } = this.options;
    const socket = net.connect({ host, port });
    this.socket = socket;
    this.parser.reset();
    socket.setNoDelay(true);
    socket.setTimeout(this.options.connectTimeoutMs ?? 10_000);
    let closed = false;
    this.connectProblem = undefined;
    // Until the greeting: once it came, the login's own timer decides (login()).
    socket.on('timeout', () => {
      if (this.loggedIn) return;
      this.logLoginProblem(
        new SwitchboardError(
          ErrorCodes.PBX_LOGIN_UNANSWERED,
          `${host}:${String(port)} did not greet like Asterisk AMI within ` +
            seconds(this.options.connectTimeoutMs ?? 10_000),
          { hint: HINT_NOT_AMI },
        ),
      );
      socket.destroy(new Error('no AMI greeting in time'));
    });
    socket.on('data', (chunk) => {
      for (const parsed of this.parser.push(chunk)) {
        if (parsed.kind === 'greeting') {
          socket.setTimeout(0);
          this.login(socket);
        } else {
          this.dispatch(parsed.message);
        }
      }
    });
    socket.on('error', (error) => {
      this.connectProblem ??= error.message;
      this.log.debug({ err: error.message }, 'AMI socket error');
    });
    socket.on('close', () => {
      if (closed) return;
      closed = true;
      this.onClose(socket);
    });
  }

  private login(socket: net.Socket): void {
    const actionId = this.newId('login');
    const waitMs = this.options.actionTimeoutMs ?? 10_000;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      socket.destroy();
    }, waitMs);
    this.pending.set(actionId, {
      action: 'Login',
      timer,
      items: undefined,
      response: undefined,
      expectList: false,
      resolve: () => {
        this.loggedIn = true;
        this.loginProblemLogged = undefined;
        this.attempt = 0;
        this.log.info({ username: this.options.username }, 'logged in to Asterisk AMI');
        this.startKeepalive(socket);
        this.handlers.onConnected();
      },
      reject: (error) => {
        if (error.code !== ErrorCodes.PBX_REFUSED) {
          // No answer at all is not a refusal: the credentials may be fine. The connection is
          // closed (or already was) and retried like a PBX that is down.
          this.logLoginProblem(
            new SwitchboardError(
              ErrorCodes.PBX_LOGIN_UNANSWERED,
              timedOut
                ? `Asterisk did not answer the AMI login within ${seconds(waitMs)}`
                : 'Asterisk closed the connection without answering the AMI login',
              { hint: HINT_NOT_AMI, details: { username: this.options.username } },
            ),
          );
          socket.destroy();
          return;
        }
        const refused = new SwitchboardError(
          ErrorCodes.PBX_REFUSED,
          'Asterisk refused the AMI login',
          {
            hint:
              'check pbx.asterisk.username and pbx.asterisk.secret against manager.conf, and that the ' +
              "user's permit/deny allows the bridge's address",
            details: { username: this.options.username, message: error.message },
          },
        );
        this.logLoginProblem(refused);
        this.handlers.onLoginRefused(refused);
        socket.destroy();
      },
    });
    // Events: call,agent,user would narrow the stream further; `on` takes what the user's read
    // classes allow, which manager.conf already limits (see docs/asterisk.md). `off` for a
    // session that only sends actions.
    socket.write(
      formatAction({
        Action: 'Login',
        ActionID: actionId,
        Username: this.options.username,
        Secret: this.options.secret,
        Events: this.options.events === false ? 'off' : 'on',
      }),
    );
  }

  /** Logs a login problem once until a login succeeds or a different problem comes up. */
  private logLoginProblem(problem: SwitchboardError): void {
    this.connectProblem = problem.message;
    if (this.loginProblemLogged === problem.code) return;
    this.loginProblemLogged = problem.code;
    this.log.error(
      { code: problem.code, hint: problem.hint, username: this.options.username },
      problem.message,
    );
  }

  private dispatch(message: AmiMessage): void {
    const actionId = message.actionid;
    const pending = actionId === undefined ? undefined : this.pending.get(actionId);
    if (pending !== undefined && actionId !== undefined) {
      if (message.response !== undefined && pending.response === undefined) {
        pending.response = message;
        if (message.response.toLowerCase() === 'error') {
          this.settle(actionId, pending);
          pending.reject(actionError(pending.action, message.message));
          return;
        }
        if (!pending.expectList || message.eventlist?.toLowerCase() !== 'start') {
          // A plain action, or a list action that answered without a list (nothing to list).
          this.settle(actionId, pending);
          pending.resolve([message]);
          return;
        }
        pending.items = [];
        return;
      }
      if (message.event !== undefined && pending.expectList) {
        if (message.eventlist?.toLowerCase() === 'complete') {
          this.settle(actionId, pending);
          pending.resolve([pending.response ?? message, ...(pending.items ?? [])]);
        } else {
          (pending.items ??= []).push(message);
        }
        return;
      }
    }
    if (message.event !== undefined) this.handlers.onEvent(message);
  }

  private settle(actionId: string, pending: Pending): void {
    clearTimeout(pending.timer);
    this.pending.delete(actionId);
  }

  private startKeepalive(socket: net.Socket): void {
    if (this.keepaliveTimer !== undefined) clearInterval(this.keepaliveTimer);
    this.keepaliveTimer = setInterval(() => {
      if (this.socket !== socket) return;
      this.action({ Action: 'Ping' }, 'ping').catch((error: unknown) => {
        // No Pong: the link is dead even if TCP has not noticed; reconnect.
        this.log.warn(
          { err: error instanceof Error ? error.message : String(error) },
          'AMI keepalive failed',
        );
        socket.destroy();
      });
    }, this.options.keepaliveMs);
    this.keepaliveTimer.unref();
  }

  private onClose(socket: net.Socket): void {
    if (this.socket === socket) this.socket = undefined;
    if (this.keepaliveTimer !== undefined) clearInterval(this.keepaliveTimer);
    this.keepaliveTimer = undefined;
    const wasLoggedIn = this.loggedIn;
    this.loggedIn = false;
    for (const [id, pending] of this.pending) {
      this.settle(id, pending);
      pending.reject(
        new SwitchboardError(ErrorCodes.PBX_UNREACHABLE, 'the connection to Asterisk was lost', {
          hint: 'the bridge reconnects on its own; retry in a moment',
          status: 503,
        }),
      );
    }
    if (wasLoggedIn) {
      this.log.warn('lost the AMI connection; reconnecting');
      this.handlers.onDisconnected();
    } else {
      this.handlers.onConnectFailed(this.connectProblem);
    }
    if (this.stopped) return;
    this.attempt += 1;
    const delay = reconnectDelayMs(
      this.attempt,
      this.options.reconnectInitialMs ?? 500,
      this.options.reconnectMaxMs,
      this.options.random ?? Math.random,
    );
    if (this.attempt === 1 || this.attempt % 10 === 0) {
      this.log.info({ attempt: this.attempt, delayMs: delay }, 'AMI reconnect scheduled');
    }
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.connect();
    }, delay);
  }

  private protocolError(action: string): SwitchboardError {
    return new SwitchboardError(ErrorCodes.PBX_PROTOCOL_ERROR, `no response to ${action}`);
  }
}

/** `Response: Error` to an action: refused (permissions, bad arguments) or not known at all. */
function actionError(action: string, message: string | undefined): SwitchboardError {
  if (message !== undefined && UNKNOWN_ACTION.test(message))
    return new SwitchboardError(
      ErrorCodes.PBX_ACTION_UNAVAILABLE,
      `Asterisk does not have the ${action} action`,
      {
        hint: `the Asterisk module that provides ${action} is not loaded (docs/asterisk.md lists them)`,
        details: { action, message },
      },
    );
  return new SwitchboardError(ErrorCodes.PBX_REFUSED, message ?? 'Asterisk returned an error', {
    hint: 'see docs/asterisk.md for the manager.conf permissions the bridge needs',
    details: { action },
  });
}
