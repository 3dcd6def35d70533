#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# arpflood.py: from a LAN host, COUNT bogus ARP requests (broadcast, for
# TARGET) from random sender MACs and IPs inside --net (a /16, so most
# senders lie outside a /24 LAN and a table that stored every sender would
# grow far past the LAN's size), never from an address in --keep. Every
# --spoof-every'th frame is instead a spoofed ARP reply claiming --spoof-ip
# is at a random MAC, sent alternately to --spoof-dst (unicast to the
# victim router) and as a broadcast gratuitous reply. Used by
# tests/faults/arp_flood.sh. Prints `sent=N requests=N replies=N secs=S`.
import argparse
import ipaddress
import random
import socket
import struct
import time

ap = argparse.ArgumentParser()
ap.add_argument("--dev", required=True)
ap.add_argument("--target", required=True)          # the router's LAN address
ap.add_argument("--net", default="192.168.0.0/16")  # random senders' range
ap.add_argument("--keep", action="append", default=[])  # never used as sender
ap.add_argument("--count", type=int, required=True)
ap.add_argument("--rate", type=int, default=0)      # frames/s, 0: as fast as possible
ap.add_argument("--spoof-ip")
ap.add_argument("--spoof-dst")                      # the router's MAC
ap.add_argument("--spoof-every", type=int, default=100)
a = ap.parse_args()

rng = random.Random(19)
net = ipaddress.ip_network(a.net)
base = int(net.network_address)
span = net.num_addresses
keep = {int(ipaddress.ip_address(k)) for k in a.keep + [a.target]}
target = ipaddress.ip_address(a.target).packed
bcast = b"\xff" * 6
spoof_ip = ipaddress.ip_address(a.spoof_ip).packed if a.spoof_ip else None
spoof_dst = bytes.fromhex(a.spoof_dst.replace(":", "")) if a.spoof_dst else bcast

s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((a.dev, 0))


def rand_mac():
    # locally administered, unicast
    return bytes([0x02 | (rng.randrange(256) & 0xFC)]) + rng.randbytes(5)


def arp(op, smac, sip, tmac, tip):
    return struct.pack("!HHBBH", 1, 0x0800, 6, 4, op) + smac + sip + tmac + tip


sent = requests = replies = 0
t0 = time.monotonic()
for i in range(a.count):
    smac = rand_mac()
    if spoof_ip and a.spoof_every and i % a.spoof_every == a.spoof_every - 1:
        # An unasked reply: "spoof_ip is at smac", to the router or to all.
        dst = spoof_dst if replies % 2 == 0 else bcast
        frame = dst + smac + b"\x08\x06" + arp(2, smac, spoof_ip, dst, target)
        replies += 1
    else:
        while True:
            ip = base + rng.randrange(1, span - 1)
            if ip not in keep and (ip & 0xFF) not in (0, 255):
                break
        frame = bcast + smac + b"\x08\x06" + arp(1, smac, ip.to_bytes(4, "big"), bytes(6), target)
        requests += 1
    frame += bytes(60 - len(frame))
    while True:
        try:
            s.send(frame)
            break
        except OSError:
            time.sleep(0.001)  # socket buffer full: wait, do not lose the frame
    sent += 1
    if a.rate and i % 100 == 99:
        ahead = (i + 1) / a.rate - (time.monotonic() - t0)
        if ahead > 0:
            time.sleep(ahead)
print("sent=%d requests=%d replies=%d secs=%.1f" % (sent, requests, replies, time.monotonic() - t0))
