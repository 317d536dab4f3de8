// Streaming parser for the Asterisk Manager Interface wire format: a greeting line, then
// frames of `Key: Value` lines ended by a blank line. Bytes arrive in arbitrary TCP chunks,
// lines may end in CRLF or LF, and a broken frame must never take the connection down.
import { StringDecoder } from 'node:string_decoder';

/** One AMI frame (event, response or list item). Keys are lower-cased; the first value wins. */
export type AmiMessage = Readonly<Record<string, string>>;

export type AmiParsed =
  { kind: 'greeting'; banner: string } | { kind: 'message'; message: AmiMessage };

export interface AmiParseProblem {
  /** What is wrong, in the bridge's own words: no PBX data, so it is logged as it is. */
  reason: string;
  /**
   * The start of the offending frame, for the log (no secrets travel from Asterisk to us, but
   * caller numbers do: the logger masks them).
   */
  excerpt: string;
}

/** A frame this long without a blank line is not AMI: drop it rather than grow forever. */
export const MAX_FRAME_CHARS = 256 * 1024;

export class AmiParser {
  private readonly decoder = new StringDecoder('utf8');
  /**
   * The line in progress, as the pieces it arrived in: joined once, when its line end comes.
   * (Appending to one string and searching it again for each TCP piece made a long line that
   * arrives in small pieces cost time quadratic in its length.)
   */
  private partial: string[] = [];
  private partialChars = 0;
  private lines: string[] = [];
  private frameChars = 0;
  private malformed: string | undefined;
  /**
   * The current frame outgrew MAX_FRAME_CHARS and was reported: the rest of it, up to its blank
   * line, is dropped without another report (a 10 MB line arrives in many TCP chunks).
   */
  private discarding = false;
  /** The line in progress belongs to a discarded frame: drop bytes until its line end. */
  private skippingLine = false;
  private sawGreeting = false;

  /** @param onProblem called once per malformed frame, which is then skipped. */
  constructor(private readonly onProblem: (problem: AmiParseProblem) => void) {}

  /** Feeds one chunk; returns every complete greeting/frame it finished. */
  push(chunk: Buffer | string): AmiParsed[] {
    let text = typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    if (this.skippingLine) {
      const end = text.indexOf('\n');
      if (end === -1) return [];
      this.skippingLine = false;
      text = text.slice(end + 1);
    }
    const out: AmiParsed[] = [];
    let start = 0;
    let newline = text.indexOf('\n');
    while (newline !== -1) {
      const raw = this.takePartial() + text.slice(start, newline);
      this.line(raw.endsWith('\r') ? raw.slice(0, -1) : raw, out);
      start = newline + 1;
      newline = text.indexOf('\n', start);
    }
    if (start < text.length) {
      this.partial.push(text.slice(start));
      this.partialChars += text.length - start;
    }
    if (this.partialChars + this.frameChars > MAX_FRAME_CHARS) {
      this.tooLong(this.takePartial());
      this.skippingLine = true;
    }
    return out;
  }

  /** Forgets any partial frame: a new connection starts clean. */
  reset(): void {
    this.takePartial();
    this.resetFrame();
    this.skippingLine = false;
    this.sawGreeting = false;
  }

  private line(line: string, out: AmiParsed[]): void {
    if (!this.sawGreeting && this.lines.length === 0 && /^Asterisk Call Manager\//.test(line)) {
      this.sawGreeting = true;
      out.push({ kind: 'greeting', banner: line });
      return;
    }
    if (line === '') {
      if (this.discarding) this.resetFrame();
      else if (this.lines.length > 0) this.finishFrame(out);
      return;
    }
    if (this.discarding) return;
    this.lines.push(line);
    this.frameChars += line.length + 1;
    if (this.frameChars > MAX_FRAME_CHARS) {
      this.tooLong('');
      return;
    }
    if (this.malformed === undefined && !/^[^:\s][^:]*:/.test(line)) {
      this.malformed = `line ${String(this.lines.length)} is not "Key: Value"`;
    }
  }

  /**
   * Reports the frame in progress as too long, once, and drops the rest of it. `partial` is
   * the unfinished line that made it too long, if that was what did.
   */
  private tooLong(partial: string): void {
    if (!this.discarding) {
      const excerpt = this.lines.length > 0 ? this.lines.slice(0, 4).join('\n') : partial;
      this.problem(
        `frame longer than ${String(MAX_FRAME_CHARS)} characters without a blank line; ` +
          'the rest of it is dropped',
        excerpt,
      );
    }
    this.lines = [];
    this.frameChars = 0;
    this.malformed = undefined;
    this.discarding = true;
  }

  private finishFrame(out: AmiParsed[]): void {
    const lines = this.lines;
    const malformed = this.malformed;
    this.resetFrame();
    if (malformed !== undefined) {
      this.problem(malformed, lines.join('\n'));
      return;
    }
    const message: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      const key = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).replace(/^ /, '');
      if (!(key in message)) message[key] = value;
    }
    if (message.event === undefined && message.response === undefined) {
      this.problem('frame is neither an Event nor a Response', lines.join('\n'));
      return;
    }
    out.push({ kind: 'message', message });
  }

  private takePartial(): string {
    const text = this.partial.length === 1 ? (this.partial[0] ?? '') : this.partial.join('');
    this.partial = [];
    this.partialChars = 0;
    return text;
  }

  private resetFrame(): void {
    this.lines = [];
    this.frameChars = 0;
    this.malformed = undefined;
    this.discarding = false;
  }

  private problem(reason: string, frame: string): void {
    this.onProblem({ reason, excerpt: frame.slice(0, 120) });
  }
}

/** Serialises an action as AMI expects: CRLF line ends and a blank line at the end. */
export function formatAction(fields: Readonly<Record<string, string | number | boolean>>): string {
  let text = '';
  for (const [key, value] of Object.entries(fields)) {
    // A CR or LF inside a value would inject extra headers (e.g. from a dialed "number").
    const clean = String(value).replace(/[\r\n]+/g, ' ');
    text += `${key}: ${clean}\r\n`;
  }
  return `${text}\r\n`;
}
