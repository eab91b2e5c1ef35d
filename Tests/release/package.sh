#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Checks the release artifacts of scripts/release.sh on a clean Debian bookworm root (debootstrap
# --variant=minbase: no Swift, no -dev packages), the way an air-gapped site receives them:
#   the .deb installs with dpkg -i once its Depends: are installed from the apt mirror, and nothing else;
#   inside the root (chroot, /proc mounted) `ocitool --version`, `ocitool import` of a docker-archive,
#   `ocitool serve --demo` answering /v2/ on a loopback port, and `man ocitool-copy` work;
#   the bash completion loads (`complete -p ocitool`) and completes subcommand names;
#   the tarball holds the same binary, the man pages and the completions, and SHA256SUMS matches.
#
#   bash Tests/release/package.sh [DIST]      (default: dist/ of the repository; run as root)
#
# The minbase root (with man-db) is cached in .cache/debootstrap-bookworm-DATE by scripts/debootstrap-root.sh and
# copied for each run, so a run on one machine pays for debootstrap once a day; a fresh CI machine builds it. The
# mirror is the one apt uses here (/etc/apt/sources.list*), or OCITOOL_DEBIAN_MIRROR.
# Prints `ok - ...` / `not ok - ...` per check, then `N passed, M failed`; exits 1 if any failed.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DIST=$(cd "${1:-$ROOT/dist}" && pwd)
SUITE=bookworm

[ "$(id -u)" -eq 0 ] || { echo "error: $0 needs root (debootstrap, chroot, mount)" >&2; exit 2; }
for tool in debootstrap chroot mount curl python3 skopeo dpkg-deb sha256sum; do
    command -v "$tool" >/dev/null || { echo "error: $tool is required (bash scripts/install-test-deps.sh)" >&2; exit 2; }
