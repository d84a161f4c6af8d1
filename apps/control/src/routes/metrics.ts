/**
 * `/metrics`: Prometheus exposition from prom-client, in a Registry of this app's own (never
 * the global default one, so two control planes in one process do not collide). Scoreboard
 * figures are read once per scrape; spawns and exits are counted from the pool's events.
 */

import type { FastifyPluginAsync } from 'fastify';
import { Counter, Gauge, Registry } from 'prom-client';
import { countWorkers, type Pool, type ScoreboardImage, type WorkerCounts } from '@forkyard/engine';
import type { ControlContext } from '../context.js';

/** apache_exporter's names for mod_status's letters. */
const STATE_NAMES: Readonly<Record<string, string>> = {
  _: 'idle',
  S: 'startup',
  R: 'read',
  W: 'reply',
  K: 'keepalive',
  D: 'dns',
  C: 'closing',
  L: 'logging',
  G: 'graceful_stop',
  I: 'idle_cleanup',
  '.': 'open_slot',
};

interface Scrape {
  image: ScoreboardImage;
  /** mod_status's counts and totals (what /server-status prints). */
  counts: WorkerCounts;
  slots: SlotFigures;
}

/** Sums over the thread slots of live children (open slots: those not in use up to MaxRequestWorkers). */
interface SlotFigures {
  states: Map<string, number>;
  keepAlive: number;
}

function slotFigures(image: ScoreboardImage): SlotFigures {
  const states = new Map<string, number>(Object.values(STATE_NAMES).map((n) => [n, 0]));
  let keepAlive = 0;
  let used = 0;
  image.processes.forEach((ps, i) => {
    const row = image.workers[i] ?? [];
    if (ps.pid === 0) return;
    keepAlive += ps.keepAlive;
    for (const ws of row.slice(0, Math.max(1, image.limits.threadsPerChild))) {
      const name = STATE_NAMES[ws.status] ?? 'open_slot';
      states.set(name, (states.get(name) ?? 0) + 1);
      if (ws.status === 'K') keepAlive++;
      if (ws.status !== '.') used++;
    }
  });
  states.set('open_slot', (states.get('open_slot') ?? 0) + Math.max(0, image.limits.maxRequestWorkers - used));
  return { states, keepAlive };
}

export function createMetrics(pool: Pool): { registry: Registry; scrape(): Promise<string>; detach(): void } {
  const registry = new Registry();
  let current: Scrape | null = null;
  // One image, counted once, per scrape.
  const take = (): Scrape => (current ??= ((image) => ({ image, counts: countWorkers(image), slots: slotFigures(image) }))(pool.snapshot()));
  const registers = [registry];

  new Gauge({
    name: 'forkyard_info',
    help: 'The running server: version and MPM (always 1)',
    labelNames: ['version', 'mpm'],
    registers,
    collect() {
      this.reset();
      const g = take().image.global;
      this.set({ version: g.serverVersion, mpm: g.mpm }, 1);
    },
  });
  new Gauge({ name: 'forkyard_generation', help: 'The running generation (ParentServerMPMGeneration)', registers, collect() { this.set(take().image.global.mpmGeneration); } });
  new Gauge({
    name: 'forkyard_standby_ready',
    help: 'A standby process is booted and waiting to become the next child (1), or there is none ready (0)',
    registers,
    collect() {
      this.set(pool.standby?.booted ? 1 : 0);
    },
  });
  new Gauge({
    name: 'forkyard_standbys',
    help: 'Standby processes, booted and waiting or still booting (one at rest; up to 3 while children are made faster than one boots)',
    labelNames: ['state'],
    registers,
    collect() {
      const all = pool.standbys;
      const booted = all.filter((s) => s.booted).length;
      this.set({ state: 'booted' }, booted);
      this.set({ state: 'booting' }, all.length - booted);
    },
  });
  new Gauge({
    name: 'forkyard_scoreboard_slots',
    help: 'Thread slots by mod_status state (open_slot: free up to MaxRequestWorkers)',
    labelNames: ['state'],
    registers,
    collect() {
      for (const [state, n] of take().slots.states) this.set({ state }, n);
    },
  });
  new Gauge({
    name: 'forkyard_processes',
    help: 'Live child processes by generation',
    labelNames: ['generation'],
    registers,
    collect() {
      this.reset();
      const byGen = new Map<number, number>();
      for (const ps of take().image.processes) if (ps.pid !== 0) byGen.set(ps.generation, (byGen.get(ps.generation) ?? 0) + 1);
      for (const [generation, n] of byGen) this.set({ generation: String(generation) }, n);
    },
  });
  new Gauge({ name: 'forkyard_busy_workers', help: 'Busy workers (mod_status BusyWorkers)', registers, collect() { this.set(take().counts.busy); } });
  new Gauge({ name: 'forkyard_idle_workers', help: 'Idle workers (mod_status IdleWorkers)', registers, collect() { this.set(take().counts.idle); } });
  new Gauge({ name: 'forkyard_accept_queue_depth', help: 'Connections accepted by the primary, waiting for a child with room', registers, collect() { this.set(take().image.global.acceptQueue); } });
  new Counter({
    name: 'forkyard_accept_refused_total',
    help: 'Connections closed on arrival because ListenBacklog connections were already waiting for a child',
    registers,
    collect() {
      this.reset();
      this.inc(take().image.global.acceptRefused);
    },
  });
  new Gauge({ name: 'forkyard_keepalive_connections', help: 'Kept-alive connections waiting for their next request (K slots and event-parked connections)', registers, collect() { this.set(take().slots.keepAlive); } });
  new Counter({ name: 'forkyard_accesses_total', help: 'Requests served (mod_status Total Accesses)', registers, collect() { this.reset(); this.inc(take().counts.totalAccesses); } });
  new Counter({ name: 'forkyard_sent_bytes_total', help: 'Response bytes sent (mod_status Total kBytes, in bytes)', registers, collect() { this.reset(); this.inc(take().counts.totalBytes); } });
  new Counter({ name: 'forkyard_request_duration_seconds_total', help: 'Sum of request durations (mod_status Total Duration)', registers, collect() { this.reset(); this.inc(take().counts.totalDurationMs / 1000); } });

  const spawns = new Counter({ name: 'forkyard_child_spawns_total', help: 'Child processes forked', labelNames: ['mpm'], registers });
  const exits = new Counter({ name: 'forkyard_child_exits_total', help: 'Child processes exited, by reason (surplus, recycled, generation, stop, killed, crashed, app-error, …)', labelNames: ['reason'], registers });
  const onSpawn = (e: { mpm: string }): void => spawns.inc({ mpm: e.mpm });
  const onExit = (e: { reason: string }): void => exits.inc({ reason: e.reason });
  pool.on('spawn', onSpawn);
  pool.on('exit', onExit);

  return {
    registry,
    async scrape() {
      current = null;
      try {
        return await registry.metrics();
      } finally {
        current = null;
      }
    },
    detach() {
      pool.off('spawn', onSpawn);
      pool.off('exit', onExit);
    },
  };
}

const metrics: FastifyPluginAsync<{ ctx: ControlContext }> = async (app, { ctx }) => {
  const m = createMetrics(ctx.pool);
  app.addHook('onClose', async () => m.detach());
  app.get('/metrics', {
    config: { access: 'read' },
    schema: { summary: 'Prometheus metrics', tags: ['status'] },
    handler: async (_request, reply) => reply.type(m.registry.contentType).send(await m.scrape()),
  });
};

export default metrics;
