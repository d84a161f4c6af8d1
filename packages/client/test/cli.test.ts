import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, beforeEach, describe, it } from 'node:test';
import { parseAssignment, resolveToken, runClientVerb, type CliIo } from '../src/cli.js';
import { problem, startFakeControl, type FakeControl } from './fixtures/fake-control.js';
import { snapshot } from './fixtures/snapshots.js';

const CLI_MAIN = fileURLToPath(new URL('../dist/cli-main.js', import.meta.url));

function io(env: Record<string, string | undefined> = {}): CliIo & { stdout: string; stderr: string } {
  const o = {
    stdout: '',
    stderr: '',
    env,
    out: (t: string) => void (o.stdout += t),
    err: (t: string) => void (o.stderr += t),
  };
  return o;
}

describe('forkyard client verbs', () => {
  let fake: FakeControl;
  let dir: string;
  before(async () => {
    fake = await startFakeControl();
    dir = mkdtempSync(join(tmpdir(), 'forkyard-cli-'));
  });
  beforeEach(() => {
    fake.requests.length = 0;
  });
  after(async () => {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('status prints the board; --json prints the snapshot', async () => {
    fake.routes.set('GET /api/v1/status', () => ({ status: 200, body: snapshot(5, '_WK_') }));
    const text = io();
    assert.equal(await runClientVerb('status', ['--url', fake.url, '--token', 't'], text), 0);
    assert.match(text.stdout, /MPM worker, generation 1, up 1h 2m 3s/);
    assert.match(text.stdout, /2 requests being processed, 2 idle workers/);
    assert.match(text.stdout, /^0 +4242 +1 +1 +105 +50\.0 MiB +_WK_$/m);
    const json = io();
    assert.equal(await runClientVerb('status', ['--json', '--url', fake.url], json), 0);
    assert.deepStrictEqual(JSON.parse(json.stdout), snapshot(5, '_WK_'));
  });

  it('set sends typed values and prints httpd’s adjustments', async () => {
    fake.routes.set('PATCH /api/v1/directives', () => ({
      status: 200,
      body: {
        mpm: 'worker',
        generation: 2,
        newGeneration: false,
        effective: { MaxRequestWorkers: 375, KeepAlive: false },
        warnings: [{ id: 'AH00316', directive: 'MaxRequestWorkers', from: 400, to: 375, message: 'MaxRequestWorkers of 400 is not an integer multiple of ThreadsPerChild of 25, decreasing to nearest multiple 375' }],
        notes: [],
      },
    }));
    const out = io();
    assert.equal(await runClientVerb('set', ['MaxRequestWorkers=400', 'KeepAlive=Off', 'ExtendedStatus=true', '--url', fake.url, '--token', 't'], out), 0);
    assert.deepStrictEqual(fake.requests[0]!.body, { MaxRequestWorkers: 400, KeepAlive: 'Off', ExtendedStatus: true });
    assert.match(out.stdout, /MaxRequestWorkers 375, KeepAlive false/);
    assert.match(out.stdout, /WARNING: AH00316: MaxRequestWorkers of 400/);
  });

  it('mpm, restart and stop call their routes', async () => {
    fake.routes.set('POST /api/v1/mpm', () => ({ status: 200, body: { mpm: 'event', generation: 3, newGeneration: true, effective: {}, warnings: [], notes: [] } }));
    const lifecycle = (action: string) => () => ({ status: action === 'graceful-stop' ? 202 : 200, body: { action, mpm: 'event', generation: 4, newGeneration: action !== 'graceful-stop' } });
    fake.routes.set('POST /api/v1/pool/restart', lifecycle('restart'));
    fake.routes.set('POST /api/v1/pool/graceful-restart', lifecycle('graceful-restart'));
    fake.routes.set('POST /api/v1/pool/graceful-stop', lifecycle('graceful-stop'));
    const base = ['--url', fake.url, '--token', 't'];
    const out = io();
    assert.equal(await runClientVerb('mpm', ['event', ...base], out), 0);
    assert.equal(await runClientVerb('restart', base, out), 0);
    assert.equal(await runClientVerb('restart', ['--graceful', ...base], out), 0);
    assert.equal(await runClientVerb('stop', ['--graceful', ...base], out), 0);
    assert.deepStrictEqual(
      fake.requests.map((r) => `${r.method} ${r.url}`),
      ['POST /api/v1/mpm', 'POST /api/v1/pool/restart', 'POST /api/v1/pool/graceful-restart', 'POST /api/v1/pool/graceful-stop'],
    );
    assert.match(out.stdout, /MPM is now event, generation 3/);
    assert.match(out.stdout, /graceful stop under way/);
  });

  it('exits 2 on bad usage without calling the control plane', async () => {
    const cases: Array<[string, string[], RegExp]> = [
      ['mpm', ['apache'], /mpm needs one of prefork, worker, event, got "apache"/],
      ['mpm', [], /mpm needs one of/],
      ['set', [], /at least one Directive=value/],
      ['set', ['MaxRequestWorkers'], /not Directive=value/],
      ['stop', [], /only gracefully/],
      ['status', ['--graceful'], /--graceful does not apply to status/],
      ['status', ['--bogus'], /Unknown option '--bogus'/],
      ['status', ['--url', 'ftp://x'], /--url must be http/],
      ['frobnicate', [], /unknown verb "frobnicate"/],
    ];
    for (const [verb, args, message] of cases) {
      const out = io();
      assert.equal(await runClientVerb(verb, [...args, ...(args.includes('--url') ? [] : ['--url', fake.url])], out), 2, `${verb} ${args.join(' ')}`);
      assert.match(out.stderr, message);
    }
    assert.equal(fake.requests.length, 0);
  });

  it('exits 1 with the problem’s code and field errors when the control plane refuses', async () => {
    fake.routes.set('PATCH /api/v1/directives', () =>
      problem(400, 'FY_VALIDATION', '1 field is invalid', [{ field: 'StartServers', code: 'FY_DIRECTIVE_RANGE', message: 'StartServers must be at least 1' }]),
    );
    fake.routes.set('GET /api/v1/status', () => problem(401, 'FY_UNAUTHORIZED', 'this needs a viewer or operator token'));
    const out = io();
    assert.equal(await runClientVerb('set', ['StartServers=0', '--url', fake.url, '--token', 't'], out), 1);
    assert.match(out.stderr, /1 field is invalid \[FY_VALIDATION\]\n {2}StartServers: StartServers must be at least 1 \[FY_DIRECTIVE_RANGE\]/);
    const anon = io();
    assert.equal(await runClientVerb('status', ['--url', fake.url, '--data-dir', join(dir, 'none')], anon), 1);
    assert.match(anon.stderr, /FY_UNAUTHORIZED[\s\S]*no token found/);
    const down = io();
    assert.equal(await runClientVerb('status', ['--url', 'http://127.0.0.1:1'], down), 1);
    assert.match(down.stderr, /cannot reach the control plane/);
  });

  it('finds the token: --token, then FORKYARD_TOKEN, then the operator token on disk', () => {
    writeFileSync(join(dir, 'tokens.json'), JSON.stringify({ viewer: 'v'.repeat(20), operator: 'o'.repeat(20) }));
    assert.equal(resolveToken('given', { FORKYARD_TOKEN: 'env' }, dir), 'given');
    assert.equal(resolveToken(undefined, { FORKYARD_TOKEN: 'env' }, dir), 'env');
    assert.equal(resolveToken(undefined, {}, dir), 'o'.repeat(20));
    assert.equal(resolveToken(undefined, {}, join(dir, 'missing')), undefined);
    assert.deepStrictEqual(parseAssignment('KeepAliveTimeout=500ms'), ['KeepAliveTimeout', '500ms']);
    assert.deepStrictEqual(parseAssignment('AsyncRequestWorkerFactor=1.5'), ['AsyncRequestWorkerFactor', 1.5]);
  });

  it('runs as dist/cli-main.js, reading the token file of --data-dir', async () => {
    fake.routes.set('GET /api/v1/status', () => ({ status: 200, body: snapshot(1) }));
    const { code, stdout } = await new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile(process.execPath, [CLI_MAIN, 'status', '--url', fake.url, '--data-dir', dir], { env: { PATH: process.env.PATH ?? '' } }, (err, stdout) =>
        resolve({ code: err ? (err as { code?: number }).code ?? 1 : 0, stdout }),
      );
    });
    assert.equal(code, 0);
    assert.match(stdout, /MPM worker/);
    assert.equal(fake.requests[0]!.headers.authorization, `Bearer ${'o'.repeat(20)}`);
  });
});
