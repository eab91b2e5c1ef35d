#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# A one-node Ceph with radosgw on loopback, for the object-storage tests: no systemd, no root
# daemons left behind (stop kills them), everything under one directory.
#
#   scripts/ceph.sh start DIR [RGW_PORT]   # prints the S3 endpoint and credentials as shell assignments
#                                          # (the daemons keep none of its output streams open)
#   scripts/ceph.sh stop DIR
#
# One monitor (msgr v1 on a free port), one OSD (bluestore on a sparse file) and radosgw (beast),
# with auth off and pool size 1; then an S3 user. radosgw runs with TCP_NODELAY: without it, a small object's
# body waits for the ACK of its headers (Nagle against the client's delayed ACK), about 40 ms per GET on a reused
# connection (a manifest GET through `ocitool serve` took 45 ms instead of 6). Needs Debian's ceph-mon ceph-osd radosgw
# ceph-common (apt-get install --no-install-recommends ceph-mon ceph-osd radosgw ceph-common).
# Measured here: ready in about 20 s.
set -euo pipefail

command=${1:?usage: ceph.sh start|stop DIR [RGW_PORT]}
dir=$(realpath -m "${2:?usage: ceph.sh start|stop DIR [RGW_PORT]}")
conf=$dir/ceph.conf

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

stop() {
    for pidfile in "$dir"/run/*.pid; do
        [ -f "$pidfile" ] || continue
        kill "$(cat "$pidfile")" 2>/dev/null || true
    done
    for pidfile in "$dir"/run/*.pid; do
        [ -f "$pidfile" ] || continue
        local pid
        pid=$(cat "$pidfile")
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
        rm -f "$pidfile"
    done
}

case $command in
stop)
    stop
    exit 0
    ;;
start) ;;
*)
    echo "usage: ceph.sh start|stop DIR [RGW_PORT]" >&2
    exit 2
    ;;
esac

rgw_port=${3:-$(free_port)}
mon_port=$(free_port)
fsid=$(python3 -c 'import uuid; print(uuid.uuid4())')
mkdir -p "$dir"/{mon,osd,rgw,run,log}

cat >"$conf" <<CONF
[global]
fsid = $fsid
mon host = v1:127.0.0.1:$mon_port
mon initial members = a
auth cluster required = none
auth service required = none
auth client required = none
ms bind msgr2 = false
ms bind msgr1 = true
osd pool default size = 1
osd pool default min size = 1
mon allow pool size one = true
mon warn on pool no redundancy = false
osd crush chooseleaf type = 0
run dir = $dir/run
log file = $dir/log/\$name.log
admin socket = $dir/run/\$name.asok
pid file = $dir/run/\$name.pid
[mon]
mon data = $dir/mon/\$cluster-\$id
[osd]
osd data = $dir/osd/\$cluster-\$id
osd objectstore = bluestore
bluestore block path = $dir/osd/block
bluestore block create = true
bluestore block size = 10737418240
osd class update on start = false
osd crush update on start = false
osd max object name len = 460
osd max object namespace len = 64
[client.rgw]
rgw data = $dir/rgw
rgw frontends = beast endpoint=127.0.0.1:$rgw_port tcp_nodelay=1
rgw dns name = localhost
rgw thread pool size = 64
CONF

started=$(date +%s.%N)
monmaptool --create --fsid "$fsid" --addv a "[v1:127.0.0.1:$mon_port]" "$dir/monmap" >/dev/null
ceph-mon -c "$conf" --mkfs -i a --monmap "$dir/monmap" >"$dir/log/mkfs-mon.log" 2>&1
ceph-mon -c "$conf" -i a </dev/null >>"$dir/log/stdout.log" 2>>"$dir/log/stderr.log"
# The monitor answers once it has formed its quorum of one; on a loaded machine a command sent before that
# fails ("EPERM: problem getting command descriptions from mon") and, under set -e, so did the whole start.
for _ in $(seq 150); do
    ceph -c "$conf" mon stat >/dev/null 2>&1 && break
    sleep 0.2
done
osd_uuid=$(python3 -c 'import uuid; print(uuid.uuid4())')
ceph -c "$conf" osd create "$osd_uuid" >/dev/null
mkdir -p "$dir/osd/ceph-0"
ceph-osd -c "$conf" -i 0 --mkfs --osd-uuid "$osd_uuid" >"$dir/log/mkfs-osd.log" 2>&1
# Placed in the CRUSH map here, not by the OSD at start (`osd crush update on start = false`): its own request
# went out with a zero fsid when the machine was loaded, the monitor refused it ('wrong fsid') and the OSD exited.
ceph -c "$conf" osd crush add osd.0 1.0 root=default host=localhost >/dev/null 2>>"$dir/log/stderr.log"
ceph-osd -c "$conf" -i 0 </dev/null >>"$dir/log/stdout.log" 2>>"$dir/log/stderr.log"
for _ in $(seq 300); do
    ceph -c "$conf" osd stat 2>/dev/null | grep -q "1 up" && break
    sleep 0.1
done
radosgw -c "$conf" -n client.rgw </dev/null >>"$dir/log/stdout.log" 2>>"$dir/log/stderr.log"
for _ in $(seq 600); do
    curl -fsS -o /dev/null "http://127.0.0.1:$rgw_port/" 2>/dev/null && break
    sleep 0.1
done
access=ocitool-test
secret=$(python3 -c 'import secrets; print(secrets.token_hex(20))')
radosgw-admin -c "$conf" user create --uid=ocitool --display-name=ocitool \
    --access-key="$access" --secret-key="$secret" >/dev/null
echo "# ceph ready in $(python3 -c "print(round($(date +%s.%N) - $started, 1))") s" >&2
echo "S3_ENDPOINT=http://127.0.0.1:$rgw_port"
echo "AWS_ACCESS_KEY_ID=$access"
echo "AWS_SECRET_ACCESS_KEY=$secret"
