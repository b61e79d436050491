#!/usr/bin/env bash
# A real single-node Apache Kafka (KRaft) for tests and local runs, from Maven Central jars
# (no Docker here). Usage: scripts/engines/kafka.sh start|stop|restart|status|reset
#   start    reuse a running broker, else resolve jars, format storage once, start, wait
#   stop     graceful stop (SIGTERM, then SIGKILL after a bounded wait); data is kept
#   restart  stop + start on the same ports and data (tests kill the broker mid-stream)
#   reset    stop and delete the data (next start formats a new cluster)
# Writes .engines/kafka.env (`export KAFKA_BROKERS=127.0.0.1:<port>`); the log is
# .engines/kafka/broker.log. Overrides: KAFKA_START_TIMEOUT (seconds, default 90),
# KAFKA_HEAP_OPTS, KAFKA_JVM_OPTS.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
HERE="$ROOT/scripts/engines/kafka"
HOME_DIR="$ROOT/.engines/kafka"
LIBS="$HOME_DIR/libs"
DATA="$HOME_DIR/data"
LOG="$HOME_DIR/broker.log"
PID_FILE="$HOME_DIR/broker.pid"
PORTS_FILE="$HOME_DIR/ports"
ENV_FILE="$ROOT/.engines/kafka.env"
CONFIG="$HOME_DIR/server.properties"
TIMEOUT="${KAFKA_START_TIMEOUT:-90}"
# Small heap: a test broker holds little; the machine also runs Node, Java and databases.
# C1-only JIT halves the start-up (about 3-4 s instead of 7-9 s); a test broker never runs
# long enough for C2's faster code to pay back.
read -r -a HEAP <<<"${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
read -r -a JVM_FLAGS <<<"${KAFKA_JVM_OPTS:--XX:+UseG1GC -XX:TieredStopAtLevel=1}"
JVM=(java "${HEAP[@]}" "${JVM_FLAGS[@]}" -Djava.awt.headless=true
  -Dlog4j2.configurationFile="$HERE/log4j2.properties" -cp "$LIBS/*")

say() { printf 'kafka: %s\n' "$*" >&2; }
die() {
  say "$*"
  if [[ -f "$LOG" ]]; then
    say "log: $LOG (last 40 lines below)"
    tail -n 40 "$LOG" >&2
  fi
  exit 1
}

running_pid() {
  local pid=""
  [[ -f "$PID_FILE" ]] && pid="$(cat "$PID_FILE")"
  # Guard against a recycled pid: it must still be a broker running our config.
  if [[ -n "$pid" ]] && grep -qa "$CONFIG" "/proc/$pid/cmdline" 2>/dev/null; then
    echo "$pid"
    return 0
  fi
  # The pid file may be gone (a cleaned .engines) while our broker still runs.
  for dir in /proc/[0-9]*; do
    if grep -qa "kafka.Kafka" "$dir/cmdline" 2>/dev/null && grep -qa "$CONFIG" "$dir/cmdline" 2>/dev/null; then
      echo "${dir#/proc/}" | tee "$PID_FILE"
      return 0
    fi
  done
  return 1
}

