#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Batch aggregates benchmark (issue 3): loads the same N rows (default 10 million) of
#   t (id BIGINT, k INTEGER, v DOUBLE PRECISION, s INTEGER)
# into Freshet and into PostgreSQL 15 on this machine, over one connection each, as multi-row INSERTs
# of 1,000 rows, then times count(*), sum(v), sum(s) and a GROUP BY k (1,000 groups) on both: one
# warm-up run, then the best of 3. Writes the section "Batch aggregates (issue 3)" of
# docs/benchmarks.md (replacing an older one) with the figures, the machine, the date and the command.
#
#   bench/batch_aggregates/run.sh [--rows N] [--runs N] [--freshet PATH] [--postgres-bin DIR]
#                                 [--only freshet|postgres] [--output FILE | --no-doc] [--keep]
#
# Values are deterministic: k = id*7919 mod 1000, v = (id*7 mod 1000003)/8 (multiples of 1/8, so every
# sum is exact and both engines must print the same), s = id mod 100. The answers of both engines
# are compared and the report says whether they match. A query Freshet cannot run yet is reported
# with its error. Needs psql and PostgreSQL 15 (/usr/lib/postgresql/15/bin); run as root, PostgreSQL
# runs as the `postgres` user. Nothing here is a test: it always exits 0 unless setup fails.
set -euo pipefail
cd "$(dirname "$0")/../.."
command_line="${FRESHET:+FRESHET=$FRESHET }${PG_BIN:+PG_BIN=$PG_BIN }bench/batch_aggregates/run.sh${*:+ $*}"

rows=10000000
batch=1000
runs=3
freshet=${FRESHET:-build/bin/freshet}
pg_bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
output=docs/benchmarks.md
engines="freshet postgres"
keep=false
query_timeout=1800
while [ $# -gt 0 ]; do
  case "$1" in
    --rows) rows=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --freshet) freshet=$2; shift 2 ;;
    --postgres-bin) pg_bin=$2; shift 2 ;;
    --only) engines=$2; shift 2 ;;
    --output) output=$2; shift 2 ;;
    --no-doc) output=""; shift ;;
    --keep) keep=true; shift ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

psql=$pg_bin/psql
for tool in "$psql" "$pg_bin/initdb" "$pg_bin/pg_ctl"; do
  [ -x "$tool" ] || { echo "run.sh: $tool not found (install PostgreSQL 15 or set --postgres-bin)" >&2; exit 2; }
done
if [[ " $engines " == *" freshet "* ]] && [ ! -x "$freshet" ]; then
  echo "run.sh: no freshet binary at $freshet (build it: ninja -C build freshet, or --freshet PATH)" >&2
  exit 2
fi

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

load_at_start=$(cut -d' ' -f1-3 /proc/loadavg)
work=$(mktemp -d /tmp/freshet-bench-XXXXXX)
chmod 755 "$work"
as_postgres=()
if [ "$(id -u)" -eq 0 ]; then
  as_postgres=(runuser -u postgres --)
fi
freshet_pid=""
pg_started=false
cleanup() {
  if [ -n "$freshet_pid" ]; then
    kill "$freshet_pid" 2>/dev/null || true
    wait "$freshet_pid" 2>/dev/null || true
  fi
  if $pg_started; then
    "${as_postgres[@]}" "$pg_bin/pg_ctl" -D "$work/pg/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  if $keep; then
    echo "kept $work"
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now() { date +%s.%N; }
elapsed() { python3 -c "print(f'{$2 - $1:.3f}')"; }

# --- the data, generated once as SQL so that generating it is not part of either load ---------
echo "generating $rows rows as INSERT statements of $batch rows..."
awk -v rows="$rows" -v batch="$batch" 'BEGIN {
  for (start = 1; start <= rows; start += batch) {
    end = start + batch - 1
    if (end > rows) end = rows
    line = "INSERT INTO t VALUES "
    for (g = start; g <= end; g++) {
      line = line sprintf("(%d,%d,%.3f,%d)%s", g, (g * 7919) % 1000, ((g * 7) % 1000003) / 8, g % 100,
                          g < end ? "," : ";\n")
    }
    printf "%s", line
  }
}' > "$work/data.sql"
data_size=$(du -h "$work/data.sql" | cut -f1)

