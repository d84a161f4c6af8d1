/**
 * The page: header (server, connection, role, theme), the scoreboard across the top, charts,
 * load tests and the event log on the left, controls and the directive editor on the right. Composition only;
 * each feature reads the store itself.
 */
import { useEffect, useState } from 'react';
import { useDashboard } from '../lib/store.js';
import { signIn, storedToken } from '../lib/session.js';
import { ConfirmDialog } from '../components/confirm-dialog.js';
import { ScoreboardPanel } from '../features/scoreboard/scoreboard-panel.js';
import { LiveCharts } from '../features/charts/live-charts.js';
import { EventLog } from '../features/events/event-log-panel.js';
import { PoolControls } from '../features/controls/pool-controls.js';
import { DirectiveEditor } from '../features/directives/directive-editor.js';
import { TokenPrompt } from '../features/access/token-prompt.js';
import { LoadTestPanel } from '../features/loadtests/load-test-panel.js';
import { AppHeader } from './app-header.js';
import { useTheme } from './use-theme.js';

export function App() {
  const [theme, setTheme] = useTheme();
  const signedIn = useDashboard((s) => s.session.role !== null);
  const rejected = useDashboard((s) => s.connection.phase === 'rejected');
  const [restoring, setRestoring] = useState(() => storedToken() !== null);
  const [restoreError, setRestoreError] = useState<string | null>(null);

  useEffect(() => {
    const token = storedToken();
    if (!token) return;
    signIn(token)
      .catch((err: unknown) => setRestoreError(`The saved token could not be used: ${err instanceof Error ? err.message : String(err)}`))
      .finally(() => setRestoring(false));
  }, []);

  if (!signedIn || rejected) {
    return (
      <>
        <AppHeader theme={theme} onTheme={setTheme} />
        <main className="signin">{restoring ? <p className="placeholder">Signing in…</p> : <TokenPrompt rejected={rejected} initialError={restoreError} />}</main>
      </>
    );
  }
  return (
    <>
      <AppHeader theme={theme} onTheme={setTheme} />
      <main className="layout">
        <ScoreboardPanel theme={theme} />
        <div className="col-main">
          <LiveCharts />
          <LoadTestPanel />
          <EventLog />
        </div>
        <div className="col-side">
          <PoolControls />
          <DirectiveEditor />
        </div>
      </main>
      <ConfirmDialog />
    </>
  );
}
