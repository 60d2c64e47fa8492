#!/usr/bin/env bash
# `npm start`: set-up, then the whole platform in one process on the embedded default (PGlite, in-memory bus)
# with a simulated 长沙 city, restarted by ops/src/supervisor.ts when it crashes. DATABASE_URL / REDIS_URL switch to
# real services.
set -euo pipefail
cd "$(dirname "$0")/../.."
TESSERA_WITH_SERVICES=0 bash ops/scripts/setup.sh
# The console the platform serves at /: build it when missing or older than its sources.
if [ ! -f web/dist/index.html ] || [ -n "$(find web/src web/index.html -newer web/dist/index.html -print -quit)" ]; then
  echo "[start] building the web console"
  pnpm --filter @tessera/web build >/dev/null
fi
# Under the supervisor: a crash (uncaught exception, kill -9, out of memory) restarts Tessera with back-off.
exec node --import tsx ops/src/supervisor.ts
