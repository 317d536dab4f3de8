// Logging for the whole bridge: pino, JSON lines, with secrets redacted by path and phone
// numbers masked at info level (full numbers only when the level is debug or trace).
import pino from 'pino';

export type Logger = pino.Logger;
export type LogLevel = 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** Object paths whose values never reach a log line, at any level. */
const REDACT_PATHS = [
  'token',
  '*.token',
  'clientSecret',
  '*.clientSecret',
  'secret',
  '*.secret',
  'password',
  '*.password',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'accessToken',
  '*.accessToken',
  'privateKey',
  '*.privateKey',
];

export interface LoggerOptions {
  level: LogLevel;
  /** Where lines go; defaults to stdout. Tests pass a stream to read what was logged. */
  destination?: pino.DestinationStream;
}

export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: { service: 'switchboard-bridge' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination,
  );
}

/** A logger that writes nothing, for unit tests of code that needs one. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/**
 * A phone number as it may appear in a log line: masked except for the first four and last
 * two characters, unless the logger is at debug or below, where support needs the whole number.
 */
export function numberForLog(logger: Logger, number: string | null | undefined): string {
  if (number === null || number === undefined || number === '') return '';
  if (logger.isLevelEnabled('debug')) return number;
  return maskNumber(number);
}

export function maskNumber(number: string): string {
  const chars = Array.from(number);
  if (chars.length <= 6) return '*'.repeat(chars.length);
  return chars.map((c, i) => (i < 4 || i >= chars.length - 2 || !/\d/.test(c) ? c : '*')).join('');
}

/**
 * Free text that may contain phone numbers (a raw PBX frame, say), as it may appear in a log
 * line: every run of five or more digits masked, unless the logger is at debug or below.
 */
export function textForLog(logger: Logger, text: string): string {
  if (logger.isLevelEnabled('debug')) return text;
  return text.replace(/\+?\d{5,}/g, (digits) => maskNumber(digits));
}
