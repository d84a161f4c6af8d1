#!/usr/bin/env node
// Adds up every runner's JUnit file in .results/ and ends with the one line CI reads:
// `N passed, N failed`. Node's test runner, vitest and Playwright each write JUnit in their
// own dialect; what they share is `<testcase>` for a test and `<failure>`/`<error>`/`<skipped>`
// inside it. Suites (`describe`, Node subtests) are `<testsuite>` and never count as tests.
//
// Usage: node scripts/summarize.mjs [--dir <results>] [--expect engine,e2e] [--runner-status <code>]
//   --expect         a name with no `<name>.xml` or `<name>-*.xml` counts as one failure
//   --runner-status  non-zero while no failure was found counts as one failure (a runner
//                    that crashed must not look green)
import fs from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const ENTITIES = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

export function decodeEntities(text) {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, ref) => {
    if (ref[0] === '#') {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[ref.toLowerCase()] ?? whole;
  });
}

const ATTRIBUTE = /([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

/** Finds the `>` closing a tag that opens at `start`, skipping quoted attribute values
 * (Node's reporter leaves `>` unescaped inside them). Returns -1 when the input ends first. */
function tagEnd(xml, start) {
  let quote = '';
  for (let i = start; i < xml.length; i++) {
    const ch = xml[i];
    if (quote) {
      if (ch === quote) quote = '';
    } else if (ch === '"' || ch === "'") {
      quote = ch;
    } else if (ch === '>') {
      return i;
    }
  }
  return -1;
}

/**
 * Parses one JUnit document into its test cases.
 * `complete` is false when the document is cut short (a runner killed mid-write) or has no
 * root element at all; the caller counts that as a failure.
 * @returns {{ cases: { name: string, suites: string[], status: 'passed'|'failed'|'skipped' }[], complete: boolean }}
 */
export function parseJUnit(xml) {
  const cases = [];
  const open = []; // element names, outermost first
  const suites = [];
  let current = null; // the <testcase> being read
  let sawRoot = false;
  let truncated = false;
  let i = 0;

  const finish = () => {
    cases.push(current);
    current = null;
  };

  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    if (lt === -1) break;
    if (xml.startsWith('<!--', lt)) {
      const end = xml.indexOf('-->', lt + 4);
      if (end === -1) { truncated = true; break; }
      i = end + 3;
    } else if (xml.startsWith('<![CDATA[', lt)) {
      const end = xml.indexOf(']]>', lt + 9);
      if (end === -1) { truncated = true; break; }
      i = end + 3;
    } else if (xml.startsWith('<?', lt) || xml.startsWith('<!', lt)) {
      const end = xml.indexOf('>', lt + 2);
      if (end === -1) { truncated = true; break; }
      i = end + 1;
    } else if (xml[lt + 1] === '/') {
      const end = xml.indexOf('>', lt + 2);
      if (end === -1) { truncated = true; break; }
      const name = xml.slice(lt + 2, end).trim();
      const at = open.lastIndexOf(name);
      if (at !== -1) open.length = at;
      if (name === 'testcase' && current) finish();
      if (name === 'testsuite') suites.pop();
      i = end + 1;
    } else {
      const end = tagEnd(xml, lt + 1);
      if (end === -1) { truncated = true; break; }
      const body = xml.slice(lt + 1, end);
      const selfClosing = body.endsWith('/');
      const name = /^[^\s/>]+/.exec(body)?.[0] ?? '';
      const attributes = {};
      for (const m of body.slice(name.length).matchAll(ATTRIBUTE)) {
        attributes[m[1]] = decodeEntities(m[2] ?? m[3] ?? '');
      }
      sawRoot ||= name.length > 0;

      if (name === 'testsuite') {
        if (!selfClosing) suites.push(attributes.name ?? '');
      } else if (name === 'testcase' && !current) {
        current = { name: attributes.name ?? '', suites: suites.filter(Boolean), status: 'passed' };
        if (selfClosing) finish();
      } else if (current && (name === 'failure' || name === 'error')) {
        current.status = 'failed';
      } else if (current && name === 'skipped' && current.status !== 'failed') {
        current.status = 'skipped';
      }
      if (!selfClosing) open.push(name);
      i = end + 1;
    }
  }

  if (current) cases.push(current); // a cut-short case still counts with what was seen
  return { cases, complete: sawRoot && !truncated && open.length === 0 };
}

/**
 * Sums JUnit documents. Accepts strings or `{ file, text }` objects.
 * A document that is cut short adds one failed entry of its own.
 */
export function summarize(documents) {
  const files = documents.map((doc, index) => {
    const { file, text } = typeof doc === 'string' ? { file: `#${index + 1}`, text: doc } : doc;
    const { cases, complete } = parseJUnit(text);
    const count = (status) => cases.filter((c) => c.status === status).length;
    const failures = cases
      .filter((c) => c.status === 'failed')
      .map((c) => [...c.suites, c.name].join(' > '));
    if (!complete) failures.push('(results file is incomplete or not JUnit XML: the runner stopped mid-run)');
    return {
      file,
      passed: count('passed'),
      failed: count('failed') + (complete ? 0 : 1),
      skipped: count('skipped'),
      failures,
    };
  });
  const total = (key) => files.reduce((sum, f) => sum + f[key], 0);
  return { files, passed: total('passed'), failed: total('failed'), skipped: total('skipped') };
}

/** Adds one failed row per problem that has no results file to show for it. */
export function addProblems(summary, problems) {
  if (problems.length === 0) return summary;
  const files = [
    ...summary.files,
    ...problems.map(({ file, reason }) => ({ file, passed: 0, failed: 1, skipped: 0, failures: [reason] })),
  ];
  return { ...summary, files, failed: summary.failed + problems.length };
}

/** Names in `expected` that have neither `<name>.xml` nor `<name>-*.xml` among `fileNames`. */
export function missingResults(expected, fileNames) {
  return expected.filter((name) => !fileNames.some((f) => f === `${name}.xml` || f.startsWith(`${name}-`)));
}

const MAX_LISTED_FAILURES = 50;

/** The report as lines; the last one is always `N passed, N failed`. */
export function formatReport(summary) {
  const lines = [];
  const width = Math.max(7, ...summary.files.map((f) => f.file.length));
  const row = (file, passed, failed, skipped) =>
    `${file.padEnd(width)}  ${String(passed).padStart(6)}  ${String(failed).padStart(6)}  ${String(skipped).padStart(7)}`;

  if (summary.files.length > 0) {
    lines.push('', row('results', 'passed', 'failed', 'skipped'));
    for (const f of summary.files) lines.push(row(f.file, f.passed, f.failed, f.skipped));
  }

  const failures = summary.files.flatMap((f) => f.failures.map((name) => `  ${f.file}: ${name}`));
  if (failures.length > 0) {
    lines.push('', 'failed:', ...failures.slice(0, MAX_LISTED_FAILURES));
    if (failures.length > MAX_LISTED_FAILURES) lines.push(`  … and ${failures.length - MAX_LISTED_FAILURES} more`);
  }
  lines.push('');
  if (summary.skipped > 0) lines.push(`${summary.skipped} skipped`);
  lines.push(`${summary.passed} passed, ${summary.failed} failed`);
  return lines;
}

function parseArgs(argv) {
  const options = { dir: null, expect: [], runnerStatus: 0 };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = () => inline ?? argv[++i] ?? '';
    if (flag === '--dir') options.dir = value();
    else if (flag === '--expect') options.expect.push(...value().split(',').map((s) => s.trim()).filter(Boolean));
    else if (flag === '--runner-status') options.runnerStatus = Number(value()) || 0;
    else throw new Error(`unknown argument: ${argv[i]}`);
  }
  return options;
}

