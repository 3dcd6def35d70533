#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# taprouter_rfc: the ICMP duties of fenliud's TAP router (issue 19) that
# tests/e2e/taprouter.sh leaves to the unit tests, checked on the daemon
# path (doc/rfc-conformance.md names each row). Topology: lib_taprouter.sh
# with b a fenliud. Checks:
#  1. error rate limit (RFC 1812 §4.3.2.8, RFC 4443 §2.4(f)): 100 TTL-1
#     pings from h1 to b in a burst get at most the bucket (10) plus 20 a
#     second of the time they took, and fenliud counts the rest as limited;
#     the same for IPv6 hop limit 1;
#  2. packet too big (RFC 4443 §3.2): a 1500-byte IPv6 packet into the
#     tunnel gets one with the MTU, which h2 caches;
#  3. address unreachable (RFC 4861 §7.2.2, RFC 4443 §3.1 code 3): b's
#     ping to a LAN address nobody answers NDP for;
#  4. never an error (RFC 1812 §4.3.2.7): a TTL-1 UDP datagram to b sent
#     to the Ethernet broadcast address, a TTL-1 ICMP error, and a TTL-1
#     non-first fragment get no ICMP error (icmp_sent unchanged), while the
#     same UDP datagram sent to fenliud's MAC does (the control); for
#     IPv6 (RFC 4443 §2.4(e)) a hop-limit-1 ICMPv6 error and a packet in a
#     link-layer multicast frame, with an IPv6 UDP control;
#  5. DAD (RFC 4862 §5.4.5): an address h2 already holds, added to a by
#     reload, is logged as a duplicate and never answered for.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_taprouter.sh"
fl_need_root
fl_need_tools ping python3
fl_need_fenliu
fl_init

# flood FAMILY PATTERN: 100 hop-limit-1 pings from h1 to b at 2 ms; prints
# "GOT MS": errors received and the time the burst took.
flood() {
	local fam=$1 pat=$2 t0 ms got dst=$B4
	[ "$fam" = 4 ] || dst=$B6
	t0=$(date +%s%N)
	n h1 ping "-$fam" -c 100 -i 0.002 -W 1 -t 1 "$dst" >"$FL_TMP/flood$fam" 2>&1 || true
	ms=$((($(date +%s%N) - t0) / 1000000))
	got=$(grep -c -- "$pat" "$FL_TMP/flood$fam" || true)
	echo "$got $ms"
}

# rawsend KIND: one hand-made TTL-1 IPv4 frame from h1 towards b (KIND:
# unicast, bcast, icmperr, frag), or hop-limit-1 IPv6 (unicast6,
# icmperr6, mcast6); fenliud's MAC in $tr_mac.
rawsend() {
	n h1 python3 - "$1" "$tr_mac" "$B4" "$B6" <<'PY'
import socket, struct, sys
kind, mac, dst = sys.argv[1], bytes.fromhex(sys.argv[2].replace(":", "")), socket.inet_aton(sys.argv[3])
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("eth0", 0))
me = open("/sys/class/net/eth0/address").read().strip()
src_mac = bytes.fromhex(me.replace(":", ""))

def csum(b):
    if len(b) % 2:
        b += b"\0"
    t = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while t >> 16:
        t = (t & 0xffff) + (t >> 16)
    return ~t & 0xffff

if kind.endswith("6"):  # IPv6, hop limit 1, from h1 to b
    src6 = socket.inet_pton(socket.AF_INET6, "2001:db8:200::11")
    dst6 = socket.inet_pton(socket.AF_INET6, sys.argv[4])
    nh, body = 17, struct.pack("!HHHH", 40000, 9, 16, 0) + b"rfc-test"
    if kind == "icmperr6":  # destination unreachable quoting some packet
        nh, body = 58, struct.pack("!BBHI", 1, 3, 0, 0) + b"\x60" + bytes(47)
    ph = src6 + dst6 + struct.pack("!IxxxB", len(body), nh)
    c = csum(ph + body) or 0xffff
    body = body[:2 + 4 * (nh == 17)] + struct.pack("!H", c) + body[4 + 4 * (nh == 17):]
    hdr = struct.pack("!IHBB", 6 << 28, len(body), nh, 1) + src6 + dst6
    eth_dst = b"\x33\x33\x00\x00\x00\x01" if kind == "mcast6" else mac
    s.send(eth_dst + src_mac + b"\x86\xdd" + hdr + body)
    sys.exit(0)
proto, frag, body = 17, 0, struct.pack("!HHHH", 40000, 9, 16, 0) + b"rfc-test"
if kind == "icmperr":  # destination unreachable quoting some datagram
    proto = 1
    body = struct.pack("!BBHI", 3, 1, 0, 0) + b"\x45" + bytes(27)
    body = body[:2] + struct.pack("!H", csum(body)) + body[4:]
if kind == "frag":  # a later fragment (offset 64 bytes), no MF
    frag = 8
hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(body), 0x1234, frag, 1, proto, 0,
                  socket.inet_aton("192.168.200.11"), dst)
hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
eth_dst = b"\xff" * 6 if kind == "bcast" else mac
s.send(eth_dst + src_mac + b"\x08\x00" + hdr + body)
PY
}

