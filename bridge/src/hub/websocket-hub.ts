// The WebSocket hub: accepts reps' browsers on the bridge's HTTP server (ws in noServer mode),
// checks the Origin at the upgrade, authenticates each socket with the org-signed identity
// token in `hello`, keeps sessions per rep and extension, relays dial/link/note frames to the
// handlers (answering dial and note requests) and pushes call updates and the state of the
// link to the phone system. Admins (a token with the admin role) may also subscribe to the
// bridge's live status, retry parked call logs and run the installation check: the Switchboard
// Setup page. Protocol v1: protocol/v1.ts, docs/protocol.md.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { ErrorCodes, SwitchboardError, isSwitchboardError } from '../errors';
import type { Logger } from '../logging/logger';
import type { UserDirectory } from '../users/user-directory';
import { ConnectionChurn } from './connection-churn';
import type { IdentityVerifier, RepIdentityClaims } from './identity-verifier';
import {
  CloseCodes,
  MAX_FRAME_BYTES,
  PROTOCOL_VERSION,
  type AdminCheckFrame,
  type AdminConnectedUser,
  type AdminRetryFrame,
  type AdminStatus,
  type AdminSubscribeFrame,
  type Call,
  type CallControlAction,
  type CallControlFrame,
  type CallControlResultFrame,
  type CallLinkFrame,
  type CallLogView,
  type CallNoteFrame,
  type CallNoteResultFrame,
  type ClientFrame,
  type DialFrame,
  type DialResultFrame,
  type FrameError,
  type PbxStatus,
  type Presence,
  type PresenceSetFrame,
  type PresenceSupport,
  type ReadyFrame,
  type ReadySettings,
  type RepEntry,
  type RepsSearchFrame,
  type ServerFrame,
} from '../protocol/v1';
import { errorFrame, parseClientFrame, requestIdOf } from './protocol';

/** A rep behind an authenticated socket; `extensions` is looked up fresh for each use. */
export interface AuthenticatedRep {
  orgId: string;
  userId: string;
  email: string;
  extensions: string[];
}

/** A dial the PBX accepted: the PBX's id for the call it places, when it says. */
export interface DialAccepted {
  callId?: string;
}

/**
 * What the hub does with a rep's requests (rep-requests.ts). The hub answers each request
 * itself: a handler returns what the answer needs, or throws a SwitchboardError to refuse it.
 */
export interface HubHandlers {
  /** Places the call; throws to refuse it (the dial service audits every refusal). */
  dial(rep: AuthenticatedRep, frame: DialFrame): Promise<DialAccepted>;
  linkRecord(rep: AuthenticatedRep, frame: CallLinkFrame): void | Promise<void>;
  /**
   * Stores the note; returns the call's log status afterwards (undefined while the call has
   * none yet), which the hub relays in `call.note.result`. Throws to refuse the note.
   */
  addNote(
    rep: AuthenticatedRep,
    frame: CallNoteFrame,
  ): CallLogView | undefined | Promise<CallLogView | undefined>;
  /**
   * Does a call control on the rep's own call; throws a SwitchboardError to refuse it. Absent:
   * every control is refused (CONTROL_NOT_SUPPORTED).
   */
  control?(rep: AuthenticatedRep, frame: CallControlFrame): Promise<void>;
  /** Colleagues to transfer to, by name (`reps.search`). Absent: none. */
  findReps?(rep: AuthenticatedRep, frame: RepsSearchFrame): RepEntry[];
  /** Sets the rep's own presence; returns it afterwards (presence.result). Absent: refused. */
  setPresence?(rep: AuthenticatedRep, frame: PresenceSetFrame): Promise<Presence>;
}

/** The presence room as the hub needs it: what is offered (ready) and each extension's now. */
export interface PresenceSource {
  support(): PresenceSupport;
  current(extensions: readonly string[]): Promise<{ extension: string; presence: Presence }[]>;
}

/**
 * What an admin's Setup page may ask (admin frames), answered for sessions whose token carries
 * the admin role only. Each throws a SwitchboardError to refuse.
 */
export interface AdminRequests {
  /** The live status, read afresh for every push. */
  status(): AdminStatus;
  /** Sends a parked call log again. */
  retry(callId: string): void | Promise<void>;
  /** Runs the installation check; its report is in the next status. */
  check(): Promise<unknown>;
}

export interface ActiveCallSource {
  activeCallsForExtensions(extensions: readonly string[]): Call[];
}

