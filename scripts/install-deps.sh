#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs, with apt-get, the Debian packages Freshet needs to build, run and test that are not installed yet.
# Idempotent: when everything is present it does nothing and takes well under a second.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git clang-format
  antlr4 libantlr4-runtime-dev default-jre-headless
  librdkafka-dev librocksdb-dev libfmt-dev libgtest-dev libpqxx-dev libpq-dev libssl-dev libsimdjson-dev
  libre2-dev tzdata
  postgresql postgresql-client kcat procps
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
