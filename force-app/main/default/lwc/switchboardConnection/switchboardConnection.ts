// The link to the bridge of the utility bar and the Setup page: fetches a token, opens the WebSocket, says hello,
// turns close codes into explanations a rep can act on, and reconnects with exponential
// backoff and jitter. No UI; the WebSocket constructor, timers and randomness are injected
// so that unit tests drive it without a network or a clock.
import {
  CloseCodes,
  helloFrame,
  parseServerFrame,
  type AdminResultFrame,
  type AdminStatusFrame,
  type CallControlResultFrame,
  type CallFrame,
  type CallNoteResultFrame,
  type ClientFrame,
  type DialResultFrame,
  type ErrorFrame,
  type PbxFrame,
  type PresenceFrame,
  type PresenceResultFrame,
  type ReadyFrame,
  type RepsResultFrame,
} from 'c/switchboardProtocol';
import { formatLabel } from 'c/switchboardFormat';
import LABELS from './labels';

export type ConnectionState = 'idle' | 'connecting' | 'connected' | 'disconnected' | 'failed';

export type ProblemCode =
  | 'NOT_CONFIGURED'
  | 'NOT_ENABLED'
  | 'TOKEN_UNAVAILABLE'
  | 'BAD_TOKEN'
  | 'ORIGIN_NOT_ALLOWED'
  | 'PROTOCOL_MISMATCH'
  | 'HELLO_TIMEOUT'
  | 'UNREACHABLE';

export interface ConnectionProblem {
  code: ProblemCode;
  /** What went wrong, in words a rep understands. */
  message: string;
  /** What to do about it. */
  action: string;
}

export interface ConnectionStatus {
  state: ConnectionState;
  problem?: ConnectionProblem;
  /** While disconnected: when the next attempt starts (ms from now). */
  retryInMs?: number;
  /** Consecutive failed attempts; 0 once connected. */
  attempt: number;
}

export interface ConnectionListener {
  onStatus?(status: ConnectionStatus): void;
  onReady?(frame: ReadyFrame): void;
  onCall?(frame: CallFrame): void;
  onDialResult?(frame: DialResultFrame): void;
  onNoteResult?(frame: CallNoteResultFrame): void;
  onError?(frame: ErrorFrame): void;
  /** The Setup page's frames (only an admin's socket gets them). */
  onAdminStatus?(frame: AdminStatusFrame): void;
  onAdminResult?(frame: AdminResultFrame): void;
  /** The bridge's link to the phone system went down or came back. */
  onPbx?(frame: PbxFrame): void;
  /** The presence of one of the rep's extensions, and the answer to presence.set. */
  onPresence?(frame: PresenceFrame): void;
  onPresenceResult?(frame: PresenceResultFrame): void;
  /** The answer to a call control, and colleagues found by name (c/switchboardCallControls). */
  onControlResult?(frame: CallControlResultFrame): void;
  onRepsResult?(frame: RepsResultFrame): void;
}

/** The part of the DOM WebSocket this class uses; tests pass a fake. */
export interface SocketLike {
  readonly readyState: number;
  onopen: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
  onerror: ((event: Event) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}
export type SocketConstructor = new (url: string) => SocketLike;

export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  factor: number;
}

export interface ConnectionOptions {
  url: string | null | undefined;
  getToken: () => Promise<string>;
  listener: ConnectionListener;
  webSocket?: SocketConstructor;
  timers?: Timers;
  /** Returns a number in [0, 1); Math.random by default. */
  random?: () => number;
  backoff?: Partial<BackoffOptions>;
  /** Consecutive 4401 closes before giving up (each attempt fetches a fresh token). */
  maxAuthFailures?: number;
  /** How long to wait for `ready` after the socket opened. */
  readyTimeoutMs?: number;
  /** The page origin, named in the 4403 explanation. */
  origin?: string;
}

/**
 * The problem to show when Salesforce says the user may not use Switchboard: Apex's "Switchboard
 * is not enabled for your user" (no Switchboard_User custom permission), or no access to the
 * Apex classes at all (no Switchboard User permission set). Undefined for any other error.
 */
export function notEnabledProblem(message: string): ConnectionProblem | undefined {
  if (
    !/permission|not enabled|switchboard_user|do not have access to the Apex class/i.test(message)
  )
    return undefined;
  return { code: 'NOT_ENABLED', message: LABELS.notEnabled, action: LABELS.notEnabledAction };
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 1000, maxMs: 30000, factor: 2 };
const OPEN = 1;

/**
 * Delay before reconnect attempt `attempt` (1-based): exponential, capped, with "equal
 * jitter" — half fixed, half random — so a bridge restart is not met by every rep's
 * browser at the same instant, yet no attempt comes immediately.
 */
