#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Vulnerability database, SBOM and image scan benchmark (not a test: it prints numbers and PASS/MISS against
# the targets, and exits 0 either way unless something breaks).
#
#   bash bench/scan.sh [PATH/TO/ocitool]      (or OCITOOL=...; default: swift build -c release)
#   BENCH_RECORDS=20000 BENCH_IMAGE_SIZE=64M bash bench/scan.sh ...  (smaller inputs, to try the script quickly)
#
# Inputs, generated once with fixed seeds and cached in bench/.cache/:
#   - a synthetic OSV database of $BENCH_RECORDS records (default 120,000) spread over Debian:12,
#     Alpine:v3.19, PyPI, npm, Go and Maven, as OSV publishes them: one all.zip per ecosystem of one
#     JSON record each (ids, ranges, CVSS vectors, aliases of the real shapes), made by Python's zipfile;
#   - a real Debian image: the `debootstrap --variant=minbase bookworm` root of the day (scripts/debootstrap-root.sh
#     makes it when absent, which needs root and the network to the Debian mirror; without them this part is
#     skipped), tarred into one gzip layer (level 6, as docker writes layers) of an OCI layout;
#   - a synthetic image of about $BENCH_IMAGE_SIZE (default 1G) uncompressed in four gzip layers
#     (bench/scan_image.py): a Debian base with a dpkg status of 400 packages and many small files, 300 Python
#     distributions, a node_modules of 400 packages with its lockfile, and incompressible data files.
# Measures:
#   (a) ocitool db import of all six zips into a fresh database: wall time, peak RSS, size on disk;
#   (b) the same import again (every record unchanged: the incremental path);
#   (c) ocitool scan --sbom of a CycloneDX SBOM of about 5,000 packages of those ecosystems (random
#       versions, so some fall inside a record's range): wall time and peak RSS, and the findings count;
#   (d) for each image: the floor, decompressing every layer once (`gzip -dc LAYER | tar -t >/dev/null`), then
#       `ocitool sbom --no-cache` and `ocitool scan --no-cache` (with the database of (a)), each as a ratio of the
#       floor (target: at most 1.3x, PASS/MISS) with its peak RSS (target: under 100 MiB); then a rescan with
#       the layers' catalogs cached (target: under 100 ms).
# Each line gives wall time, CPU time (user + system: what to compare on a machine shared with other work) and
# peak RSS of the process tree (getrusage of the children). The page cache cannot be dropped here, so the image
# commands run once to warm it and are then measured on $BENCH_RUNS more runs (default 3); the fastest counts.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=$ROOT/bench/.cache
RECORDS=${BENCH_RECORDS:-120000}
IMAGE_SIZE=${BENCH_IMAGE_SIZE:-1G}
RUNS=${BENCH_RUNS:-3}

# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
bench_ocitool "${1:-}"
require_tools python3 bc gzip tar

OSV=$CACHE/osv-$RECORDS
mkdir -p "$CACHE"
if [ ! -s "$OSV/sbom.cdx.json" ]; then
    echo "# generating $RECORDS synthetic OSV records in $OSV (once)"
    mkdir -p "$OSV"
    python3 - "$OSV" "$RECORDS" <<'PY'
import json, random, sys, zipfile
out, total = sys.argv[1], int(sys.argv[2])
rng = random.Random(42)
ecosystems = {
    "Debian:12": lambda a, b, c: f"{a}.{b}.{c}-{rng.randint(1, 9)}",
    "Alpine:v3.19": lambda a, b, c: f"{a}.{b}.{c}-r{rng.randint(0, 9)}",
    "PyPI": lambda a, b, c: f"{a}.{b}.{c}",
    "npm": lambda a, b, c: f"{a}.{b}.{c}",
    "Go": lambda a, b, c: f"{a}.{b}.{c}",
    "Maven": lambda a, b, c: f"{a}.{b}.{c}",
}
vectors = ["CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "CVSS:3.1/AV:N/AC:H/PR:L/UI:R/S:U/C:L/I:L/A:N",
           "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"]
