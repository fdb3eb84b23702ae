# shellcheck shell=bash
# A throwaway php-fpm pool behind nginx on 127.0.0.1, for integration tests.
#
# Interface (stable; the rate-limiter and WordPress suites both use it):
#
#   . tests/support/fpm.sh
#   trap hg_fpm_stop EXIT
#   hg_fpm_start DOCROOT WORKERS [PHP_FPM_ARG...]
#
# hg_fpm_start DOCROOT WORKERS [PHP_FPM_ARG...]
#   Starts php-fpm (pm = static, WORKERS workers) with the HookGuard extension
#   loaded in the master (`-d extension=`, so memory it maps at start-up is
#   shared by every worker) and nginx serving DOCROOT on a free port of
#   127.0.0.1: existing files as themselves, *.php through php-fpm, every other
#   path through /index.php?$args (WordPress permalinks). Extra arguments go to
#   php-fpm's command line, e.g. `-d hookguard.rate_limit_slots=1024`.
#   Returns once both answer; fails (status 1, logs on stderr) otherwise.
#   DOCROOT must be readable by `nobody` (nginx's workers run as nobody when
#   the tests run as root); php-fpm's workers run as the calling user.
#   Only one pool at a time per shell: call hg_fpm_stop before starting another.
#
# Exported after hg_fpm_start:
#   HG_HTTP_PORT   the port nginx listens on (127.0.0.1 only)
#   HG_BASE_URL    http://127.0.0.1:$HG_HTTP_PORT
#   HG_RUN_DIR     temporary directory holding configs, sockets and logs
#   HG_FPM_PID     php-fpm master pid (workers: hg_fpm_workers)
#   HG_FPM_SOCKET  the pool's socket (for cgi-fcgi)
#   HG_FPM_LOG     php-fpm log, including the workers' stderr and PHP errors
#   HG_NGINX_PID   nginx master pid
#   HG_NGINX_LOG   nginx error log
#
# hg_nginx_reload   rewrites nginx's configuration with the current
#                   HG_NGINX_EXTRA and reloads it; returns once only workers
#                   with the new configuration are left.
# hg_fpm_workers    prints the pids of php-fpm's current workers, one a line.
# hg_fpm_cpu_ticks  [MASTER_PID] the CPU time its workers used so far (clock ticks).
# hg_fpm_logs       prints the tail of both logs (for a failing test's output).
# hg_fpm_stop       stops nginx and php-fpm and removes HG_RUN_DIR; safe to
#                   call twice or when nothing was started (use it in traps).
#
# Inputs (environment, optional):
#   HG_EXTENSION   the .so to load; default <repo>/target/release/libhookguard.so;
#                  set it to the empty string to run PHP without HookGuard.
#   HG_PHP_FPM     php-fpm binary (default php-fpm8.2)
#   HG_NGINX       nginx binary (default nginx)
#   HG_KEEP_RUN_DIR=1  keep HG_RUN_DIR after hg_fpm_stop (debugging)
#   HG_NGINX_EXTRA extra directives for the server block, placed before its
#                  locations; @FPM_SOCKET@ is replaced by php-fpm's socket and
#                  @RUN_DIR@ by HG_RUN_DIR (e.g. a location sending a URL to
#                  one PHP script).
#   HG_LISTEN_ADDR another loopback address for nginx (default 127.0.0.1), so
#                  that two "web servers" can run side by side.
#   HG_FPM_EXTRA_POOLS  more pools for the same master (php-fpm.conf
#                  sections; @RUN_DIR@ is replaced by HG_RUN_DIR); use
#                  pm = ondemand there, so that the count of this pool's
#                  workers stays what hg_fpm_start waits for.

HG_SUPPORT_REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

_hg_fail() {
  echo "hg_fpm: $*" >&2
  hg_fpm_logs >&2
  return 1
}

# A port the kernel just reported free; nginx may still lose a race for it,
# which hg_fpm_start handles by retrying with another.
_hg_free_port() {
  php -n -r '$s = stream_socket_server("tcp://127.0.0.1:0"); $n = stream_socket_get_name($s, false); echo substr($n, strrpos($n, ":") + 1), "\n";'
}

# _hg_wait_for SECONDS PID COMMAND...: polls COMMAND until it succeeds; fails
# early when PID has exited.
_hg_wait_for() {
  local deadline=$((SECONDS + $1)) pid=$2
  shift 2
  until "$@" >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || return 1
    ((SECONDS < deadline)) || return 1
    sleep 0.05
  done
}

