/**
 * `forkyard start` with bad input: an unknown directive, a value out of range, a wrong type, an
 * unknown MPM or flag, a bad listen address or config file, an app that is missing or throws at
 * load, a port in use. Each one exits 2 with exactly one stderr line, `forkyard: …`, naming what
 * is wrong and how to fix it; stdout never claims to serve, and no process is left behind.
 *
 * The CLI runs in a process group of its own, which its children inherit: after it exits, a
 * running member of that group is a child it left behind. Its children are also sampled from
 * /proc while it runs, so the case that forks them shows they did exist and are gone.
 */

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freePort, groupMembers, runCli, stillRunning } from './helpers.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/cli/', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'forkyard-cli-bad-'));
const badJson = join(tmp, 'bad.json');
writeFileSync(badJson, '{"mpm": "event", "directives": {"StartServers": 2,}}\n');

// A port something else listens on, for the EADDRINUSE case.
const squatter = net.createServer();
let busyPort = 0;
before(async () => {
  await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
  busyPort = (squatter.address() as net.AddressInfo).port;
});
after(async () => {
  await new Promise<void>((resolve) => squatter.close(() => resolve()));
  rmSync(tmp, { recursive: true, force: true });
});

interface Case {
  name: string;
  /** Arguments after `start`; a function when they need the port chosen at run time. */
  args: () => string[] | Promise<string[]>;
  /** Every pattern must match the one error line (a function when it names the chosen port). */
  says: RegExp[] | (() => RegExp[]);
  /** Children are forked before the error (the app fails in them): at least one must be seen. */
  forks?: boolean;
  /** The port is taken by this test's own server, which must still hold it afterwards. */
  squatted?: boolean;
}

const listenFree = async (): Promise<string[]> => ['--listen', `127.0.0.1:${await freePort()}`];

const CASES: Case[] = [
  {
    name: 'unknown directive, with the likely spelling suggested',
    args: async () => [...(await listenFree()), '--set', 'MaxRequestWorker=5'],
    says: [/"MaxRequestWorker"/, /did you mean MaxRequestWorkers\?/],
  },
  {
    name: 'value out of range (zero)',
    args: async () => [...(await listenFree()), '--set', 'ListenBacklog=0'],
    says: [/ListenBacklog must be an integer ≥ 1, got "0"/, /set it to 1 or more/],
  },
  {
    name: 'value out of range (negative)',
    args: async () => [...(await listenFree()), '--set', 'MaxRequestWorkers=-4'],
    says: [/MaxRequestWorkers must be an integer ≥ 0, got "-4"/, /set it to 0 or more/],
  },
  {
    name: 'wrong type for a boolean directive',
    args: async () => [...(await listenFree()), '--set', 'KeepAlive=maybe'],
    says: [/KeepAlive must be On or Off, got "maybe"/, /set it to On or Off/],
  },
  {
    name: 'wrong type for an integer directive',
    args: async () => [...(await listenFree()), '--set', 'MaxRequestWorkers=abc'],
    says: [/MaxRequestWorkers must be an integer/, /got "abc"/, /whole number/],
  },
  {
    name: '--set without Directive=value',
    args: async () => [...(await listenFree()), '--set', 'MaxRequestWorkers'],
    says: [/--set MaxRequestWorkers: write it as Directive=value/],
  },
  {
    name: 'unknown MPM',
    args: async () => [...(await listenFree()), '--mpm', 'fork'],
    says: [/unknown MPM "fork"/, /use prefork, worker or event/],
  },
  {
    name: 'listen address that is not host:port',
    args: () => ['--listen', 'nonsense'],
    says: [/listen must be "host:port" such as 127\.0\.0\.1:8080, got "nonsense"/],
  },
  {
    name: 'listen port out of range',
    args: () => ['--listen', '127.0.0.1:70000'],
    says: [/listen port must be 0-65535, got 70000/],
  },
  {
    name: '--standby that is not a count',
    args: async () => [...(await listenFree()), '--standby', 'many'],
    says: [/standby must be true, false or the most standbys to keep \(0 to 8\), got "many"/],
  },
  {
    name: 'unknown flag',
    args: async () => [...(await listenFree()), '--max-workers', '5'],
    says: [/Unknown option '--max-workers'/, /forkyard start --help/],
  },
  {
    name: 'config file that is not valid JSON',
    args: async () => [...(await listenFree()), '--config', badJson],
    says: [new RegExp(`config file ${badJson} is not valid JSON`)],
  },
  {
    name: 'config file with an unknown key',
    args: async () => [...(await listenFree()), '--config', join(FIXTURES, 'unknown-key.json')],
    says: [/unknown-key\.json: unknown key "directivs"/, /allowed keys are mpm, listen, app, directives, serverName/],
  },
  {
    name: 'config file that does not exist',
    args: async () => [...(await listenFree()), '--config', join(tmp, 'missing.json')],
    says: [/cannot read config file .*missing\.json: ENOENT/],
  },
  {
    name: 'app module that does not exist',
    args: async () => [...(await listenFree()), '--app', join(tmp, 'no-such-app.mjs')],
    says: [/app module .*no-such-app\.mjs does not exist/, /give the path of a \.js\/\.mjs file/],
  },
  {
    name: 'app module that throws at load: the app’s own error, once',
    args: async () => [...(await listenFree()), '--mpm', 'prefork', '--set', 'StartServers=3', '--app', join(FIXTURES, 'app-throws-at-load.mjs')],
    says: [/the application failed to load/, /app-throws-at-load\.mjs/, /fixture app: DATABASE_URL is not set/],
    forks: true,
  },
  {
    name: 'data directory that cannot be created',
    args: async () => [...(await listenFree()), '--data-dir', join(badJson, 'sub')],
    says: [/cannot use .*bad\.json\/sub as the data directory \(ENOTDIR\)/, /--data-dir/],
  },
  {
    name: 'port already in use',
    args: () => ['--listen', `127.0.0.1:${busyPort}`],
    says: () => [new RegExp(`127\\.0\\.0\\.1:${busyPort} is already in use`), /stop what listens there or choose another address with --listen/],
    squatted: true,
  },
  {
    name: 'port already in use, with a directive prefork ignores: its note does not add a line',
    args: () => ['--listen', `127.0.0.1:${busyPort}`, '--mpm', 'prefork', '--set', 'ThreadsPerChild=2'],
    says: () => [new RegExp(`^forkyard: 127\\.0\\.0\\.1:${busyPort} is already in use`)],
    squatted: true,
  },
];

