#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Vulnerability database and matching benchmark (not a test: it prints numbers and exits 0 unless
# something breaks).
#
#   bash bench/scan.sh [PATH/TO/ocitool]      (or OCITOOL=...; default: swift build -c release)
#   BENCH_RECORDS=20000 bash bench/scan.sh ...  (a smaller database, to try the script quickly)
#
# Input: a synthetic OSV database of $BENCH_RECORDS records (default 120,000) spread over Debian:12,
# Alpine:v3.19, PyPI, npm, Go and Maven, as OSV publishes them: one all.zip per ecosystem of one
# JSON record each (ids, ranges, CVSS vectors, aliases of the real shapes), generated once with a
# fixed seed by Python's zipfile and cached in bench/.cache/.
# Measures:
#   (a) ocitool db import of all six zips into a fresh database: wall time, peak RSS, size on disk;
#   (b) the same import again (every record unchanged: the incremental path);
#   (c) ocitool scan --sbom of a CycloneDX SBOM of about 5,000 packages of those ecosystems (random
#       versions, so some fall inside a record's range): wall time and peak RSS, and the findings count.
# Each line gives wall time, CPU time (user + system: what to compare on a machine shared with other
# work) and peak RSS.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=$ROOT/bench/.cache
RECORDS=${BENCH_RECORDS:-120000}

OCITOOL=${1:-${OCITOOL:-}}
if [ -z "$OCITOOL" ]; then
    echo "# building release binary (swift build -c release)"
    (cd "$ROOT" && swift build -c release --product ocitool >/dev/null)
    OCITOOL="$(cd "$ROOT" && swift build -c release --show-bin-path)/ocitool"
fi
[ -x "$OCITOOL" ] || { echo "error: $OCITOOL is not an executable" >&2; exit 2; }
for tool in python3 /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "error: $tool is required (apt-get install time python3)" >&2; exit 2; }
done

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
measure() { # label, command...: prints wall seconds, CPU seconds and peak RSS
    local label=$1; shift
    /usr/bin/time -f "%e %U %S %M" -o "$WORK/time" "$@" >"$WORK/out" 2>"$WORK/err" || { cat "$WORK/err" >&2; exit 1; }
    read -r seconds user system kib <"$WORK/time"
    printf '%-40s %8.2f s wall  %8.2f s CPU  %7.1f MiB peak RSS\n' "$label" "$seconds" \
        "$(echo "$user + $system" | bc -l)" "$(echo "$kib / 1024" | bc -l)"
}

echo "# $(nproc) cores; $RECORDS records in $(ls "$OSV"/*.zip | wc -l) zips ($(du -ch "$OSV"/*.zip | tail -1 | cut -f1))"
measure "db import (fresh, $RECORDS records)" "$OCITOOL" db import --db "$WORK/vuln.db" "$OSV"/*.zip
tail -1 "$WORK/out"
echo "database size on disk: $(du -h "$WORK/vuln.db" | cut -f1)"
measure "db import again (all unchanged)" "$OCITOOL" db import --db "$WORK/vuln.db" "$OSV"/*.zip
tail -1 "$WORK/out"
measure "scan --sbom (5,000 packages)" "$OCITOOL" scan --sbom "$OSV/sbom.cdx.json" --db "$WORK/vuln.db" --format json
python3 -c "import json,sys; r=json.load(open(sys.argv[1]))[0]; print('findings:', len(r['findings']), 'packages scanned:', r['packagesScanned'])" "$WORK/out"
