/**
 * The pool's directives (values, effective values, httpd's warnings and the directive table),
 * fetched once and again whenever the stream shows a new generation or configuration, shared
 * by the quick controls and the directive editor.
 */
import { useEffect } from 'react';
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type { DirectivesState } from '@forkyard/protocol';
import { getDirectives } from './api.js';
import { useDashboard } from './store.js';

interface DirectivesSlice {
  state: DirectivesState | null;
  error: string | null;
}

const directivesStore = createStore<DirectivesSlice>()(() => ({ state: null, error: null }));
let inflight: AbortController | null = null;

export async function refreshDirectives(): Promise<void> {
  inflight?.abort();
  const ctl = new AbortController();
  inflight = ctl;
  try {
    const state = await getDirectives(ctl.signal);
    if (inflight === ctl) directivesStore.setState({ state, error: null });
  } catch (err) {
    if ((err as Error).name !== 'AbortError' && inflight === ctl) directivesStore.setState({ error: (err as Error).message });
  }
}

/** The directives, kept current with the stream's generation and configuration counters. */
export function useDirectivesState(): DirectivesSlice {
  const version = useDashboard((s) => (s.stream.snapshot ? `${s.stream.snapshot.mpm}/${s.stream.snapshot.generation}/${s.stream.snapshot.configGeneration}/${s.stream.snapshot.limits.maxRequestWorkers}` : ''));
  const lastDirectivesEvent = useDashboard((s) => {
    for (let i = s.log.length - 1; i >= 0; i--) if (s.log[i]!.kind === 'directives') return s.log[i]!.id;
    return 0;
  });
  useEffect(() => {
    if (version) void refreshDirectives();
  }, [version, lastDirectivesEvent]);
  return useStore(directivesStore);
}
