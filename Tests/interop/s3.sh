#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Two `ocitool serve` replicas over one bucket of a real Ceph (scripts/ceph.sh: monitor, OSD and
# radosgw on loopback), driven by independent clients: skopeo pushes through one replica and pulls
# through the other, oras-py pushes and pulls artifacts and referrers, ocitool reaches the bucket
# both through the servers (docker://) and directly (s3://). Nothing is downloaded.
#
#   bash Tests/interop/s3.sh [PATH/TO/ocitool]     (or OCITOOL=... bash Tests/interop/s3.sh)
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
for tool in skopeo python3 curl radosgw; do
    command -v "$tool" >/dev/null || { echo "error: $tool is required (bash scripts/install-test-deps.sh)" >&2; exit 2; }
done

T=$(mktemp -d "${TMPDIR:-/tmp}/ocitool-s3-interop.XXXXXX")
cleanup() {
    if [ -f "$T/servers" ]; then
        while read -r pid; do kill -9 "$pid" 2>/dev/null || true; done <"$T/servers"
    fi
    bash "$ROOT/scripts/ceph.sh" stop "$T/ceph" >/dev/null 2>&1 || true
    rm -rf "$T"
}
trap cleanup EXIT
cd "$T"

. "$ROOT/Tests/interop/checks.sh"

mkdir -p "$T/ceph"
bash "$ROOT/scripts/ceph.sh" start "$T/ceph" >"$T/ceph.env" 2>"$T/ceph.log" || { cat "$T/ceph.log" >&2; exit 1; }
set -a
. "$T/ceph.env"
set +a
unset AWS_PROFILE AWS_SHARED_CREDENTIALS_FILE
BUCKET=interop
STORE=s3://$BUCKET/prod
S3=(--s3-endpoint "$S3_ENDPOINT")
# The bucket, made with curl's own SigV4 signing (no S3 tool needed).
curl -fsS -X PUT --aws-sigv4 "aws:amz:us-east-1:s3" --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" \
    -H "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" \
    "$S3_ENDPOINT/$BUCKET" >/dev/null

# replica NAME [FLAG...]: starts `ocitool serve` over the bucket with its own private state; sets REGISTRY.
replica() {
    local name=$1 log="$T/serve-$1.log"
    shift
    "$OCITOOL" serve --storage "$STORE" "${S3[@]}" --root "$T/state-$name" --port 0 "$@" >"$log" 2>&1 &
    echo $! >>"$T/servers"
    disown $!
    for _ in $(seq 1 150); do
        REGISTRY=$(sed -n 's|^serving .* at http://\([^/]*\)/v2/$|\1|p' "$log" | head -n 1)
        [ -n "$REGISTRY" ] && return 0
        sleep 0.1
    done
    echo "ocitool serve over $STORE did not start:" >&2
    cat "$log" >&2
    return 1
}
replica a
A=$REGISTRY
replica b
B=$REGISTRY

python3 "$ROOT/scripts/make_docker_archive.py" --image app:1 --layers 3 --layer-size 2M,300K,7 -o "$T/images.tar" >/dev/null
"$OCITOOL" import "$T/images.tar" "$T/src" >/dev/null
digest_of() { skopeo inspect --tls-verify=false --format '{{.Digest}}' "$1"; }

