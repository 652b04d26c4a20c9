#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Collects the figures of one bench/kafka/run.sh run (the JSON files it left in --work) into one
JSON file and prints a table. Not meant to be run by hand."""

import argparse
import datetime
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "nexmark"))
import harness  # noqa: E402  (machine_info, repository_commit, load_average)


def load(path):
    try:
        with open(path) as f:
            return json.loads(f.read().strip().splitlines()[-1])
    except (OSError, ValueError, IndexError):
        return None


def with_broker(stage, work, name):
    broker = load(os.path.join(work, f"{name}.broker.json"))
    if stage is not None and broker is not None:
        stage["broker_cpu_seconds"] = broker["broker_cpu_seconds"]
    return stage


def add_rates(stage, messages, cores):
    """Adds per-core and per-CPU-second rates to a stage measured outside the harness."""
    if not stage or not stage.get("seconds"):
        return stage
    stage["cores"] = cores
    stage["messages_per_second"] = round(messages / stage["seconds"])
    stage["messages_per_second_per_core"] = round(messages / stage["seconds"] / cores)
    cpu = stage.get("cpu_seconds") or stage.get("process_cpu_seconds")
    if cpu:
        stage["messages_per_cpu_second"] = round(messages / cpu)
    broker = stage.get("broker_cpu_seconds")
    if cpu and broker is not None:
        stage["messages_per_cpu_second_with_broker"] = round(messages / (cpu + broker))
    return stage


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--work", required=True)
    parser.add_argument("--output", required=True)
    parser.add_argument("--messages", type=int, required=True)
    parser.add_argument("--events", type=int, required=True)
    parser.add_argument("--partitions", type=int, required=True)
    parser.add_argument("--bootstrap", default=None)
    parser.add_argument("--source-options", default="")
    args = parser.parse_args()
    work, messages = args.work, args.messages
    cores = os.cpu_count()

    queries = {}
    first = None
    for name in ["generator"] + sorted(n[len("query-"):-len(".json")]
                                       for n in os.listdir(work)
                                       if n.startswith("query-q") and n.endswith(".json")
                                       and not n.endswith(".broker.json")):
        path = os.path.join(work, f"query-{name}.json")
        try:
            with open(path) as f:
                run = json.load(f)
        except (OSError, ValueError):
            continue
        first = first or run
        result = run.get("generator") if name == "generator" else run["queries"].get(name)
        if result is None:
            continue
        result = with_broker(result, work, f"query-{name}")
        cpu, broker = result.get("cpu_seconds"), result.get("broker_cpu_seconds")
        if cpu and broker is not None:
            result["messages_per_cpu_second_with_broker"] = round(messages / (cpu + broker))
        queries[name] = result

    produce = with_broker(load(os.path.join(work, "produce.json")), work, "produce")
    if produce and produce.get("cpu_seconds"):
        produce["messages_per_cpu_second"] = round(produce["messages"] / produce["cpu_seconds"])
        if produce.get("broker_cpu_seconds") is not None:
            produce["messages_per_cpu_second_with_broker"] = round(
                produce["messages"] / (produce["cpu_seconds"] + produce["broker_cpu_seconds"]))
    report = {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": harness.machine_info(),
        "commit": harness.repository_commit(),
        "command": first.get("command") if first else None,
        "build": first.get("build") if first else None,
        "freshet": first.get("freshet") if first else None,
        "workers": first.get("workers") if first else None,
        "cores": cores,
        "messages": messages,
        "nexmark_events": args.events,
        "partitions": args.partitions,
        "bootstrap": args.bootstrap,
        "source_options": args.source_options,
        "load_average_end": harness.load_average(),
        "produce": produce,
        "consume": add_rates(with_broker(load(os.path.join(work, "consume.json")), work,
                                         "consume"), messages, cores),
        "consume_decode": add_rates(with_broker(load(os.path.join(work, "decode.json")), work,
                                                "decode"), messages, cores),
        "decode": add_rates(load(os.path.join(work, "decode_bench.json")), messages, 1),
        "queries": queries,
    }
    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    with open(args.output, "w") as f:
        json.dump(report, f, indent=2)
        f.write("\n")

    header = ("stage", "messages", "seconds", "msg/s", "msg/s/core", "CPU s", "CPU wait s",
              "msg/CPU-s", "broker CPU s", "msg/CPU-s incl. broker", "status")
    lines = [header]

    def row(name, stage):
        if not stage:
            lines.append((name, "-", "-", "-", "-", "-", "-", "-", "-", "-", "missing"))
            return
        ok = stage.get("status", "ok") in ("ok", "errors")
        seconds = stage.get("seconds")
        rate = stage.get("messages_per_second")
        per_core = stage.get("messages_per_second_per_core")
        cpu = stage.get("cpu_seconds", stage.get("process_cpu_seconds"))
        lines.append((name, f"{stage.get('messages', messages):,}",
                      f"{seconds:.2f}" if ok and seconds else "-",
                      f"{rate:,}" if ok and rate else "-",
                      f"{per_core:,}" if ok and per_core else "-",
                      f"{cpu}" if ok and cpu is not None else "-",
                      f"{stage.get('runqueue_wait_seconds', '-')}",
                      f"{stage.get('messages_per_cpu_second') or 0:,}" if ok else "-",
                      f"{stage.get('broker_cpu_seconds', '-')}",
                      f"{stage.get('messages_per_cpu_second_with_broker') or 0:,}" if ok else "-",
                      stage.get("status", "ok")))

    row("produce", produce and dict(produce, messages_per_second=produce.get(
        "messages_per_second") and round(produce["messages_per_second"]),
        messages_per_second_per_core=round(produce.get("messages_per_second", 0) / cores)))
    row("consume (librdkafka)", report["consume"])
    row("consume + JSON decode", report["consume_decode"])
    row("JSON decode (1 thread)", report["decode"])
    for name, result in queries.items():
        row("freshet: Kafka source alone" if name == "generator" else f"freshet: {name}", result)
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(header))]
    print()
    for index, line in enumerate(lines):
        print("  ".join(str(cell).rjust(widths[i]) if 0 < i < len(header) - 1
                        else str(cell).ljust(widths[i]) for i, cell in enumerate(line)))
        if index == 0:
            print("  ".join("-" * w for w in widths))
    for name, result in queries.items():
        if result.get("error"):
            print(f"{name}: {result['error']}")
    print(f"\nwrote {os.path.relpath(args.output, os.getcwd())}")


if __name__ == "__main__":
    main()
