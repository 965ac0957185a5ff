#!/usr/bin/env bash
# Runs every test of the project on a fresh Debian/Ubuntu machine with Swift 6.3.
#
# Installs what the tests need and is missing (Debian's `prometheus`: the tests start it on a
# loopback port themselves; SciPy from PyPI: the statistics' reference; Debian's `lua5.4`: the Argo
# CD health check's interpreter; Debian's `chromium` and `chromium-driver` with PyPI's selenium: the
# dashboard's browser tests), checks for kubectl (the
# judge of the API server simulator), then builds and runs the whole suite. Extra arguments go to
# `swift test` (e.g. --filter KubeSimTests).
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
        need_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null
    else
        echo "hack/test.sh: prometheus is missing; install Prometheus 2.x so that 'prometheus' is on PATH" >&2
        exit 1
    fi
fi
if ! command -v curl >/dev/null 2>&1; then
    # The simulator tests speak HTTP/1.1 and HTTP/2 to KubeSim through curl.
    echo "==> installing Debian's curl"
    need_root apt-get update -qq
    need_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends curl >/dev/null
fi
if ! python3 -c 'import scipy.stats' >/dev/null 2>&1; then
    # The Mann-Whitney judge's p-values are checked against SciPy's mannwhitneyu.
    echo "==> installing SciPy from PyPI (the statistics tests compare against it)"
    if ! command -v python3 >/dev/null 2>&1 || ! python3 -m pip --version >/dev/null 2>&1; then
        need_root apt-get update -qq
        need_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3 python3-pip >/dev/null
    fi
    python3 -m pip install --quiet scipy==1.17.1 || python3 -m pip install --quiet --break-system-packages scipy==1.17.1
fi
if ! command -v lua5.4 >/dev/null 2>&1; then
    # The Argo CD health check (manifests/argocd/health.lua) is run by a real Lua interpreter.
    echo "==> installing Debian's lua5.4"
    need_root apt-get update -qq
    need_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends lua5.4 >/dev/null
fi
if ! { [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; }; then
    # The dashboard's tests run in a real headless browser.
    echo "==> installing Debian's chromium and chromium-driver"
    need_root apt-get update -qq
    need_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null
fi
if ! python3 -c 'import selenium' >/dev/null 2>&1; then
    echo "==> installing selenium from PyPI (drives chromium in the dashboard's tests)"
    python3 -m pip install --quiet selenium==4.51.0 || python3 -m pip install --quiet --break-system-packages selenium==4.51.0
fi
if ! command -v kubectl >/dev/null 2>&1; then
    echo "hack/test.sh: kubectl is missing; install kubectl (v1.30 or newer): the simulator tests drive it" >&2
    exit 1
fi

echo "==> swift $(swift --version 2>&1 | head -1)"
echo "==> $(kubectl version --client 2>/dev/null | head -1); $(prometheus --version 2>&1 | head -1)"
echo "==> building (a first build compiles SwiftNIO, BoringSSL and async-http-client: several minutes)"
swift build --build-tests
# One `swift test` per test target, one after another: every target runs its own API servers,
# Prometheus and kubectl processes, and on a 2-core machine running all of them in one process at
# once starves the in-process servers (Swift's cooperative pool has one thread per core).
# Arguments (e.g. --filter X) run a single `swift test` with them instead.
if [ "$#" -gt 0 ]; then
    exec swift test --skip-build "$@"
fi
targets=(KubeModelsTests CutoverTests KubeAPITests KubeSimTests KubeRuntimeTests PrometheusTests CutoverControllerTests KubectlCutoverTests EndToEndTests)
passed=0 failed=0 failing=()
for target in "${targets[@]}"; do
    echo "==> testing $target"
    log=$(mktemp)
    if swift test --skip-build --filter "^$target\\." 2>&1 | tee "$log"; then status=0; else status=1; fi
    count=$(grep -E "Test run with [0-9]+ tests? " "$log" | tail -1 | sed -nE 's/.*Test run with ([0-9]+) tests?.*/\1/p' || true)
    broken=$(grep -E "^✘ Test " "$log" | grep -v "^✘ Test run with" | sed -E 's/^✘ Test ([^ ]*).*/\1/' | sort -u | wc -l || true)
    rm -f "$log"
    if [ -z "$count" ]; then
        echo "hack/test.sh: $target ran no tests" >&2; failed=$((failed + 1)); failing+=("$target"); continue
    fi
    if [ "$status" -ne 0 ]; then
        failing+=("$target")
        [ "$broken" -gt 0 ] || broken=1
    fi
    failed=$((failed + broken)); passed=$((passed + count - broken))
done
echo
[ "${#failing[@]}" -eq 0 ] || echo "failing targets: ${failing[*]}"
echo "$passed passed, $failed failed"
[ "${#failing[@]}" -eq 0 ]
