#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Drives a running `ocitool serve` with oras-py (the ORAS Python SDK, `oras` on PyPI).

Pushes an artifact (two files, a config of its own media type, manifest annotations), once with
POST-then-PUT uploads and once with chunked ones, pulls both back and compares bytes, attaches a
signature artifact whose manifest has a `subject`, finds it through the referrers API (with and
without an artifactType filter), and lists tags with oras's get_tags. Any mismatch exits 1 with a
message; on success the last line of stdout is a JSON summary for the caller to cross-check.

Usage: oras_client.py --registry 127.0.0.1:PORT --workdir DIR
Run with the interpreter of the venv scripts/install-test-deps.sh makes (.venv-test/bin/python).
"""
import argparse
import hashlib
import json
import os
import sys

import oras.client
import oras.oci

REPOSITORY = "oras/artifact"
CONFIG_TYPE = "application/vnd.example.artifact.config.v1+json"
SIGNATURE_TYPE = "application/vnd.example.signature.config.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"


def check(condition, message):
    if not condition:
        print(f"oras_client.py: FAIL: {message}", file=sys.stderr)
        sys.exit(1)


def write(name, data):
    with open(name, "wb") as handle:
        handle.write(data)
    return data


def push_and_pull(client, registry, tag, files, chunked):
    """Pushes `files` (name -> bytes) under `tag`, pulls them back, returns the manifest digest."""
    target = f"{registry}/{REPOSITORY}:{tag}"
    response = client.push(
        target=target,
        files=[f"{name}:application/vnd.example.file" for name in files],
        manifest_config=f"config.json:{CONFIG_TYPE}",
        manifest_annotations={"org.example.tag": tag},
        do_chunked=chunked,
        chunk_size=64 * 1024,
        quiet=True,
    )
    check(response.status_code == 201, f"push {tag}: {response.status_code} {response.text}")
    digest = response.headers.get("Docker-Content-Digest", "")
    check(digest.startswith("sha256:"), f"push {tag}: no Docker-Content-Digest")

    outdir = os.path.join(os.getcwd(), f"pulled-{tag}")
    pulled = client.pull(target=target, outdir=outdir)
    check(len(pulled) == len(files), f"pull {tag}: {pulled}")
    for name, data in files.items():
        with open(os.path.join(outdir, name), "rb") as handle:
            check(handle.read() == data, f"pull {tag}: {name} differs from what was pushed")

    manifest = client.get_manifest(target)
    check(manifest["config"]["mediaType"] == CONFIG_TYPE, f"manifest {tag}: config type {manifest['config']}")
    check(manifest.get("annotations", {}).get("org.example.tag") == tag, f"manifest {tag}: annotations")
    return digest


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registry", required=True, help="HOST:PORT of the registry (plain HTTP)")
    parser.add_argument("--workdir", required=True, help="a scratch directory")
    args = parser.parse_args()
    registry = args.registry
    os.makedirs(args.workdir, exist_ok=True)
    os.chdir(args.workdir)  # oras-py wants the files it pushes under the working directory

    files = {
        "readme.txt": write("readme.txt", b"an artifact pushed by oras-py\n"),
        "data.bin": write("data.bin", os.urandom(300_001)),
    }
    write("config.json", b'{"purpose":"ocitool interop"}')
    client = oras.client.OrasClient(hostname=registry, insecure=True)
    base = f"http://{registry}/v2/{REPOSITORY}"

    artifact = push_and_pull(client, registry, "v1", files, chunked=False)
    # New bytes, so that oras really uploads them (POST, PATCH per 64 KiB chunk, PUT) instead of finding them.
    chunked_files = {"chunked.bin": write("chunked.bin", os.urandom(200_001))}
    chunked = push_and_pull(client, registry, "v1-chunked", chunked_files, chunked=True)

    # The subject: the exact manifest bytes the registry serves.
    raw = client.session.get(f"{base}/manifests/v1", headers={"Accept": OCI_MANIFEST})
    check(raw.status_code == 200, f"GET manifest v1: {raw.status_code}")
    check("sha256:" + hashlib.sha256(raw.content).hexdigest() == artifact, "served manifest bytes vs digest")
    subject = oras.oci.Subject(mediaType=OCI_MANIFEST, digest=artifact, size=len(raw.content))

    write("signature.json", b'{"signed":"v1"}')
    write("signature-config.json", b"{}")
    response = client.push(
        target=f"{registry}/{REPOSITORY}:v1-signature",
        files=["signature.json:application/vnd.example.signature"],
        manifest_config=f"signature-config.json:{SIGNATURE_TYPE}",
        manifest_annotations={"org.example.signed-by": "oras-py"},
        subject=subject,
        quiet=True,
    )
    check(response.status_code == 201, f"push signature: {response.status_code} {response.text}")
    signature = response.headers.get("Docker-Content-Digest", "")
    check(response.headers.get("OCI-Subject") == artifact, f"OCI-Subject header: {dict(response.headers)}")

    # Referrers API: the signature, with its artifactType (the config's media type) and annotations.
    referrers = client.session.get(f"{base}/referrers/{artifact}")
    check(referrers.status_code == 200, f"referrers: {referrers.status_code} {referrers.text}")
    check(referrers.headers.get("Content-Type", "").startswith(OCI_INDEX), f"referrers type: {referrers.headers}")
    index = referrers.json()
    check(index.get("mediaType") == OCI_INDEX, f"referrers index: {index}")
    entries = index.get("manifests", [])
    check([entry["digest"] for entry in entries] == [signature], f"referrers of v1: {entries}")
    check(entries[0].get("artifactType") == SIGNATURE_TYPE, f"referrer artifactType: {entries[0]}")
    check(entries[0].get("annotations", {}).get("org.example.signed-by") == "oras-py", f"referrer: {entries[0]}")

    filtered = client.session.get(f"{base}/referrers/{artifact}", params={"artifactType": SIGNATURE_TYPE})
    check(filtered.headers.get("OCI-Filters-Applied") == "artifactType", f"filter header: {filtered.headers}")
    check([entry["digest"] for entry in filtered.json()["manifests"]] == [signature], "filtered referrers")
    other = client.session.get(f"{base}/referrers/{artifact}", params={"artifactType": "application/x-none"})
    check(other.status_code == 200 and other.json()["manifests"] == [], f"filter to nothing: {other.text}")
    none = client.session.get(f"{base}/referrers/{chunked}")
    check(none.status_code == 200 and none.json()["manifests"] == [], f"referrers of v1-chunked: {none.text}")

    tags = client.get_tags(f"{registry}/{REPOSITORY}")
    check(sorted(tags) == ["v1", "v1-chunked", "v1-signature"], f"get_tags: {tags}")

    print(json.dumps({"artifact": artifact, "chunked": chunked, "signature": signature, "tags": sorted(tags)}))


if __name__ == "__main__":
    main()
