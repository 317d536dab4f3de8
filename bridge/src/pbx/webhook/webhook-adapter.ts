// The generic HTTP webhook PBX: events come in as JSON POSTs to /pbx/events (see
// webhook-router.ts and docs/webhook.md); dial-out goes as a JSON POST to pbx.webhook.dialUrl,
// presence both ways through webhook-presence.ts (pbx.webhook.presenceUrl, /pbx/presence).
// and the reps' call controls (hang up, transfer, consult, hold) to pbx.webhook.controlUrl.
// For any PBX that can call a URL on call events and place a call when asked over HTTP.
import { randomUUID } from 'node:crypto';
import type { CallEvent } from '../../calls/call';
import { ErrorCodes, SwitchboardError } from '../../errors';
import { numberForLog, type Logger } from '../../logging/logger';
import net from 'node:net';
import { CALL_CONTROL_ACTIONS, type CallControlAction } from '../../protocol/v1';
import type {
  CallEventListener,
  DialRequest,
  DialResult,
  PbxAdapter,
  PbxControlRequest,
  PbxFinding,
  PbxSelfCheck,
  PbxUser,
  PbxUses,
} from '../adapter';
import { WebhookDedup, type WebhookDedupOptions } from './webhook-dedup';
import type {
  PbxPresenceSupport,
  PresenceChange,
  PresenceListener,
  PresenceReport,
} from '../../presence/presence';
import { postPresence } from './webhook-presence';
import { readJson, refusalText } from './webhook-refusal';

/** A validated event and its identity (webhook-dedup.ts eventKey). */
export interface KeyedCallEvent {
  event: CallEvent;
  key: string;
}

/** What `receive` did with the events of one POST. */
export interface Received {
  /** Repeats of events already applied here (not applied again). */
  duplicates: number;
  /**
   * Several bridges: settles once the events are passed on to the others (webhook-relay.ts).
   * The PBX is answered after it, so that an event it was told is accepted reaches every
   * bridge even if this one dies the next moment; a rejection is answered 503 and the PBX
   * retries. Undefined when there is nothing to wait for.
   */
  passedOn?: Promise<void>;
}

/**
 * Told the events of each POST: those applied for the first time, and the repeats (a PBX
 * retry); answers with what the PBX's answer must wait for, if anything.
 */
export type AcceptedListener = (
  fresh: readonly KeyedCallEvent[],
  repeats: readonly KeyedCallEvent[],
) => Promise<void> | undefined;

export interface WebhookPbxAdapterOptions {
  /** The bearer token the PBX sends with events (pbx.webhook.token). */
  token: string;
  /** Where the bridge POSTs dial requests; without it click-to-dial is not supported. */
  dialUrl?: string;
  /** Bearer token sent with dial requests, if the PBX wants one. */
  dialToken?: string;
  dialTimeoutMs: number;
  /** Where the bridge POSTs call controls; without it none is offered. */
  controlUrl?: string;
  /** The controls the PBX endpoint does (default: all of them). */
  controls?: readonly CallControlAction[];
  logger: Logger;
  /** How long and how many applied events are remembered to drop repeats. */
  dedup?: WebhookDedupOptions;
  /** Where the bridge POSTs reps' presence changes; without it presence is not offered. */
  presenceUrl?: string;
}

/** A token shorter than this can be guessed or is a placeholder. */
const MIN_TOKEN_LENGTH = 24;

export class WebhookPbxAdapter implements PbxAdapter {
  readonly name = 'webhook';
  /** The token the router checks; kept here so the composition root has one object to pass. */
  readonly token: string;
  private readonly options: WebhookPbxAdapterOptions;
  private listener: CallEventListener | undefined;
  private readonly dedup: WebhookDedup;
  private readonly presenceListeners: PresenceListener[] = [];
  /** Told the events accepted from the PBX here (several bridges pass them on). */
  private accepted: AcceptedListener | undefined;

  constructor(options: WebhookPbxAdapterOptions) {
    this.options = options;
    this.token = options.token;
    this.dedup = new WebhookDedup(options.dedup);
  }

  start(listener: CallEventListener): Promise<void> {
    this.listener = listener;
    return Promise.resolve();
  }

  stop(): Promise<void> {
    this.listener = undefined;
    return Promise.resolve();
  }

  /** Passive: the link is "up" once the bridge listens for events. */
  isConnected(): boolean {
    return this.listener !== undefined;
  }

  listUsers(): Promise<PbxUser[]> {
    return Promise.resolve([]);
  }

  /** Everything, when the PBX takes presence changes (pbx.webhook.presenceUrl); else nothing. */
  presenceSupport(): PbxPresenceSupport {
    return this.options.presenceUrl === undefined
      ? { states: [], queuePause: false }
      : { states: ['available', 'dnd', 'away'], queuePause: true };
  }

