#!/usr/bin/env bash
# Starts the product on its embedded defaults: SQLite event store and read models under
# ./data (override with DATA_DIR), contacts on port 3001 (override with PORT).
set -euo pipefail
cd "$(dirname "$0")/.."

node -e "require('better-sqlite3')" || {
  echo "better-sqlite3's native module did not build; run npm ci again and check its install log" >&2
  exit 1
}
npx nx build contacts --output-style=static >/dev/null
exec node dist/apps/contacts/main.js
