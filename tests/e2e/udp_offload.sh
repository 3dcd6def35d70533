#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# UDP offloads (UDP_SEGMENT sends, UDP_GRO receives; fenliud(8) ENVIRONMENT):
#   1. fenliud -> stock tincd: a TCP stream through the tunnel makes fenliud
#      send runs of datagrams with UDP_SEGMENT (`dump stats` udp_offload
#      gso_segments grows). fenliud's eth0 has its UDP segmentation offload
#      turned off (ethtool), so the kernel cuts each send in software before
#      the wire: nft on tincd's side counts every datagram and sees none
#      longer than the link MTU, at least as many as fenliud sent in runs,
#      and tincd's own counters show it took (decrypted) that many packets.
#   2. fenliud <-> fenliud: the receiver's UDP_GRO gets the runs coalesced
#      (gro_segments grows), both ways, and the stream arrives.
#   3. FENLIU_NO_UDP_GSO=1 / FENLIU_NO_UDP_GRO=1: the log says so, nothing
#      goes through the offloads, the stream still arrives.
#   4. A device that cannot checksum (ethtool tx off on fenliud's eth0): the
#      stream arrives; where the kernel refuses the segmented send with EIO
#      (before Linux 6.11), fenliud says it falls back to sendmmsg.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_scenarios.sh"
fl_need_root
fl_need_tools ping nft iperf3 ethtool
fl_need_fenliu
fl_need_tinc
fl_init
# stat NODE SCOPE NAME: one counter of NODE's `dump stats`.
stat() { fl_cli "$1" dump stats | awk -v s="$2" -v k="$3" '$1 == s && $2 == k {print $3}'; }
# iperf FROM TO_NODE: Mbit/s of a 2 s TCP stream FROM -> TO_NODE's tunnel address.
iperf() {
	local to=203.0.113.${FL_IDX[$2]}
	fl_bg "$2" iperf3 -s -1 -B "$to" >/dev/null 2>&1
	fl_wait 10 "iperf3 server on $to" bash -c "ip netns exec $FL_PFX-$2 ss -ltn | grep -q '$to:5201'"
	n "$1" iperf3 -c "$to" -t 2 -f m | awk '/receiver/ { for (i = 1; i <= NF; i++) if ($i == "Mbits/sec") print $(i-1) }'
}
# tinc_in NODE PEER: packets tincd on NODE has taken from PEER (dump nodes'
# "rx P B").
tinc_in() { fl_cli "$1" dump nodes | awk -v p="$2" '$1 == p { for (i = 1; i < NF; i++) if ($i == "rx") print $(i+1) }'; }
pair() {
	fl_net a b
	fl_conf a fenliu; fl_conf b "$1"
	fl_exchange a b; fl_connect a b
	fl_start b; fl_start a
	fl_wait_ping a b 30
	fl_wait_udp a b
}

# 1. fenliud -> stock tincd
fl_net a b
n a ethtool -K eth0 tx-udp-segmentation off >/dev/null 2>&1 || fl_skip "ethtool cannot turn off tx-udp-segmentation"
n b nft -f - <<-EOF
	table inet udpoff {
		counter dgrams {}
		counter big {}
		chain in {
			type filter hook input priority -10;
			ip saddr 192.0.2.1 udp dport 655 counter name "dgrams"
			ip saddr 192.0.2.1 udp dport 655 meta length > 1500 counter name "big"
		}
	}
EOF
nftc() { n b nft list counter inet udpoff "$1" | awk '{for(i=1;i<NF;i++) if($i=="packets") print $(i+1)}'; }
fl_conf a fenliu; fl_conf b tinc
fl_exchange a b; fl_connect a b
fl_start b; fl_start a
fl_wait_ping a b 30
fl_wait_udp a b
fl_log_has a 'UDP: sending with UDP_SEGMENT, receiving with UDP_GRO' || fl_fail "a: no 'UDP_SEGMENT ... UDP_GRO' log line"
g0=$(stat a udp_offload gso_segments); d0=$(nftc dgrams); t0=$(tinc_in b a)
mb=$(iperf a b)
g1=$(stat a udp_offload gso_segments); d1=$(nftc dgrams); t1=$(tinc_in b a); big=$(nftc big)
fl_log "fenliud -> tincd: $mb Mbit/s, gso_segments +$((g1 - g0)), tincd saw +$((d1 - d0)) datagrams, took +$((t1 - t0)) packets, $big longer than 1500"
[ "${mb%.*}" -gt 1 ] || fl_fail "fenliud -> tincd: stream did not arrive ($mb Mbit/s)"
[ $((g1 - g0)) -gt 100 ] || fl_fail "fenliud -> tincd: no UDP_SEGMENT sends"
[ "$big" -eq 0 ] || fl_fail "tincd's side saw $big datagrams longer than the MTU"
[ $((d1 - d0)) -ge $((g1 - g0)) ] || fl_fail "fewer datagrams on the wire than segments sent"
# tincd may lose a few to a full socket buffer, as with any sender.
[ $((t1 - t0)) -ge $(((g1 - g0) * 9 / 10)) ] || fl_fail "tincd took far fewer packets than segments sent"
echo "RESULT udp_offload_tinc mbit=$mb gso_segments=$((g1 - g0)) wire_dgrams=$((d1 - d0)) tinc_in=$((t1 - t0)) over_mtu=$big"
fl_reset

