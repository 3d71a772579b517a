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
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing ${need[*]} with apt-get"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
else
  echo "The tests need these system packages: ${need[*]}" >&2
  echo "Install them, e.g.: sudo apt-get install ${need[*]}" >&2
  exit 1
fi
