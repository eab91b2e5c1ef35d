#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Registry benchmark: `ocitool serve` against CNCF distribution 2.8 (Debian's docker-registry), side by
# side on loopback with the same content. Not a test: it prints numbers and PASS/MISS against targets,
# and exits 0 either way unless something breaks.
#
#   bash bench/serve.sh [PATH/TO/ocitool [PATH/TO/static/ocitool]]
#       (or OCITOOL=..., OCITOOL_STATIC=...; defaults: swift build -c release, and the release build of
#       scripts/release.sh in .build-static/ when there is one)
#   BENCH_BIG=64M bash bench/serve.sh ...   (a smaller big blob, to try the script quickly)
#   BENCH_DURATION=10 (seconds of each wrk run)
#
# Content: a docker-archive with one BENCH_BIG (default 1G) layer and one 1 MiB layer, generated once by
# scripts/make_docker_archive.py (fixed seed), turned once by skopeo into an OCI layout with gzip layers
# (cached in bench/.cache), then pushed by skopeo into both registries (the push that is timed).
# Measures, for each server:
#   manifest GET by tag: wrk -t2 -c32 -d10s --latency with an Accept header of the manifest's type
#     (req/s, p50, p99) and the server's peak RSS meanwhile (ps, every 0.2 s);
#   blob GET of the big layer: curl -o /dev/null, MB/s (best of 3 after a warm-up);
#   the server's CPU time per GiB over those GETs (from /proc/PID/stat);
#   monolithic blob PUT of a BENCH_BIG random file: POST, then PUT ?digest= with the file as the body,
#     MB/s over the PUT's whole time (best of 3, each after `sync`, so that none pays for earlier writes),
#     next to dd writing the same amount and then fsyncing it, for scale (a PUT that starts writeback while
#     the data arrives can beat it);
#   skopeo copy oci: -> docker:// (push, into an empty repository) and docker:// -> oci: (pull, best of 2),
#     each after `sync`;
#   idle RSS just after start, and its private part (RssAnon); cold start: process start to the first 200 on
#     /v2/ (a Python loop polling a raw socket, into an empty store; median and fastest of 10);
#   100 concurrent blob GETs (the 1 MiB layer) and 100 concurrent monolithic PUTs of distinct 64 KiB blobs,
#     all at once: the number of failed requests (wrong status, size or digest);
#   and one core's SHA-256 rate (openssl speed -seconds 3 -bytes 1048576 sha256): the ceiling of a PUT,
#     which must hash every byte.
# With a static binary (Swift runtime and Foundation linked in, as scripts/release.sh ships it), a third server
# runs it over the same store as the dynamic one, and its idle RSS, cold start and manifest GETs under wrk are
# measured in the same run, next to the dynamic binary's and distribution's.
# Repeated runs alternate between the servers, so that bursts of other load hit both alike; still, the
# machine's other load is not controlled: run it on a quiet machine for figures worth comparing.
# MB/s means 10^6 bytes per second.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=$ROOT/bench/.cache
BIG=${BENCH_BIG:-1G}
DURATION=${BENCH_DURATION:-10}
ARCHIVE=$CACHE/serve-$BIG.tar
OCIDIR=$CACHE/serve-$BIG.oci
PUTBLOB=$CACHE/serve-put-$BIG.bin

# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
bench_ocitool "${1:-}"
OCITOOL_STATIC=${2:-${OCITOOL_STATIC:-}}
if [ -z "$OCITOOL_STATIC" ] && [ -x "$ROOT/.build-static/release/ocitool" ]; then
    OCITOOL_STATIC=$ROOT/.build-static/release/ocitool
fi
[ -z "$OCITOOL_STATIC" ] || [ -x "$OCITOOL_STATIC" ] || { echo "error: $OCITOOL_STATIC is not an executable" >&2; exit 2; }
SERVERS=(ours dist)
[ -z "$OCITOOL_STATIC" ] || SERVERS=(ours static dist)

