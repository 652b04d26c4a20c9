#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Kafka benchmark (issue 5), `make bench-kafka`: Nexmark bids through Kafka. Starts the dev broker
# (freshet-kafka-dev, 64 partitions), fills topic `bid` with freshet-nexmark-producer as fast as
# it goes (the nexmark generator's bids as JSON, chunks spread over the partitions), then measures
# on that topic:
#   consume        raw librdkafka consumption, every partition from the beginning, counting
#                  messages (`freshet-nexmark-producer --consume`): the ceiling;
#   consume+decode the same, each message also decoded by Freshet's JSON decoder (--decode);
#   decode         JSON decoding alone, in memory (kafka_decode_bench, one thread);
#   generator, q0, q1, q5
#                  Freshet with a Kafka source (bench/kafka/queries/, run by
#                  bench/nexmark/harness.py --query-dir; `generator` is the Kafka source alone).
# Records messages/s, messages/s per core (2 cores) and messages per CPU second of each, and the
# broker's CPU seconds beside them, into bench/results/kafka.json, and prints a table.
#
#   bench/kafka/run.sh [--messages N] [--queries q0,q1,q5] [--partitions N] [--output FILE]
#                      [--source-property KEY=VALUE]... [--keep] [HARNESS FLAGS...]
#                      [-- SERVER FLAGS...]
#
# --source-property sets a librdkafka consumer property in both consume stages (-X) and in the
# Kafka sources (`properties.KEY = 'VALUE'`), e.g. queued.min.messages=200000.
#
# Environment: KAFKA_BENCH_EVENTS (bid messages, default 1000000; the producer generates the
# Nexmark events 0 .. E-1 that hold that many bids), KAFKA_BENCH_QUERIES, KAFKA_BENCH_PARTITIONS
# (default 64: the mock broker keeps 5 MB per partition), NEXMARK_WORKERS (default: the number of
# cores), FRESHET (a server binary, beside which the tools are; default $BUILD_DIR/bin/freshet
# after `make build`, BUILD_DIR=build).
set -euo pipefail
cd "$(dirname "$0")/../.."

if [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ]; then
  sed -n '2,28p' "$0"
  exit 0
fi
command_line="bench/kafka/run.sh${*:+ $*}"
for variable in KAFKA_BENCH_EVENTS KAFKA_BENCH_QUERIES KAFKA_BENCH_PARTITIONS NEXMARK_WORKERS \
  FRESHET; do
  if [ -n "${!variable:-}" ]; then
    command_line="$variable=${!variable} $command_line"
  fi
done

messages=${KAFKA_BENCH_EVENTS:-1000000}
queries=${KAFKA_BENCH_QUERIES:-q0,q1,q5}
partitions=${KAFKA_BENCH_PARTITIONS:-64}
output=bench/results/kafka.json
keep=false
harness_args=()
consumer_properties=()
source_options=""
while [ $# -gt 0 ]; do
  case "$1" in
    --messages | --events) messages=$2; shift 2 ;;
    --queries) queries=$2; shift 2 ;;
    --partitions) partitions=$2; shift 2 ;;
    --output) output=$2; shift 2 ;;
    --keep) keep=true; harness_args+=(--keep); shift ;;
    --source-property)
      consumer_properties+=(-X "$2")
      source_options+=", properties.${2%%=*} = '${2#*=}'"
      shift 2
      ;;
    *) harness_args+=("$1"); shift ;;
  esac
done
# The Nexmark events holding `messages` bids: 46 of every 50 events are bids (positions 4..49).
events=$(python3 -c "b, r = divmod($messages, 46); print(b * 50 + (r + 4 if r else 0))")

source bench/lib.sh
bench_find_server
bin=$(dirname "$FRESHET")
for tool in "$FRESHET" "$bin/freshet-kafka-dev" "$bin/freshet-nexmark-producer" \
  "$bin/kafka_decode_bench"; do
  [ -x "$tool" ] || { echo "run.sh: no $tool (build it first)" >&2; exit 2; }
done

