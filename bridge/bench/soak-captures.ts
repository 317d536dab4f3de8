// The real Asterisk captures (bridge/test/fixtures/asterisk), made into fresh calls for the
// soak run: each replay gets its own Uniqueids, Linkedids and channel names, and the recorded
// reps' extensions (201, 202) become the extensions of the reps the soak picked.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { callFrames } from '../test/pbx/asterisk/ami-capture';

/** Recorded inbound calls, and which recorded rep's phone rings first (202 only when busy). */
export const SOAK_CAPTURES = [
  { name: 'sip-inbound-answered', rings: '201' },
  { name: 'sip-ami-hangup', rings: '201' },
  { name: 'sip-ami-blindtransfer', rings: '201' },
  { name: 'local-inbound-answered', rings: '201' },
  { name: 'local-inbound-noanswer', rings: '201' },
  { name: 'local-inbound-busy', rings: '202' },
  { name: 'local-inbound-abandoned', rings: '201' },
  { name: 'local-queue-answered', rings: '201' },
] as const;

export interface CaptureTemplate {
  name: string;
  rings: '201' | '202';
  frames: string[];
}

/** Reads the captures from the repository (the soak runs from bridge/dist/bench). */
export function loadSoakCaptures(repoRoot: string): CaptureTemplate[] {
  const dir = path.join(repoRoot, 'bridge', 'test', 'fixtures', 'asterisk');
  return SOAK_CAPTURES.map(({ name, rings }) => {
    const text = readFileSync(path.join(dir, `${name}.ami.txt`), 'utf8');
    const frames = text
      .slice(text.indexOf('\r\n') + 2)
      .split('\r\n\r\n')
      .filter((f) => f.length > 0)
      .map((f) => `${f}\r\n\r\n`);
    return { name, rings, frames: callFrames({ name, raw: Buffer.from(text), frames }) };
  });
}

export interface Replay {
  frames: string[];
  /** The call's Linkedid in this replay: the bridge's call ids are `<linkedid>:<extension>`. */
  linkedid: string;
}

/**
 * One replay of a capture as call number `n`, with 201 → `first` and 202 → `second`. Ids are
 * `<epoch base + n>.<original sequence>`, unique across the run and never a recorded one.
 */
export function replayCapture(
  template: CaptureTemplate,
  n: number,
  first: string,
  second: string,
): Replay {
  const ids = new Map<string, string>();
  const channels = new Map<string, string>();
  const frames = template.frames.map((frame) =>
    frame
      // An extension stands alone: not inside a DID (5550201) nor a Uniqueid's sequence.
      .replace(/(?<![0-9.])20([12])(?![0-9])/g, (_m, which: string) =>
        which === '1' ? first : second,
      )
      .replace(/\b(\d{10})\.(\d+)\b/g, (id, _epoch, sequence: string) => {
        let fresh = ids.get(id);
        if (fresh === undefined) {
          fresh = `${String(1_900_000_000 + n)}.${sequence}`;
          ids.set(id, fresh);
        }
        return fresh;
      })
      .replace(/-([0-9a-f]{8})(?=[;\r\n,]|$)/gm, (_m, suffix: string) => {
        let fresh = channels.get(suffix);
        if (fresh === undefined) {
          fresh = ((n * 64 + channels.size) % 0xffffffff).toString(16).padStart(8, '0');
          channels.set(suffix, fresh);
        }
        return `-${fresh}`;
      }),
  );
  const linked = frames.map((f) => /^Linkedid: (.*)\r$/m.exec(f)?.[1]).find((l) => l !== undefined);
  if (linked === undefined) throw new Error(`${template.name} has no Linkedid`);
  return { frames, linkedid: linked };
}
