# SPDX-License-Identifier: Apache-2.0
# Shared by the benchmark scripts (bench/*/run.sh), which source it from the repository root.

# Sets FRESHET to a server binary and build_note to how it was obtained: the FRESHET given, or
# $BUILD_DIR/bin/freshet (BUILD_DIR=build) after `make build`. A failed build falls back to an
# existing binary, marked as such: someone's file may be mid-edit, and older figures still help.
bench_find_server() {
  build_note="FRESHET given"
  if [ -z "${FRESHET:-}" ]; then
    local build_dir=${BUILD_DIR:-build}
    FRESHET=$build_dir/bin/freshet
    echo "building (make build BUILD_DIR=$build_dir)..."
    if make --no-print-directory build BUILD_DIR="$build_dir"; then
      build_note="make build"
    elif [ -x "$FRESHET" ]; then
      echo "run.sh: make build failed; using the existing $FRESHET" >&2
      build_note="make build failed; used the existing binary"
    else
      echo "run.sh: make build failed and there is no $FRESHET" >&2
      exit 2
    fi
  fi
  [ -x "$FRESHET" ] || { echo "run.sh: no server binary at $FRESHET" >&2; exit 2; }
  if ! command -v psql >/dev/null; then
    echo "run.sh: psql not found (apt-get install postgresql-client)" >&2
    exit 2
  fi
}

# Stops the harness ($harness_pid, if running) and every process whose pid is listed in file $1
# and whose command line still names directory $2 (so a reused pid is left alone): TERM, then
# KILL after 5 seconds.
bench_stop_processes() {
  local pid
  if [ -n "${harness_pid:-}" ] && kill -0 "$harness_pid" 2>/dev/null; then
    kill "$harness_pid" 2>/dev/null || true
    wait "$harness_pid" 2>/dev/null || true
  fi
  while read -r pid; do
    if [ -n "$pid" ] && grep -qF "$2" "/proc/$pid/cmdline" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
  done <"$1"
}

# Starts the dev broker ($bin/freshet-kafka-dev) with $1 partitions per topic, its output in
# directory $2; sets `broker` to its pid and `bootstrap` to its address. bench_stop_broker stops it.
bench_start_broker() {
  "$bin/freshet-kafka-dev" --partitions "$1" >"$2/broker.out" 2>"$2/broker.log" &
  broker=$!
  bootstrap=""
  for _ in $(seq 100); do
    bootstrap=$(sed -n 's/^bootstrap.servers=//p' "$2/broker.out")
    [ -n "$bootstrap" ] && return 0
    kill -0 "$broker" 2>/dev/null || break
    sleep 0.1
  done
  echo "run.sh: the Kafka dev broker did not start:" >&2
  cat "$2/broker.log" >&2
  exit 1
}

# Stops the broker bench_start_broker started, if any.
bench_stop_broker() {
  if [ -n "${broker:-}" ]; then
    kill "$broker" 2>/dev/null || true
    wait "$broker" 2>/dev/null || true
    broker=""
  fi
}
