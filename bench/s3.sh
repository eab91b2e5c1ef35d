#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Object-storage benchmark (issue 16): `ocitool serve --storage s3://...` on a one-node Ceph (scripts/ceph.sh,
# started here and stopped on exit) against radosgw itself, reached by curl with its own SigV4 signing in the
# same run. Not a test: it prints numbers and PASS/MISS against targets, and exits 0 either way unless something
# breaks.
#
#   bash bench/s3.sh [PATH/TO/ocitool]   (or OCITOOL=...; default: swift build -c release)
#   BENCH_BIG=1G (the big blob; e.g. 128M to try the script quickly), BENCH_RUNS=3 (runs of each big transfer;
#   the fastest counts), BENCH_DURATION=10 (seconds of each wrk run), BENCH_GETS=200 (sequential hot-blob GETs)
#
# Content: one BENCH_BIG random file (made once, cached in bench/.cache with its SHA-256), a 1 MiB random blob,
# a small config and a manifest naming both, all in one bucket on a Ceph with one monitor, one OSD (bluestore on
# a sparse file under the run's temporary directory) and radosgw (beast, tcp_nodelay=1), all on loopback.
# Measures:
#   1. big blob push and pull, MB/s (best of BENCH_RUNS, the runs alternating floor and ocitool, each PUT after
#      `sync`):
#        floor: curl PUT of the file straight to radosgw (SigV4, its real x-amz-content-sha256, computed before the
#          timing starts; with curl's `Expect: 100-continue`, since curl's SigV4 fails when it is removed, and
#          radosgw answers it at once), and curl GET of it to /dev/null;
#        ocitool: a monolithic upload through one replica (POST, then the timed PUT ?digest= with the file as the
#          body, until its 201, which comes once the blob is in the bucket; the blob's object and link are deleted
#          from the bucket before each run so that every run uploads), split at its first request for the blob's
#          object in radosgw's access log (before: receiving and, for an upload in parts, hashing and sending them;
#          after: the one PUT streaming as the body arrives, or the bucket's copy of the assembled parts), and a blob
#          GET to /dev/null;
#      and the ratio ocitool/floor of each. Target: at least 0.80 of the floor, push and pull.
#   2. manifest GET by tag (Accept: the manifest's type), req/s: two wrk -t1 -c16 at once, both at one replica,
#      then one at each of two replicas (summed). No target: with 2 shared cores the replicas, radosgw and wrk
#      share the same CPUs, so a second replica cannot add throughput here; the figure shows what it costs.
#   3. the hot 1 MiB blob: BENCH_GETS sequential GETs in one curl (one connection; first GET, p50, p99) and wrk
#      -t2 -c8 (req/s), through a replica without a blob cache (every GET a miss: it reads the bucket), through a
#      replica with one (--s3-cache: after the first, every GET a hit, its /metrics counters printed), and
#      straight from radosgw (a presigned URL for wrk); the hit/miss ratio.
# The machine's other load is not controlled: run it on a quiet machine for figures worth comparing.
# MB/s means 10^6 bytes per second.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIG=${BENCH_BIG:-1G}
RUNS=${BENCH_RUNS:-3}
DURATION=${BENCH_DURATION:-10}
GETS=${BENCH_GETS:-200}

# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
bench_ocitool "${1:-}"
OCITOOL=$(cd "$(dirname "$OCITOOL")" && pwd)/$(basename "$OCITOOL")
require_tools wrk curl python3 sha256sum ceph-mon ceph-osd radosgw radosgw-admin

T=$(mktemp -d "${TMPDIR:-/tmp}/ocitool-bench-s3.XXXXXX")
servers=()
cleanup() {
    for pid in "${servers[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${servers[@]}"; do wait "$pid" 2>/dev/null || true; done
    bash "$ROOT/scripts/ceph.sh" stop "$T/ceph" >/dev/null 2>&1 || true
    rm -rf "$T"
}
trap cleanup EXIT

