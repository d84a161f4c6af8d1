/**
 * The primary's once-a-tick pool decision, for every MPM. Pure: given the scoreboard image,
 * the effective directives and the retained state, it says which slots to fork into, which
 * child (at most one) to stop, what to log, and the retained state for the next pass.
 *
 * @see httpd perform_idle_server_maintenance and startup_children in each Unix MPM
 */
import type { EffectiveDirectives } from '../../directives/types.js';
import type { MpmName, ScoreboardImage } from '../../scoreboard/types.js';
import {
  HOLD_OFF_AFTER_GRACEFUL,
  type MaintenanceInput,
  type MaintenancePlan,
  type RetainedState,
} from '../maintenance-types.js';
import { preforkMaintenance, preforkStartupChildren } from './prefork.js';
import { eventMaintenance, threadedStartupChildren, workerMaintenance } from './threaded.js';

export { eventMaintenance, preforkMaintenance, workerMaintenance };

export function performIdleServerMaintenance(input: MaintenanceInput): MaintenancePlan {
  switch (input.mpm) {
    case 'prefork':
      return preforkMaintenance(input);
    case 'worker':
      return workerMaintenance(input);
    case 'event':
      return eventMaintenance(input);
  }
}

/** Cold start (or hard restart): the lowest free slots for min(StartServers, MaxDaemons) children. */
export function startupChildren(mpm: MpmName, image: ScoreboardImage, directives: EffectiveDirectives): number[] {
  return mpm === 'prefork'
    ? preforkStartupChildren(image, directives)
    : threadedStartupChildren(mpm, image, directives);
}

/**
 * What a graceful restart does to the retained state: nothing is forked at once; the
 * replacements (min(StartServers, MaxDaemons)) are forked one-for-one as old children are
 * reaped and the rest on the next maintenance pass, and ten spawning passes do not double.
 */
export function retainedAfterGracefulRestart(retained: RetainedState, directives: EffectiveDirectives): RetainedState {
  return {
    ...retained,
    reported: [...retained.reported],
    remainingChildrenToStart: Math.min(directives.StartServers, directives.MaxDaemons),
    holdOffOnExponentialSpawning: HOLD_OFF_AFTER_GRACEFUL,
  };
}