for (const c of CASES) {
  test(`forkyard start, ${c.name}: exit 2, one line, nothing left running`, { timeout: 20_000 }, async () => {
    const args = await c.args();
    const withDataDir = args.includes('--data-dir') ? args : [...args, '--data-dir', join(tmp, 'data')];
    const cli = runCli(['start', ...withDataDir]);
    try {
      const exit = await cli.waitExit(15_000);
      const lines = cli.stderrLines();
      assert.deepEqual({ code: exit.code, signal: exit.signal }, { code: 2, signal: null }, `exit status; stderr:\n${cli.stderr()}`);
      assert.deepEqual(lines.filter((l) => l.startsWith('WARNING:')), [], 'no start-up warning for this input');
      assert.equal(lines.length, 1, `exactly one stderr line, got:\n${cli.stderr()}`);
      const [line] = lines as [string];
      assert.match(line, /^forkyard: \S/);
      for (const re of typeof c.says === 'function' ? c.says() : c.says) assert.match(line, re);
      assert.doesNotMatch(cli.stdout(), /serving|http:\/\//, 'stdout does not claim to serve');

      const left = groupMembers(cli.pid);
      assert.deepEqual(left.map((s) => s.pid), [], 'no process of the CLI’s group outlives it');
      const children = [...cli.children.values()];
      if (c.forks) assert.ok(children.length >= 1, 'the app fails in children: some were forked');
      else assert.equal(children.length, 0, 'bad input is refused before anything is forked');
      assert.deepEqual(children.filter(stillRunning).map((s) => s.pid), [], 'every child the CLI forked is gone');

      if (c.squatted) {
        // Not taken over: what already listened there still answers.
        await new Promise<void>((resolve, reject) => {
          const s = net.connect(busyPort, '127.0.0.1', () => {
            s.destroy();
            resolve();
          });
          s.once('error', reject);
        });
      }
    } finally {
      await cli.kill();
    }
  });
}
