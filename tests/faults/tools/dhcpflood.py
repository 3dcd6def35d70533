#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# dhcpflood.py: a rogue on a LAN sending DHCP-port traffic to everyone:
# broadcast IPv4/UDP 67 -> 68 frames out of an interface at RATE per second
# for SECS seconds, cycling through five kinds: random payloads, OFFERs and
# ACKs for random transactions, NAKs for random transactions addressed to
# CHADDR, messages whose options are cut short or nonsense, and datagrams
# with a wrong UDP checksum. Used by tests/faults/dhcp_rogue.sh. Prints
# `sent=N`.
import argparse
import os
import random
import socket
import struct
import time

ap = argparse.ArgumentParser()
ap.add_argument("--dev", required=True)
ap.add_argument("--src", required=True, help="IPv4 source address")
ap.add_argument("--chaddr", required=True, help="the victim's MAC")
ap.add_argument("--rate", type=int, default=2000)
ap.add_argument("--secs", type=float, default=10)
a = ap.parse_args()

rnd = random.Random(1)
chaddr = bytes.fromhex(a.chaddr.replace(":", ""))
src = socket.inet_aton(a.src)
dst = b"\xff" * 4


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def dhcp(mtype, xid, mac, opts=b""):
    hdr = struct.pack("!BBBBIHH", 2, 1, 6, 0, xid, 0, 0)
    hdr += b"\0" * 4 + os.urandom(4) + src + b"\0" * 4 + mac + b"\0" * 10
    hdr += b"\0" * 192 + b"\x63\x82\x53\x63"
    return hdr + bytes([53, 1, mtype, 54, 4]) + src + opts + b"\xff"


def payload(i):
    k = i % 5
    xid = rnd.getrandbits(32)
    if k == 0:
        return os.urandom(rnd.randrange(0, 600))
    if k == 1:
        mac = os.urandom(6)
        return dhcp(rnd.choice((2, 5)), xid, mac, b"\x33\x04\x00\x00\x0e\x10\x01\x04\xff\xff\xff\x00")
    if k == 2:
        return dhcp(6, xid, chaddr)
    if k == 3:
        good = dhcp(5, xid, chaddr, os.urandom(40))
        return good[: rnd.randrange(240, len(good))]
    return dhcp(2, xid, chaddr)  # checksum broken below


def frame(i):
    p = payload(i)
    udp = struct.pack("!HHHH", 67, 68, 8 + len(p), 0) + p
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), i & 0xFFFF, 0, 64, 17, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    c = csum(src + dst + struct.pack("!BBH", 0, 17, len(udp)) + udp) or 0xFFFF
    if i % 5 == 4:
        c ^= 0x5A5A
    udp = udp[:6] + struct.pack("!H", c) + udp[8:]
    return b"\xff" * 6 + b"\x02\x00\x00\x00\x66\x66" + b"\x08\x00" + ip + udp


s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((a.dev, 0))
sent = 0
t0 = time.monotonic()
i = 0
while time.monotonic() - t0 < a.secs:
    try:
        s.send(frame(i))
        sent += 1
    except OSError:
        time.sleep(0.001)
    i += 1
    if i % 50 == 0:
        ahead = i / a.rate - (time.monotonic() - t0)
        if ahead > 0:
            time.sleep(ahead)
print("sent=%d" % sent)
