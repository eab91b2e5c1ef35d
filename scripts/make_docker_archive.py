#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Generate `docker save`-style tarballs for tests and benchmarks.

Only the standard library is used (tarfile, hashlib, json); `--compress zstd`
pipes through the `zstd` command.

Two layouts are written, as docker does:

* legacy (docker < 25): manifest.json, <config-hex>.json, <layer-id>/layer.tar,
  <layer-id>/VERSION, <layer-id>/json and a `repositories` file. Layer entries
  come first and manifest.json last, in the order docker writes them.
* oci (docker >= 25): oci-layout, index.json and blobs/sha256/... plus a
  manifest.json whose Config/Layers name the blobs (`blobs/sha256/<hex>`).

Layers are real (uncompressed) tar files of random-content files. Each one is
generated streaming into a temporary file and hashed while written, so a 1 GiB
layer needs a few MiB of memory, not 1 GiB.

Checked with skopeo 1.9.3 (`skopeo inspect/copy docker-archive:FILE[:NAME:TAG]`, then
`umoci stat`) for both forms, several images, shared and symlinked layers, and zstd. That
skopeo cannot read gzip-compressed docker-archives at all (even `gzip -c` of a good
archive fails with "loading tar component manifest.json"), so test .gz files with ocitool.

Examples:
  make_docker_archive.py -o app.tar
  make_docker_archive.py --format oci --image a/b:1 --image c:2 --share-layer -o two.tar
  make_docker_archive.py --layers 4 --layer-size 1G,1M,1M,1M -o big.tar
  make_docker_archive.py --dup-symlink --compress zstd -o dup.tar.zst
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import os
import random
import re
import subprocess
import sys
import tarfile
import tempfile

CHUNK = 1 << 20
MTIME = 1704067200  # 2024-01-01T00:00:00Z: fixed so archives are reproducible
CREATED = "2024-01-01T00:00:00Z"
MAX_FILE = 256 << 20  # payload is split into files of at most this size

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar"


def parse_size(text: str) -> int:
    match = re.fullmatch(r"\s*(\d+)\s*([kKmMgG]?)(i?[bB])?\s*", text)
    if not match:
        raise argparse.ArgumentTypeError(f"invalid size {text!r}")
    factor = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}[match.group(2).lower()]
    return int(match.group(1)) * factor


def parse_sizes(text: str) -> list[int]:
    return [parse_size(part) for part in text.split(",") if part.strip()]


def split_name(ref: str) -> tuple[str, str]:
    """`NAME[:TAG]` -> (NAME, TAG); the tag is after the last ':' when it holds no '/'."""
    colon = ref.rfind(":")
    if colon > 0 and "/" not in ref[colon + 1:]:
        return ref[:colon], ref[colon + 1:]
    return ref, "latest"


def containerd_name(repository: str, tag: str) -> str:
    """The fully qualified name docker >= 25 puts in io.containerd.image.name."""
    first = repository.split("/", 1)[0]
    if "/" in repository and ("." in first or ":" in first or first == "localhost"):
        full = repository
    elif "/" in repository:
        full = "docker.io/" + repository
    else:
        full = "docker.io/library/" + repository
    return f"{full}:{tag}"


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class HashingWriter:
    """A write-only file object that hashes and counts what passes through."""

    def __init__(self, raw):
        self.raw = raw
        self.hash = hashlib.sha256()
        self.size = 0

    def write(self, data) -> int:
        self.hash.update(data)
        self.size += len(data)
        return self.raw.write(data)

    def flush(self) -> None:
        self.raw.flush()


class RandomReader:
    """A read-only file object producing `size` pseudo-random bytes, chunk by chunk."""

    def __init__(self, rng: random.Random, size: int):
        self.rng = rng
        self.left = size

    def read(self, n: int = -1) -> bytes:
        if n < 0 or n > self.left:
            n = self.left
        n = min(n, CHUNK)
        self.left -= n
        return self.rng.randbytes(n)


