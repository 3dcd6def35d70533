#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""udpsend.py: an attacker's UDP sender for the e2e and fault tests.

    udpsend.py random  DST PORT COUNT            random datagrams, 1..1400 bytes
    udpsend.py big     DST PORT COUNT SIZE       datagrams of SIZE bytes
    udpsend.py spoof   SRC SPORT DST PORT SRCID RATE SECONDS
        garbage datagrams carrying SRCID (12 hex digits) in tinc's direct
        form (DSTID 0, SRCID, then random bytes), sent through a raw socket
        with SRC:SPORT as their source (a spoofed peer), RATE per second.

Prints "sent N". Only for addresses inside the test's own namespaces.
"""
import os
import socket
import struct
import sys
import time


def plain(dst, port, count, size):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sent = 0
    for _ in range(count):
        n = size if size else 1 + int.from_bytes(os.urandom(2), "big") % 1400
        try:
            s.sendto(os.urandom(n), (dst, port))
            sent += 1
        except OSError:
            pass
    return sent


def ip_udp(src, sport, dst, dport, payload):
    udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    # The kernel fills in the IP checksum and total length (IP_HDRINCL).
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0x4000, 64,
                     socket.IPPROTO_UDP, 0, socket.inet_aton(src),
                     socket.inet_aton(dst))
    return ip + udp


def spoof(src, sport, dst, dport, srcid, rate, secs):
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    ident = bytes(6) + bytes.fromhex(srcid)
    sent, start = 0, time.monotonic()
    while time.monotonic() - start < secs:
        payload = ident + os.urandom(60 + sent % 200)
        try:
            s.sendto(ip_udp(src, sport, dst, dport, payload), (dst, 0))
            sent += 1
        except OSError:
            pass
        # Paced to RATE per second, never faster.
        delay = start + sent / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
    return sent


def main(a):
    if a[0] == "random":
        n = plain(a[1], int(a[2]), int(a[3]), 0)
    elif a[0] == "big":
        n = plain(a[1], int(a[2]), int(a[3]), int(a[4]))
    elif a[0] == "spoof":
        n = spoof(a[1], int(a[2]), a[3], int(a[4]), a[5], float(a[6]), float(a[7]))
    else:
        sys.exit("usage: see the docstring")
    print("sent %d" % n)


if __name__ == "__main__":
    main(sys.argv[1:])