work=$(mktemp -d /tmp/freshet-kafka-bench-XXXXXX)
pids="$work/pids"
: >"$pids"
broker=""
harness_pid=""
cleanup() {
  bench_stop_processes "$pids" "$work"
  bench_stop_broker
  if $keep; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# CPU seconds (user + system) the broker has used so far.
broker_cpu() {
  awk -v tck="$(getconf CLK_TCK)" '{ printf "%.2f\n", ($14 + $15) / tck }' "/proc/$broker/stat"
}
# Writes {"broker_cpu_seconds": the broker's CPU seconds since $1} to file $2.
record_broker_cpu() {
  awk -v since="$1" -v now="$(broker_cpu)" \
    'BEGIN { printf "{\"broker_cpu_seconds\": %.2f}\n", now - since }' >"$2"
}

bench_start_broker "$partitions" "$work"
echo "broker $bootstrap, $partitions partitions; producing $messages bids ($events Nexmark events)"

cpu0=$(broker_cpu)
"$bin/freshet-nexmark-producer" --bootstrap "$bootstrap" --topics bid --events "$events" \
  --progress-seconds 5 >"$work/produce.json"
record_broker_cpu "$cpu0" "$work/produce.broker.json"
cat "$work/produce.json"

for mode in consume decode; do
  flags=()
  [ "$mode" = decode ] && flags=(--decode)
  echo "[consume${flags[*]:+ ${flags[*]}}] reading $messages messages ..."
  cpu0=$(broker_cpu)
  "$bin/freshet-nexmark-producer" --bootstrap "$bootstrap" --topics bid --consume "${flags[@]}" \
    "${consumer_properties[@]}" --messages "$messages" --progress-seconds 5 >"$work/$mode.json"
  record_broker_cpu "$cpu0" "$work/$mode.broker.json"
  cat "$work/$mode.json"
done

echo "[decode] kafka_decode_bench $messages json ..."
python3 - "$bin/kafka_decode_bench" "$messages" >"$work/decode_bench.json" <<'EOF'
import json, re, resource, subprocess, sys
before = resource.getrusage(resource.RUSAGE_CHILDREN)
out = subprocess.run([sys.argv[1], sys.argv[2], "json"], capture_output=True, text=True,
                     check=True).stdout
after = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
m = re.search(r"(\d+) messages \((\d+) bytes.*in ([0-9.]+) s: (\d+) messages/s, ([0-9.]+) MB/s",
              out)
print(json.dumps({"output": out.strip(), "messages": int(m.group(1)), "bytes": int(m.group(2)),
                  "seconds": float(m.group(3)), "messages_per_second": int(m.group(4)),
                  "mb_per_second": float(m.group(5)), "process_cpu_seconds": round(cpu, 2)}))
EOF
cat "$work/decode_bench.json"

# One harness run per query, so that the broker's CPU seconds can be told apart per query.
status=0
for name in generator ${queries//,/ }; do
  if [ "$name" = generator ]; then
    selection=(--queries "")
  else
    selection=(--no-generator --queries "$name")
  fi
  cpu0=$(broker_cpu)
  # In the background and waited for, so that a signal to this script is handled at once.
  python3 bench/nexmark/harness.py \
    --freshet "$FRESHET" \
    --events "$events" \
    --workers "${NEXMARK_WORKERS:-$(nproc)}" \
    "${selection[@]}" \
    --query-dir bench/kafka/queries \
    --bootstrap "$bootstrap" --psql-var "source_options=$source_options" \
    --output "$work/query-$name.json" \
    --work-dir "$work" --pid-file "$pids" \
    --command "$command_line" --build "$build_note" \
    "${harness_args[@]}" &
  harness_pid=$!
  wait "$harness_pid" || status=$?
  harness_pid=""
  record_broker_cpu "$cpu0" "$work/query-$name.broker.json"
done

python3 bench/kafka/report.py --work "$work" --output "$output" --messages "$messages" \
  --events "$events" --partitions "$partitions" --bootstrap "$bootstrap" \
  --source-options "$source_options"
exit "$status"