class Layer:
    def __init__(self, path: str, digest_hex: str, size: int):
        self.path = path
        self.hex = digest_hex
        self.size = size

    @property
    def diff_id(self) -> str:
        return "sha256:" + self.hex


def make_layer(rng: random.Random, payload: int, tmpdir: str, index: int) -> Layer:
    """Write a layer tar with `payload` random bytes (split into files) to a temp file, hashing as it goes."""
    fd, path = tempfile.mkstemp(prefix=f"layer{index}-", suffix=".tar", dir=tmpdir)
    with os.fdopen(fd, "wb") as raw:
        out = HashingWriter(raw)
        with tarfile.open(fileobj=out, mode="w|", format=tarfile.PAX_FORMAT) as tar:
            tag = rng.getrandbits(64)
            directory = tarfile.TarInfo(f"layer-{tag:016x}")
            directory.type = tarfile.DIRTYPE
            directory.mode = 0o755
            directory.mtime = MTIME
            tar.addfile(directory)
            left, n = payload, 0
            while True:
                size = min(left, MAX_FILE)
                info = tarfile.TarInfo(f"layer-{tag:016x}/file-{n:04d}.bin")
                info.size = size
                info.mode = 0o644
                info.mtime = MTIME
                tar.addfile(info, RandomReader(rng, size))
                left -= size
                n += 1
                if left <= 0:
                    break
    return Layer(path, out.hash.hexdigest(), out.size)


def image_config(layers: list[Layer], name: str, seq: int) -> bytes:
    config = {
        "architecture": "amd64",
        "os": "linux",
        "created": CREATED,
        "config": {
            "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
            "Cmd": ["/bin/sh"],
            "Labels": {"dev.ocitool.fixture": name, "dev.ocitool.fixture.seq": str(seq)},
        },
        "rootfs": {"type": "layers", "diff_ids": [layer.diff_id for layer in layers]},
        "history": [
            {"created": CREATED, "created_by": f"/bin/sh -c #(nop) ADD layer {i}"} for i in range(len(layers))
        ],
    }
    return json.dumps(config, separators=(",", ":"), sort_keys=True).encode()


def v1_layer_id(parent: str, diff_id: str) -> str:
    """A legacy layer id: depends on the chain, as docker's v1 ids do (same content, other parent -> other id)."""
    return sha256_bytes(f"{parent}\n{diff_id}".encode())


class ArchiveWriter:
    def __init__(self, tar: tarfile.TarFile):
        self.tar = tar
        self.seen: set[str] = set()

    def _info(self, name: str) -> tarfile.TarInfo:
        info = tarfile.TarInfo(name)
        info.mtime = MTIME
        info.mode = 0o644
        return info

    def directory(self, name: str) -> None:
        if name in self.seen:
            return
        self.seen.add(name)
        info = self._info(name)
        info.type = tarfile.DIRTYPE
        info.mode = 0o755
        self.tar.addfile(info)

    def data(self, name: str, data: bytes) -> None:
        info = self._info(name)
        info.size = len(data)
        self.tar.addfile(info, io.BytesIO(data))

    def file(self, name: str, path: str) -> None:
        info = self._info(name)
        info.size = os.path.getsize(path)
        with open(path, "rb") as source:
            self.tar.addfile(info, source)

    def symlink(self, name: str, target: str) -> None:
        info = self._info(name)
        info.type = tarfile.SYMTYPE
        info.linkname = target
        info.mode = 0o777
        self.tar.addfile(info)


class Image:
    def __init__(self, repository: str, tag: str, layers: list[Layer], config: bytes):
        self.repository = repository
        self.tag = tag
        self.layers = layers
        self.config = config
        self.config_hex = sha256_bytes(config)


