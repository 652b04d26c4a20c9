#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Formats every C++ file of the project with clang-format; with --check, only reports unformatted files.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(find common parser catalog function planner storage connectors executor pgwire engine \
  server sql_tests tools bench \( -name '*.h' -o -name '*.cc' \) 2>/dev/null | sort)
if [ "${1:-}" = "--check" ]; then
  clang-format --dry-run --Werror "${files[@]}"
  echo "format: ${#files[@]} files checked"
else
  clang-format -i "${files[@]}"
fi
