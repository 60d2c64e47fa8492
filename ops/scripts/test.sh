#!/usr/bin/env bash
# `npm test`: set everything up, then lint, type-check and run every test with one runner.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash ops/scripts/setup.sh

echo "[test] lint (biome)"
pnpm exec biome check .
echo "[test] typecheck"
pnpm -r --workspace-concurrency=2 run typecheck
echo "[test] web console: build and browser smoke test (Playwright, Debian chromium)"
pnpm --filter @tessera/web build >/dev/null
pnpm --filter @tessera/web e2e
echo "[test] vitest"
mkdir -p .tessera
set +e
pnpm exec vitest run --reporter=default --reporter=json --outputFile.json=.tessera/vitest.json "$@"
rc=$?
set -e
node ops/scripts/summary.mjs .tessera/vitest.json || true
exit $rc