create_table="CREATE TABLE t (id BIGINT, k INTEGER, v DOUBLE PRECISION, s INTEGER)"
query_names=("count(*)" "sum(v)" "sum(s)" "GROUP BY k: count, sum(v), avg(v)")
queries=(
  "SELECT count(*) FROM t"
  "SELECT sum(v) FROM t"
  "SELECT sum(s) FROM t"
  "SELECT k, count(*), sum(v), avg(v) FROM t GROUP BY k"
)

declare -A load_seconds result_seconds result_error answer_file disk_size extra_load

# run_psql PORT DB ARGS...: psql against one engine, no psqlrc, stopping at the first error.
run_psql() {
  local port=$1 db=$2
  shift 2
  timeout "$query_timeout" "$psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U freshet -d "$db" "$@"
}

# bench_engine NAME PORT DB: loads the data and times the queries on one engine.
bench_engine() {
  local name=$1 port=$2 db=$3
  echo "[$name] loading..."
  run_psql "$port" "$db" -c "$create_table" >/dev/null
  local start end
  start=$(now)
  if ! run_psql "$port" "$db" -f "$work/data.sql" >"$work/$name-load.log" 2>&1; then
    load_seconds[$name]="failed: $(grep -m1 ERROR "$work/$name-load.log" || tail -1 "$work/$name-load.log")"
    echo "[$name] load failed: ${load_seconds[$name]}"
    return
  fi
  end=$(now)
  load_seconds[$name]=$(elapsed "$start" "$end")
  echo "[$name] loaded in ${load_seconds[$name]} s"
  if [ "$name" = postgres ]; then
    start=$(now)
    run_psql "$port" "$db" -c "VACUUM (ANALYZE) t" >/dev/null
    end=$(now)
    extra_load[vacuum]=$(elapsed "$start" "$end")
  fi
  # INSERT ... SELECT from generate_series, where the engine has it, as a second load figure.
  if run_psql "$port" "$db" -c "CREATE TABLE t_series (id BIGINT, k INTEGER, v DOUBLE PRECISION, s INTEGER)" \
       -c "INSERT INTO t_series SELECT g, (g * 7919) % 1000, ((g * 7) % 1000003) / 8.0, g % 100 FROM generate_series(1::BIGINT, 3) AS g" \
       >/dev/null 2>&1; then
    run_psql "$port" "$db" -c "DROP TABLE t_series" -c "CREATE TABLE t_series (id BIGINT, k INTEGER, v DOUBLE PRECISION, s INTEGER)" >/dev/null
    start=$(now)
    if run_psql "$port" "$db" -c "INSERT INTO t_series SELECT g, (g * 7919) % 1000, ((g * 7) % 1000003) / 8.0, g % 100 FROM generate_series(1::BIGINT, $rows) AS g" \
         >"$work/$name-series.log" 2>&1; then
      end=$(now)
      extra_load[$name]=$(elapsed "$start" "$end")
    else
      extra_load[$name]="failed: $(grep -m1 ERROR "$work/$name-series.log" | sed 's/^.*ERROR: *//')"
    fi
    run_psql "$port" "$db" -c "DROP TABLE t_series" >/dev/null || true
  else
    extra_load[$name]="not supported"
  fi

  local i
  for i in "${!queries[@]}"; do
    local query=${queries[$i]} log="$work/$name-q$i.log"
    echo "[$name] ${query_names[$i]}..."
    # One session: a warm-up run, then the timed runs; psql's \timing measures each round trip.
    {
      echo '\timing on'
      echo '\o /dev/null'
      for _ in $(seq 0 "$runs"); do echo "$query;"; done
    } | run_psql "$port" "$db" >"$log" 2>&1 || true
    if grep -q ERROR "$log"; then
      result_error["$name,$i"]=$(grep -m1 ERROR "$log" | sed 's/^.*ERROR: *//')
      echo "[$name]   error: ${result_error["$name,$i"]}"
      continue
    fi
    result_seconds["$name,$i"]=$(grep '^Time:' "$log" | tail -n +2 |
      awk '{ ms = $2 + 0; if (best == "" || ms < best) best = ms } END { printf "%.3f", best / 1000 }')
    echo "[$name]   best of $runs: ${result_seconds["$name,$i"]} s"
    answer_file["$name,$i"]="$work/$name-answer-$i.txt"
    run_psql "$port" "$db" -A -t -c "$query" 2>/dev/null | sort >"${answer_file["$name,$i"]}" || true
  done
}

