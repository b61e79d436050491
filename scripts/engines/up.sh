#!/usr/bin/env bash
# Installs (once) and starts every engine and tool the test suite needs (PostgreSQL,
# FerretDB, Kafka, the Kubernetes validators, kustomize), then writes
# .engines/env.sh for the tests to source. Each engine script is idempotent: a running
# engine is reused. Usage: bash scripts/engines/up.sh [engine ...] (default: all).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"

ENGINES=("$@")
[[ ${#ENGINES[@]} -gt 0 ]] || ENGINES=(postgres ferretdb kafka k8s-validator kustomize)

mkdir -p .engines
for engine in "${ENGINES[@]}"; do
  started=$(date +%s)
  printf '\n== engine %s\n' "$engine"
  case "$engine" in
    k8s-validator) bash scripts/engines/k8s-validator.sh ;;
    kustomize) bash scripts/engines/kustomize.sh ;;
    *) bash "scripts/engines/$engine.sh" start ;;
  esac
  printf '== engine %s ready in %ss\n' "$engine" "$(($(date +%s) - started))"
done

# The env files hold only `export NAME=value` lines written by the engine scripts.
cat .engines/*.env >.engines/env.sh
echo
cat .engines/env.sh