fl_log "setup: b is fenliud"
tr_setup fenliu
rss0=$(tr_rss a)
fl_wait 30 "a reaches b" fl_reachable a b
fl_wait 30 "h1 ping $B4" nq h1 ping -c 1 -W 1 "$B4"
fl_wait 30 "h1 ping $B6" nq h1 ping -6 -c 1 -W 1 "$B6"

# 1. The rate limit (the daemon's bucket: 20 a second, burst 10).
lim0=$(tr_stat icmp_ratelimited)
read -r got4 ms4 < <(flood 4 "Time to live exceeded")
read -r got6 ms6 < <(flood 6 "Time exceeded")
lim1=$(tr_stat icmp_ratelimited)
for f in 4 6; do
	eval "got=\$got$f ms=\$ms$f"
	max=$((10 + 20 * ms / 1000 + 2))
	[ "$got" -ge 2 ] && [ "$got" -le "$max" ] ||
		fl_fail "IPv$f rate limit: $got of 100 errors answered in ${ms} ms (allowed 2..$max)"
done
[ "$((lim1 - lim0))" -ge 50 ] || fl_fail "fenliud counted only $((lim1 - lim0)) errors as rate-limited"
echo "RESULT taprouter_rfc errors4=$got4/100 in_ms4=$ms4 errors6=$got6/100 in_ms6=$ms6 limited=$((lim1 - lim0))"

# 2. Packet too big with the tunnel's MTU, cached by h2.
fl_wait 20 "packet too big for a 1500-byte IPv6 packet" \
	sh -c "ip netns exec $FL_PFX-h2 ping -6 -c 1 -W 1 -M do -s 1452 $B6 2>&1 | grep -qi 'packet too big'"
n h2 ip -6 route get "$B6" | grep -q "mtu" || fl_fail "h2 did not cache the IPv6 path MTU"
echo "RESULT taprouter_rfc packet_too_big=ok mtu6=$(n h2 ip -6 route get "$B6" | grep -o 'mtu [0-9]*' | cut -d' ' -f2)"

# 3. Address unreachable once NDP gives up (3 NS, 1 s apart).
fl_wait 20 "address unreachable for 2001:db8:200::99" \
	sh -c "ip netns exec $FL_PFX-b ping -6 -c 1 -W 5 2001:db8:200::99 2>&1 | grep -qi 'Address unreachable'"
echo "RESULT taprouter_rfc address_unreachable6=ok"

# 4. No error about a broadcast, an ICMP error or a later fragment. Each
# is followed by a control (the same UDP datagram to fenliud's MAC), whose
# error must come, so this part can fail; frames are read in order, so
# once the control's error is counted the subject's fate is known. Each
# pair takes at most two of the bucket's tokens (refilled by now).
sent_after() { # BEFORE: poll (5 s) until icmp_sent > BEFORE; print it
	local s i
	for i in $(seq 50); do
		s=$(tr_stat icmp_sent)
		[ "$s" -gt "$1" ] && break
		sleep 0.1
	done
	echo "$s"
}
for kind in bcast icmperr frag; do
	s1=$(tr_stat icmp_sent)
	rawsend "$kind"
	rawsend unicast
	s2=$(sent_after "$s1")
	[ "$((s2 - s1))" -eq 1 ] || fl_fail "$kind: $((s2 - s1)) ICMP errors for it and one control (want 1)"
done
echo "RESULT taprouter_rfc no_error_bcast=ok no_error_icmperr=ok no_error_frag=ok"
# The same for IPv6 (RFC 4443 §2.4(e)): an ICMPv6 error and a unicast
# packet in a link-layer multicast frame, each with a UDP control.
for kind in icmperr6 mcast6; do
	s1=$(tr_stat icmp_sent)
	rawsend "$kind"
	rawsend unicast6
	s2=$(sent_after "$s1")
	[ "$((s2 - s1))" -eq 1 ] || fl_fail "$kind: $((s2 - s1)) ICMPv6 errors for it and one control (want 1)"
done
echo "RESULT taprouter_rfc no_error_icmperr6=ok no_error_mcast6=ok"
# 5. DAD on the daemon path (RFC 4862 §5.4.5): h2 already holds
# 2001:db8:200::3; a reload gives it to fenliud too, whose DAD probe h2
# answers. fenliud must log the duplicate and never take the address:
# b's ping to it is answered by h2, not by fenliud (its echo counter).
n h2 ip -6 addr add 2001:db8:200::3/64 dev eth0 nodad
echo "Address = 2001:db8:200::3/64" >>"$(fl_dir a)/interfaces/lan0"
fl_cli a reload || fl_fail "reload failed"
fl_wait 10 "a logs 2001:db8:200::3 as a duplicate" \
	grep -q "lan lan0: 2001:db8:200::3 at .*DUPLICATE" "$(fl_dir a)/log"
e0=$(tr_stat icmp_echo)
fl_wait 20 "b ping 2001:db8:200::3 (h2)" nq b ping -6 -c 1 -W 1 2001:db8:200::3
e1=$(tr_stat icmp_echo)
[ "$e1" -eq "$e0" ] || fl_fail "fenliud answered $((e1 - e0)) pings for its duplicate address"
echo "RESULT taprouter_rfc dad_duplicate6=ok"
kill -0 "${FL_PID[a]}" || fl_fail "a died"
echo "RESULT taprouter_rfc rss_before_kb=$rss0 rss_after_kb=$(tr_rss a)"
fl_reset
exit 0
