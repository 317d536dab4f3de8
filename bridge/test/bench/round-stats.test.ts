// The benchmark's round statistics: the median of the per-round ratios shrugs off the rounds a
// busy machine spoiled, and the settling count says when more rounds stop changing the figure.
import { median, summarizeRatios } from '../../bench/round-stats';

describe('benchmark round statistics', () => {
  it('takes the median, quartiles and range of the per-round ratios', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
    const summary = summarizeRatios([1.1, 20.7, 1.2, 0.9, 1.0, 2.9]);
    expect(summary.median).toBeCloseTo(1.15, 10);
    expect(summary).toMatchObject({ q1: 1.0, q3: 2.9, min: 0.9, max: 20.7, stableFrom: 3 });
  });

  it('counts the rounds after which the running median stays within 10 % of the final one', () => {
    // Settled from the start.
    expect(summarizeRatios([1, 1, 1, 1]).stableFrom).toBe(1);
    // An outlier first: one round alone says 20x, the median settles at round 3.
    expect(summarizeRatios([20, 1, 1.05, 1, 0.98]).stableFrom).toBe(3);
    // Still drifting at the end: only all rounds together give the figure.
    expect(summarizeRatios([1, 1, 1, 2, 2, 2]).stableFrom).toBe(6);
  });
});
