// The bridge's recent warnings and errors, kept in memory for the Switchboard Setup page: a pino
// destination that the logger writes warn-and-above lines to besides its usual one. Phone numbers
// are masked in every kept message whatever the log level (the page is not a support session),
// and secrets never arrive here: the logger redacts them before writing.
import { maskNumbersInText } from './logger';
import type { AdminLogEntry } from '../protocol/v1';

const LEVELS: Record<number | string, AdminLogEntry['level'] | undefined> = {
  40: 'warn',
  50: 'error',
  60: 'fatal',
  warn: 'warn',
  error: 'error',
  fatal: 'fatal',
};
/** Longest message kept: a line is for reading on a page, the log file has the rest. */
const MAX_MESSAGE = 300;

export class RecentLog {
  private readonly entries: AdminLogEntry[] = [];

  constructor(private readonly capacity = 50) {}

  /** pino's DestinationStream: one JSON line per call. */
  write(line: string): void {
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    const level = LEVELS[record.level as number | string];
    if (level === undefined) return;
    const message = typeof record.msg === 'string' ? record.msg : '';
    const entry: AdminLogEntry = {
      at: typeof record.time === 'string' ? record.time : new Date().toISOString(),
      level,
      message: maskNumbersInText(message).slice(0, MAX_MESSAGE),
    };
    if (typeof record.code === 'string') entry.code = record.code;
    if (typeof record.component === 'string') entry.component = record.component;
    this.entries.push(entry);
    if (this.entries.length > this.capacity) this.entries.shift();
  }

  /** Newest first. */
  list(): AdminLogEntry[] {
    return [...this.entries].reverse();
  }
}
