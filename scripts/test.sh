#!/usr/bin/env bash
# The whole test suite: native modules, types, lint, format, build, then every jest
# project (unit, integration against real SQLite files, e2e over HTTP and as processes).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "native modules load"
node -e "require('better-sqlite3'); console.log('better-sqlite3', require('better-sqlite3/package.json').version)"

step "typecheck"
npx tsc -p tsconfig.json

step "lint (type-checked ESLint, Nx module boundaries)"
npx eslint . --max-warnings 0

step "format"
npx prettier --check . --log-level warn

step "build"
npx nx run-many -t build --output-style=static

step "jest"
npx jest --ci "$@"
