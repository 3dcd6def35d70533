#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""tcpidle.py: hold many idle TCP connections to a meta port, plus one that
trickles a byte a second, and watch which of them the server closes.

  tcpidle.py HOST PORT --count N --secs S [--status FILE]

Opens N connections one after another (never sends on them) and one more that sends one
byte ("0", the start of an ID line, then spaces) each second. Runs S
seconds after the last connect, or until the server has closed all of them. --status FILE is
rewritten while connecting (`connecting=N refused=N`) and then each second
(`open=N trickle=open|closed`), for the test to poll. On exit prints:
connect_s=T (how long the connects took) opened=N refused=N closed=N open=N
idle_closed_last_s=T (when the last idle one was closed, or "never")
trickle_closed_s=T|never.
"""
import argparse
import os
import select
import socket
import sys
import time


def write_status(path, line):
    with open(path + ".tmp", "w") as f:
        f.write(line + "\n")
    os.replace(path + ".tmp", path)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("host")
    p.add_argument("port", type=int)
    p.add_argument("--count", type=int, default=2000)
    p.add_argument("--secs", type=float, default=60)
    p.add_argument("--status")
    a = p.parse_args()
    start = time.monotonic()
    idle, refused = [], 0
    connect_start = start
    for i in range(a.count):
        # The server may accept slowly (a small backlog, SYN retries): say
        # how far we got, so the test need not wait for all of them.
        if a.status and i % 50 == 0:
            write_status(a.status, "connecting=%d refused=%d" % (i, refused))
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(5)
        try:
            s.connect((a.host, a.port))
        except OSError:
            refused += 1
            s.close()
            continue
        s.setblocking(False)
        idle.append(s)
    connect_secs = time.monotonic() - connect_start
    start = time.monotonic()  # --secs and the close times count from here
    trickle = socket.create_connection((a.host, a.port), timeout=5)
    trickle.setblocking(False)
    opened = len(idle)
    open_set = set(idle)
    last_idle_close = None
    trickle_closed = None
    next_byte = time.monotonic()
    byte = b"0"
    while time.monotonic() - start < a.secs and (open_set or trickle_closed is None):
        now = time.monotonic()
        if trickle_closed is None and now >= next_byte:
            try:
                trickle.send(byte)
                byte = b" "
            except OSError:
                trickle_closed = now - start
            next_byte = now + 1
        watch = list(open_set) + ([trickle] if trickle_closed is None else [])
        # select() cannot take fds above 1023; poll() can.
        poller = select.poll()
        for s in watch:
            poller.register(s, select.POLLIN | select.POLLHUP | select.POLLERR)
        byfd = {s.fileno(): s for s in watch}
        for fd, _ in poller.poll(200):
            s = byfd[fd]
            try:
                data = s.recv(4096)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            if data:
                continue  # the server spoke (its ID line); still open
            if s is trickle:
                trickle_closed = time.monotonic() - start
            else:
                open_set.discard(s)
                s.close()
                last_idle_close = time.monotonic() - start
        if a.status:
            write_status(a.status, "open=%d trickle=%s" % (
                len(open_set), "open" if trickle_closed is None else "closed"))
    fmt = lambda t: "never" if t is None else "%.1f" % t
    print("connect_s=%.1f opened=%d refused=%d closed=%d open=%d idle_closed_last_s=%s trickle_closed_s=%s" % (
        connect_secs, opened, refused, opened - len(open_set), len(open_set),
        fmt(last_idle_close if not open_set else None), fmt(trickle_closed)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