export function resultsDir(root) {
  const configured = process.env.FORKYARD_TEST_RESULTS;
  return configured ? path.resolve(root, configured) : path.join(root, '.results');
}

function main() {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const options = parseArgs(process.argv.slice(2));
  const dir = options.dir ? path.resolve(options.dir) : resultsDir(root);

  const fileNames = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.xml')).sort() : [];
  let summary = summarize(fileNames.map((file) => ({ file, text: fs.readFileSync(path.join(dir, file), 'utf8') })));

  const problems = missingResults(options.expect, fileNames).map((name) => ({
    file: `${name} (missing)`,
    reason: `no results from "${name}": its test runner crashed or never ran`,
  }));
  if (options.runnerStatus !== 0 && summary.failed + problems.length === 0) {
    problems.push({
      file: '(test command)',
      reason: `a build or test command exited with code ${options.runnerStatus}, but no failing test was reported`,
    });
  }
  summary = addProblems(summary, problems);

  if (summary.files.length === 0) console.log(`\nno test results in ${path.relative(process.cwd(), dir) || dir}`);
  console.log(formatReport(summary).join('\n'));
  process.exitCode = summary.failed > 0 || summary.files.length === 0 ? 1 : 0;
}

function isEntry() {
  try {
    return fs.realpathSync(process.argv[1]) === fs.realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntry()) main();
