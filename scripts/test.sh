#!/usr/bin/env bash
# `npm test`: every package's tests, then one last line adding up all runners:
# `N passed, N failed`. Exits non-zero when a test failed or a runner failed without results.
#
# Contract for a package's `test` script: write JUnit to .results/<folder>-<runner>.xml
# (engine → engine-node.xml; a vitest or Playwright package likewise). A package with a
# `test` script and no results file counts as a failure.
#
#   FORKYARD_TEST_FILTER=<substring>  run only matching Node test files
#   FORKYARD_CHROMIUM=0               skip the Chromium check
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh

results="${FORKYARD_TEST_RESULTS:-.results}"
if [ -n "${FORKYARD_TEST_RESULTS:-}" ]; then
  mkdir -p "$results" && rm -f "$results"/*.xml
else
  rm -rf .results && mkdir -p .results
fi

status=0
note_failure() { [ "$status" != 0 ] || status="$1"; }

# turbo passes FORKYARD_TEST_FILTER through (turbo.json globalPassThroughEnv).
turbo_env=()

if forkyard_bootstrap --chromium --no-build; then
  forkyard_build "${turbo_env[@]}" || note_failure $?

  # The root scripts' own tests; the root is not a turbo package.
  node scripts/run-node-tests.mjs scripts scripts || note_failure $?

  pnpm --silent turbo run test --continue --concurrency=1 --ui=stream --output-logs=new-only "${turbo_env[@]}" ||
    note_failure $?
else
  note_failure 1
  forkyard_log "error: bootstrap failed; no tests were run"
fi

# Each workspace package with a test script must leave a results file.
expected="$(node -e '
  const fs = require("fs"), path = require("path");
  const names = ["scripts"];
  for (const dir of process.argv.slice(1)) {
    try {
      if (JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")).scripts?.test) names.push(path.basename(dir));
    } catch {}
  }
  console.log(names.join(","));
' packages/*/ apps/*/ e2e/)"

exec node scripts/summarize.mjs --dir "$results" --expect "$expected" --runner-status "$status"
