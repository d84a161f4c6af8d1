/**
 * What every route of one control plane shares: the pool it drives, the store, the event bus
 * and the directive overrides applied through the API (mirrored in the store).
 */

import type { EventEmitter } from 'node:events';
import type { Pool } from '@forkyard/engine';
import type { DirectiveInput } from '@forkyard/protocol';
import type { ControlStore } from './store/store.js';

export interface ControlContext {
  readonly pool: Pool;
  readonly store: ControlStore;
  readonly events: EventEmitter;
  /** Directives set through the API (httpd spelling, as sent), restored on the next start. */
  overrides: Record<string, DirectiveInput>;
}
