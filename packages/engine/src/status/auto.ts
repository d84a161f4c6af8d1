/**
 * `/server-status?auto`: the machine-readable layout that apache_exporter, Netdata and
 * collectd parse. Line for line what httpd 2.4.63+ prints; Forkyard's own figures come only
 * after the `Scoreboard:` line, where httpd prints other modules' status hooks.
 *
 * @see httpd modules/generators/mod_status.c (status_handler, short_report)
 */
import type { ScoreboardImage } from '../scoreboard/types.js';
import { aprFixed, aprG, httpdTime, uptimeString } from './apr-format.js';
import { countWorkers, extendedFigures, scoreboardString } from './counts.js';

export interface StatusRenderOptions {
  /** Epoch ms of "now" (CurrentTime, uptime, SS). */
  now: number;
  /** 1, 5 and 15 minute load averages; -1 each where unavailable. */
  loadavg: readonly [number, number, number];
  /** What `ap_get_server_name(r)` gives: normally the request's Host. */
  serverName: string;
  /** IANA zone for CurrentTime/RestartTime; UTC by default. */
  timeZone?: string;
}

export function renderAuto(image: ScoreboardImage, opts: StatusRenderOptions): string {
  const g = image.global;
  const counts = countWorkers(image);
  const fig = extendedFigures(image, opts.now, counts);
  const [load1, load5, load15] = opts.loadavg;
  const lines: string[] = [
    opts.serverName,
    `ServerVersion: ${g.serverVersion}`,
    `ServerMPM: ${g.mpm}`,
    `Server Built: ${g.serverBuilt}`,
    `CurrentTime: ${httpdTime(opts.now, opts.timeZone)}`,
    `RestartTime: ${httpdTime(g.restartTime, opts.timeZone)}`,
    `ParentServerConfigGeneration: ${g.configGeneration}`,
    `ParentServerMPMGeneration: ${g.mpmGeneration}`,
    `ServerUptimeSeconds: ${fig.uptime}`,
    // No space after the colon: the uptime string brings its own.
    `ServerUptime:${uptimeString(fig.uptime)}`,
    `Load1: ${aprFixed(load1, 2)}`,
    `Load5: ${aprFixed(load5, 2)}`,
    `Load15: ${aprFixed(load15, 2)}`,
  ];
  if (g.extendedStatus) {
    lines.push(
      `Total Accesses: ${fig.accesses}`,
      `Total kBytes: ${fig.kBytes}`,
      `Total Duration: ${fig.durationMs}`,
      `CPUUser: ${aprG(fig.cpuUser)}`,
      `CPUSystem: ${aprG(fig.cpuSystem)}`,
      `CPUChildrenUser: ${aprG(fig.cpuChildrenUser)}`,
      `CPUChildrenSystem: ${aprG(fig.cpuChildrenSystem)}`,
    );
    if (fig.cpuLoad !== undefined) lines.push(`CPULoad: ${aprG(fig.cpuLoad)}`);
    lines.push(`Uptime: ${fig.uptime}`);
    if (fig.reqPerSec !== undefined && fig.bytesPerSec !== undefined) {
      lines.push(`ReqPerSec: ${aprG(fig.reqPerSec)}`, `BytesPerSec: ${aprG(fig.bytesPerSec)}`);
    }
    if (fig.bytesPerReq !== undefined && fig.durationPerReq !== undefined) {
      lines.push(`BytesPerReq: ${aprG(fig.bytesPerReq)}`, `DurationPerReq: ${aprG(fig.durationPerReq)}`);
    }
  }
  lines.push(
    `BusyWorkers: ${counts.busy}`,
    `GracefulWorkers: ${counts.graceful}`,
    `IdleWorkers: ${counts.idle}`,
  );
  // httpd prints this block only for an async MPM (AP_MPMQ_IS_ASYNC).
  if (g.mpm === 'event') {
    lines.push(
      `Processes: ${counts.processes}`,
      `Stopping: ${counts.stopping}`,
      `ConnsTotal: ${counts.connsTotal}`,
      `ConnsAsyncWaitIO: ${counts.connsAsyncWaitIO}`,
      `ConnsAsyncWriting: ${counts.connsAsyncWriting}`,
      `ConnsAsyncKeepAlive: ${counts.connsAsyncKeepAlive}`,
      `ConnsAsyncClosing: ${counts.connsAsyncClosing}`,
    );
  }
  lines.push(`Scoreboard: ${scoreboardString(image)}`);
  // Status-hook position: parsers that know httpd's keys never see this one in between them.
  lines.push(`ForkyardAcceptQueue: ${g.acceptQueue}`, `ForkyardAcceptRefused: ${g.acceptRefused}`);
  return lines.join('\n') + '\n';
}
