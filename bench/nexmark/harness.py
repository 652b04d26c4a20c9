#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Nexmark harness (issue 4), driven by bench/nexmark/run.sh; see `run.sh --help`.

For each query: a fresh server (own loopback port, own data directory), the query's sources created
with psql, then its CREATE MATERIALIZED VIEW timed until the view has consumed every event of its
sources and a FLUSH has committed the result. Figures go to a JSON file and a table on stdout.

Completion test. The generator sources are bounded (`nexmark.event.num`), so the number of rows each
source yields is known in advance: of events 0 .. N-1, event e is a person when e mod 50 = 0, an
auction when it is 1..3 and a bid otherwise. The harness polls the rows each source has produced
(freshet_catalog.sources) until every source reached that number times the number of readers the
plan gives it (q5 and q7 read `bid` twice; counted from EXPLAIN), then runs FLUSH: the barrier it
injects follows the last row in every channel, so when FLUSH returns every event has been processed
and committed. Without freshet_catalog.sources, a view whose row count is known (q0, q1) is polled
with count(*) instead; other views fall back to "the view's row count did not change for
--stable-seconds" (reported as completion "stable", a weaker test). A query fails, and is recorded
with its error, when psql reports an error, the server exits, the view reports expression errors,
progress stops for --stall-seconds, or --timeout passes.
"""

import argparse
import ctypes
import datetime
import json
import os
import platform
import re
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
QUERY_DIR = os.path.join(HERE, "queries")
DEFAULT_QUERIES = ["q0", "q1", "q2", "q5", "q7", "q8"]
CLK_TCK = os.sysconf("SC_CLK_TCK")

# The position of each table's events in a block of 50 (Nexmark's 1 : 3 : 46 proportion).
TABLE_SLOTS = {"person": (0, 1), "auction": (1, 4), "bid": (4, 50)}


def table_rows(events, table):
    """How many of events 0 .. events-1 belong to `table`."""
    low, high = TABLE_SLOTS[table]
    blocks, rest = divmod(events, 50)
    return blocks * (high - low) + max(0, min(rest, high) - low)


# ------------------------------------------------------------------------------------------------
# A minimal Postgres wire client (simple query protocol, trust authentication): one connection kept
# open for polling, so a poll costs a round trip rather than a psql process.


class PgError(Exception):
    def __init__(self, fields):
        self.fields = fields
        self.sqlstate = fields.get("C", "")
        super().__init__(f"{fields.get('S', 'ERROR')}: {fields.get('M', '?')} ({self.sqlstate})")


class PgConnection:
    def __init__(self, host, port, user="freshet", database="dev", timeout=600):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""
        params = b"user\0" + user.encode() + b"\0database\0" + database.encode() + b"\0\0"
        body = struct.pack("!i", 196608) + params
        self.sock.sendall(struct.pack("!i", len(body) + 4) + body)
        while True:
            kind, payload = self._read_message()
            if kind == b"R":
                code = struct.unpack("!i", payload[:4])[0]
                if code != 0:
                    raise RuntimeError(f"the server asks for authentication (method {code})")
            elif kind == b"E":
                raise PgError(self._fields(payload))
            elif kind == b"Z":
                return

    def _recv_exact(self, count):
        while len(self.buffer) < count:
            data = self.sock.recv(1 << 16)
            if not data:
                raise ConnectionError("the server closed the connection")
            self.buffer += data
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def _read_message(self):
        header = self._recv_exact(5)
        kind, length = header[:1], struct.unpack("!i", header[1:])[0]
        return kind, self._recv_exact(length - 4)

    @staticmethod
    def _fields(payload):
        fields = {}
        for part in payload.split(b"\0"):
            if part:
                fields[chr(part[0])] = part[1:].decode(errors="replace")
        return fields

    def query(self, sql):
        """Runs `sql`; returns (column names, rows of str/None) of the last result."""
        body = sql.encode() + b"\0"
        self.sock.sendall(b"Q" + struct.pack("!i", len(body) + 4) + body)
        columns, rows, error = [], [], None
        while True:
            kind, payload = self._read_message()
            if kind == b"T":
                count = struct.unpack("!h", payload[:2])[0]
                columns, rows, offset = [], [], 2
                for _ in range(count):
                    end = payload.index(b"\0", offset)
                    columns.append(payload[offset:end].decode())
                    offset = end + 1 + 18
            elif kind == b"D":
                count = struct.unpack("!h", payload[:2])[0]
                row, offset = [], 2
                for _ in range(count):
                    length = struct.unpack("!i", payload[offset:offset + 4])[0]
                    offset += 4
                    if length < 0:
                        row.append(None)
                    else:
                        row.append(payload[offset:offset + length].decode(errors="replace"))
                        offset += length
                rows.append(row)
            elif kind == b"E":
                error = PgError(self._fields(payload))
            elif kind == b"Z":
                if error:
                    raise error
                return columns, rows

    def close(self):
        try:
            self.sock.sendall(b"X" + struct.pack("!i", 4))
        except OSError:
            pass
        self.sock.close()


# ------------------------------------------------------------------------------------------------
# Process and machine helpers


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def die_with_parent():
    """In the server's child process: the kernel kills it when the harness dies, however it dies."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def proc_status(pid, key):
    """A kB field of /proc/PID/status (VmHWM, VmRSS) in MiB, or None."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return None


def _stat_fields(path):
    with open(path) as f:
        text = f.read()
    # comm may hold spaces and parentheses: it ends at the last ')'.
    start, end = text.index("("), text.rindex(")")
    return text[start + 1:end], text[end + 2:].split()


def process_cpu_seconds(pid):
    try:
        _, fields = _stat_fields(f"/proc/{pid}/stat")
        return (int(fields[11]) + int(fields[12])) / CLK_TCK
    except (OSError, ValueError, IndexError):
        return None


def thread_cpu_seconds(pid):
    """CPU seconds per thread name (threads of the same name summed)."""
    result = {}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return result
    for tid in tids:
        try:
            comm, fields = _stat_fields(f"/proc/{pid}/task/{tid}/stat")
        except (OSError, ValueError):
            continue
        name = re.sub(r"[0-9]+$", "N", comm)
        result[name] = result.get(name, 0.0) + (int(fields[11]) + int(fields[12])) / CLK_TCK
    return result


def runqueue_wait_seconds(pid):
    """Seconds the process's threads spent runnable but waiting for a CPU (the second field of
    /proc/PID/task/*/schedstat): on a shared machine, the time other processes took from it."""
    total = 0
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return None
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                total += int(f.read().split()[1])
        except (OSError, ValueError, IndexError):
            pass
    return total / 1e9


def diff_threads(before, after):
    out = {}
    for name, seconds in after.items():
        delta = seconds - before.get(name, 0.0)
        if delta >= 0.005:
            out[name] = round(delta, 2)
    return dict(sorted(out.items(), key=lambda item: -item[1]))


def machine_info():
    info = {"cores": os.cpu_count(), "kernel": platform.release()}
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
        for line in lscpu.splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "Model name":
                info["cpu"] = value.strip()
            elif key.strip() == "Hypervisor vendor":
                info["hypervisor"] = value.strip()
    except OSError:
        pass
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    info["memory_gib"] = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    info["hostname"] = socket.gethostname()
    return info


def repository_commit():
    """The checked-out commit, read from .git without running git."""
    git = os.path.join(ROOT, ".git")
    try:
        if os.path.isfile(git):  # a worktree: "gitdir: PATH"
            with open(git) as f:
                git = f.read().split(":", 1)[1].strip()
        with open(os.path.join(git, "HEAD")) as f:
            head = f.read().strip()
        if not head.startswith("ref: "):
            return head[:12]
        ref = head[5:]
        for base in (git, os.path.join(git, "commondir")):
            path = os.path.join(base, ref)
            if os.path.isfile(path):
                with open(path) as f:
                    return f.read().strip()[:12]
        packed = os.path.join(git, "packed-refs")
        if os.path.isfile(packed):
            with open(packed) as f:
                for line in f:
                    if line.rstrip().endswith(" " + ref):
                        return line.split()[0][:12]
    except (OSError, IndexError):
        pass
    return None


def load_average():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


# ------------------------------------------------------------------------------------------------
# One query


class QueryFailed(Exception):
    pass


class Server:
    def __init__(self, binary, workers, work_dir, name, pid_file, extra_args):
        self.port = free_port()
        self.data_dir = os.path.join(work_dir, f"{name}.data")
        self.log_path = os.path.join(work_dir, f"{name}.log")
        os.makedirs(self.data_dir, exist_ok=True)
        command = [binary, "--listen", "127.0.0.1", "--port", str(self.port), "--data-dir",
                   self.data_dir, "--workers", str(workers)] + extra_args
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, preexec_fn=die_with_parent)
        self.pid = self.process.pid
        with open(pid_file, "a") as f:
            f.write(f"{self.pid}\n")
        deadline = time.time() + 60
        while True:
            if self.process.poll() is not None:
                raise QueryFailed("the server exited at start with code "
                                  f"{self.process.returncode}: {self.log_tail()}")
            try:
                PgConnection("127.0.0.1", self.port, timeout=5).close()
                return
            except (OSError, PgError, RuntimeError):
                if time.time() > deadline:
                    self.stop()
                    raise QueryFailed("the server did not accept connections within 60 s")
                time.sleep(0.05)

    def alive(self):
        return self.process.poll() is None

    def check_alive(self):
        if not self.alive():
            raise QueryFailed(f"the server exited with code {self.process.returncode}: "
                              + self.log_tail())

    def log_tail(self, lines=3):
        try:
            with open(self.log_path, errors="replace") as f:
                tail = [line.strip() for line in f.readlines()[-lines:]]
            return " | ".join(tail) if tail else "(empty log)"
        except OSError:
            return "(no log)"

    def stop(self):
        if self.alive():
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def split_query_file(path):
    """(the statements before the view, the CREATE MATERIALIZED VIEW, the view's name,
    {source: nexmark table}, the Kafka sources). A Kafka source's table is its topic's name when
    that names a Nexmark table (bench/kafka: freshet-nexmark-producer writes table t to topic t)."""
    with open(path) as f:
        text = f.read()
    match = re.search(r"^CREATE MATERIALIZED VIEW\s+(\w+)", text, re.M | re.I)
    if not match:
        raise QueryFailed(f"{path} has no CREATE MATERIALIZED VIEW")
    setup, view_sql = text[:match.start()], text[match.start():]
    sources, kafka_sources = {}, set()
    for source in re.finditer(r"CREATE SOURCE\s+(\w+)\s*\((.*?)\)\s*WITH\s*\((.*?)\)\s*"
                              r"(?:FORMAT\b[^;]*)?;", setup, re.S | re.I):
        table = re.search(r"nexmark\.table\.type\s*=\s*'(\w+)'", source.group(3), re.I)
        if re.search(r"connector\s*=\s*'kafka'", source.group(3), re.I):
            table = re.search(r"\btopic\s*=\s*'(\w+)'", source.group(3), re.I)
            kafka_sources.add(source.group(1).lower())
        if table:
            sources[source.group(1).lower()] = table.group(1).lower()
    return setup, view_sql, match.group(1).lower(), sources, kafka_sources


def run_psql(psql, port, sql, events, timeout, bootstrap=None, variables=()):
    """Runs `sql` through psql (with :'events', given one :'bootstrap', and the NAME=VALUE
    `variables` bound); raises QueryFailed with psql's error."""
    command = [psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-v", f"events={events}", "-h",
               "127.0.0.1", "-p", str(port), "-U", "freshet", "-d", "dev", "-f", "-"]
    for variable in ([f"bootstrap={bootstrap}"] if bootstrap else []) + list(variables):
        command[5:5] = ["-v", variable]
    try:
        done = subprocess.run(command, input=sql, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise QueryFailed(f"psql did not finish within {timeout} s")
    if done.returncode != 0:
        message = [line for line in done.stderr.splitlines() if "ERROR" in line or "FATAL" in line]
        text = message[0] if message else done.stderr.strip() or f"psql exit {done.returncode}"
        raise QueryFailed(re.sub(r"^psql:<stdin>:\d+: ", "", text))


def catalog_rows(conn, relation):
    """freshet_catalog.<relation> as a list of dicts, or None when it does not exist (yet)."""
    try:
        columns, rows = conn.query(f"SELECT * FROM freshet_catalog.{relation}")
    except PgError as error:
        if error.sqlstate in ("42P01", "3F000", "42704"):
            return None
        raise
    return [dict(zip(columns, row)) for row in rows]


def pick(row, *names):
    for name in names:
        if name in row and row[name] is not None:
            return row[name]
    return None


def source_progress(conn, source_names):
    """{source: rows produced} from freshet_catalog.sources, or None when unavailable."""
    rows = catalog_rows(conn, "sources")
    if rows is None:
        return None
    progress = {}
    for row in rows:
        name = pick(row, "name", "source_name", "source", "relation_name", "relname")
        count = pick(row, "rows", "rows_read", "row_count", "rows_in", "records")
        if name is None or count is None:
            return None
        name = name.split(".")[-1].lower()
        if name in source_names:
            progress[name] = int(count)
    return progress


def view_status(conn, view):
    """The view's row of freshet_catalog.materialized_views (a dict), or None."""
    rows = catalog_rows(conn, "materialized_views")
    if rows is None:
        return None
    for row in rows:
        name = pick(row, "name", "view_name", "relation_name", "relname")
        if name is not None and name.split(".")[-1].lower() == view:
            return row
    return None


def readers_per_source(conn, view_sql, sources):
    """How many readers the view's plan gives each source (from EXPLAIN), or None."""
    try:
        _, rows = conn.query("EXPLAIN " + view_sql.strip().rstrip(";"))
    except PgError:
        return None
    plan = "\n".join(row[0] or "" for row in rows)
    counts = {}
    for source in sources:
        pattern = re.compile(r"^.*source\b.*\b" + re.escape(source) + r"\b", re.I | re.M)
        counts[source] = len(pattern.findall(plan))
    if any(count == 0 for count in counts.values()):
        return None
    return counts


def view_errors(status):
    if not status:
        return None
    errors = pick(status, "errors", "error_count")
    if errors not in (None, "0"):
        return f"{errors} expression error(s); last: {pick(status, 'last_error') or '?'}"
    return None


def run_query(name, args, work_dir, pid_file):
    path = os.path.join(args.query_dir, f"{name}.sql")
    setup, view_sql, view, sources, kafka_sources = split_query_file(path)
    events = args.events
    # A Kafka topic holds the rows of its table among the producer's `events` events (or
    # --kafka-messages), as a generator source would produce them.
    expected = {source: (args.kafka_messages if source in kafka_sources and args.kafka_messages
                         else table_rows(events, table)) for source, table in sources.items()}
    result = {"events": events, "status": "failed"}
    server = Server(args.freshet, args.workers, work_dir, name, pid_file, args.server_args)
    conn = None
    perf = None
    profile_parts = None
    try:
        run_psql(args.psql, server.port, setup, events, 120, args.bootstrap, args.psql_var)
        conn = PgConnection("127.0.0.1", server.port, timeout=args.timeout + 60)
        readers = readers_per_source(conn, view_sql, sources) or {}
        have_sources = source_progress(conn, set(sources)) is not None
        target = {s: expected[s] * readers.get(s, 1) for s in sources}
        cpu_before = process_cpu_seconds(server.pid)
        threads_before = thread_cpu_seconds(server.pid)
        wait_before = runqueue_wait_seconds(server.pid)
        load_before = load_average()
        if args.perf:
            perf_data = os.path.join(work_dir, f"{name}.perf.data")
            perf = start_perf(server.pid, perf_data, work_dir, args.perf_frequency)
        start = time.monotonic()
        run_psql(args.psql, server.port, view_sql, events, args.timeout, args.bootstrap,
                 args.psql_var)
        created = time.monotonic()
        completion = wait_for_completion(conn, server, view, sources, target, readers,
                                         have_sources, start, args)
        read_done = time.monotonic()
        conn.query("FLUSH")
        end = time.monotonic()
        cpu_after = process_cpu_seconds(server.pid)
        threads_after = thread_cpu_seconds(server.pid)
        wait_after = runqueue_wait_seconds(server.pid)
        if perf is not None:
            perf.send_signal(signal.SIGINT)
            perf.wait()
            perf = None
            profile_parts = report_perf(perf_data,
                                        os.path.join(args.results_dir, f"{name}.perf.txt"))
            os.remove(perf_data)
        seconds = end - start
        result.update({
            "status": "ok",
            "seconds": round(seconds, 3),
            "events_per_second": round(events / seconds),
            "events_per_second_per_core": round(events / seconds / args.cores),
            "peak_rss_mb": round(proc_status(server.pid, "VmHWM") or 0, 1),
            "create_seconds": round(created - start, 3),
            "read_seconds": round(read_done - start, 3),
            "flush_seconds": round(end - read_done, 3),
            "completion": completion,
            "source_rows": expected,
            "readers": readers or None,
            "load_average": {"start": load_before, "end": load_average()},
        })
        if cpu_before is not None and cpu_after is not None:
            cpu = cpu_after - cpu_before
            result["cpu_seconds"] = round(cpu, 2)
            result["cores_used"] = round(cpu / seconds, 2)
            if cpu > 0:
                result["events_per_cpu_second"] = round(events / cpu)
            result["thread_cpu_seconds"] = diff_threads(threads_before, threads_after)
        if kafka_sources:
            # Kafka: the messages of the topics read (each once, however many readers).
            messages = sum(expected[s] for s in kafka_sources if s in expected)
            result["messages"] = messages
            result["messages_per_second"] = round(messages / seconds)
            result["messages_per_second_per_core"] = round(messages / seconds / args.cores)
            if result.get("cpu_seconds"):
                result["messages_per_cpu_second"] = round(messages / result["cpu_seconds"])
        if wait_before is not None and wait_after is not None:
            result["runqueue_wait_seconds"] = round(wait_after - wait_before, 2)
        if profile_parts:
            result["profile_percent"] = profile_parts
        status = view_status(conn, view)
        if status is not None:
            result["view_status"] = status
            problem = view_errors(status)
            if problem:
                result["status"] = "errors"
                result["error"] = problem
        late = {(pick(row, "name") or "").lower(): int(row["late_rows"])
                for row in catalog_rows(conn, "sources") or []
                if row.get("late_rows") not in (None, "0")}
        if late:
            result["late_rows"] = late  # rows the watermark dropped: the view misses them
        if args.count_rows:
            _, rows = conn.query(f"SELECT count(*) FROM {view}")
            result["view_rows"] = int(rows[0][0])
        result["data_dir_mb"] = round(directory_size(server.data_dir) / 2**20, 1)
    except QueryFailed as error:
        result["error"] = str(error)
    except (PgError, OSError, RuntimeError) as error:
        try:
            server.process.wait(timeout=2)  # a lost connection is often the server's death
        except subprocess.TimeoutExpired:
            pass
        result["error"] = (f"the server exited with code {server.process.returncode}: "
                           + server.log_tail()) if not server.alive() else str(error)
    finally:
        if perf is not None:
            perf.send_signal(signal.SIGINT)
            perf.wait()
        if "peak_rss_mb" not in result and server.alive():
            peak = proc_status(server.pid, "VmHWM")
            if peak is not None:
                result["peak_rss_mb"] = round(peak, 1)
        if conn is not None:
            conn.close()
        server.stop()
        if not args.keep:
            shutil.rmtree(server.data_dir, ignore_errors=True)
    return result


def wait_for_completion(conn, server, view, sources, target, readers, have_sources, start, args):
    """Polls until the view has read every event; returns how completion was decided."""
    deadline = start + args.timeout
    last_change, last_value = time.monotonic(), None
    last_status_check = 0.0
    fallback_count = None
    if not have_sources:
        # q0 and q1 keep every bid: their row count is the number of bids.
        if view in ("nexmark_q0", "nexmark_q1"):
            fallback_count = target.get("bid")
    while True:
        server.check_alive()
        now = time.monotonic()
        if have_sources:
            progress = source_progress(conn, set(sources)) or {}
            value = tuple(progress.get(s, 0) for s in sorted(sources))
            if all(progress.get(s, 0) >= target[s] for s in sources):
                if readers or all(progress[s] % max(1, target[s]) == 0 for s in sources):
                    if readers or value == last_value:
                        return "sources" if readers else "sources (readers not known; stable)"
            if any(progress.get(s, 0) > target[s] * 4 for s in sources):
                raise QueryFailed(f"sources produced more rows than expected: {progress}")
        else:
            _, rows = conn.query(f"SELECT count(*) FROM {view}")
            value = int(rows[0][0])
            if fallback_count is not None and value >= fallback_count:
                return "view row count"
            if fallback_count is None and value == last_value and value is not None \
                    and now - last_change >= args.stable_seconds:
                return f"stable for {args.stable_seconds} s"
        if value != last_value:
            last_value, last_change = value, now
        if now - last_status_check >= 1.0:  # not every poll: the relation computes state sizes
            last_status_check = now
            problem = view_errors(view_status(conn, view))
            if problem:
                raise QueryFailed(problem)
        if now - last_change > args.stall_seconds:
            raise QueryFailed(f"no progress for {args.stall_seconds} s "
                              f"(at {last_value} of {target})")
        if now > deadline:
            raise QueryFailed(f"not done after {args.timeout} s (at {last_value} of {target})")
        time.sleep(args.poll_seconds)


def start_perf(pid, data, work_dir, frequency):
    """Starts `perf record` on the server, with events enabled only once perf is attached (it takes
    a while to start on a busy machine); returns the process."""
    control, ack = os.path.join(work_dir, "perf.ctl"), os.path.join(work_dir, "perf.ack")
    for fifo in (control, ack):
        if os.path.exists(fifo):
            os.remove(fifo)
        os.mkfifo(fifo)
    # DWARF call graphs: the release build has no frame pointers.
    perf = subprocess.Popen(["perf", "record", "-F", str(frequency), "--call-graph", "dwarf,16384",
                             "-D", "-1", "--control", f"fifo:{control},{ack}", "-o", data, "-p",
                             str(pid)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ack_fd = os.open(ack, os.O_RDONLY | os.O_NONBLOCK)
    control_fd = os.open(control, os.O_WRONLY)
    try:
        os.write(control_fd, b"enable\n")
        ready, _, _ = select.select([ack_fd], [], [], 30)
        if not ready:
            print("perf did not acknowledge 'enable' within 30 s", file=sys.stderr)
    finally:
        os.close(control_fd)
        os.close(ack_fd)
    return perf


def directory_size(path):
    total = 0
    for base, _, files in os.walk(path):
        for name in files:
            try:
                total += os.path.getsize(os.path.join(base, name))
            except OSError:
                pass
    return total


# Where the server's CPU time goes, from perf's inclusive ("children") time of these functions.
PROFILE_PARTS = [
    ("commit: Runtime::CoordinatorLoop (one thread)", "stream::Runtime::CoordinatorLoop"),
    ("  of which RocksDbStateStore::Write", "RocksDbStateStore::Write"),
    ("  of which rocksdb::MemTable::Add", "rocksdb::MemTable::Add"),
    ("workers: Scheduler::WorkerLoop", "stream::Scheduler::WorkerLoop"),
    ("  generator: NexmarkReader::Read", "NexmarkReader::Read"),
    ("  source operator and its chain: SourceOperator::Produce", "SourceOperator::Produce"),
    ("  barriers: Actor::ProcessBarrier (operators' OnBarrier)", "Actor::ProcessBarrier"),
    ("RocksDB background flush", "rocksdb::DBImpl::BackgroundCallFlush"),
    ("RocksDB background compaction", "rocksdb::DBImpl::BackgroundCallCompaction"),
    ("kernel page faults", "exc_page_fault"),
]


def report_perf(data, out):
    """perf report of one query into `out` (inclusive time of the main parts, self time by library
    and by function); returns the parts as {name: percent of the server's CPU samples}."""
    parts = {}
    try:
        children = subprocess.run(["perf", "report", "-i", data, "--children", "--stdio",
                                   "--percent-limit", "0.1", "--sort", "symbol", "-g", "none"],
                                  capture_output=True, text=True, timeout=1200, check=False).stdout
        for label, symbol in PROFILE_PARTS:
            best = 0.0
            for line in children.splitlines():
                match = re.match(r"\s*([0-9.]+)%\s+([0-9.]+)%\s+\[.\]\s+(.*)", line)
                if match and symbol in match.group(3):
                    best = max(best, float(match.group(1)))
            parts[label] = best
        with open(out, "w") as f:
            f.write("==== inclusive time of the main parts (perf report --children) ====\n")
            for label, percent in parts.items():
                f.write(f"{percent:6.2f}%  {label}\n")
            for sort, limit in (("dso", "0.1"), ("dso,symbol", "0.3")):
                f.write(f"\n==== perf report --no-children --sort {sort} (self time) ====\n")
                f.flush()
                subprocess.run(["perf", "report", "-i", data, "--no-children", "--stdio",
                                "--percent-limit", limit, "--sort", sort, "-g", "none"],
                               stdout=f, stderr=subprocess.DEVNULL, timeout=1200, check=False)
    except (OSError, subprocess.TimeoutExpired):
        pass
    return parts


# ------------------------------------------------------------------------------------------------


def print_table(report):
    header = ("query", "status", "events", "seconds", "events/s", "ev/s/core", "CPU s",
              "ev/CPU-s", "CPU wait s", "peak RSS MiB")
    lines = [header]
    for name, r in list(report["queries"].items()) + [("generator", report.get("generator"))]:
        if r is None:
            continue
        if r.get("status") in ("ok", "errors"):
            lines.append((name, r["status"], f"{r['events']:,}", f"{r['seconds']:.2f}",
                          f"{r['events_per_second']:,}", f"{r['events_per_second_per_core']:,}",
                          f"{r.get('cpu_seconds', '-')}", f"{r.get('events_per_cpu_second', 0):,}",
                          f"{r.get('runqueue_wait_seconds', '-')}", f"{r.get('peak_rss_mb', '-')}"))
        else:
            lines.append((name, "FAILED", f"{r['events']:,}", "-", "-", "-", "-", "-", "-",
                          f"{r.get('peak_rss_mb', '-')}"))
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(header))]
    for index, line in enumerate(lines):
        print("  ".join(str(cell).rjust(widths[i]) if i >= 2 else str(cell).ljust(widths[i])
                        for i, cell in enumerate(line)))
        if index == 0:
            print("  ".join("-" * w for w in widths))
    for name, r in report["queries"].items():
        if r.get("error"):
            print(f"{name}: {r['error']}")
    if report.get("generator", {}).get("error"):
        print(f"generator: {report['generator']['error']}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--freshet", required=True)
    parser.add_argument("--psql", default="psql")
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count())
    parser.add_argument("--cores", type=int, default=None,
                        help="the divisor of events/s/core (default: --workers)")
    parser.add_argument("--queries", default=",".join(DEFAULT_QUERIES))
    parser.add_argument("--query-dir", default=QUERY_DIR,
                        help="where qN.sql and generator.sql are (for variants of the queries)")
    parser.add_argument("--no-generator", action="store_true")
    parser.add_argument("--bootstrap", default=None,
                        help="Kafka bootstrap servers, bound as psql's :'bootstrap' (bench/kafka)")
    parser.add_argument("--psql-var", action="append", default=[], metavar="NAME=VALUE",
                        help="another psql variable for the query files (repeatable)")
    parser.add_argument("--kafka-messages", type=int, default=None,
                        help="rows each Kafka source yields (default: the rows of its topic's "
                             "table among --events events)")
    parser.add_argument("--output", default=os.path.join(ROOT, "bench/results/nexmark.json"))
    parser.add_argument("--timeout", type=float, default=1800)
    parser.add_argument("--stall-seconds", type=float, default=600)
    parser.add_argument("--stable-seconds", type=float, default=5)
    parser.add_argument("--poll-seconds", type=float, default=0.05)
    parser.add_argument("--count-rows", dest="count_rows", action="store_true", default=True,
                        help="count the view's rows after the run (the default)")
    parser.add_argument("--no-count-rows", dest="count_rows", action="store_false",
                        help="do not count the view's rows after the run (a few s for q0/q1)")
    parser.add_argument("--perf", action="store_true", help="perf record each query")
    parser.add_argument("--perf-frequency", type=int, default=199)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--work-dir", default=None)
    parser.add_argument("--pid-file", default=None)
    parser.add_argument("--command", default=None)
    parser.add_argument("--build", default=None)
    parser.add_argument("server_args", nargs="*", help="after --: more server flags")
    args = parser.parse_args()
    args.cores = args.cores or args.workers
    args.results_dir = os.path.dirname(os.path.abspath(args.output))
    os.makedirs(args.results_dir, exist_ok=True)
    work_dir = args.work_dir or tempfile.mkdtemp(prefix="freshet-nexmark-")
    pid_file = args.pid_file or os.path.join(work_dir, "pids")

    queries = [q.strip() for q in args.queries.split(",") if q.strip()]
    report = {
        "machine": machine_info(),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": repository_commit(),
        "freshet": args.freshet,
        "build": args.build,
        "command": args.command,
        "cores": args.cores,
        "workers": args.workers,
        "events": args.events,
        "load_average_start": load_average(),
        "queries": {},
    }
    runs = ([] if args.no_generator else ["generator"]) + queries
    for name in runs:
        print(f"[{name}] {args.events:,} events, {args.workers} workers ...", flush=True)
        try:
            result = run_query(name, args, work_dir, pid_file)
        except (QueryFailed, OSError) as error:
            result = {"events": args.events, "status": "failed", "error": str(error)}
        if result["status"] == "ok":
            print(f"[{name}] {result['seconds']:.2f} s, {result['events_per_second_per_core']:,} "
                  f"events/s/core, peak RSS {result['peak_rss_mb']} MiB "
                  f"(completion: {result['completion']})", flush=True)
        else:
            print(f"[{name}] {result['status']}: {result.get('error')}", flush=True)
        if name == "generator":
            report["generator"] = result
        else:
            report["queries"][name] = result
        # Written after every query, so an interrupted run keeps what it measured.
        report["load_average_end"] = load_average()
        with open(args.output + ".tmp", "w") as f:
            json.dump(report, f, indent=2)
            f.write("\n")
        os.replace(args.output + ".tmp", args.output)
    print()
    print_table(report)
    print(f"\nwrote {os.path.relpath(args.output, os.getcwd())}")
    if not args.work_dir and not args.keep:
        shutil.rmtree(work_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
