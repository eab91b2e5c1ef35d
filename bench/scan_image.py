#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Images for bench/scan.sh: OCI layouts made of gzip layers, and a synthetic ~1 GiB image's layers.

  scan_image.py layout OUT --tag TAG LAYER.tar.gz...
      An OCI image layout at OUT holding one linux/amd64 image tagged TAG whose layers are the given gzip
      tarballs, as they are (hard-linked into blobs/ when the file system allows): the blobs `sbom` and
      `scan` read are the files the floor (`gzip -dc | tar -t`) reads.
  scan_image.py synthetic OUTDIR [--size 1G] [--seed 42]
      Four gzip layers (level 6, as docker and buildkit write them) totalling about --size uncompressed,
      written as OUTDIR/layer-N.tar.gz, with what a real application image holds:
        1. a Debian 12 base: etc/os-release, a dpkg status of 400 packages with their info/*.list files,
           and many small text files under usr/share (docs, locales) and usr/lib;
        2. Python: 300 site-packages distributions (dist-info METADATA and RECORD, a dozen .py modules each);
        3. Node: an app with node_modules of 400 packages (package.json and .js files), and its package-lock;
        4. data: incompressible files (model weights, media) of 8-64 MiB filling the rest of --size.
      Package names are those of bench/scan.sh's synthetic OSV records (pkgN), so the scan finds something.
Only the standard library is used; output is the same for the same seed.
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
import shutil
import sys
import tarfile

MTIME = 1704067200  # 2024-01-01T00:00:00Z
CHUNK = 1 << 20
WORDS = ("the of and to in is that for it as with was on be by this are from or at an which not but have "
         "file data value return self none true false import def class if else elif for while try except "
         "config option default path name version license copyright software library module function "
         "error warning debug info buffer stream socket thread process memory cache index table record").split()


def parse_size(text: str) -> int:
    match = re.fullmatch(r"(\d+)([kKmMgG]?)", text.strip())
    if not match:
        raise argparse.ArgumentTypeError(f"invalid size {text!r}")
    return int(match.group(1)) << {"": 0, "k": 10, "m": 20, "g": 30}[match.group(2).lower()]


def sha256_file(path: str, opener=open) -> str:
    digest = hashlib.sha256()
    with opener(path, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# --- layout ----------------------------------------------------------------------------------------------

def write_blob(out: str, data: bytes) -> dict:
    hexdigest = hashlib.sha256(data).hexdigest()
    with open(f"{out}/blobs/sha256/{hexdigest}", "wb") as f:
        f.write(data)
    return {"digest": f"sha256:{hexdigest}", "size": len(data)}


def layout(out: str, tag: str, layers: list[str]) -> None:
    os.makedirs(f"{out}/blobs/sha256", exist_ok=True)
    descriptors, diff_ids = [], []
    for path in layers:
        hexdigest = sha256_file(path)
        blob = f"{out}/blobs/sha256/{hexdigest}"
        if not os.path.exists(blob):
            try:
                os.link(path, blob)
            except OSError:
                shutil.copyfile(path, blob)
        descriptors.append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                            "digest": f"sha256:{hexdigest}", "size": os.path.getsize(path)})
        diff_ids.append("sha256:" + sha256_file(path, gzip.open))
    config = {"architecture": "amd64", "os": "linux", "created": "2024-01-01T00:00:00Z",
              "config": {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]},
              "rootfs": {"type": "layers", "diff_ids": diff_ids}, "history": []}
    config_descriptor = write_blob(out, json.dumps(config, sort_keys=True).encode())
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": {"mediaType": "application/vnd.oci.image.config.v1+json", **config_descriptor},
                "layers": descriptors}
    manifest_descriptor = write_blob(out, json.dumps(manifest, sort_keys=True).encode())
    index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
             "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", **manifest_descriptor,
                            "annotations": {"org.opencontainers.image.ref.name": tag}}]}
    with open(f"{out}/index.json", "w") as f:
        json.dump(index, f)
    with open(f"{out}/oci-layout", "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)


# --- synthetic layers ------------------------------------------------------------------------------------

class LayerWriter:
    """A gzip tarball written as it goes; counts the uncompressed bytes of file contents."""

    def __init__(self, path: str):
        self.raw = open(path, "wb")
        self.gz = gzip.GzipFile(fileobj=self.raw, mode="wb", compresslevel=6, mtime=0)
        self.tar = tarfile.open(fileobj=self.gz, mode="w", format=tarfile.PAX_FORMAT)
        self.dirs: set[str] = set()
        self.bytes = 0

    def _directory(self, path: str) -> None:
        parent = os.path.dirname(path)
        if not parent or parent in self.dirs:
            return
        self._directory(parent)
        self.dirs.add(parent)
        info = tarfile.TarInfo(parent + "/")
        info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o755, MTIME
        self.tar.addfile(info)

    def add(self, path: str, data: bytes, mode: int = 0o644) -> None:
        self._directory(path)
        info = tarfile.TarInfo(path)
        info.size, info.mode, info.mtime = len(data), mode, MTIME
        self.tar.addfile(info, io.BytesIO(data))
        self.bytes += len(data)

    def add_stream(self, path: str, size: int, chunks) -> None:
        self._directory(path)
        info = tarfile.TarInfo(path)
        info.size, info.mode, info.mtime = size, 0o644, MTIME

        class Reader(io.RawIOBase):
            def __init__(self):
                self.pending = b""

            def readable(self):
                return True

            def readinto(self, buffer):
                if not self.pending:
                    self.pending = next(chunks, b"")
                count = min(len(buffer), len(self.pending))
                buffer[:count] = self.pending[:count]
                self.pending = self.pending[count:]
                return count

        self.tar.addfile(info, io.BufferedReader(Reader(), CHUNK))
        self.bytes += size

    def close(self) -> None:
        self.tar.close()
        self.gz.close()
        self.raw.close()


class Text:
    """Compressible text (about 3-4x with gzip, like docs and source code), sliced from a 16 MiB pool."""

    def __init__(self, rng: random.Random):
        lines, size = [], 0
        while size < 16 << 20:
            line = " ".join(rng.choices(WORDS, k=rng.randint(3, 14))) + "\n"
            lines.append(line)
            size += len(line)
        self.pool = "".join(lines).encode()
        self.rng = rng

    def take(self, size: int) -> bytes:
        start = self.rng.randrange(0, len(self.pool) - size)
        return self.pool[start:start + size]


def version(rng: random.Random) -> str:
    return f"{rng.randint(0, 5)}.{rng.randint(0, 20)}.{rng.randint(0, 3)}"


def os_layer(path: str, rng: random.Random, text: Text, target: int) -> int:
    layer = LayerWriter(path)
    layer.add("etc/os-release", b'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\n'
              b'VERSION_ID="12"\nVERSION="12 (bookworm)"\nID=debian\n')
    paragraphs = []
    for n in range(400):
        name, v = f"pkg{n}", f"{version(rng)}-{rng.randint(1, 9)}"
        files = [f"/usr/share/doc/{name}/file{i}.txt" for i in range(12)]
        paragraphs.append(f"Package: {name}\nStatus: install ok installed\nPriority: optional\nSection: libs\n"
                          f"Installed-Size: {rng.randint(10, 5000)}\nMaintainer: Bench <bench@example.org>\n"
                          f"Architecture: amd64\nVersion: {v}\nDescription: synthetic package {n}\n"
                          f" {' '.join(text.take(120).decode().split())}\n")
        layer.add(f"var/lib/dpkg/info/{name}.list", ("\n".join(files) + "\n").encode())
        for f in files:
            layer.add(f.lstrip("/"), text.take(rng.randint(200, 40000)))
    layer.add("var/lib/dpkg/status", "\n".join(paragraphs).encode())
    n = 0
    while layer.bytes < target:
        layer.add(f"usr/lib/x86_64-linux-gnu/share{n // 500}/part{n}.dat", text.take(rng.randint(1000, 60000)))
        n += 1
    layer.close()
    return layer.bytes


def python_layer(path: str, rng: random.Random, text: Text, target: int) -> int:
    layer = LayerWriter(path)
    site = "usr/local/lib/python3.11/site-packages"
    per = max(1, target // 300)
    for n in range(300):
        name, v = f"pkg{n}", version(rng)
        info = f"{site}/{name}-{v}.dist-info"
        layer.add(f"{info}/METADATA", f"Metadata-Version: 2.1\nName: {name}\nVersion: {v}\n"
                  f"Summary: synthetic distribution {n}\nLicense: MIT\n\n{text.take(2000).decode()}".encode())
        modules = [f"{name}/module{i}.py" for i in range(12)]
        layer.add(f"{info}/RECORD", "".join(f"{m},sha256=x,100\n" for m in modules).encode())
        for m in modules:
            layer.add(f"{site}/{m}", text.take(max(100, per // 12)))
    layer.close()
    return layer.bytes


def npm_layer(path: str, rng: random.Random, text: Text, target: int) -> int:
    layer = LayerWriter(path)
    per = max(1, target // 400)
    lock = {"name": "app", "version": "1.0.0", "lockfileVersion": 3, "packages": {"": {"name": "app"}}}
    for n in range(400):
        name, v = f"pkg{n}", version(rng)
        base = f"app/node_modules/{name}"
        layer.add(f"{base}/package.json", json.dumps({"name": name, "version": v, "license": "MIT",
                                                      "main": "index.js"}, indent=2).encode())
        lock["packages"][f"node_modules/{name}"] = {"version": v, "resolved": f"https://registry.npmjs.org/{name}"}
        for i in range(8):
            layer.add(f"{base}/lib/part{i}.js", text.take(max(100, per // 8)))
    layer.add("app/package.json", b'{"name": "app", "version": "1.0.0"}\n')
    layer.add("app/package-lock.json", json.dumps(lock, indent=2).encode())
    layer.close()
    return layer.bytes


def data_layer(path: str, rng: random.Random, target: int) -> int:
    layer = LayerWriter(path)
    n = 0
    while layer.bytes < target:
        size = min(rng.randint(8 << 20, 64 << 20), target - layer.bytes)
        seed = rng.getrandbits(64)

        def chunks(size=size, seed=seed):
            local = random.Random(seed)
            left = size
            while left:
                count = min(CHUNK, left)
                yield local.randbytes(count)
                left -= count

        layer.add_stream(f"opt/data/blob{n}.bin", size, chunks())
        n += 1
    layer.close()
    return layer.bytes


def synthetic(out: str, size: int, seed: int) -> None:
    os.makedirs(out, exist_ok=True)
    rng = random.Random(seed)
    text = Text(rng)
    # About 18% base OS, 14% Python, 14% node, the rest incompressible data.
    os_bytes = os_layer(f"{out}/layer-1.tar.gz", rng, text, size * 18 // 100)
    py_bytes = python_layer(f"{out}/layer-2.tar.gz", rng, text, size * 14 // 100)
    npm_bytes = npm_layer(f"{out}/layer-3.tar.gz", rng, text, size * 14 // 100)
    data_layer(f"{out}/layer-4.tar.gz", rng, max(0, size - os_bytes - py_bytes - npm_bytes))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    make_layout = commands.add_parser("layout")
    make_layout.add_argument("out")
    make_layout.add_argument("--tag", default="latest")
    make_layout.add_argument("layers", nargs="+")
    make_synthetic = commands.add_parser("synthetic")
    make_synthetic.add_argument("out")
    make_synthetic.add_argument("--size", type=parse_size, default=1 << 30)
    make_synthetic.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    if args.command == "layout":
        layout(args.out, args.tag, args.layers)
    else:
        synthetic(args.out, args.size, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
