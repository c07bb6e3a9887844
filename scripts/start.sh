#!/usr/bin/env bash
# Runs the whole chat platform locally: builds the services and the web client (tag type:app), then
# starts Kafka, PostgreSQL, the five services and the web client's server in the foreground.
# Ctrl-C stops everything. Options: see `node dist/tools/local-infra/main.js help`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

source scripts/ensure-deps.sh
npx nx run-many -t build --projects=tag:type:app,local-infra,chat-demo,chat-cli
# exec: the launcher becomes this process, so Ctrl-C reaches it directly and it stops things in order.
exec node dist/tools/local-infra/main.js up
