#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Nexmark benchmark (issue 4), `make bench`: q0, q1, q2, q5, q7 and q8 (bench/nexmark/queries/,
# RisingWave's text) over the built-in nexmark generator, plus the generator alone as the ceiling.
# For each query: a fresh server on a free loopback port with a temporary data directory, the
# query's sources and view created with psql, and the time from CREATE MATERIALIZED VIEW until the
# view has consumed every event of its sources and FLUSH has committed it (harness.py explains the
# completion test). Records per query: events, seconds, events/s/core (events / seconds / cores),
# the server's CPU seconds and events per CPU second, the time its threads waited for a CPU (other
# load on the machine), peak RSS (VmHWM), the view's rows; into bench/results/nexmark.json, and
# prints a table. A failing query is recorded with its error; the others still run.
#
#   bench/nexmark/run.sh [--events N] [--workers N] [--queries q0,q5] [--no-generator]
#                        [--perf] [--no-count-rows] [--keep] [--timeout S] [--output FILE]
#                        [--query-dir DIR] [-- SERVER FLAGS...]
#
# Environment: NEXMARK_EVENTS (default 10000000; 1000000 for a quick run), NEXMARK_WORKERS (the
# server's --workers, default: the number of cores), NEXMARK_QUERIES (comma-separated),
# FRESHET (a server binary: skips the build; default $BUILD_DIR/bin/freshet after `make build`,
# BUILD_DIR=build), NEXMARK_PERF=1 (= --perf: perf record each query; the report, with the share
# of commit, workers, generator and RocksDB, goes next to the JSON as qN.perf.txt).
set -euo pipefail
cd "$(dirname "$0")/../.."

if [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ]; then
  sed -n '2,21p' "$0"
  exit 0
fi
command_line="bench/nexmark/run.sh${*:+ $*}"
for variable in NEXMARK_EVENTS NEXMARK_WORKERS NEXMARK_QUERIES FRESHET NEXMARK_PERF; do
  if [ -n "${!variable:-}" ]; then
    command_line="$variable=${!variable} $command_line"
  fi
done

source bench/lib.sh
bench_find_server

work=$(mktemp -d /tmp/freshet-nexmark-XXXXXX)
pids="$work/pids"
: >"$pids"
keep=false
for argument in "$@"; do
  [ "$argument" = "--keep" ] && keep=true
done
# Never leave a server behind: the harness stops each one, and its servers die with it
# (PR_SET_PDEATHSIG); this catches whatever is left, by the pids the harness recorded.
harness_pid=""
cleanup() {
  bench_stop_processes "$pids" "$work"
  if $keep; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

perf_flag=()
if [ "${NEXMARK_PERF:-0}" != "0" ]; then
  perf_flag=(--perf)
fi
# In the background and waited for, so that a signal to this script is handled at once.
python3 bench/nexmark/harness.py \
  --freshet "$FRESHET" \
  --events "${NEXMARK_EVENTS:-10000000}" \
  --workers "${NEXMARK_WORKERS:-$(nproc)}" \
  --queries "${NEXMARK_QUERIES:-q0,q1,q2,q5,q7,q8}" \
  --work-dir "$work" --pid-file "$pids" \
  --command "$command_line" --build "$build_note" \
  "${perf_flag[@]}" "$@" &
harness_pid=$!
status=0
wait "$harness_pid" || status=$?
harness_pid=""
exit "$status"
