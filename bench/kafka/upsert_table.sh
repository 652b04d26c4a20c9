#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Kafka UPSERT table benchmark: how fast a table fed by `FORMAT UPSERT ENCODE JSON` takes in keyed
# messages. Starts the dev broker, fills topic `bid` with Nexmark bids keyed by auction
# (freshet-nexmark-producer --keys), starts a server on a free loopback port with a fresh data
# directory, creates
#   CREATE TABLE bid_latest (auction BIGINT PRIMARY KEY, ...) ... FORMAT UPSERT ENCODE JSON
# (the latest bid of every auction: most messages replace a row, so each is a read of the stored
# row, a retraction and an insert) and times CREATE TABLE until the table's readers have read every
# message and FLUSH has committed them. Prints messages/s, messages/s per core (2 cores), the
# server's CPU seconds and messages per CPU second, and the table's rows.
#
#   bench/kafka/upsert_table.sh [--messages N] [--partitions N] [-- SERVER FLAGS...]
#
# The mock broker keeps about 5 MB per partition (older messages are dropped): the default 64
# partitions hold about 1.2 M bid messages, less when keys spread them unevenly.
#
# Environment: FRESHET (a server binary; default $BUILD_DIR/bin/freshet after `make build`).
set -euo pipefail
cd "$(dirname "$0")/../.."

messages=500000
partitions=64
while [ $# -gt 0 ]; do
  case "$1" in
    --messages) messages=$2; shift 2 ;;
    --partitions) partitions=$2; shift 2 ;;
    --) shift; break ;;
    -h | --help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "upsert_table.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
source bench/lib.sh
bench_find_server
bin=$(dirname "$FRESHET")
events=$(python3 -c "b, r = divmod($messages, 46); print(b * 50 + (r + 4 if r else 0))")

work=$(mktemp -d /tmp/freshet-upsert-bench-XXXXXX)
pids="$work/pids"
: >"$pids"
broker=""
cleanup() {
  bench_stop_processes "$pids" "$work"
  bench_stop_broker
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

bench_start_broker "$partitions" "$work"
echo "broker $bootstrap, $partitions partitions; producing $messages bids keyed by auction"
"$bin/freshet-nexmark-producer" --bootstrap "$bootstrap" --topics bid --keys --events "$events" \
  --progress-seconds 0 >/dev/null

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# The work directory in the server's command line marks it as ours for bench_stop_processes.
"$FRESHET" --listen 127.0.0.1 --port "$port" --data-dir "$work/data" "$@" >"$work/server.log" 2>&1 &
server=$!
echo "$server" >>"$pids"
sql() { psql -h 127.0.0.1 -p "$port" -U freshet -d dev -qAtX -v ON_ERROR_STOP=1 "$@"; }
for _ in $(seq 100); do
  sql -c 'SELECT 1' >/dev/null 2>&1 && break
  sleep 0.1
done
cpu() { awk -v tck="$(getconf CLK_TCK)" '{ printf "%.2f\n", ($14 + $15) / tck }' "/proc/$server/stat"; }

cpu0=$(cpu)
start=$(date +%s.%N)
sql -v bootstrap="$bootstrap" <<'EOF'
CREATE TABLE bid_latest (
  auction BIGINT PRIMARY KEY, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR,
  date_time TIMESTAMP, extra VARCHAR
) WITH (connector = 'kafka', topic = 'bid', properties.bootstrap.server = :'bootstrap',
        scan.startup.mode = 'earliest')
FORMAT UPSERT ENCODE JSON;
EOF
last_rows=-1
last_change=$(date +%s)
while true; do
  read_rows=$(sql -c "SELECT rows FROM freshet_catalog.sources WHERE name = 'bid_latest'")
  [ "${read_rows:-0}" -ge "$messages" ] && break
  kill -0 "$server" 2>/dev/null || { tail "$work/server.log" >&2; exit 1; }
  if [ "$read_rows" != "$last_rows" ]; then
    last_rows=$read_rows
    last_change=$(date +%s)
  elif [ $(($(date +%s) - last_change)) -ge 10 ]; then
    echo "upsert_table.sh: stuck at $read_rows of $messages messages for 10 s (does the topic" \
      "hold them all? the mock keeps about 5 MB per partition)" >&2
    exit 1
  fi
  sleep 0.05
done
sql -c FLUSH
end=$(date +%s.%N)
cpu1=$(cpu)
table_rows=$(sql -c 'SELECT count(*) FROM bid_latest')
errors=$(sql -c "SELECT errors FROM freshet_catalog.sources WHERE name = 'bid_latest'")
python3 - "$messages" "$start" "$end" "$cpu0" "$cpu1" "$table_rows" "$errors" "$(nproc)" <<'EOF'
import sys
messages, start, end, cpu0, cpu1, rows, errors, cores = sys.argv[1:]
seconds = float(end) - float(start)
cpu = float(cpu1) - float(cpu0)
print(f"messages {int(messages):,}  seconds {seconds:.2f}  msg/s {int(messages) / seconds:,.0f}  "
      f"msg/s/core {int(messages) / seconds / int(cores):,.0f}  server CPU s {cpu:.2f}  "
      f"msg/CPU-s {int(messages) / cpu:,.0f}  table rows {int(rows):,}  errors {errors}")
EOF
