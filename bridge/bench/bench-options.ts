// The benchmark's command line (run.ts): every option a positive integer, and the
// combinations it refuses, each with what to give instead.

/** A command line the bench refuses: run.ts prints its message alone and exits 2. */
export class BenchUsageError extends Error {}

export interface BenchOptions {
  clients: number;
  /** Warm calls through each of bridge and relay, split evenly over the rounds. */
  calls: number;
  rounds: number;
  rate: number;
  /** Bridges on one PostgreSQL (started here), the reps spread over them; 1: SQLite only. */
  bridges: number;
  /** Sent logs the call-log outbox holds before the bridges start (kept-logs.ts). */
  keptLogs: number;
  /** With --bridges: list the K statements PostgreSQL runs most per warm call (pg-statements.ts). */
  pgStatements: number;
}

/** Each command-line option and the field it sets. */
const OPTION_FIELDS = {
  clients: 'clients',
  calls: 'calls',
  rounds: 'rounds',
  rate: 'rate',
  bridges: 'bridges',
  'kept-logs': 'keptLogs',
  'pg-statements': 'pgStatements',
} as const satisfies Record<string, keyof BenchOptions>;

export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  const options: BenchOptions = {
    clients: 1000,
    calls: 2000,
    rounds: 10,
    rate: 100,
    bridges: 1,
    keptLogs: 0,
    pgStatements: 0,
  };
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i]?.replace(/^--/, '') ?? '';
    const field = Object.hasOwn(OPTION_FIELDS, flag)
      ? OPTION_FIELDS[flag as keyof typeof OPTION_FIELDS]
      : undefined;
    const value = Number(argv[i + 1]);
    if (field !== undefined && argv[i]?.startsWith('--') && Number.isInteger(value) && value > 0)
      options[field] = value;
    else
      throw new BenchUsageError(
        `unknown or bad option ${argv[i] ?? ''} ${argv[i + 1] ?? ''} (use --clients N --calls N --rounds N --rate N --bridges N --kept-logs N --pg-statements K)`,
      );
  }
  if (options.rounds % 2 !== 0)
    throw new BenchUsageError(
      '--rounds must be even: the ratios are taken per pair of rounds (one bridge-first, one relay-first)',
    );
  if (options.pgStatements > 0 && options.bridges < 2)
    throw new BenchUsageError(
      '--pg-statements counts what several bridges ask PostgreSQL: give --bridges 2 or more (one bridge keeps its state in SQLite)',
    );
  return options;
}