# --- content ----------------------------------------------------------------------------------------------------
BYTES=$(numfmt --from=iec "$BIG")
CACHE=$ROOT/bench/.cache
FILE=$CACHE/s3-blob-$BIG.bin
mkdir -p "$CACHE"
if [ ! -f "$FILE" ] || [ "$(stat -c %s "$FILE")" != "$BYTES" ] || [ ! -f "$FILE.sha256" ]; then
    echo "# generating $BIG of random bytes in $FILE"
    head -c "$BYTES" /dev/urandom >"$FILE.tmp"
    sha256sum "$FILE.tmp" | cut -d' ' -f1 >"$FILE.sha256"
    mv "$FILE.tmp" "$FILE"
fi
HEX=$(cat "$FILE.sha256")
head -c 1048576 /dev/urandom >"$T/hot"
HOT=$(sha256sum "$T/hot" | cut -d' ' -f1)
EMPTY=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855

# --- Ceph, the bucket, the replicas ---------------------------------------------------------------------------
mkdir -p "$T/ceph"
bash "$ROOT/scripts/ceph.sh" start "$T/ceph" >"$T/ceph.env" 2>"$T/ceph.log" || { cat "$T/ceph.log" >&2; exit 1; }
set -a
. "$T/ceph.env"
set +a
unset AWS_PROFILE AWS_SHARED_CREDENTIALS_FILE AWS_SESSION_TOKEN
BUCKET=bench
PREFIX=registry
STORE=s3://$BUCKET/$PREFIX
echo "# ocitool at $OCITOOL; $BIG blob, $RUNS runs; $(grep -m1 '^# ceph' "$T/ceph.log" | sed 's/^# //'), radosgw at $S3_ENDPOINT"

