#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Fails when a module includes a header of a module it may not use (DESIGN.md section 3).

Every `#include "x/..."` in a module's sources must name the module itself or one listed below for it. The
linker catches unlisted libraries; this catches header-only leaks the linker cannot see.
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent

# Module -> the modules whose headers it may include (itself is always allowed). Longer prefixes first.
ALLOWED = {
    "common": [],
    "parser": ["common"],
    "catalog": ["common"],
    "function": ["common"],
    "planner/plan": ["function", "common"],
    "planner": ["planner/plan", "parser", "catalog", "function", "common"],
    "storage": ["common"],
    "connectors": ["planner/plan", "common"],
    "executor": ["planner/plan", "function", "storage", "connectors", "common"],
    "pgwire": ["common"],
    "engine": ["planner/plan", "planner", "parser", "catalog", "function", "storage", "connectors", "executor",
               "common"],
    "server": ["engine", "pgwire", "planner/plan", "common"],
    "sql_tests": ["common", "tools"],
    "tools": ["common", "connectors"],
    "bench": ["engine", "executor", "connectors", "storage", "planner", "parser", "catalog",
              "function", "common"],
}
MODULES = sorted(ALLOWED, key=len, reverse=True)
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def module_of(path: str):
    for module in MODULES:
        if path == module or path.startswith(module + "/"):
            return module
    return None


def main() -> int:
    problems = []
    for source in sorted(ROOT.rglob("*")):
        if source.suffix not in (".h", ".cc") or "build" in source.relative_to(ROOT).parts[0]:
            continue
        relative = source.relative_to(ROOT).as_posix()
        owner = module_of(relative)
        if owner is None:
            continue
        for number, line in enumerate(source.read_text(errors="replace").splitlines(), 1):
            match = INCLUDE.match(line)
            if not match:
                continue
            target = module_of(match.group(1))
            if target is None or target == owner:
                continue
            # A module may include its own submodules (planner includes planner/plan is listed explicitly).
            if target not in ALLOWED[owner]:
                problems.append(f"{relative}:{number}: {owner} may not include {match.group(1)}")
    for problem in problems:
        print(problem)
    print(f"layering: {len(problems)} violation(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
