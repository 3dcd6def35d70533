#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# natpeer.py: tiny TCP/UDP servers that answer with the address they saw,
# and clients that print the answer, for tests/e2e/taprouter_nat.sh (who
# did the far end see as the source, and did the reply come back to the
# right LAN host).
#   natpeer.py serve-tcp ADDR PORT TAG     answers "TAG peer=IP:PORT got=LINE"
#   natpeer.py serve-udp ADDR PORT TAG     the same per datagram
#   natpeer.py tcp HOST PORT MSG           prints the answer
#   natpeer.py udp HOST PORT MSG [SPORT]   prints the answer (3 tries)
import socket
import sys


def serve_tcp(addr, port, tag):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(16)
    while True:
        c, peer = s.accept()
        c.settimeout(5)
        try:
            line = c.makefile().readline().strip()
            c.sendall(f"{tag} peer={peer[0]}:{peer[1]} got={line}\n".encode())
        except OSError:
            pass
        c.close()


def serve_udp(addr, port, tag):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, port))
    while True:
        data, peer = s.recvfrom(2048)
        s.sendto(f"{tag} peer={peer[0]}:{peer[1]} got={data.decode(errors='replace')}".encode(), peer)


def tcp(host, port, msg):
    with socket.create_connection((host, port), timeout=5) as c:
        c.sendall((msg + "\n").encode())
        print(c.makefile().readline().strip())


def udp(host, port, msg, sport=0):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", sport))
    s.settimeout(2)
    for _ in range(3):
        s.sendto(msg.encode(), (host, port))
        try:
            print(s.recv(2048).decode())
            return
        except socket.timeout:
            continue
    sys.exit("no answer")


def main():
    a = sys.argv[1:]
    if a[0] == "serve-tcp":
        serve_tcp(a[1], int(a[2]), a[3])
    elif a[0] == "serve-udp":
        serve_udp(a[1], int(a[2]), a[3])
    elif a[0] == "tcp":
        tcp(a[1], int(a[2]), a[3])
    elif a[0] == "udp":
        udp(a[1], int(a[2]), a[3], int(a[4]) if len(a) > 4 else 0)
    else:
        sys.exit("usage: see the head of natpeer.py")


if __name__ == "__main__":
    main()
