/**
 * What a new process starts with: the MPM and directives applied through the API last time,
 * under whatever the command line and config file say now (they win, field by field). A stored
 * value this Forkyard no longer accepts is left out with a note, rather than stopping start-up.
 */

import { MPM_NAMES, parseDirectives, type MpmName, type PoolConfig } from '@forkyard/engine';
import type { StoredConfig } from './store.js';

export function withStored(config: PoolConfig, stored: StoredConfig, note: (message: string) => void = () => undefined): PoolConfig {
  let mpm = config.mpm;
  if (mpm === undefined && stored.mpm !== undefined) {
    if (MPM_NAMES.includes(stored.mpm as MpmName)) mpm = stored.mpm;
    else note(`the stored MPM "${stored.mpm}" is unknown: starting with the default`);
  }
  const restored: Record<string, unknown> = { ...(stored.directives ?? {}) };
  const bad = parseDirectives(restored, (MPM_NAMES.includes(mpm as MpmName) ? mpm : 'prefork') as MpmName).errors;
  for (const e of bad) {
    delete restored[e.directive];
    note(`leaving out the stored ${e.message}`);
  }
  return { ...config, ...(mpm !== undefined ? { mpm } : {}), directives: { ...restored, ...(config.directives ?? {}) } };
}
