/**
 * The ExtendedStatus part of the HTML page: one row per thread slot that has served a request
 * or is doing something, as a table (default) or as the `?notable` list, then the legend.
 *
 * @see httpd modules/generators/mod_status.c (status_handler, `ap_extended_status && !short_report`)
 */
import type { ScoreboardImage, SlotStatus, WorkerScore } from '../scoreboard/types.js';
import { aprFixed, aprG, escapeHtml, escapeLogitem, formatByteOut } from './apr-format.js';
import type { CpuTicks } from './counts.js';
import { tickSeconds, workerAt, workerCpuTicks } from './counts.js';

/** The `M` cell: the letter, bold for the states that hold a connection (and for S). */
const MODE_CELL: Record<SlotStatus, string> = {
  '_': '_',
  S: '<b>S</b>',
  R: '<b>R</b>',
  W: '<b>W</b>',
  K: '<b>K</b>',
  L: '<b>L</b>',
  D: '<b>D</b>',
  C: '<b>C</b>',
  '.': '.',
  G: 'G',
  I: 'I',
};

/** The `?notable` word for each state. */
const MODE_WORD: Record<SlotStatus, string> = {
  '_': 'Ready',
  S: 'Starting',
  R: '<b>Read</b>',
  W: '<b>Write</b>',
  K: '<b>Keepalive</b>',
  L: '<b>Logging</b>',
  D: '<b>DNS lookup</b>',
  C: '<b>Closing</b>',
  '.': 'Dead',
  G: 'Graceful',
  I: 'Dying',
};

const TABLE_HEAD =
  '\n\n<table border="0"><tr><th>Srv</th><th>PID</th><th>Acc</th><th>M</th><th>CPU\n</th>' +
  '<th>SS</th><th>Req</th><th>Dur</th><th>Conn</th><th>Child</th><th>Slot</th>' +
  '<th>Client</th><th>Protocol</th><th>VHost</th><th>Request</th></tr>\n\n';

// httpd writes this with backslash-newline continuations, hence the odd leading spaces.
const TABLE_LEGEND =
  '</table>\n <hr /> <table>\n' +
  ' <tr><th>Srv</th><td>Child Server number - generation</td></tr>\n' +
  ' <tr><th>PID</th><td>OS process ID</td></tr>\n' +
  ' <tr><th>Acc</th><td>Number of accesses this connection / this child / this slot</td></tr>\n' +
  ' <tr><th>M</th><td>Mode of operation</td></tr>\n' +
  '<tr><th>CPU</th><td>CPU usage, number of seconds</td></tr>\n' +
  '<tr><th>SS</th><td>Seconds since beginning of most recent request</td></tr>\n' +
  ' <tr><th>Req</th><td>Milliseconds required to process most recent request</td></tr>\n' +
  ' <tr><th>Dur</th><td>Sum of milliseconds required to process all requests</td></tr>\n' +
  ' <tr><th>Conn</th><td>Kilobytes transferred this connection</td></tr>\n' +
  ' <tr><th>Child</th><td>Megabytes transferred this child</td></tr>\n' +
  ' <tr><th>Slot</th><td>Total megabytes transferred this slot</td></tr>\n' +
  ' </table>\n';

/** What one row shows, computed as mod_status does. */
interface WorkerRow {
  slot: number;
  ws: WorkerScore;
  pid: number;
  generation: number;
  /** Seconds since last_used. */
  ss: number;
  /** ms of the most recent request. */
  req: number;
  dur: number;
  /** CPU clock ticks of the slot's last snapshot. */
  cpu: CpuTicks;
}


/** Slots with `accessCount ≠ 0` or a status other than `_` and `.`, slot-major. */
function workerRows(image: ScoreboardImage, now: number): WorkerRow[] {
  const rows: WorkerRow[] = [];
  for (let i = 0; i < image.limits.serverLimit; i++) {
    for (let j = 0; j < image.limits.threadLimit; j++) {
      const ws = workerAt(image, i, j);
      if (ws.accessCount === 0 && (ws.status === '_' || ws.status === '.')) continue;
      const ps = image.processes[i];
      // The MPM's per-thread pid/generation win: a thread can outlive its process record.
      const own = ws.pid !== 0;
      const req = ws.startTime === 0 ? 0 : Math.max(0, Math.trunc(ws.stopTime - ws.startTime));
      rows.push({
        slot: i,
        ws,
        pid: own ? ws.pid : (ps?.pid ?? 0),
        generation: own ? ws.generation : (ps?.generation ?? 0),
        ss: Math.trunc((now - ws.lastUsed) / 1000),
        req,
        dur: Math.trunc(ws.durationMs),
        cpu: workerCpuTicks(image, i, ws),
      });
    }
  }
  return rows;
}

/** The per-worker table and its legend. */
export function renderWorkerTable(image: ScoreboardImage, now: number): string {
  let out = TABLE_HEAD;
  for (const row of workerRows(image, now)) {
    const { ws } = row;
    const f = Math.fround;
    const { user, system, childrenUser, childrenSystem } = row.cpu;
    const cpuTotal = tickSeconds(user + system + childrenUser + childrenSystem);
    out +=
      `<tr><td><b>${row.slot}-${row.generation}</b></td>` +
      `<td>${ws.status === '.' ? '-' : row.pid}</td>` +
      `<td>${ws.connCount}/${ws.myAccessCount}/${ws.accessCount}</td><td>${MODE_CELL[ws.status]}\n` +
      `</td><td>${aprFixed(cpuTotal, 2)}</td><td>${row.ss}</td><td>${row.req}</td><td>${row.dur}` +
      `</td><td>${aprFixed(f(f(ws.connBytes) / 1024), 1)}` +
      `</td><td>${aprFixed(f(f(ws.myBytesServed) / 1048576), 2)}` +
      `</td><td>${aprFixed(f(f(ws.bytesServed) / 1048576), 2)}\n` +
      `</td><td>${escapeHtml(ws.client)}</td><td>${escapeHtml(ws.protocol)}` +
      `</td><td nowrap>${escapeHtml(ws.vhost)}</td><td nowrap>${escapeHtml(escapeLogitem(ws.request))}</td></tr>\n\n`;
  }
  return out + TABLE_LEGEND;
}

/** `?notable`: the same rows as a list under "Server Details". */
export function renderServerDetails(image: ScoreboardImage, now: number): string {
  let out = '<hr /><h2>Server Details</h2>\n\n';
  for (const row of workerRows(image, now)) {
    const { ws, cpu } = row;
    const pid = ws.status === '.' ? '-' : String(row.pid);
    out +=
      `<b>Server ${row.slot}-${row.generation}</b> (${pid}): ` +
      `${ws.connCount}|${ws.myAccessCount}|${ws.accessCount} [${MODE_WORD[ws.status]}] ` +
      `u${aprG(tickSeconds(cpu.user))} s${aprG(tickSeconds(cpu.system))} ` +
      `cu${aprG(tickSeconds(cpu.childrenUser))} cs${aprG(tickSeconds(cpu.childrenSystem))}\n` +
      ` ${row.ss} ${row.req} ${row.dur}(` +
      `${formatByteOut(ws.connBytes)}|${formatByteOut(ws.myBytesServed)}|${formatByteOut(ws.bytesServed)})\n` +
      ` <i>${escapeHtml(ws.client)} {${escapeHtml(escapeLogitem(ws.request))}}</i>` +
      ` <i>(${escapeHtml(ws.protocol)})</i> <b>[${escapeHtml(ws.vhost)}]</b><br />\n\n`;
  }
  return out;
}
