// Statistics of the benchmark's alternating rounds (run.ts): each round gives one bridge/relay
// ratio; the figure reported is their median, with quartiles, range, and how many rounds it
// took for the running median to settle.

/** Median, quartiles and range of the per-round ratios. */
export interface RatioSummary {
  median: number;
  q1: number;
  q3: number;
  min: number;
  max: number;
  /**
   * The first round count from which the running median stays within ±10 % of the final one:
   * fewer rounds than this gave a different figure in this run.
   */
  stableFrom: number;
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function summarizeRatios(ratios: number[]): RatioSummary {
  const s = [...ratios].sort((a, b) => a - b);
  const final = median(ratios);
  let stableFrom = ratios.length;
  for (let n = ratios.length; n >= 1; n--) {
    if (Math.abs(median(ratios.slice(0, n)) - final) > 0.1 * final) break;
    stableFrom = n;
  }
  return {
    median: final,
    q1: median(s.slice(0, Math.floor(s.length / 2))),
    q3: median(s.slice(Math.ceil(s.length / 2))),
    min: s[0] ?? NaN,
    max: s.at(-1) ?? NaN,
    stableFrom,
  };
}
