#!/usr/bin/env bash
# Everything CI checks: lint, types, unit tests, persistence's integration tests (real PostgreSQL)
# and builds of all projects, then the end-to-end suite against real Kafka and PostgreSQL (started
# by the tests themselves, no Docker).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

source scripts/ensure-deps.sh
npx nx run-many -t lint typecheck test integration build
npx nx run suite-e2e:e2e