if ! command -v wrk >/dev/null; then
    echo "# installing wrk"
    sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo -n)
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null 2>&1 ||
        { "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null 2>&1 &&
          "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null 2>&1; }
fi
require_tools docker-registry skopeo wrk curl openssl python3 sha256sum

# --- content (cached) -------------------------------------------------------------------------------
mkdir -p "$CACHE"
if [ ! -s "$ARCHIVE" ]; then
    echo "# generating $ARCHIVE ($BIG + 1M layers, once)"
    python3 "$ROOT/scripts/make_docker_archive.py" --format legacy --image bench/serve:latest \
        --layers 2 --layer-size "$BIG,1M" --seed 7 -o "$ARCHIVE.part"
    mv "$ARCHIVE.part" "$ARCHIVE"
fi
if [ ! -s "$OCIDIR/index.json" ]; then
    echo "# converting to an OCI layout with gzip layers (skopeo, once)"
    rm -rf "$OCIDIR" "$OCIDIR.part"
    skopeo copy -q "docker-archive:$ARCHIVE" "oci:$OCIDIR.part:latest"
    mv "$OCIDIR.part" "$OCIDIR"
fi
if [ ! -s "$PUTBLOB.sha256" ]; then
    echo "# generating $PUTBLOB (random, once)"
    python3 - "$PUTBLOB" "$BIG" <<'EOF'
import os, random, re, sys
path, size = sys.argv[1], sys.argv[2]
m = re.fullmatch(r"(\d+)([KMG]?)", size.upper())
count = int(m.group(1)) * {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}[m.group(2)]
rng = random.Random(11)
with open(path, "wb") as out:
    while count > 0:
        n = min(count, 1 << 20)
        out.write(rng.randbytes(n))
        count -= n
EOF
    sha256sum "$PUTBLOB" | cut -d' ' -f1 >"$PUTBLOB.sha256"
fi
PUT_DIGEST=sha256:$(cat "$PUTBLOB.sha256")
PUT_BYTES=$(stat -c %s "$PUTBLOB")

# The manifest and its layers, from the OCI layout.
read -r MANIFEST_TYPE MANIFEST_DIGEST < <(python3 -c '
import json, sys
m = json.load(open(sys.argv[1] + "/index.json"))["manifests"][0]
print(m["mediaType"], m["digest"])' "$OCIDIR")
read -r BIG_DIGEST BIG_BYTES SMALL_DIGEST SMALL_BYTES < <(python3 -c '
import json, sys
d = sys.argv[2].split(":")[1]
layers = sorted(json.load(open(sys.argv[1] + "/blobs/sha256/" + d))["layers"], key=lambda l: -l["size"])
print(layers[0]["digest"], layers[0]["size"], layers[-1]["digest"], layers[-1]["size"])' "$OCIDIR" "$MANIFEST_DIGEST")

# --- servers ----------------------------------------------------------------------------------------
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ocitool-bench-serve.XXXXXX")
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

cat >"$WORK/registry.yml" <<EOF
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  cache:
    blobdescriptor: inmemory
  filesystem:
    rootdirectory: $WORK/dist-root
  delete:
    enabled: true
http:
  addr: 127.0.0.1:5000
EOF

# start NAME: starts the server NAME (ours|static|dist) on a free port; sets PORT_<NAME>, PID_<NAME>. The static
# binary serves the dynamic one's store: what is pushed to one, the other serves.
start() {
    local name=$1 port pid
    port=$(free_port)
    if [ "$name" = ours ] || [ "$name" = static ]; then
        local binary=$OCITOOL
        [ "$name" = ours ] || binary=$OCITOOL_STATIC
        "$binary" serve --root "$WORK/ours-root" --host 127.0.0.1 --port "$port" --log-level error \
            >"$WORK/$name.log" 2>&1 &
    else
        REGISTRY_HTTP_ADDR=127.0.0.1:$port docker-registry serve "$WORK/registry.yml" >"$WORK/dist.log" 2>&1 &
    fi
    pid=$!
    PIDS+=("$pid")
    for _ in $(seq 1 200); do
        if [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v2/")" = 200 ]; then
            printf -v "PORT_$name" '%s' "$port"
            printf -v "PID_$name" '%s' "$pid"
            return
        fi
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    cat "$WORK/$name.log" >&2
    echo "error: the $name server did not start" >&2
    exit 1
}
rss_mib() { ps -o rss= -p "$1" | awk '{ printf "%.1f", $1 / 1024 }'; }
# The private part of RSS (heap, stacks: RssAnon); the rest is mapped program and library pages, shared with
# every other process that maps them and dropped under memory pressure.
anon_mib() { awk '/^RssAnon:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }

for name in "${SERVERS[@]}"; do start "$name"; done
sleep 1
for name in "${SERVERS[@]}"; do
    pid_var=PID_$name
    printf -v "IDLE_RSS_$name" '%s' "$(rss_mib "${!pid_var}")"
    printf -v "IDLE_ANON_$name" '%s' "$(anon_mib "${!pid_var}")"
done
echo "# ocitool: $OCITOOL (pid $PID_ours, port $PORT_ours); distribution: $(docker-registry --version | awk '{ print $NF }') (pid $PID_dist, port $PORT_dist)"
[ -z "$OCITOOL_STATIC" ] || echo "# static ocitool: $OCITOOL_STATIC (pid $PID_static, port $PORT_static), over the same store"
echo "# content: $BIG_BYTES-byte layer $BIG_DIGEST, manifest $MANIFEST_TYPE"

# Warm the page cache for the sources.
cat "$OCIDIR"/blobs/sha256/* "$PUTBLOB" >/dev/null

# --- skopeo push (into an empty repository) and pull ------------------------------------------------
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; }
for name in ours dist; do
    port_var=PORT_$name
    sync
    t=$(now)
    skopeo copy -q --dest-tls-verify=false "oci:$OCIDIR:latest" "docker://127.0.0.1:${!port_var}/bench/image:latest"
    printf -v "PUSH_$name" '%s' "$(elapsed "$t")"
done
# Runs alternate between the servers, so that a burst of other load on the machine hits both alike.
PULL_ours=
PULL_dist=
for run in 1 2; do
    for name in ours dist; do
        port_var=PORT_$name
        best_var=PULL_$name
        rm -rf "$WORK/pull"
        sync  # no run pays for the writeback of earlier ones (the pushes, the previous pull)
        t=$(now)
        skopeo copy -q --src-tls-verify=false "docker://127.0.0.1:${!port_var}/bench/image:latest" "oci:$WORK/pull:latest"
        s=$(elapsed "$t")
        printf -v "$best_var" '%s' "$(awk -v a="${!best_var}" -v b="$s" 'BEGIN { print (a == "" || b < a) ? b : a }')"
    done
done
rm -rf "$WORK/pull"

# --- manifest GET under wrk --------------------------------------------------------------------------
# to_ms VALUE: wrk's "1.23ms" / "456.00us" / "1.20s" in milliseconds.
to_ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n = n; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'; }
for name in "${SERVERS[@]}"; do
    port_var=PORT_$name
    pid_var=PID_$name
    url="http://127.0.0.1:${!port_var}/v2/bench/image/manifests/latest"
    code=$(curl -s -o /dev/null -w '%{http_code}' -H "Accept: $MANIFEST_TYPE" "$url")
    [ "$code" = 200 ] || { echo "error: manifest GET on $name answered $code" >&2; exit 1; }
    ( peak=0; while kill -0 "${!pid_var}" 2>/dev/null; do
          r=$(ps -o rss= -p "${!pid_var}" || echo 0); [ "$r" -gt "$peak" ] && peak=$r && echo "$peak" >"$WORK/peak-$name"
          sleep 0.2; done ) &
    sampler=$!
    wrk -t2 -c32 -d"${DURATION}s" --latency -H "Accept: $MANIFEST_TYPE" "$url" >"$WORK/wrk-$name.txt"
    kill "$sampler" 2>/dev/null || true
    wait "$sampler" 2>/dev/null || true
    printf -v "RPS_$name" '%s' "$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$WORK/wrk-$name.txt")"
    printf -v "P50_$name" '%s' "$(to_ms "$(awk '$1 == "50%" { print $2 }' "$WORK/wrk-$name.txt")")"
    printf -v "P99_$name" '%s' "$(to_ms "$(awk '$1 == "99%" { print $2 }' "$WORK/wrk-$name.txt")")"
    printf -v "LOAD_RSS_$name" '%s' "$(awk '{ printf "%.1f", $1 / 1024 }' "$WORK/peak-$name" 2>/dev/null || echo 0)"
    errors=$(awk '/Non-2xx|Socket errors/' "$WORK/wrk-$name.txt")
    [ -z "$errors" ] || echo "# wrk on $name: $errors"
done

# --- blob GET ----------------------------------------------------------------------------------------
# cpu_ticks PID: user + system CPU time of a process, in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
for name in ours dist; do
    port_var=PORT_$name
    curl -s -o /dev/null "http://127.0.0.1:${!port_var}/v2/bench/image/blobs/$BIG_DIGEST"
    printf -v "GET_$name" '%s' 0
    printf -v "GET_TICKS_$name" '%s' 0
done
for run in 1 2 3; do
    for name in ours dist; do
        port_var=PORT_$name
        pid_var=PID_$name
        best_var=GET_$name
        ticks_var=GET_TICKS_$name
        url="http://127.0.0.1:${!port_var}/v2/bench/image/blobs/$BIG_DIGEST"
        before=$(cpu_ticks "${!pid_var}")
        read -r code size speed < <(curl -s -o /dev/null -w '%{http_code} %{size_download} %{speed_download}\n' "$url")
        printf -v "$ticks_var" '%s' "$(( ${!ticks_var} + $(cpu_ticks "${!pid_var}") - before ))"
        [ "$code" = 200 ] && [ "$size" = "$BIG_BYTES" ] || { echo "error: blob GET on $name: $code, $size bytes" >&2; exit 1; }
        printf -v "$best_var" '%s' "$(awk -v a="${!best_var}" -v b="$speed" 'BEGIN { print (b > a) ? b : a }')"
    done
done
for name in ours dist; do
    best_var=GET_$name
    ticks_var=GET_TICKS_$name
    printf -v "$best_var" '%s' "$(awk -v b="${!best_var}" 'BEGIN { printf "%.0f", b / 1e6 }')"
    printf -v "GET_CPU_$name" '%s' "$(awk -v t="${!ticks_var}" -v hz="$(getconf CLK_TCK)" -v n="$BIG_BYTES" \
        'BEGIN { printf "%.2f", t / hz / (3 * n / 1073741824) }')"
done

# --- monolithic blob PUT -----------------------------------------------------------------------------
# upload_url NAME REPO: POSTs a new upload session and prints its location, absolute.
upload_url() {
    local port_var=PORT_$1 location
    location=$(curl -s -X POST -D - -o /dev/null "http://127.0.0.1:${!port_var}/v2/$2/blobs/uploads/" |
        awk 'tolower($1) == "location:" { sub(/\r$/, "", $2); print $2 }')
    [ -n "$location" ] || return 1
    case $location in /*) location="http://127.0.0.1:${!port_var}$location" ;; esac
    case $location in *\?*) echo "$location&" ;; *) echo "$location?" ;; esac
}
# Each PUT starts with no dirty pages (sync), so that none pays for earlier writes. dd writing the same amount
# and then fsyncing it gives the disk's scale.
sync
t=$(now)
dd if=/dev/zero of="$WORK/dd" bs=1M count=$(( PUT_BYTES >> 20 )) conv=fsync status=none
DISK_MBPS=$(awk -v n="$(( (PUT_BYTES >> 20) << 20 ))" -v s="$(elapsed "$t")" 'BEGIN { printf "%.0f", n / s / 1e6 }')
rm -f "$WORK/dd"
PUT_ours=
PUT_dist=
for run in 1 2 3; do
    for name in ours dist; do
        best_var=PUT_$name
        sync
        url=$(upload_url "$name" bench/put)digest=$PUT_DIGEST
        read -r code seconds < <(curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -H 'Expect:' \
            -H 'Content-Type: application/octet-stream' -T "$PUTBLOB" "$url")
        [ "$code" = 201 ] || { echo "error: blob PUT on $name answered $code" >&2; exit 1; }
        printf -v "$best_var" '%s' "$(awk -v a="${!best_var}" -v b="$seconds" 'BEGIN { print (a == "" || b < a) ? b : a }')"
    done
done
for name in ours dist; do
    best_var=PUT_$name
    printf -v "$best_var" '%s' "$(awk -v n="$PUT_BYTES" -v s="${!best_var}" 'BEGIN { printf "%.0f", n / s / 1e6 }')"
done

# --- 100 concurrent pulls and pushes -----------------------------------------------------------------
mkdir -p "$WORK/small"
python3 - "$WORK/small" <<'EOF'
import hashlib, os, sys
for i in range(100):
    data = os.urandom(64 << 10)
    with open(f"{sys.argv[1]}/{i}", "wb") as out:
        out.write(data)
    with open(f"{sys.argv[1]}/{i}.sha256", "w") as out:
        out.write("sha256:" + hashlib.sha256(data).hexdigest())
EOF
for name in ours dist; do
    port_var=PORT_$name
    rm -rf "$WORK/results"
    mkdir -p "$WORK/results"
    t=$(now)
    for i in $(seq 0 99); do
        ( out=$(curl -s -o "$WORK/results/get-$i" -w '%{http_code}' "http://127.0.0.1:${!port_var}/v2/bench/image/blobs/$SMALL_DIGEST") || out=curl-failed
          if [ "$out" = 200 ] && [ "sha256:$(sha256sum <"$WORK/results/get-$i" | cut -d' ' -f1)" = "$SMALL_DIGEST" ]; then
              echo ok >"$WORK/results/get-$i.status"
          else echo "GET $out" >"$WORK/results/get-$i.status"; fi
          rm -f "$WORK/results/get-$i" ) &
        ( url=$(upload_url "$name" bench/concurrent) && out=$(curl -s -o /dev/null -w '%{http_code}' -H 'Expect:' \
              -H 'Content-Type: application/octet-stream' -T "$WORK/small/$i" "${url}digest=$(cat "$WORK/small/$i.sha256")") ||
              out=curl-failed
          if [ "$out" = 201 ]; then echo ok >"$WORK/results/put-$i.status"; else echo "PUT $out" >"$WORK/results/put-$i.status"; fi ) &
    done
    wait_for=200
    for _ in $(seq 1 600); do
        [ "$(find "$WORK/results" -name '*.status' | wc -l)" -ge "$wait_for" ] && break
        sleep 0.1
    done
    printf -v "CONC_SECONDS_$name" '%s' "$(elapsed "$t")"
    done_count=$(find "$WORK/results" -name '*.status' | wc -l)
    failed=$(( wait_for - done_count + $(cat "$WORK/results"/*.status 2>/dev/null | grep -vc '^ok$' || true) ))
    printf -v "CONC_ERRORS_$name" '%s' "$failed"
done

# --- cold start --------------------------------------------------------------------------------------
# coldstart CONFIG-TEMPLATE|- CMD...: "MEDIAN MIN" ms from exec to the first 200 on /v2/ over 10 starts, each into an
# empty store; {PORT}, {ROOT} and {CONFIG} (the template written out with {PORT} and {ROOT} substituted) are
# substituted in CMD.
coldstart() {
    python3 - "$WORK" "$@" <<'EOF'
import socket, statistics, subprocess, sys, tempfile, time
work, config, template = sys.argv[1], sys.argv[2], sys.argv[3:]
def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close(); return port
request = b"GET /v2/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
times = []
for _ in range(10):
    port = free_port()
    root = tempfile.mkdtemp(dir=work)
    if config != "-":
        with open(config) as source, open(root + ".yml", "w") as out:
            out.write(source.read().replace("{PORT}", str(port)).replace("{ROOT}", root))
    argv = [a.replace("{PORT}", str(port)).replace("{ROOT}", root).replace("{CONFIG}", root + ".yml")
            for a in template]
    start = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            if time.perf_counter() - start > 20 or process.poll() is not None:
                sys.exit("server did not start: " + " ".join(argv))
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                    s.sendall(request)
                    if s.recv(16).startswith(b"HTTP/1.1 200"):
                        break
            except OSError:
                pass
        times.append((time.perf_counter() - start) * 1000)
    finally:
        process.terminate()
        process.wait()
print(f"{statistics.median(times):.1f} {min(times):.1f}")
EOF
}
read -r COLD_ours COLD_MIN_ours < <(coldstart - "$OCITOOL" serve --root "{ROOT}" --host 127.0.0.1 --port "{PORT}" --log-level error)
if [ -n "$OCITOOL_STATIC" ]; then
    read -r COLD_static COLD_MIN_static < <(coldstart - "$OCITOOL_STATIC" serve --root "{ROOT}" --host 127.0.0.1 --port "{PORT}" --log-level error)
fi
sed 's|rootdirectory: .*|rootdirectory: {ROOT}|; s|addr: .*|addr: 127.0.0.1:{PORT}|' "$WORK/registry.yml" >"$WORK/registry-cold.yml"
read -r COLD_dist COLD_MIN_dist < <(coldstart "$WORK/registry-cold.yml" docker-registry serve "{CONFIG}")

# --- sha256 ceiling ----------------------------------------------------------------------------------
# openssl prints "sha256  <n>k" in 1000s of bytes per second.
SHA_KBPS=$(openssl speed -seconds 3 -bytes 1048576 sha256 2>/dev/null | awk '$1 == "sha256" { sub(/k$/, "", $NF); print $NF }' | tail -n 1)
SHA_MBPS=$(awk -v k="$SHA_KBPS" 'BEGIN { printf "%.0f", k / 1000 }')

# --- report ------------------------------------------------------------------------------------------
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "inf"; else printf "%.2f", a / b }'; }
verdict() { awk -v v="$1" -v op="$2" -v t="$3" 'BEGIN {
    if (op == ">=") ok = v >= t; else if (op == "<=") ok = v <= t; else if (op == "<") ok = v < t; else ok = v == t
    print ok ? "PASS" : "MISS" }'; }
row() { printf '%-40s %14s %14s %10s\n' "$@"; }
echo
row "measure" "ocitool" "distribution" "ours/theirs"
row "manifest GET req/s (wrk -c32)" "$RPS_ours" "$RPS_dist" "$(ratio "$RPS_ours" "$RPS_dist")"
row "manifest GET p50 ms" "$P50_ours" "$P50_dist" "$(ratio "$P50_ours" "$P50_dist")"
row "manifest GET p99 ms" "$P99_ours" "$P99_dist" "$(ratio "$P99_ours" "$P99_dist")"
row "blob GET MB/s ($BIG)" "$GET_ours" "$GET_dist" "$(ratio "$GET_ours" "$GET_dist")"
row "blob GET server CPU s/GiB" "$GET_CPU_ours" "$GET_CPU_dist" "$(ratio "$GET_CPU_ours" "$GET_CPU_dist")"
row "blob PUT MB/s ($BIG, monolithic)" "$PUT_ours" "$PUT_dist" "$(ratio "$PUT_ours" "$PUT_dist")"
row "skopeo push seconds" "$PUSH_ours" "$PUSH_dist" "$(ratio "$PUSH_ours" "$PUSH_dist")"
row "skopeo pull seconds" "$PULL_ours" "$PULL_dist" "$(ratio "$PULL_ours" "$PULL_dist")"
row "idle RSS MiB" "$IDLE_RSS_ours" "$IDLE_RSS_dist" "$(ratio "$IDLE_RSS_ours" "$IDLE_RSS_dist")"
row "idle RSS, private part (RssAnon) MiB" "$IDLE_ANON_ours" "$IDLE_ANON_dist" "$(ratio "$IDLE_ANON_ours" "$IDLE_ANON_dist")"
row "RSS under wrk load MiB" "$LOAD_RSS_ours" "$LOAD_RSS_dist" "$(ratio "$LOAD_RSS_ours" "$LOAD_RSS_dist")"
row "cold start to first 200 ms (median)" "$COLD_ours" "$COLD_dist" "$(ratio "$COLD_ours" "$COLD_dist")"
row "cold start to first 200 ms (fastest)" "$COLD_MIN_ours" "$COLD_MIN_dist" "$(ratio "$COLD_MIN_ours" "$COLD_MIN_dist")"
row "100 GETs + 100 PUTs at once: errors" "$CONC_ERRORS_ours" "$CONC_ERRORS_dist" "-"
row "100 GETs + 100 PUTs at once: seconds" "$CONC_SECONDS_ours" "$CONC_SECONDS_dist" "$(ratio "$CONC_SECONDS_ours" "$CONC_SECONDS_dist")"
row "sha256 MB/s (openssl, 1 core)" "$SHA_MBPS" "-" "-"
row "dd write, then fsync MB/s ($BIG)" "$DISK_MBPS" "-" "-"
PUT_VS_SHA=$(awk -v a="$PUT_ours" -v b="$SHA_MBPS" 'BEGIN { printf "%.0f", 100 * a / b }')
percent() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f%%", 100 * a / b }'; }
row "blob PUT / sha256" "${PUT_VS_SHA}%" "$(percent "$PUT_dist" "$SHA_MBPS")" "-"
row "blob PUT / dd write, then fsync" "$(percent "$PUT_ours" "$DISK_MBPS")" "$(percent "$PUT_dist" "$DISK_MBPS")" "-"
echo "(rows in seconds, ms, MiB or CPU s: lower is better)"

RPS_RATIO=$(ratio "$RPS_ours" "$RPS_dist")
GET_RATIO=$(ratio "$GET_ours" "$GET_dist")
PUT_RATIO=$(ratio "$PUT_ours" "$PUT_dist")
# Push and pull are times: the speed ratio is theirs/ours.
PUSH_RATIO=$(ratio "$PUSH_dist" "$PUSH_ours")
PULL_RATIO=$(ratio "$PULL_dist" "$PULL_ours")
target() { printf '  %-52s %-22s %s\n' "$1" "$2" "$3"; }
echo
echo "targets:"
target "manifest GET >= 10x distribution" "${RPS_RATIO}x" "$(verdict "$RPS_RATIO" ">=" 10)"
target "manifest GET p99 < 5 ms" "$P99_ours ms" "$(verdict "$P99_ours" "<" 5)"
target "blob GET >= 1.2x distribution" "${GET_RATIO}x" "$(verdict "$GET_RATIO" ">=" 1.2)"
target "blob PUT >= 2x distribution" "${PUT_RATIO}x" "$(verdict "$PUT_RATIO" ">=" 2)"
target "blob PUT >= 60% of sha256 (1 core)" "${PUT_VS_SHA}%" "$(verdict "$PUT_VS_SHA" ">=" 60)"
target "skopeo push >= 1.0x distribution (speed)" "${PUSH_RATIO}x" "$(verdict "$PUSH_RATIO" ">=" 1)"
target "skopeo pull >= 1.0x distribution (speed)" "${PULL_RATIO}x" "$(verdict "$PULL_RATIO" ">=" 1)"
target "idle RSS <= distribution's" "$IDLE_RSS_ours MiB vs $IDLE_RSS_dist MiB" "$(verdict "$IDLE_RSS_ours" "<=" "$IDLE_RSS_dist")"
target "cold start < 40 ms (median of 10)" "$COLD_ours ms" "$(verdict "$COLD_ours" "<" 40)"
target "100 concurrent pulls + pushes: 0 errors" "$CONC_ERRORS_ours errors" "$(verdict "$CONC_ERRORS_ours" "==" 0)"
if [ -n "$OCITOOL_STATIC" ]; then
    echo
    echo "static binary (scripts/release.sh: Swift runtime and Foundation linked in) against the dynamic one:"
    row4() { printf '%-40s %10s %10s %14s %10s\n' "$@"; }
    row4 "measure" "static" "dynamic" "distribution" "static/dyn"
    row4 "idle RSS MiB" "$IDLE_RSS_static" "$IDLE_RSS_ours" "$IDLE_RSS_dist" "$(ratio "$IDLE_RSS_static" "$IDLE_RSS_ours")"
    row4 "idle RSS, private part (RssAnon) MiB" "$IDLE_ANON_static" "$IDLE_ANON_ours" "$IDLE_ANON_dist" "$(ratio "$IDLE_ANON_static" "$IDLE_ANON_ours")"
    row4 "cold start to first 200 ms (median)" "$COLD_static" "$COLD_ours" "$COLD_dist" "$(ratio "$COLD_static" "$COLD_ours")"
    row4 "cold start to first 200 ms (fastest)" "$COLD_MIN_static" "$COLD_MIN_ours" "$COLD_MIN_dist" "$(ratio "$COLD_MIN_static" "$COLD_MIN_ours")"
    row4 "manifest GET req/s (wrk -c32)" "$RPS_static" "$RPS_ours" "$RPS_dist" "$(ratio "$RPS_static" "$RPS_ours")"
    row4 "manifest GET p99 ms" "$P99_static" "$P99_ours" "$P99_dist" "$(ratio "$P99_static" "$P99_ours")"
    row4 "RSS under wrk load MiB" "$LOAD_RSS_static" "$LOAD_RSS_ours" "$LOAD_RSS_dist" "$(ratio "$LOAD_RSS_static" "$LOAD_RSS_ours")"
    echo "  idle RSS difference, static - dynamic: $(awk -v a="$IDLE_RSS_static" -v b="$IDLE_RSS_ours" 'BEGIN { printf "%+.1f MiB", a - b }')"
    STATIC_RPS_RATIO=$(ratio "$RPS_static" "$RPS_ours")
    STATIC_COLD_RATIO=$(ratio "$COLD_ours" "$COLD_static")
    target "static manifest GET >= 0.95x dynamic (noise)" "${STATIC_RPS_RATIO}x" "$(verdict "$STATIC_RPS_RATIO" ">=" 0.95)"
    target "static cold start >= 0.95x dynamic (speed)" "${STATIC_COLD_RATIO}x" "$(verdict "$STATIC_COLD_RATIO" ">=" 0.95)"
    target "static idle RSS <= dynamic's" "$IDLE_RSS_static MiB vs $IDLE_RSS_ours MiB" "$(verdict "$IDLE_RSS_static" "<=" "$IDLE_RSS_ours")"
fi
echo
echo "# load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
