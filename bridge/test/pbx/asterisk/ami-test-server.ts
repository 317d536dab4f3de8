// An AMI test server: a real TCP server on 127.0.0.1 that greets like Asterisk 22, checks
// Login, answers Ping / CoreShowChannels / VoicemailUsersList / Originate / DBPut / DBDel /
// DBGet (into an in-memory AstDB, as Asterisk's manager_dbput/dbdel/dbget answer), Setvar of
// DEVICE_STATE / PRESENCE_STATE and QueuePause (with the events the ami-devicestate and
// ami-queuepause captures show, and each error Asterisk answers), and replays a recorded
// capture's frames, optionally cut into random-sized or one-byte TCP writes. Like manager.c it
// Login, answers Ping / CoreShowChannels / VoicemailUsersList / Originate / DBPut / DBDel (into
// an in-memory AstDB, as Asterisk's manager_dbput/manager_dbdel answer), and replays a recorded
// capture's frames, optionally cut into random-sized or one-byte TCP writes. It answers the call
// controls (Hangup, BlindTransfer, Atxfer, CancelAtxfer, Redirect, Park) for the channels its
// replayed frames opened and not yet hung up, in the words of the captures (success; the Park
// line ends in a bare LF, as Asterisk's does) and of manager.c (errors), and then streams the
// next part of a capture (afterActions). Like manager.c it
// holds the manager user's `read =` and `write =` classes: ListCommands lists only the actions
// the write classes allow, any other action is answered "Permission denied" before it runs, and
// replayed events reach the client only when their Privilege class is readable.
import net from 'node:net';
import { headerOf } from './ami-capture';

export interface AmiTestServerOptions {
  username?: string;
  secret?: string;
  /** How replayed bytes are cut into writes: whole frames, random pieces, or byte by byte. */
  split?: 'frames' | 'random' | 'bytes';
  /** CoreShowChannel items (as header maps) returned after each login. */
  channels?: () => Record<string, string>[];
  /** VoicemailUserEntry items returned for VoicemailUsersList. */
  voicemailUsers?: Record<string, string>[];
  /** Frames streamed after an Originate is queued; `ActionID` headers are rewritten. */
  originateScript?: string[];
  /** Answer DBPut/DBDel as a manager user without write = system does. */
  refuseAstDb?: boolean;
  /** Actions this PBX does not have (their module is not loaded), e.g. VoicemailUsersList. */
  unknownActions?: string[];
  /** Greet, then never answer Login (a hung or overloaded manager thread). */
  silentLogin?: boolean;
  /** The manager user's `write =` classes; default all. */
  write?: readonly string[];
  /** The manager user's `read =` classes; default all. */
  read?: readonly string[];
  /** Queue name → its members' interfaces (PJSIP/201), for QueuePause. */
  queues?: Record<string, readonly string[]>;
  /**
   * What the PBX does after a call control it accepted: the frames of the capture's next part,
   * streamed after the answer, for the first entry naming that action (each is used once).
   */
  afterActions?: { action: string; frames: string[] }[];
}

/**
 * The classes Asterisk registers each action with (docs/asterisk.md); holding any one allows it.
 * 0 (none) for the actions every logged-in user may send.
 */
const ACTION_CLASSES: Record<string, readonly string[]> = {
  Login: [],
  Logoff: [],
  Ping: [],
  ListCommands: [],
  Originate: ['originate', 'call'],
  CoreShowChannels: ['system', 'reporting'],
  VoicemailUsersList: ['call', 'reporting'],
  DBPut: ['system'],
  DBDel: ['system'],
  DBGet: ['system', 'reporting'],
  Setvar: ['call'],
  QueuePause: ['agent'],
  Hangup: ['system', 'call'],
  BlindTransfer: ['call'],
  Atxfer: ['call'],
  CancelAtxfer: ['call'],
  Redirect: ['call'],
  Park: ['call'],
};
const SYNOPSIS: Record<string, string> = {
  Login: 'Login Manager.',
  Logoff: 'Logoff Manager.',
  Ping: 'Keepalive command.',
  ListCommands: 'List available manager commands.',
  Originate: 'Originate a call.',
  CoreShowChannels: 'List currently active channels.',
  VoicemailUsersList: 'List All Voicemail User Information.',
  DBPut: 'Put DB entry.',
  DBDel: 'Delete DB entry.',
  DBGet: 'Get DB Entry.',
  Setvar: 'Sets a channel variable or function value.',
  QueuePause: 'Makes a queue member temporarily unavailable.',
  Hangup: 'Hangup channel.',
  BlindTransfer: 'Blind transfer channel(s) to the given destination',
  Atxfer: 'Attended transfer.',
  CancelAtxfer: 'Cancel an attended transfer.',
  Redirect: 'Redirect (transfer) a call.',
  Park: 'Park a channel.',
};

