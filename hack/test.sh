#!/usr/bin/env bash
# Runs every test. Installs what the tests need on Debian/Ubuntu first (kubectl must already be
# on PATH; the tests drive it against the local API server simulator).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests
swift test --skip-build --parallel
