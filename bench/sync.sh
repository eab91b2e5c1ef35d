#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Registry-to-registry copy and incremental sync benchmark (not a test: it prints numbers and PASS/MISS
# against targets, and exits 0 either way unless something breaks).
#
#   bash bench/sync.sh [PATH/TO/ocitool]        (or OCITOOL=...; default: swift build -c release)
#   BENCH_LAYER=32M bash bench/sync.sh ...      (smaller layers, to try the script quickly)
#
# Peers: CNCF distribution 2.8 (docker-registry) on loopback, plain HTTP, storage on the same disk.
#   source:       one registry holding bench/big:1, a five-layer image of 5 x 205 MiB random layers
#                 (generated once by scripts/make_docker_archive.py with a fixed seed and pushed with skopeo,
#                 which gzips the layers as it does for any registry: random bytes stay ~1 GiB), and
#                 bench/small with 200 tags on one small image (pushed with ocitool sync from a layout).
#   destination:  a new registry (new port, empty storage) for every measured copy, so nothing can be
#                 skipped or mounted, and skopeo's blob-info cache has nothing to reuse.
# Measures:
#   (a) ocitool copy docker://SRC/bench/big:1 docker://DST/...  and  skopeo copy of the same, each the best of
#       two runs (the page cache is warm for both); wall time, peak RSS (/usr/bin/time -f %M), the ratio;
#   (a2) the same two copies between two `ocitool serve` registries (the source filled by ocitool copy from
#       the distribution source, a fresh destination per run): the same tools on a destination that ingests
#       faster, so the copy engine rather than distribution's upload path is measured;
#   (b) the destination's own limit: curl uploading the same five blobs from files (page cache), five PUTs at
#       once into a fresh registry, best of two: no client can copy faster than the destination ingests;
#   (c) ocitool sync of bench/small (200 tags) to a destination that already has them (synced once before):
#       wall time and peak RSS. Every tag must be skipped.
# Targets: ocitool >= 3x faster than skopeo; incremental sync of 200 tags < 2 s; peak RSS < 64 MiB.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=$ROOT/bench/.cache
LAYER=${BENCH_LAYER:-205M}
ARCHIVE=$CACHE/sync-5x$LAYER.tar
TAGS=200

# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
bench_ocitool "${1:-}"
require_tools skopeo docker-registry python3 curl /usr/bin/time

mkdir -p "$CACHE"
if [ ! -s "$ARCHIVE" ]; then
    echo "# generating $ARCHIVE (5 x $LAYER layers, once)"
    python3 "$ROOT/scripts/make_docker_archive.py" --format legacy --image bench/big:1 \
        --layers 5 --layer-size "$LAYER" --seed 7 -o "$ARCHIVE"
fi

WORK=$(mktemp -d "$CACHE/sync-work.XXXXXX")
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# started NAME DIR PORT: records the server just started in the background (REG_PID, REG_HOST) and waits for
# its /v2/ to answer.
started() {
    REG_PID=$!
    PIDS+=("$REG_PID")
    REG_HOST=127.0.0.1:$3
    for _ in $(seq 100); do
        curl -sf "http://$REG_HOST/v2/" >/dev/null && return 0
        sleep 0.05
    done
    echo "error: $1 did not start (see $2/log)" >&2
    exit 1
}
# start_registry DIR: starts docker-registry storing into DIR; sets REG_HOST and REG_PID.
start_registry() {
    local dir=$1 port
    mkdir -p "$dir"
    port=$(free_port)
    cat >"$dir/config.yml" <<EOF
version: 0.1
log: {level: error, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $dir/data}, delete: {enabled: true}}
http: {addr: 127.0.0.1:$port}
EOF
    docker-registry serve "$dir/config.yml" >"$dir/log" 2>&1 &
    started docker-registry "$dir" "$port"
}
# start_serve DIR: starts `ocitool serve` storing into DIR; sets REG_HOST and REG_PID.
start_serve() {
    local dir=$1 port
    mkdir -p "$dir"
    port=$(free_port)
    "$OCITOOL" serve --root "$dir/data" --port "$port" --no-access-log >"$dir/log" 2>&1 &
    started "ocitool serve" "$dir" "$port"
}
stop_registry() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

# timed NAME COMMAND...: runs once, sets SECONDS_<NAME> and RSS_<NAME> (KiB).
timed() {
    local name=$1 start end
    shift
    start=$(date +%s.%N)
    /usr/bin/time -f %M -o "$WORK/rss" "$@" >"$WORK/out" 2>"$WORK/err" ||
        { cat "$WORK/err" >&2; echo "error: $name failed" >&2; exit 1; }
    end=$(date +%s.%N)
    printf -v "SECONDS_$name" '%s' "$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')"
    printf -v "RSS_$name" '%s' "$(tail -n 1 "$WORK/rss")"
}

