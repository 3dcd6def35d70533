#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# langarbage.py IFACE DSTMAC N SEED: N malformed or hostile Ethernet frames
# on IFACE (AF_PACKET), to DSTMAC or broadcast: random ethertypes and
# lengths, cut IPv4/IPv6/ARP headers, bad IHL and length fields, ND
# messages with bad hop limits and options, ICMP to the router. Prints
# "sent N". Test traffic only: run inside the test's LAN namespace.
import os
import random
import socket
import struct
import sys

iface, dst, n, seed = sys.argv[1], bytes.fromhex(sys.argv[2].replace(":", "")), int(sys.argv[3]), int(sys.argv[4])
rnd = random.Random(seed)
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((iface, 0))
src = bytes.fromhex("06" + "%010x" % rnd.getrandbits(40))


def body(kind):
    if kind == 0:  # IPv4 header with random fields, to the router or beyond
        ihl = rnd.choice([0, 4, 5, 6, 15])
        tot = rnd.choice([0, 20, 40, 65535, rnd.getrandbits(16)])
        dst4 = rnd.choice([bytes([192, 168, 200, 2]), bytes([203, 0, 113, 2]), os.urandom(4)])
        h = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, tot, 0, rnd.getrandbits(16), rnd.choice([0, 1, 64]),
                        rnd.choice([1, 6, 17, 58, rnd.getrandbits(8)]), 0, bytes([192, 168, 200, 11]), dst4)
        return 0x0800, h[: rnd.randint(0, len(h))] + os.urandom(rnd.randint(0, 64))
    if kind == 1:  # IPv6, often ICMPv6 (ND types) with any hop limit
        dst6 = rnd.choice([bytes.fromhex("20010db8020000000000000000000002"),
                           bytes.fromhex("ff0200000000000000000001ff000002"), os.urandom(16)])
        pl = rnd.choice([0, 8, 24, 32, rnd.getrandbits(16)])
        h = struct.pack("!IHBB16s16s", 0x60000000, pl, rnd.choice([58, 6, 0, 43]), rnd.choice([1, 64, 255]),
                        bytes.fromhex("20010db8020000000000000000000011"), dst6)
        icmp = bytes([rnd.choice([128, 133, 134, 135, 136, 1, 2, 3]), rnd.choice([0, 1])]) + os.urandom(rnd.randint(0, 40))
        return 0x86DD, (h + icmp)[: rnd.randint(0, len(h) + len(icmp))]
    if kind == 2:  # ARP, cut or with odd formats and senders
        a = struct.pack("!HHBBH6s4s6s4s", rnd.choice([1, 6]), rnd.choice([0x0800, 0x86DD]), rnd.choice([6, 0, 255]),
                        rnd.choice([4, 16]), rnd.choice([1, 2, 3]), rnd.choice([src, b"\0" * 6, b"\xff" * 6]),
                        rnd.choice([bytes([192, 168, 200, rnd.randint(0, 255)]), os.urandom(4)]), os.urandom(6),
                        rnd.choice([bytes([192, 168, 200, 2]), os.urandom(4)]))
        return 0x0806, a[: rnd.randint(0, len(a))] + os.urandom(rnd.choice([0, 0, 100]))
    if kind == 3:  # VLAN tag around anything
        return 0x8100, os.urandom(rnd.randint(0, 100))
    return rnd.getrandbits(16), os.urandom(rnd.randint(0, 1500))


sent = 0
for i in range(n):
    et, b = body(rnd.randrange(5))
    d = dst if rnd.random() < 0.8 else b"\xff" * 6
    try:
        s.send(d + src + struct.pack("!H", et) + b)
        sent += 1
    except OSError:
        pass
print("sent", sent)