export function backoffDelay(attempt: number, backoff: BackoffOptions, random: number): number {
  const exponential = backoff.initialMs * Math.pow(backoff.factor, Math.max(0, attempt - 1));
  const capped = Math.min(backoff.maxMs, exponential);
  return Math.round(capped / 2 + (capped / 2) * random);
}

/** Apex errors arrive as `{body: {message}}`; anything else as Error or string. */
export function errorMessage(error: unknown): string {
  if (typeof error === 'string') return error;
  if (typeof error === 'object' && error !== null) {
    const body = (error as { body?: unknown }).body;
    if (typeof body === 'object' && body !== null) {
      const message = (body as { message?: unknown }).message;
      if (typeof message === 'string') return message;
    }
    const message = (error as { message?: unknown }).message;
    if (typeof message === 'string') return message;
  }
  return LABELS.unknownError;
}

export class SwitchboardConnection {
  private readonly options: ConnectionOptions;
  private readonly backoff: BackoffOptions;
  private readonly timers: Timers;
  private readonly random: () => number;
  private socket: SocketLike | null = null;
  private retryTimer: unknown = null;
  private readyTimer: unknown = null;
  /** Bumped on every attempt and on stop: callbacks of an older attempt are ignored. */
  private generation = 0;
  private attempt = 0;
  private authFailures = 0;
  private current: ConnectionStatus = { state: 'idle', attempt: 0 };

  constructor(options: ConnectionOptions) {
    this.options = options;
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.timers = options.timers ?? {
      // Reconnect backoff and the ready timeout are timers by nature.
      // eslint-disable-next-line @lwc/lwc/no-async-operation
      setTimeout: (callback, ms) => window.setTimeout(callback, ms),
      clearTimeout: (handle) => {
        window.clearTimeout(handle as number);
      },
    };
    this.random = options.random ?? Math.random;
  }

  get status(): ConnectionStatus {
    return this.current;
  }

  get isConnected(): boolean {
    return this.current.state === 'connected';
  }

  /** Starts connecting; safe to call again (it restarts the attempt). */
  start(): void {
    this.clearTimers();
    this.closeSocket();
    this.connect().catch(() => undefined);
  }

  /** Skips the backoff wait, or tries again after a permanent failure. */
  retryNow(): void {
    this.attempt = 0;
    this.authFailures = 0;
    this.start();
  }

  stop(): void {
    this.generation++;
    this.clearTimers();
    this.closeSocket();
    this.setStatus({ state: 'idle', attempt: 0 });
  }

