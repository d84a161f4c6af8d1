/**
 * How a throughput comparison orders its runs and judges them. This machine's slow phases (other
 * work, the load generator's own pace) last longer than one run, so a contender's run r and the
 * anchor's run r, a whole round of contenders apart, can land in different phases: per-run
 * ratios of 0.62–1.04× for one contender in one full run. So every contender's run is bracketed
 * by two anchor runs, the one just before it and the one just after:
 *
 *   round r:  A  c(r)  A  c(r+1)  A  …  A  c(r+n-1)  A
 *
 * and judged by its req/s over the mean of those two. The contenders rotate between rounds, as
 * before, so none always follows the same one. A contender's ratio is the median of its
 * bracketed ratios: the anchor's runs beside it, not the anchor's median over the whole comparison.
 */

/**
 * Pure: the order of round `round` for `n` contenders besides the anchor, as indices into them,
 * with -1 for the anchor: the anchor first, last and between every two.
 */
export function roundOrder(n, round) {
  const order = [-1];
  for (let i = 0; i < n; i++) order.push((i + round) % n, -1);
  return order;
}

/**
 * Pure: the bracketed ratio of every contender run in one round. `rps[i]` is the req/s of the
 * run at position i of `order` (roundOrder's). Returns `[{ index, ratio }]`, one per contender
 * run, `index` being the contender's; a run between two anchor runs that answered nothing has no
 * ratio (NaN), which the comparison leaves out.
 */
export function bracketedRatios(order, rps) {
  const out = [];
  for (let p = 0; p < order.length; p++) {
    if (order[p] < 0) continue;
    const around = [rps[p - 1], rps[p + 1]].filter((v) => v > 0);
    const anchor = around.length ? around.reduce((a, b) => a + b, 0) / around.length : NaN;
    out.push({ index: order[p], ratio: anchor > 0 ? rps[p] / anchor : NaN });
  }
  return out;
}
