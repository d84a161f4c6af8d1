/**
 * How long a contender is warmed up before its first run. Every V8 isolate compiles the handler
 * and Node's HTTP code on its own, so a server of many isolates (a Forkyard child's listener and
 * each of its threads, or 64 prefork children) settles later than a cluster of two: right after
 * start its CPU per request is well above what it uses once the compiler has caught up, and a
 * short fixed warm-up measures that start-up cost rather than the server. The warm-up runs the
 * same load in slices and ends once two slices in a row have not brought the CPU per request
 * down by more than WARM_STEADY below the best slice before them (one slice alone can be slow
 * from the machine's noise), or after the plan's most.
 *
 * That alone ends too early for a server of many isolates: each of 64 gets a 64th of the load,
 * and its CPU per request stays on a first plateau for tens of seconds before V8 optimizes the
 * hot paths (cluster with 64 workers on this machine: about 650 µs per request for the first 40 s,
 * 270 from 80 s on, when each worker had served some 5,000 requests). So the rule applies only
 * once the contender has served WARM_REQUESTS_PER_ISOLATE requests per isolate that answers
 * them (a cluster worker, a prefork child, a worker or event thread), within the plan's cap
 * (150 s in the full run: a prefork pool of 64 children still gets faster at 110 s).
 */

/** Requests each serving isolate must have answered before the warm-up may end. */
export const WARM_REQUESTS_PER_ISOLATE = 5000;

/** A slice that saves less than this share of CPU per request against the best before it: no progress. */
export const WARM_STEADY = 0.05;

/** Slices in a row without progress that end the warm-up. */
export const WARM_PATIENCE = 2;

/**
 * Pure: whether the warm-up is over after these slices (CPU µs per request each, oldest first;
 * null where a slice answered nothing). `floorAt`: after how many slices every isolate had
 * served its WARM_REQUESTS_PER_ISOLATE (null: not yet); from then on at most `most` more slices.
 * `cap`: the most slices in all.
 */
export function warmedUp(slices, most, floorAt = 0, cap = most) {
  if (slices.length >= cap) return true;
  if (floorAt === null) return false;
  if (slices.length - floorAt >= most) return true;
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
 * with `{ cpu, requests }`: its CPU µs per request (or null) and the requests it answered.
 * `isolates`: how many isolates answer requests. Resolves with the slices' CPU figures.
 */
export async function warmUp(slice, most, { isolates = 0, cap = most } = {}) {
  const slices = [];
  let served = 0;
  let floorAt = isolates > 0 ? null : 0;
  while (!warmedUp(slices, most, floorAt, cap)) {
    const { cpu, requests } = await slice();
    slices.push(cpu);
    served += requests;
    if (floorAt === null && served >= isolates * WARM_REQUESTS_PER_ISOLATE) floorAt = slices.length;
  }
  return slices;
}

/**
 * How many isolates of a contender answer requests, from its server spec: node:http 1, a
 * cluster its workers, a Forkyard pool its MaxRequestWorkers (prefork: children; worker and
 * event: threads). A contender may say so itself (`isolates`).
 */
export function servingIsolates(contender) {
  if (contender.isolates) return contender.isolates;
  const [name, args = []] = contender.server;
  if (name === 'node-http') return 1;
  if (name === 'cluster' || name === 'thread-cluster') return Number(args[0] ?? 2);
  if (name === 'forkyard') {
    const d = JSON.parse(args[0]).directives ?? {};
    return d.MaxRequestWorkers ?? (d.StartServers ?? 1) * (d.ThreadsPerChild ?? 1);
  }
  return 0;
}