_hg_write_fpm_conf() {
  local workers=$1 pools=${HG_FPM_EXTRA_POOLS:-}
  pools=${pools//@RUN_DIR@/$HG_RUN_DIR}
  cat >"$HG_RUN_DIR/php-fpm.conf" <<CONF
[global]
pid = $HG_RUN_DIR/php-fpm.pid
error_log = $HG_FPM_LOG
daemonize = no

[hookguard]
listen = $HG_RUN_DIR/php-fpm.sock
; nginx's workers run as nobody
listen.mode = 0666
pm = static
pm.max_children = $workers
catch_workers_output = yes
decorate_workers_output = no
clear_env = no
request_terminate_timeout = 120s
php_admin_flag[log_errors] = on
php_admin_flag[display_errors] = off
$pools
CONF
}

_hg_write_nginx_conf() {
  local docroot=$1 user_line="" extra=${HG_NGINX_EXTRA:-}
  ((EUID == 0)) && user_line="user nobody nogroup;"
  extra=${extra//@FPM_SOCKET@/$HG_RUN_DIR/php-fpm.sock}
  extra=${extra//@RUN_DIR@/$HG_RUN_DIR}
  mkdir -p "$HG_RUN_DIR/nginx-tmp"
  cat >"$HG_RUN_DIR/nginx.conf" <<CONF
$user_line
worker_processes 2;
pid $HG_RUN_DIR/nginx.pid;
error_log $HG_NGINX_LOG warn;
events { worker_connections 1024; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log off;
  client_body_temp_path $HG_RUN_DIR/nginx-tmp/body;
  fastcgi_temp_path $HG_RUN_DIR/nginx-tmp/fastcgi;
  proxy_temp_path $HG_RUN_DIR/nginx-tmp/proxy;
  scgi_temp_path $HG_RUN_DIR/nginx-tmp/scgi;
  uwsgi_temp_path $HG_RUN_DIR/nginx-tmp/uwsgi;
  client_max_body_size 64m;
  server {
    listen ${HG_LISTEN_ADDR:-127.0.0.1}:$HG_HTTP_PORT;
    server_name localhost;
    root $docroot;
    index index.php index.html;
$extra
    location / {
      try_files \$uri \$uri/ /index.php?\$args;
    }
    location ~ \.php\$ {
      try_files \$uri =404;
      include /etc/nginx/fastcgi_params;
      fastcgi_param SCRIPT_FILENAME \$document_root\$fastcgi_script_name;
      fastcgi_pass unix:$HG_RUN_DIR/php-fpm.sock;
      fastcgi_read_timeout 120s;
    }
  }
}
CONF
}

_hg_start_php_fpm() {
  local workers=$1
  shift
  local extension=${HG_EXTENSION-$HG_SUPPORT_REPO/target/release/libhookguard.so}
  local args=(-F -y "$HG_RUN_DIR/php-fpm.conf")
  ((EUID == 0)) && args+=(-R)
  if [[ -n $extension ]]; then
    [[ -f $extension ]] || { _hg_fail "extension $extension not found (cargo build --release)"; return 1; }
    args+=(-d "extension=$extension")
  fi
  _hg_write_fpm_conf "$workers"
  "${HG_PHP_FPM:-php-fpm8.2}" "${args[@]}" "$@" >>"$HG_FPM_LOG" 2>&1 &
  HG_FPM_PID=$!
  export HG_FPM_PID
  _hg_wait_for 20 "$HG_FPM_PID" test -S "$HG_RUN_DIR/php-fpm.sock" || { _hg_fail "php-fpm did not start"; return 1; }
  local deadline=$((SECONDS + 20))
  until (($(hg_fpm_workers | wc -l) == workers)); do
    ((SECONDS < deadline)) || { _hg_fail "php-fpm did not start $workers workers"; return 1; }
    sleep 0.05
  done
}

_hg_start_nginx() {
  local docroot=$1 attempt
  for attempt in 1 2 3 4 5; do
    HG_HTTP_PORT=$(_hg_free_port)
    HG_BASE_URL="http://${HG_LISTEN_ADDR:-127.0.0.1}:$HG_HTTP_PORT"
    export HG_HTTP_PORT HG_BASE_URL
    _hg_write_nginx_conf "$docroot"
    "${HG_NGINX:-nginx}" -p "$HG_RUN_DIR" -c "$HG_RUN_DIR/nginx.conf" -e "$HG_NGINX_LOG" -g 'daemon off;' >>"$HG_NGINX_LOG" 2>&1 &
    HG_NGINX_PID=$!
    export HG_NGINX_PID
    if _hg_wait_for 20 "$HG_NGINX_PID" curl -s -o /dev/null --max-time 2 "$HG_BASE_URL/"; then
      return 0
    fi
    # Lost the port to another process (or a real failure): try another.
    wait "$HG_NGINX_PID" 2>/dev/null || true
    HG_NGINX_PID=""
  done
  _hg_fail "nginx did not start"
}

hg_fpm_start() {
  local docroot=${1:?hg_fpm_start DOCROOT WORKERS [PHP_FPM_ARG...]} workers=${2:?hg_fpm_start DOCROOT WORKERS [PHP_FPM_ARG...]}
  shift 2
  [[ -z ${HG_RUN_DIR:-} ]] || { echo "hg_fpm: a pool is already running ($HG_RUN_DIR); call hg_fpm_stop first" >&2; return 1; }
  docroot=$(cd "$docroot" && pwd) || return 1
  HG_RUN_DIR=$(mktemp -d "${TMPDIR:-/tmp}/hookguard-fpm.XXXXXX")
  chmod 755 "$HG_RUN_DIR" # mktemp makes it 0700; nginx's workers must reach the socket
  HG_FPM_LOG=$HG_RUN_DIR/php-fpm.log
  HG_FPM_SOCKET=$HG_RUN_DIR/php-fpm.sock
  export HG_FPM_SOCKET
  HG_NGINX_LOG=$HG_RUN_DIR/nginx-error.log
  HG_FPM_PID="" HG_NGINX_PID=""
  export HG_RUN_DIR HG_FPM_LOG HG_NGINX_LOG
  HG_DOCROOT=$docroot
  _hg_start_php_fpm "$workers" "$@" || return 1
  _hg_start_nginx "$docroot"
}

hg_nginx_reload() {
  local old deadline=$((SECONDS + 20))
  old=$(pgrep -P "$HG_NGINX_PID" | tr '\n' ' ')
  _hg_write_nginx_conf "$HG_DOCROOT"
  kill -HUP "$HG_NGINX_PID"
  # The old workers finish their requests and exit; new ones have the new configuration.
  while [[ -n $old ]]; do
    local still=""
    for pid in $old; do kill -0 "$pid" 2>/dev/null && still+="$pid "; done
    old=$still
    ((SECONDS < deadline)) || { _hg_fail "nginx did not reload"; return 1; }
    [[ -n $old ]] && sleep 0.05
  done
  _hg_wait_for 20 "$HG_NGINX_PID" curl -s -o /dev/null --max-time 2 "$HG_BASE_URL/"
}

hg_fpm_workers() {
  [[ -n ${HG_FPM_PID:-} ]] && pgrep -P "$HG_FPM_PID"
  return 0
}

# hg_fpm_cpu_ticks [MASTER_PID]: the CPU time (user + system, in clock
# ticks) the workers of MASTER_PID (default: HG_FPM_PID's) have used so far;
# the benchmarks divide a run's difference by its requests.
hg_fpm_cpu_ticks() {
  local pid total=0
  for pid in $(pgrep -P "${1:-$HG_FPM_PID}"); do
    total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat")))
  done
  echo "$total"
}

hg_fpm_logs() {
  local log
  for log in "${HG_FPM_LOG:-}" "${HG_NGINX_LOG:-}"; do
    [[ -n $log && -s $log ]] || continue
    echo "--- last lines of $log"
    tail -n 30 "$log"
  done
}

# _hg_stop_process PID: TERM, then KILL after 10 s; reaps it if it is our child.
_hg_stop_process() {
  local pid=$1 deadline=$((SECONDS + 10))
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do
    sleep 0.05
    # A zombie child answers kill -0 until reaped.
    [[ $(ps -o stat= -p "$pid" 2>/dev/null) == Z* ]] && break
  done
  kill -0 "$pid" 2>/dev/null && [[ $(ps -o stat= -p "$pid" 2>/dev/null) != Z* ]] && kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null || true
}

hg_fpm_stop() {
  _hg_stop_process "${HG_NGINX_PID:-}"
  _hg_stop_process "${HG_FPM_PID:-}"
  if [[ -n ${HG_RUN_DIR:-} && ${HG_KEEP_RUN_DIR:-0} != 1 ]]; then
    rm -rf "$HG_RUN_DIR"
  fi
  HG_NGINX_PID="" HG_FPM_PID="" HG_RUN_DIR=""
  return 0
}