/** Each call control's success answer, as the captures recorded it. */
const CONTROL_ANSWERS: Record<string, string> = {
  Hangup: 'Channel Hungup',
  BlindTransfer: 'Transfer succeeded',
  Atxfer: 'Atxfer successfully queued',
  CancelAtxfer: 'CancelAtxfer successfully queued',
  Redirect: 'Redirect successful',
  // Asterisk's own string ends in a newline: the line reaches the client as `…\n\r\n`.
  Park: 'Park successful\n',
};

export interface ReceivedAction {
  fields: Record<string, string>;
}

export class AmiTestServer {
  readonly received: ReceivedAction[] = [];
  /** The AstDB as DBPut/DBDel left it: `/family/key` → value, like Asterisk's astdb table. */
  readonly astdb = new Map<string, string>();
  private readonly server = net.createServer((socket) => {
    this.onConnection(socket);
  });
  private readonly sockets = new Set<net.Socket>();
  /**
   * Every logged-in session that takes events: like manager.c, events go to each of them, not
   * only the newest. A session that logged in with `Events: off` (check's) gets none.
   */
  private readonly loggedIn = new Set<net.Socket>();
  private waiters: (() => void)[] = [];
  /** Logins of sessions that take events (a bridge's own), not those with `Events: off`. */
  logins = 0;
  /** The replay being written now (send); answers to controls wait for it. */
  private streaming: Promise<void> = Promise.resolve();
  /** Channels the replayed frames opened (Newchannel) and did not hang up yet. */
  readonly channels = new Set<string>();

  /** The manager user's `write =` classes (options.write until reloadManagerUser). */
  private writeClasses: readonly string[] | undefined;

  constructor(private readonly options: AmiTestServerOptions = {}) {
    this.writeClasses = options.write;
  }

  /**
   * The admin edits the manager user's `write =` classes and reloads manager.conf: Asterisk
   * applies them to the next login (undefined: all classes).
   */
  reloadManagerUser(write: readonly string[] | undefined): void {
    this.writeClasses = write;
  }