def write_legacy(out: ArchiveWriter, images: list[Image], dup_symlink: bool) -> None:
    written: dict[str, str] = {}  # diff_id hex -> layer id whose layer.tar holds it
    entries, repositories = [], {}
    for image in images:
        parent, layer_paths = "", []
        for layer in image.layers:
            layer_id = v1_layer_id(parent, layer.diff_id)
            layer_paths.append(f"{layer_id}/layer.tar")
            if f"{layer_id}/" not in out.seen:
                out.directory(f"{layer_id}/")
                out.data(f"{layer_id}/VERSION", b"1.0")
                meta = {"id": layer_id, "created": CREATED, "container_config": {"Cmd": None}, "os": "linux"}
                if parent:
                    meta["parent"] = parent
                out.data(f"{layer_id}/json", json.dumps(meta, separators=(",", ":")).encode())
                if dup_symlink and layer.hex in written:
                    out.symlink(f"{layer_id}/layer.tar", f"../{written[layer.hex]}/layer.tar")
                else:
                    out.file(f"{layer_id}/layer.tar", layer.path)
                    written.setdefault(layer.hex, layer_id)
            parent = layer_id
        out.data(f"{image.config_hex}.json", image.config)
        entries.append({
            "Config": f"{image.config_hex}.json",
            "RepoTags": [f"{image.repository}:{image.tag}"],
            "Layers": layer_paths,
        })
        repositories.setdefault(image.repository, {})[image.tag] = parent
    out.data("manifest.json", json.dumps(entries, separators=(",", ":")).encode())
    out.data("repositories", json.dumps(repositories, separators=(",", ":")).encode())


def write_oci(out: ArchiveWriter, images: list[Image]) -> None:
    out.directory("blobs/")
    out.directory("blobs/sha256/")

    def blob_data(data: bytes) -> str:
        digest_hex = sha256_bytes(data)
        if f"blobs/sha256/{digest_hex}" not in out.seen:
            out.seen.add(f"blobs/sha256/{digest_hex}")
            out.data(f"blobs/sha256/{digest_hex}", data)
        return digest_hex

    index, entries, repositories = [], [], {}
    for image in images:
        for layer in image.layers:
            if f"blobs/sha256/{layer.hex}" not in out.seen:
                out.seen.add(f"blobs/sha256/{layer.hex}")
                out.file(f"blobs/sha256/{layer.hex}", layer.path)
        blob_data(image.config)
        manifest = {
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": {"mediaType": OCI_CONFIG, "digest": "sha256:" + image.config_hex, "size": len(image.config)},
            "layers": [{"mediaType": OCI_LAYER, "digest": layer.diff_id, "size": layer.size} for layer in image.layers],
        }
        manifest_bytes = json.dumps(manifest, separators=(",", ":")).encode()
        manifest_hex = blob_data(manifest_bytes)
        index.append({
            "mediaType": OCI_MANIFEST,
            "digest": "sha256:" + manifest_hex,
            "size": len(manifest_bytes),
            "annotations": {
                "io.containerd.image.name": containerd_name(image.repository, image.tag),
                "org.opencontainers.image.ref.name": image.tag,
            },
        })
        entries.append({
            "Config": f"blobs/sha256/{image.config_hex}",
            "RepoTags": [f"{image.repository}:{image.tag}"],
            "Layers": [f"blobs/sha256/{layer.hex}" for layer in image.layers],
        })
        repositories.setdefault(image.repository, {})[image.tag] = manifest_hex
    index_doc = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": index}
    out.data("index.json", json.dumps(index_doc, separators=(",", ":")).encode())
    out.data("manifest.json", json.dumps(entries, separators=(",", ":")).encode())
    out.data("oci-layout", b'{"imageLayoutVersion":"1.0.0"}')
    out.data("repositories", json.dumps(repositories, separators=(",", ":")).encode())