  setPresence(extension: string, change: PresenceChange): Promise<void> {
    const url = this.options.presenceUrl;
    if (url === undefined)
      return Promise.reject(
        new SwitchboardError(
          ErrorCodes.PRESENCE_NOT_SUPPORTED,
          'This phone system takes no presence',
          {
            status: 501,
            hint: 'Set pbx.webhook.presenceUrl to the PBX endpoint that sets presence.',
          },
        ),
      );
    const { dialToken, dialTimeoutMs, logger } = this.options;
    return postPresence(
      {
        url,
        timeoutMs: dialTimeoutMs,
        logger,
        ...(dialToken === undefined ? {} : { token: dialToken }),
      },
      extension,
      change,
    );
  }

  onPresenceChange(listener: PresenceListener): void {
    this.presenceListeners.push(listener);
  }

  /** A change the PBX POSTed to /pbx/presence; false before the bridge listens (503). */
  receivePresence(report: PresenceReport): boolean {
    if (this.listener === undefined) return false;
    for (const listener of this.presenceListeners) listener(report);
    return true;
  }

  /**
   * The token the PBX must send, and whether the dial URL answers at all: a TCP connection to its
   * host, nothing sent — a dial request would ring a phone.
   */
  async selfCheck(uses: PbxUses): Promise<PbxSelfCheck> {
    const problems: PbxFinding[] = [];
    const warnings: PbxFinding[] = [];
    if (this.token.length < MIN_TOKEN_LENGTH)
      warnings.push({
        message: `pbx.webhook.token is ${this.token.length} characters long: short enough to guess.`,
        fix: `Use at least ${MIN_TOKEN_LENGTH} random characters (openssl rand -hex 24), on the bridge and in the PBX.`,
      });
    const { dialUrl } = this.options;
    if (uses.dialing === false)
      return {
        summary: 'events also accepted at POST /pbx/events with the token',
        problems,
        warnings,
      };
    if (dialUrl === undefined) {
      warnings.push({
        message: 'pbx.webhook.dialUrl is not set: click-to-dial is off.',
        fix: 'Set it to the PBX endpoint that places calls (docs/webhook.md), or leave it off.',
      });
      return { summary: 'events accepted at POST /pbx/events with the token', problems, warnings };
    }
    const url = new URL(dialUrl);
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    const reached = await tcpReachable(url.hostname, port, 5000);
    if (reached !== true)
      problems.push({
        message: `pbx.webhook.dialUrl ${url.origin} does not answer (${reached}): click-to-dial will fail.`,
        fix: 'Check the URL, that the PBX endpoint is up, and the firewall from the bridge host.',
      });
    return {
      summary: `events accepted at POST /pbx/events with the token; dial requests go to ${url.origin}`,
      problems,
      warnings,
    };
  }

  /**
   * Hands validated events to the bridge, each once: says how many were repeats of events
   * already applied (and dropped), and what the answer to the PBX waits for. Undefined when the
   * bridge has not started listening yet (the router then answers 503 so the PBX retries;
   * nothing is remembered).
   */
  receive(
    events: readonly KeyedCallEvent[],
    nowMs: number,
    from: { relayed?: boolean } = {},
  ): Received | undefined {
    const listener = this.listener;
    if (listener === undefined) return undefined;
    const firstTime: KeyedCallEvent[] = [];
    const repeats: KeyedCallEvent[] = [];
    for (const keyed of events) {
      const { event, key } = keyed;
      if (!this.dedup.firstTime(key, nowMs)) {
        repeats.push(keyed);
        this.options.logger.debug(
          { pbxCallId: event.pbxCallId, type: event.type },
          'repeated PBX event dropped',
        );
        continue;
      }
      firstTime.push(keyed);
      try {
        listener(event);
      } catch (error) {
        // The listener owns its errors; one bad event must not drop the rest of a batch.
        this.options.logger.error(
          {
            err: error instanceof Error ? error.message : String(error),
            pbxCallId: event.pbxCallId,
          },
          'call event could not be handled',
        );
      }
    }
    const duplicates = repeats.length;
    if (from.relayed === true || this.accepted === undefined) return { duplicates };
    const passedOn = this.accepted(firstTime, repeats);
    return passedOn === undefined ? { duplicates } : { duplicates, passedOn };
  }

  /** The controls offered: those configured, once there is a controlUrl to send them to. */
  controls(): readonly CallControlAction[] {
    if (this.options.controlUrl === undefined) return [];
    return this.options.controls ?? CALL_CONTROL_ACTIONS;
  }

