#!/usr/bin/env bash
# Runs every test of the project on a fresh Debian/Ubuntu machine with Swift 6.3.
#
# Installs what the tests need and is missing (Debian's `prometheus`; the tests start it on a
# loopback port themselves), checks for kubectl (the judge of the API server simulator), then
# builds and runs the whole suite. Extra arguments go to `swift test` (e.g. --filter KubeSimTests).
set -euo pipefail
cd "$(dirname "$0")/.."

need_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
        echo "hack/test.sh: need root to run: $*" >&2; return 1; fi
}

if ! command -v prometheus >/dev/null 2>&1 && [ ! -x /usr/bin/prometheus ]; then
    if command -v apt-get >/dev/null 2>&1; then
        echo "==> installing Debian's prometheus (the analysis tests run a real one on loopback)"
        need_root apt-get update -qq
        DEBIAN_FRONTEND=noninteractive need_root apt-get install -y -qq --no-install-recommends prometheus >/dev/null
    else
        echo "hack/test.sh: prometheus is missing; install Prometheus 2.x so that 'prometheus' is on PATH" >&2
        exit 1
    fi
fi
if ! command -v kubectl >/dev/null 2>&1; then
    echo "hack/test.sh: kubectl is missing; install kubectl (v1.30 or newer): the simulator tests drive it" >&2
    exit 1
fi

echo "==> swift $(swift --version 2>&1 | head -1)"
echo "==> $(kubectl version --client 2>/dev/null | head -1); $(prometheus --version 2>&1 | head -1)"
echo "==> building (a first build compiles SwiftNIO, BoringSSL and async-http-client: several minutes)"
swift build --build-tests
echo "==> testing"
swift test --skip-build "$@"
