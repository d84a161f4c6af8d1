#!/usr/bin/env bash
# Brings a machine that has only Node 20 and npm up to a built Forkyard checkout.
# Idempotent: on a ready machine it costs well under a second plus a cached turbo build.
#
#   bash scripts/bootstrap.sh [--chromium] [--no-build]
#   source scripts/bootstrap.sh && forkyard_bootstrap [--chromium] [--no-build]
#
#   --chromium             also install Debian's chromium for the browser tests (needs root);
#                          FORKYARD_CHROMIUM=1 does the same, FORKYARD_CHROMIUM=0 skips it
#   FORKYARD_FORCE_INSTALL=1   run `pnpm install` even if nothing seems to have changed
#
# Progress goes to stderr, so a caller's stdout stays its own.

FORKYARD_PNPM_VERSION=12.4.2
FORKYARD_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

export TURBO_TELEMETRY_DISABLED=1
export TURBO_NO_UPDATE_NOTIFIER=1

forkyard_log() { printf 'forkyard: %s\n' "$*" >&2; }

forkyard_pnpm_ok() { [ "$(pnpm --version 2>/dev/null)" = "$FORKYARD_PNPM_VERSION" ]; }

# Puts npm's global bin first, so the pnpm just installed wins over any other one on PATH.
forkyard_use_npm_global_bin() {
  local bin
  bin="$(npm prefix -g 2>/dev/null)/bin"
  case ":$PATH:" in
    *":$bin:"*) ;;
    *) export PATH="$bin:$PATH" ;;
  esac
  hash -r
}

forkyard_ensure_pnpm() {
  forkyard_pnpm_ok && return 0
  # Installed by an earlier run, but another pnpm comes first on PATH.
  if [ "$("$(npm prefix -g 2>/dev/null)/bin/pnpm" --version 2>/dev/null)" = "$FORKYARD_PNPM_VERSION" ]; then
    forkyard_use_npm_global_bin
    forkyard_pnpm_ok && return 0
  fi
  forkyard_log "installing pnpm $FORKYARD_PNPM_VERSION…"
  # pnpm's install script swaps in its native binary; when npm skips it, pnpm still runs
  # through Node. Either way the version check below decides.
  npm install -g --no-fund --no-audit "pnpm@$FORKYARD_PNPM_VERSION" >&2
  forkyard_use_npm_global_bin
  if ! forkyard_pnpm_ok; then
    forkyard_log "pnpm is not usable yet; reinstalling with its install script allowed…"
    npm install -g --no-fund --no-audit --allow-scripts=pnpm "pnpm@$FORKYARD_PNPM_VERSION" >&2
    forkyard_use_npm_global_bin
  fi
  if ! forkyard_pnpm_ok; then
    forkyard_log "error: pnpm $FORKYARD_PNPM_VERSION is not usable after npm install -g (found: $(command -v pnpm || echo none))"
    return 1
  fi
}

# A digest of everything that decides what `pnpm install` writes, plus which packages have a
# node_modules folder (one deleted by hand must bring the install back).
forkyard_install_digest() {
  (
    cd "$FORKYARD_ROOT" || exit 1
    node -e '
      const fs = require("fs"), path = require("path");
      const hash = require("crypto").createHash("sha256");
      hash.update(process.version + "\0" + process.argv[1] + "\0");
      for (const file of process.argv.slice(2)) {
        hash.update(file + "\0");
        try { hash.update(fs.readFileSync(file)); } catch { hash.update("(none)"); }
        if (file.endsWith("package.json")) hash.update(String(fs.existsSync(path.join(path.dirname(file), "node_modules"))));
      }
      process.stdout.write(hash.digest("hex"));
    ' "$(pnpm --version)" pnpm-lock.yaml pnpm-workspace.yaml package.json .npmrc \
      packages/*/package.json apps/*/package.json e2e/package.json
  )
}

