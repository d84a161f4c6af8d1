import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { formatReport, parseJUnit, summarize } from './summarize.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const summarizeCli = path.join(here, 'summarize.mjs');

// A nested `node --test` must not believe it is a child of the runner running this file.
const { NODE_TEST_CONTEXT: _context, ...cleanEnv } = process.env;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'forkyard-summarize-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const NODE_SAMPLE = `
import { describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
describe('outer <suite>', () => {
  it('passes', () => {});
  it('fails', () => { assert.equal(1, 2); });
  describe('inner', () => {
    it('nested pass', () => {});
    it.skip('skipped one', () => {});
    it.todo('todo one');
  });
});
test('top-level pass', () => {});
test('with subtests', async (t) => {
  await t.test('sub a', () => {});
  await t.test('sub b > boom', () => { throw new Error('boom <x>'); });
});
`;

describe("Node 20's JUnit reporter", () => {
  let xml;
  before(() => {
    fs.writeFileSync(path.join(tmp, 'sample.test.mjs'), NODE_SAMPLE);
    fs.writeFileSync(path.join(tmp, 'broken.test.mjs'), "throw new Error('does not load');\n");
    const out = path.join(tmp, 'node.xml');
    const run = spawnSync(
      process.execPath,
      ['--test', '--test-reporter=junit', `--test-reporter-destination=${out}`, 'broken.test.mjs', 'sample.test.mjs'],
      { cwd: tmp, env: cleanEnv, encoding: 'utf8' },
    );
    assert.equal(run.status, 1, run.stderr);
    xml = fs.readFileSync(out, 'utf8');
  });

  test('nests suites, which is what the parser must see through', () => {
    assert.match(xml, /<testsuite name="outer &lt;suite>"[^]*<testsuite name="inner"/);
  });

  test('counts leaf tests only: describe blocks and parents of subtests are not tests', () => {
    const { cases, complete } = parseJUnit(xml);
    assert.equal(complete, true);
    const names = cases.map((c) => c.name);
    for (const suite of ['outer <suite>', 'inner', 'with subtests']) assert.ok(!names.includes(suite), suite);
    assert.equal(cases.length, 9);
  });

  test('sorts tests into passed, failed and skipped (todo counts as skipped)', () => {
    const summary = summarize([xml]);
    assert.deepEqual(
      { passed: summary.passed, failed: summary.failed, skipped: summary.skipped },
      { passed: 4, failed: 3, skipped: 2 },
    );
  });

  test('names each failure by its suites and decodes entities', () => {
    const [file] = summarize([{ file: 'node.xml', text: xml }]).files;
    assert.equal(file.failures.length, 3);
    assert.ok(file.failures.includes('outer <suite> > fails'));
    assert.ok(file.failures.includes('with subtests > sub b > boom'));
    assert.ok(file.failures.some((name) => name.endsWith('broken.test.mjs')), 'a file that fails to load');
  });
});

const VITEST_SAMPLE = `<?xml version="1.0" encoding="UTF-8" ?>
<testsuites name="vitest tests" tests="5" failures="1" errors="1" time="0.031">
    <testsuite name="src/features/scoreboard/store.test.ts" timestamp="2025-01-01T00:00:00.000Z" hostname="ci" tests="5" failures="1" errors="1" skipped="1" time="0.02">
        <testcase classname="src/features/scoreboard/store.test.ts" name="store &gt; applies a delta" time="0.002">
        </testcase>
        <testcase classname="src/features/scoreboard/store.test.ts" name="store &gt; rejects a stale frame" time="0.003">
            <failure message="expected 2 to be 3 // Object.is equality" type="AssertionError">
AssertionError: expected 2 to be 3 // Object.is equality
 ❯ src/features/scoreboard/store.test.ts:12:17
            </failure>
        </testcase>
        <testcase classname="src/features/scoreboard/store.test.ts" name="store &gt; throws in setup" time="0">
            <error message="Cannot read properties of undefined" type="TypeError">TypeError: Cannot read properties of undefined</error>
        </testcase>
        <testcase classname="src/features/scoreboard/store.test.ts" name="store &gt; later" time="0">
            <skipped/>
        </testcase>
        <testcase classname="src/features/scoreboard/store.test.ts" name="renders &lt;Grid/&gt;" time="0.001">
            <system-out>
rendered &lt;testcase name=&quot;not a test&quot;&gt;
            </system-out>
        </testcase>
    </testsuite>
</testsuites>
`;

const PLAYWRIGHT_SAMPLE = `<testsuites id="" name="" tests="4" failures="1" skipped="1" errors="0" time="4.2">
<testsuite name="dashboard.spec.ts" timestamp="2025-01-01T00:00:00.000Z" hostname="chromium" tests="4" failures="1" skipped="1" time="3.1" errors="0">
<testcase name="scoreboard › shows one cell per slot" classname="dashboard.spec.ts" time="1.2">
<properties>
<property name="annotation" value="slow > 1s">
</property>
</properties>
<system-out>
<![CDATA[page logged <testcase name="not a test"> and <failure>
]]>
</system-out>
</testcase>
<testcase name="scoreboard › updates live" classname="dashboard.spec.ts" time="1.9">
<failure message="dashboard.spec.ts:20:5 updates live" type="FAILURE">
<![CDATA[  Error: expect(locator).toHaveText(expected) failed <div class="cell">]]>
</failure>
</testcase>
<testcase name="scoreboard › skipped in CI" classname="dashboard.spec.ts" time="0">
<skipped>
</skipped>
</testcase>
<testcase name="control › starts a pool" classname="dashboard.spec.ts" time="0.4"/>
</testsuite>
</testsuites>
`;

describe('other dialects', () => {
  test('vitest: <failure> and <error> both fail; markup inside output is text', () => {
    const [file] = summarize([{ file: 'dashboard-vitest.xml', text: VITEST_SAMPLE }]).files;
    assert.deepEqual(
      { passed: file.passed, failed: file.failed, skipped: file.skipped },
      { passed: 2, failed: 2, skipped: 1 },
    );
    assert.deepEqual(file.failures, [
      'src/features/scoreboard/store.test.ts > store > rejects a stale frame',
      'src/features/scoreboard/store.test.ts > store > throws in setup',
    ]);
  });

  test('Playwright: CDATA, `>` in attribute values and self-closing test cases', () => {
    const [file] = summarize([{ file: 'e2e-playwright.xml', text: PLAYWRIGHT_SAMPLE }]).files;
    assert.deepEqual(
      { passed: file.passed, failed: file.failed, skipped: file.skipped },
      { passed: 2, failed: 1, skipped: 1 },
    );
    assert.deepEqual(file.failures, ['dashboard.spec.ts > scoreboard › updates live']);
  });

  test('documents add up', () => {
    const summary = summarize([VITEST_SAMPLE, PLAYWRIGHT_SAMPLE]);
    assert.deepEqual([summary.passed, summary.failed, summary.skipped], [4, 3, 2]);
  });
});

describe('results that cannot be trusted', () => {
  test('a document cut short keeps its cases and adds one failure', () => {
    const cut = PLAYWRIGHT_SAMPLE.slice(0, PLAYWRIGHT_SAMPLE.indexOf('<testcase name="scoreboard › skipped'));
    const [file] = summarize([cut]).files;
    assert.equal(file.passed, 1);
    assert.equal(file.failed, 2);
    assert.match(file.failures.at(-1), /incomplete/);
  });

  test('an empty or non-XML file is one failure', () => {
    assert.equal(summarize(['']).failed, 1);
    assert.equal(summarize(['Error: runner crashed\n']).failed, 1);
  });

  test('a well-formed document with no tests is neither passed nor failed', () => {
    const summary = summarize(['<?xml version="1.0"?>\n<testsuites>\n</testsuites>\n']);
    assert.deepEqual([summary.passed, summary.failed], [0, 0]);
  });
});

describe('report', () => {
  test('ends with the totals line and mentions skipped tests only when there are some', () => {
    const lines = formatReport(summarize([VITEST_SAMPLE]));
    assert.equal(lines.at(-1), '2 passed, 2 failed');
    assert.equal(lines.at(-2), '1 skipped');
    const clean = formatReport(summarize(['<testsuites><testcase name="a"/></testsuites>']));
    assert.equal(clean.at(-1), '1 passed, 0 failed');
    assert.ok(!clean.some((line) => /^\d+ skipped$/.test(line)));
  });
});

describe('command line', () => {
  const runCli = (files, ...args) => {
    const dir = fs.mkdtempSync(path.join(tmp, 'results-'));
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
    const run = spawnSync(process.execPath, [summarizeCli, '--dir', dir, ...args], { encoding: 'utf8' });
    return { status: run.status, last: run.stdout.trimEnd().split('\n').at(-1), stdout: run.stdout };
  };
  const passing = '<testsuites><testcase name="a"/><testcase name="b"/></testsuites>';
  const failing = '<testsuites><testcase name="c"><failure message="no"/></testcase></testsuites>';

  test('all passing: exit 0', () => {
    const result = runCli({ 'engine-node.xml': passing });
    assert.deepEqual([result.status, result.last], [0, '2 passed, 0 failed']);
  });

  test('a failure anywhere: exit 1, listed by name', () => {
    const result = runCli({ 'engine-node.xml': passing, 'e2e-playwright.xml': failing });
    assert.equal(result.status, 1);
    assert.equal(result.last, '2 passed, 1 failed');
    assert.match(result.stdout, /e2e-playwright\.xml: c/);
  });

  test('no results at all: exit 1', () => {
    const result = runCli({});
    assert.equal(result.status, 1);
    assert.equal(result.last, '0 passed, 0 failed');
  });

  test('--expect counts a runner without results as a failure', () => {
    const result = runCli({ 'engine-node.xml': passing }, '--expect', 'engine,dashboard');
    assert.equal(result.status, 1);
    assert.equal(result.last, '2 passed, 1 failed');
    assert.match(result.stdout, /no results from "dashboard"/);
    assert.equal(runCli({ 'engine-node.xml': passing, 'dashboard-vitest.xml': passing }, '--expect=engine,dashboard').status, 0);
  });

  test('--runner-status turns a silent crash red without inflating real failures', () => {
    const crashed = runCli({ 'engine-node.xml': passing }, '--runner-status', '2');
    assert.deepEqual([crashed.status, crashed.last], [1, '2 passed, 1 failed']);
    const failed = runCli({ 'engine-node.xml': failing }, '--runner-status', '1');
    assert.deepEqual([failed.status, failed.last], [1, '0 passed, 1 failed']);
  });
});
