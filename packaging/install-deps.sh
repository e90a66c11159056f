#!/usr/bin/env bash
# Installs the Debian 12 packages weft needs to build and test. Idempotent: installs only what is
# missing, and does nothing (not even `apt-get update`) when everything is there. Runs apt as root
# directly, through sudo otherwise.
#
#   ./packaging/install-deps.sh            # build + tests (and the .deb files)
#   ./packaging/install-deps.sh --bench    # also cargo and Tokio's crates
#   ./packaging/install-deps.sh --package  # also lintian, for packaging/check-deb.sh
set -euo pipefail

packages=(
    build-essential cmake ninja-build pkg-config ccache clang-14 clang-format file
    libuv1-dev nlohmann-json3-dev libcli11-dev libspdlog-dev libfmt-dev catch2 libsystemd-dev
    libcurl4-openssl-dev libvalijson-dev libclang-rt-14-dev valgrind redis-server libhiredis-dev
    libncurses-dev tmux libseccomp-dev systemd
)
bench_packages=(cargo librust-tokio-dev librust-libc-dev)
package_packages=(lintian)

for arg in "$@"; do
    case "$arg" in
        --bench) packages+=("${bench_packages[@]}") ;;
        --package) packages+=("${package_packages[@]}") ;;
        -h | --help)
            sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'
            exit 0
            ;;
        *)
            echo "install-deps.sh: unknown option '$arg' (try --help)" >&2
            exit 2
            ;;
    esac
done

missing=()
for package in "${packages[@]}"; do
    # dpkg -s succeeds for removed-but-not-purged packages too; check the status line.
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$package")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "install-deps.sh: all ${#packages[@]} packages already installed"
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    as_root=()
elif command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
else
    echo "install-deps.sh: need root or sudo to install: ${missing[*]}" >&2
    exit 1
fi

echo "install-deps.sh: installing ${missing[*]}"
"${as_root[@]}" apt-get update
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "${missing[@]}"
