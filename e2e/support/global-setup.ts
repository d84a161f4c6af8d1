/**
 * Starts the real built system once for the whole run: `forkyard start` (engine + control
 * plane, from apps/control/dist) on free loopback ports with a fresh data directory, and the
 * gateway the browser talks to. Returns the teardown, which stops the process by its PID.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports.js';
import { startGateway } from './gateway.js';
import { START_CONFIG, type SystemInfo } from './system.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

async function waitFor(check: () => Promise<boolean>, ms: number, what: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`forkyard exited with ${child.exitCode} before ${what}:\n${output()}`);
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}:\n${output()}`);
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'forkyard-e2e-'));
  const [dataPort, controlPort] = [await freePort(), await freePort()];
  const args = [
    join(root, 'apps/control/dist/cli/main.js'),
    'start',
    '--listen', `127.0.0.1:${dataPort}`,
    '--control', `127.0.0.1:${controlPort}`,
    '--data-dir', dataDir,
    '--mpm', START_CONFIG.mpm,
    ...Object.entries(START_CONFIG.directives).flatMap(([k, v]) => ['--set', `${k}=${v}`]),
  ];
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORKYARD_TOKEN: '' } });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const controlUrl = `http://127.0.0.1:${controlPort}`;

  const stop = async () => {
    if (child.exitCode === null && child.pid) {
      const exited = new Promise((r) => child.once('exit', r));
      process.kill(child.pid, 'SIGTERM');
      const timer = setTimeout(() => child.pid && child.exitCode === null && process.kill(child.pid, 'SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    await waitFor(async () => {
      try {
        JSON.parse(readFileSync(join(dataDir, 'tokens.json'), 'utf8'));
        return true;
      } catch {
        return false;
      }
    }, 20_000, 'the tokens file', child, () => out);
    const tokens = JSON.parse(readFileSync(join(dataDir, 'tokens.json'), 'utf8')) as { viewer: string; operator: string };
    await waitFor(async () => {
      const res = await fetch(`${controlUrl}/api/v1/status`, { headers: { authorization: `Bearer ${tokens.viewer}` } });
      if (!res.ok) return false;
      const snap = (await res.json()) as { processes: Array<{ pid: number; letters: string }> };
      return snap.processes.filter((p) => p.pid !== 0 && p.letters.includes('_')).length >= START_CONFIG.directives.StartServers;
    }, 30_000, 'the pool to start its children', child, () => out);

    // Serve the dashboard from the control plane when it does, else from its dist folder.
    const home = await fetch(`${controlUrl}/`).then((r) => (r.ok ? r.text() : ''), () => '');
    const { distDir } = (await import('@forkyard/dashboard')) as { distDir: string };
    const gateway = await startGateway(controlPort, distDir, home.includes('id="root"'));

    const info: SystemInfo = {
      url: `http://127.0.0.1:${gateway.port}/`,
      dataUrl: `http://127.0.0.1:${dataPort}`,
      controlUrl,
      operatorToken: tokens.operator,
      viewerToken: tokens.viewer,
    };
    process.env.FORKYARD_E2E_SYSTEM = JSON.stringify(info);
    return async () => {
      await gateway.close();
      await stop();
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