  async listen(port = 0): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    return this.port;
  }

  get port(): number {
    const address = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('not listening');
    return address.port;
  }

  /** Resolves once a client has logged in (again): `logins` reaches n. */
  async waitForLogin(n = 1): Promise<void> {
    while (this.logins < n) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  /**
   * Writes frames to every logged-in session (Asterisk sends each event to all of them: the
   * bridge's own and, while it lasts, a second one such as `check`'s), cut as configured;
   * events the user may not read are dropped.
   */
  send(frames: readonly string[]): Promise<void> {
    // One stream at a time, as manager.c writes each frame whole: an answer or a second replay
    // never lands inside a frame still being written.
    const sent = this.streaming.then(() => this.write(frames));
    this.streaming = sent.catch(() => undefined);
    return sent;
  }

  private async write(frames: readonly string[]): Promise<void> {
    const sockets = [...this.loggedIn];
    if (sockets.length === 0) throw new Error('no client logged in');
    for (const frame of frames) this.followChannels(frame);
    const bytes = Buffer.from(frames.filter((f) => this.readable(f)).join(''), 'utf8');
    for (const piece of this.pieces(bytes)) {
      for (const socket of sockets) socket.write(piece);
      // Let the client read each piece separately, as from real TCP reads.
      if (this.options.split !== 'frames') await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(
      sockets.map(
        (socket) =>
          new Promise<void>((resolve) => {
            if (socket.destroyed) resolve();
            else socket.write('', () => resolve());
          }),
      ),
    );
  }

  /**
   * An answer to one session's action, after what is being streamed now: manager.c writes each
   * frame whole, so an answer never lands inside an event still being written (written at once,
   * it did, in the soak: "EResponse: Success", and the bridge rightly skipped both frames).
   */
  private answer(socket: net.Socket, text: string): boolean {
    this.streaming = this.streaming.then(() => {
      if (!socket.destroyed) socket.write(text);
    });
    return true; // queued, like socket.write's answer
  }

  /** Events an action raises, to every session (none logged in: nobody hears them). */
  private broadcast(frames: readonly string[]): void {
    this.send(frames).catch(() => undefined);
  }

  /** A channel the PBX lost without an event: controls on it are answered as for any unknown one. */
  forgetChannel(name: string): void {
    this.channels.delete(name);
  }

  private followChannels(frame: string): void {
    const event = headerOf(frame, 'Event');
    const channel = headerOf(frame, 'Channel');
    if (channel === undefined) return;
    if (event === 'Newchannel') this.channels.add(channel);
    else if (event === 'Hangup') this.channels.delete(channel);
  }

  /**
   * A call control: refused as manager.c refuses it (no channel named, a channel that does not
   * exist, no extension), else answered as in the captures and followed by the capture's next
   * part, if the test gave one.
   */
  private control(socket: net.Socket, action: string, fields: Record<string, string>): void {
    const id = fields.ActionID ?? '';
    const error = (message: string) =>
      this.answer(socket, formatFrame({ Response: 'Error', ActionID: id, Message: message }));
    const channel = fields.Channel ?? '';
    if (channel === '') {
      error(action === 'Redirect' ? 'Channel not specified' : 'No channel specified');
      return;
    }
    if (!this.channels.has(channel)) {
      error(action === 'Hangup' ? 'No such channel' : 'Channel specified does not exist');
      return;
    }
    if ((action === 'BlindTransfer' || action === 'Atxfer') && (fields.Exten ?? '') === '') {
      error('No extension specified');
      return;
    }
    const scripts = this.options.afterActions ?? [];
    const next = scripts.findIndex((script) => script.action === action);
    const [script] = next === -1 ? [] : scripts.splice(next, 1);
    this.answer(
      socket,
      formatFrame({ Response: 'Success', ActionID: id, Message: CONTROL_ANSWERS[action] ?? '' }),
    );
    if (script !== undefined) void this.send(script.frames);
  }

  /** Drops every connection (a network cut or a PBX restart). */
  dropAll(): void {
    for (const socket of this.sockets) socket.destroy();
    this.loggedIn.clear();
  }

  async close(): Promise<void> {
    this.dropAll();
    await new Promise<void>((resolve) =>
      this.server.close(() => {
        resolve();
      }),
    );
  }

  /** Whether the user's read classes let an event through (manager.c: any class of the event). */
  private readable(frame: string): boolean {
    const read = this.options.read;
    const privilege = headerOf(frame, 'Privilege');
    if (read === undefined || privilege === undefined) return true;
    return privilege
      .split(',')
      .map((c) => c.trim())
      .some((c) => c !== 'all' && read.includes(c));
  }

  /** Whether the user's write classes allow an action (unknown actions are "allowed" to fail). */
  private allowed(action: string): boolean {
    const classes = ACTION_CLASSES[action];
    const write = this.writeClasses;
    if (classes === undefined || write === undefined || classes.length === 0) return true;
    return classes.some((c) => write.includes(c));
  }

  private pieces(bytes: Buffer): Buffer[] {
    if (this.options.split === 'bytes') return [...bytes].map((b) => Buffer.from([b]));
    if (this.options.split === 'random') {
      const out: Buffer[] = [];
      let offset = 0;
      let seed = 7;
      while (offset < bytes.length) {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        const size = 1 + (seed % 97);
        out.push(bytes.subarray(offset, offset + size));
        offset += size;
      }
      return out;
    }
    return [bytes];
  }

  private onConnection(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => {
      this.sockets.delete(socket);
      this.loggedIn.delete(socket);
    });
    socket.on('error', () => undefined);
    socket.write('Asterisk Call Manager/11.0.0\r\n');
    let buffer = '';
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      let end = buffer.indexOf('\r\n\r\n');
      while (end !== -1) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 4);
        this.onAction(socket, parseFrame(frame));
        end = buffer.indexOf('\r\n\r\n');
      }
    });
  }

  private onAction(socket: net.Socket, fields: Record<string, string>): void {
    this.received.push({ fields });
    const id = fields.ActionID ?? '';
    const reply = (lines: Record<string, string>) => this.answer(socket, formatFrame({ ...lines }));
    const action = this.options.unknownActions?.includes(fields.Action ?? '')
      ? undefined
      : fields.Action;
    if (action !== undefined && action !== 'Login' && !this.allowed(action)) {
      reply({ Response: 'Error', ActionID: id, Message: 'Permission denied' });
      return;
    }
    switch (action) {
      case 'Login': {
        if (this.options.silentLogin === true) return;
        if (
          fields.Username !== (this.options.username ?? 'bridge') ||
          fields.Secret !== (this.options.secret ?? 'bridgepass')
        ) {
          reply({ Response: 'Error', ActionID: id, Message: 'Authentication failed' });
          return;
        }
        reply({ Response: 'Success', ActionID: id, Message: 'Authentication accepted' });
        if ((fields.Events ?? 'on').toLowerCase() === 'off') return;
        this.loggedIn.add(socket);
        this.logins += 1;
        for (const w of this.waiters.splice(0)) w();
        return;
      }
      case 'Ping':
        reply({ Response: 'Success', ActionID: id, Ping: 'Pong', Timestamp: '1795289031.000000' });
        return;
      case 'ListCommands': {
        // manager.c: one frame, a line per action the user's write classes allow.
        const lines: Record<string, string> = { Response: 'Success', ActionID: id };
        for (const [name, classes] of Object.entries(ACTION_CLASSES))
          if (this.allowed(name) && !(this.options.unknownActions ?? []).includes(name))
            lines[name] =
              `${SYNOPSIS[name] ?? name} (Priv: ${classes.length === 0 ? '<none>' : `${classes.join(',')},all`})`;
        reply(lines);
        return;
      }
      case 'CoreShowChannels': {
        const channels = this.options.channels?.() ?? [];
        this.list(socket, id, 'CoreShowChannel', 'CoreShowChannelsComplete', channels);
        return;
      }
      case 'VoicemailUsersList':
        this.list(
          socket,
          id,
          'VoicemailUserEntry',
          'VoicemailUserEntryComplete',
          this.options.voicemailUsers ?? [],
        );
        return;
      case 'Originate': {
        reply({ Response: 'Success', ActionID: id, Message: 'Originate successfully queued' });
        const script = (this.options.originateScript ?? []).map((f) =>
          headerOf(f, 'ActionID') === undefined
            ? f
            : f.replace(/^ActionID: .*$/m, `ActionID: ${id}`),
        );
        void this.send(script);
        return;
      }
      case 'DBPut':
      case 'DBDel': {
        if (this.options.refuseAstDb === true) {
          reply({ Response: 'Error', ActionID: id, Message: 'Permission denied' });
          return;
        }
        const family = fields.Family ?? '';
        const key = fields.Key ?? '';
        if (family === '' || key === '') {
          reply({ Response: 'Error', ActionID: id, Message: 'No family or key specified' });
          return;
        }
        const path = `/${family}/${key}`;
        if (fields.Action === 'DBPut') {
          this.astdb.set(path, fields.Val ?? '');
          reply({ Response: 'Success', ActionID: id, Message: 'Updated database successfully' });
        } else if (this.astdb.delete(path)) {
          reply({ Response: 'Success', ActionID: id, Message: 'Key deleted successfully' });
        } else {
          reply({ Response: 'Error', ActionID: id, Message: 'Database entry not found' });
        }
        return;
      }
      case 'DBGet':
        this.dbGet(socket, fields);
        return;
      case 'Setvar':
        this.setvar(socket, fields);
        return;
      case 'QueuePause':
        this.queuePause(socket, fields);
        return;
      case 'Hangup':
      case 'BlindTransfer':
      case 'Atxfer':
      case 'CancelAtxfer':
      case 'Redirect':
      case 'Park':
        this.control(socket, action, fields);
        return;
      case 'Logoff':
        reply({ Response: 'Goodbye', ActionID: id, Message: 'Thanks for all the fish.' });
        socket.end();
        return;
      default:
        // manager.c's answer to an action no loaded module registered.
        reply({
          Response: 'Error',
          ActionID: id,
          Message: `Invalid/unknown command: ${fields.Action ?? ''}. Use Action: ListCommands to show available commands.`,
        });
    }
  }

  /** manager_dbget: the value as a one-item list, exactly as the ami-devicestate capture has it. */
  private dbGet(socket: net.Socket, fields: Record<string, string>): void {
    const id = fields.ActionID ?? '';
    const family = fields.Family ?? '';
    const key = fields.Key ?? '';
    const error = (message: string) =>
      this.answer(socket, formatFrame({ Response: 'Error', ActionID: id, Message: message }));
    if (family === '') return void error('No family specified.');
    if (key === '') return void error('No key specified.');
    const value = this.astdb.get(`/${family}/${key}`);
    if (value === undefined) return void error('Database entry not found');
    this.answer(
      socket,
      formatFrame({
        Response: 'Success',
        ActionID: id,
        EventList: 'start',
        Message: 'Result will follow',
      }) +
        // Asterisk writes this event by hand: no Privilege header, ActionID last.
        formatFrame({
          Event: 'DBGetResponse',
          Family: family,
          Key: key,
          Val: value,
          ActionID: id,
        }) +
        formatFrame({
          Event: 'DBGetComplete',
          ActionID: id,
          EventList: 'Complete',
          ListItems: '1',
        }),
    );
  }

  /** action_setvar without a channel: a global function; the state functions raise their events. */
  private setvar(socket: net.Socket, fields: Record<string, string>): void {
    const id = fields.ActionID ?? '';
    const variable = fields.Variable ?? '';
    if (variable === '') {
      this.answer(
        socket,
        formatFrame({ Response: 'Error', ActionID: id, Message: 'No variable specified' }),
      );
      return;
    }
    if (fields.Channel !== undefined && fields.Channel !== '') {
      this.answer(
        socket,
        formatFrame({ Response: 'Error', ActionID: id, Message: 'No such channel' }),
      );
      return;
    }
    this.answer(
      socket,
      formatFrame({ Response: 'Success', ActionID: id, Message: 'Variable Set' }),
    );
    const value = fields.Value ?? '';
    const device = /^DEVICE_STATE\((.+)\)$/i.exec(variable)?.[1];
    const presentity = /^PRESENCE_STATE\((.+)\)$/i.exec(variable)?.[1];
    if (device !== undefined)
      this.broadcast([
        formatFrame({
          Event: 'DeviceStateChange',
          Privilege: 'call,all',
          Device: device,
          State: value,
        }),
      ]);
    if (presentity !== undefined) {
      const [status = '', subtype = '', message = ''] = value.split(',');
      this.broadcast([
        formatFrame({
          Event: 'PresenceStateChange',
          Privilege: 'call,all',
          Presentity: presentity,
          Status: status,
          Subtype: subtype,
          Message: message,
        }),
      ]);
    }
  }

  /** manager_pause_queue_member: in the named queue, or in every queue the interface is in. */
  private queuePause(socket: net.Socket, fields: Record<string, string>): void {
    const id = fields.ActionID ?? '';
    const iface = fields.Interface ?? '';
    const pausedText = fields.Paused ?? '';
    const error = (message: string) =>
      this.answer(socket, formatFrame({ Response: 'Error', ActionID: id, Message: message }));
    if (iface === '' || pausedText === '')
      return void error("Need 'Interface' and 'Paused' parameters.");
    const paused = /^(yes|true|y|t|1|on)$/i.test(pausedText);
    const queues = Object.entries(this.options.queues ?? {})
      .filter(([name, members]) => (fields.Queue ?? name) === name && members.includes(iface))
      .map(([name]) => name);
    if (queues.length === 0) return void error('Interface not found');
    this.answer(
      socket,
      formatFrame({
        Response: 'Success',
        ActionID: id,
        Message: paused ? 'Interface paused successfully' : 'Interface unpaused successfully',
      }),
    );
    this.broadcast(
      queues.flatMap((queue) => [
        formatFrame({
          Event: 'DeviceStateChange',
          Privilege: 'call,all',
          Device: `Queue:${queue}_pause_${iface}`,
          State: paused ? 'INUSE' : 'NOT_INUSE',
        }),
        formatFrame({
          Event: 'QueueMemberPause',
          Privilege: 'agent,all',
          Queue: queue,
          MemberName: iface,
          Interface: iface,
          StateInterface: iface,
          Membership: 'static',
          Paused: paused ? '1' : '0',
          PausedReason: paused ? (fields.Reason ?? '') : '',
        }),
      ]),
    );
  }

  private list(
    socket: net.Socket,
    id: string,
    itemEvent: string,
    completeEvent: string,
    items: Record<string, string>[],
  ): void {
    let text = formatFrame({
      Response: 'Success',
      ActionID: id,
      EventList: 'start',
      Message: 'List will follow',
    });
    for (const item of items) text += formatFrame({ Event: itemEvent, ActionID: id, ...item });
    text += formatFrame({
      Event: completeEvent,
      ActionID: id,
      EventList: 'Complete',
      ListItems: String(items.length),
    });
    this.answer(socket, text);
  }
}

function parseFrame(frame: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of frame.split('\r\n')) {
    const colon = line.indexOf(': ');
    if (colon > 0) fields[line.slice(0, colon)] = line.slice(colon + 2);
  }
  return fields;
}

function formatFrame(fields: Record<string, string>): string {
  return `${Object.entries(fields)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`;
}
