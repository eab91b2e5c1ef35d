#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Import throughput benchmark (not a test: it prints numbers and PASS/MISS against targets,
# and exits 0 either way unless something breaks).
#
#   bash bench/import.sh [PATH/TO/ocitool]      (or OCITOOL=...; default: swift build -c release)
#   BENCH_BIG_LAYER=64M bash bench/import.sh ...  (a smaller big layer, to try the script quickly)
#
# Input: a legacy `docker save` tarball with one 1 GiB layer and three 1 MiB layers, generated
# once by scripts/make_docker_archive.py (fixed seed) and cached in bench/.cache/.
# Measures, on that same file:
#   (a) ocitool import FILE into a fresh layout: wall time and peak RSS (/usr/bin/time -f %M);
#   (b) skopeo copy docker-archive:FILE oci:DIR:t (skopeo's default: it gzips every layer), and,
#       for a like-for-like figure, the same with --dest-oci-accept-uncompressed-layers (no gzip,
#       which is the work ocitool does: layers are stored as they are, digests preserved);
#   (c) openssl speed -seconds 3 -bytes 1048576 sha256: one core's SHA-256 rate, the ceiling for
#       a tool that must hash every byte once;
#   (d) dd of the archive with conv=fdatasync: the disk's rate for a durable copy, a ceiling for any tool
#       that fsyncs what it writes (ocitool does; the ratio is printed for information).
# The page cache cannot be dropped here (no root over the host's caches), so each command runs
# once to warm the cache and is then measured on $RUNS more runs (the fastest counts): warm-cache figures.
# MB/s means 10^6 bytes per second of archive read, as openssl reports.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=$ROOT/bench/.cache
BIG=${BENCH_BIG_LAYER:-1G}   # the big layer's size; smaller (e.g. 64M) only to try the script quickly
RUNS=${BENCH_RUNS:-3}        # measured runs per command; the fastest counts
ARCHIVE=$CACHE/import-$BIG.tar

# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
bench_ocitool "${1:-}"

