#!/usr/bin/env bash
# Installs what building and testing dq needs (Debian packages, pytest),
# skipping what is already there. Safe to run repeatedly.
set -euo pipefail
packages=(cmake ninja-build g++ pkg-config libyaml-cpp-dev libre2-dev libsimdjson-dev nlohmann-json3-dev
          libboost-dev catch2 libcli11-dev libsqlite3-dev libcsv-dev python3 python3-pip)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "installing: ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# pytest and jsonschema for the CLI tests: pip where allowed, else Debian's package.
if ! python3 -c "import pytest, jsonschema" 2>/dev/null; then
  python3 -m pip install -q pytest jsonschema 2>/dev/null || {
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-pytest python3-jsonschema >/dev/null
  }
fi
