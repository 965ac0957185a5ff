#!/usr/bin/env bash
# Stands in for `docker build` where no Docker engine runs: runs the Dockerfile's build RUN line
# verbatim (release, static Swift stdlib) into .build-image/, prints `ldd` of the binary, and fails
# if the binary links a shared library that no package installed by the runtime stage provides.
#
#   hack/image-check.sh            # build (incremental after the first run) and check
#   hack/image-check.sh --no-build # only check the binary already in .build-image/out
#
# Needs a Debian-family host (it maps libraries to packages with dpkg -S), like the image itself.
set -euo pipefail
cd "$(dirname "$0")/.."

scratch="$PWD/.build-image"
out="$scratch/out"
binary="$out/cutover-controller"

# The build stage's `RUN swift build ...` instruction with its continuation lines joined.
build_command=$(awk '
    /^RUN swift build/ { grab = 1; sub(/^RUN /, "") }
    grab { line = $0; cont = sub(/\\[[:space:]]*$/, "", line); printf "%s ", line; if (!cont) exit }
' Dockerfile)
# The packages the runtime stage installs (the apt-get install line after the last FROM).
runtime_packages=$(awk '
    /^FROM / { stage++ ; pkgs = "" }
    /apt-get install/ { for (i = 1; i <= NF; i++) if ($i !~ /^-/ && $i != "apt-get" && $i != "install" && $i != "&&" && $i != "\\") pkgs = pkgs " " $i }
    END { print pkgs }
' Dockerfile)
if [ -z "$build_command" ] || [ -z "$runtime_packages" ]; then
    echo "hack/image-check.sh: could not find the build RUN line or the runtime apt-get install line in Dockerfile" >&2
    exit 1
fi

if [ "${1:-}" != "--no-build" ]; then
    echo "==> $build_command"
    start=$(date +%s)
    (export SCRATCH="$scratch" OUT="$out"; eval "$build_command")
    echo "==> release build took $(($(date +%s) - start)) s"
fi
[ -x "$binary" ] || { echo "hack/image-check.sh: $binary is missing; run without --no-build" >&2; exit 1; }

echo "==> binary: $(du -h "$binary" | cut -f1) ($(stat -c %s "$binary") bytes), stripped"
echo "==> ldd $binary"
ldd "$binary" | sed 's/^/    /'
echo "==> runtime stage installs:$runtime_packages"

missing=0
while read -r soname path; do
    [ -n "$path" ] || continue
    package=$(dpkg -S "$(readlink -f "$path")" 2>/dev/null | head -1 | cut -d: -f1 || true)
    [ -n "$package" ] || package=$(dpkg -S "$path" 2>/dev/null | head -1 | cut -d: -f1 || true)
    if [ -z "$package" ]; then
        echo "    $soname: $path belongs to no Debian package (a Swift toolchain library?)" >&2
        missing=1
    elif [[ " $runtime_packages " == *" $package "* ]]; then
        echo "    $soname: $package (installed)"
    else
        echo "    $soname: $package is NOT installed by the runtime stage" >&2
        missing=1
    fi
done < <(ldd "$binary" | awk '$2 == "=>" && $3 ~ /^\// { print $1, $3 } $1 ~ /^\// { print $1, $1 }')

if [ "$missing" -ne 0 ]; then
    echo "hack/image-check.sh: the binary links libraries the runtime image would not have" >&2
    exit 1
fi
echo "==> ok: every linked library comes from a package the runtime stage installs"
