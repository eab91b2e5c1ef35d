#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# A runnable walkthrough of the offline layout pipeline: a `docker save` tarball comes in,
# becomes an OCI layout, gets tags and an SBOM, is checked, and leaves as one oci-archive
# bundle that is imported again on "the other side". Everything runs on generated data.
#
#   bash examples/pipeline.sh [WORKDIR]      (OCITOOL=... to use a given binary)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

if [ -z "${OCITOOL:-}" ]; then
    echo "# building ocitool (swift build)"
    (cd "$ROOT" && swift build --product ocitool 2>&1 | tail -n 1)
    OCITOOL="$(cd "$ROOT" && swift build --show-bin-path)/ocitool"
fi
WORK=${1:-$(mktemp -d "${TMPDIR:-/tmp}/ocitool-example.XXXXXX")}
mkdir -p "$WORK"
cd "$WORK"

# Show each command as a user would type it, then run it.
run() {
    echo
    local shown
    printf -v shown ' %q' "$@"
    echo "\$ ocitool${shown}"
    "$OCITOOL" "$@"
}

echo "# working in $WORK"

# 1. An incoming image, as `docker save example/app:1.0 -o app.tar` would write it
#    (generated here: three layers of random files).
python3 "$ROOT/scripts/make_docker_archive.py" --image example/app:1.0 --layers 3 --layer-size 64K,16K \
    -o app.tar
echo "# generated app.tar ($(stat -c %s app.tar) bytes)"

# 2. A layout to keep it in, and the import. Tags come from the archive's RepoTags.
run init app
run import app.tar app
run ls app

# 3. More names for the same image (no data is copied: tags are entries in index.json).
run tag app:1.0 stable latest
run ls app

# 4. An SBOM, attached as a referrer of the image (an artifact manifest whose subject is the image).
cat >sbom.spdx.json <<'EOF'
{
  "spdxVersion": "SPDX-2.3",
  "dataLicense": "CC0-1.0",
  "SPDXID": "SPDXRef-DOCUMENT",
  "name": "example-app-1.0",
  "documentNamespace": "https://example.invalid/spdx/example-app-1.0",
  "creationInfo": { "created": "2024-01-01T00:00:00Z", "creators": ["Tool: examples/pipeline.sh"] },
  "packages": [
    { "name": "example-app", "SPDXID": "SPDXRef-Package-app", "versionInfo": "1.0",
      "downloadLocation": "NOASSERTION", "licenseConcluded": "Apache-2.0" }
  ]
}
EOF
run attach --artifact-type application/spdx+json \
    --annotation org.opencontainers.image.description="SBOM for example/app 1.0" \
    sbom.spdx.json app:1.0
run discover app:1.0
run discover --format json app:1.0

# 5. What is in the image.
run inspect app:stable
run inspect --raw app:stable

# 6. Integrity and housekeeping: fsck re-hashes every blob; gc --dry-run lists what it would delete.
run fsck app
run gc --dry-run app

# 7. One file to carry across the air gap: the image and its referrers (the SBOM) in an oci-archive.
run export app:1.0 oci-archive:bundle.tar
run inspect oci-archive:bundle.tar

# 8. On the other side: import the bundle; the SBOM came along.
run import bundle.tar restored
run ls restored
run discover restored:1.0
run fsck restored

echo
echo "# done; the files are in $WORK (remove it when finished)"
