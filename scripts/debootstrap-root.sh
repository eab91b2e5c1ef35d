#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Prints the path of a cached `debootstrap --variant=minbase --include=man-db SUITE` root, making it first
# when today's is absent (that needs root and the network to the Debian mirror). One root a day, shared by
# Tests/release/package.sh (which copies it) and bench/scan.sh (which tars it into an image layer).
#
#   ROOTFS=$(bash scripts/debootstrap-root.sh [SUITE])      (default SUITE: bookworm)
#
# The roots live in OCITOOL_DEBOOTSTRAP_CACHE (default: .cache/ of the repository) as
# debootstrap-SUITE-YYYY-MM-DD; making today's removes older ones. The mirror is the one apt uses here
# (/etc/apt/sources.list*), or OCITOOL_DEBIAN_MIRROR. When it made the root, one line on stderr says so and how
# long it took; on failure, the end of debootstrap's log goes to stderr and the exit status is 1.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SUITE=${1:-bookworm}
DIR=${OCITOOL_DEBOOTSTRAP_CACHE:-$ROOT/.cache}
CACHE=$DIR/debootstrap-$SUITE-$(date -u +%F)

if [ -x "$CACHE/usr/bin/man" ]; then
    echo "$CACHE"
    exit 0
fi
[ "$(id -u)" -eq 0 ] || { echo "error: no cached $SUITE root in $DIR, and debootstrap needs root" >&2; exit 2; }
command -v debootstrap >/dev/null || { echo "error: debootstrap is required (apt-get install debootstrap)" >&2; exit 2; }

# The first deb URI apt uses here (deb822 .sources or one-line sources.list).
mirror=${OCITOOL_DEBIAN_MIRROR:-$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
    awk '$1 == "URIs:" && $2 !~ /security/ { print $2; exit }')}
[ -n "$mirror" ] || mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
    awk '$1 == "deb" && $2 !~ /^\[/ && $2 !~ /security/ { print $2; exit }')
mirror=${mirror:-http://deb.debian.org/debian}

rm -rf --one-file-system "$DIR"/debootstrap-"$SUITE"-*
mkdir -p "$DIR"
start=$(date +%s.%N)
if ! debootstrap --variant=minbase --include=man-db "$SUITE" "$CACHE.part" "$mirror" >"$CACHE.log" 2>&1; then
    tail -n 30 "$CACHE.log" >&2
    echo "error: debootstrap --variant=minbase $SUITE from $mirror failed (log: $CACHE.log)" >&2
    exit 1
fi
mv "$CACHE.part" "$CACHE"
rm -f "$CACHE.log"
echo "debootstrap --variant=minbase $SUITE from $mirror ($(awk -v a="$start" -v b="$(date +%s.%N)" \
    'BEGIN { printf "%.1f", b - a }') s)" >&2
echo "$CACHE"
