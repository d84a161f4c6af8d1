import { useDashboard } from '../lib/store.js';
import { signOut } from '../lib/session.js';
import { ConnectionStatus } from '../features/connection/connection-status.js';
import type { Theme } from './use-theme.js';

export function AppHeader({ theme, onTheme }: { theme: Theme; onTheme: (t: Theme) => void }) {
  const server = useDashboard((s) => (s.stream.snapshot ? `${s.stream.snapshot.serverName} · ${s.stream.snapshot.version}` : ''));
  const role = useDashboard((s) => s.session.role);
  return (
    <header className="app-header">
      <h1>Forkyard</h1>
      <span className="server-name">{server}</span>
      <div className="spacer" />
      {role && <ConnectionStatus />}
      {role && (
        <span className={`role role-${role}`} title={role === 'viewer' ? 'Read-only: changes need an operator token' : 'May change the pool'}>
          {role}
        </span>
      )}
      <button type="button" className="btn ghost" aria-label={`Switch to ${theme === 'dark' ? 'light' : 'dark'} theme`} onClick={() => onTheme(theme === 'dark' ? 'light' : 'dark')}>
        {theme === 'dark' ? 'Light' : 'Dark'}
      </button>
      {role && (
        <button type="button" className="btn ghost" onClick={signOut}>
          Sign out
        </button>
      )}
    </header>
  );
}
