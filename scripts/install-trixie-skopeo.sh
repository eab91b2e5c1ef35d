#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Installs Debian trixie's skopeo (1.18, containers-image 5.34) into a private directory of the repository,
# .cache/trixie-skopeo/, for the trust interop tests: it verifies cosign signatures with a `sigstoreSigned`
# policy and signs with --sign-by-sigstore-private-key, which bookworm's skopeo (1.9) has patched out.
#
#   bash scripts/install-trixie-skopeo.sh        prints the wrapper's path (.cache/trixie-skopeo/skopeo)
#
# Nothing of the system changes: trixie's package lists live in a private apt directory (its own sources
# list, lists, cache and preferences given with -o options; the system's sources are never read or written),
# the packages are fetched with `apt-get download` (no dpkg, no root needed beyond what apt-get update
# wants for its lists) and unpacked with `dpkg-deb -x`. The wrapper runs the binary through trixie's own
# dynamic loader with --library-path, so the host's older glibc is never mixed in.
#
# The libraries are found, not listed: starting from skopeo, every `Depends` on a library package (lib*) is
# followed, then the loader's --list is checked for anything still "not found". Idempotent: when the wrapper
# answers `skopeo version 1.18.x`, nothing is done.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

DIR=$PWD/.cache/trixie-skopeo
WRAPPER=$DIR/skopeo
MIRROR=${TRIXIE_MIRROR:-http://deb.debian.org/debian}
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

if [ -x "$WRAPPER" ] && "$WRAPPER" --version 2>/dev/null | grep -q '^skopeo version 1\.18\.'; then
    echo "$WRAPPER"
    exit 0
fi
for tool in apt-get apt-cache dpkg-deb; do
    command -v "$tool" >/dev/null || { echo "error: $tool is required (a Debian system)" >&2; exit 1; }
done
[ -r "$KEYRING" ] || { echo "error: $KEYRING is missing: install debian-archive-keyring" >&2; exit 1; }

APT=$DIR/apt
rm -rf "$DIR/root" "$DIR/debs"
mkdir -p "$APT/lists/partial" "$APT/cache/archives/partial" "$APT/sources.list.d" "$APT/preferences.d" \
    "$DIR/debs" "$DIR/root"
echo "deb [signed-by=$KEYRING] $MIRROR trixie main" >"$APT/sources.list"
: >"$APT/preferences"
options=(
    -o "Dir::Etc::SourceList=$APT/sources.list" -o "Dir::Etc::SourceParts=$APT/sources.list.d"
    -o "Dir::State::Lists=$APT/lists" -o "Dir::Cache=$APT/cache"
    -o "Dir::Etc::Preferences=$APT/preferences" -o "Dir::Etc::PreferencesParts=$APT/preferences.d"
    -o "APT::Architecture=amd64" -o "APT::Architectures=amd64"
    # The downloads land in a directory the _apt user may not write; root fetches them itself.
    -o "APT::Sandbox::User=root"
)
[ "$(dpkg --print-architecture)" = amd64 ] || { echo "error: only amd64 is supported" >&2; exit 1; }

log=$(mktemp)
trap 'rm -f "$log"' EXIT
run() {
    "$@" >>"$log" 2>&1 || { cat "$log" >&2; echo "error: $* failed" >&2; exit 1; }
}
echo "install-trixie-skopeo: reading trixie's package lists from $MIRROR" >&2
run apt-get "${options[@]}" -qq update

# skopeo and, transitively, every library package it depends on.
wanted=(skopeo)
queue=(skopeo)
while [ "${#queue[@]}" -gt 0 ]; do
    package=${queue[0]}
    queue=("${queue[@]:1}")
    for dependency in $(apt-cache "${options[@]}" depends --no-recommends --no-suggests --no-conflicts \
        --no-breaks --no-replaces --no-enhances "$package" | sed -n 's/^ *|\{0,1\}\(Pre\)\{0,1\}Depends: \(lib[^ <>]*\)$/\2/p'); do
        case " ${wanted[*]} " in *" $dependency "*) continue ;; esac
        wanted+=("$dependency")
        queue+=("$dependency")
    done
done
echo "install-trixie-skopeo: downloading ${wanted[*]}" >&2
(cd "$DIR/debs" && run apt-get "${options[@]}" -qq download "${wanted[@]}")
for deb in "$DIR"/debs/*.deb; do run dpkg-deb -x "$deb" "$DIR/root"; done

LIBS=$DIR/root/usr/lib/x86_64-linux-gnu
LOADER=$LIBS/ld-linux-x86-64.so.2
[ -x "$LOADER" ] || { echo "error: trixie's loader is missing from $LIBS" >&2; exit 1; }
if missing=$("$LOADER" --library-path "$LIBS" --list "$DIR/root/usr/bin/skopeo" | grep 'not found'); then
    echo "error: libraries skopeo needs are not in trixie's packages fetched:" >&2
    echo "$missing" >&2
    exit 1
fi

cat >"$WRAPPER" <<EOF
#!/bin/sh
# Debian trixie's skopeo through trixie's own loader and libraries (scripts/install-trixie-skopeo.sh).
exec "$LOADER" --library-path "$LIBS" "$DIR/root/usr/bin/skopeo" "\$@"
EOF
chmod +x "$WRAPPER"
rm -rf "$DIR/debs" "$APT"
version=$("$WRAPPER" --version)
case "$version" in
'skopeo version 1.18.'*) ;;
*) echo "error: expected skopeo 1.18.x from trixie, got: $version" >&2; exit 1 ;;
esac
echo "install-trixie-skopeo: $version at $WRAPPER" >&2
echo "$WRAPPER"
