#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Memory of `ocitool serve` under batches of one kind of request, normal and malformed.

Not a test: it starts `OCITOOL serve` on 127.0.0.1 over a new store, sends ROUNDS rounds of BATCH requests of
each kind (a tenth of that for MiB bodies and manifest PUTs; each on its own connection, CLIENTS at a time,
only to 127.0.0.1), and prints the server's RSS (VmRSS from /proc/PID/status) after each batch. Growth that continues round after round is a leak; a figure
that stops moving is a plateau (memory the allocator keeps for reuse). With --trim it finally asks glibc to
give back free memory (gdb calls malloc_trim(0) in the server) and prints the RSS after that.

    python3 bench/serve-memory.py .build/release/ocitool [--batch 10000] [--rounds 3] [--clients 1] [--trim]
    MALLOC_ARENA_MAX=2 python3 bench/serve-memory.py ...   (the environment is passed to the server)
"""
import argparse
import collections
import concurrent.futures
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

HOST = "127.0.0.1"


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def anonymous_mappings(pid, top=12):
    """The largest anonymous mappings by RSS (KiB): glibc arenas show as 64 MiB-aligned heaps."""
    mappings, current = [], None
    with open(f"/proc/{pid}/smaps") as smaps:
        for line in smaps:
            fields = line.split()
            if "-" in fields[0] and len(fields) >= 5:
                start, end = (int(x, 16) for x in fields[0].split("-"))
                name = fields[5] if len(fields) > 5 else "[anon]"
                current = [name, (end - start) >> 10, 0]
                mappings.append(current)
            elif fields[0] == "Rss:" and current is not None:
                current[2] = int(fields[1])
    anon = [m for m in mappings if m[0].startswith("[")]
    anon.sort(key=lambda m: -m[2])
    return anon[:top], sum(m[2] for m in anon)


def exchange(port, data, shut=False):
    """Sends raw bytes on a new connection and reads until the server closes or a response is complete."""
    with socket.create_connection((HOST, port), timeout=10) as conn:
        try:
            conn.sendall(data)
            if shut:
                conn.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        received = b""
        while True:
            try:
                chunk = conn.recv(65536)
            except OSError:
                break
            if not chunk:
                break
            received += chunk
            head, sep, body = received.partition(b"\r\n\r\n")
            if sep:
                length = 0
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value.strip())
                if len(body) >= length:
                    break
        return received.split(b" ", 2)[1] if received.startswith(b"HTTP/") else b"---"


def request(method, path, body=b"", headers=()):
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {len(body)}"]
    lines += [f"{name}: {value}" for name, value in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def seed(port):
    """Pushes a config, a 200 KiB layer and a manifest tagged v1; returns the layer's digest."""
    digests = []
    for blob in (b'{"architecture":"amd64","os":"linux"}', os.urandom(200 << 10)):
        digest = "sha256:" + hashlib.sha256(blob).hexdigest()
        assert exchange(port, request("POST", f"/v2/app/blobs/uploads/?digest={digest}", blob)) == b"201"
        digests.append((digest, len(blob)))
    manifest = json.dumps({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": digests[0][0], "size": digests[0][1]},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": digests[1][0], "size": digests[1][1]}],
    }).encode()
    mt = ("Content-Type", "application/vnd.oci.image.manifest.v1+json")
    assert exchange(port, request("PUT", "/v2/app/manifests/v1", manifest, [mt])) == b"201"
    return digests[1][0], manifest


