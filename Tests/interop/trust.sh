#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Interop checks for signatures: ocitool against Debian trixie's skopeo (1.18, containers-image 5.34), which
# signs with `--sign-by-sigstore-private-key` and verifies cosign signatures with a `sigstoreSigned` policy
# (bookworm's skopeo has both patched out). scripts/install-trixie-skopeo.sh puts it in .cache/trixie-skopeo/.
# Every registry here is `ocitool serve` on a loopback port; nothing is downloaded.
#
#   bash Tests/interop/trust.sh [PATH/TO/ocitool]     (or OCITOOL=... bash Tests/interop/trust.sh)
#
# Prints `ok - ...` / `not ok - ...` per check, then `N passed, M failed`; exits 1 if any failed.
set -euo pipefail

OCITOOL=${1:-${OCITOOL:-}}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
if [ -z "$OCITOOL" ] || [ ! -x "$OCITOOL" ]; then
    echo "usage: $0 PATH/TO/ocitool   (or set OCITOOL)" >&2
    exit 2
fi
OCITOOL=$(cd "$(dirname "$OCITOOL")" && pwd)/$(basename "$OCITOOL")
SKOPEO=${TRIXIE_SKOPEO:-$ROOT/.cache/trixie-skopeo/skopeo}
if [ ! -x "$SKOPEO" ]; then
    echo "error: trixie's skopeo is missing at $SKOPEO (bash scripts/install-trixie-skopeo.sh)" >&2
    exit 2
fi
command -v python3 >/dev/null || { echo "error: python3 is required" >&2; exit 2; }

T=$(mktemp -d "${TMPDIR:-/tmp}/ocitool-trust-interop.XXXXXX")
# Servers' process ids, one a line (a file: checks run in subshells, which start servers too).
cleanup() {
    if [ -f "$T/servers" ]; then
        while read -r pid; do kill "$pid" 2>/dev/null || true; done <"$T/servers"
    fi
    rm -rf "$T"
}
trap cleanup EXIT
cd "$T"

. "$ROOT/Tests/interop/checks.sh"
oci() { timeout 300 "$OCITOOL" "$@"; }
skopeo() { timeout 300 "$SKOPEO" --registries.d "$T/registries.d" "$@"; }
# expect_status CODE COMMAND...: runs COMMAND, which must exit with CODE.
expect_status() {
    local want=$1 status=0
    shift
    "$@" || status=$?
    [ "$status" -eq "$want" ] || { echo "exit $status, expected $want: $*"; return 1; }
}

# serve ROOT [CONFIG]: starts `ocitool serve` on a free loopback port; sets REGISTRY to HOST:PORT.
serve() {
    local root=$1 config=${2:-} log="$T/serve-$RANDOM.log"
    if [ -n "$config" ]; then
        "$OCITOOL" serve --root "$root" --port 0 --config "$config" >"$log" 2>&1 &
    else
        "$OCITOOL" serve --root "$root" --port 0 >"$log" 2>&1 &
    fi
    echo $! >>"$T/servers"
    for _ in $(seq 1 100); do
        REGISTRY=$(sed -n 's|^serving .* at http://\([^/]*\)/v2/$|\1|p' "$log" | head -n 1)
        [ -n "$REGISTRY" ] && return 0
        sleep 0.1
    done
    echo "ocitool serve did not start:" >&2
    cat "$log" >&2
    return 1
}

# Fixtures: a key pair made by ocitool (password in a file, as skopeo takes it), a second key, two images.
printf 'interop-password' >"$T/passphrase"
export COSIGN_PASSWORD=interop-password
oci key generate --output-prefix "$T/cosign" >/dev/null
oci key generate --output-prefix "$T/other" >/dev/null
python3 "$ROOT/scripts/make_docker_archive.py" --image app:1 --image unsigned:1 --layer-size 2K -o "$T/images.tar" >/dev/null
mkdir -p "$T/registries.d"
# Sigstore signatures are attachments (`sha256-<hex>.sig` tags) only when registries.d says so.
cat >"$T/registries.d/default.yaml" <<'EOF'
default-docker:
  use-sigstore-attachments: true
EOF
echo '{"default": [{"type": "insecureAcceptAnything"}]}' >"$T/accept.json"

serve "$T/store"
R=$REGISTRY
oci copy --plain-http docker-archive:"$T/images.tar":app:1 "docker://$R/app:1" >/dev/null
oci copy --plain-http docker-archive:"$T/images.tar":unsigned:1 "docker://$R/unsigned:1" >/dev/null

# A policy that requires a sigstore signature by KEY on every image from the registry (matchRepository:
# the signature's docker-reference must name the repository pulled from).
policy() {
    cat <<EOF
{"default": [{"type": "reject"}],
 "transports": {
   "docker": {"$R": [{"type": "sigstoreSigned", "keyPath": "$1", "signedIdentity": {"type": "matchRepository"}}]},
   "oci": {"": [{"type": "insecureAcceptAnything"}]}}}
EOF
}
policy "$T/cosign.pub" >"$T/policy.json"
policy "$T/other.pub" >"$T/policy-other.json"

