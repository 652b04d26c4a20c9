#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Plays .slt files against a throwaway PostgreSQL 15 (the oracle), to check that expectations are PostgreSQL's.
# Records marked `onlyif freshet` are skipped there (the runner's engine name is "postgres" with --host).
#
#   sql_tests/run_against_postgres.sh [FILE_OR_DIR...]      (default: every file under sql_tests/)
#
# Environment: FRESHET_SLT (runner, default build/bin/freshet_slt), PG_BIN (default /usr/lib/postgresql/15/bin),
# PG_PORT (default: a free port). Run as root, the server runs as the `postgres` user.
set -euo pipefail
cd "$(dirname "$0")/.."

runner=${FRESHET_SLT:-build/bin/freshet_slt}
pg_bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
if [ ! -x "$runner" ]; then
  echo "run_against_postgres: runner $runner not built (set FRESHET_SLT)" >&2
  exit 2
fi
if [ ! -x "$pg_bin/postgres" ]; then
  echo "run_against_postgres: no PostgreSQL in $pg_bin (set PG_BIN)" >&2
  exit 2
fi

free_port() {
  local port
  for port in $(seq 54330 54400); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
  echo "run_against_postgres: no free port in 54330-54400" >&2
  exit 2
}
port=${PG_PORT:-$(free_port)}

work=$(mktemp -d /tmp/freshet-pg-oracle-XXXXXX)
as_postgres=()
if [ "$(id -u)" -eq 0 ]; then
  chmod 755 "$work"
  chown postgres "$work"
  as_postgres=(setpriv --reuid=postgres --regid=postgres --init-groups)
fi
cleanup() {
  "${as_postgres[@]}" "$pg_bin/pg_ctl" -D "$work/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

"${as_postgres[@]}" "$pg_bin/initdb" -D "$work/data" -U freshet -A trust --no-locale -E UTF8 >"$work/initdb.log" 2>&1 ||
  { cat "$work/initdb.log" >&2; exit 2; }
"${as_postgres[@]}" "$pg_bin/pg_ctl" -D "$work/data" -l "$work/postgres.log" -w \
  -o "-p $port -k $work -c listen_addresses=127.0.0.1 -c TimeZone=UTC" start >/dev/null ||
  { cat "$work/postgres.log" >&2; exit 2; }
"${as_postgres[@]}" "$pg_bin/psql" -h 127.0.0.1 -p "$port" -U freshet -d postgres -qc "CREATE DATABASE dev" >/dev/null

if [ $# -eq 0 ]; then
  set -- sql_tests
fi
"$runner" --host 127.0.0.1 --port "$port" --user freshet --dbname dev "$@"
