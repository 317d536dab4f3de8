// Presence over AMI: how a rep's state and queue pause are written to Asterisk and read back,
// as pbx.asterisk.presence says (docs/asterisk.md, "Presence"). Written as the FreePBX DND
// feature does: a custom device state (Setvar DEVICE_STATE(Custom:DND201)=BUSY, which BLF keys
// and hints follow), a custom presence state (Setvar PRESENCE_STATE(CustomPresence:201)=dnd,,),
// optionally the AstDB key its *76 code reads (DBPut DND/201=YES), and QueuePause for the
// queues. Read back from DeviceStateChange, PresenceStateChange and QueueMemberPause events
// (ami-devicestate and ami-queuepause captures), whoever changed it. No I/O: the adapter sends.
import type { Config } from '../../config/schema';
import {
  PRESENCE_STATE_ORDER,
  type PbxPresenceSupport,
  type PresenceChange,
  type PresenceReport,
  type PresenceState,
} from '../../presence/presence';
import type { AmiMessage } from './ami-parser';

type AsteriskConfig = NonNullable<Config['pbx']['asterisk']>;
export type AsteriskPresenceConfig = AsteriskConfig['presence'];

/** One AMI action to send, in order, with what it is for (for a refusal's hint). */
export interface PresenceAction {
  fields: Record<string, string>;
  /** The manager.conf write class it needs (docs/asterisk.md). */
  writeClass: 'call' | 'agent' | 'system';
  /** A DBDel of a key that is not there is no failure. */
  missingIsFine?: boolean;
}

/** Asterisk's own presence values that no state is mapped to, read as the nearest state. */
const NEAREST: Record<string, PresenceState> = {
  not_set: 'available',
  chat: 'available',
  available: 'available',
  away: 'away',
  xa: 'away',
  unavailable: 'away',
  dnd: 'dnd',
};

export class AmiPresence {
  private readonly dndDevice: RegExp | undefined;
  private readonly presentity: RegExp | undefined;
  private readonly queueInterface: RegExp;
  private readonly interfaceTemplate: string;

  constructor(
    private readonly config: AsteriskPresenceConfig,
    endpointTechnology: string,
    private readonly isExtension: (name: string) => boolean,
  ) {
    this.dndDevice = templateRegExp(config.dndDevice);
    this.presentity = templateRegExp(config.presentity);
    this.interfaceTemplate = config.queueInterface ?? `${endpointTechnology}/{extension}`;
    this.queueInterface = templateRegExp(this.interfaceTemplate) ?? /$^/;
  }

  /**
   * The states the configured means can tell apart, each written and read back the same way:
   * with only a device state, Away (NOT_INUSE) cannot be told from Available and is not offered.
   */
  support(): PbxPresenceSupport {
    const seen = new Set<string>();
    const states: PresenceState[] = [];
    for (const state of PRESENCE_STATE_ORDER) {
      const key = this.signature(state);
      if (key === '' || seen.has(key)) continue;
      seen.add(key);
      states.push(state);
    }
    return { states, queuePause: true };
  }

  /** The actions that set one extension: presence first, so a shared device state reads right. */
  actionsFor(extension: string, change: PresenceChange): PresenceAction[] {
    const actions: PresenceAction[] = [];
    const { config } = this;
    if (change.state !== undefined) {
      const mapping = config.states[change.state];
      if (config.presentity !== '')
        actions.push({
          writeClass: 'call',
          fields: {
            Action: 'Setvar',
            Variable: `PRESENCE_STATE(${fill(config.presentity, extension)})`,
            Value: `${mapping.presence},,`,
          },
        });
      if (config.dndDevice !== '')
        actions.push({
          writeClass: 'call',
          fields: {
            Action: 'Setvar',
            Variable: `DEVICE_STATE(${fill(config.dndDevice, extension)})`,
            Value: mapping.device,
          },
        });
      if (config.astdbFamily !== '')
        actions.push(
          change.state === 'dnd'
            ? {
                writeClass: 'system',
                fields: { Action: 'DBPut', Family: config.astdbFamily, Key: extension, Val: 'YES' },
              }
            : {
                writeClass: 'system',
                missingIsFine: true,
                fields: { Action: 'DBDel', Family: config.astdbFamily, Key: extension },
              },
        );
    }
    if (change.queuePaused !== undefined) {
      const base = {
        Action: 'QueuePause',
        Interface: fill(this.interfaceTemplate, extension),
        Paused: String(change.queuePaused),
        ...(change.queuePaused && change.pauseReason !== undefined
          ? { Reason: change.pauseReason }
          : {}),
      };
      // Without named queues, Asterisk pauses the member in every queue it belongs to.
      const queues = config.queues.length > 0 ? config.queues : [undefined];
      for (const queue of queues)
        actions.push({
          writeClass: 'agent',
          fields: queue === undefined ? base : { ...base, Queue: queue },
        });
    }
    return actions;
  }