done
DEB=$(find "$DIST" -maxdepth 1 -name 'ocitool_*.deb' | head -n 1)
TARBALL=$(find "$DIST" -maxdepth 1 -name 'ocitool-*-linux-*.tar.gz' | head -n 1)
[ -n "$DEB" ] && [ -n "$TARBALL" ] || { echo "error: no .deb or tarball in $DIST (bash scripts/release.sh)" >&2; exit 2; }
VERSION=$(basename "$TARBALL" .tar.gz)
VERSION=${VERSION#ocitool-}
VERSION=${VERSION%-linux-*}

T=$(mktemp -d "${TMPDIR:-/tmp}/ocitool-release-test.XXXXXX")
R=$T/root
SERVER=
SERVER_COMMAND=
# Stops the demo server. $SERVER is the background shell, and the server runs under chroot and env beneath it,
# so the server itself is found by its command line (which names its own port).
stop_server() {
    [ -z "$SERVER" ] || { kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; }
    [ -z "$SERVER_COMMAND" ] || pkill -f -x -- "$SERVER_COMMAND" 2>/dev/null || true
    SERVER=
    SERVER_COMMAND=
}
cleanup() {
    stop_server
    if [ -d "$R/proc" ] && mountpoint -q "$R/proc"; then umount "$R/proc" || umount -l "$R/proc"; fi
    if [ -d "$R/dev" ] && mountpoint -q "$R/dev"; then umount "$R/dev" || umount -l "$R/dev"; fi
    # Only once nothing is mounted inside: rm -rf must never reach the host's /proc or /dev.
    if ! grep -q " $R/" /proc/mounts; then rm -rf --one-file-system "$T"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

passed=0
failed=0
ok() { echo "ok - $1"; passed=$((passed + 1)); }
not_ok() {
    echo "not ok - $1"
    failed=$((failed + 1))
    if [ -s "$T/log" ]; then sed -e 's/^/#   /' "$T/log" | tail -n 30; fi
}
# check DESCRIPTION COMMAND...: runs COMMAND with its output in $T/log; ok when it exits 0. (Output shown with
# `tee /dev/stderr` is matched by grep without -q: grep -q stops reading at the first match, and tee's SIGPIPE
# would then fail the pipeline.)
check() {
    local description=$1
    shift
    if "$@" >"$T/log" 2>&1; then ok "$description"; else not_ok "$description"; fi
}
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
in_root() { chroot "$R" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"; }

# --- the artifacts themselves ------------------------------------------------------------------------
sums() { (cd "$DIST" && sha256sum --strict -c SHA256SUMS); }
check "SHA256SUMS matches the tarball and the .deb" sums
mkdir -p "$T/tar" "$T/deb"
tar -xzf "$TARBALL" -C "$T/tar"
TARDIR=$(find "$T/tar" -mindepth 1 -maxdepth 1 -type d)
dpkg-deb -x "$DEB" "$T/deb"
tarball_contents() {
    local file
    cmp "$TARDIR/bin/ocitool" "$T/deb/usr/bin/ocitool" || return 1
    for file in share/man/man1/ocitool.1 share/man/man1/ocitool-copy.1 share/completions/ocitool.bash \
        share/completions/_ocitool share/completions/ocitool.fish README.md LICENSE; do
        [ -s "$TARDIR/$file" ] || { echo "missing: $file"; return 1; }
    done
    [ "$(ls "$TARDIR/share/man/man1" | wc -l)" -eq "$(ls "$T/deb/usr/share/man/man1" | wc -l)" ]
}
check "the tarball holds the .deb's binary, its man pages and completions, README and LICENSE" tarball_contents
deb_contents() {
    local file
    for file in usr/share/man/man1/ocitool.1.gz usr/share/man/man1/ocitool-copy.1.gz \
        usr/share/bash-completion/completions/ocitool usr/share/zsh/vendor-completions/_ocitool \
        usr/share/fish/vendor_completions.d/ocitool.fish usr/share/doc/ocitool/copyright; do
        [ -s "$T/deb/$file" ] || { echo "missing: $file"; return 1; }
    done
}
check "the .deb puts man pages, completions and its copyright where Debian looks for them" deb_contents

# --- the clean root ----------------------------------------------------------------------------------
# The minbase root of the day (scripts/debootstrap-root.sh makes it once, from the mirror apt uses here).
if CACHE=$(bash "$ROOT/scripts/debootstrap-root.sh" "$SUITE" 2>"$T/log"); then
    [ ! -s "$T/log" ] || ok "$(tail -n 1 "$T/log")"
else
    not_ok "debootstrap --variant=minbase $SUITE"
    echo "$passed passed, $failed failed"
    exit 1
fi
t=$(now)
cp -a "$CACHE" "$R"
echo "# copied the cached root $CACHE in $(elapsed "$t") s"
cp /etc/resolv.conf "$R/etc/resolv.conf"
mount -t proc proc "$R/proc"
mount --bind /dev "$R/dev"
clean_root() {
    ! find "$R" -xdev \( -name 'libswift*' -o -name 'libFoundation*' -o -name 'lib_FoundationICU*' \) | grep . &&
        ! in_root dpkg-query -W -f '${Package}\n' | grep -- '-dev$'
}
check "the root has no Swift runtime, no Foundation and no -dev package" clean_root

# --- install: Depends from the mirror, then dpkg -i --------------------------------------------------
cp "$DEB" "$R/tmp/"
# "libc6 (>= 2.34), libarchive13 (>= 3.6.0), a | b" -> the first name of each alternative.
depends=$(dpkg-deb -f "$DEB" Depends | tr ',' '\n' | sed -e 's/|.*//' -e 's/(.*)//' -e 's/ //g' | grep .)
install_depends() {
    in_root apt-get update -qq &&
        in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $depends
}
t=$(now)
mirror=$(awk '$1 == "deb" { print $2; exit }' "$R/etc/apt/sources.list" 2>/dev/null || true)
check "apt-get install of the .deb's Depends from ${mirror:-the mirror}: $(echo $depends)" install_depends
echo "# apt-get update and install in $(elapsed "$t") s"
check "dpkg -i $(basename "$DEB")" in_root dpkg -i "/tmp/$(basename "$DEB")"
audit() { local out; out=$(in_root dpkg --audit); echo "$out"; [ -z "$out" ]; }
check "dpkg --audit finds nothing unmet or half-installed" audit

# --- run it ------------------------------------------------------------------------------------------
version() { local out; out=$(in_root ocitool --version); echo "$out"; [ "$out" = "$VERSION" ]; }
check "ocitool --version prints $VERSION" version
python3 "$ROOT/scripts/make_docker_archive.py" --image release/app:1 --layers 2 --seed 3 -o "$R/tmp/app.tar" >/dev/null
import_archive() {
    in_root ocitool import /tmp/app.tar /tmp/layout:app && in_root ocitool fsck /tmp/layout &&
        in_root ocitool ls /tmp/layout | tee /dev/stderr | grep -w app >/dev/null
}
check "ocitool import of a docker-archive, then fsck and ls" import_archive
check "skopeo reads the layout ocitool imported" skopeo inspect --raw "oci:$R/tmp/layout:app"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
SERVER_COMMAND="ocitool serve --demo --host 127.0.0.1 --port $port"
in_root ocitool serve --demo --host 127.0.0.1 --port "$port" >"$T/serve.log" 2>&1 &
SERVER=$!
# Probed from outside the root (it shares the network): /v2/, then the demo image's manifest.
serve_demo() {
    local _
    for _ in $(seq 1 200); do
        [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v2/")" = 200 ] && break
        kill -0 "$SERVER" 2>/dev/null || { cat "$T/serve.log"; return 1; }
        sleep 0.1
    done
    curl -sSf -o /dev/null "http://127.0.0.1:$port/v2/" &&
        curl -sSf -o /dev/null -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
            "http://127.0.0.1:$port/v2/demo/hello/manifests/latest"
}
check "ocitool serve --demo answers /v2/ and serves demo/hello:latest on 127.0.0.1:$port" serve_demo
stop_server

man_page() { in_root env MANWIDTH=80 man -P cat ocitool-copy | tee /dev/stderr | grep 'ocitool copy' >/dev/null; }
check "man ocitool-copy renders the copy command's page" man_page
completion_loads() {
    in_root bash -c 'source /usr/share/bash-completion/completions/ocitool && complete -p ocitool' | tee /dev/stderr |
        grep -- '-F _ocitool ocitool$' >/dev/null
}
check "bash loads the completion: complete -p ocitool" completion_loads
# complete_words WORD...: what the completion offers for the command line WORD... (the last word being typed),
# calling the function as bash does, with COMP_WORDS, COMP_CWORD, COMP_LINE and COMP_POINT set.
complete_words() {
    in_root bash -c '
        source /usr/share/bash-completion/completions/ocitool
        COMP_WORDS=("$@"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
        COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}
        _ocitool ocitool "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
        printf "%s\n" "${COMPREPLY[@]}"' completion "$@"
}
completes_co() { complete_words ocitool co | tee /dev/stderr | grep -x copy >/dev/null; }
check "bash completes 'ocitool co' to copy" completes_co
completes_all() {
    local offered name
    offered=$(complete_words ocitool '')
    echo "$offered" >&2
    for name in init import export copy serve sync gc fsck; do grep -qx "$name" <<<"$offered" || return 1; done
}
check "bash completes 'ocitool ' to the subcommands (init, import, export, copy, serve, sync, gc, fsck)" completes_all

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
