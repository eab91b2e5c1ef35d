#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Signature benchmark. Not a test: it prints numbers and PASS/MISS against a target, and exits 0 either way
# unless something breaks.
#
#   bash bench/trust.sh [PATH/TO/ocitool]   (or OCITOOL=...; default: swift build -c release)
#   BENCH_IMAGES=1000 (images signed and verified), BENCH_DURATION=10 (seconds of each wrk run)
#
# Content: BENCH_IMAGES small images (one 1 KiB layer each) written straight into one OCI layout by Python,
# and a cosign key pair from `ocitool key generate`.
# Measures:
#   ocitool sign / verify of every image in the layout, one process each (so a signature costs a process
#     start and, for sign, the key's scrypt (N=65536) as well): time per operation, p50 and p99;
#   the same through `ocitool serve` (the layout copied in with `ocitool copy`, then docker:// references);
#   manifest GET by tag with wrk -t2 -c32 --latency against two `ocitool serve` over the same store, one with
#     a `trust:` policy over every repository, one without: req/s of each and their ratio. Target: the policy
#     costs under 10% of the throughput once verdicts are cached (ratio >= 0.90).
# The machine's other load is not controlled: run it on a quiet machine for figures worth comparing.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
IMAGES=${BENCH_IMAGES:-1000}
DURATION=${BENCH_DURATION:-10}

OCITOOL=${1:-${OCITOOL:-}}
if [ -z "$OCITOOL" ]; then
    echo "# building release binary (swift build -c release)"
    (cd "$ROOT" && swift build -c release --product ocitool >/dev/null)
    OCITOOL="$(cd "$ROOT" && swift build -c release --show-bin-path)/ocitool"
fi
[ -x "$OCITOOL" ] || { echo "error: $OCITOOL is not an executable" >&2; exit 2; }
for tool in wrk python3 curl; do
    command -v "$tool" >/dev/null || { echo "error: $tool is required" >&2; exit 2; }
done

T=$(mktemp -d "${TMPDIR:-/tmp}/ocitool-bench-trust.XXXXXX")
servers=()
cleanup() {
    for pid in "${servers[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$T"
}
trap cleanup EXIT
export COSIGN_PASSWORD=bench

# serve ROOT [CONFIG]: an `ocitool serve` on a free port; sets REGISTRY.
serve() {
    local log="$T/serve-$RANDOM.log"
    "$OCITOOL" serve --root "$1" --port 0 --log-level error ${2:+--config "$2"} >"$log" 2>&1 &
    servers+=($!)
    for _ in $(seq 1 100); do
        REGISTRY=$(sed -n 's|^serving .* at http://\([^/]*\)/v2/$|\1|p' "$log" | head -n 1)
        [ -n "$REGISTRY" ] && return 0
        sleep 0.1
    done
    cat "$log" >&2
    return 1
}

# timed NAME COMMAND... (COMMAND gets each tag as its last argument): runs it for every image, prints the
# time per operation (mean, p50, p99) in milliseconds.
timed() {
    local name=$1
    shift
    : >"$T/times"
    for i in $(seq 1 "$IMAGES"); do
        local start end
        start=$(date +%s%N)
        "$@" "$i" >/dev/null 2>"$T/err" || { cat "$T/err" >&2; return 1; }
        end=$(date +%s%N)
        echo $(((end - start) / 1000)) >>"$T/times"
    done
    python3 - "$name" "$T/times" <<'PY'
import sys
name, path = sys.argv[1], sys.argv[2]
times = sorted(int(line) / 1000 for line in open(path))
pick = lambda q: times[min(len(times) - 1, int(q * len(times)))]
print(f"{name:<34} {len(times):>5} ops  mean {sum(times) / len(times):7.1f} ms  p50 {pick(0.50):7.1f} ms  p99 {pick(0.99):7.1f} ms")
PY
}

echo "# $IMAGES images, ocitool at $OCITOOL"
python3 - "$T/layout" "$IMAGES" <<'PY'
import hashlib, json, os, sys
root, count = sys.argv[1], int(sys.argv[2])
os.makedirs(f"{root}/blobs/sha256", exist_ok=True)
def blob(data):
    digest = hashlib.sha256(data).hexdigest()
    with open(f"{root}/blobs/sha256/{digest}", "wb") as f:
        f.write(data)
    return {"digest": "sha256:" + digest, "size": len(data)}
entries = []
for i in range(1, count + 1):
    layer = blob(os.urandom(1024))
    config = blob(json.dumps({"architecture": "amd64", "os": "linux",
                              "rootfs": {"type": "layers", "diff_ids": [layer["digest"]]}}).encode())
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": dict(config, mediaType="application/vnd.oci.image.config.v1+json"),
                "layers": [dict(layer, mediaType="application/vnd.oci.image.layer.v1.tar")]}
    entry = blob(json.dumps(manifest).encode())
    entries.append(dict(entry, mediaType=manifest["mediaType"],
                        annotations={"org.opencontainers.image.ref.name": str(i)}))
json.dump({"imageLayoutVersion": "1.0.0"}, open(f"{root}/oci-layout", "w"))
json.dump({"schemaVersion": 2, "manifests": entries}, open(f"{root}/index.json", "w"))
PY
"$OCITOOL" key generate --output-prefix "$T/cosign" >/dev/null

sign_layout() { "$OCITOOL" sign --key "$T/cosign.key" --format legacy --identity bench.example/app "$T/layout:$1"; }
verify_layout() { "$OCITOOL" verify --key "$T/cosign.pub" --identity bench.example/app "$T/layout:$1"; }
timed "sign (layout, legacy)" sign_layout
timed "verify (layout)" verify_layout

mkdir -p "$T/store"
serve "$T/store"
R=$REGISTRY
for i in $(seq 1 "$IMAGES"); do
    "$OCITOOL" copy --no-referrers "$T/layout:$i" "docker://$R/app:$i" >/dev/null
done
sign_remote() { "$OCITOOL" sign --plain-http --key "$T/cosign.key" --format legacy "docker://$R/app:$1"; }
verify_remote() { "$OCITOOL" verify --plain-http --key "$T/cosign.pub" "docker://$R/app:$1"; }
timed "sign (ocitool serve, legacy)" sign_remote
timed "verify (ocitool serve)" verify_remote

cat >"$T/trust.yaml" <<YAML
trust:
  - repositories: ["**"]
    keys: ["$T/cosign.pub"]
YAML
serve "$T/store"
PLAIN=$REGISTRY
serve "$T/store" "$T/trust.yaml"
GATED=$REGISTRY
accept='Accept: application/vnd.oci.image.manifest.v1+json'
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "$accept" "http://$GATED/v2/app/manifests/1")" = 200 ] ||
    { echo "error: the gated server does not serve a signed image" >&2; exit 1; }
rate() {
    wrk -t2 -c32 -d"${DURATION}s" --latency -H "$accept" "http://$1/v2/app/manifests/1" |
        awk '/Requests\/sec/ {print $2}'
}
rate "$PLAIN" >/dev/null # warm-up
without=$(rate "$PLAIN")
with=$(rate "$GATED")
python3 - "$without" "$with" <<'PY'
import sys
without, gated = float(sys.argv[1]), float(sys.argv[2])
ratio = gated / without
print(f"manifest GET by tag: without a policy {without:,.0f} req/s, with a trust policy {gated:,.0f} req/s")
print(f"ratio {ratio:.2f} (target >= 0.90): {'PASS' if ratio >= 0.90 else 'MISS'}")
PY
