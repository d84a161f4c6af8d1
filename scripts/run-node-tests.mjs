#!/usr/bin/env node
// Runs Node's built-in test runner over the `*.test.ts` / `*.test.mjs` files under the given
// directories, one file at a time, printing the spec report and writing JUnit to
// `<results>/<name>-node.xml` for scripts/summarize.mjs.
//
// Usage (from a package directory): node ../../scripts/run-node-tests.mjs <name> <dir>...
//   FORKYARD_TEST_FILTER  run only files whose path contains this substring
//   FORKYARD_TEST_RESULTS results directory (default: <repo>/.results)
//
// Node 20 does not glob test paths, so the file list is built here. Its JUnit reporter also
// drops some failures (a test that throws after its subtests passed, a failing `after` hook),
// so when Node exits non-zero and the JUnit shows no failure, a failing entry is added: the
// exit code and the results file never disagree about red or green.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { parseJUnit, resultsDir } from './summarize.mjs';

const TEST_FILE = /\.test\.(ts|mjs)$/;
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'coverage']);

function findTestFiles(dir) {
  const found = [];
  const walk = (current) => {
    for (const entry of fs.readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name) && !entry.name.startsWith('.')) walk(full);
      } else if (TEST_FILE.test(entry.name)) {
        found.push(full);
      }
    }
  };
  walk(dir);
  return found;
}

const xmlEscape = (text) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function failedCase(name, message) {
  return (
    `\t<testcase name="${xmlEscape(name)}" classname="run-node-tests">\n` +
    `\t\t<failure type="runnerFailure" message="${xmlEscape(message)}"/>\n` +
    `\t</testcase>\n`
  );
}

function junit(body = '') {
  return `<?xml version="1.0" encoding="utf-8"?>\n<testsuites>\n${body}</testsuites>\n`;
}

/**
 * Makes the results file agree with how Node exited (see the header comment).
 * @returns the exit code to use: non-zero whenever the results file holds a failure
 */
function reconcile(junitPath, name, exitCode, signal) {
  const text = fs.existsSync(junitPath) ? fs.readFileSync(junitPath, 'utf8') : '';
  const { cases, complete } = parseJUnit(text);
  const how = signal ? `was killed by ${signal}` : `exited with code ${exitCode}`;
  let problem = '';
  if (!complete) {
    problem = `node --test ${how} before its JUnit results were complete`;
    fs.writeFileSync(junitPath, junit(failedCase(`${name}: ${problem}`, problem)));
  } else if (exitCode !== 0 && !cases.some((c) => c.status === 'failed')) {
    problem = `node --test ${how}, but its JUnit results show no failing test (see the output above)`;
    const at = text.lastIndexOf('</testsuites>');
    fs.writeFileSync(junitPath, text.slice(0, at) + failedCase(`${name}: ${problem}`, problem) + text.slice(at));
  }
  if (problem) console.error(`${name}: ${problem}`);
  return problem && exitCode === 0 ? 1 : exitCode;
}

function main() {
  const [name, ...dirs] = process.argv.slice(2);
  if (!name || !/^[\w.-]+$/.test(name) || dirs.length === 0) {
    console.error('usage: run-node-tests.mjs <name> <dir>...');
    process.exit(2);
  }

  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const outDir = resultsDir(root);
  const junitPath = path.join(outDir, `${name}-node.xml`);
  fs.mkdirSync(outDir, { recursive: true });
  fs.rmSync(junitPath, { force: true });

  // Node runs the files in path order whatever order they are given in; sorting here keeps
  // the list it is given the same on every machine.
  const filter = process.env.FORKYARD_TEST_FILTER ?? '';
  const files = dirs
    .filter((dir) => fs.existsSync(dir) && fs.statSync(dir).isDirectory())
    .flatMap(findTestFiles)
    .map((file) => path.relative(process.cwd(), file).split(path.sep).join('/'))
    .filter((file) => file.includes(filter))
    .sort();
  const uniqueFiles = [...new Set(files)];

  if (uniqueFiles.length === 0) {
    const where = filter ? `matching "${filter}" ` : '';
    console.log(`${name}: no test files ${where}in ${dirs.join(', ')}`);
    fs.writeFileSync(junitPath, junit());
    return;
  }

  const args = [
    '--import', 'tsx',
    '--test',
    '--test-concurrency=1',
    // On Node 20 this bounds each whole file, not just each test: a file that runs longer, or
    // leaves a server or a child running, is stopped and fails. (--test-force-exit would end
    // a leaky file sooner, but on Node 20 it cuts the JUnit file short.)
    '--test-timeout=120000',
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=junit', `--test-reporter-destination=${junitPath}`,
    ...uniqueFiles,
  ];
  // Its own process group, so whatever the tests leave behind can be stopped with it.
  const child = spawn(process.execPath, args, { stdio: 'inherit', detached: true });
  const killGroup = (signal) => {
    try {
      process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      killGroup(signal);
      setTimeout(() => killGroup('SIGKILL'), 5000).unref();
    });
  }

  child.on('exit', (code, signal) => {
    killGroup('SIGKILL'); // processes the test files forked and never reaped
    process.exit(reconcile(junitPath, name, code ?? 1, signal));
  });
}

main();
