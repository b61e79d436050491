#!/usr/bin/env bash
# A throw-away PostgreSQL for tests and local runs, without Docker:
#   start  installs Debian's server if missing, initialises a fresh cluster on a free port,
#          creates the database `crm`, writes .engines/postgres.env (export POSTGRES_URL=...)
#   stop   stops it and deletes its data
#   env    prints the export line of the running server
# Idempotent: `start` on a running server reuses it. Trust auth on 127.0.0.1 only, no Unix
# socket, fsync off: the data is disposable, so durability would only cost test time.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
ENGINES="$ROOT/.engines"
ENGINE_DIR="$ENGINES/postgres"
ENV_FILE="$ENGINES/postgres.env"
PG_USER=postgres
DATABASE=crm
MIN_MAJOR=13 # pg_current_xact_id() and pg_snapshot_xmin() arrived in 13

log() { printf 'postgres.sh: %s\n' "$*" >&2; }
die() {
  log "$*"
  exit 1
}

# The server refuses to run as root, so as root every server-side command runs as `postgres`.
# Runs from / so a working directory that user cannot read (e.g. /root) doesn't matter.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then (cd / && runuser -u "$PG_USER" -- "$@"); else "$@"; fi
}

# Debian's layout (/usr/lib/postgresql/<major>/bin), highest major first. /usr/local/bin may
# hold pg_ctl too, but it can be anything (here a link into the same place): don't trust it.
find_bin() {
  local dir
  for dir in $(printf "%s\n" /usr/lib/postgresql/*/bin | sort -t/ -k4 -n -r); do
    if [ -x "$dir/pg_ctl" ] && [ -x "$dir/initdb" ] && [ -x "$dir/postgres" ]; then
      echo "$dir"
      return 0
    fi
  done
  return 1
}

install_server() {
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo -n)
  log "PostgreSQL server not found; installing Debian's package (apt-get install postgresql)"
  export DEBIAN_FRONTEND=noninteractive
  # A fresh machine may have empty package lists: update once and retry.
  timeout 600 "${sudo[@]}" apt-get install -y -q postgresql >/dev/null ||
    { timeout 300 "${sudo[@]}" apt-get update -q >/dev/null &&
      timeout 600 "${sudo[@]}" apt-get install -y -q postgresql >/dev/null; } ||
    die "apt-get install postgresql failed"
}

ensure_user() {
  [ "$(id -u)" -eq 0 ] || return 0
  id "$PG_USER" >/dev/null 2>&1 ||
    useradd --system --user-group --no-create-home --shell /usr/sbin/nologin "$PG_USER"
}

# Data lives under .engines/postgres unless the server's user cannot reach the repository
# (e.g. a clone under /root): then under /tmp, in a folder named after the repository path.
run_dir() {
  mkdir -p "$ENGINE_DIR"
  if [ "$(id -u)" -ne 0 ] || runuser -u "$PG_USER" -- test -x "$ENGINE_DIR"; then
    echo "$ENGINE_DIR/server"
  else
    echo "/tmp/crm-postgres-$(printf '%s' "$ROOT" | md5sum | cut -c1-12)"
  fi
}

free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

url_for() { echo "postgres://$PG_USER@127.0.0.1:$1/$DATABASE"; }

write_env() {
  echo "export POSTGRES_URL=$(url_for "$1")" >"$ENV_FILE"
  cat "$ENV_FILE"
}

running_port() {
  local dir="$1"
  [ -f "$dir/data/postmaster.pid" ] || return 1
  as_pg "$BIN/pg_ctl" status -D "$dir/data" >/dev/null 2>&1 || return 1
  local port
  port="$(sed -n 4p "$dir/data/postmaster.pid")"
  "$BIN/pg_isready" -q -h 127.0.0.1 -p "$port" -t 5 || return 1
  echo "$port"
}

show_log() {
  log "log: $1"
  tail -n 30 "$1" >&2 2>/dev/null || true
}

start() {
  BIN="$(find_bin)" || {
    install_server
    BIN="$(find_bin)" || die "no pg_ctl/initdb under /usr/lib/postgresql/*/bin after installing"
  }
  local major
  major="$(basename "$(dirname "$BIN")")"
  [ "$major" -ge "$MIN_MAJOR" ] || die "PostgreSQL $major is too old; need $MIN_MAJOR or newer"
  ensure_user

  local dir port
  dir="$(run_dir)"
  if port="$(running_port "$dir")"; then
    log "already running on port $port (log: $dir/postgres.log)"
    write_env "$port"
    return 0
  fi

  # Not running: whatever is left (a crash, a reboot) is stale. Start from a fresh cluster.
  rm -rf "$dir" "$ENV_FILE"
  mkdir -p "$dir"
  [ "$(id -u)" -ne 0 ] || chown "$PG_USER:" "$dir"
  chmod 700 "$dir"
  local logfile="$dir/postgres.log"
  as_pg "$BIN/initdb" -D "$dir/data" -U "$PG_USER" -A trust -E UTF8 --locale=C --no-sync \
    >"$dir/initdb.log" 2>&1 || {
    show_log "$dir/initdb.log"
    die "initdb failed"
  }

  local attempt
  for attempt in 1 2 3; do
    port="$(free_port)"
    as_pg tee -a "$dir/data/postgresql.conf" >/dev/null <<EOF
# added by scripts/engines/postgres.sh (attempt $attempt)
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = ''
max_connections = 200
fsync = off
full_page_writes = off
EOF
    # 9>&-: the server must not inherit (and so hold forever) the lock of this script.
    if as_pg "$BIN/pg_ctl" start -D "$dir/data" -l "$logfile" -w -t 30 >/dev/null 9>&-; then
      break
    fi
    # Another process may have taken the port between the probe and the start: try another.
    log "start on port $port failed (attempt $attempt)"
    as_pg "$BIN/pg_ctl" stop -D "$dir/data" -m immediate >/dev/null 2>&1 || true
    if [ "$attempt" -eq 3 ]; then
      show_log "$logfile"
      die "PostgreSQL did not start"
    fi
  done

  "$BIN/createdb" -h 127.0.0.1 -p "$port" -U "$PG_USER" "$DATABASE" || {
    show_log "$logfile"
    die "createdb $DATABASE failed"
  }
  log "PostgreSQL $major started on port $port (data and log: $dir)"
  write_env "$port"
}

