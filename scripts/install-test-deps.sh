#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Installs the Debian/Ubuntu packages the build and the interop tests need, and only those
# that are missing: skopeo, umoci, docker-registry, zstd, curl and openssl (the serve TLS tests), debootstrap
# (the release package test), the -dev packages of the C libraries ocitool links (libarchive, OpenSSL, libcurl,
# libcrypt, zlib, libzstd, libsodium, libsqlite3) and what scripts/release.sh packs with (binutils, dpkg-dev), plus
# python3 (and its venv module) if there is none. Then the Python packages the tests drive (pinned in
# Tests/interop/requirements.txt, each line saying which tests use it), in a virtual environment at .venv-test/
# in the repository, made again only when that file changed. python3-rpm, the rpm version-order oracle, and
# golang-go (the Go cataloger's tests build a Go binary) come from apt.
# Then Debian trixie's skopeo (1.18: cosign signatures), unpacked into .cache/trixie-skopeo/ by
# scripts/install-trixie-skopeo.sh without touching the system's apt sources.
# Idempotent and quiet: when everything is present it does nothing (no apt-get update, no pip).
# Needs root (or sudo) only when an apt package is missing. With --build-only, only what the build
# needs (the -dev packages, binutils and dpkg-dev).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

VENV=.venv-test
REQUIREMENTS=Tests/interop/requirements.txt

# The pinned packages of $REQUIREMENTS in $VENV, unless the venv was made from this very file (its hash is kept
# in $VENV/requirements.sha256).
install_python_packages() {
    local want
    want=$(sha256sum "$REQUIREMENTS" | cut -d' ' -f1)
    if [ -x "$VENV/bin/python" ] && [ "$(cat "$VENV/requirements.sha256" 2>/dev/null)" = "$want" ]; then
        return 0
    fi
    echo "install-test-deps: installing $REQUIREMENTS into $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQUIREMENTS"
    echo "$want" >"$VENV/requirements.sha256"
}

# What the tests need besides apt packages: the Python packages, and trixie's skopeo in .cache/.
install_test_extras() {
    install_python_packages
    bash scripts/install-trixie-skopeo.sh >/dev/null
}

packages=(libarchive-dev libssl-dev libcurl4-openssl-dev libcrypt-dev zlib1g-dev libzstd-dev libsodium-dev libsqlite3-dev)
packages+=(binutils dpkg-dev) # scripts/release.sh: strip, readelf, dpkg-shlibdeps, dpkg-deb
if [ "${1:-}" != "--build-only" ]; then
    packages+=(skopeo umoci docker-registry zstd curl openssl)
    packages+=(debootstrap) # Tests/release/package.sh: the clean Debian root the .deb is installed into
    packages+=(python3-rpm) # Scan oracle: rpm.labelCompare (run with /usr/bin/python3)
    packages+=(golang-go)   # Scan: a real Go binary's build info, checked against `go version -m`
    packages+=(ceph-mon ceph-osd radosgw ceph-common) # ObjectStorage: a real S3 server (scripts/ceph.sh)
fi

installed() {
    [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = "installed" ]
}

missing=()
for package in "${packages[@]}"; do
    installed "$package" || missing+=("$package")
done
command -v python3 >/dev/null 2>&1 || missing+=(python3)
if [ "${1:-}" != "--build-only" ] && ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
    missing+=(python3-venv)
fi

if [ "${#missing[@]}" -eq 0 ]; then
    [ "${1:-}" = "--build-only" ] || install_test_extras
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
# Wait (up to 10 minutes) for another apt or dpkg process, such as unattended-upgrades, to release
# its lock instead of failing at once.
apt() {
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 "$@" >>"$log" 2>&1 || {
        cat "$log" >&2
        echo "error: apt-get $1 failed" >&2
        exit 1
    }
}
apt update -qq
apt install -y -qq --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}"
[ "${1:-}" = "--build-only" ] || install_test_extras