skopeo_version() {
    "$SKOPEO" --version | grep -q '^skopeo version 1\.18\.'
}
check "trixie's skopeo runs through its own loader and is 1.18.x" skopeo_version

# (a) skopeo signs with ocitool's key; ocitool verifies what skopeo wrote.
skopeo_signs() {
    skopeo copy --policy "$T/accept.json" --src-tls-verify=false --dest-tls-verify=false \
        --sign-by-sigstore-private-key "$T/cosign.key" --sign-passphrase-file "$T/passphrase" \
        "docker://$R/app:1" "docker://$R/skopeo-signed:1"
    oci verify --plain-http --key "$T/cosign.pub" "docker://$R/skopeo-signed:1"
    expect_status 4 oci verify --plain-http --key "$T/other.pub" "docker://$R/skopeo-signed:1"
    expect_status 4 oci verify --plain-http --key "$T/cosign.pub" "docker://$R/unsigned:1"
}
check "a signature skopeo made with an ocitool key (--sign-by-sigstore-private-key) verifies with ocitool verify; another key and an unsigned image exit 4" skopeo_signs

skopeo_signature_travels() {
    oci copy --plain-http "docker://$R/skopeo-signed:1" "$T/promoted:1"
    oci copy --plain-http "$T/promoted:1" "docker://$R/promoted:1"
    oci verify --key "$T/cosign.pub" --identity "$R/skopeo-signed" "$T/promoted:1"
    oci verify --plain-http --key "$T/cosign.pub" --identity "$R/skopeo-signed" "docker://$R/promoted:1"
    skopeo inspect --policy "$T/policy.json" --tls-verify=false "docker://$R/skopeo-signed:1" >/dev/null
}
check "skopeo's signature travels with ocitool copy (registry -> layout -> registry) and still verifies" \
    skopeo_signature_travels

# (b) ocitool signs in the registry; skopeo's sigstoreSigned policy accepts it and refuses the unsigned image.
skopeo_verifies() {
    oci sign --plain-http --key "$T/cosign.key" "docker://$R/app:1"
    skopeo copy --remove-signatures --policy "$T/policy.json" --src-tls-verify=false "docker://$R/app:1" "oci:$T/pulled:1"
    [ -f "$T/pulled/index.json" ]
    if skopeo copy --remove-signatures --policy "$T/policy.json" --src-tls-verify=false \
        "docker://$R/unsigned:1" "oci:$T/refused:1" 2>"$T/refused.err"; then
        echo "skopeo copied an unsigned image under a sigstoreSigned policy"
        return 1
    fi
    grep -q 'signature was required' "$T/refused.err"
    if skopeo copy --remove-signatures --policy "$T/policy-other.json" --src-tls-verify=false \
        "docker://$R/app:1" "oci:$T/refused2:1" 2>/dev/null; then
        echo "skopeo accepted a signature under another key"
        return 1
    fi
}
check "skopeo (sigstoreSigned policy, our cosign.pub) copies an image ocitool sign pushed to ocitool serve, and refuses an unsigned one or another key" skopeo_verifies

layout_signature_reaches_skopeo() {
    oci copy --plain-http "docker://$R/unsigned:1" "$T/local:2"
    oci sign --key "$T/cosign.key" --identity "$R/local" "$T/local:2"
    oci export "$T/local:2" "$T/bundle.tar"
    oci copy --plain-http "oci-archive:$T/bundle.tar" "docker://$R/local:2"
    skopeo copy --remove-signatures --policy "$T/policy.json" --src-tls-verify=false "docker://$R/local:2" "oci:$T/pulled2:2"
}
check "a signature ocitool made on a layout travels through an oci-archive bundle into the registry and skopeo verifies it" \
    layout_signature_reaches_skopeo

# The serve gate against skopeo: with a trust policy, an unsigned image answers 403 DENIED, a signed one is served.
serve_gate() {
    cat >"$T/serve-trust.yaml" <<EOF
trust:
  - repositories: ["**"]
    keys: ["$T/cosign.pub"]
EOF
    serve "$T/store" "$T/serve-trust.yaml"
    local gated=$REGISTRY
    skopeo copy --remove-signatures --policy "$T/accept.json" --src-tls-verify=false "docker://$gated/app:1" "oci:$T/gated:1"
    if skopeo copy --policy "$T/accept.json" --src-tls-verify=false "docker://$gated/unsigned:1" "oci:$T/gated:2" \
        2>"$T/gated.err"; then
        echo "the gated registry served an unsigned image"
        return 1
    fi
    grep -qi 'denied' "$T/gated.err"
}
check "ocitool serve with a trust policy serves skopeo the signed image and denies the unsigned one" serve_gate

report_checks