  /** The DBGet that says whether an extension is on DND, where an AstDB family is set. */
  readAction(extension: string): Record<string, string> | undefined {
    if (this.config.astdbFamily === '') return undefined;
    return { Action: 'DBGet', Family: this.config.astdbFamily, Key: extension };
  }

  /** What a DBGet answer (its value, or undefined: no key) says about the extension. */
  readReport(extension: string, value: string | undefined, at: Date): PresenceReport {
    const dnd = value !== undefined && /^(yes|1|true|on)$/i.test(value.trim());
    const states = dnd
      ? (['dnd'] as PresenceState[])
      : this.support().states.filter((s) => s !== 'dnd');
    return { extension, states, at };
  }

  /** What an AMI event says about a rep's presence or queue pause; undefined for anything else. */
  reportOf(event: AmiMessage, at: Date): PresenceReport | undefined {
    switch (event.event?.toLowerCase()) {
      case 'presencestatechange': {
        const extension = this.extensionIn(this.presentity, event.presentity);
        const status = event.status?.trim().toLowerCase();
        if (extension === undefined || status === undefined) return undefined;
        const mapped = PRESENCE_STATE_ORDER.filter(
          (s) => this.config.states[s].presence === status,
        );
        const nearest = NEAREST[status];
        const states = mapped.length > 0 ? mapped : nearest === undefined ? [] : [nearest];
        return states.length === 0 ? undefined : { extension, states, at };
      }
      case 'devicestatechange': {
        const extension = this.extensionIn(this.dndDevice, event.device);
        const device = event.state?.trim().toUpperCase();
        if (extension === undefined || device === undefined) return undefined;
        const states = PRESENCE_STATE_ORDER.filter((s) => this.config.states[s].device === device);
        return states.length === 0 ? undefined : { extension, states, at };
      }
      case 'queuememberpause': {
        const extension = this.extensionIn(this.queueInterface, event.interface);
        if (extension === undefined || event.paused === undefined) return undefined;
        const queue = event.queue ?? '';
        if (this.config.queues.length > 0 && !this.config.queues.includes(queue)) return undefined;
        const queuePaused = event.paused.trim() === '1';
        const reason = event.pausedreason?.trim() ?? '';
        return {
          extension,
          queuePaused,
          ...(queuePaused && reason !== '' ? { pauseReason: reason } : {}),
          at,
        };
      }
      default:
        return undefined;
    }
  }

  /** What each state looks like through the configured means ('' when none is configured). */
  private signature(state: PresenceState): string {
    const { config } = this;
    const mapping = config.states[state];
    const parts = [
      config.presentity === '' ? '' : `p=${mapping.presence}`,
      config.dndDevice === '' ? '' : `d=${mapping.device}`,
      config.astdbFamily === '' ? '' : `db=${String(state === 'dnd')}`,
    ].filter((p) => p !== '');
    return parts.join('|');
  }

  private extensionIn(pattern: RegExp | undefined, name: string | undefined): string | undefined {
    if (pattern === undefined || name === undefined) return undefined;
    const extension = pattern.exec(name.trim())?.[1];
    return extension !== undefined && this.isExtension(extension) ? extension : undefined;
  }
}

/** Custom:DND{extension} → /^Custom:DND(.+)$/i ('' → none); Asterisk compares names case-blind. */
function templateRegExp(template: string): RegExp | undefined {
  if (template === '') return undefined;
  const [before = '', after = ''] = template.split('{extension}');
  return new RegExp(`^${escape(before)}(.+?)${escape(after)}$`, 'i');
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function fill(template: string, extension: string): string {
  return template.replace('{extension}', extension);
}