# --- PostgreSQL --------------------------------------------------------------------------------
pg_settings=(-c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off
             -c TimeZone=UTC -c shared_buffers=2GB -c max_wal_size=8GB)
if [[ " $engines " == *" postgres "* ]]; then
  mkdir -p "$work/pg"
  [ ${#as_postgres[@]} -gt 0 ] && chown postgres "$work/pg"
  pg_port=$(free_port)
  "${as_postgres[@]}" "$pg_bin/initdb" -D "$work/pg/data" -U freshet -A trust --no-locale -E UTF8 --no-sync \
    >"$work/pg/initdb.log" 2>&1 || { cat "$work/pg/initdb.log" >&2; exit 2; }
  "${as_postgres[@]}" "$pg_bin/pg_ctl" -D "$work/pg/data" -l "$work/pg/postgres.log" -w \
    -o "-p $pg_port -k $work/pg ${pg_settings[*]}" start >/dev/null ||
    { cat "$work/pg/postgres.log" >&2; exit 2; }
  pg_started=true
  pg_version=$(run_psql "$pg_port" postgres -A -t -c "SHOW server_version")
  pg_parallel=$(run_psql "$pg_port" postgres -A -t -c "SHOW max_parallel_workers_per_gather")
  pg_jit=$(run_psql "$pg_port" postgres -A -t -c "SHOW jit")
  bench_engine postgres "$pg_port" postgres
  disk_size[postgres]=$(du -sh "$work/pg/data" | cut -f1)
  "${as_postgres[@]}" "$pg_bin/pg_ctl" -D "$work/pg/data" -m fast -w stop >/dev/null
  pg_started=false
fi

# --- Freshet -----------------------------------------------------------------------------------
if [[ " $engines " == *" freshet "* ]]; then
  freshet_port=$(free_port)
  mkdir -p "$work/freshet-data"
  "$freshet" --listen 127.0.0.1 --port "$freshet_port" --data-dir "$work/freshet-data" >"$work/freshet.log" 2>&1 &
  freshet_pid=$!
  for _ in $(seq 1 100); do
    "$psql" -X -h 127.0.0.1 -p "$freshet_port" -U freshet -d dev -c "SELECT 1" >/dev/null 2>&1 && break
    sleep 0.1
  done
  bench_engine freshet "$freshet_port" dev
  disk_size[freshet]=$(du -sh "$work/freshet-data" | cut -f1)
  freshet_rss=$(awk '/VmHWM/ { printf "%.0f MiB", $2 / 1024 }' "/proc/$freshet_pid/status" 2>/dev/null || echo "?")
  kill "$freshet_pid"
  wait "$freshet_pid" 2>/dev/null || true
  freshet_pid=""
fi

# --- the report --------------------------------------------------------------------------------
cell() {  # cell ENGINE INDEX: seconds, or the error
  local key="$1,$2"
  if [ -n "${result_seconds[$key]:-}" ]; then
    echo "${result_seconds[$key]}"
  elif [ -n "${result_error[$key]:-}" ]; then
    echo "error: ${result_error[$key]}"
  else
    echo "not run"
  fi
}
rate() {  # rate SECONDS: rows per second
  python3 -c "import sys; s = sys.argv[1]
try:
    print(f'{$rows / float(s):,.0f}')
except ValueError:
    print('-')" "$1"
}
matches() {
  local key_f="freshet,$1" key_p="postgres,$1"
  if [ -z "${answer_file[$key_f]:-}" ] || [ -z "${answer_file[$key_p]:-}" ]; then
    echo "-"
  elif cmp -s "${answer_file[$key_f]}" "${answer_file[$key_p]}"; then
    echo "yes"
  else
    echo "**no**"
  fi
}

build_type="?"
cache="$(dirname "$(dirname "$freshet")")/CMakeCache.txt"
[ -f "$cache" ] && build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$cache")
commit=$(git rev-parse --short HEAD 2>/dev/null || echo "?")
if [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then
  commit="$commit (with uncommitted changes)"
fi
cpu=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')
memory=$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)

section="$work/section.md"
{
  echo "## Batch aggregates (issue 3)"
  echo
  echo "$(python3 -c "print(f'{$rows:,}')") rows of \`t (id BIGINT, k INTEGER, v DOUBLE PRECISION, s INTEGER)\` (k: 1,000 distinct"
  echo "values; v: multiples of 1/8, so sums are exact), loaded over one connection as multi-row INSERTs of $batch rows"
  echo "($data_size of SQL), then each query once to warm up and $runs more times; the best time as psql's \`\\timing\`"
  echo "measures it. rows/s = rows scanned / seconds. \"Same answer\" compares both engines' output, sorted."
  echo
  echo "| query | Freshet seconds | PostgreSQL seconds | Freshet rows/s | PostgreSQL rows/s | same answer |"
  echo "|---|---:|---:|---:|---:|---|"
  echo "| load (multi-row INSERT) | ${load_seconds[freshet]:-not run} | ${load_seconds[postgres]:-not run} | $(rate "${load_seconds[freshet]:-x}") | $(rate "${load_seconds[postgres]:-x}") | |"
  echo "| load (INSERT ... SELECT FROM generate_series) | ${extra_load[freshet]:-not run} | ${extra_load[postgres]:-not run} | $(rate "${extra_load[freshet]:-x}") | $(rate "${extra_load[postgres]:-x}") | |"
  for i in "${!queries[@]}"; do
    f=$(cell freshet "$i")
    p=$(cell postgres "$i")
    echo "| \`${queries[$i]}\` | $f | $p | $(rate "$f") | $(rate "$p") | $(matches "$i") |"
  done
  echo
  echo "- Machine: $(nproc) cores, $cpu, $memory memory, Linux $(uname -r). Load average (1, 5, 15 min) at the"
  echo "  start: $load_at_start; at the end: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine slows both engines)."
  echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC'). Commit: $commit. Freshet binary: \`$freshet\` (CMAKE_BUILD_TYPE=$build_type)."
  echo "- PostgreSQL ${pg_version:-?}: \`${pg_settings[*]}\`, max_parallel_workers_per_gather=${pg_parallel:-?}, jit=${pg_jit:-?};"
  echo "  \`VACUUM (ANALYZE) t\` after the load took ${extra_load[vacuum]:-?} s (not counted)."
  echo "- On disk after the load: Freshet ${disk_size[freshet]:-?}, PostgreSQL ${disk_size[postgres]:-?}. Freshet peak RSS: ${freshet_rss:-?}."
  echo "- Command: \`$command_line\`"
} >"$section"

cat "$section"
if [ -n "$output" ]; then
  python3 - "$output" "$section" <<'EOF'
import pathlib, re, sys
doc, section = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]).read_text()
text = doc.read_text() if doc.exists() else "# Benchmarks\n\nFigures with the command, the machine and the date (DESIGN.md section 9).\n"
pattern = re.compile(r"^## Batch aggregates \(issue 3\)\n.*?(?=^## |\Z)", re.S | re.M)
if pattern.search(text):
    text = pattern.sub(lambda _: section + "\n", text)
else:
    text = text.rstrip("\n") + "\n\n" + section
doc.write_text(text.rstrip("\n") + "\n")
EOF
  echo "wrote $output"
fi
