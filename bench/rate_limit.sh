#!/usr/bin/env bash
# Rate-limiter benchmark (not a test): hookguard_rate_limit() against an APCu
# fixed-window limiter and a MariaDB table limiter, first per check in one
# process (bench/rate_limit.php), then as whole requests through nginx and a
# php-fpm pool, with wrk. Starts and stops its own MariaDB, php-fpm and
# nginx on 127.0.0.1. Prints Markdown tables and the ratios.
#
#   bench/rate_limit.sh [seconds-per-wrk-run]      (default 10)
#
# Needs: cargo build --release, and scripts/setup's packages (php8.2-fpm,
# php8.2-apcu, php8.2-mysql, mariadb-server, nginx, wrk).
set -euo pipefail
cd "$(dirname "$0")/.."
. tests/support/fpm.sh
. tests/support/mariadb.sh

SECONDS_PER_RUN=${1:-10}
ROUNDS=2 # each limiter is measured this many times, interleaved; the best counts
WORKERS=8
CONNECTIONS=32
so=$PWD/target/release/libhookguard.so
[[ -f $so ]] || { echo "build the extension first: cargo build --release" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/hookguard-bench.XXXXXX")
chmod 755 "$work"
cleanup() {
  hg_fpm_stop
  hg_mariadb_stop
  rm -rf "$work"
}
trap cleanup EXIT

hg_mariadb_start "$work/mariadb" >/dev/null 2>"$work/mariadb-stderr.log" || {
  cat "$work/mariadb-stderr.log" >&2
  exit 1
}

echo "## One check, in one process"
echo
php -d extension="$so" -d apc.enable_cli=1 bench/rate_limit.php

# Whole requests: the same limiters behind nginx + php-fpm, 1,000 clients.
cp -r bench/rate_limit "$work/docroot"
chmod -R a+rX "$work/docroot"
cat >"$work/clients.lua" <<'LUA'
-- Each request comes from one of 1,000 clients.
request = function()
  return wrk.format(nil, wrk.path .. "?client=10.0." .. math.random(0, 3) .. "." .. math.random(0, 249))
end
LUA
hg_fpm_start "$work/docroot" "$WORKERS"

# requests_per_second LIMITER: wrk's Requests/sec for fpm/LIMITER.php;
# fails if any request errored or was not answered "allowed".
requests_per_second() {
  local url="$HG_BASE_URL/fpm/$1.php" out
  [[ $(curl -s "$url?client=10.9.9.9") == allowed ]] || { echo "$url does not answer" >&2; hg_fpm_logs >&2; return 1; }
  out=$(wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" -s "$work/clients.lua" "$url")
  if grep -q 'Non-2xx\|Socket errors' <<<"$out"; then
    echo "$1: errors under load:" >&2
    echo "$out" >&2
    return 1
  fi
  awk '/^Requests\/sec:/ {printf "%.0f", $2}' <<<"$out"
}

# Interleaved rounds, best of each: the load generator, nginx and php-fpm
# share the CPUs, so one run alone is noisy.
declare -A rps
for ((round = 1; round <= ROUNDS; round++)); do
  for limiter in none hookguard apcu mariadb; do
    r=$(requests_per_second "$limiter")
    ((r > ${rps[$limiter]:-0})) && rps[$limiter]=$r
  done
done

echo
echo "## Whole requests under php-fpm ($WORKERS workers, nginx, wrk -c$CONNECTIONS, best of $ROUNDS × ${SECONDS_PER_RUN}s, $(nproc) CPUs shared by all)"
echo
echo "| limiter per request | requests/s | vs no limiter | hookguard vs this |"
echo "|---|---:|---:|---:|"
row() {
  awk -v label="$1" -v r="${rps[$2]}" -v none="${rps[none]}" -v hg="${rps[hookguard]}" \
    'BEGIN { printf "| %s | %d | %.2f× | %.1f× |\n", label, r, r / none, hg / r }'
}
row "none (the request floor)" none
row "hookguard_rate_limit()" hookguard
row "APCu fixed window" apcu
row "MariaDB table, row per client" mariadb
