#!/usr/bin/env bash
# `npm test`: the whole suite on Node, then the integration tests (test/: HTTP, WS, SSE, the
# poller against the simulator, restarts, items, pages in Chromium) again on Bun, with vitest
# itself running under `bun --bun` so that each test's server is Bun's (test/helpers/test-app.ts).
# Arguments go to both runs; `--outputFile=F` becomes F.node and F.bun.
set -uo pipefail
cd "$(dirname "$0")/.."
args_for() {
  local runtime=$1
  shift
  for a in "$@"; do
    case $a in
      --outputFile=*) printf '%s\0' "$a.$runtime" ;;
      *) printf '%s\0' "$a" ;;
    esac
  done
}
mapfile -d '' node_args < <(args_for node "$@")
mapfile -d '' bun_args < <(args_for bun "$@")

echo "== tests on Node $(node --version)"
node node_modules/vitest/vitest.mjs run "${node_args[@]}"
node_status=$?
echo "== integration tests on Bun $(node_modules/.bin/bun --version)"
node_modules/.bin/bun --bun node_modules/vitest/vitest.mjs run test/ "${bun_args[@]}"
bun_status=$?
exit $((node_status || bun_status))
