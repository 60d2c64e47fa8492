#!/usr/bin/env bash
# Idempotent set-up for a fresh Debian 12 machine with Node 20, run as root by `npm start` and `npm test`:
# Debian packages, PostgreSQL/Redis started when down, pnpm, workspace dependencies.
set -euo pipefail
cd "$(dirname "$0")/../.."

need_apt=()
command -v sipp >/dev/null || need_apt+=(sip-tester)
command -v ffmpeg >/dev/null || need_apt+=(ffmpeg)
command -v chromium >/dev/null || need_apt+=(chromium)
command -v kamailio >/dev/null && [ -x /usr/sbin/kamailio ] || need_apt+=(kamailio)
command -v tshark >/dev/null || need_apt+=(tshark)
# Chinese text in the console's screenshots and browser tests; DejaVu for the simulated cameras' clock overlay.
[ -d /usr/share/fonts/opentype/noto ] || need_apt+=(fonts-noto-cjk)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need_apt+=(fonts-dejavu-core)
command -v taskset >/dev/null || need_apt+=(util-linux)
if [ "${TESSERA_WITH_SERVICES:-1}" = 1 ]; then
  command -v psql >/dev/null || need_apt+=(postgresql-15)
  command -v redis-server >/dev/null || need_apt+=(redis-server)
  [ -f /usr/share/postgresql/15/extension/pg_partman.control ] || need_apt+=(postgresql-15-partman)
  [ -f /usr/share/postgresql/15/extension/pg_cron.control ] || need_apt+=(postgresql-15-cron)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "[setup] installing Debian packages: ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

if [ "${TESSERA_WITH_SERVICES:-1}" = 1 ]; then
  if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
    echo "[setup] starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  fi
  if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    echo "[setup] starting Redis"
    mkdir -p /var/lib/redis /var/log/redis
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log
    for _ in $(seq 1 30); do redis-cli ping >/dev/null 2>&1 && break; sleep 1; done
  fi
fi

want_pnpm=$(node -p "require('./package.json').packageManager.split('@')[1]")
if ! command -v pnpm >/dev/null || [ "$(pnpm --version)" != "$want_pnpm" ]; then
  echo "[setup] installing pnpm $want_pnpm"
  npm install -g "pnpm@$want_pnpm" >/dev/null 2>&1
fi
if [ -n "${CI:-}" ]; then
  pnpm install --frozen-lockfile --reporter=silent
else
  pnpm install --prefer-offline --reporter=silent
fi
