#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""impair.py: a userspace netem for kernels without sch_netem.

Forwards every Ethernet frame between two interfaces of the same namespace
(AF_PACKET, both directions) and impairs it on the way as netem would:
--loss percent dropped, --dup percent sent twice, each copy held for
--delay ms plus a uniform jitter of +-(--jitter) ms (so frames reorder
whenever the jitter exceeds their spacing). Runs until killed; on SIGTERM
prints `frames=N lost=N dup=N` on stdout.

`impair.py --txcsum-off IFACE` instead turns off IFACE's transmit checksum
offload (ethtool -K IFACE tx off, without ethtool): frames read from a
packet socket otherwise carry unfinished checksums that nothing downstream
completes once they are re-sent, and every TCP and UDP frame would be lost.
"""
import array
import fcntl
import argparse
import heapq
import random
import select
import signal
import socket
import struct
import sys
import time

PACKET_OUTGOING = 4
SIOCETHTOOL = 0x8946
ETHTOOL_STXCSUM = 0x17


def txcsum_off(name):
    val = array.array("I", [ETHTOOL_STXCSUM, 0])
    ifr = struct.pack("16sP", name.encode(), val.buffer_info()[0])
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        fcntl.ioctl(s, SIOCETHTOOL, ifr)
    return 0


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--txcsum-off":
        return txcsum_off(sys.argv[2])
    p = argparse.ArgumentParser()
    p.add_argument("if1")
    p.add_argument("if2")
    p.add_argument("--loss", type=float, default=5)
    p.add_argument("--dup", type=float, default=2)
    p.add_argument("--delay", type=float, default=50)
    p.add_argument("--jitter", type=float, default=50)
    a = p.parse_args()
    socks = {}
    for name in (a.if1, a.if2):
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
        s.bind((name, 0))
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        s.setblocking(False)
        socks[name] = s
    other = {socks[a.if1]: socks[a.if2], socks[a.if2]: socks[a.if1]}
    stats = {"frames": 0, "lost": 0, "dup": 0}
    queue, seq = [], 0
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    rnd = random.Random()
    while not stop:
        now = time.monotonic()
        while queue and queue[0][0] <= now:
            _, _, out, frame = heapq.heappop(queue)
            try:
                out.send(frame)
            except OSError:
                pass
        wait = max(0.0, queue[0][0] - now) if queue else 0.2
        try:
            ready, _, _ = select.select(list(other), [], [], wait)
        except InterruptedError:
            continue
        for s in ready:
            for _ in range(64):
                try:
                    frame, addr = s.recvfrom(65535)
                except BlockingIOError:
                    break
                if addr[2] == PACKET_OUTGOING:
                    continue
                stats["frames"] += 1
                if rnd.random() * 100 < a.loss:
                    stats["lost"] += 1
                    continue
                copies = 2 if rnd.random() * 100 < a.dup else 1
                stats["dup"] += copies - 1
                for _ in range(copies):
                    d = max(0.0, a.delay + rnd.uniform(-a.jitter, a.jitter)) / 1000
                    seq += 1
                    heapq.heappush(queue, (time.monotonic() + d, seq, other[s], frame))
    print(" ".join("%s=%d" % kv for kv in stats.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
