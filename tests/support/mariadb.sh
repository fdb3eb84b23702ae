# shellcheck shell=bash
# MariaDB from a fresh temporary datadir, for tests, the demo and benchmarks.
#
#   source tests/support/mariadb.sh
#   hg_mariadb_start <dir>   # datadir, socket and log under <dir>; 127.0.0.1 only
#   hg_mariadb_sql "SQL" [db] # runs SQL as root over the socket
#   hg_mariadb_stop
#
# <dir>/start starts the same server again (in the background) after a test
# stopped it on purpose; <dir>/mariadb.pid names the running server, so
# hg_mariadb_stop stops whichever is running.
#
# Exports HG_DB_SOCKET, HG_DB_PORT, HG_DB_NAME, HG_DB_USER, HG_DB_PASSWORD: a
# database and a password user (as WordPress needs) reachable over the socket
# and over TCP on 127.0.0.1.

hg_free_port() {
  php -r '$s = stream_socket_server("tcp://127.0.0.1:0"); $n = stream_socket_get_name($s, false); echo substr($n, strrpos($n, ":") + 1);'
}

hg_mariadb_start() {
  local dir=$1
  mkdir -p "$dir"
  HG_DB_DIR=$dir
  HG_DB_SOCKET=$dir/mariadb.sock
  HG_DB_PORT=$(hg_free_port)
  HG_DB_NAME=${HG_DB_NAME:-hookguard}
  HG_DB_USER=${HG_DB_USER:-hookguard}
  HG_DB_PASSWORD=${HG_DB_PASSWORD:-hookguard-test-password}
  export HG_DB_SOCKET HG_DB_PORT HG_DB_NAME HG_DB_USER HG_DB_PASSWORD

  mariadb-install-db --no-defaults --datadir="$dir/data" --user=root \
    --auth-root-authentication-method=socket --skip-test-db >"$dir/install.log" 2>&1 \
    || { cat "$dir/install.log" >&2; return 1; }
  cat >"$dir/start" <<SH
#!/bin/sh
exec mariadbd --no-defaults --datadir="$dir/data" --socket="$HG_DB_SOCKET" \\
  --port="$HG_DB_PORT" --bind-address=127.0.0.1 --user=root \\
  --pid-file="$dir/mariadb.pid" --log-error="$dir/mariadb.err" \\
  --innodb-buffer-pool-size=256M --max-connections=500 \\
  --skip-name-resolve --character-set-server=utf8mb4 ${HG_MARIADB_ARGS:-} 2>>"$dir/mariadb.err"
SH
  chmod 755 "$dir/start"
  "$dir/start" &
  HG_DB_PID=$!
  export HG_DB_PID HG_DB_DIR
  local i
  for i in $(seq 1 200); do
    mariadb --no-defaults --socket="$HG_DB_SOCKET" -uroot -e 'SELECT 1' >/dev/null 2>&1 && break
    kill -0 "$HG_DB_PID" 2>/dev/null || { cat "$dir/mariadb.err" >&2; return 1; }
    sleep 0.05
  done
  hg_mariadb_sql "CREATE DATABASE \`$HG_DB_NAME\` CHARACTER SET utf8mb4;
    CREATE USER '$HG_DB_USER'@'localhost' IDENTIFIED BY '$HG_DB_PASSWORD';
    CREATE USER '$HG_DB_USER'@'127.0.0.1' IDENTIFIED BY '$HG_DB_PASSWORD';
    GRANT ALL ON \`$HG_DB_NAME\`.* TO '$HG_DB_USER'@'localhost';
    GRANT ALL ON \`$HG_DB_NAME\`.* TO '$HG_DB_USER'@'127.0.0.1';"
}

hg_mariadb_sql() {
  mariadb --no-defaults --socket="$HG_DB_SOCKET" -uroot --batch ${2:+"$2"} -e "$1"
}

hg_mariadb_stop() {
  [ -n "${HG_DB_PID:-}" ] || return 0
  # A test may have restarted the server: the pid file names the one running.
  local running
  running=$(cat "$HG_DB_DIR/mariadb.pid" 2>/dev/null || true)
  if [[ -n $running && $running != "$HG_DB_PID" ]]; then
    kill -CONT "$running" 2>/dev/null || true
    kill "$running" 2>/dev/null || true
    for _ in $(seq 1 200); do kill -0 "$running" 2>/dev/null || break; sleep 0.05; done
    kill -9 "$running" 2>/dev/null || true
  fi
  kill -CONT "$HG_DB_PID" 2>/dev/null || true
  kill "$HG_DB_PID" 2>/dev/null || true
  local i
  for i in $(seq 1 200); do
    kill -0 "$HG_DB_PID" 2>/dev/null || break
    sleep 0.05
  done
  kill -9 "$HG_DB_PID" 2>/dev/null || true
  wait "$HG_DB_PID" 2>/dev/null || true
  HG_DB_PID=
}