export interface WebSocketHubOptions {
  verifier: IdentityVerifier;
  users: UserDirectory;
  calls: ActiveCallSource;
  handlers: HubHandlers;
  /** Admin requests; without them every admin frame is refused. */
  admin?: AdminRequests;
  /** How often subscribed admins get `admin.status`. Default 5 s. */
  adminStatusMs?: number;
  /** Sent in every `ready` so the utility matches the bridge's call-log settings. */
  settings?: ReadySettings;
  /** The link to the phone system, for `ready`; changes are pushed with publishPbxStatus. */
  pbxStatus?: () => PbxStatus;
  /** The call controls the PBX offers, for `ready`. */
  controls?: () => CallControlAction[];
  /** Presence for `ready` and the `presence` frames after it; changes: publishPresence. */
  presence?: PresenceSource;
  /** Browser origins allowed to connect; requests without an Origin (non-browsers) are allowed. */
  allowedOrigins: readonly string[];
  heartbeatMs: number;
  helloTimeoutMs: number;
  logger: Logger;
  /** Per-socket token bucket; defaults to 20 frames/s with bursts of 40. */
  rateLimit?: { perSecond: number; burst: number };
  /** Milliseconds; for the rate limiter. Tests inject a frozen clock. */
  now?: () => number;
  /** Sockets at once, authenticated or not; more are refused with HTTP 503. Default 10,000. */
  maxSockets?: number;
  /**
   * An authenticated session is closed (1001, the utility reconnects with a fresh token) after
   * this long, so a rep whose permission set was removed or who was deactivated loses the
   * phone within this time. Default 8 hours.
   */
  maxSessionMs?: number;
  /**
   * Sockets that never authenticate are counted and summarized at info once per this many ms
   * (each one's detail is at debug). Default 60 s.
   */
  churnSummaryMs?: number;
  /**
   * How many slices the sockets are pinged in, one slice per heartbeatMs / heartbeatSlices.
   * Default: one slice about every 100 ms. Tests set a few, to drive checkHeartbeats by hand.
   */
  heartbeatSlices?: number;
}

export interface HubStats {
  sockets: number;
  authenticated: number;
  reps: number;
}

type SessionState = 'awaiting-hello' | 'verifying' | 'authenticated' | 'closing';

interface Session {
  id: number;
  socket: WebSocket;
  state: SessionState;
  identity: RepIdentityClaims | undefined;
  /** Extensions this session is indexed under (as of hello or the last refresh). */
  extensions: string[];
  alive: boolean;
  helloTimer: NodeJS.Timeout | undefined;
  /** Ends an authenticated session after maxSessionMs (see the option). */
  renewTimer: NodeJS.Timeout | undefined;
  /** Frames that arrived while the token was being verified; handled after `ready`. */
  queued: string[];
  tokens: number;
  refilledAt: number;
  droppedInARow: number;
  /** An admin's Setup page asked for the live status (admin.subscribe). */
  adminSubscribed: boolean;
}

const DEFAULT_RATE_LIMIT = { perSecond: 20, burst: 40 };
/** A client that keeps sending this many frames after being told it is limited is closed. */
const MAX_DROPPED_IN_A_ROW = 200;
const MAX_QUEUED_BEFORE_READY = 16;
/** A browser that stopped reading: drop it rather than buffer without bound. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
const CLOSE_GRACE_MS = 2000;
const MAX_LOGGED_ORIGINS = 100;
const ADMIN_PUSH_COALESCE_MS = 250;
/** About how often a slice of the sockets is pinged (see attach). */
const HEARTBEAT_TICK_MS = 100;

export class WebSocketHub {
  private readonly wss: WebSocketServer;
  private readonly sessions = new Set<Session>();
  /**
   * The sessions by heartbeat slice (session id modulo the slice count), so that a heartbeat
   * tick visits only its own slice: scanning all 10,000 sockets ten times a second to find a
   * slice's 33 was a fifth of the heartbeat's CPU in the benchmark profile.
   */
  private readonly heartbeatSlices: Set<Session>[];
  private readonly byExtension = new Map<string, Set<Session>>();
  private readonly allowedOrigins: ReadonlySet<string>;
  private readonly refusedOriginsLogged = new Set<string>();
  /** Whether reaching maxSockets was logged since the count last dropped below it. */
  private capLogged = false;
  private readonly logger: Logger;
  private readonly rateLimit: { perSecond: number; burst: number };
  private readonly now: () => number;
  private readonly churn: ConnectionChurn;
  private heartbeat: NodeJS.Timeout | undefined;
  /** Pushes admin.status while any admin is subscribed. */
  private adminTimer: NodeJS.Timeout | undefined;
  /** A push soon after sockets came or went (coalesced: a reconnect storm is one push). */
  private adminPushSoon: NodeJS.Timeout | undefined;
  private attached:
    | { server: Server; listener: (request: IncomingMessage, socket: Duplex, head: Buffer) => void }
    | undefined;
  private nextSessionId = 1;
  private closed = false;

