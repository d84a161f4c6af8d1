/** Light or dark: the system's choice until the operator picks one (kept in localStorage). */
import { useState } from 'react';

export type Theme = 'light' | 'dark';
const KEY = 'forkyard.theme';

function initial(): Theme {
  try {
    const stored = window.localStorage.getItem(KEY);
    if (stored === 'light' || stored === 'dark') return stored;
  } catch {
    // no storage: follow the system
  }
  return window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

// Set on <html> before React renders with the new theme: children's effects (the canvas reads
// the slot colours from CSS) run before their parents' effects.
function applyTheme(t: Theme): Theme {
  document.documentElement.dataset.theme = t;
  return t;
}

export function useTheme(): [Theme, (t: Theme) => void] {
  const [theme, setTheme] = useState<Theme>(() => applyTheme(initial()));
  const choose = (t: Theme) => {
    setTheme(applyTheme(t));
    try {
      window.localStorage.setItem(KEY, t);
    } catch {
      // see initial()
    }
  };
  return [theme, choose];
}
