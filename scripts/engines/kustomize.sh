#!/usr/bin/env bash
# The real kustomize, which deploy/test renders deploy/k8s with (`kustomize build`) before
# validating the output. No release binary can be downloaded here, so it is built from the
# Go module proxy with the machine's Go (GOTOOLCHAIN=local: never download another Go).
#
#   bash scripts/engines/kustomize.sh        # build once (or reuse), write the env file
#   source .engines/kustomize.env            # export KUSTOMIZE=.../.engines/bin/kustomize
#
# Idempotent: a binary that reports the pinned version is reused. v5.8.3 needs Go 1.27, so
# the pin stays at the newest release that builds with Go 1.26.
set -euo pipefail

VERSION=v5.8.2
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
ENGINES="$ROOT/.engines"
BIN="$ENGINES/bin/kustomize"
HOME_DIR="$ENGINES/kustomize"
LOG="$HOME_DIR/install.log"
ENV_FILE="$ENGINES/kustomize.env"

say() { printf 'kustomize: %s\n' "$*" >&2; }
fail() {
  say "$*"
  if [[ -f "$LOG" ]]; then
    say "log: $LOG (last 30 lines below)"
    tail -n 30 "$LOG" >&2 || true
  fi
  exit 1
}

installed_version() { "$BIN" version 2>/dev/null || true; }

if [[ -x "$BIN" && "$(installed_version)" == "$VERSION" ]]; then
  say "reusing $BIN ($VERSION)"
else
  command -v go >/dev/null || fail "go is not on PATH; kustomize is built with 'go install'"
  mkdir -p "$HOME_DIR" "$ENGINES/bin"
  say "building kustomize $VERSION with go install (the first build takes a minute or two)"
  started=$SECONDS
  # Module and build caches stay in Go's default places, so a rebuild is fast.
  GOTOOLCHAIN=local GOFLAGS=-buildvcs=false GOBIN="$ENGINES/bin" \
    go install "sigs.k8s.io/kustomize/kustomize/v5@$VERSION" >"$LOG" 2>&1 ||
    fail "go install sigs.k8s.io/kustomize/kustomize/v5@$VERSION failed"
  [[ "$(installed_version)" == "$VERSION" ]] ||
    fail "installed, but '$BIN version' says '$(installed_version)', not $VERSION"
  say "built $BIN in $((SECONDS - started))s"
fi

printf 'export KUSTOMIZE=%s\n' "$BIN" >"$ENV_FILE"
echo "$BIN"
