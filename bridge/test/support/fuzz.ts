// Shared settings of the property-based tests (fast-check): a fixed seed and bounded runs, so
// `npm test` is deterministic and quick; FUZZ_SEED and FUZZ_RUNS (read only here, never by the
// bridge) explore further. docs/testing.md lists the input classes and how to run longer:
//   FUZZ_SEED=random FUZZ_RUNS=50 npx jest fuzz
// A failure prints the seed and the shrunk counterexample; rerun with that seed to reproduce.
import fc from 'fast-check';
import { ErrorCodes, SwitchboardError } from '../../src/errors';

/** The seed `npm test` uses. */
const DEFAULT_SEED = 20261201;

function seedFromEnv(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_SEED;
  if (value === 'random') return Math.floor(Math.random() * 2 ** 31);
  const seed = Number(value);
  if (!Number.isInteger(seed))
    throw new Error(`FUZZ_SEED must be an integer or "random": ${value}`);
  return seed;
}

function scaleFromEnv(value: string | undefined): number {
  if (value === undefined || value === '') return 1;
  const scale = Number(value);
  if (!(scale > 0)) throw new Error(`FUZZ_RUNS must be a positive factor: ${value}`);
  return scale;
}

export const FUZZ_SEED = seedFromEnv(process.env.FUZZ_SEED);
const RUNS_SCALE = scaleFromEnv(process.env.FUZZ_RUNS);

/**
 * fast-check parameters for one property: `runs` cases at the default scale. Every property
 * gets the same seed, so a failure is reproduced by running its file with FUZZ_SEED=<seed>.
 */
export function fuzz<T>(runs: number): fc.Parameters<T> {
  return { seed: FUZZ_SEED, numRuns: Math.max(1, Math.round(runs * RUNS_SCALE)) };
}

/**
 * Jest's per-test timeout for a file of properties that do I/O (real HTTP, real sockets): the
 * default 5 s is not meant for hundreds of requests on a busy machine, and grows with FUZZ_RUNS.
 * It bounds a hang; it is not a speed check.
 */
export const FUZZ_TIMEOUT_MS = Math.round(60_000 * Math.max(1, RUNS_SCALE));

const CODES = new Set<string>(Object.values(ErrorCodes));

/**
 * The promise every entry point keeps for bad input: it throws nothing but a SwitchboardError,
 * with a known code, a message, and (where `withHint`) a hint saying what to do.
 */
export function expectClearError(
  thrown: unknown,
  allowed?: readonly string[],
  { withHint = true } = {},
): SwitchboardError {
  if (!(thrown instanceof SwitchboardError))
    throw new Error(`expected a SwitchboardError, got ${String(thrown)}`, { cause: thrown });
  if (!CODES.has(thrown.code)) throw new Error(`unknown error code ${thrown.code}`);
  if (allowed !== undefined && !allowed.includes(thrown.code))
    throw new Error(`code ${thrown.code} is not one of ${allowed.join(', ')}: ${thrown.message}`);
  if (thrown.message.trim() === '') throw new Error(`${thrown.code} has an empty message`);
  if (withHint && (thrown.hint ?? '').trim() === '')
    throw new Error(`${thrown.code} "${thrown.message}" has no hint`);
  return thrown;
}

/** Runs fn and returns what it threw (undefined when it returned). */
export function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
    return undefined;
  } catch (error) {
    return error;
  }
}

/**
 * Strings as hostile input brings them: any Unicode (lone surrogates included), control
 * characters, and the separators and markup the modules under test care about.
 */
export function hostileString(maxLength = 80): fc.Arbitrary<string> {
  return fc.oneof(
    fc.string({ unit: 'binary', maxLength }),
    fc.string({ unit: 'grapheme', maxLength }),
    fc.string({
      unit: fc.constantFrom(
        '\r',
        '\n',
        '\t',
        '\u0000',
        '\u0007',
        '\u007f',
        '\u2028',
        '\ud800',
        '\udfff',
        '"',
        "'",
        ',',
        ';',
        ':',
        '\\',
        '<',
        '>',
        '&',
        '=',
        '+',
        '-',
        '@',
        ' ',
        'a',
        'Z',
        '0',
        '9',
        'é',
        '😀',
      ),
      maxLength,
    }),
  );
}

/** Any JSON value (objects, arrays, numbers, strings with odd characters, nesting). */
export const anyJson: fc.Arbitrary<unknown> = fc.jsonValue({ maxDepth: 4 });
