/**
 * `/server-status`: the HTML page, laid out as httpd 2.4.71 lays it out (HTML 4.01 Strict),
 * with two deliberate differences: the heading names Forkyard, and the per-process table
 * that httpd prints only for event is printed for every MPM, since Forkyard's per-process
 * counters are exact for all three.
 *
 * @see httpd modules/generators/mod_status.c (status_handler, !short_report)
 */
import type { ScoreboardImage } from '../scoreboard/types.js';
import { STATUS_LEGEND } from '../scoreboard/types.js';
import type { StatusRenderOptions } from './auto.js';
import {
  aprFixed,
  aprG,
  escapeHtml,
  formatByteOut,
  formatKbyteOut,
  httpdTime,
  uptimeString,
} from './apr-format.js';
import type { WorkerCounts } from './counts.js';
import {
  DISABLED_FLAG,
  countWorkers,
  extendedFigures,
  processThreadCounts,
  slotFlags,
} from './counts.js';
import { renderServerDetails, renderWorkerTable } from './worker-table.js';

export interface HtmlRenderOptions extends StatusRenderOptions {
  /** The address the status request arrived on (`(via …)` in the heading). */
  localAddress: string;
  /** `?refresh[=N]`: httpd sends it only as a `Refresh` header, so the page itself is the same. */
  refresh?: number;
  /** `?notable`: the per-worker details as a list instead of a table. */
  notable?: boolean;
}

const DOCTYPE =
  '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN" "http://www.w3.org/TR/html4/strict.dtd">\n';

/** STATUS_MAXLINE: the `<pre>` grid breaks after this many letters. */
const GRID_WIDTH = 64;

/** What follows each legend entry, in STATUS_LEGEND's order (three entries per line). */
const KEY_SEPARATORS = [', ', ', ', ',<br />', ', ', ', ', ',<br />', ', ', ', ', ',<br /> ', ', ', '<br />'];

const SCOREBOARD_KEY =
  '<p>Scoreboard Key:<br />\n' +
  STATUS_LEGEND.map(
    ([letter, text], k) => `"<b><code>${letter}</code></b>" ${text}${KEY_SEPARATORS[k] ?? ''}\n`,
  ).join('') +
  '</p>\n';

const PROCESS_TABLE_HEAD =
  '\n\n<table rules="all" cellpadding="1%">\n' +
  '<tr><th rowspan="2">Slot</th><th rowspan="2">PID</th><th rowspan="2">Stopping</th>' +
  '<th colspan="2">Connections</th>\n' +
  '<th colspan="3">Threads</th><th colspan="4">Async connections</th></tr>\n' +
  '<tr><th>total</th><th>accepting</th><th>busy</th><th>graceful</th><th>idle</th>' +
  '<th>wait-io</th><th>writing</th><th>keep-alive</th><th>closing</th></tr>\n';

const EXTENDED_STATUS_HINT =
  '<hr />To obtain a full report with current status information you need to use the ' +
  '<code>ExtendedStatus On</code> directive.\n';

const cells = (values: ReadonlyArray<string | number>): string =>
  values.map((v) => `<td>${v}</td>`).join('');

