#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Installs the Debian/Ubuntu packages the build and the interop tests need, and only those
# that are missing: skopeo, umoci, docker-registry, zstd, curl and openssl (the serve TLS tests)
# and the -dev packages of the C libraries ocitool links (libarchive, OpenSSL, libcurl,
# libcrypt), plus python3 if there is none.
# Idempotent and quiet: when everything is present it does nothing (no apt-get update).
# Needs root (or sudo) only when something is missing. With --build-only, only what the build
# needs (the -dev packages).
set -euo pipefail

packages=(libarchive-dev libssl-dev libcurl4-openssl-dev libcrypt-dev)
if [ "${1:-}" != "--build-only" ]; then
    packages+=(skopeo umoci docker-registry zstd curl openssl)
fi

installed() {
    [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = "installed" ]
}

missing=()
for package in "${packages[@]}"; do
    installed "$package" || missing+=("$package")
done
command -v python3 >/dev/null 2>&1 || missing+=(python3)

if [ "${#missing[@]}" -eq 0 ]; then
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "error: missing ${missing[*]} and apt-get is not available; install them by hand" >&2
    exit 1
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        sudo=(sudo -n)
    else
        echo "error: missing ${missing[*]}; run this script as root to install them" >&2
        exit 1
    fi
fi

echo "install-test-deps: installing ${missing[*]}"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
apt() {
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "$@" >>"$log" 2>&1 || {
        cat "$log" >&2
        echo "error: apt-get $1 failed" >&2
        exit 1
    }
}
apt update -qq
apt install -y -qq --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}"
