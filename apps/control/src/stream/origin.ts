/**
 * Which pages may open the stream. Browsers always send `Origin` on a WebSocket handshake and
 * apply no same-origin rule of their own to it, so the server must (DESIGN §5: "WebSocket
 * checks Origin"). Tools send no Origin and are let through to authentication.
 *
 * Allowed: no Origin; an origin listed by the operator; the control plane's own origin when it
 * is addressed by a loopback name or an IP literal; and any loopback page talking to a loopback
 * control plane (the dashboard's dev server on another port). A page reached through a DNS
 * name is same-origin by Host alone only if listed: a name is what a DNS-rebinding page uses.
 */

const LOOPBACK_HOSTS = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\]|::1|\[::ffff:127(?:\.\d{1,3}){3}\])$/i;
const IP_LITERAL = /^(?:\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-f:.]+\])$/i;

export function isLoopbackHostname(hostname: string): boolean {
  return LOOPBACK_HOSTS.test(hostname) || /\.localhost$/i.test(hostname);
}

/** `host[:port]` of a Host header, parsed as a URL would; null if it is not one. */
function parseHost(host: string): URL | null {
  try {
    return new URL(`http://${host}`);
  } catch {
    return null;
  }
}

export interface OriginPolicy {
  /** Exact origins (`https://ops.example.com`) allowed besides the built-in rules. */
  allowedOrigins?: readonly string[];
}

/** Whether a handshake with this `Origin` (and `Host`) may go on to authentication. */
export function originAllowed(origin: string | undefined, host: string | undefined, policy: OriginPolicy = {}): boolean {
  if (origin === undefined || origin === '') return true;
  if (policy.allowedOrigins?.includes(origin)) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false; // 'null' (sandboxed frames, file:) and garbage
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  const self = host ? parseHost(host) : null;
  if (self === null) return false;
  const selfIsLoopback = isLoopbackHostname(self.hostname);
  if (url.host === self.host && (selfIsLoopback || IP_LITERAL.test(self.hostname))) return true;
  return selfIsLoopback && isLoopbackHostname(url.hostname);
}