export function renderHtml(image: ScoreboardImage, opts: HtmlRenderOptions): string {
  const g = image.global;
  const counts = countWorkers(image);
  const fig = extendedFigures(image, opts.now, counts);
  const [load1, load5, load15] = opts.loadavg.map((v) => aprFixed(v, 2));
  let out =
    DOCTYPE +
    '<html><head>\n<title>Apache Status</title>\n</head><body>\n' +
    `<h1>Forkyard Server Status for ${escapeHtml(opts.serverName)} (via ${escapeHtml(opts.localAddress)})</h1>\n\n` +
    `<dl><dt>Server Version: ${escapeHtml(g.serverVersion)}</dt>\n` +
    `<dt>Server MPM: ${g.mpm}</dt>\n` +
    `<dt>Server Built: ${escapeHtml(g.serverBuilt)}\n</dt></dl><hr /><dl>\n` +
    `<dt>Current Time: ${httpdTime(opts.now, opts.timeZone)}</dt>\n` +
    `<dt>Restart Time: ${httpdTime(g.restartTime, opts.timeZone)}</dt>\n` +
    `<dt>Parent Server Config. Generation: ${g.configGeneration}</dt>\n` +
    `<dt>Parent Server MPM Generation: ${g.mpmGeneration}</dt>\n` +
    // Two spaces after the colon: the uptime string starts with one.
    `<dt>Server uptime: ${uptimeString(fig.uptime)}</dt>\n` +
    `<dt>Server load: ${load1} ${load5} ${load15}</dt>\n`;

  if (g.extendedStatus) {
    out +=
      `<dt>Total accesses: ${fig.accesses} - Total Traffic: ${formatKbyteOut(fig.kBytes)}` +
      ` - Total Duration: ${fig.durationMs}</dt>\n` +
      `<dt>CPU Usage: u${aprG(fig.cpuUser)} s${aprG(fig.cpuSystem)}` +
      ` cu${aprG(fig.cpuChildrenUser)} cs${aprG(fig.cpuChildrenSystem)}` +
      (fig.cpuLoad !== undefined ? ` - ${aprG(fig.cpuLoad, 3)}% CPU load</dt>\n` : '</dt>\n') +
      '<dt>';
    if (fig.reqPerSec !== undefined && fig.bytesPerSec !== undefined) {
      out += `${aprG(fig.reqPerSec, 3)} requests/sec - ${formatByteOut(Math.trunc(fig.bytesPerSec))}/second`;
    }
    if (fig.bytesPerReq !== undefined && fig.durationPerReq !== undefined) {
      if (fig.uptime > 0) out += ' - ';
      out += `${formatByteOut(Math.trunc(fig.bytesPerReq))}/request - ${aprG(fig.durationPerReq)} ms/request`;
    }
    out += '</dt>\n';
  }

  out +=
    `<dt>${counts.busy} requests currently being processed, ${counts.graceful} workers gracefully ` +
    `restarting, ${counts.idle} idle workers</dt>\n</dl>` +
    renderProcessTable(image, counts) +
    `<pre>${renderGrid(image)}</pre>\n` +
    SCOREBOARD_KEY;

  if (!g.extendedStatus) return out + renderPidKey(image) + EXTENDED_STATUS_HINT + '</body></html>\n';
  const details = opts.notable ? renderServerDetails(image, opts.now) : renderWorkerTable(image, opts.now);
  return out + details + '</body></html>\n';
}

/** One row per live child slot, then `Sum` with the global counts. */
function renderProcessTable(image: ScoreboardImage, counts: WorkerCounts): string {
  let out = PROCESS_TABLE_HEAD;
  image.processes.forEach((ps, i) => {
    if (ps.pid === 0) return;
    const threads = processThreadCounts(image, i);
    const stopping = (ps.quiescing ? 'yes' : 'no') + (ps.generation !== image.global.mpmGeneration ? ' (old gen)' : '');
    out += `<tr>${cells([
      i,
      ps.pid,
      stopping,
      ps.connections,
      ps.notAccepting ? 'no' : 'yes',
      threads.busy,
      threads.graceful,
      threads.idle,
      ps.waitIo,
      ps.writeCompletion,
      ps.keepAlive,
      ps.lingeringClose,
    ])}</tr>\n`;
  });
  const sum = cells([
    'Sum',
    counts.processes,
    counts.stopping,
    counts.connsTotal,
    '&nbsp;',
    counts.busy,
    counts.graceful,
    counts.idle,
    counts.connsAsyncWaitIO,
    counts.connsAsyncWriting,
    counts.connsAsyncKeepAlive,
    counts.connsAsyncClosing,
  ]);
  return `${out}<tr>${sum}</tr>\n</table>\n`;
}

/** The scoreboard letters with a newline after every 64th. */
function renderGrid(image: ScoreboardImage): string {
  let out = '';
  let written = 0;
  for (const flag of slotFlags(image)) {
    if (flag === DISABLED_FLAG) continue;
    out += flag;
    if (written % GRID_WIDTH === GRID_WIDTH - 1) out += '\n';
    written++;
  }
  return out;
}

/**
 * ExtendedStatus Off: `PID in state: X`, three per line, for every flag but `.`. Disabled
 * slots are listed too (as pid 0 in state ` `): httpd compares against `.` only.
 */
function renderPidKey(image: ScoreboardImage): string {
  const threads = image.limits.threadLimit;
  let out = 'PID Key: <br />\n<pre>\n';
  let k = 0;
  slotFlags(image).forEach((flag, index) => {
    if (flag === '.') return;
    const pid = image.processes[Math.floor(index / threads)]?.pid ?? 0;
    out += `   ${pid} in state: ${flag} `;
    k++;
    if (k >= 3) {
      out += '\n';
      k = 0;
    } else {
      out += ',';
    }
  });
  return out + '\n</pre>\n';
}