def kinds(layer, manifest, blob):
    """Name, request bytes, whether to half-close after sending, and the share of a batch (large bodies, and
    manifest PUTs, which fsync, are sent a tenth as often), for each kind of request."""
    mt = ("Content-Type", "application/vnd.oci.image.manifest.v1+json")
    big = [
        ("PUT 3 MiB invalid manifest", request("PUT", "/v2/app/manifests/big", b" " * (3 << 20), [mt]), False),
        ("POST 1 MiB blob", request("POST", f"/v2/app/blobs/uploads/?digest={blob[0]}", blob[1]), False),
        ("PUT manifest", request("PUT", "/v2/app/manifests/v1", manifest, [mt]), False),
    ]
    return [(name, data, shut, 10) for name, data, shut in big] + [(name, data, shut, 1) for name, data, shut in [
        ("GET /v2/", request("GET", "/v2/"), False),
        ("GET manifest", request("GET", "/v2/app/manifests/v1"), False),
        ("GET 200 KiB blob", request("GET", f"/v2/app/blobs/{layer}"), False),
        ("GET unknown repo (404)", request("GET", "/v2/nope/tags/list"), False),
        ("bad header line", b"GET /v2/ HTTP/1.1\r\nHost: a\r\nBad Name: x\r\n\r\n", False),
        ("unknown method", b"FROB /v2/ HTTP/1.1\r\nHost: a\r\n\r\n", False),
        ("oversized header (100 KB)", b"GET /v2/ HTTP/1.1\r\nX-Big: " + b"a" * 100_000 + b"\r\n\r\n", False),
        ("TE gzip manifest PUT", b"PUT /v2/app/manifests/v1 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n{}", False),
        ("short manifest PUT", request("PUT", "/v2/app/manifests/v2", b"", [mt]).replace(
            b"Content-Length: 0", b"Content-Length: 1000") + b'{"schemaVersion":2', True),
    ]]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("ocitool")
    parser.add_argument("--batch", type=int, default=10000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--port", type=int, default=5077)
    parser.add_argument("--clients", type=int, default=1, help="requests in flight at once (threads)")
    parser.add_argument("--only", help="run only the kinds whose name contains this text")
    parser.add_argument("--mappings", action="store_true", help="finally list the largest anonymous mappings")
    parser.add_argument("--trim", action="store_true", help="finally call malloc_trim(0) in the server (gdb)")
    args = parser.parse_args()
    root = tempfile.mkdtemp(prefix="ocitool-mem-")
    log = open(os.path.join(root, "..", os.path.basename(root) + ".log"), "w")
    server = subprocess.Popen(
        [args.ocitool, "serve", "--root", root, "--host", HOST, "--port", str(args.port)], stdout=log, stderr=log)
    try:
        for _ in range(100):
            try:
                if exchange(args.port, request("GET", "/v2/")) == b"200":
                    break
            except OSError:
                time.sleep(0.1)
        print(f"idle RSS: {rss_kib(server.pid) / 1024:.1f} MiB", flush=True)
        layer, manifest = seed(args.port)
        content = os.urandom(1 << 20)
        blob = ("sha256:" + hashlib.sha256(content).hexdigest(), content)
        for round_ in range(1, args.rounds + 1):
            for name, data, shut, share in kinds(layer, manifest, blob):
                if args.only and args.only not in name:
                    continue
                start = time.monotonic()
                count = args.batch // share
                with concurrent.futures.ThreadPoolExecutor(args.clients) as pool:
                    results = pool.map(lambda _: exchange(args.port, data, shut), range(count))
                    statuses = collections.Counter(results)
                took = time.monotonic() - start
                summary = ", ".join(f"{k.decode()}x{v}" for k, v in sorted(statuses.items()))
                print(f"round {round_} {name:28} {count:5} in {took:5.1f}s [{summary}]  "
                      f"RSS {rss_kib(server.pid) / 1024:6.1f} MiB", flush=True)
        if args.mappings:
            largest, total = anonymous_mappings(server.pid)
            print(f"anonymous RSS {total / 1024:.1f} MiB; largest: " + ", ".join(
                f"{name} {rss / 1024:.1f}/{size / 1024:.0f} MiB" for name, size, rss in largest), flush=True)
        if args.trim:
            subprocess.run(["gdb", "-p", str(server.pid), "-batch", "-ex", "call (int) malloc_trim(0)"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
            print(f"after malloc_trim(0): RSS {rss_kib(server.pid) / 1024:.1f} MiB", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