push_a_pull_b() {
    skopeo copy --preserve-digests --dest-tls-verify=false "oci:$T/src:1" "docker://$A/team/app:1"
    skopeo copy --preserve-digests --src-tls-verify=false "docker://$B/team/app:1" "oci:$T/pulled:1"
    local want got
    want=$(skopeo inspect --format '{{.Digest}}' "oci:$T/src:1")
    got=$(skopeo inspect --format '{{.Digest}}' "oci:$T/pulled:1")
    [ "$want" = "$got" ] || { echo "pushed $want, pulled $got"; return 1; }
    [ "$(digest_of "docker://$B/team/app:1")" = "$want" ]
    # Every layer pulled through B has the bytes pushed through A.
    for blob in "$T"/src/blobs/sha256/*; do cmp "$blob" "$T/pulled/blobs/sha256/$(basename "$blob")"; done
}
check "skopeo pushes through replica a and pulls the same bytes through replica b" push_a_pull_b

catalog_both() {
    for registry in "$A" "$B"; do
        curl -fsS "http://$registry/v2/_catalog" | grep -q '"team/app"'
        curl -fsS "http://$registry/v2/team/app/tags/list" | grep -q '"1"'
    done
}
check "both replicas list the repository and its tag" catalog_both

ocitool_both_ways() {
    "$OCITOOL" copy "docker://$B/team/app:1" "$T/via-b:1" >/dev/null
    "$OCITOOL" copy "${S3[@]}" "$STORE/team/app:1" "$T/via-s3:1" >/dev/null
    local want
    want=$(skopeo inspect --format '{{.Digest}}' "oci:$T/src:1")
    [ "$(skopeo inspect --format '{{.Digest}}' "oci:$T/via-b:1")" = "$want" ]
    [ "$(skopeo inspect --format '{{.Digest}}' "oci:$T/via-s3:1")" = "$want" ]
    # Seeded straight into the bucket, served at once by both replicas.
    "$OCITOOL" copy "${S3[@]}" "$T/src:1" "$STORE/seeded/app:2" >/dev/null
    [ "$(digest_of "docker://$A/seeded/app:2")" = "$want" ]
    [ "$(digest_of "docker://$B/seeded/app:2")" = "$want" ]
    "$OCITOOL" ls "${S3[@]}" "$STORE" | grep -qx "seeded/app"
}
check "ocitool copies through a replica and straight from and to the bucket (s3://)" ocitool_both_ways

oras_through_a() {
    "$ROOT/.venv-test/bin/python" "$ROOT/Tests/interop/oras_client.py" --registry "$A" --workdir "$T/oras" >"$T/oras.out"
    # The artifact oras pushed through a is there through b.
    curl -fsS "http://$B/v2/oras/artifact/tags/list" | grep -q '"name":"oras/artifact"'
}
if [ -x "$ROOT/.venv-test/bin/python" ]; then
    check "oras-py pushes, pulls and finds referrers through a replica; the other lists them" oras_through_a
fi

# Two small images: x is pushed only through replica a, y only through b, so a tag that ends up on the wrong
# manifest shows as well as one that is lost.
for image in x:11 y:12; do
    python3 "$ROOT/scripts/make_docker_archive.py" --image "race:${image%:*}" --layers 1 --layer-size 4K \
        --seed "${image#*:}" -o "$T/race.tar" >/dev/null
    "$OCITOOL" import "$T/race.tar" "$T/race-${image%:*}" >/dev/null
done
RACE_ROUNDS=20

concurrent_tags() {
    local round pids pid
    # race_push REGISTRY IMAGE TAG: skopeo pushes race image IMAGE as race/app:TAG in the background.
    race_push() {
        skopeo copy --preserve-digests --dest-tls-verify=false "oci:$T/race-$2:$2" "docker://$1/race/app:$3" \
            >/dev/null &
        pids+=($!)
    }
    # Each round, four skopeo pushes at once: a tag of its own through each replica, and the tag `same`
    # through both (x through a, y through b), all read-modify-writes of one index.json in the bucket.
    for round in $(seq 1 "$RACE_ROUNDS"); do
        pids=()
        race_push "$A" x "a$round"
        race_push "$B" y "b$round"
        race_push "$A" x same
        race_push "$B" y same
        for pid in "${pids[@]}"; do wait "$pid" || { echo "round $round: a push failed"; return 1; }; done
    done
    # Through both replicas: every tag listed, each on the manifest its replica pushed, `same` on one of them.
    python3 - "$A" "$B" "$RACE_ROUNDS" \
        "$(skopeo inspect --format '{{.Digest}}' "oci:$T/race-x:x")" \
        "$(skopeo inspect --format '{{.Digest}}' "oci:$T/race-y:y")" <<'PY'
import json, sys, urllib.request
a, b, rounds, x, y = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
want = {f"a{n}": x for n in range(1, rounds + 1)} | {f"b{n}": y for n in range(1, rounds + 1)}
accept = "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json"
same = set()
for registry in (a, b):
    tags = json.load(urllib.request.urlopen(f"http://{registry}/v2/race/app/tags/list"))["tags"]
    if sorted(tags) != sorted(list(want) + ["same"]):
        sys.exit(f"{registry}: tags {sorted(tags)}, expected {sorted(want)} and same")
    for tag in list(want) + ["same"]:
        request = urllib.request.Request(f"http://{registry}/v2/race/app/manifests/{tag}", method="HEAD",
                                         headers={"Accept": accept})
        digest = urllib.request.urlopen(request).headers["Docker-Content-Digest"]
        if tag == "same":
            same.add(digest)
        elif digest != want[tag]:
            sys.exit(f"{registry}: {tag} is {digest}, pushed as {want[tag]}")
if len(same) != 1 or not same <= {x, y}:
    sys.exit(f"same is {same} through the two replicas, expected one of {x}, {y}")
PY
    # The repository's index.json in the bucket: one entry per tag, nothing else tagged twice or lost.
    curl -fsS --aws-sigv4 "aws:amz:us-east-1:s3" --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" \
        -H "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" \
        "$S3_ENDPOINT/$BUCKET/prod/repositories/race/app/index.json" | python3 -c '
import json, sys
rounds = int(sys.argv[1])
index = json.load(sys.stdin)
assert index["schemaVersion"] == 2, index
names = [m.get("annotations", {}).get("org.opencontainers.image.ref.name") for m in index["manifests"]]
tagged = [n for n in names if n is not None]
want = sorted([f"a{n}" for n in range(1, rounds + 1)] + [f"b{n}" for n in range(1, rounds + 1)] + ["same"])
assert sorted(tagged) == want, "index.json tags %s" % sorted(tagged)
for entry in index["manifests"]:
    assert entry["digest"].startswith("sha256:") and entry["size"] > 0 and entry["mediaType"], entry
' "$RACE_ROUNDS"
    "$OCITOOL" fsck "${S3[@]}" "$STORE/race/app" | tee "$T/race-fsck.out"
    grep -Eq '^clean: ' "$T/race-fsck.out"
}
race_started=$SECONDS
check "skopeo pushing $RACE_ROUNDS rounds of tags through both replicas at once (own and shared) loses none; fsck clean" \
    concurrent_tags
echo "# the race took $((SECONDS - race_started)) s"

killed_mid_chunk() {
    # A chunked upload through replica e, killed (-9) while a chunk streams in, then finished through b.
    replica e
    local e=$REGISTRY pid location id chunk=$((10 << 20)) status range
    pid=$(tail -n 1 "$T/servers")
    head -c $((24 << 20)) /dev/urandom >"$T/big"
    location=$(curl -fsS -D - -o /dev/null -X POST "http://$e/v2/kill/app/blobs/uploads/" |
        tr -d '\r' | sed -n 's/^[Ll]ocation: //p')
    id=${location##*/}
    dd if="$T/big" of="$T/chunk1" bs=1M count=10 status=none
    curl -fsS -X PATCH -H "Content-Range: 0-$((chunk - 1))" -H "Content-Type: application/octet-stream" \
        --data-binary @"$T/chunk1" "http://$e$location" >/dev/null
    # The second chunk trickles in; the replica dies halfway through it.
    dd if="$T/big" of="$T/chunk2" bs=1M skip=10 count=10 status=none
    curl -s --limit-rate 2M -X PATCH -H "Content-Range: $chunk-$((2 * chunk - 1))" \
        -H "Content-Type: application/octet-stream" --data-binary @"$T/chunk2" "http://$e$location" >/dev/null &
    local client=$!
    sleep 2
    kill -9 "$pid"
    wait "$client" || true
    # Replica b knows the session from the bucket: it holds what e acknowledged, the first chunk.
    status=$(curl -s -D "$T/status" -o /dev/null -w '%{http_code}' "http://$B/v2/kill/app/blobs/uploads/$id")
    range=$(tr -d '\r' <"$T/status" | sed -n 's/^[Rr]ange: //p')
    [ "$status" = 204 ] && [ "$range" = "0-$((chunk - 1))" ] || { echo "status through b: $status, Range $range"; return 1; }
    dd if="$T/big" of="$T/rest" bs=1M skip=10 status=none
    curl -fsS -X PATCH -H "Content-Range: $chunk-$(($(stat -c %s "$T/big") - 1))" \
        -H "Content-Type: application/octet-stream" --data-binary @"$T/rest" "http://$B$location" >/dev/null
    local digest
    digest=sha256:$(sha256sum "$T/big" | cut -d' ' -f1)
    status=$(curl -s -o "$T/put" -w '%{http_code}' -X PUT "http://$B$location?digest=$digest")
    [ "$status" = 201 ] || { echo "finishing through b: $status $(cat "$T/put")"; return 1; }
    curl -fsS -o "$T/big-through-a" "http://$A/v2/kill/app/blobs/$digest"
    cmp "$T/big" "$T/big-through-a"
    "$OCITOOL" fsck "${S3[@]}" "$STORE/kill/app" | grep -q '^clean'
}
check "a replica killed (-9) mid chunk: the upload goes on and finishes through the other, bytes exact" killed_mid_chunk