# 2. fenliud <-> fenliud, GRO on the receiver
pair fenliu
for dir in "a b" "b a"; do
	set -- $dir
	s0=$(stat "$1" udp_offload gso_segments); r0=$(stat "$2" udp_offload gro_segments)
	mb=$(iperf "$1" "$2")
	s1=$(stat "$1" udp_offload gso_segments); r1=$(stat "$2" udp_offload gro_segments)
	fl_log "fenliud $1 -> $2: $mb Mbit/s, gso_segments +$((s1 - s0)), gro_segments +$((r1 - r0)) at $2"
	[ "${mb%.*}" -gt 1 ] || fl_fail "$1 -> $2: stream did not arrive ($mb Mbit/s)"
	[ $((s1 - s0)) -gt 100 ] || fl_fail "$1 -> $2: no UDP_SEGMENT sends"
	[ $((r1 - r0)) -gt 100 ] || fl_fail "$1 -> $2: no UDP_GRO receives at $2"
done
fl_reset

# 3. The knobs
fl_net a b
fl_conf a fenliu; fl_conf b fenliu
fl_exchange a b; fl_connect a b
FENLIU_NO_UDP_GSO=1 FENLIU_NO_UDP_GRO=1 fl_start b
FENLIU_NO_UDP_GSO=1 FENLIU_NO_UDP_GRO=1 fl_start a
fl_wait_ping a b 30
fl_wait_udp a b
fl_log_has a 'UDP: sending with sendmmsg \(FENLIU_NO_UDP_GSO set\), receiving with recvmmsg \(FENLIU_NO_UDP_GRO set\)' ||
	fl_fail "a: no log line naming the knobs"
mb=$(iperf a b)
[ "${mb%.*}" -gt 1 ] || fl_fail "offloads off: stream did not arrive ($mb Mbit/s)"
for x in a b; do
	[ "$(stat $x udp_offload gso_sends)" -eq 0 ] && [ "$(stat $x udp_offload gro_segments)" -eq 0 ] ||
		fl_fail "$x: offloads used although turned off"
done
fl_log "offloads off: $mb Mbit/s, no offloaded sends or receives"
fl_reset

# 4. Runtime fallback on EIO
fl_net a b
n a ethtool -K eth0 tx off >/dev/null 2>&1 || fl_skip "ethtool cannot turn off tx checksumming"
fl_conf a fenliu; fl_conf b fenliu
fl_exchange a b; fl_connect a b
fl_start b; fl_start a
fl_wait_ping a b 30
fl_wait_udp a b
mb=$(iperf a b)
[ "${mb%.*}" -gt 1 ] || fl_fail "device without checksumming: stream did not arrive ($mb Mbit/s)"
if fl_log_has a 'UDP_SEGMENT send failed \(Input/output error\): sending with sendmmsg from now on'; then
	[ "$(stat a udp_offload gso_sends)" -eq 0 ] || fl_fail "a: UDP_SEGMENT sends counted after the EIO fallback"
	fl_log "EIO fallback: $mb Mbit/s with sendmmsg"
else
	# Linux 6.11 and later checksum such sends in software instead.
	[ "$(stat a udp_offload gso_sends)" -gt 0 ] || fl_fail "a: neither UDP_SEGMENT sends nor the EIO fallback"
	fl_log "no EIO from this kernel: $mb Mbit/s with UDP_SEGMENT on a device without checksumming"
fi
echo "ok: UDP offloads"
