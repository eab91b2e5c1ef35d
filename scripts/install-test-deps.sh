#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Installs the Debian/Ubuntu packages the build and the interop tests need, and only those
# that are missing: skopeo, umoci, docker-registry, zstd, curl and openssl (the serve TLS tests)
# and the -dev packages of the C libraries ocitool links (libarchive, OpenSSL, libcurl,
# libcrypt, zlib, libzstd, libsodium), plus python3 (and its venv module) if there is none. Then the Python
# packages the interop tests drive, in a virtual environment at .venv-test/ in the repository: oras-py
# $ORAS_VERSION (the oras test), cryptography $CRYPTOGRAPHY_VERSION and PyNaCl $PYNACL_VERSION (the key and
# signature tests), univers $UNIVERS_VERSION and cvss $CVSS_VERSION (the Scan oracles for version orders and
# CVSS scores; python3-rpm, the rpm oracle, comes from apt); each installed, or moved to that version, only
# when it is missing.
# Idempotent and quiet: when everything is present it does nothing (no apt-get update, no pip).
# Needs root (or sudo) only when an apt package is missing. With --build-only, only what the build
# needs (the -dev packages).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

ORAS_VERSION=0.2.43
CRYPTOGRAPHY_VERSION=46.0.3
PYNACL_VERSION=1.6.2
UNIVERS_VERSION=32.0.1
CVSS_VERSION=3.6
VENV=.venv-test

# oras-py, cryptography, PyNaCl, univers and cvss in $VENV, unless it already holds those versions.
install_python_packages() {
    if "$VENV/bin/python" -c "import importlib.metadata as m, oras.client, cryptography, nacl.secret, univers, cvss; \
assert m.version('oras') == '$ORAS_VERSION'; \
assert m.version('cryptography') == '$CRYPTOGRAPHY_VERSION'; \
assert m.version('pynacl') == '$PYNACL_VERSION'; \
assert m.version('univers') == '$UNIVERS_VERSION'; \
assert m.version('cvss') == '$CVSS_VERSION'" >/dev/null 2>&1; then
        return 0
    fi
    echo "install-test-deps: installing oras==$ORAS_VERSION cryptography==$CRYPTOGRAPHY_VERSION" \
        "pynacl==$PYNACL_VERSION univers==$UNIVERS_VERSION cvss==$CVSS_VERSION into $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "oras==$ORAS_VERSION" \
        "cryptography==$CRYPTOGRAPHY_VERSION" "pynacl==$PYNACL_VERSION" \
        "univers==$UNIVERS_VERSION" "cvss==$CVSS_VERSION"
}

packages=(libarchive-dev libssl-dev libcurl4-openssl-dev libcrypt-dev zlib1g-dev libzstd-dev libsodium-dev)
if [ "${1:-}" != "--build-only" ]; then
    packages+=(skopeo umoci docker-registry zstd curl openssl)
    packages+=(python3-rpm) # Scan oracle: rpm.labelCompare (run with /usr/bin/python3)
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
    [ "${1:-}" = "--build-only" ] || install_python_packages
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
[ "${1:-}" = "--build-only" ] || install_python_packages
