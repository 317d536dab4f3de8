// Statistics of the benchmark's alternating rounds (run.ts): each pair of rounds gives one
// bridge/relay ratio (pairRatios); the figure reported is their median, with quartiles, range,
// and how many pairs it took for the running median to settle.

/** Median, quartiles and range of the ratios (run.ts: one per pair of rounds). */
export interface RatioSummary {
  median: number;
  q1: number;
  q3: number;
  min: number;
  max: number;
  /**
   * The first count of ratios from which the running median stays within ±10 % of the final
   * one: fewer ratios (pairs of rounds) than this gave a different figure in this run.
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
    // One ratio alone is its own quartiles.
    q1: s.length === 1 ? final : median(s.slice(0, Math.floor(s.length / 2))),
    q3: s.length === 1 ? final : median(s.slice(Math.ceil(s.length / 2))),
    min: s[0] ?? NaN,
    max: s.at(-1) ?? NaN,
    stableFrom,
  };
}

/**
 * One ratio per pair of rounds, over both sides' runs of the pair together. Round 2k runs the
 * bridge first and round 2k+1 the relay first (run.ts: A B, B A, A B, …), so each side runs
 * once straight after its own run and once after the other side's two. The run after a wait is
 * the worse one (docs/benchmarks.md, tenth pass), and a ratio per round set such a run against
 * one that did not wait: the per-round ratios alternated low and high, and their median fell
 * wherever the split did. Within a pair each side has one run of each kind, and a steady drift
 * of the machine over the pair cancels too. An odd last round has no partner and is left out.
 */
export function pairRatios<T>(
  bridge: readonly T[],
  relay: readonly T[],
  measure: (runs: readonly T[]) => number,
): number[] {
  const ratios: number[] = [];
  for (let i = 0; i + 1 < Math.min(bridge.length, relay.length); i += 2)
    ratios.push(measure(bridge.slice(i, i + 2)) / measure(relay.slice(i, i + 2)));
  return ratios;
}