  /** Sends a frame if connected; returns whether it went out. */
  send(frame: ClientFrame): boolean {
    if (!this.socket || this.socket.readyState !== OPEN || !this.isConnected) return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  private async connect(): Promise<void> {
    const generation = ++this.generation;
    const url = this.options.url?.trim();
    if (!url) {
      this.fail({
        code: 'NOT_CONFIGURED',
        message: LABELS.notConfigured,
        action: LABELS.notConfiguredAction,
      });
      return;
    }
    this.setStatus({ state: 'connecting', attempt: this.attempt });

    let token: string;
    try {
      token = await this.options.getToken();
    } catch (error) {
      if (generation !== this.generation) return;
      const message = errorMessage(error);
      const notEnabled = notEnabledProblem(message);
      if (notEnabled !== undefined) {
        this.fail(notEnabled);
      } else {
        this.scheduleRetry({
          code: 'TOKEN_UNAVAILABLE',
          message: formatLabel(LABELS.tokenUnavailable, message),
          action: LABELS.keepsTryingSetup,
        });
      }
      return;
    }
    if (generation !== this.generation) return;

    const SocketClass = this.options.webSocket ?? (globalThis.WebSocket as SocketConstructor);
    let socket: SocketLike;
    try {
      socket = new SocketClass(url);
    } catch {
      this.fail({
        code: 'NOT_CONFIGURED',
        message: formatLabel(LABELS.invalidUrl, url),
        action: LABELS.invalidUrlAction,
      });
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      if (generation !== this.generation) return;
      socket.send(JSON.stringify(helloFrame(token)));
      this.readyTimer = this.timers.setTimeout(() => {
        if (generation !== this.generation) return;
        this.closeSocket();
        this.scheduleRetry({
          code: 'HELLO_TIMEOUT',
          message: LABELS.noAnswer,
          action: LABELS.keepsTryingBridge,
        });
      }, this.options.readyTimeoutMs ?? 15000);
    };
    socket.onmessage = (event: MessageEvent) => {
      if (generation !== this.generation || typeof event.data !== 'string') return;
      this.handleFrame(event.data);
    };
    socket.onclose = (event: CloseEvent) => {
      if (generation !== this.generation) return;
      this.socket = null;
      this.handleClose(event.code, url);
    };
    socket.onerror = () => {
      // A close event always follows; it carries the code we explain.
    };
  }

  private handleFrame(text: string): void {
    const frame = parseServerFrame(text);
    if (!frame) return;
    const listener = this.options.listener;
    switch (frame.type) {
      case 'ready':
        this.clearReadyTimer();
        this.attempt = 0;
        this.authFailures = 0;
        this.setStatus({ state: 'connected', attempt: 0 });
        listener.onReady?.(frame);
        break;
      case 'call':
        listener.onCall?.(frame);
        break;
      case 'dial.result':
        listener.onDialResult?.(frame);
        break;
      case 'call.note.result':
        listener.onNoteResult?.(frame);
        break;
      case 'error':
        listener.onError?.(frame);
        break;
      case 'admin.status':
        listener.onAdminStatus?.(frame);
        break;
      case 'admin.result':
        listener.onAdminResult?.(frame);
        break;
      case 'pbx':
        listener.onPbx?.(frame);
        break;
      case 'presence':
        listener.onPresence?.(frame);
        break;
      case 'presence.result':
        listener.onPresenceResult?.(frame);
        break;
      case 'call.control.result':
        listener.onControlResult?.(frame);
        break;
      case 'reps.result':
        listener.onRepsResult?.(frame);
        break;
      default:
        break;
    }
  }

  private handleClose(code: number, url: string): void {
    this.clearReadyTimer();
    if (code === CloseCodes.ORIGIN_NOT_ALLOWED) {
      const origin = this.options.origin ?? globalThis.location?.origin ?? '';
      this.fail({
        code: 'ORIGIN_NOT_ALLOWED',
        message: formatLabel(LABELS.originRefused, origin),
        action: formatLabel(LABELS.originRefusedAction, origin),
      });
      return;
    }
    if (code === CloseCodes.BAD_FRAME_BEFORE_HELLO) {
      // Retrying cannot help: the same frame would be refused again.
      this.fail({
        code: 'PROTOCOL_MISMATCH',
        message: LABELS.protocolMismatch,
        action: LABELS.protocolMismatchAction,
      });
      return;
    }
    if (code === CloseCodes.UNAUTHORIZED) {
      this.authFailures++;
      if (this.authFailures >= (this.options.maxAuthFailures ?? 3)) {
        this.fail({
          code: 'BAD_TOKEN',
          message: LABELS.tokenRejected,
          action: LABELS.tokenRejectedAction,
        });
        return;
      }
      this.scheduleRetry({
        code: 'BAD_TOKEN',
        message: LABELS.tokenRetry,
        action: LABELS.noActionYet,
      });
      return;
    }
    if (code === CloseCodes.HELLO_TIMEOUT) {
      this.scheduleRetry({
        code: 'HELLO_TIMEOUT',
        message: LABELS.closedBeforeSignIn,
        action: LABELS.keepsTrying,
      });
      return;
    }
    this.scheduleRetry({
      code: 'UNREACHABLE',
      message: formatLabel(LABELS.unreachable, url),
      action: LABELS.unreachableAction,
    });
  }

  private scheduleRetry(problem: ConnectionProblem): void {
    this.clearTimers();
    this.attempt++;
    const delay = backoffDelay(this.attempt, this.backoff, this.random());
    const generation = this.generation;
    this.setStatus({ state: 'disconnected', problem, retryInMs: delay, attempt: this.attempt });
    this.retryTimer = this.timers.setTimeout(() => {
      this.retryTimer = null;
      if (generation !== this.generation) return;
      this.connect().catch(() => undefined);
    }, delay);
  }

  private fail(problem: ConnectionProblem): void {
    this.clearTimers();
    this.closeSocket();
    this.setStatus({ state: 'failed', problem, attempt: this.attempt });
  }

  private setStatus(status: ConnectionStatus): void {
    this.current = status;
    this.options.listener.onStatus?.(status);
  }

  private closeSocket(): void {
    const socket = this.socket;
    this.socket = null;
    if (!socket) return;
    socket.onopen = null;
    socket.onmessage = null;
    socket.onclose = null;
    socket.onerror = null;
    try {
      socket.close(1000, 'closing');
    } catch {
      // Closing a socket that never opened may throw in some browsers; it is gone either way.
    }
  }

  private clearReadyTimer(): void {
    if (this.readyTimer !== null) this.timers.clearTimeout(this.readyTimer);
    this.readyTimer = null;
  }

  private clearTimers(): void {
    this.clearReadyTimer();
    if (this.retryTimer !== null) this.timers.clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }
}
