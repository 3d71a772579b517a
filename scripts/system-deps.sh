#!/usr/bin/env bash
# System packages the test suite needs: Chromium (browser tests), zbar (QR decoding), Redis,
# poppler (pdftotext), and HarfBuzz's subsetter, which WeasyPrint uses to embed fonts (without
# it WeasyPrint falls back to fontTools, about 4x slower per certificate). Installed with apt-get when missing and we are root; otherwise we
# say what to install and fail, because the browser tests must run, never skip.
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v zbarimg >/dev/null || need+=(zbar-tools)
command -v pdftotext >/dev/null || need+=(poppler-utils)
ldconfig -p 2>/dev/null | grep -q libharfbuzz-subset || need+=(libharfbuzz-subset0)
command -v redis-server >/dev/null || need+=(redis-server)  # rate limits across processes
command -v pg_dump >/dev/null || need+=(postgresql-client)  # trainer backup/restore on PostgreSQL

# Sign-in limits are counted in the machine's Redis (one count for every app process and
# server; tests/reliability/test_two_servers.py proves it): start it when it does not answer.
start_redis() {
  redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && return 0
  echo "starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 --save '' --appendonly no >/dev/null
  for _ in $(seq 30); do redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && return 0; sleep 1; done
  echo "Redis did not start on 127.0.0.1:6379" >&2
  return 1
}

if [ ${#need[@]} -eq 0 ]; then
  start_redis
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing ${need[*]} with apt-get"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
else
  echo "The tests need these system packages: ${need[*]}" >&2
  echo "Install them, e.g.: sudo apt-get install ${need[*]}" >&2
  exit 1
fi
start_redis
