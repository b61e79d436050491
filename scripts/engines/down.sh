#!/usr/bin/env bash
# Stops the engines started by up.sh.
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
for engine in kafka ferretdb postgres; do
  bash "scripts/engines/$engine.sh" stop || true
done
