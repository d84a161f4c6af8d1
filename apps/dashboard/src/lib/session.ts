/**
 * Signing in with a token: check it and learn its role, keep it for the next visit, open the
 * stream. The token stays in this browser's localStorage (the page is for one operator's
 * machine); signing out forgets it.
 */
import { API_PATHS, API_PREFIX } from '@forkyard/protocol';
import { probeRole, recentAudit } from './api.js';
import { withAuditBackfill } from './event-log.js';
import { startStream, stopStream } from './stream-connection.js';
import { dashboardStore, INITIAL_DASHBOARD_STATE } from './store.js';

const STORAGE_KEY = 'forkyard.token';

export function storedToken(): string | null {
  try {
    return window.localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

export async function signIn(token: string, remember = true): Promise<void> {
  const role = await probeRole(token);
  dashboardStore.setState({ session: { token, role } });
  try {
    if (remember) window.localStorage.setItem(STORAGE_KEY, token);
  } catch {
    // Private windows may refuse storage; the session still works until the page closes.
  }
  startStream();
  // The stream carries events from now on; the audit trail says what was changed before.
  recentAudit().then(
    (page) => dashboardStore.setState((s) => withAuditBackfill(s, page.entries)),
    () => undefined,
  );
}

/** Whether this control plane lets this page read without a token (`forkyard start --open-read`, loopback). */
export async function openReadAvailable(): Promise<boolean> {
  try {
    return (await fetch(`${API_PREFIX}${API_PATHS.status}`, { headers: { accept: 'application/json' } })).ok;
  } catch {
    return false;
  }
}

/** Watch without a token: read-only, and only where the control plane allows open reads. */
export function continueWithoutToken(): void {
  dashboardStore.setState({ session: { token: null, role: 'viewer' } });
  startStream();
}

export function signOut(): void {
  stopStream();
  try {
    window.localStorage.removeItem(STORAGE_KEY);
  } catch {
    // see signIn
  }
  dashboardStore.setState({ ...INITIAL_DASHBOARD_STATE });
}
