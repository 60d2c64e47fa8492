#!/usr/bin/env bash
# `npm run bench`: the benchmarks of ops/bench (not tests). Run on a quiet machine; results land in
# ops/bench/results/*.json and are copied by hand into docs/BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash ops/scripts/setup.sh
command -v taskset >/dev/null || { echo "taskset (util-linux) is required"; exit 1; }
command -v tesseract >/dev/null || { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tesseract-ocr >/dev/null; }
pnpm exec tsx ops/bench/keepalive.ts "$@"
taskset -c 0 pnpm exec tsx ops/bench/registration-storm.ts --transport udp
taskset -c 0 pnpm exec tsx ops/bench/registration-storm.ts --transport tcp
pnpm exec tsx ops/bench/first-frame.ts
pnpm --filter @tessera/media-server exec tsx bench/ingest-bench.ts
