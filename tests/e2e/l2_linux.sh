#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# l2_linux: the pure ARP, NDP and ICMP cores (src/l2, src/wire/icmp_*.c)
# driven by tests/l2/l2_linux_peer on a veth in namespace "rtr", judged by
# a real Linux host in namespace "lan": Linux must resolve our addresses
# (ARP and NDP, so our replies' layout, checksums and hop limit pass its
# checks), answer our ARP request and NS, get our echo replies, and accept
# our ICMP errors (time exceeded, frag needed / packet too big with the MTU
# it then caches, unreachable) for packets it routes through us.
set -eu
. "$(dirname "$0")/lib.sh"
fl_need_root
fl_need_tools ping python3
PEER=$FENLIU_BUILD/tests/l2/l2_linux_peer
[ -x "$PEER" ] || fl_skip "l2_linux_peer not built in $FENLIU_BUILD"
fl_init
fl_net rtr lan
# rtr's kernel keeps out of it: no addresses, no IPv6, so every ARP, NDP
# and ICMP answer on that link comes from the cores.
n rtr ip addr flush dev eth0
n rtr sysctl -qw net.ipv6.conf.eth0.disable_ipv6=1
n lan ip addr add 2001:db8::2/64 dev eth0 nodad
n lan ip route add 198.51.100.0/24 via 192.0.2.1
n lan ip -6 route add 2001:db8:1::/64 via 2001:db8::1
out=$FL_TMP/peer.out
fl_bg rtr "$PEER" eth0 192.0.2.1/16 2001:db8::1 192.0.2.2 2001:db8::2 120 1280 >"$out" 2>"$FL_TMP/peer.err"
fl_wait 10 "peer ready" grep -q '^ready' "$out"
lanmac=$(n lan cat /sys/class/net/eth0/address)
rtrmac=$(n rtr cat /sys/class/net/eth0/address)

# DAD: no objection on the link, the address becomes preferred.
fl_wait 10 "DAD for 2001:db8::1" grep -q '^dad-ok 2001:db8::1 ' "$out"
# Our ARP request and NS were answered by Linux (with its MAC).
fl_wait 10 "ARP resolution of 192.0.2.2" grep -q "^resolved 192.0.2.2 $lanmac" "$out"
fl_wait 10 "NDP resolution of 2001:db8::2" grep -q "^resolved 2001:db8::2 $lanmac" "$out"
echo "RESULT l2_linux dad=ok arp_resolve=ok ndp_resolve=ok"

# Linux resolves us and gets echo replies (v4 and v6). It learned us from
# our own request and NS; forget that, so it must ask and we must answer.
n lan ip neigh flush dev eth0
n lan ip -6 neigh flush dev eth0
fl_wait 10 "ping 192.0.2.1" nq lan ping -c 1 -W 1 192.0.2.1
fl_wait 10 "ping 2001:db8::1" nq lan ping -6 -c 1 -W 1 2001:db8::1
n lan ip neigh show 192.0.2.1 | grep -q "$rtrmac" || fl_fail "lan: no ARP entry for us"
n lan ip -6 neigh show 2001:db8::1 | grep -q "$rtrmac" || fl_fail "lan: no NDP entry for us"
echo "RESULT l2_linux ping4=ok ping6=ok"

# expect WHAT PATTERN PING-ARGS...: the ping (which gets no reply) prints
# PATTERN, i.e. Linux matched our ICMP error to its socket.
expect() {
	local what=$1 pat=$2 o
	shift 2
	o=$(n lan ping -c 1 -W 2 "$@" 2>&1 || true)
	echo "$o" | grep -qi -- "$pat" || fl_fail "$what: ping $* printed no '$pat': $o"
}
expect "v4 time exceeded" "Time to live exceeded" -t 1 198.51.100.7
expect "v4 unreachable" "Destination Net Unreachable" 198.51.100.7
expect "v4 frag needed" "mtu = 1280" -M do -s 1400 198.51.100.7
n lan ip route get 198.51.100.7 | grep -q "mtu 1280" ||
	fl_fail "lan did not cache the next-hop MTU: $(n lan ip route get 198.51.100.7)"
expect "v6 time exceeded" "Time exceeded: Hop limit" -6 -t 1 2001:db8:1::7
expect "v6 unreachable" "No route" -6 2001:db8:1::7
expect "v6 packet too big" "mtu=1280" -6 -M do -s 1400 2001:db8:1::7
n lan ip -6 route get 2001:db8:1::7 | grep -q "mtu 1280" ||
	fl_fail "lan did not cache the IPv6 path MTU: $(n lan ip -6 route get 2001:db8:1::7)"
echo "RESULT l2_linux time_exceeded=ok unreachable=ok frag_needed=ok packet_too_big=ok"

# Rate limit (10 a second, burst 10): 100 TTL-1 pings in a burst get at
# most 10 + 10 a second of the time they took (a loaded machine is slow).
t0=$(date +%s%N)
n lan ping -c 100 -i 0.002 -W 1 -t 1 198.51.100.8 >"$FL_TMP/flood" 2>&1 || true
ms=$((($(date +%s%N) - t0) / 1000000))
got=$(grep -c "Time to live exceeded" "$FL_TMP/flood" || true)
max=$((10 + 10 * ms / 1000 + 2))
[ "$got" -ge 5 ] && [ "$got" -le "$max" ] ||
	fl_fail "rate limit: $got of 100 errors answered in ${ms} ms (allowed 5..$max)"
echo "RESULT l2_linux rate_limited_errors=$got/100 in_ms=$ms"

# ARP flood: 100,000 requests for us from random senders in 192.0.0.0/16
# (never .1 or .2) with random MACs, as fast as Python sends them.
n lan python3 - <<'PY'
import random, socket, struct
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("eth0", 0))
us = bytes([192, 0, 2, 1])
for i in range(100000):
    mac = bytes([2, 0x66]) + random.randbytes(4)
    ip = bytes([192, 0, random.randrange(256), random.randrange(1, 255)])
    if ip[2] == 2 and ip[3] in (1, 2):
        continue
    arp = struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + mac + ip + bytes(6) + us
    s.send(b"\xff" * 6 + mac + b"\x08\x06" + arp)
PY
n lan ip neigh flush dev eth0
fl_wait 10 "ping 192.0.2.1 after the flood" nq lan ping -c 1 -W 1 192.0.2.1
echo "RESULT l2_linux arp_flood=100000 ping_after=ok"

kill "$FL_LAST_BG"
wait "$FL_LAST_BG" || fl_fail "l2_linux_peer exit status $?"
if grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$FL_TMP/peer.err"; then
	cat "$FL_TMP/peer.err" >&2
	fl_fail "sanitizer report from l2_linux_peer"
fi
res=$(grep '^RESULT' "$out")
echo "$res"
echo "$res" | grep -Eq 'arp_answered=[1-9]' || fl_fail "Linux never asked us by ARP: $res"
echo "$res" | grep -Eq 'ns_answered=[1-9]' || fl_fail "Linux never asked us by NS: $res"
entries=$(echo "$res" | sed -n 's/.*arp_entries=\([0-9]*\).*/\1/p')
[ -n "$entries" ] && [ "$entries" -le 254 ] || fl_fail "ARP table over its bound: $res"
echo "$res" | grep -Eq 'arp_full_refused=[1-9]' || fl_fail "the flood never filled the table: $res"
