#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""ra_send.py: a LAN's router, as far as SLAAC sees it, for the e2e tests.

    ra_send.py IFACE WAIT_RS WAIT_NA MAC PREFIX/64:VALID ...

On IFACE (an AF_PACKET socket: a bridge or veth in the test's own
namespace): with WAIT_RS > 0, first waits up to WAIT_RS seconds for a
Router Solicitation from MAC (exit 3 if none) and prints "rs"; then sends
one Router Advertisement from fe80::aa to all nodes, router lifetime 0
(so no host takes it as its default router), one prefix information
option per PREFIX (flags L and A, valid VALID, preferred VALID).
With WAIT_NA > 0, then listens up to WAIT_NA seconds for unsolicited
Neighbor Advertisements from MAC to all nodes and prints "na TARGET" for
each (one per address that finished DAD). Documentation prefixes only.
"""
import socket
import struct
import sys
import time

ETH_P_IPV6 = 0x86DD
SRC_MAC = bytes.fromhex("0200000000aa")
SRC_IP = socket.inet_pton(socket.AF_INET6, "fe80::aa")
ALL_NODES = socket.inet_pton(socket.AF_INET6, "ff02::1")


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ra(prefixes):
    body = struct.pack("!BBHBBHII", 134, 0, 0, 64, 0, 0, 0, 0)
    body += struct.pack("!BB6s", 1, 1, SRC_MAC)  # source link-layer address
    for pfx, valid in prefixes:
        body += struct.pack("!BBBBIII16s", 3, 4, 64, 0xC0, valid, valid, 0,
                            socket.inet_pton(socket.AF_INET6, pfx))
    pseudo = SRC_IP + ALL_NODES + struct.pack("!IxxxB", len(body), 58)
    c = csum(pseudo + body)
    body = body[:2] + struct.pack("!H", c) + body[4:]
    ip6 = struct.pack("!IHBB", 0x60000000, len(body), 58, 255) + SRC_IP + ALL_NODES
    return bytes.fromhex("333300000001") + SRC_MAC + struct.pack("!H", ETH_P_IPV6) + ip6 + body


def wait_rs(s, mac, secs):
    end = time.time() + secs
    while time.time() < end:
        s.settimeout(max(0.1, end - time.time()))
        try:
            f = s.recv(2048)
        except socket.timeout:
            break
        if len(f) >= 62 and f[6:12] == mac and f[12:14] == b"\x86\xdd" and f[20] == 58 and f[54] == 133:
            return True
    return False


def wait_na(s, mac, secs, want):
    end = time.time() + secs
    seen = set()
    while time.time() < end and len(seen) < want:
        s.settimeout(max(0.1, end - time.time()))
        try:
            f = s.recv(2048)
        except socket.timeout:
            break
        if (len(f) >= 78 and f[0:6] == bytes.fromhex("333300000001") and f[6:12] == mac
                and f[12:14] == b"\x86\xdd" and f[20] == 58 and f[54] == 136 and not f[58] & 0x40):
            t = socket.inet_ntop(socket.AF_INET6, f[62:78])
            if t not in seen:
                seen.add(t)
                print("na", t, flush=True)


def main():
    iface, wait, wait_n = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
    mac = bytes.fromhex(sys.argv[4].replace(":", ""))
    prefixes = []
    for a in sys.argv[5:]:
        p, v = a.rsplit(":", 1)
        prefixes.append((p.split("/")[0], int(v)))
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_IPV6))
    s.bind((iface, ETH_P_IPV6))
    if wait > 0:
        if not wait_rs(s, mac, wait):
            print("no rs")
            sys.exit(3)
        print("rs", flush=True)
    s.send(ra(prefixes))
    if wait_n > 0:
        wait_na(s, mac, wait_n, len(prefixes))


main()
