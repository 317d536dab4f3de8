// The benchmark's round statistics: the median of the per-round ratios shrugs off the rounds a
// busy machine spoiled, and the settling count says when more rounds stop changing the figure.
import { median, pairRatios, summarizeRatios } from '../../bench/round-stats';

describe('benchmark round statistics', () => {
  it('takes the median, quartiles and range of the per-round ratios', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
    const summary = summarizeRatios([1.1, 20.7, 1.2, 0.9, 1.0, 2.9]);
    expect(summary.median).toBeCloseTo(1.15, 10);
    expect(summary).toMatchObject({ q1: 1.0, q3: 2.9, min: 0.9, max: 20.7, stableFrom: 3 });
    expect(summarizeRatios([2.5])).toMatchObject({ median: 2.5, q1: 2.5, q3: 2.5 });
  });

  it('counts the rounds after which the running median stays within 10 % of the final one', () => {
    // Settled from the start.
    expect(summarizeRatios([1, 1, 1, 1]).stableFrom).toBe(1);
    // An outlier first: one round alone says 20x, the median settles at round 3.
    expect(summarizeRatios([20, 1, 1.05, 1, 0.98]).stableFrom).toBe(3);
    // Still drifting at the end: only all rounds together give the figure.
    expect(summarizeRatios([1, 1, 1, 2, 2, 2]).stableFrom).toBe(6);
  });

  it('takes one ratio per pair of rounds, so the side that waited is on both sides of it', () => {
    // The bridge costs 3x the relay; a run after a wait costs 1.5x. Rounds go A B, B A, …:
    // the relay waits before its run in rounds 1, 3, 5, the bridge in rounds 2, 4, 6.
    const waited = (side: 'bridge' | 'relay', round: number) =>
      side === 'relay' ? round % 2 === 1 : round % 2 === 0;
    const rounds = [1, 2, 3, 4, 5, 6];
    const cost = (side: 'bridge' | 'relay') =>
      rounds.map((r) => (side === 'bridge' ? 3 : 1) * (waited(side, r) ? 1.5 : 1));
    const mean = (runs: readonly number[]) => runs.reduce((a, b) => a + b, 0) / runs.length;
    const perRound = rounds.map((_, i) => cost('bridge')[i]! / cost('relay')[i]!);
    expect(perRound).toEqual([2, 4.5, 2, 4.5, 2, 4.5]);
    expect(pairRatios(cost('bridge'), cost('relay'), mean)).toEqual([3, 3, 3]);
    // An odd last round has no partner.
    expect(pairRatios([1, 2, 3], [1, 1, 1], mean)).toEqual([1.5]);
  });
});