if [ ! -x /usr/bin/time ]; then
    echo "# installing GNU time"
    sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo -n)
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null 2>&1 ||
        { "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null 2>&1 &&
          "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null 2>&1; }
fi
require_tools skopeo openssl python3 /usr/bin/time

mkdir -p "$CACHE"
if [ ! -s "$ARCHIVE" ]; then
    echo "# generating $ARCHIVE ($BIG + 3 x 1M layers, once)"
    python3 "$ROOT/scripts/make_docker_archive.py" --format legacy --image bench/import:latest \
        --layers 4 --layer-size "$BIG,1M,1M,1M" --seed 42 -o "$ARCHIVE"
fi
BYTES=$(stat -c %s "$ARCHIVE")

WORK=$(mktemp -d "$CACHE/work.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# measure NAME COMMAND...: one warm-up run, then $RUNS measured runs, each after `sync` (so no run pays for
# the previous one's writeback); sets SECONDS_<NAME> (the fastest) and RSS_<NAME> (KiB, the largest).
# The destination $WORK/dest is removed before each run.
measure() {
    local name=$1 start end seconds best="" rss=0 run
    shift
    rm -rf "$WORK/dest"
    "$@" >/dev/null 2>"$WORK/err" || { cat "$WORK/err" >&2; echo "error: warm-up of $name failed" >&2; exit 1; }
    for run in $(seq "$RUNS"); do
        rm -rf "$WORK/dest"
        sync
        start=$(date +%s.%N)
        /usr/bin/time -f %M -o "$WORK/rss" "$@" >/dev/null 2>"$WORK/err" ||
            { cat "$WORK/err" >&2; echo "error: $name failed" >&2; exit 1; }
        end=$(date +%s.%N)
        seconds=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')
        if [ -z "$best" ] || awk -v a="$seconds" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$seconds; fi
        [ "$(tail -n 1 "$WORK/rss")" -gt "$rss" ] && rss=$(tail -n 1 "$WORK/rss")
    done
    rm -rf "$WORK/dest"
    printf -v "SECONDS_$name" '%s' "$best"
    printf -v "RSS_$name" '%s' "$rss"
}
mbps() { awk -v b="$BYTES" -v s="$1" 'BEGIN { printf "%.1f", b / s / 1e6 }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
verdict() { awk -v v="$1" -v op="$2" -v t="$3" 'BEGIN { ok = (op == ">=") ? v >= t : v < t; print ok ? "PASS" : "MISS" }'; }

echo "# archive: $ARCHIVE ($BYTES bytes); ocitool: $OCITOOL"
echo "# warm-cache figures: each command ran once, then $RUNS measured runs (the fastest counts)"

measure OURS "$OCITOOL" import "$ARCHIVE" "$WORK/dest"
measure SKOPEO skopeo copy -q "docker-archive:$ARCHIVE" "oci:$WORK/dest:t"
measure SKOPEO_RAW skopeo copy -q --dest-oci-accept-uncompressed-layers "docker-archive:$ARCHIVE" "oci:$WORK/dest:t"
# The disk's own limit for durable writes: the archive copied with dd and flushed (ocitool fsyncs every blob
# before it is visible, so it cannot import faster than the disk takes a durable copy).
measure DISK dd if="$ARCHIVE" of="$WORK/dest" bs=8M conv=fdatasync status=none

# openssl prints "sha256  <n>k" in 1000s of bytes per second.
SHA_KBPS=$(openssl speed -seconds 3 -bytes 1048576 sha256 2>/dev/null | awk '$1 == "sha256" { sub(/k$/, "", $NF); print $NF }' | tail -n 1)
SHA_MBPS=$(awk -v k="$SHA_KBPS" 'BEGIN { printf "%.1f", k / 1000 }')

OURS_MBPS=$(mbps "$SECONDS_OURS")
SKOPEO_MBPS=$(mbps "$SECONDS_SKOPEO")
SKOPEO_RAW_MBPS=$(mbps "$SECONDS_SKOPEO_RAW")
VS_SKOPEO=$(ratio "$OURS_MBPS" "$SKOPEO_MBPS")
VS_SKOPEO_RAW=$(ratio "$OURS_MBPS" "$SKOPEO_RAW_MBPS")
VS_SHA=$(awk -v a="$OURS_MBPS" -v b="$SHA_MBPS" 'BEGIN { printf "%.0f", 100 * a / b }')
DISK_MBPS=$(mbps "$SECONDS_DISK")
VS_DISK=$(awk -v a="$OURS_MBPS" -v b="$DISK_MBPS" 'BEGIN { printf "%.0f", 100 * a / b }')
OURS_RSS=$(mib "$RSS_OURS")

echo
printf '%-52s %10s %10s %12s\n' "command" "seconds" "MB/s" "peak RSS MiB"
printf '%-52s %10s %10s %12s\n' "ocitool import" "$SECONDS_OURS" "$OURS_MBPS" "$OURS_RSS"
printf '%-52s %10s %10s %12s\n' "skopeo copy docker-archive: oci: (gzips layers)" "$SECONDS_SKOPEO" "$SKOPEO_MBPS" "$(mib "$RSS_SKOPEO")"
printf '%-52s %10s %10s %12s\n' "skopeo copy ... --dest-oci-accept-uncompressed-layers" "$SECONDS_SKOPEO_RAW" "$SKOPEO_RAW_MBPS" "$(mib "$RSS_SKOPEO_RAW")"
printf '%-52s %10s %10s %12s\n' "openssl speed sha256 (1 core, 1 MiB blocks)" "-" "$SHA_MBPS" "-"
printf '%-52s %10s %10s %12s\n' "dd of the archive, conv=fdatasync (the disk)" "$SECONDS_DISK" "$DISK_MBPS" "-"
echo
row() { printf '%-46s %s\n' "$1" "$2"; }
row "ratio ours/skopeo (default):" "${VS_SKOPEO}x"
row "ratio ours/skopeo (uncompressed, same work):" "${VS_SKOPEO_RAW}x (information)"
row "ratio ours/sha256 limit:" "${VS_SHA}%"
row "ratio ours/durable disk write:" "${VS_DISK}% (information)"
row "peak RSS ours:" "${OURS_RSS} MiB"
echo
echo "targets:"
row "  throughput >= 4x skopeo (default)" "${VS_SKOPEO}x  $(verdict "$VS_SKOPEO" ">=" 4)"
row "  throughput >= 60% of sha256 (1 core)" "${VS_SHA}%  $(verdict "$VS_SHA" ">=" 60)"
row "  peak RSS < 64 MiB" "${OURS_RSS} MiB  $(verdict "$OURS_RSS" "<" 64)"