stop() {
  BIN="$(find_bin)" || {
    log "not installed, so not running"
    rm -f "$ENV_FILE"
    return 0
  }
  local dir
  dir="$(run_dir)"
  if [ -f "$dir/data/postmaster.pid" ] && as_pg "$BIN/pg_ctl" status -D "$dir/data" >/dev/null 2>&1; then
    as_pg "$BIN/pg_ctl" stop -D "$dir/data" -m fast -w -t 30 >/dev/null || {
      show_log "$dir/postgres.log"
      die "pg_ctl stop failed"
    }
    log "stopped"
  else
    log "not running"
  fi
  rm -rf "$dir" "$ENV_FILE"
}

print_env() {
  BIN="$(find_bin)" || die "PostgreSQL is not installed; run: bash scripts/engines/postgres.sh start"
  local port
  port="$(running_port "$(run_dir)")" || die "not running; run: bash scripts/engines/postgres.sh start"
  echo "export POSTGRES_URL=$(url_for "$port")"
}

# Two runners starting it at once would race on the same data directory.
mkdir -p "$ENGINES"
exec 9>"$ENGINES/postgres.lock"
flock -w 120 9 || die "another postgres.sh holds $ENGINES/postgres.lock"

case "${1:-}" in
start) start ;;
stop) stop ;;
env) print_env ;;
*) die "usage: $0 start|stop|env" ;;
esac