radosgw_outage() {
    local rgw_pid status digest
    rgw_pid=$(cat "$T/ceph/run/client.rgw.pid")
    # A push streaming through a when radosgw stops: it fails, and no part of it becomes visible.
    head -c $((16 << 20)) /dev/urandom >"$T/midpush"
    digest=sha256:$(sha256sum "$T/midpush" | cut -d' ' -f1)
    curl -s -o "$T/midpush.out" -w '%{http_code}' --limit-rate 4M -X POST -H "Content-Type: application/octet-stream" \
        --data-binary @"$T/midpush" "http://$A/v2/outage/app/blobs/uploads/?digest=$digest" >"$T/midpush.status" &
    local pusher=$!
    sleep 1.5
    kill "$rgw_pid"
    for _ in $(seq 100); do kill -0 "$rgw_pid" 2>/dev/null || break; sleep 0.1; done
    wait "$pusher" || true
    case $(cat "$T/midpush.status") in 2*) echo "the push cut by the outage answered $(cat "$T/midpush.status")"; return 1 ;; esac
    # Reads and writes get 503 in the OCI envelope, and /readyz says not ready; nothing says "unknown".
    status=$(curl -s -o "$T/body" -w '%{http_code}' "http://$A/v2/team/app/manifests/1")
    [ "$status" = 503 ] || { echo "manifest GET during the outage: $status $(cat "$T/body")"; return 1; }
    grep -q '"code":"UNAVAILABLE"' "$T/body"
    status=$(curl -s -o /dev/null -w '%{http_code}' "http://$B/readyz")
    [ "$status" = 503 ] || { echo "/readyz during the outage: $status"; return 1; }
    if skopeo copy --retry-times 0 --preserve-digests --dest-tls-verify=false "oci:$T/src:1" "docker://$A/outage/app:1"; then
        echo "a push succeeded with radosgw stopped"
        return 1
    fi
    # radosgw back: the same replicas serve again, without a restart.
    radosgw -c "$T/ceph/ceph.conf" -n client.rgw </dev/null >>"$T/ceph/log/stdout.log" 2>&1
    for _ in $(seq 300); do
        [ "$(curl -s -o /dev/null -w '%{http_code}' "http://$B/readyz")" = 200 ] && break
        sleep 0.1
    done
    skopeo copy --preserve-digests --dest-tls-verify=false "oci:$T/src:1" "docker://$A/outage/app:1"
    [ "$(digest_of "docker://$B/outage/app:1")" = "$(skopeo inspect --format '{{.Digest}}' "oci:$T/src:1")" ]
    # The cut push left nothing: its blob is unknown through both replicas, and the repository checks clean.
    for registry in "$A" "$B"; do
        status=$(curl -s -o /dev/null -w '%{http_code}' -I "http://$registry/v2/outage/app/blobs/$digest")
        [ "$status" = 404 ] || { echo "the cut push's blob through $registry: $status"; return 1; }
    done
    "$OCITOOL" fsck "${S3[@]}" "$STORE/outage/app" | grep -q '^clean'
}
check "radosgw stopped mid-push: the push fails and leaves nothing, 503 UNAVAILABLE and /readyz 503; restarted: pushes work again without restarting serve, fsck clean" \
    radosgw_outage

blob_cache() {
    replica c --s3-cache "$T/cache-c" --s3-cache-size 64MiB
    local c=$REGISTRY layer
    layer=$(ls -S "$T/src/blobs/sha256" | head -n 1)
    for round in 1 2 3; do
        curl -fsS -o "$T/get-$round" "http://$c/v2/team/app/blobs/sha256:$layer"
        cmp "$T/get-$round" "$T/src/blobs/sha256/$layer"
    done
    [ -f "$T/cache-c/sha256-$layer" ]
    curl -fsS "http://$c/metrics" >"$T/metrics"
    grep -Eq '^ocitool_blob_cache_misses_total [1-9]' "$T/metrics"
    grep -Eq '^ocitool_blob_cache_hits_total [2-9]' "$T/metrics"
    # A range is served from the cached file too.
    [ "$(curl -fsS -r 10-19 "http://$c/v2/team/app/blobs/sha256:$layer" | od -An -tx1)" = \
      "$(dd if="$T/src/blobs/sha256/$layer" bs=1 skip=10 count=10 2>/dev/null | od -An -tx1)" ]
}
check "a replica's blob cache: the first GET fills it, the next are hits (metrics), bytes and ranges exact" blob_cache

redirect() {
    replica d --s3-redirect
    local d=$REGISTRY layer answer
    layer=$(ls -S "$T/src/blobs/sha256" | head -n 1)
    answer=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "http://$d/v2/team/app/blobs/sha256:$layer")
    case $answer in "307 $S3_ENDPOINT/$BUCKET/prod/blobs/sha256/$layer?"*) ;; *) echo "answer: $answer"; return 1 ;; esac
    # The presigned URL reads the bytes (and a range) from radosgw without credentials; skopeo pulls through it.
    curl -fsSL -o "$T/redirected" "http://$d/v2/team/app/blobs/sha256:$layer"
    cmp "$T/redirected" "$T/src/blobs/sha256/$layer"
    [ "$(curl -fsSL -r 10-19 "http://$d/v2/team/app/blobs/sha256:$layer" | od -An -tx1)" = \
      "$(dd if="$T/src/blobs/sha256/$layer" bs=1 skip=10 count=10 2>/dev/null | od -An -tx1)" ]
    skopeo copy --preserve-digests --src-tls-verify=false "docker://$d/team/app:1" "oci:$T/via-redirect:1"
    cmp "$T/via-redirect/blobs/sha256/$layer" "$T/src/blobs/sha256/$layer"
    # A URL whose signature was tampered with is refused by radosgw.
    [ "$(curl -s -o /dev/null -w '%{http_code}' "${answer#307 }0")" = 403 ]
}
check "--s3-redirect: blob GETs answer 307 to a presigned URL that curl and skopeo follow (bytes, ranges)" redirect

gc_and_fsck() {
    # An image replaced under its tag leaves an untagged manifest and blobs only it needs.
    python3 "$ROOT/scripts/make_docker_archive.py" --image old:1 --layer-size 50K --seed 7 -o "$T/old.tar" >/dev/null
    "$OCITOOL" import "$T/old.tar" "$T/old" >/dev/null
    skopeo copy --preserve-digests --dest-tls-verify=false "oci:$T/old:1" "docker://$A/gc/app:1"
    skopeo copy --preserve-digests --dest-tls-verify=false "oci:$T/src:1" "docker://$B/gc/app:1"
    local old_layer
    old_layer=$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print(m["layers"][0]["digest"].split(":")[1])' \
        "$T/old/blobs/sha256/$(skopeo inspect --format '{{.Digest}}' "oci:$T/old:1" | cut -d: -f2)")
    s3_head() {
        curl -s -o /dev/null -w '%{http_code}' -I --aws-sigv4 "aws:amz:us-east-1:s3" \
            --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" \
            -H "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" "$S3_ENDPOINT/$BUCKET/$1"
    }
    [ "$(s3_head "prod/blobs/sha256/$old_layer")" = 200 ]
    # The grace period spares everything young; the repository and the bucket keep the old layer.
    "$OCITOOL" gc "${S3[@]}" --untagged "$STORE" | grep -q "removed 0 blobs"
    # With no grace: the old image goes from the repository, then its bytes from the bucket.
    "$OCITOOL" gc "${S3[@]}" --untagged --grace 0s --format json "$STORE" >"$T/gc.json"
    grep -q "$old_layer" "$T/gc.json"
    [ "$(s3_head "prod/blobs/sha256/$old_layer")" = 404 ]
    # What is tagged is intact, through both replicas, and the whole store checks clean.
    skopeo copy --preserve-digests --src-tls-verify=false "docker://$A/gc/app:1" "oci:$T/after-gc:1"
    skopeo copy --preserve-digests --src-tls-verify=false "docker://$B/team/app:1" "oci:$T/after-gc:2"
    "$OCITOOL" fsck "${S3[@]}" "$STORE" | tee "$T/fsck.out"
    grep -Eq '^clean: [1-9][0-9]* blobs .*, [1-9][0-9]* manifests checked' "$T/fsck.out"
}
check "gc on the bucket spares young blobs, then removes a replaced image's links and bytes; fsck is clean" gc_and_fsck

report_checks
