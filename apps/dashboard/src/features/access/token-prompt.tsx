/** The sign-in form: a viewer or operator token, checked against the control plane. */
import { useEffect, useState, type FormEvent } from 'react';
import { continueWithoutToken, openReadAvailable, signIn } from '../../lib/session.js';

export function TokenPrompt({ rejected, initialError = null }: { rejected: boolean; initialError?: string | null }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(rejected ? 'The control plane refused the token. Enter a current one.' : initialError);
  const [busy, setBusy] = useState(false);
  const [openRead, setOpenRead] = useState(false);
  useEffect(() => {
    void openReadAvailable().then(setOpenRead);
  }, []);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(token.trim());
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="panel token-prompt" onSubmit={(e) => void submit(e)} aria-label="Sign in">
      <h2>Sign in to the control plane</h2>
      <p className="hint">
        Paste a token from <code>tokens.json</code> in the pool’s data directory (printed by <code>forkyard start</code> on first run). A
        <strong> viewer</strong> token shows everything; an <strong>operator</strong> token may also change the pool.
      </p>
      <label htmlFor="token">Token</label>
      <input id="token" name="token" type="password" autoComplete="current-password" value={token} onChange={(e) => setToken(e.target.value)} required spellCheck={false} />
      {error && <p className="field-error" role="alert">{error}</p>}
      <button type="submit" className="btn primary" disabled={busy || token.trim() === ''}>
        {busy ? 'Checking…' : 'Sign in'}
      </button>
      {openRead && (
        <button type="button" className="btn ghost" onClick={continueWithoutToken}>
          Continue without a token (read-only)
        </button>
      )}
    </form>
  );
}
