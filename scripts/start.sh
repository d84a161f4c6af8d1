#!/usr/bin/env bash
# `npm start [-- <forkyard start options>]`: bootstrap, build, then run `forkyard start`: the
# pool (127.0.0.1:8080 with the demo app unless told otherwise) and its control plane
# (127.0.0.1:7070), e.g. `npm start -- --mpm event`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh

forkyard_bootstrap --no-build
forkyard_build --output-logs=errors-only >&2
exec node apps/control/dist/cli/main.js start "$@"
