/**
 * mod_status for Forkyard: pure renderers from a scoreboard image to `?auto` text and the
 * HTML page. The handler that serves them (and sends the `Refresh` header) lives elsewhere.
 */
export {
  aprFixed,
  aprG,
  escapeHtml,
  escapeLogitem,
  formatByteOut,
  formatKbyteOut,
  httpdTime,
  uptimeString,
} from './apr-format.js';
export type { CpuTicks, ExtendedFigures, ProcessThreadCounts, WorkerCounts } from './counts.js';
export {
  countWorkers,
  cpuTicks,
  extendedFigures,
  processThreadCounts,
  scoreboardString,
  slotFlags,
  uptimeSeconds,
} from './counts.js';
export type { StatusRenderOptions } from './auto.js';
export { renderAuto } from './auto.js';
export type { HtmlRenderOptions } from './html.js';
export { renderHtml } from './html.js';
export { renderServerDetails, renderWorkerTable } from './worker-table.js';
