/**
 * How long a contender is warmed up before its first run. Every V8 isolate compiles the handler
 * and Node's HTTP code on its own, so a server of many isolates (a Forkyard child's listener and
 * each of its threads, or 64 prefork children) settles later than a cluster of two: right after
 * start its CPU per request is well above what it uses once the compiler has caught up, and a
 * short fixed warm-up measures that start-up cost rather than the server. The warm-up runs the
 * same load in slices and ends once two slices in a row have not brought the CPU per request
 * down by more than WARM_STEADY below the best slice before them (one slice alone can be slow
 * from the machine's noise), or after the plan's most.
 */

/** A slice that saves less than this share of CPU per request against the best before it: no progress. */
export const WARM_STEADY = 0.05;

/** Slices in a row without progress that end the warm-up. */
export const WARM_PATIENCE = 2;

/**
 * Pure: whether the warm-up is over after these slices (CPU µs per request each, oldest first;
 * null where a slice answered nothing), given the most slices allowed.
 */
export function warmedUp(slices, most) {
  if (slices.length >= most) return true;
  if (slices.length <= WARM_PATIENCE) return false;
  let best = Infinity;
  let stale = 0;
  for (const v of slices) {
    // A slice with no answer says nothing about the compiler: it ends nothing early.
    if (v == null) {
      stale = 0;
      continue;
    }
    stale = v < best * (1 - WARM_STEADY) ? 0 : stale + 1;
    best = Math.min(best, v);
  }
  return stale >= WARM_PATIENCE;
}

/**
 * Warms one contender: `slice()` runs the load once for the plan's warm-up slice and resolves
 * with its CPU µs per request (or null). Resolves with the slices measured.
 */
export async function warmUp(slice, most) {
  const slices = [];
  while (!warmedUp(slices, most)) slices.push(await slice());
  return slices;
}
