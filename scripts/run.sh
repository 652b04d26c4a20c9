#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Starts the freshet server for `make run`; on a new data directory it also creates the demo stream
# of scripts/demo.sql. Arguments pass through to the binary. Ctrl-C stops the server.
set -euo pipefail
export PGPASSWORD="${FRESHET_PASSWORD:-}"
cd "$(dirname "$0")/.."
port=5488
data_dir=./freshet-data
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[$i]}" in
    --port) port="${args[$((i + 1))]}" ;;
    --data-dir) data_dir="${args[$((i + 1))]}" ;;
  esac
done
new_directory=1
[[ -d "$data_dir" ]] && new_directory=0

echo "freshet: starting; Ctrl-C stops the server"
build/bin/freshet --listen 127.0.0.1 "$@" &
server=$!
trap 'kill -INT $server 2>/dev/null; wait $server' INT TERM
for _ in $(seq 100); do
  psql -h 127.0.0.1 -p "$port" -U freshet -d dev -qAtc 'SELECT 1' >/dev/null 2>&1 && break
  sleep 0.1
done
if [[ $new_directory == 1 ]]; then
  if psql -h 127.0.0.1 -p "$port" -U freshet -d dev -q -v ON_ERROR_STOP=1 -f scripts/demo.sql; then
    echo "freshet: demo stream created: SELECT * FROM auction_stats ORDER BY bids DESC LIMIT 5;"
  else
    echo "freshet: could not create the demo stream (see above); the server keeps running"
  fi
fi
wait $server
