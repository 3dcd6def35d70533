#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""udpflood.py: hostile UDP senders for the fault suite (tests/faults/).

Modes (all send to HOST:PORT, paced at --rate datagrams per second):
  random    random bytes, random sizes 1..1400
  idprefix  a tinc 1.1 UDP header that names a real node (6 bytes of
            destination ID, zero or the victim's, then the source node's
            ID: the first 6 bytes of SHA-512 of its Name) and garbage after
  sizes     alternately truncated datagrams (0..15 bytes) and 65507-byte ones
  replay    datagrams captured by `capture`, resent from a raw socket with
            their original source address and port
  capture   sniff (AF_PACKET) UDP payloads from --src to HOST:PORT and save
            them one hex line each to --file; stops after --count or --secs

Prints `sent=N` (or `captured=N`) on stdout when done. Test tool, not ours
to ship: it only ever talks to addresses inside the test's namespaces.
"""
import argparse
import hashlib
import os
import random
import socket
import struct
import sys
import time


def node_id(name):
    return hashlib.sha512(name.encode()).digest()[:6]


def paced(count, rate, make, send):
    """Send count datagrams from make(i), rate per second (0: unpaced)."""
    sent = errors = 0
    start = time.monotonic()
    for i in range(count):
        try:
            send(make(i))
            sent += 1
        except OSError:
            errors += 1
        if rate and i % 50 == 49:
            ahead = (i + 1) / rate - (time.monotonic() - start)
            if ahead > 0:
                time.sleep(ahead)
    return sent, errors


def udp_sender(host, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
    s.connect((host, port))
    return s.send


def raw_sender(src, sport, host, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    srcb, dstb = socket.inet_aton(src), socket.inet_aton(host)

    def send(payload):
        udp = struct.pack("!HHHH", sport, port, 8 + len(payload), 0) + payload
        # Length, ID and checksum are filled in by the kernel (IP_HDRINCL).
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 0, 0, 0, 64, 17, 0, srcb, dstb)
        s.sendto(ip + udp, (host, 0))
    return send


def capture(a):
    # ETH_P_ALL: the kernel shows outgoing frames only to such sockets.
    s = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(0x0003))
    s.settimeout(0.5)
    src, dst = socket.inet_aton(a.src), socket.inet_aton(a.host)
    got = []
    end = time.monotonic() + a.secs
    while len(got) < a.count and time.monotonic() < end:
        try:
            pkt, addr = s.recvfrom(65535)
        except socket.timeout:
            continue
        if addr[1] != 0x0800:
            continue
        ihl = (pkt[0] & 15) * 4
        if len(pkt) < ihl + 8 or pkt[9] != 17 or pkt[12:16] != src or pkt[16:20] != dst:
            continue
        sport, dport = struct.unpack("!HH", pkt[ihl:ihl + 4])
        if dport != a.port:
            continue
        got.append("%d %s" % (sport, pkt[ihl + 8:].hex()))
    with open(a.file, "w") as f:
        f.write("\n".join(got) + "\n")
    print("captured=%d" % len(got))
    return 0 if got else 1


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["random", "idprefix", "sizes", "replay", "capture"])
    p.add_argument("host")
    p.add_argument("port", type=int)
    p.add_argument("--count", type=int, default=20000)
    p.add_argument("--rate", type=int, default=5000)
    p.add_argument("--src", help="capture/replay: the real sender's address")
    p.add_argument("--name", action="append", default=[], help="idprefix: node Names")
    p.add_argument("--victim", help="idprefix: the victim's Name")
    p.add_argument("--file", help="capture/replay: hex datagram file")
    p.add_argument("--secs", type=float, default=30)
    a = p.parse_args()
    rnd = random.Random(os.getpid())

    if a.mode == "capture":
        return capture(a)
    if a.mode == "random":
        send = udp_sender(a.host, a.port)
        make = lambda i: os.urandom(rnd.randint(1, 1400))
    elif a.mode == "idprefix":
        send = udp_sender(a.host, a.port)
        srcs = [node_id(n) for n in a.name]
        dsts = [bytes(6)] + ([node_id(a.victim)] if a.victim else [])
        make = lambda i: (dsts[i % len(dsts)] + srcs[i % len(srcs)] +
                          os.urandom(rnd.randint(0, 1400)))
    elif a.mode == "sizes":
        send = udp_sender(a.host, a.port)
        make = lambda i: os.urandom(rnd.randint(0, 15)) if i % 2 == 0 else os.urandom(65507)
    else:
        with open(a.file) as f:
            caps = [(int(l.split()[0]), bytes.fromhex(l.split()[1]))
                    for l in f if len(l.split()) == 2]
        if not caps:
            print("replay: nothing captured in %s" % a.file, file=sys.stderr)
            return 1
        senders = {sp: raw_sender(a.src, sp, a.host, a.port) for sp, _ in caps}
        send = lambda c: senders[c[0]](c[1])
        make = lambda i: caps[i % len(caps)]
    sent, errors = paced(a.count, a.rate, make, send)
    print("sent=%d errors=%d" % (sent, errors))
    return 0


if __name__ == "__main__":
    sys.exit(main())