  constructor(private readonly options: WebSocketHubOptions) {
    // The caller names the component (logger.child({ component: 'hub' })).
    this.logger = options.logger;
    this.allowedOrigins = new Set(options.allowedOrigins.map(normalizeOrigin));
    this.rateLimit = options.rateLimit ?? DEFAULT_RATE_LIMIT;
    this.now = options.now ?? Date.now;
    this.churn = new ConnectionChurn(this.logger, options.churnSummaryMs ?? 60_000);
    const slices = options.heartbeatSlices ?? Math.round(options.heartbeatMs / HEARTBEAT_TICK_MS);
    this.heartbeatSlices = Array.from({ length: Math.max(1, slices) }, () => new Set<Session>());
    this.wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      maxPayload: MAX_FRAME_BYTES,
      perMessageDeflate: false,
    });
  }

  /** Serves WebSocket upgrades for `path` on the bridge's shared HTTP(S) server. */
  attach(server: Server, path = '/ws'): void {
    if (this.attached !== undefined) {
      throw new SwitchboardError(ErrorCodes.INTERNAL, 'The WebSocket hub is already attached.', {
        operational: false,
        hint: 'Create one WebSocketHub per HTTP server.',
      });
    }
    const listener = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      this.onUpgrade(server, path, request, socket, head);
    };
    server.on('upgrade', listener);
    this.attached = { server, listener };
    // The sockets are pinged a slice at a time, about ten times a second, each still once per
    // heartbeatMs: pinging 10,000 sockets at once held the event loop for ~0.5 s on a busy
    // machine, and every call ringing meanwhile waited for it; a slice a second (333 pings at
    // 10,000 reps) still held it ~5 ms each second, a tail of the warm p99 (docs/benchmarks.md).
    const slices = this.heartbeatSlices.length;
    let slice = 0;
    this.heartbeat = setInterval(() => {
      this.checkHeartbeats(slice);
      slice = (slice + 1) % slices;
    }, this.options.heartbeatMs / slices);
    this.heartbeat.unref();
  }

  /** Sends a call update to every session of every rep on the call's extension. */
  publishCall(call: Call): void {
    const sessions = this.byExtension.get(call.extension);
    if (sessions === undefined || sessions.size === 0) return;
    const text = JSON.stringify({ v: PROTOCOL_VERSION, type: 'call', call } satisfies ServerFrame);
    for (const session of sessions) this.sendText(session, text);
  }

  /**
   * Tells every rep that the link to the phone system went down or came back (`pbx`), with the
   * controls the PBX offers now: a rep who connected before the PBX said what it allows (or
   * before a manager.conf reload) gets them without reconnecting.
   */
  publishPbxStatus(status: PbxStatus): void {
    const text = JSON.stringify({
      v: PROTOCOL_VERSION,
      type: 'pbx',
      connected: status.connected,
      ...(this.options.controls === undefined ? {} : { controls: this.options.controls() }),
    } satisfies ServerFrame);
    for (const session of this.sessions)
      if (session.state === 'authenticated') this.sendText(session, text);
  }

  /** Tells every socket of the extension's rep its presence now (`presence`). */
  publishPresence(extension: string, presence: Presence): void {
    const sessions = this.byExtension.get(extension);
    if (sessions === undefined) return;
    const text = JSON.stringify({
      v: PROTOCOL_VERSION,
      type: 'presence',
      extension,
      presence,
    } satisfies ServerFrame);
    for (const session of sessions) this.sendText(session, text);
  }

  /**
   * Re-reads every session's extensions from the user directory, for when its mapping changed
   * (e.g. after a reload). Sessions are otherwise indexed as of their `hello`.
   */
  refreshExtensions(): void {
    for (const session of this.sessions) {
      if (session.state === 'authenticated' && session.identity !== undefined) {
        this.index(session, this.extensionsFor(session.identity));
      }
    }
  }

  /**
   * Pings every socket (or those of one heartbeat slice, 0 … heartbeatSlices - 1) and terminates
   * those that did not answer the previous ping. Once attached, each slice runs in turn so that
   * every socket is checked once per heartbeatMs; public so tests can drive it without waiting.
   */
  checkHeartbeats(slice?: number): void {
    const sessions = slice === undefined ? this.sessions : (this.heartbeatSlices[slice] ?? []);
    for (const session of sessions) {
      if (!session.alive) {
        this.logger.info(
          { socketId: session.id, userId: session.identity?.userId },
          'ws missed heartbeat; terminating',
        );
        session.socket.terminate();
        continue;
      }
      session.alive = false;
      try {
        session.socket.ping();
      } catch {
        // The socket is already closing; its close handler cleans up.
      }
    }
  }

  private heartbeatSliceOf(session: Session): Set<Session> {
    const slices = this.heartbeatSlices;
    return slices[session.id % slices.length] as Set<Session>;
  }

  stats(): HubStats {
    let authenticated = 0;
    const reps = new Set<string>();
    for (const session of this.sessions) {
      if (session.state === 'authenticated' && session.identity !== undefined) {
        authenticated += 1;
        reps.add(`${session.identity.orgId}:${session.identity.userId}`);
      }
    }
    return { sockets: this.sessions.size, authenticated, reps: reps.size };
  }

  /** Who is connected: one entry per Salesforce user, with how many sockets (tabs) they have. */
  connectedUsers(): AdminConnectedUser[] {
    const byUser = new Map<string, AdminConnectedUser>();
    for (const session of this.sessions) {
      const identity = session.identity;
      if (session.state !== 'authenticated' || identity === undefined) continue;
      const key = `${identity.orgId}:${identity.userId}`;
      const user = byUser.get(key) ?? {
        userId: identity.userId,
        email: identity.email,
        extensions: [],
        tabs: 0,
        admin: false,
      };
      user.tabs += 1;
      user.admin ||= identity.roles.includes('admin');
      user.extensions = [...new Set([...user.extensions, ...session.extensions])].sort();
      byUser.set(key, user);
    }
    return [...byUser.values()].sort((a, b) => a.email.localeCompare(b.email));
  }

  /** Sends admin.status to every subscribed admin now (after something they would see changed). */
  pushAdminStatus(): void {
    const subscribed = [...this.sessions].filter((s) => s.adminSubscribed);
    if (subscribed.length === 0) {
      if (this.adminTimer !== undefined) clearInterval(this.adminTimer);
      this.adminTimer = undefined;
      return;
    }
    const status = this.adminStatus();
    if (status === undefined) return;
    const text = JSON.stringify({
      v: PROTOCOL_VERSION,
      type: 'admin.status',
      status,
    } satisfies ServerFrame);
    for (const session of subscribed) this.sendText(session, text);
  }

  /** Who is connected changed: subscribed admins hear of it shortly, once per burst. */
  private adminStatusSoon(): void {
    if (this.adminTimer === undefined || this.adminPushSoon !== undefined || this.closed) return;
    this.adminPushSoon = setTimeout(() => {
      this.adminPushSoon = undefined;
      this.pushAdminStatus();
    }, ADMIN_PUSH_COALESCE_MS);
    this.adminPushSoon.unref();
  }

  /** Closes every socket with 1001 (going away) and stops accepting upgrades. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.heartbeat !== undefined) clearInterval(this.heartbeat);
    if (this.adminTimer !== undefined) clearInterval(this.adminTimer);
    if (this.adminPushSoon !== undefined) clearTimeout(this.adminPushSoon);
    if (this.attached !== undefined) {
      this.attached.server.off('upgrade', this.attached.listener);
    }
    const closing = [...this.sessions].map(
      (session) =>
        new Promise<void>((resolve) => {
          if (session.socket.readyState === WebSocket.CLOSED) {
            resolve();
            return;
          }
          const force = setTimeout(() => {
            session.socket.terminate();
          }, CLOSE_GRACE_MS);
          session.socket.once('close', () => {
            clearTimeout(force);
            resolve();
          });
          this.closeSession(session, CloseCodes.GOING_AWAY, 'bridge shutting down');
        }),
    );
    await Promise.all(closing);
    await new Promise<void>((resolve) => {
      this.wss.close(() => {
        resolve();
      });
    });
    this.churn.stop();
  }

  // -------------------------------------------------------------------------------------------
  // Upgrade and connection

  private readonly onUpgradeSocketError = (error: Error): void => {
    this.logger.debug({ err: error }, 'ws upgrade socket error');
  };

  private onUpgrade(
    server: Server,
    path: string,
    request: IncomingMessage,
    socket: Duplex,
    head: Buffer,
  ): void {
    // One listener for every socket: a closure here would keep the upgrade request (its
    // headers, ~20 objects) alive as long as the socket, ~1 KB a rep (docs/benchmarks.md).
    socket.on('error', this.onUpgradeSocketError);
    const pathname = new URL(request.url ?? '/', 'http://bridge.invalid').pathname;
    if (pathname !== path) {
      // Another upgrade listener may own this path; if none does, answer rather than hang.
      if (server.listenerCount('upgrade') === 1) refuseUpgrade(socket, 404, 'Not Found');
      return;
    }
    if (this.closed) {
      refuseUpgrade(socket, 503, 'Service Unavailable');
      return;
    }
    if (this.sessions.size >= (this.options.maxSockets ?? 10_000)) {
      if (!this.capLogged) {
        this.capLogged = true;
        this.logger.warn(
          { sockets: this.sessions.size },
          'WebSocket limit reached; further connections are refused until some close',
        );
      }
      refuseUpgrade(socket, 503, 'Service Unavailable');
      return;
    }
    this.capLogged = false;
    const origin = request.headers.origin;
    if (origin !== undefined && !this.allowedOrigins.has(normalizeOrigin(origin))) {
      const refusal = this.refusedOrigin(origin);
      // Browsers hide an HTTP refusal of an upgrade (the page only sees 1006, "cannot
      // reach"), so the socket is opened just to say why and closed at once: the rep's
      // utility can then name the setting to fix. Nothing else is sent or read on it.
      this.wss.handleUpgrade(request, socket, head, (ws) => {
        ws.send(JSON.stringify(errorFrame(refusal)));
        ws.close(CloseCodes.ORIGIN_NOT_ALLOWED, 'origin not allowed');
      });
      return;
    }
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      this.onConnection(ws, request);
    });
  }

  /** The refusal for a foreign origin, logged once per origin. */
  private refusedOrigin(origin: string): SwitchboardError {
    const key = origin.slice(0, 200);
    const error = new SwitchboardError(
      ErrorCodes.WS_ORIGIN_NOT_ALLOWED,
      `The bridge does not accept connections from ${key}`,
      {
        status: 403,
        hint: `Ask your admin to add ${key} to server.allowedOrigins in the bridge configuration.`,
      },
    );
    if (!this.refusedOriginsLogged.has(key)) {
      if (this.refusedOriginsLogged.size < MAX_LOGGED_ORIGINS) this.refusedOriginsLogged.add(key);
      this.logger.warn({ code: error.code, origin: key, hint: error.hint }, error.message);
    }
    return error;
  }

  private onConnection(socket: WebSocket, request: IncomingMessage): void {
    const session: Session = {
      id: this.nextSessionId++,
      socket,
      state: 'awaiting-hello',
      identity: undefined,
      extensions: [],
      alive: true,
      helloTimer: undefined,
      renewTimer: undefined,
      queued: [],
      tokens: this.rateLimit.burst,
      refilledAt: this.now(),
      droppedInARow: 0,
      adminSubscribed: false,
    };
    this.sessions.add(session);
    this.heartbeatSliceOf(session).add(session);
    // At debug: most sockets say who they are at once ("ws authenticated", info); those that
    // never do are summarized (ConnectionChurn).
    this.logger.debug(
      {
        socketId: session.id,
        origin: request.headers.origin,
        remote: request.socket.remoteAddress,
      },
      'ws connected',
    );

    session.helloTimer = setTimeout(() => {
      if (session.state !== 'awaiting-hello') return;
      this.rejectSession(
        session,
        new SwitchboardError(
          ErrorCodes.WS_HELLO_TIMEOUT,
          `No hello frame within ${this.options.helloTimeoutMs} ms.`,
          { hint: 'Send {"v":1,"type":"hello","token":"…"} right after the socket opens.' },
        ),
        CloseCodes.HELLO_TIMEOUT,
      );
    }, this.options.helloTimeoutMs);

    socket.on('pong', () => {
      session.alive = true;
    });
    socket.on('message', (data: RawData, isBinary: boolean) => {
      this.onMessage(session, data, isBinary).catch((error: unknown) => {
        // Handlers are already guarded; this is a bug in the hub itself. Keep the bridge up.
        this.logger.error({ err: error, socketId: session.id }, 'ws frame handling failed');
      });
    });
    socket.on('error', (error) => {
      // ws closes the socket after this (e.g. a frame over maxPayload → 1009).
      this.logger[session.identity === undefined ? 'debug' : 'info'](
        { socketId: session.id, err: error.message },
        'ws protocol error',
      );
    });
    socket.on('close', (code: number) => {
      this.onClose(session, code);
    });
  }

  private onClose(session: Session, code: number): void {
    if (session.helloTimer !== undefined) clearTimeout(session.helloTimer);
    if (session.renewTimer !== undefined) clearTimeout(session.renewTimer);
    session.state = 'closing';
    this.index(session, []);
    this.sessions.delete(session);
    this.heartbeatSliceOf(session).delete(session);
    if (session.identity === undefined)
      this.churn.closedWithoutAuthenticating({ socketId: session.id, code });
    else {
      this.logger.info(
        { socketId: session.id, userId: session.identity.userId, code },
        'ws closed',
      );
      this.adminStatusSoon();
    }
  }

  // -------------------------------------------------------------------------------------------
  // Frames

  private async onMessage(session: Session, data: RawData, isBinary: boolean): Promise<void> {
    if (session.state === 'closing') return;
    if (!this.takeToken(session)) return;
    if (isBinary) {
      this.replyError(
        session,
        new SwitchboardError(ErrorCodes.WS_BAD_FRAME, 'Binary frames are not supported.', {
          hint: 'Send JSON as text frames.',
        }),
      );
      return;
    }
    const text = rawDataToString(data);
    if (session.state === 'verifying') {
      if (session.queued.length >= MAX_QUEUED_BEFORE_READY) {
        this.replyError(
          session,
          new SwitchboardError(ErrorCodes.WS_NOT_AUTHENTICATED, 'Not authenticated yet.', {
            hint: 'Wait for the ready frame before sending more.',
          }),
        );
        return;
      }
      session.queued.push(text);
      return;
    }
    await this.handleText(session, text);
  }

  private async handleText(session: Session, text: string): Promise<void> {
    let frame: ClientFrame;
    try {
      frame = parseClientFrame(text);
    } catch (thrown) {
      const error = asSwitchboardError(thrown);
      if (session.state === 'awaiting-hello') {
        // Not even a well-formed hello: no point waiting for one.
        this.rejectSession(session, error, CloseCodes.BAD_FRAME_BEFORE_HELLO);
        return;
      }
      this.replyError(session, error, requestIdOf(error));
      return;
    }

    if (session.state === 'awaiting-hello') {
      if (frame.type !== 'hello') {
        this.rejectSession(
          session,
          new SwitchboardError(
            ErrorCodes.WS_NOT_AUTHENTICATED,
            `A ${frame.type} frame arrived before hello.`,
            { hint: 'Send hello with an identity token first and wait for ready.' },
          ),
          CloseCodes.UNAUTHORIZED,
        );
        return;
      }
      await this.authenticate(session, frame.token);
      return;
    }

    switch (frame.type) {
      case 'hello':
        this.replyError(
          session,
          new SwitchboardError(ErrorCodes.WS_BAD_FRAME, 'This socket is already authenticated.', {
            hint: 'Send hello once per socket; open a new socket to change identity.',
          }),
        );
        return;
      case 'dial':
        await this.dial(session, frame);
        return;
      case 'call.link':
        await this.runHandler(session, frame, (rep) =>
          this.options.handlers.linkRecord(rep, frame),
        );
        return;
      case 'call.note':
        await this.addNote(session, frame);
        return;
      case 'call.control':
        await this.control(session, frame);
        return;
      case 'reps.search':
        await this.findReps(session, frame);
        return;
      case 'presence.set':
        await this.setPresence(session, frame);
        return;
      case 'admin.subscribe':
      case 'admin.retry':
      case 'admin.check':
        await this.adminRequest(session, frame);
        return;
    }
  }

  /**
   * An admin frame: refused (AUTH_NOT_ADMIN, the socket stays open) unless the session's token
   * carries the admin role. Retry and check are answered with admin.result and followed by a
   * status push, so every open Setup page sees the outcome.
   */
  private async adminRequest(
    session: Session,
    frame: AdminSubscribeFrame | AdminRetryFrame | AdminCheckFrame,
  ): Promise<void> {
    const identity = session.identity;
    const admin = this.options.admin;
    if (identity === undefined || !identity.roles.includes('admin') || admin === undefined) {
      this.logger.warn(
        { socketId: session.id, userId: identity?.userId, code: ErrorCodes.AUTH_NOT_ADMIN },
        `${frame.type} refused: the token has no admin role`,
      );
      this.send(
        session,
        errorFrame(
          new SwitchboardError(
            ErrorCodes.AUTH_NOT_ADMIN,
            'Only Switchboard admins may see the bridge status and act on it.',
            {
              status: 403,
              hint: 'Ask a Salesforce admin to assign you the Switchboard Admin permission set, then reload the page.',
            },
          ),
          frame.requestId,
        ),
      );
      return;
    }
    let error: FrameError | undefined;
    try {
      if (frame.type === 'admin.subscribe') {
        session.adminSubscribed = true;
        const status = this.adminStatus();
        if (status !== undefined)
          this.send(session, { v: PROTOCOL_VERSION, type: 'admin.status', status });
        this.adminTimer ??= setInterval(() => {
          this.pushAdminStatus();
        }, this.options.adminStatusMs ?? 5000);
        this.adminTimer.unref();
      } else if (frame.type === 'admin.retry') {
        this.logger.info(
          { socketId: session.id, userId: identity.userId, callId: frame.callId },
          'admin retries a parked call log',
        );
        await admin.retry(frame.callId);
      } else {
        this.logger.info(
          { socketId: session.id, userId: identity.userId },
          'admin runs the installation check',
        );
        await admin.check();
      }
    } catch (thrown) {
      error = this.handlerFailure(session, frame.type, thrown);
    }
    if (frame.requestId !== undefined)
      this.send(session, {
        v: PROTOCOL_VERSION,
        type: 'admin.result',
        requestId: frame.requestId,
        ok: error === undefined,
        ...(error === undefined ? {} : { error }),
      });
    if (frame.type !== 'admin.subscribe') this.pushAdminStatus();
  }

  /** The admin status, or undefined (logged) when assembling it failed. */
  private adminStatus(): AdminStatus | undefined {
    try {
      return this.options.admin?.status();
    } catch (error) {
      this.logger.error({ err: error }, 'admin status could not be assembled');
      return undefined;
    }
  }

  private async authenticate(session: Session, token: string): Promise<void> {
    session.state = 'verifying';
    if (session.helloTimer !== undefined) clearTimeout(session.helloTimer);
    // A cleared timer is an object too, held as long as the rep stays connected.
    session.helloTimer = undefined;
    let identity: RepIdentityClaims;
    try {
      identity = await this.options.verifier.verify(token);
    } catch (thrown) {
      this.rejectSession(session, asSwitchboardError(thrown), CloseCodes.UNAUTHORIZED);
      return;
    }
    // The socket may have gone while the token was being checked.
    if (!isVerifying(session)) return;

    let ready: ReadyFrame;
    try {
      const extensions = this.extensionsFor(identity);
      ready = {
        v: PROTOCOL_VERSION,
        type: 'ready',
        user: { id: identity.userId, email: identity.email },
        extensions,
        calls: this.options.calls.activeCallsForExtensions(extensions),
        warnings: this.options.users.warningsForRep(identity),
        ...(this.options.settings === undefined ? {} : { settings: this.options.settings }),
        ...(this.options.pbxStatus === undefined ? {} : { pbx: this.options.pbxStatus() }),
        ...(this.options.controls === undefined ? {} : { controls: this.options.controls() }),
        ...(this.options.presence === undefined
          ? {}
          : { presence: this.options.presence.support() }),
      };
    } catch (thrown) {
      this.logger.error(
        { err: thrown, socketId: session.id, userId: identity.userId },
        'ws session setup failed',
      );
      this.send(
        session,
        errorFrame(
          new SwitchboardError(ErrorCodes.INTERNAL, 'The bridge could not set up the session.', {
            hint: 'Reconnect in a moment; if it persists, see the bridge log.',
          }),
        ),
      );
      this.closeSession(session, CloseCodes.INTERNAL_ERROR, ErrorCodes.INTERNAL);
      return;
    }

    session.identity = identity;
    session.state = 'authenticated';
    this.index(session, ready.extensions);
    this.logger.info(
      {
        socketId: session.id,
        orgId: identity.orgId,
        userId: identity.userId,
        extensions: ready.extensions.length,
        activeCalls: ready.calls.length,
      },
      'ws authenticated',
    );
    this.send(session, ready);
    void this.sendPresence(session, ready.extensions);
    this.adminStatusSoon();
    session.renewTimer = setTimeout(
      () => {
        this.closeSession(session, CloseCodes.GOING_AWAY, 'session renewal: reconnect');
      },
      this.options.maxSessionMs ?? 8 * 3_600_000,
    );
    session.renewTimer.unref();

    const queued = session.queued.splice(0);
    for (const text of queued) await this.handleText(session, text);
  }

  private async dial(session: Session, frame: DialFrame): Promise<void> {
    const result: DialResultFrame = {
      v: PROTOCOL_VERSION,
      type: 'dial.result',
      requestId: frame.requestId,
      ok: true,
    };
    await this.answerAudited(session, result, 'dial', async (rep) => {
      const { callId } = await this.options.handlers.dial(rep, frame);
      if (callId !== undefined) result.callId = callId;
    });
  }

  /** A call control is answered by exactly one `call.control.result`, done or refused. */
  private async control(session: Session, frame: CallControlFrame): Promise<void> {
    const result: CallControlResultFrame = {
      v: PROTOCOL_VERSION,
      type: 'call.control.result',
      requestId: frame.requestId,
      callId: frame.callId,
      action: frame.action,
      ok: true,
    };
    await this.answerAudited(session, result, frame.type, async (rep) => {
      const { handlers } = this.options;
      if (handlers.control === undefined)
        throw new SwitchboardError(
          ErrorCodes.CONTROL_NOT_SUPPORTED,
          'This bridge offers no call controls.',
          { status: 501, hint: 'Use your desk phone.' },
        );
      await handlers.control(rep, frame);
    });
  }

  /**
   * Does a request whose service audits every refusal itself (dial, call.control) and sends its
   * result frame: ok, or the refusal; a bug is logged here.
   */
  private async answerAudited(
    session: Session,
    result: DialResultFrame | CallControlResultFrame,
    what: string,
    work: (rep: AuthenticatedRep) => Promise<void>,
  ): Promise<void> {
    const rep = this.repFor(session);
    if (rep === undefined) return;
    try {
      await work(rep);
    } catch (thrown) {
      result.ok = false;
      result.error = this.handlerFailure(session, what, thrown, { audited: true });
    }
    this.send(session, result);
  }

  private findReps(session: Session, frame: RepsSearchFrame): Promise<void> {
    return this.runHandler(session, frame, (rep) => {
      const reps: RepEntry[] = this.options.handlers.findReps?.(rep, frame) ?? [];
      this.send(session, {
        v: PROTOCOL_VERSION,
        type: 'reps.result',
        requestId: frame.requestId,
        reps,
      });
    });
  }

  /** After `ready`: the presence of each of the rep's extensions (the PBX may be asked first). */
  private async sendPresence(session: Session, extensions: string[]): Promise<void> {
    const presence = this.options.presence;
    if (presence === undefined || extensions.length === 0) return;
    try {
      for (const item of await presence.current(extensions))
        this.send(session, { v: PROTOCOL_VERSION, type: 'presence', ...item });
    } catch (error) {
      this.logger.error({ err: error, socketId: session.id }, 'presence could not be read');
    }
  }

  /** presence.set for the rep's own extensions, answered by exactly one `presence.result`. */
  private async setPresence(session: Session, frame: PresenceSetFrame): Promise<void> {
    const rep = this.repFor(session);
    if (rep === undefined) return;
    const answer = {
      v: PROTOCOL_VERSION,
      type: 'presence.result',
      requestId: frame.requestId,
    } as const;
    try {
      const handlers = this.options.handlers;
      if (handlers.setPresence === undefined)
        throw new SwitchboardError(
          ErrorCodes.PRESENCE_NOT_SUPPORTED,
          'This bridge does not set presence',
          { status: 501 },
        );
      this.send(session, { ...answer, ok: true, presence: await handlers.setPresence(rep, frame) });
    } catch (thrown) {
      const error = this.handlerFailure(session, frame.type, thrown);
      this.send(session, { ...answer, ok: false, error });
    }
  }

  /**
   * A note with a requestId is answered by `call.note.result`, success or not. A failure is
   * also sent as an `error` frame, as before call.note.result existed: clients that predate
   * it ignore the new frame and learn of the failure only that way.
   */
  private async addNote(session: Session, frame: CallNoteFrame): Promise<void> {
    const rep = this.repFor(session);
    if (rep === undefined) return;
    const requestId = frame.requestId;
    let log: CallLogView | undefined;
    try {
      log = await this.options.handlers.addNote(rep, frame);
    } catch (thrown) {
      const error = this.handlerFailure(session, frame.type, thrown);
      if (requestId !== undefined)
        this.send(session, {
          v: PROTOCOL_VERSION,
          type: 'call.note.result',
          requestId,
          ok: false,
          error,
        });
      this.send(session, {
        v: PROTOCOL_VERSION,
        type: 'error',
        ...error,
        ...(requestId === undefined ? {} : { requestId }),
      });
      return;
    }
    if (requestId === undefined) return;
    const result: CallNoteResultFrame = {
      v: PROTOCOL_VERSION,
      type: 'call.note.result',
      requestId,
      ok: true,
    };
    if (log !== undefined) result.log = log;
    this.send(session, result);
  }

  private async runHandler(
    session: Session,
    frame: Pick<ClientFrame, 'type'> & { requestId?: string },
    handler: (rep: AuthenticatedRep) => void | Promise<void>,
  ): Promise<void> {
    const rep = this.repFor(session);
    if (rep === undefined) return;
    try {
      await handler(rep);
    } catch (thrown) {
      const error = this.handlerFailure(session, frame.type, thrown);
      this.send(session, {
        v: PROTOCOL_VERSION,
        type: 'error',
        ...error,
        ...(frame.requestId === undefined ? {} : { requestId: frame.requestId }),
      });
    }
  }

  /**
   * Logs a handler's failure once and returns what the browser may see of it. An expected
   * refusal the handler's service has already logged (`audited`) is not logged again.
   */
  private handlerFailure(
    session: Session,
    what: string,
    thrown: unknown,
    { audited = false } = {},
  ): FrameError {
    const userId = session.identity?.userId;
    if (isSwitchboardError(thrown) && thrown.operational) {
      if (!audited)
        this.logger.warn(
          { socketId: session.id, userId, code: thrown.code, hint: thrown.hint },
          `${what} failed: ${thrown.message}`,
        );
      return thrown.toJSON();
    }
    this.logger.error({ socketId: session.id, userId, err: thrown }, `${what} handler threw`);
    return {
      code: ErrorCodes.INTERNAL,
      message: `The bridge could not complete ${what}.`,
      hint: 'Try again; if it persists, see the bridge log.',
    };
  }

  private repFor(session: Session): AuthenticatedRep | undefined {
    const identity = session.identity;
    if (identity === undefined) return undefined;
    return {
      orgId: identity.orgId,
      userId: identity.userId,
      email: identity.email,
      extensions: this.extensionsFor(identity),
    };
  }

  /**
   * The rep's extensions: by the token's user id, which the user directory bound the mapped
   * email to — never by the email alone (emails are neither unique nor unforgeable look-alikes).
   */
  private extensionsFor(identity: RepIdentityClaims): string[] {
    return this.options.users.extensionsForRep(identity);
  }

  // -------------------------------------------------------------------------------------------
  // Plumbing

  /** Token bucket per socket; tells the client once per run of dropped frames. */
  private takeToken(session: Session): boolean {
    const now = this.now();
    const elapsed = Math.max(0, now - session.refilledAt) / 1000;
    session.tokens = Math.min(
      this.rateLimit.burst,
      session.tokens + elapsed * this.rateLimit.perSecond,
    );
    session.refilledAt = now;
    if (session.tokens >= 1) {
      session.tokens -= 1;
      session.droppedInARow = 0;
      return true;
    }
    session.droppedInARow += 1;
    if (session.droppedInARow === 1) {
      this.logger.warn(
        { socketId: session.id, userId: session.identity?.userId },
        'ws client rate limited',
      );
      this.replyError(
        session,
        new SwitchboardError(
          ErrorCodes.WS_RATE_LIMITED,
          `Too many frames: at most ${this.rateLimit.perSecond}/s (bursts of ${this.rateLimit.burst}); this one was dropped.`,
          { hint: 'Slow down; frames sent while limited are dropped, not queued.' },
        ),
      );
    } else if (session.droppedInARow > MAX_DROPPED_IN_A_ROW) {
      this.closeSession(session, CloseCodes.RATE_LIMITED, ErrorCodes.WS_RATE_LIMITED);
    }
    return false;
  }

  /**
   * Sends an error frame, logs the rejection (in full the first time per kind and interval,
   * then counted: ConnectionChurn), and closes with `code`.
   */
  private rejectSession(session: Session, error: SwitchboardError, code: number): void {
    this.churn.refusedSocket(error, { socketId: session.id, closeCode: code });
    this.send(session, errorFrame(error));
    this.closeSession(session, code, error.code);
  }

  private closeSession(session: Session, code: number, reason: string): void {
    if (session.helloTimer !== undefined) clearTimeout(session.helloTimer);
    if (session.renewTimer !== undefined) clearTimeout(session.renewTimer);
    session.state = 'closing';
    this.index(session, []);
    try {
      session.socket.close(code, reason.slice(0, 120));
    } catch {
      session.socket.terminate();
    }
  }

  private replyError(session: Session, error: SwitchboardError, requestId?: string): void {
    this.logger.info(
      { socketId: session.id, userId: session.identity?.userId, code: error.code },
      `ws frame refused: ${error.message}`,
    );
    this.send(session, errorFrame(error, requestId));
  }

  private send(session: Session, frame: ServerFrame): void {
    this.sendText(session, JSON.stringify(frame));
  }

  private sendText(session: Session, text: string): void {
    const socket = session.socket;
    if (socket.readyState !== WebSocket.OPEN) return;
    if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.logger.warn(
        { socketId: session.id, userId: session.identity?.userId, buffered: socket.bufferedAmount },
        'ws client is not reading; terminating',
      );
      socket.terminate();
      return;
    }
    socket.send(text);
  }

  /** Moves a session in the extension → sessions index. */
  private index(session: Session, extensions: readonly string[]): void {
    for (const extension of session.extensions) {
      const set = this.byExtension.get(extension);
      set?.delete(session);
      if (set?.size === 0) this.byExtension.delete(extension);
    }
    session.extensions = [...new Set(extensions)];
    for (const extension of session.extensions) {
      let set = this.byExtension.get(extension);
      if (set === undefined) {
        set = new Set();
        this.byExtension.set(extension, set);
      }
      set.add(session);
    }
  }
}

/** A function, not an inline check: TypeScript would keep the state narrowed across the await. */
function isVerifying(session: Session): boolean {
  return session.state === 'verifying';
}

function asSwitchboardError(thrown: unknown): SwitchboardError {
  if (isSwitchboardError(thrown)) return thrown;
  return new SwitchboardError(ErrorCodes.INTERNAL, 'Unexpected error.', {
    cause: thrown,
    operational: false,
    hint: 'See the bridge log.',
  });
}

function normalizeOrigin(origin: string): string {
  return origin.trim().toLowerCase().replace(/\/+$/, '');
}

/** A ws message as text, whatever shape ws delivered it in. */
export function rawDataToString(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  const body = `${status} ${reason}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
