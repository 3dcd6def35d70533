#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# pcap_check.py FILE SRC DST MIN: FILE is a valid pcap capture (magic
# a1b2c3d4, Ethernet link type, every record whole) holding at least MIN
# IPv4 ICMP echo requests SRC -> DST and MIN echo replies DST -> SRC.
# Prints the counts; exit 1 with the reason otherwise.
import ipaddress
import struct
import sys


def main():
    path, src, dst, need = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    src = ipaddress.IPv4Address(src).packed
    dst = ipaddress.IPv4Address(dst).packed
    data = open(path, "rb").read()
    if len(data) < 24:
        sys.exit(f"{len(data)} bytes: no pcap header")
    magic, _, _, _, _, snaplen, link = struct.unpack("<IHHiIII", data[:24])
    if magic != 0xA1B2C3D4 or link != 1:
        sys.exit(f"magic {magic:#x} link type {link}: not an Ethernet pcap file")
    off, records, req, rep = 24, 0, 0, 0
    while off + 16 <= len(data):
        _, _, caplen, origlen = struct.unpack("<IIII", data[off:off + 16])
        off += 16
        if caplen > snaplen or caplen > origlen or off + caplen > len(data):
            sys.exit(f"record {records}: caplen {caplen} origlen {origlen} snaplen {snaplen}")
        f = data[off:off + caplen]
        off += caplen
        records += 1
        if len(f) < 14 + 20 + 8 or f[12:14] != b"\x08\x00" or f[14] >> 4 != 4 or f[23] != 1:
            continue
        ihl = (f[14] & 15) * 4
        s, d, t = f[26:30], f[30:34], f[14 + ihl] if 14 + ihl < len(f) else None
        req += t == 8 and s == src and d == dst
        rep += t == 0 and s == dst and d == src
    if off != len(data):
        sys.exit(f"{len(data) - off} trailing bytes after {records} records")
    print(f"records={records} echo_requests={req} echo_replies={rep}")
    if req < need or rep < need:
        sys.exit(f"records={records} echo_requests={req} echo_replies={rep}: want {need} of each")


main()
