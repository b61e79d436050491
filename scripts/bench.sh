#!/usr/bin/env bash
# Benchmark harness: `npm run bench` runs every figure, `npm run bench -- append` only the
# named ones. The last line printed is the path of the JSON results file.
set -euo pipefail
cd "$(dirname "$0")/.."
# The HTTP figure runs the built service as its own process.
npx nx build contacts --output-style=static >/dev/null
# The relay and latency figures need a real broker.
bash scripts/engines/kafka.sh start >/dev/null && source .engines/kafka.env
exec npx tsx bench/run.ts "$@"
