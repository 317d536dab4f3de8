// Logging for the whole bridge: pino, JSON lines (or readable lines for a person at a terminal,
// log.format), with secrets redacted by path and phone numbers masked at info level (full
// numbers only when the level is debug or trace). A part of the bridge is named once, by whoever
// builds it (`logger.child({ component })` in the composition root); a module never binds
// `component` again on the logger it was given (pino would write the key twice), and names a
// piece of its own with `part`.
import pino from 'pino';
import pretty from 'pino-pretty';

export type Logger = pino.Logger;
export type LogLevel = 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
/** `json`: one JSON object per line, for log collectors. `pretty`: a readable line per event. */
export type LogFormat = 'json' | 'pretty';

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
  /** Default json. */
  format?: LogFormat;
  /** Where lines go; defaults to stdout. Tests pass a stream to read what was logged. */
  destination?: pino.DestinationStream;
  /** Also keeps warnings and errors here, for the Switchboard Setup page. */
  recent?: pino.DestinationStream;
}

export function createLogger(options: LoggerOptions): Logger {
  const pinoOptions = {
    level: options.level,
    base: { service: 'switchboard-bridge' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  const main: pino.DestinationStream | undefined =
    options.format !== 'pretty'
      ? options.destination
      : pretty({
          destination: options.destination ?? 1,
          sync: true,
          colorize: options.destination === undefined && process.stdout.isTTY,
          translateTime: 'SYS:HH:MM:ss.l',
          ignore: 'pid,hostname,service,component,part',
          messageFormat: (log, messageKey) => {
            const name = [log['component'], log['part']].filter((v) => typeof v === 'string');
            const message = typeof log[messageKey] === 'string' ? log[messageKey] : '';
            return name.length === 0 ? message : `[${name.join('/')}] ${message}`;
          },
          singleLine: true,
        });
  if (options.recent === undefined) return pino(pinoOptions, main);
  return pino(
    pinoOptions,
    pino.multistream([
      { level: 'trace', stream: main ?? process.stdout },
      { level: 'warn', stream: options.recent },
    ]),
  );
}

/**
 * The format when log.format is not set: readable lines for a person running the demo at a
 * terminal; JSON everywhere else (a service, a pipe, a log collector).
 */
export function defaultLogFormat(where: { demo: boolean; tty: boolean }): LogFormat {
  return where.demo && where.tty ? 'pretty' : 'json';
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

/**
 * A phone number masked for a log line: its first four characters (`+` and digits) and its last
 * two digits stay, every other digit becomes `*`, and whatever separates the digits is kept, so
 * `0 30 98 76 54 32` reads `0 30 9* ** ** 32`. A number of six digits or fewer is all masked.
 */
export function maskNumber(number: string): string {
  const chars = Array.from(number);
  const digits = chars.filter((c) => /\d/.test(c)).length;
  if (digits <= 6) return chars.map((c) => (/\d/.test(c) ? '*' : c)).join('');
  let seenSignificant = 0;
  let seenDigits = 0;
  return chars
    .map((c) => {
      if (c === '+') seenSignificant += 1;
      if (!/\d/.test(c)) return c;
      seenSignificant += 1;
      seenDigits += 1;
      const head = seenSignificant <= 4;
      const tail = seenDigits > digits - 2;
      return head || tail ? c : '*';
    })
    .join('');
}

/**
 * A phone number inside free text: five or more digits, optionally after `+`, with at most two
 * separators (spaces, dots, dashes, slashes, brackets) between any two of them. People and PBXes
 * write `0 30 98 76 54 32`, `(030) 98-76-54-32` and `+49 30 98765432` for the same number.
 */
const NUMBER_IN_TEXT = /\+?\(?\d(?:[\s.\-/()\u00a0\u2010-\u2015]{0,2}\d){4,}/g;

/**
 * Free text that may contain phone numbers (a raw PBX frame, say), as it may appear in a log
 * line: every number masked however its digits are spaced, unless the logger is at debug or
 * below. Only for text that came from outside: the bridge's own figures (a size limit, a
 * count) go in their own fields, unmasked.
 */
export function textForLog(logger: Logger, text: string): string {
  if (logger.isLevelEnabled('debug')) return text;
  return maskNumbersInText(text);
}

/** Free text with every phone number in it masked, whatever the log level. */
export function maskNumbersInText(text: string): string {
  return text.replace(NUMBER_IN_TEXT, (number) => maskNumber(number));
}
