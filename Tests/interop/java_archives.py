# SPDX-License-Identifier: Apache-2.0
"""Java archives for ScanTests' Java cataloger tests, built and read back with Python's zipfile.

  build SPEC.json OUT   writes the archive SPEC describes:
      {"entries": [ENTRY...], "stream": bool, "prefix": "text before the zip"}
      ENTRY: {"name": N, "text": T} | {"name": N, "zeros": COUNT} | {"name": N, "archive": SPEC}, "stored": bool
      "stream": written to an unseekable stream, so every entry's sizes come after its data (data descriptors).
  oracle FILE           prints groupId:artifactId@version of every META-INF/maven/**/pom.properties, at any
                        nesting depth (nested archives opened from their bytes), sorted.
"""
import io
import json
import sys
import zipfile

ARCHIVES = (".jar", ".war", ".ear")


class Unseekable(io.RawIOBase):
    def __init__(self):
        self.data = bytearray()

    def writable(self):
        return True

    def write(self, b):
        self.data += b
        return len(b)


def build(spec):
    stream = spec.get("stream", False)
    raw = Unseekable() if stream else io.BytesIO()
    with zipfile.ZipFile(raw, "w") as archive:
        for entry in spec["entries"]:
            if "archive" in entry:
                data = build(entry["archive"])
            elif "zeros" in entry:
                data = bytes(entry["zeros"])
            else:
                data = entry.get("text", "").encode()
            info = zipfile.ZipInfo(entry["name"], date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED if entry.get("stored") else zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    data = bytes(raw.data) if stream else raw.getvalue()
    return spec.get("prefix", "").encode() + data


def oracle(data, found):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            parts = name.split("/")
            if name.startswith("/") or ".." in parts:
                continue
            if len(parts) >= 5 and parts[-1] == "pom.properties" and parts[-5:-3] == ["META-INF", "maven"]:
                values = {}
                for line in archive.read(name).decode().splitlines():
                    if "=" in line and not line.startswith("#"):
                        key, value = line.split("=", 1)
                        values[key.strip()] = value.strip()
                found.add("%s:%s@%s" % (values["groupId"], values["artifactId"], values["version"]))
            elif name.lower().endswith(ARCHIVES):
                oracle(archive.read(name), found)


if __name__ == "__main__":
    if sys.argv[1] == "build":
        with open(sys.argv[2]) as spec, open(sys.argv[3], "wb") as out:
            out.write(build(json.load(spec)))
    else:
        found = set()
        with open(sys.argv[2], "rb") as f:
            oracle(f.read(), found)
        print("\n".join(sorted(found)))
