#!/usr/bin/env bash
# Rebuilds dist/ (the embedded GraphiQL) from the npm packages pinned in
# web/package-lock.json. Needs node and the npm registry; the Go build and
# the server need neither. Commit dist/ afterwards.
set -euo pipefail
cd "$(dirname "$0")/web"
npm ci --no-audit --no-fund
node build.mjs