names = {e: [f"pkg{i}" if e != "Maven" else f"org.example{i % 50}:lib{i}" for i in range(4000)] for e in ecosystems}
per = total // len(ecosystems)
components = []
for e, version in ecosystems.items():
    prefix = e.split(":")[0].upper()
    with zipfile.ZipFile(f"{out}/{prefix}-all.zip", "w", zipfile.ZIP_DEFLATED) as z:
        for n in range(per):
            id = f"{prefix}-2026-{n:06d}"
            name = rng.choice(names[e])
            a, b = rng.randint(0, 5), rng.randint(0, 20)
            record = {"id": id, "modified": f"2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}T00:00:00Z",
                      "published": "2026-01-01T00:00:00Z", "aliases": [f"CVE-2026-{n + 100000 * len(prefix)}"],
                      "summary": f"synthetic vulnerability {n} in {name}", "details": "x" * rng.randint(100, 800),
                      "severity": [{"type": vectors[n % 4][:8].replace("CVSS:3.1", "CVSS_V3").replace("CVSS:4.0", "CVSS_V4"), "score": vectors[n % 4]}],
                      "affected": [{"package": {"ecosystem": e, "name": name},
                                    "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": version(a, b, 0)}, {"fixed": version(a, b + 1, 0)}]}]}]}
            z.writestr(f"{id}.json", json.dumps(record))
    for i in range(5000 // len(ecosystems)):
        name = names[e][i]
        v = version(rng.randint(0, 5), rng.randint(0, 20), 3)
        if e.startswith("Debian"):
            purl = f"pkg:deb/debian/{name}@{v}?distro=debian-12"
        elif e.startswith("Alpine"):
            purl = f"pkg:apk/alpine/{name}@{v}?distro=alpine-3.19.1"
        elif e == "Maven":
            group, artifact = name.split(":")
            purl = f"pkg:maven/{group}/{artifact}@{v}"
        else:
            purl = f"pkg:{ {'PyPI': 'pypi', 'npm': 'npm', 'Go': 'golang'}[e] }/{name}@{v}"
        components.append({"type": "library", "name": name, "version": v, "purl": purl})
with open(f"{out}/sbom.cdx.json", "w") as f:
    json.dump({"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1, "components": components}, f)
PY
fi

WORK=$(mktemp -d "$CACHE/work.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
# The timer: runs a command, its stdout in $WORK/out and stderr in $WORK/err; writes "WALL USER SYSTEM MAXRSS_KIB"
# (seconds, KiB) to $WORK/time. Peak RSS is the largest of the command's process tree (RUSAGE_CHILDREN).
cat >"$WORK/timer.py" <<'PY'
import resource, subprocess, sys, time
out, err, record, command = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
with open(out, "wb") as stdout, open(err, "wb") as stderr:
    start = time.perf_counter()
    status = subprocess.call(command, stdout=stdout, stderr=stderr, stdin=subprocess.DEVNULL)
    wall = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
with open(record, "w") as f:
    f.write(f"{wall:.4f} {usage.ru_utime:.4f} {usage.ru_stime:.4f} {usage.ru_maxrss}\n")
sys.exit(status)
PY
# run_once COMMAND...: runs it under the timer; sets WALL, CPU (seconds) and RSS (MiB); exits on failure.
run_once() {
    python3 "$WORK/timer.py" "$WORK/out" "$WORK/err" "$WORK/time" "$@" || { cat "$WORK/err" >&2; exit 1; }
    local user system kib
    read -r WALL user system kib <"$WORK/time"
    CPU=$(echo "$user + $system" | bc -l)
    RSS=$(echo "$kib / 1024" | bc -l)
}
report() { # label: prints the last run's figures
    printf '%-44s %8.3f s wall  %8.3f s CPU  %7.1f MiB peak RSS\n' "$1" "$WALL" "$CPU" "$RSS"
}
measure() { # label, command...: one run
    local label=$1; shift
    run_once "$@"
    report "$label"
}
best() { # label, command...: one warm-up run, then the fastest (wall) of $RUNS runs, with that run's CPU and RSS
    local label=$1 run wall cpu rss; shift
    run_once "$@"
    for run in $(seq 1 "$RUNS"); do
        run_once "$@"
        if [ "$run" -eq 1 ] || [ "$(echo "$WALL < $wall" | bc -l)" -eq 1 ]; then wall=$WALL cpu=$CPU rss=$RSS; fi
    done
    WALL=$wall CPU=$cpu RSS=$rss
    report "$label"
}

echo "# $(nproc) cores; $RECORDS records in $(ls "$OSV"/*.zip | wc -l) zips ($(du -ch "$OSV"/*.zip | tail -1 | cut -f1))"
measure "db import (fresh, $RECORDS records)" "$OCITOOL" db import --db "$WORK/vuln.db" "$OSV"/*.zip
tail -1 "$WORK/out"
echo "database size on disk: $(du -h "$WORK/vuln.db" | cut -f1)"
measure "db import again (all unchanged)" "$OCITOOL" db import --db "$WORK/vuln.db" "$OSV"/*.zip
tail -1 "$WORK/out"
measure "scan --sbom (5,000 packages)" "$OCITOOL" scan --sbom "$OSV/sbom.cdx.json" --db "$WORK/vuln.db" --format json
python3 -c "import json,sys; r=json.load(open(sys.argv[1]))[0]; print('findings:', len(r['findings']), 'packages scanned:', r['packagesScanned'])" "$WORK/out"

# --- (d) images: sbom and scan against the floor of decompressing their layers once -----------------------
# layers LAYOUT: the paths of the layer blobs of the layout's only image.
layers() {
    python3 - "$1" <<'PY'
import json, sys
root = sys.argv[1]
def blob(digest):
    return f"{root}/blobs/{digest.replace(':', '/')}"
index = json.load(open(f"{root}/index.json"))
manifest = json.load(open(blob(index["manifests"][0]["digest"])))
print("\n".join(blob(layer["digest"]) for layer in manifest["layers"]))
PY
}
verdict() { # value, limit: PASS when value <= limit
    if [ "$(echo "$1 <= $2" | bc -l)" -eq 1 ]; then echo PASS; else echo MISS; fi
}
# bench_image TITLE LAYOUT:TAG: the floor, sbom and scan cold, then the cached rescan.
bench_image() {
    local title=$1 reference=$2 layout=${2%:*} floor floor_cpu zlib list
    mapfile -t list < <(layers "$layout")
    echo
    echo "## $title: ${#list[@]} gzip layer(s), $(du -cbL "${list[@]}" | tail -1 | cut -f1 | numfmt --to=iec-i)B compressed," \
        "$(for l in "${list[@]}"; do gzip -dc "$l"; done | wc -c | numfmt --to=iec-i)B uncompressed," \
        "$(for l in "${list[@]}"; do gzip -dc "$l" | tar -t; done | wc -l) tar entries"
    best "floor: gzip -dc LAYER | tar -t" bash -c 'for l in "$@"; do gzip -dc "$l" | tar -t >/dev/null; done' _ "${list[@]}"
    floor=$WALL floor_cpu=$CPU
    # GNU gzip inflates more slowly than zlib, which ocitool uses: zlib alone (no tar, no hash) is the stricter
    # reference, printed for information.
    best "  for information: zlib inflate alone" python3 -c '
import sys, zlib
for path in sys.argv[1:]:
    inflater = zlib.decompressobj(31)
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            inflater.decompress(chunk)' "${list[@]}"
    zlib=$WALL
    best "sbom --no-cache --format spdx-json" "$OCITOOL" sbom --no-cache --format spdx-json "$reference"
    python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print('  packages in the SBOM:', len(d['packages']))" "$WORK/out"
    printf '  %.2fx the floor (CPU %.2fx; %.2fx zlib alone): %s (target <= 1.3x); peak RSS %.1f MiB: %s (target < 100 MiB)\n' \
        "$(echo "$WALL / $floor" | bc -l)" "$(echo "$CPU / $floor_cpu" | bc -l)" "$(echo "$WALL / $zlib" | bc -l)" \
        "$(verdict "$WALL" "$(echo "$floor * 1.3" | bc -l)")" "$RSS" "$(verdict "$RSS" 99.999)"
    best "scan --no-cache --format json" "$OCITOOL" scan --no-cache --db "$WORK/vuln.db" --format json "$reference"
    python3 -c "import json,sys; r=json.load(open(sys.argv[1]))[0]; print('  findings:', len(r['findings']), 'packages scanned:', r['packagesScanned'], 'not scanned:', len(r['packagesNotScanned']))" "$WORK/out"
    printf '  %.2fx the floor (CPU %.2fx; %.2fx zlib alone): %s (target <= 1.3x); peak RSS %.1f MiB: %s (target < 100 MiB)\n' \
        "$(echo "$WALL / $floor" | bc -l)" "$(echo "$CPU / $floor_cpu" | bc -l)" "$(echo "$WALL / $zlib" | bc -l)" \
        "$(verdict "$WALL" "$(echo "$floor * 1.3" | bc -l)")" "$RSS" "$(verdict "$RSS" 99.999)"
    rm -rf "$layout/.ocitool/catalog"
    best "scan, layers cached (rescan)" "$OCITOOL" scan --db "$WORK/vuln.db" --format json "$reference"
    printf '  %.0f ms: %s (target < 100 ms)\n' "$(echo "$WALL * 1000" | bc -l)" "$(verdict "$WALL" 0.09999)"
}

# The Debian image: the cached minbase root of the day, one gzip layer.
if ROOTFS=$(bash "$ROOT/scripts/debootstrap-root.sh" bookworm 2>"$WORK/err"); then
    cat "$WORK/err"
    DEBIAN=$CACHE/scan-$(basename "$ROOTFS")
    if [ ! -s "$DEBIAN/index.json" ]; then
        echo "# making $DEBIAN from $ROOTFS (once)"
        rm -rf "$CACHE"/scan-debootstrap-*
        mkdir -p "$DEBIAN.part"
        # As an image holds it: no mounts' contents, numeric owners, stable order.
        tar --numeric-owner --sort=name --exclude='./proc/*' --exclude='./sys/*' --exclude='./dev/*' \
            -C "$ROOTFS" -cf - . | gzip -6 -n >"$DEBIAN.part/layer.tar.gz"
        python3 "$ROOT/bench/scan_image.py" layout "$DEBIAN.part" --tag bookworm "$DEBIAN.part/layer.tar.gz"
        rm "$DEBIAN.part/layer.tar.gz"
        mv "$DEBIAN.part" "$DEBIAN"
    fi
    bench_image "Debian bookworm minbase (debootstrap)" "$DEBIAN:bookworm"
else
    echo
    echo "## Debian bookworm minbase: skipped ($(tail -n 1 "$WORK/err"))"
fi

# The synthetic image of $IMAGE_SIZE.
BIG=$CACHE/scan-synthetic-$IMAGE_SIZE
if [ ! -s "$BIG/index.json" ]; then
    echo "# generating $BIG (once)"
    rm -rf "$BIG" "$BIG.layers"
    python3 "$ROOT/bench/scan_image.py" synthetic "$BIG.layers" --size "$IMAGE_SIZE"
    python3 "$ROOT/bench/scan_image.py" layout "$BIG.part" --tag synthetic "$BIG.layers"/layer-*.tar.gz
    rm -rf "$BIG.layers"
    mv "$BIG.part" "$BIG"
fi
bench_image "synthetic image of $IMAGE_SIZE" "$BIG:synthetic"