free_port() {
  node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

port_busy() { (echo >"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

resolve_jars() {
  local stamp
  stamp="$(sha256sum "$HERE/pom.xml" | cut -c1-16)"
  [[ -f "$LIBS/.stamp" && "$(cat "$LIBS/.stamp")" == "$stamp" ]] && return 0
  command -v mvn >/dev/null || die "mvn not found: install Maven (apt-get install -y maven)"
  say "resolving broker jars from Maven Central (cached in ~/.m2)"
  local started=$SECONDS tmp="$HOME_DIR/libs.tmp"
  rm -rf "$tmp"
  mvn -B -q -f "$HERE/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$tmp" >"$HOME_DIR/mvn.log" 2>&1 ||
    { cat "$HOME_DIR/mvn.log" >&2; die "jar resolution failed (see $HOME_DIR/mvn.log)"; }
  echo "$stamp" >"$tmp/.stamp"
  rm -rf "$LIBS" && mv "$tmp" "$LIBS"
  say "jars ready in $((SECONDS - started))s ($(du -sh "$LIBS" | cut -f1))"
}

configure() {
  local port controller
  if [[ -f "$PORTS_FILE" ]]; then
    # shellcheck source=/dev/null
    source "$PORTS_FILE"
    port="$KAFKA_PORT" controller="$KAFKA_CONTROLLER_PORT"
    # The data and the clients' KAFKA_BROKERS are tied to these ports: never move them.
    port_busy "$port" && die "port $port is taken by another process (try: kafka.sh reset)"
    port_busy "$controller" && die "port $controller is taken by another process"
  else
    port="$(free_port)" controller="$(free_port)"
    while [[ "$controller" == "$port" ]]; do controller="$(free_port)"; done
    printf 'KAFKA_PORT=%s\nKAFKA_CONTROLLER_PORT=%s\n' "$port" "$controller" >"$PORTS_FILE"
  fi
  sed -e "s|@PORT@|$port|g" -e "s|@CONTROLLER_PORT@|$controller|g" -e "s|@DATA_DIR@|$DATA|g" \
    "$HERE/server.properties.template" >"$CONFIG"
  configure_env
}

configure_env() {
  # shellcheck source=/dev/null
  source "$PORTS_FILE"
  printf 'export KAFKA_BROKERS=127.0.0.1:%s\n' "$KAFKA_PORT" >"$ENV_FILE"
}

format_storage() {
  [[ -f "$DATA/meta.properties" ]] && return 0
  local cluster_id
  # Base64url may start with '-', which the storage tool's parser takes for an option (a CI run
  # failed so): draw again until it does not, as Kafka's own random ids do.
  cluster_id="$(node -e "
    const { randomBytes } = require('crypto');
    let id;
    do id = randomBytes(16).toString('base64url'); while (id.startsWith('-'));
    console.log(id);")"
  say "formatting storage (cluster $cluster_id)"
  mkdir -p "$DATA"
  "${JVM[@]}" kafka.tools.StorageTool format -t "$cluster_id" -c "$CONFIG" >>"$LOG" 2>&1 ||
    die "storage format failed"
}

wait_ready() {
  local pid="$1" deadline=$((SECONDS + TIMEOUT)) brokers
  [[ -d "$ROOT/node_modules/kafkajs" ]] || die "node_modules/kafkajs missing: run npm ci first (readiness is probed with it)"
  brokers="$(sed -n 's/^export KAFKA_BROKERS=//p' "$ENV_FILE")"
  until grep -q "Kafka Server started" "$LOG" 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || die "broker exited during start-up"
    ((SECONDS < deadline)) || die "broker not started after ${TIMEOUT}s"
    sleep 0.2
  done
  node "$HERE/ready.cjs" "$brokers" "$(((deadline - SECONDS) * 1000))" ||
    die "broker started but does not answer metadata requests"
}

start() {
  mkdir -p "$HOME_DIR"
  local pid
  if pid="$(running_pid)"; then
    say "already running (pid $pid)"
    [[ -f "$ENV_FILE" ]] || configure_env
    wait_ready "$pid"
    cat "$ENV_FILE"
    return 0
  fi
  local started=$SECONDS
  resolve_jars
  configure
  # The previous run's log stays next to it; readiness greps only this run's.
  [[ -f "$LOG" ]] && mv "$LOG" "$LOG.1"
  format_storage
  # setsid: the broker must outlive the shell (and the jest worker) that started it; it
  # must not inherit the lock (fd 9) either, or every later kafka.sh would wait for it.
  setsid "${JVM[@]}" kafka.Kafka "$CONFIG" >>"$LOG" 2>&1 </dev/null 9>&- &
  echo $! >"$PID_FILE"
  wait_ready "$!"
  say "ready in $((SECONDS - started))s, log: $LOG"
  cat "$ENV_FILE"
}

stop() {
  local pid
  pid="$(running_pid)" || { rm -f "$PID_FILE"; say "not running"; return 0; }
  kill -TERM "$pid"
  local deadline=$((SECONDS + 30))
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS >= deadline)); then
      say "no exit after 30s, killing $pid"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    sleep 0.2
  done
  rm -f "$PID_FILE"
  say "stopped (pid $pid)"
}

# One command at a time: parallel test workers may all try to start the broker.
mkdir -p "$HOME_DIR"
exec 9>"$HOME_DIR/.lock"
flock -w 180 9 || { say "another kafka.sh still holds $HOME_DIR/.lock after 180s" && exit 1; }

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  restart) stop && start ;;
  status) if pid="$(running_pid)"; then say "running (pid $pid)" && cat "$ENV_FILE"; else say "not running" && exit 1; fi ;;
  reset) stop && rm -rf "$DATA" "$PORTS_FILE" "$ENV_FILE" && say "data deleted" ;;
  *) echo "usage: $0 start|stop|restart|status|reset" >&2 && exit 2 ;;
esac