def open_output(path: str, compress: str):
    """Returns (file object to write the tar stream to, closer)."""
    if path == "-":
        raw = sys.stdout.buffer
        close_raw = lambda: raw.flush()  # noqa: E731
    else:
        raw = open(path + ".partial", "wb")
        close_raw = raw.close
    if compress == "gzip":
        gz = gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=MTIME, compresslevel=6)

        def close():
            gz.close()
            close_raw()
        return gz, close
    if compress == "zstd":
        proc = subprocess.Popen(["zstd", "-q", "-c", "-3"], stdin=subprocess.PIPE, stdout=raw)

        def close():
            proc.stdin.close()
            if proc.wait() != 0:
                raise SystemExit("error: zstd failed")
            close_raw()
        return proc.stdin, close
    return raw, close_raw


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        description="Generate a docker save-style tarball with random layers.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Examples:" + __doc__.split("Examples:", 1)[1])
    parser.add_argument("--format", choices=["legacy", "oci"], default="legacy",
                        help="legacy = docker < 25 layout; oci = docker >= 25 (OCI layout + manifest.json)")
    parser.add_argument("--image", action="append", metavar="NAME:TAG",
                        help="image to include (repeatable; default test/image:latest)")
    parser.add_argument("--layers", type=int, default=2, help="layers per image (default 2)")
    parser.add_argument("--layer-size", type=parse_sizes, default=[4096], metavar="BYTES[,BYTES...]",
                        help="payload bytes per layer: one size or a list (last one repeats); K/M/G suffixes")
    parser.add_argument("--share-layer", action="store_true",
                        help="all images share the same first layer (stored once)")
    parser.add_argument("--dup-symlink", action="store_true",
                        help="append to each image a copy of its first layer; legacy stores it as a "
                             "symlink ../<id>/layer.tar, as docker does")
    parser.add_argument("--compress", choices=["none", "gzip", "zstd"], default="none",
                        help="compress the whole archive")
    parser.add_argument("--seed", type=int, help="random seed (default: random); same seed, same archive")
    parser.add_argument("--tmpdir", help="where temporary layer files go (default: next to the output)")
    parser.add_argument("--json", action="store_true",
                        help="print a JSON summary (images, config and layer digests) on stdout")
    parser.add_argument("-o", "--output", required=True, metavar="FILE", help="output file, or - for stdout")
    args = parser.parse_args(argv)

    if args.layers < 1:
        parser.error("--layers must be at least 1")
    if args.output == "-" and args.json:
        parser.error("--json cannot be used with -o -")
    refs = args.image or ["test/image:latest"]
    names = [split_name(ref) for ref in refs]
    if len(set(names)) != len(names):
        parser.error("--image names must be distinct")
    sizes = args.layer_size or [4096]
    sizes = [sizes[min(i, len(sizes) - 1)] for i in range(args.layers)]
    rng = random.Random(args.seed if args.seed is not None else int.from_bytes(os.urandom(8), "big"))
    tmp_parent = args.tmpdir or (os.path.dirname(os.path.abspath(args.output)) if args.output != "-" else None)

    with tempfile.TemporaryDirectory(prefix=".make_docker_archive-", dir=tmp_parent) as tmpdir:
        shared = make_layer(rng, sizes[0], tmpdir, 0) if args.share_layer else None
        images = []
        for seq, (repository, tag) in enumerate(names):
            layers = []
            for i, size in enumerate(sizes):
                layers.append(shared if (i == 0 and shared) else make_layer(rng, size, tmpdir, len(layers) + 1))
            if args.dup_symlink:
                layers.append(layers[0])
            images.append(Image(repository, tag, layers, image_config(layers, f"{repository}:{tag}", seq)))

        stream, close = open_output(args.output, args.compress)
        try:
            with tarfile.open(fileobj=stream, mode="w|", format=tarfile.PAX_FORMAT) as tar:
                writer = ArchiveWriter(tar)
                if args.format == "legacy":
                    write_legacy(writer, images, args.dup_symlink)
                else:
                    write_oci(writer, images)
            close()
        except BaseException:
            if args.output != "-":
                try:
                    os.remove(args.output + ".partial")
                except OSError:
                    pass
            raise
        if args.output != "-":
            os.replace(args.output + ".partial", args.output)

    if args.json:
        summary = [{
            "name": f"{image.repository}:{image.tag}",
            "config": "sha256:" + image.config_hex,
            "layers": [layer.diff_id for layer in image.layers],
        } for image in images]
        json.dump(summary, sys.stdout, indent=2)
        sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
