// The benchmark's command line: the defaults, and the command lines it refuses with a message
// saying what to give instead (run.ts prints it alone and exits 2).
import { BenchUsageError, parseBenchArgs } from '../../bench/bench-options';

describe('benchmark options', () => {
  it('takes the defaults and positive integers for every option', () => {
    expect(parseBenchArgs([])).toEqual({
      clients: 1000,
      calls: 2000,
      rounds: 10,
      rate: 100,
      bridges: 1,
      keptLogs: 0,
      pgStatements: 0,
    });
    expect(
      parseBenchArgs([
        '--clients',
        '10000',
        '--rounds',
        '6',
        '--bridges',
        '2',
        '--pg-statements',
        '5',
      ]),
    ).toMatchObject({ clients: 10000, rounds: 6, bridges: 2, pgStatements: 5 });
  });

  it.each([
    [['--rounds', '3'], /--rounds must be even: the ratios are taken per pair of rounds/],
    [['--rounds', '0'], /unknown or bad option --rounds 0/],
    [['--calls', '1.5'], /unknown or bad option --calls 1.5/],
    [['--speed', '2'], /unknown or bad option --speed 2 \(use --clients N/],
    [['--clients'], /unknown or bad option --clients/],
    [['--pg-statements', '5'], /--pg-statements counts what several bridges ask PostgreSQL/],
  ])('refuses %j with a usage error', (argv, message) => {
    expect(() => parseBenchArgs(argv)).toThrow(BenchUsageError);
    expect(() => parseBenchArgs(argv)).toThrow(message);
  });
});
