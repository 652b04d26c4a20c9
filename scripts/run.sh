#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Starts the freshet server in the foreground for `make run`. Arguments pass through to the binary.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "freshet: connect with  psql -h 127.0.0.1 -p ${FRESHET_PORT:-5488} -U freshet -d dev  (Ctrl-C stops the server)"
exec build/bin/freshet --listen 127.0.0.1 "$@"
