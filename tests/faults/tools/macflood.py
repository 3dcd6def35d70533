#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# macflood.py: send COUNT Ethernet frames out of an interface, each from a
# different (locally administered, unicast) source MAC, to DST. Used by
# tests/faults/mac_flood.sh from a LAN host behind a switch-mode node.
# Prints `sent=N`.
import argparse
import socket
import struct
import time

ap = argparse.ArgumentParser()
ap.add_argument("--dev", required=True)
ap.add_argument("--dst", required=True)
ap.add_argument("--count", type=int, required=True)
ap.add_argument("--rate", type=int, default=20000)
a = ap.parse_args()

dst = bytes.fromhex(a.dst.replace(":", ""))
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((a.dev, 0))
sent = 0
t0 = time.monotonic()
for i in range(a.count):
    # 06:xx:xx:xx:xx:xx: locally administered, unicast, distinct per frame.
    src = b"\x06" + struct.pack(">I", i) + b"\x5a"
    # EtherType 0x88b5 (local experimental): no host stack acts on it.
    frame = dst + src + b"\x88\xb5" + b"flood" + bytes(41)
    try:
        s.send(frame)
        sent += 1
    except OSError:
        time.sleep(0.001)
    if a.rate and i % 100 == 99:
        ahead = (i + 1) / a.rate - (time.monotonic() - t0)
        if ahead > 0:
            time.sleep(ahead)
print("sent=%d" % sent)
