/**
 * Where a load test may send traffic. Load tests are meant for the pool's own listener, which is
 * on this machine; any other host must be named in an allow-list, so a typo (or a hostile
 * request to the control plane) cannot point a flood of requests at someone else's server.
 * Pure: names are not resolved (a name that is not `localhost` is not loopback here).
 */

import net from 'node:net';

export type TargetCheck =
  | { ok: true; origin: string }
  | { ok: false; code: 'FY_LOADTEST_TARGET_URL' | 'FY_LOADTEST_TARGET_REFUSED'; message: string };

function isLoopbackHost(hostname: string): boolean {
  const host = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  if (host === 'localhost') return true;
  if (net.isIPv4(host)) return host.split('.')[0] === '127';
  if (net.isIPv6(host)) {
    const lower = host.toLowerCase();
    if (lower === '::1' || lower === '0:0:0:0:0:0:0:1') return true;
    // IPv4-mapped loopback, as WHATWG URL writes it: ::ffff:7f00:1
    return /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(lower);
  }
  return false;
}

/** One allow-list entry: an origin (`http://10.0.0.5:8080`), `host:port`, or a bare host. */
function allowedBy(entry: string, url: URL): boolean {
  const trimmed = entry.trim().toLowerCase();
  if (trimmed === '') return false;
  if (/^[a-z][a-z0-9+.-]*:\/\//.test(trimmed)) {
    try {
      return new URL(trimmed).origin === url.origin;
    } catch {
      return false;
    }
  }
  return trimmed === url.host || trimmed === url.hostname;
}

/**
 * Checks a load-test target (a base URL such as `http://127.0.0.1:8080`).
 * @param allowList hosts or origins that may be targeted although they are not loopback
 * @param opts.anyLoopback false: a loopback host needs the allow-list too (a caller that only
 *   targets one listener of its own puts that listener in the list)
 * @returns the origin to send to, or why the target is refused
 */
export function checkTarget(target: string, allowList: readonly string[] = [], opts: { anyLoopback?: boolean } = {}): TargetCheck {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return { ok: false, code: 'FY_LOADTEST_TARGET_URL', message: `target "${target}" is not a URL (expected e.g. http://127.0.0.1:8080)` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, code: 'FY_LOADTEST_TARGET_URL', message: `target must be an http: or https: URL (got ${url.protocol})` };
  }
  if (url.username || url.password) {
    return { ok: false, code: 'FY_LOADTEST_TARGET_URL', message: 'target must not carry credentials' };
  }
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
    return { ok: false, code: 'FY_LOADTEST_TARGET_URL', message: 'target is a base URL (scheme, host, port): the scenario chooses the path' };
  }
  const anyLoopback = opts.anyLoopback ?? true;
  if ((anyLoopback && isLoopbackHost(url.hostname)) || allowList.some((entry) => allowedBy(entry, url))) {
    return { ok: true, origin: url.origin };
  }
  return {
    ok: false,
    code: 'FY_LOADTEST_TARGET_REFUSED',
    message: anyLoopback
      ? `target ${url.host} is not a loopback address and is not in the load-test allow-list`
      : `target ${url.host} is not this pool's listener and is not in the load-test allow-list`,
  };
}
