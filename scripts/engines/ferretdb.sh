#!/usr/bin/env bash
# A MongoDB wire-protocol server for the mongoose read-model adapter's integration tests.
# No MongoDB server is reachable from the package registries here, so FerretDB (Apache-2.0)
# is built from the Go module proxy and run on its SQLite backend: no other engine needed.
#
#   bash scripts/engines/ferretdb.sh start   # build once, start (or reuse), write the env file
#   bash scripts/engines/ferretdb.sh stop
#   bash scripts/engines/ferretdb.sh status
#   source .engines/ferretdb.env             # export MONGODB_URL=mongodb://127.0.0.1:<port>/
#
# FerretDB v1 has no multi-document transactions and no change streams; the adapter does
# not rely on them. Production and docker-compose.yml use real MongoDB.
set -euo pipefail

VERSION=v1.24.2
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
ENGINES="$ROOT/.engines"
BIN="$ENGINES/bin/ferretdb"
HOME_DIR="$ENGINES/ferretdb"
DATA="$HOME_DIR/data"
LOG="$HOME_DIR/ferretdb.log"
PID_FILE="$HOME_DIR/ferretdb.pid"
PORT_FILE="$HOME_DIR/ferretdb.port"
ENV_FILE="$ENGINES/ferretdb.env"
READY_TIMEOUT_S="${FERRETDB_READY_TIMEOUT_S:-60}"

log() { printf 'ferretdb: %s\n' "$*" >&2; }

fail() {
  log "$*"
  if [[ -f "$LOG" ]]; then
    log "log: $LOG (last 40 lines)"
    tail -n 40 "$LOG" >&2 || true
  fi
  exit 1
}

# The pid from the pid file, if that process is still our ferretdb (not a reused pid).
running_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(cat "$PID_FILE")"
  [[ -n "$pid" && -r "/proc/$pid/cmdline" ]] || return 1
  [[ "$(tr '\0' ' ' <"/proc/$pid/cmdline")" == "$BIN "* ]] && echo "$pid"
}

# `go install` into the repo's .engines/bin; the module and build caches stay in Go's
# default locations (~/go/pkg/mod, ~/.cache/go-build), so a rebuild after `rm -rf .engines`
# is fast too. GOTOOLCHAIN=local: never try to download another Go toolchain.
#
# Not `go install .../cmd/ferretdb@v1.24.2` itself: the module zip lacks the generated
# build/version/version.txt, and a binary built that way panics at start ("Invalid
# build/version/version.txt file content"). So the module is downloaded, copied
# out of the read-only module cache, given the version file its release build would have,
# and installed from there: same source, same dependencies (its own go.sum).
build() {
  # (Not `| grep -q`: under pipefail, grep quitting early can fail the pipeline.)
  if [[ -x "$BIN" && "$("$BIN" --version 2>/dev/null)" == *"version: $VERSION"* ]]; then return; fi
  command -v go >/dev/null || fail "go is not on PATH; FerretDB is built with 'go install'"
  log "building FerretDB $VERSION with go install (the first build takes minutes)"
  local started=$SECONDS module src="$HOME_DIR/src"
  export GOTOOLCHAIN=local GOFLAGS=-buildvcs=false
  module="$(go mod download -json "github.com/FerretDB/FerretDB@$VERSION" |
    node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>console.log(JSON.parse(s).Dir))")" ||
    fail "go mod download github.com/FerretDB/FerretDB@$VERSION failed"
  rm -rf "$src" && mkdir -p "$HOME_DIR" "$ENGINES/bin"
  cp -r "$module" "$src" && chmod -R u+w "$src"
  echo "$VERSION" >"$src/build/version/version.txt"
  (cd "$src" && GOBIN="$ENGINES/bin" go install ./cmd/ferretdb) || fail "go install ./cmd/ferretdb failed"
  log "built $BIN in $((SECONDS - started))s"
}

free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

# A real round trip through the driver the adapter uses, not just an open socket.
ping() {
  (cd "$ROOT" && MONGODB_URL="mongodb://127.0.0.1:$1/" node -e "
    const mongoose = require('mongoose');
    const c = mongoose.createConnection(process.env.MONGODB_URL, { serverSelectionTimeoutMS: 2000 });
    c.asPromise()
      .then(() => c.db.admin().command({ ping: 1 }))
      .then(() => c.close(), async (e) => { await c.close().catch(() => {}); throw e; })
      .catch(() => process.exit(1));
  ") >/dev/null 2>&1
}

write_env() {
  printf 'export MONGODB_URL=mongodb://127.0.0.1:%s/\n' "$1" >"$ENV_FILE"
  log "ready on 127.0.0.1:$1 (pid $(cat "$PID_FILE")); source $ENV_FILE"
}

start() {
  local pid port
  if pid="$(running_pid)" && port="$(cat "$PORT_FILE" 2>/dev/null)" && ping "$port"; then
    log "already running (pid $pid)"
    write_env "$port"
    return
  fi
  [[ -n "${pid:-}" ]] && stop
  build
  mkdir -p "$DATA" "$HOME_DIR/state"
  port="$(free_port)"
  log "starting on 127.0.0.1:$port, data in $DATA, log in $LOG"
  # setsid: the server outlives this script and the shell that ran it.
  setsid "$BIN" \
    --listen-addr="127.0.0.1:$port" \
    --handler=sqlite \
    --sqlite-url="file:$DATA/" \
    --state-dir="$HOME_DIR/state" \
    --debug-addr=- \
    --telemetry=disable \
    --log-level=error \
    >"$LOG" 2>&1 </dev/null &
  echo $! >"$PID_FILE"
  echo "$port" >"$PORT_FILE"

  local deadline=$((SECONDS + READY_TIMEOUT_S))
  until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && ping "$port"; do
    running_pid >/dev/null || fail "exited during startup"
    if ((SECONDS >= deadline)); then
      stop 2>/dev/null # not left behind half started; its log stays for the tail below
      fail "not ready after ${READY_TIMEOUT_S}s"
    fi
    sleep 0.2
  done
  write_env "$port"
}

stop() {
  local pid
  if pid="$(running_pid)"; then
    kill "$pid"
    for _ in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
    log "stopped (pid $pid)"
  else
    log "not running"
  fi
  rm -f "$PID_FILE" "$PORT_FILE" "$ENV_FILE"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status)
    if pid="$(running_pid)"; then log "running (pid $pid, port $(cat "$PORT_FILE"))"; else
      log "not running"
      exit 1
    fi
    ;;
  *)
    echo "usage: $0 start|stop|status" >&2
    exit 2
    ;;
esac