  /**
   * POSTs `{requestId, action, callId, extension, to?}` to the controlUrl (docs/webhook.md);
   * what the PBX then does it reports as events, like any other.
   */
  async control(request: PbxControlRequest): Promise<void> {
    const { controlUrl } = this.options;
    if (controlUrl === undefined || !this.controls().includes(request.action))
      throw new SwitchboardError(
        ErrorCodes.CONTROL_NOT_SUPPORTED,
        `The phone system does not take “${request.action}” from the bridge`,
        { status: 501, hint: 'Set pbx.webhook.controlUrl (and pbx.webhook.controls) to offer it.' },
      );
    const payload = {
      requestId: randomUUID(),
      action: request.action,
      callId: request.pbxCallId,
      extension: request.extension,
      ...(request.to === undefined ? {} : { to: request.to }),
    };
    await this.post(controlUrl, payload, {
      what: 'control',
      context: { action: request.action, extension: request.extension },
      refused: 'The phone system refused it',
      failed: 'The phone system failed to do it',
    });
  }

  /** `listener` gets the events the PBX posted here (not relayed ones), each POST's at once. */
  onAccepted(listener: AcceptedListener): void {
    this.accepted = listener;
  }

  async dial(request: DialRequest): Promise<DialResult> {
    const { dialUrl, logger } = this.options;
    if (dialUrl === undefined) {
      throw new SwitchboardError(
        ErrorCodes.DIAL_NOT_SUPPORTED,
        'Click-to-dial is not set up for this phone system',
        { status: 501, hint: 'Set pbx.webhook.dialUrl to the PBX endpoint that places calls.' },
      );
    }
    const payload: Record<string, string> = {
      requestId: request.requestId,
      extension: request.extension,
      number: request.number,
    };
    if (request.callerIdName !== undefined) payload.callerIdName = request.callerIdName;
    const text = await this.post(dialUrl, payload, {
      what: 'dial-out',
      context: {
        requestId: request.requestId,
        extension: request.extension,
        number: numberForLog(logger, request.number),
      },
      refused: 'The phone system refused the call',
      failed: 'The phone system failed to place the call',
    });
    const callId = readJson(text)?.callId;
    return typeof callId === 'string' && callId !== '' ? { pbxCallId: callId } : {};
  }

  /**
   * POSTs JSON to the PBX with the dial token; resolves with the answer's text on a 2xx. A 4xx
   * is PBX_REFUSED with the PBX's own words; anything else PBX_UNREACHABLE.
   */
  private async post(
    url: string,
    payload: Record<string, unknown>,
    how: { what: string; context: Record<string, unknown>; refused: string; failed: string },
  ): Promise<string> {
    const { dialToken, dialTimeoutMs, logger } = this.options;
    const { what, context } = how;
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/json',
    };
    if (dialToken !== undefined) headers.authorization = `Bearer ${dialToken}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers,
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(dialTimeoutMs),
        redirect: 'error',
      });
    } catch (error) {
      // By name, not instanceof: the DOMException may come from another realm (e.g. jest's VM).
      const timedOut =
        typeof error === 'object' &&
        error !== null &&
        (error as { name?: unknown }).name === 'TimeoutError';
      logger.warn({ ...context, code: ErrorCodes.PBX_UNREACHABLE, timedOut }, `${what} failed`);
      throw new SwitchboardError(
        ErrorCodes.PBX_UNREACHABLE,
        timedOut
          ? `The phone system did not answer within ${dialTimeoutMs} ms`
          : 'The phone system cannot be reached',
        {
          status: 502,
          hint: 'Check pbx.webhook.dialUrl / controlUrl and that the PBX is up; the bridge log has details.',
          cause: error,
        },
      );
    }
    const text = await response.text().catch(() => '');
    if (response.ok) {
      logger.info({ ...context, status: response.status }, `${what} accepted by the PBX`);
      return text;
    }
    if (response.status >= 400 && response.status < 500) {
      const reason = refusalText(text);
      logger.warn(
        { ...context, code: ErrorCodes.PBX_REFUSED, status: response.status },
        `${what} refused by the PBX`,
      );
      throw new SwitchboardError(
        ErrorCodes.PBX_REFUSED,
        reason === '' ? how.refused : `${how.refused}: ${reason}`,
        { status: 502, hint: 'Check the number and your extension, then try again.' },
      );
    }
    logger.warn(
      { ...context, code: ErrorCodes.PBX_UNREACHABLE, status: response.status },
      `${what} failed at the PBX`,
    );
    throw new SwitchboardError(
      ErrorCodes.PBX_UNREACHABLE,
      `${how.failed} (HTTP ${response.status})`,
      { status: 502, hint: 'Try again; if it persists, the PBX log has the details.' },
    );
  }
}

/** True when a TCP connection opens, else why not. */
function tcpReachable(host: string, port: number, timeoutMs: number): Promise<true | string> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.setTimeout(timeoutMs);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(`no answer within ${timeoutMs / 1000} s`);
    });
    socket.once('error', (error) => resolve(error.message));
  });
}
