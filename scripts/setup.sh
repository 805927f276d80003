#!/usr/bin/env bash
# Installs what building and testing dq needs (Debian packages, then the
# Python test tools), skipping what is already there. Safe to run repeatedly.
set -euo pipefail
cd "$(dirname "$0")/.."
packages=(cmake ninja-build g++ pkg-config libyaml-cpp-dev libre2-dev libidn2-dev libabsl-dev tzdata libsimdjson-dev nlohmann-json3-dev
          libboost-dev catch2 libcli11-dev libsqlite3-dev libcsv-dev libssl-dev python3 python3-pip python3-venv
          libprotobuf-dev libprotoc-dev protobuf-compiler chromium chromium-driver git default-jre-headless clang-format clang-tidy)  # protobuf: .proto schemas; chromium: renders the dq docs HTML page in a test, and with chromium-driver drives dq serve's pages; git: dq serve's contract versions; default-jre-headless: Spark's local mode for dq.spark; clang-format, clang-tidy: the checks of the C++
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# A virtual environment for the Python package and its tests (build/venv),
# reusing whatever the system Python already has.
[ -x build/venv/bin/python3 ] || python3 -m venv --system-site-packages build/venv
build/venv/bin/python3 -m pip install -q --disable-pip-version-check \
  pytest jsonschema pyyaml pyarrow pandas polars nbclient nbformat ipykernel matplotlib scikit-build-core pybind11 \
  google-cloud-pubsub apache-beam scipy mypy pydantic fastavro \
  fastapi uvicorn python-multipart jinja2 selenium requests pyspark
# Google's in-memory Pub/Sub server for the stream-gate tests (Go modules).
GO=$(command -v go || echo /usr/local/go/bin/go)
if [ -x "$GO" ]; then
  (cd tests/pubsub_server && GOTOOLCHAIN=local GOFLAGS=-mod=readonly "$GO" build -o ../../build/pubsub_server/pubsub_server .)
  # Beam's Prism runner, of the installed Beam's version: the portable-runner tests run dq.beam
  # with each bundle in a separate SDK worker process.
  beam_version=$(build/venv/bin/python3 -c "import apache_beam; print(apache_beam.__version__)" 2>/dev/null)
  if [ ! -x build/prism/prism ] || [ "$(cat build/prism/version 2>/dev/null)" != "$beam_version" ]; then
    GOTOOLCHAIN=local GOBIN="$PWD/build/prism" "$GO" install "github.com/apache/beam/sdks/v2/go/cmd/prism@v$beam_version"
    echo "$beam_version" > build/prism/version
  fi
else
  echo "warning: Go not found; the Pub/Sub tests need it to build tests/pubsub_server, the Beam tests Prism" >&2
fi