# s3 CURL-ARGS...: curl straight to radosgw, signed by curl (SigV4). Pass -H "x-amz-content-sha256: ..." for a body.
s3() { curl -sS --aws-sigv4 "aws:amz:us-east-1:s3" --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" "$@"; }
s3 -f -X PUT -H "x-amz-content-sha256: $EMPTY" "$S3_ENDPOINT/$BUCKET" >/dev/null

# replica NAME [FLAG...]: an `ocitool serve` over the bucket with its own private state; sets REGISTRY.
replica() {
    local log="$T/serve-$1.log"
    "$OCITOOL" serve --storage "$STORE" --s3-endpoint "$S3_ENDPOINT" --root "$T/state-$1" --port 0 \
        --log-level error "${@:2}" >"$log" 2>&1 &
    servers+=($!)
    for _ in $(seq 1 150); do
        REGISTRY=$(sed -n 's|^serving .* at http://\([^/]*\)/v2/$|\1|p' "$log" | head -n 1)
        [ -n "$REGISTRY" ] && return 0
        sleep 0.1
    done
    echo "error: ocitool serve over $STORE did not start:" >&2
    cat "$log" >&2
    return 1
}
replica a
A=$REGISTRY

# timed OUTPUT CURL-ARGS...: runs curl, checks the status (2xx) and prints its total time in seconds.
timed() {
    local out
    out=$(curl -sS -o /dev/null -w '%{http_code} %{time_total}' "$@")
    case $out in
    2*) echo "${out#* }" ;;
    *) echo "error: curl $* answered ${out% *}" >&2; return 1 ;;
    esac
}
s3timed() { timed --aws-sigv4 "aws:amz:us-east-1:s3" --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" "$@"; }
mbps() { awk -v b="$BYTES" -v s="$1" 'BEGIN { printf "%.0f", b / s / 1e6 }'; }

# --- 1. big blob push and pull --------------------------------------------------------------------------------
echo "## 1. $BIG blob push and pull: ocitool serve against curl straight to radosgw"
printf '%-4s %-44s %10s %10s\n' run transfer seconds MB/s
best_floor_put=0 best_floor_get=0 best_put=0 best_get=0 best_parts=0
# split_push STARTED SECONDS: where a push through serve spent its time, from radosgw's access log: until the
# first request that writes the blob's object, and from there to the 201. A monolithic push with its digest
# named streams in one PUT to that object from its first byte (nothing before); a push in parts writes it only
# when the bucket copies the assembled parts there (everything before).
split_push() {
    python3 - "$1" "$2" "$T/ceph/log/client.rgw.log" "$PREFIX/blobs/sha256/$HEX" <<'PY'
import datetime, re, sys
started, seconds, log, key = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3], sys.argv[4]
first = None
for line in open(log, errors="replace"):
    match = re.search(r'\[(\d+/\w+/\d+:\d+:\d+:\d+\.\d+) [+-]\d+\] "(\w+) /[^/]+/' + re.escape(key) + r'[? ]', line)
    if not match or match.group(2) in ("HEAD", "DELETE"):
        continue
    at = datetime.datetime.strptime(match.group(1), "%d/%b/%Y:%H:%M:%S.%f").replace(tzinfo=datetime.timezone.utc)
    if at.timestamp() >= started - 0.5:
        first = at.timestamp()
        break
if first is None:
    print(f"{'':<4} {'  (no upload request in radosgw log)':<44}")
else:
    staging = max(0.0, first - started)
    print(f"{'':<4} {'  of which staging, before the upload':<44} {staging:10.2f}")
    print(f"{'':<4} {'  of which the upload to radosgw':<44} {seconds - staging:10.2f}")
PY
}
better() { awk -v a="$1" -v b="$2" 'BEGIN { print (a > b ? a : b) }'; }
# forget_blob: the blob's object and this repository's link go, so the next push uploads (a blob the bucket has
# is reused).
forget_blob() {
    s3 -X DELETE -H "x-amz-content-sha256: $EMPTY" "$S3_ENDPOINT/$BUCKET/$PREFIX/blobs/sha256/$HEX" >/dev/null
    s3 -X DELETE -H "x-amz-content-sha256: $EMPTY" \
        "$S3_ENDPOINT/$BUCKET/$PREFIX/repositories/bench/big/blobs/sha256/$HEX" >/dev/null
    sync
}
# new_session: POSTs an upload session through replica a and prints its URL.
new_session() {
    local location
    location=$(curl -fsS -o /dev/null -D - -X POST "http://$A/v2/bench/big/blobs/uploads/" |
        sed -n 's/^[Ll]ocation: *\([^[:space:]]*\).*/\1/p')
    case $location in /*) location=http://$A$location ;; esac
    echo "$location"
}
# with_digest URL: the URL with the blob's digest added to its query.
with_digest() { case $1 in *\?*) echo "$1&digest=sha256:$HEX" ;; *) echo "$1?digest=sha256:$HEX" ;; esac; }
for run in $(seq 1 "$RUNS"); do
    sync
    s=$(s3timed -T "$FILE" -H "x-amz-content-sha256: $HEX" "$S3_ENDPOINT/$BUCKET/floor/blob")
    printf '%-4s %-44s %10.2f %10s\n' "$run" "floor: curl PUT to radosgw" "$s" "$(mbps "$s")"
    best_floor_put=$(better "$best_floor_put" "$(mbps "$s")")

    forget_blob
    location=$(with_digest "$(new_session)")
    started=$(date +%s.%N)
    s=$(timed -T "$FILE" -H 'Expect:' -H 'Content-Type: application/octet-stream' "$location")
    printf '%-4s %-44s %10.2f %10s\n' "$run" "ocitool: monolithic PUT through serve" "$s" "$(mbps "$s")"
    split_push "$started" "$s"
    best_put=$(better "$best_put" "$(mbps "$s")")

    # The same blob as docker and skopeo push it: one streamed PATCH (no digest yet: it goes out in parts, hashed
    # here as it arrives), then PUT ?digest= with no body (the parts assembled, checked, copied to the blob's key).
    forget_blob
    location=$(new_session)
    started=$(date +%s.%N)
    patched=$(timed -X PATCH -T "$FILE" -H 'Expect:' -H 'Content-Type: application/octet-stream' "$location")
    s=$(awk -v a="$patched" -v b="$(timed -X PUT "$(with_digest "$location")")" 'BEGIN { print a + b }')
    printf '%-4s %-44s %10.2f %10s\n' "$run" "ocitool: streamed PATCH, then PUT ?digest=" "$s" "$(mbps "$s")"
    split_push "$started" "$s"
    best_parts=$(better "$best_parts" "$(mbps "$s")")

    s=$(s3timed -H "x-amz-content-sha256: $EMPTY" "$S3_ENDPOINT/$BUCKET/floor/blob")
    printf '%-4s %-44s %10.2f %10s\n' "$run" "floor: curl GET from radosgw" "$s" "$(mbps "$s")"
    best_floor_get=$(better "$best_floor_get" "$(mbps "$s")")

    s=$(timed "http://$A/v2/bench/big/blobs/sha256:$HEX")
    printf '%-4s %-44s %10.2f %10s\n' "$run" "ocitool: blob GET through serve" "$s" "$(mbps "$s")"
    best_get=$(better "$best_get" "$(mbps "$s")")
done
# The pull was the right bytes (once, outside the timing).
got=$(curl -sS "http://$A/v2/bench/big/blobs/sha256:$HEX" | sha256sum | cut -d' ' -f1)
[ "$got" = "$HEX" ] || { echo "error: the blob GET through serve has digest $got, not $HEX" >&2; exit 1; }
verdict() { awk -v r="$1" 'BEGIN { printf "%.2f (target >= 0.80): %s", r, (r >= 0.80 ? "PASS" : "MISS") }'; }
echo "push: ocitool $best_put MB/s, floor $best_floor_put MB/s, ratio $(verdict "$(awk -v a="$best_put" -v b="$best_floor_put" 'BEGIN { print a / b }')")"
echo "push in parts (streamed PATCH): ocitool $best_parts MB/s, ratio $(awk -v a="$best_parts" -v b="$best_floor_put" 'BEGIN { printf "%.2f", a / b }') (the target is checked on the monolithic push above; this is the path of clients that do not name the digest up front)"
echo "pull: ocitool $best_get MB/s, floor $best_floor_get MB/s, ratio $(verdict "$(awk -v a="$best_get" -v b="$best_floor_get" 'BEGIN { print a / b }')")"

# --- 2. manifest GET, one replica and two ---------------------------------------------------------------------
echo "## 2. manifest GET by tag: one replica, then two over the same bucket"
curl -fsS -o /dev/null -X POST --data-binary @"$T/hot" -H 'Content-Type: application/octet-stream' \
    "http://$A/v2/bench/app/blobs/uploads/?digest=sha256:$HOT"
python3 - "$T" "$HOT" <<'PY'
import hashlib, json, sys
root, hot = sys.argv[1], sys.argv[2]
config = json.dumps({"architecture": "amd64", "os": "linux",
                     "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hot]}}).encode()
open(f"{root}/config", "wb").write(config)
manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                       "digest": "sha256:" + hashlib.sha256(config).hexdigest(), "size": len(config)},
            "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar",
                        "digest": "sha256:" + hot, "size": 1048576}]}
open(f"{root}/manifest", "w").write(json.dumps(manifest))
PY
curl -fsS -o /dev/null -X POST --data-binary @"$T/config" -H 'Content-Type: application/octet-stream' \
    "http://$A/v2/bench/app/blobs/uploads/?digest=sha256:$(sha256sum "$T/config" | cut -d' ' -f1)"
accept='application/vnd.oci.image.manifest.v1+json'
curl -fsS -o /dev/null -X PUT --data-binary @"$T/manifest" -H "Content-Type: $accept" \
    "http://$A/v2/bench/app/manifests/1"
replica b
B=$REGISTRY
for registry in "$A" "$B"; do
    [ "$(curl -s -o /dev/null -w '%{http_code}' -H "Accept: $accept" "http://$registry/v2/bench/app/manifests/1")" = 200 ] ||
        { echo "error: $registry does not serve the manifest" >&2; exit 1; }
done

# load SECONDS URL URL: two wrk -t1 -c16 at once, one at each URL; prints their req/s summed (and warns of errors).
load() {
    local seconds=$1
    wrk -t1 -c16 -d"${seconds}s" --latency -H "Accept: $accept" "$2" >"$T/wrk1" &
    local one=$!
    wrk -t1 -c16 -d"${seconds}s" --latency -H "Accept: $accept" "$3" >"$T/wrk2"
    wait "$one"
    if grep -h "Non-2xx\|Socket errors" "$T/wrk1" "$T/wrk2" >&2; then echo "warning: wrk saw errors (above)" >&2; fi
    awk '/Requests\/sec/ { sum += $2 } /^ +99%/ { p99 = p99 " " $2 } END { printf "%.0f req/s (p99 per wrk:%s)\n", sum, p99 }' \
        "$T/wrk1" "$T/wrk2"
}
manifest_a="http://$A/v2/bench/app/manifests/1"
manifest_b="http://$B/v2/bench/app/manifests/1"
load 2 "$manifest_a" "$manifest_b" >/dev/null # warm-up
one=$(load "$DURATION" "$manifest_a" "$manifest_a")
two=$(load "$DURATION" "$manifest_a" "$manifest_b")
echo "one replica  (two wrk -t1 -c16 at a):        $one"
echo "two replicas (one wrk -t1 -c16 at a, one at b): $two"
awk -v a="${one%% *}" -v b="${two%% *}" 'BEGIN { printf "two/one: %.2f (no target: 2 shared cores run both replicas, radosgw and wrk)\n", b / a }'

# --- 3. a hot 1 MiB blob: cache misses, cache hits, the floor ---------------------------------------------------
echo "## 3. hot 1 MiB blob, GET after GET: through ocitool serve without and with its blob cache (--s3-cache), and"
echo "##    straight from radosgw"
# sequential NAME CURL-ARGS... -- URL: GETS GETs of URL in one curl process (one connection), each timed.
sequential() {
    local name=$1 url=${*: -1}
    shift
    : >"$T/curl.cfg"
    for _ in $(seq 1 "$GETS"); do printf 'url = "%s"\noutput = "/dev/null"\n' "$url" >>"$T/curl.cfg"; done
    curl -sS -K "$T/curl.cfg" -w '%{http_code} %{size_download} %{time_total}\n' "${@:1:$#-1}" >"$T/times"
    python3 - "$name" "$T/times" <<'PY'
import sys
name, path = sys.argv[1], sys.argv[2]
rows = [line.split() for line in open(path) if line.strip()]
bad = [r for r in rows if r[0] != "200" or r[1] != "1048576"]
if bad:
    sys.exit(f"error: {name}: {len(bad)} GETs answered {bad[0][0]} with {bad[0][1]} bytes")
first, times = float(rows[0][2]) * 1000, sorted(float(r[2]) * 1000 for r in rows[1:])
pick = lambda q: times[min(len(times) - 1, int(q * len(times)))]
print(f"{name:<34} first {first:6.2f} ms, then {len(times)} GETs: mean {sum(times) / len(times):6.2f} ms  "
      f"p50 {pick(0.5):6.2f} ms  p99 {pick(0.99):6.2f} ms  ({len(times) / 1.048576 / sum(times) * 1000:,.0f} MB/s)")
PY
}
# A presigned URL (SigV4 in the query, valid 15 minutes) of the hot blob's object, for wrk.
presigned=$(python3 - "$S3_ENDPOINT" "/$BUCKET/$PREFIX/blobs/sha256/$HOT" <<'PY'
import datetime, hashlib, hmac, os, sys, urllib.parse
endpoint, path = sys.argv[1], sys.argv[2]
host = urllib.parse.urlsplit(endpoint).netloc
now = datetime.datetime.now(datetime.timezone.utc)
stamp, day = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
scope = f"{day}/us-east-1/s3/aws4_request"
query = urllib.parse.urlencode(sorted({
    "X-Amz-Algorithm": "AWS4-HMAC-SHA256", "X-Amz-Credential": f"{os.environ['AWS_ACCESS_KEY_ID']}/{scope}",
    "X-Amz-Date": stamp, "X-Amz-Expires": "900", "X-Amz-SignedHeaders": "host"}.items()), quote_via=urllib.parse.quote)
canonical = f"GET\n{path}\n{query}\nhost:{host}\n\nhost\nUNSIGNED-PAYLOAD"
to_sign = f"AWS4-HMAC-SHA256\n{stamp}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
key = ("AWS4" + os.environ["AWS_SECRET_ACCESS_KEY"]).encode()
for part in (day, "us-east-1", "s3", "aws4_request"):
    key = hmac.new(key, part.encode(), hashlib.sha256).digest()
print(f"{endpoint}{path}?{query}&X-Amz-Signature={hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()}")
PY
)
[ "$(curl -s -o /dev/null -w '%{http_code}' "$presigned")" = 200 ] ||
    { echo "error: radosgw refuses the presigned URL: $(curl -s "$presigned")" >&2; exit 1; }
hot_serve="http://$A/v2/bench/app/blobs/sha256:$HOT"
replica cached --s3-cache "$T/blob-cache" --s3-cache-size 256MiB
hot_cached="http://$REGISTRY/v2/bench/app/blobs/sha256:$HOT"
sequential "ocitool serve (no cache)" "$hot_serve"
sequential "ocitool serve (cache hits)" "$hot_cached"
sequential "radosgw (curl SigV4)" --aws-sigv4 "aws:amz:us-east-1:s3" --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" \
    -H "x-amz-content-sha256: $EMPTY" "$S3_ENDPOINT/$BUCKET/$PREFIX/blobs/sha256/$HOT"
hot_rate() {
    wrk -t2 -c8 -d"${DURATION}s" --latency "$1" >"$T/wrk"
    if grep "Non-2xx\|Socket errors" "$T/wrk" >&2; then echo "warning: wrk saw errors (above)" >&2; fi
    awk '/Requests\/sec/ { r = $2 } /^ +50%/ { p50 = $2 } /^ +99%/ { p99 = $2 }
        END { printf "%.0f req/s (%.0f MB/s), p50 %s, p99 %s\n", r, r * 1.048576, p50, p99 }' "$T/wrk"
}
hot_rate "$hot_serve" >/dev/null # warm-up
via_serve=$(hot_rate "$hot_serve")
via_cache=$(hot_rate "$hot_cached")
direct=$(hot_rate "$presigned")
echo "wrk -t2 -c8, ocitool serve (misses): $via_serve"
echo "wrk -t2 -c8, ocitool serve (hits):   $via_cache"
echo "wrk -t2 -c8, radosgw (presigned):    $direct"
echo "the cached replica's /metrics: $(curl -fsS "$hot_cached" -o /dev/null && curl -fsS "${hot_cached%%/v2/*}/metrics" |
    grep -E '^ocitool_blob_cache_(hits|misses)_total' | tr '\n' ' ')"
awk -v a="${via_serve%% *}" -v c="${via_cache%% *}" -v b="${direct%% *}" 'BEGIN {
    printf "a miss reads the bucket (the link, the blob, then a streaming GET); a hit asks the bucket for the link only\n"
    printf "and sends the local file: hit/miss %.2f; serve/radosgw %.2f without the cache, %.2f with it\n", c / a, a / b, c / b }'
