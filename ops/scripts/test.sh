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
mkdir -p .tessera
# The fuzz stage (packages/testkit/src/fuzz.ts): every <package>/test/fuzz/*.test.ts — mutated captures and wire
# tables through each parser, seeded (TESSERA_FUZZ_SEED replays another seed) and bounded per target.
echo "[test] fuzz: SIP, MANSCDP, SDP, PS/RTP/RFC 4571, API DTOs (seed ${TESSERA_FUZZ_SEED:-28181})"
set +e
pnpm exec vitest run --reporter=default --reporter=json --outputFile.json=.tessera/vitest-fuzz.json test/fuzz/
fuzz_rc=$?
echo "[test] vitest"
pnpm exec vitest run --reporter=default --reporter=json --outputFile.json=.tessera/vitest.json \
  --exclude '**/test/fuzz/**' "$@"
rc=$?
set -e
node ops/scripts/summary.mjs .tessera/vitest-fuzz.json .tessera/vitest.json || true
[ "$fuzz_rc" -eq 0 ] || exit "$fuzz_rc"
exit $rc
