import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseJUnit, summarize } from './summarize.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const runner = path.join(here, 'run-node-tests.mjs');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'forkyard-run-node-tests-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

let packages = 0;
/** Lays out `files` in a fresh directory and runs the runner on `dirs` from the repo root. */
function run(files, { dirs = ['test'], filter } = {}) {
  const pkg = path.join(tmp, `pkg-${++packages}`);
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(pkg, name)), { recursive: true });
    fs.writeFileSync(path.join(pkg, name), text);
  }
  const results = path.join(pkg, 'results');
  // A nested `node --test` must not believe it is a child of the runner running this file.
  const { NODE_TEST_CONTEXT: _context, FORKYARD_TEST_FILTER: _filter, ...env } = process.env;
  const child = spawnSync(process.execPath, [runner, 'demo', ...dirs.map((d) => path.join(pkg, d))], {
    cwd: root, // where tsx resolves from, as in a package directory
    env: { ...env, FORKYARD_TEST_RESULTS: results, ...(filter ? { FORKYARD_TEST_FILTER: filter } : {}) },
    encoding: 'utf8',
  });
  const junitPath = path.join(results, 'demo-node.xml');
  const xml = fs.existsSync(junitPath) ? fs.readFileSync(junitPath, 'utf8') : null;
  return { status: child.status, stdout: child.stdout, stderr: child.stderr, xml };
}

const passing = (name) => `import { test } from 'node:test';\ntest(${JSON.stringify(name)}, () => {});\n`;

test('no test files: an empty results file and exit 0', () => {
  const result = run({ 'test/helper.ts': 'export const x = 1;\n' }, { dirs: ['test', 'missing'] });
  assert.equal(result.status, 0, result.stderr);
  const { cases, complete } = parseJUnit(result.xml);
  assert.deepEqual([cases.length, complete], [0, true]);
});

test('finds .test.ts and .test.mjs files recursively, outside node_modules, each once', () => {
  const result = run(
    {
      'unit/m.test.mjs': passing('unit/m'),
      'unit/a/x.test.ts': `import { test } from 'node:test';\nconst typed: string = 'unit/a/x';\ntest(typed, () => {});\n`,
      'unit/a.test.mjs': passing('unit/a'),
      'unit/node_modules/x.test.mjs': 'throw new Error("must not run");\n',
      'unit/notes.ts': 'throw new Error("not a test file");\n',
      'process/b.test.mjs': passing('process/b'),
    },
    { dirs: ['unit', 'missing', 'process', 'unit'] },
  );
  assert.equal(result.status, 0, result.stdout + result.stderr);
  assert.deepEqual(
    parseJUnit(result.xml).cases.map((c) => c.name),
    ['process/b', 'unit/a', 'unit/a/x', 'unit/m'], // Node runs them in path order
  );
});

test('FORKYARD_TEST_FILTER runs only the files whose path contains it', () => {
  const result = run({ 'test/pool.test.mjs': passing('pool'), 'test/slot.test.mjs': passing('slot') }, { filter: 'slot' });
  assert.equal(result.status, 0);
  assert.deepEqual(parseJUnit(result.xml).cases.map((c) => c.name), ['slot']);
});

test('a failing test fails the run', () => {
  const result = run({
    'test/a.test.mjs': `import { test } from 'node:test';\ntest('no', () => { throw new Error('no'); });\n`,
  });
  assert.equal(result.status, 1);
  assert.equal(summarize([result.xml]).failed, 1);
});

test('a failure the JUnit reporter drops still shows up as a failed entry', () => {
  // Node 20 leaves no trace in JUnit of a test that throws after its subtests passed.
  const result = run({
    'test/a.test.mjs': `import { test } from 'node:test';
test('parent', async (t) => {
  await t.test('child', () => {});
  throw new Error('after the subtests');
});
`,
  });
  assert.equal(result.status, 1);
  const summary = summarize([result.xml]);
  assert.deepEqual([summary.passed, summary.failed], [1, 1]);
  assert.match(summary.files[0].failures[0], /^demo: node --test exited with code 1, but .* no failing test/);
});
