#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Signature benchmark. Not a test: it prints numbers and PASS/MISS against a target, and exits 0 either way
# unless something breaks.
#
#   bash bench/trust.sh [PATH/TO/ocitool]   (or OCITOOL=...; default: swift build -c release)
#   BENCH_IMAGES=1000 (images signed and verified in one process), BENCH_SAMPLE=50 (images signed and
#   verified one process each), BENCH_DURATION=10 (seconds of each wrk run)
#
# Content: BENCH_IMAGES + BENCH_SAMPLE small images (one 1 KiB layer each) written straight into one OCI layout by
# Python, and a cosign key pair from `ocitool key generate`.
# Measures:
#   the floor: one core's ECDSA P-256 sign and verify rate (`openssl speed ecdsap256`), and a process start
#     (`ocitool --version`);
#   ocitool sign / verify of BENCH_IMAGES images in ONE process each (`ocitool sign IMAGE...`: the key's scrypt
#     (N=65536) once), timed per image from the result lines as they arrive (time.monotonic() per line; the
#     first line, which carries the process start and the key, is shown apart): mean, p50, p99;
#   a sample of BENCH_SAMPLE other images signed and verified one process each, so the process start and, for
#     sign, the scrypt are shown per operation;
#   the same through `ocitool serve` (the layout synced in with `ocitool sync`, then docker:// references);
#   manifest GET by tag with wrk -t2 -c32 --latency against two `ocitool serve` over the same store, one with
#     a `trust:` policy over every repository, one without: req/s of each and their ratio. Target: the policy
#     costs under 10% of the throughput once verdicts are cached (ratio >= 0.90).
# The machine's other load is not controlled: run it on a quiet machine for figures worth comparing.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
IMAGES=${BENCH_IMAGES:-1000}
SAMPLE=${BENCH_SAMPLE:-50}
DURATION=${BENCH_DURATION:-10}

# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
bench_ocitool "${1:-}"
require_tools wrk python3 curl openssl

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

# stats NAME FILE: mean, p50 and p99 of the times in FILE (microseconds, one a line), in milliseconds.
stats() {
    python3 - "$@" <<'PY'
import sys
name, path = sys.argv[1], sys.argv[2]
times = sorted(int(line) / 1000 for line in open(path) if line.strip())
pick = lambda q: times[min(len(times) - 1, int(q * len(times)))]
print(f"{name:<48} {len(times):>5} ops  mean {sum(times) / len(times):8.2f} ms  p50 {pick(0.50):8.2f} ms  p99 {pick(0.99):8.2f} ms")
PY
}

# batch NAME PREFIX COMMAND...: runs COMMAND once (it handles every image), stamps each stdout line starting
# with PREFIX as it arrives, and prints the time per image (the gap between two result lines), the first line
# (process start, key and the first image) apart, and the whole run.
batch() {
    python3 - "$@" <<'PY'
import subprocess, sys, tempfile, time
name, prefix, command = sys.argv[1], sys.argv[2], sys.argv[3:]
errors = tempfile.TemporaryFile(mode="w+")
start = time.monotonic()
process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, text=True)
stamps = [time.monotonic() for line in process.stdout if line.startswith(prefix)]
if process.wait() != 0:
    errors.seek(0)
    sys.exit(f"error: {name} failed ({process.returncode}): {errors.read().strip()}")
end = time.monotonic()
gaps = sorted((b - a) * 1000 for a, b in zip(stamps, stamps[1:]))
pick = lambda q: gaps[min(len(gaps) - 1, int(q * len(gaps)))]
print(f"{name:<48} {len(gaps):>5} ops  mean {sum(gaps) / len(gaps):8.2f} ms  p50 {pick(0.50):8.2f} ms  p99 {pick(0.99):8.2f} ms")
print(f"{'':<48} first result {(stamps[0] - start) * 1000:.0f} ms after start; {len(stamps)} images in "
      f"{end - start:.1f} s ({len(stamps) / (end - start):.0f}/s)")
PY
}