FORKYARD_INSTALL_STAMP="node_modules/.forkyard-install-digest"

# Prints why an install is needed, or nothing when node_modules matches the manifests.
forkyard_install_reason() {
  local root="$FORKYARD_ROOT"
  if [ "${FORKYARD_FORCE_INSTALL:-0}" = 1 ]; then echo "FORKYARD_FORCE_INSTALL=1"; return; fi
  if [ ! -f "$root/node_modules/.modules.yaml" ]; then echo "node_modules is missing"; return; fi
  if [ "$root/pnpm-lock.yaml" -nt "$root/node_modules/.modules.yaml" ] &&
    [ "$root/pnpm-lock.yaml" -nt "$root/$FORKYARD_INSTALL_STAMP" ]; then
    echo "pnpm-lock.yaml changed"; return
  fi
  if [ "$(cat "$root/$FORKYARD_INSTALL_STAMP" 2>/dev/null)" != "$(forkyard_install_digest)" ]; then
    echo "a manifest, a node_modules folder or the Node/pnpm version changed"
  fi
}

forkyard_ensure_deps() {
  local reason
  reason="$(forkyard_install_reason)"
  [ -z "$reason" ] && return 0
  forkyard_log "installing dependencies ($reason)…"
  # better-sqlite3 builds from source with node-gyp, which would download Node's headers: use
  # the ones installed with this machine's Node instead.
  if [ -z "${npm_config_nodedir:-}" ] && [ -f "$(dirname "$(dirname "$(command -v node)")")/include/node/node_version.h" ]; then
    export npm_config_nodedir
    npm_config_nodedir="$(dirname "$(dirname "$(command -v node)")")"
  fi
  if ! (cd "$FORKYARD_ROOT" && pnpm install --frozen-lockfile --yes >&2); then
    forkyard_log "error: pnpm install --frozen-lockfile failed"
    return 1
  fi
  forkyard_install_digest >"$FORKYARD_ROOT/$FORKYARD_INSTALL_STAMP"
}

# Only the browser tests need it. Failing here is not fatal: those suites report it themselves.
forkyard_ensure_chromium() {
  if ! command -v chromium >/dev/null; then
    if [ "$(id -u)" != 0 ]; then
      forkyard_log "chromium not found; browser tests will fail (as root: apt-get install -y chromium)"
      return 0
    elif ! command -v apt-get >/dev/null; then
      forkyard_log "chromium not found and no apt-get here; browser tests will fail"
      return 0
    fi
    forkyard_log "installing chromium…"
    { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; } </dev/null >&2 ||
      forkyard_log "warning: installing chromium failed; browser tests will fail"
    hash -r
  fi
  if [ -z "${CHROMIUM_PATH:-}" ] && command -v chromium >/dev/null; then
    CHROMIUM_PATH="$(command -v chromium)"
    export CHROMIUM_PATH
  fi
  return 0
}

# Extra arguments go to `turbo run build`.
forkyard_build() {
  forkyard_log "building…"
  # `pnpm -s` means --sequential in pnpm 12; --silent is the spelling that works.
  (cd "$FORKYARD_ROOT" && pnpm --silent build "$@")
}

forkyard_bootstrap() {
  local chromium="${FORKYARD_CHROMIUM:-0}" build=1 arg
  for arg in "$@"; do
    case "$arg" in
      --chromium) [ "${FORKYARD_CHROMIUM:-}" = 0 ] || chromium=1 ;;
      --no-build) build=0 ;;
      *) forkyard_log "bootstrap: unknown option $arg"; return 2 ;;
    esac
  done
  forkyard_ensure_pnpm || return 1
  forkyard_ensure_deps || return 1
  if [ "$chromium" = 1 ]; then forkyard_ensure_chromium; fi
  if [ "$build" = 1 ]; then forkyard_build || return 1; fi
  return 0
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -uo pipefail
  forkyard_bootstrap "$@"
fi
