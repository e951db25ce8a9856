#!/usr/bin/env bash
# Installs every Debian package ingestd needs to build, test and run its demo.
# Idempotent: when everything is present it only runs dpkg-query and exits.
# Works as root or through sudo. Set INGESTD_SKIP_INSTALL=1 to skip entirely.
set -euo pipefail

[[ "${INGESTD_SKIP_INSTALL:-0}" == "1" ]] && exit 0

packages=(
  # toolchain
  build-essential cmake pkg-config git ccache
  # libraries
  librdkafka-dev libsimdjson-dev libboost-dev libboost-system-dev libboost-program-options-dev
  prometheus-cpp-dev libgtest-dev libgmock-dev libbenchmark-dev
  libcld2-dev libhyperscan-dev libyaml-cpp-dev libspdlog-dev libfmt-dev
  libutf8proc-dev libxxhash-dev libgumbo-dev libopencc-dev libidn2-dev rapidjson-dev libssl-dev zlib1g-dev libzstd-dev
  # data
  iso-codes
  # tools used by tests and the demo
  kcat prometheus python3 python3-jsonschema curl
  # fuzzing (clang + sanitizer runtimes)
  clang libclang-rt-14-dev
  # chart rendering and validation (issue 9)
  golang-go golang-github-masterminds-sprig-dev
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# Node.js and npm (for the chart's manifest validation) come with the machine image on
# some hosts and from Debian on others; Debian's npm conflicts with the image's nodejs.
if ! command -v npm >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi

if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
sudo=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done" >&2