# best NAME RUNS COMMAND...: `timed` into a fresh destination registry RUNS times (DST in the command is
# replaced by its host); keeps the fastest time and the largest RSS. The destination is a docker-registry, or
# an ocitool serve with START=start_serve.
best() {
    local name=$1 runs=$2 best_s="" best_rss=0 i s r
    shift 2
    for i in $(seq "$runs"); do
        "${START:-start_registry}" "$WORK/dst-$name-$i"
        local dst_pid=$REG_PID
        timed RUN "${@//DST/$REG_HOST}"
        stop_registry "$dst_pid"
        rm -rf "$WORK/dst-$name-$i"
        s=$SECONDS_RUN r=$RSS_RUN
        if [ -z "$best_s" ] || awk -v a="$s" -v b="$best_s" 'BEGIN { exit !(a < b) }'; then best_s=$s; fi
        [ "$r" -gt "$best_rss" ] && best_rss=$r
    done
    printf -v "SECONDS_$name" '%s' "$best_s"
    printf -v "RSS_$name" '%s' "$best_rss"
}

mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
verdict() { awk -v v="$1" -v op="$2" -v t="$3" 'BEGIN { ok = (op == ">=") ? v >= t : v < t; print ok ? "PASS" : "MISS" }'; }

echo "# ocitool: $OCITOOL"
echo "# $(nproc) cores; peers: docker-registry (distribution 2.8) on loopback, plain HTTP"

start_registry "$WORK/src"
SRC=$REG_HOST
echo "# pushing bench/big:1 to the source with skopeo (it gzips the layers)"
skopeo copy -q --dest-tls-verify=false "docker-archive:$ARCHIVE" "docker://$SRC/bench/big:1" >/dev/null
IMAGE_BYTES=$(skopeo inspect --raw --tls-verify=false "docker://$SRC/bench/big:1" |
    python3 -c 'import json, sys; m = json.load(sys.stdin); print(m["config"]["size"] + sum(l["size"] for l in m["layers"]))')

echo "# (a) registry -> registry copy of $IMAGE_BYTES bytes, best of 2 runs each"
best OCITOOL 2 "$OCITOOL" copy --plain-http "docker://$SRC/bench/big:1" "docker://DST/bench/big:1"
best SKOPEO 2 skopeo copy -q --src-tls-verify=false --dest-tls-verify=false \
    "docker://$SRC/bench/big:1" "docker://DST/bench/big:1"

echo "# (a2) the same copy between two ocitool serve registries (a destination that ingests faster), best of 2"
start_serve "$WORK/serve-src"
SERVE_SRC=$REG_HOST
"$OCITOOL" copy --plain-http "docker://$SRC/bench/big:1" "docker://$SERVE_SRC/bench/big:1" >/dev/null
START=start_serve best OCITOOL_SERVE 2 "$OCITOOL" copy --plain-http \
    "docker://$SERVE_SRC/bench/big:1" "docker://DST/bench/big:1"
START=start_serve best SKOPEO_SERVE 2 skopeo copy -q --src-tls-verify=false --dest-tls-verify=false \
    "docker://$SERVE_SRC/bench/big:1" "docker://DST/bench/big:1"
echo "# (b) the destination's limit: curl PUT of the same blobs from files, 5 at once, best of 2 runs"
mkdir -p "$WORK/blobs"
LAYERS=$(skopeo inspect --raw --tls-verify=false "docker://$SRC/bench/big:1" |
    python3 -c 'import json, sys; print(" ".join(l["digest"] for l in json.load(sys.stdin)["layers"]))')
for digest in $LAYERS; do curl -sf -o "$WORK/blobs/${digest#sha256:}" "http://$SRC/v2/bench/big/blobs/$digest"; done
# put_all HOST: one upload session and one PUT per layer, all at once.
put_all() {
    local digest location
    for digest in $LAYERS; do
        (
            location=$(curl -sf -D - -o /dev/null -X POST "http://$1/v2/floor/blobs/uploads/" |
                tr -d '\r' | awk 'tolower($1) == "location:" { print $2 }')
            case $location in http*) ;; *) location="http://$1$location" ;; esac
            curl -sf -o /dev/null -X PUT -H 'Content-Type: application/octet-stream' \
                -T "$WORK/blobs/${digest#sha256:}" "$location&digest=$digest"
        ) &
    done
    wait
}
best FLOOR 2 bash -c "WORK='$WORK' LAYERS='$LAYERS'; $(declare -f put_all); put_all DST"
rm -rf "$WORK/blobs"

echo "# (c) $TAGS tags on one small image: pushed with ocitool sync, synced once, then measured"
python3 "$ROOT/scripts/make_docker_archive.py" --image bench/small:t0 --layers 2 --layer-size 64K --seed 8 \
    -o "$WORK/small.tar" >/dev/null
