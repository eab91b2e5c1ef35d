#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Builds ScanTests' inputs with independent tools (Python's tarfile, gzip, zstd(1); rpm's own header code).

  scan_fixture.py tar OUT < {"compression": "none|gzip|zstd", "entries": [{"path", "kind": "file|symlink|dir",
                             "text"|"b64", "target", "mode"}]}
  scan_fixture.py rpmdb OUT < [{"name", "version", "release", "epoch"?, "license", "sourcerpm", "arch"}]
  scan_fixture.py sparse-tar OUT PATH SIZE   a GNU tar holding one sparse file of SIZE bytes at PATH
"""
import base64, gzip, io, json, os, sqlite3, subprocess, sys, tarfile, tempfile


def make_tar(out, spec):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for entry in spec["entries"]:
            info = tarfile.TarInfo(entry["path"])
            info.mtime = 1700000000
            info.mode = entry.get("mode", 0o644)
            kind = entry.get("kind", "file")
            if kind == "dir":
                info.type = tarfile.DIRTYPE
                info.mode = entry.get("mode", 0o755)
                tar.addfile(info)
            elif kind == "symlink":
                info.type = tarfile.SYMTYPE
                info.linkname = entry["target"]
                tar.addfile(info)
            else:
                data = base64.b64decode(entry["b64"]) if "b64" in entry else entry.get("text", "").encode()
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    data = raw.getvalue()
    compression = spec.get("compression", "none")
    if compression == "gzip":
        data = gzip.compress(data, mtime=0)
    elif compression == "zstd":
        data = subprocess.run(["zstd", "-q", "-c"], input=data, stdout=subprocess.PIPE, check=True).stdout
    with open(out, "wb") as f:
        f.write(data)


def make_rpmdb(out, packages):
    import rpm  # python3-rpm: real rpm header blobs
    db = sqlite3.connect(out)
    db.execute("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)")
    for p in packages:
        h = rpm.hdr()
        h[rpm.RPMTAG_NAME] = p["name"]
        h[rpm.RPMTAG_VERSION] = p["version"]
        h[rpm.RPMTAG_RELEASE] = p["release"]
        if "epoch" in p:
            h[rpm.RPMTAG_EPOCH] = p["epoch"]
        h[rpm.RPMTAG_LICENSE] = p["license"]
        h[rpm.RPMTAG_SOURCERPM] = p["sourcerpm"]
        h[rpm.RPMTAG_ARCH] = p["arch"]
        db.execute("INSERT INTO Packages (blob) VALUES (?)", (h.unload(),))
    db.commit()
    db.close()


def make_sparse_tar(out, path, size):
    with tempfile.TemporaryDirectory() as root:
        full = os.path.join(root, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "wb") as f:
            f.truncate(size)
        subprocess.run(["tar", "--sparse", "--format=gnu", "-C", root, "-cf", out, path], check=True)


if __name__ == "__main__":
    command, out = sys.argv[1], sys.argv[2]
    if command == "tar":
        make_tar(out, json.load(sys.stdin))
    elif command == "rpmdb":
        make_rpmdb(out, json.load(sys.stdin))
    elif command == "sparse-tar":
        make_sparse_tar(out, sys.argv[3], int(sys.argv[4]))
    else:
        sys.exit("unknown command " + command)
