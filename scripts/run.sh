#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Starts the freshet server in the foreground for `make run`. Arguments pass through to the binary.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "freshet: starting; Ctrl-C stops the server"
exec build/bin/freshet --listen 127.0.0.1 "$@"