# each NAME COMMAND... (COMMAND gets each sample tag as its last argument): one process per image.
each() {
    local name=$1
    shift
    : >"$T/times"
    for i in $(seq $((IMAGES + 1)) $((IMAGES + SAMPLE))); do
        local start end
        start=$(date +%s%N)
        "$@" "$i" >/dev/null 2>"$T/err" || { cat "$T/err" >&2; return 1; }
        end=$(date +%s%N)
        echo "$(((end - start) / 1000))" >>"$T/times"
    done
    stats "$name" "$T/times"
}

echo "# $IMAGES images in one process, $SAMPLE one process each; ocitool at $OCITOOL"
echo "## floor"
openssl speed -seconds 3 ecdsap256 2>/dev/null | python3 -c '
import sys
for line in sys.stdin:
    if "nistp256" in line:
        sign, verify = (float(x) for x in line.split()[-2:])
        print(f"openssl speed ecdsap256 (one core): {sign:,.0f} sign/s ({1000 / sign:.3f} ms), {verify:,.0f} verify/s ({1000 / verify:.3f} ms)")'
: >"$T/times"
for _ in $(seq 1 20); do
    start=$(date +%s%N)
    "$OCITOOL" --version >/dev/null
    end=$(date +%s%N)
    echo "$(((end - start) / 1000))" >>"$T/times"
done
stats "process start (ocitool --version)" "$T/times"

python3 - "$T/layout" "$((IMAGES + SAMPLE))" <<'PY'
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

# The registry gets the unsigned images first (one `ocitool sync`), so both sides start alike.
mkdir -p "$T/store"
serve "$T/store"
R=$REGISTRY
"$OCITOOL" sync --plain-http --no-referrers "$T/layout" "docker://$R/app" >/dev/null

layout_images=()
remote_images=()
for i in $(seq 1 "$IMAGES"); do
    layout_images+=("$T/layout:$i")
    remote_images+=("docker://$R/app:$i")
done

echo "## layout"
batch "sign (layout, legacy, one process)" "signed " \
    "$OCITOOL" sign --key "$T/cosign.key" --format legacy --identity bench.example/app "${layout_images[@]}"
batch "verify (layout, one process)" "verified: " \
    "$OCITOOL" verify --key "$T/cosign.pub" --identity bench.example/app "${layout_images[@]}"
sign_layout() { "$OCITOOL" sign --key "$T/cosign.key" --format legacy --identity bench.example/app "$T/layout:$1"; }
verify_layout() { "$OCITOOL" verify --key "$T/cosign.pub" --identity bench.example/app "$T/layout:$1"; }
each "sign (layout, legacy, process per image)" sign_layout
each "verify (layout, process per image)" verify_layout

echo "## ocitool serve"
batch "sign (ocitool serve, legacy, one process)" "signed " \
    "$OCITOOL" sign --plain-http --key "$T/cosign.key" --format legacy "${remote_images[@]}"
batch "verify (ocitool serve, one process)" "verified: " \
    "$OCITOOL" verify --plain-http --key "$T/cosign.pub" "${remote_images[@]}"
sign_remote() { "$OCITOOL" sign --plain-http --key "$T/cosign.key" --format legacy "docker://$R/app:$1"; }
verify_remote() { "$OCITOOL" verify --plain-http --key "$T/cosign.pub" "docker://$R/app:$1"; }
each "sign (ocitool serve, legacy, process per image)" sign_remote
each "verify (ocitool serve, process per image)" verify_remote

echo "## manifest GET with and without a trust policy"
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
rate "$GATED" >/dev/null # warm-up (the verdict is cached from here on)
without=$(rate "$PLAIN")
with=$(rate "$GATED")
python3 - "$without" "$with" <<'PY'
import sys
without, gated = float(sys.argv[1]), float(sys.argv[2])
ratio = gated / without
print(f"manifest GET by tag: without a policy {without:,.0f} req/s, with a trust policy {gated:,.0f} req/s")
print(f"ratio {ratio:.2f} (target >= 0.90): {'PASS' if ratio >= 0.90 else 'MISS'}")
PY
