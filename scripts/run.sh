#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Starts the freshet server for `make run`, with a local Kafka beside it: the dev broker
# (freshet-kafka-dev, 8 partitions per topic, on 127.0.0.1:9092 when that port is free) and
# freshet-nexmark-producer writing a Nexmark stream at 1,000 events per second: bids to topic `bid`,
# auctions to topic `auction` keyed by id. On a new data directory it also creates the demo of
# scripts/demo.sql: a Kafka source over `bid`, a Kafka table over `auction` and four views.
# Arguments pass through to the server binary. Ctrl-C stops the server, and the broker and the
# producer with it (the broker keeps its topics in memory only).
# Environment: FRESHET_KAFKA_PORT (default 9092), BUILD_DIR (default build).
set -euo pipefail
export PGPASSWORD="${FRESHET_PASSWORD:-}"
cd "$(dirname "$0")/.."
bin=${BUILD_DIR:-build}/bin
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

logs=$(mktemp -d /tmp/freshet-run-XXXXXX)
server="" broker="" producer=""
# Stops what this script started, by process id: the producer, then the broker.
stop_kafka() {
  local pid
  for pid in $producer $broker; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in $producer $broker; do
    wait "$pid" 2>/dev/null || true
  done
  producer="" broker=""
  rm -rf "$logs"
}
stop_all() {
  if [[ -n $server ]]; then
    kill -INT "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    server=""
  fi
  stop_kafka
}
trap stop_all EXIT
trap 'stop_all; exit 130' INT TERM

# The broker: port 9092 when free, else any free port (a source created on another port by an
# earlier run then cannot reach it).
kafka_port=${FRESHET_KAFKA_PORT:-9092}
if (exec 3<>"/dev/tcp/127.0.0.1/$kafka_port") 2>/dev/null; then
  echo "freshet: port $kafka_port is in use; the Kafka dev broker takes a free port instead"
  kafka_port=0
fi
"$bin/freshet-kafka-dev" --port "$kafka_port" --partitions 8 >"$logs/broker.out" \
  2>"$logs/broker.log" &
broker=$!
bootstrap=""
for _ in $(seq 100); do
  bootstrap=$(sed -n 's/^bootstrap.servers=//p' "$logs/broker.out")
  [[ -n $bootstrap ]] && break
  kill -0 "$broker" 2>/dev/null || break
  sleep 0.1
done
if [[ -z $bootstrap ]]; then
  echo "freshet: the Kafka dev broker did not start:" >&2
  cat "$logs/broker.log" >&2
  exit 1
fi
# Event time from now on, so that windows close as the wall clock passes them.
"$bin/freshet-nexmark-producer" --bootstrap "$bootstrap" --topics bid,auction --keys --rate 1000 \
  --base-time now --progress-seconds 0 >/dev/null &
producer=$!
echo "freshet: Kafka on $bootstrap (topics bid and auction: a Nexmark stream as JSON, 1,000 events" \
  "per second)"

echo "freshet: starting; Ctrl-C stops the server and Kafka"
"$bin/freshet" --listen 127.0.0.1 "$@" &
server=$!
for _ in $(seq 100); do
  kill -0 "$server" 2>/dev/null || break
  psql -h 127.0.0.1 -p "$port" -U freshet -d dev -qAtc 'SELECT 1' >/dev/null 2>&1 && break
  sleep 0.1
done
if [[ $new_directory == 1 ]] && kill -0 "$server" 2>/dev/null; then
  if psql -h 127.0.0.1 -p "$port" -U freshet -d dev -q -v ON_ERROR_STOP=1 \
    -v bootstrap="$bootstrap" -f scripts/demo.sql; then
    echo "freshet: demo created: SELECT * FROM auction_stats ORDER BY bids DESC LIMIT 5;"
  else
    echo "freshet: could not create the demo (see above); the server keeps running"
  fi
fi
status=0
wait "$server" || status=$?
server=""
stop_kafka
exit "$status"