"$OCITOOL" import "$WORK/small.tar" "$WORK/small" >/dev/null
mapfile -t names < <(seq 1 $((TAGS - 1)) | sed 's/^/t/')
"$OCITOOL" tag "$WORK/small:t0" "${names[@]}" >/dev/null
"$OCITOOL" sync --plain-http "$WORK/small" "docker://$SRC/bench/small" >/dev/null
start_registry "$WORK/dst-sync"
DST=$REG_HOST
"$OCITOOL" sync --plain-http "docker://$SRC/bench/small" "docker://$DST/bench/small" >/dev/null
timed SYNC "$OCITOOL" sync --plain-http --format json "docker://$SRC/bench/small" "docker://$DST/bench/small"
SKIPPED=$(python3 -c 'import json, sys; r = json.load(open(sys.argv[1])); print(r["skipped"], r["copied"], r["failed"])' "$WORK/out")

RATIO=$(awk -v a="$SECONDS_SKOPEO" -v b="$SECONDS_OCITOOL" 'BEGIN { printf "%.2f", a / b }')
RATIO_SERVE=$(awk -v a="$SECONDS_SKOPEO_SERVE" -v b="$SECONDS_OCITOOL_SERVE" 'BEGIN { printf "%.2f", a / b }')
MBPS() { awk -v b="$IMAGE_BYTES" -v s="$1" 'BEGIN { printf "%.0f", b / s / 1e6 }'; }
PEAK=$RSS_OCITOOL
[ "$RSS_OCITOOL_SERVE" -gt "$PEAK" ] && PEAK=$RSS_OCITOOL_SERVE
[ "$RSS_SYNC" -gt "$PEAK" ] && PEAK=$RSS_SYNC

echo
printf '%-58s %10s %8s %12s\n' "command" "seconds" "MB/s" "peak RSS MiB"
printf '%-58s %10s %8s %12s\n' "ocitool copy docker:// docker:// (5 x $LAYER)" "$SECONDS_OCITOOL" "$(MBPS "$SECONDS_OCITOOL")" "$(mib "$RSS_OCITOOL")"
printf '%-58s %10s %8s %12s\n' "skopeo copy docker:// docker:// (5 x $LAYER)" "$SECONDS_SKOPEO" "$(MBPS "$SECONDS_SKOPEO")" "$(mib "$RSS_SKOPEO")"
printf '%-58s %10s %8s %12s\n' "ocitool copy, ocitool serve -> ocitool serve" "$SECONDS_OCITOOL_SERVE" "$(MBPS "$SECONDS_OCITOOL_SERVE")" "$(mib "$RSS_OCITOOL_SERVE")"
printf '%-58s %10s %8s %12s\n' "skopeo copy, ocitool serve -> ocitool serve" "$SECONDS_SKOPEO_SERVE" "$(MBPS "$SECONDS_SKOPEO_SERVE")" "$(mib "$RSS_SKOPEO_SERVE")"
printf '%-58s %10s %8s %12s\n' "curl PUT of the 5 layers from files (destination's limit)" "$SECONDS_FLOOR" "$(MBPS "$SECONDS_FLOOR")" "-"
printf '%-58s %10s %8s %12s\n' "ocitool sync, $TAGS unchanged tags (skipped copied failed: $SKIPPED)" "$SECONDS_SYNC" "-" "$(mib "$RSS_SYNC")"
echo
printf '%-44s %s\n' "ocitool copy time / destination's limit:" "$(awk -v a="$SECONDS_OCITOOL" -v b="$SECONDS_FLOOR" 'BEGIN { printf "%.0f%%", 100 * a / b }')"
printf '%-44s %s\n' "skopeo copy time / destination's limit:" "$(awk -v a="$SECONDS_SKOPEO" -v b="$SECONDS_FLOOR" 'BEGIN { printf "%.0f%%", 100 * a / b }')"
echo
echo "targets:"
printf '  %-44s %s\n' "copy >= 3x faster than skopeo (distribution)" "${RATIO}x  $(verdict "$RATIO" ">=" 3)"
printf '  %-44s %s\n' "copy >= 3x faster than skopeo (ocitool serve)" "${RATIO_SERVE}x  $(verdict "$RATIO_SERVE" ">=" 3)"
printf '  %-44s %s\n' "incremental sync of $TAGS tags < 2 s" "${SECONDS_SYNC} s  $(verdict "$SECONDS_SYNC" "<" 2)"
printf '  %-44s %s\n' "ocitool peak RSS < 64 MiB" "$(mib "$PEAK") MiB  $(verdict "$(mib "$PEAK")" "<" 64)"
