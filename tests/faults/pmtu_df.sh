#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 22.3: on a 1500-byte underlay the path MTU must settle at or below
# what the link allows (1500 - 20 IPv4 - 8 UDP - 33 SPTPS/ID overhead =
# 1439, where stock tinc settles) with not one fragmented UDP datagram on
# the underlay. Without DF on the UDP socket, oversized probes left in
# fragments, "succeeded", and the PMTU climbed to 1518.
#
# The first discovery starts from the kernel's own estimate (1439), so the
# climb came with the periodic re-probe of maxmtu + 1 once the PMTU was
# fixed (every PingInterval, 3 s here): 1440 went out in fragments, was
# answered, and discovery restarted toward 1518.
#
# Short: converge, then 15 s of ping -s 1400 (five re-probes), sampling the
# PMTU every second. FL_FAULTS_FULL=1: 90 s, then 30 s of iperf3 through
# the tunnel. With TINC11_DIR set, the peer is stock tincd, and its own
# PMTU toward fenliud is reported beside ours.
set -euo pipefail
. "$(dirname "$0")/../e2e/lib.sh"
. "$(dirname "$0")/../e2e/lib_scenarios.sh"
fl_need_root
fl_need_tools ping nft
fl_need_fenliu
fl_init

want=1439
hold=15
if [ -n "${FL_FAULTS_FULL:-}" ]; then hold=90; fi
peer_kind=fenliu
if [ -n "${TINC11_DIR:-}" ] && [ -x "$TINC11_DIR/tincd" ]; then peer_kind=tinc; fi

rss() { awk '/^VmRSS/ {print $2}' "/proc/${FL_PID[$1]}/status" 2>/dev/null || echo 0; }
frags() {
	n hub nft list counter bridge fltest frags 2>/dev/null |
		awk '/packets/ {for (i = 1; i <= NF; i++) if ($i == "packets") print $(i + 1)}'
}

fl_net --mtu 1500 a b
# The hub bridges the two veths: count every IPv4 fragment crossing it
# (MF set or a non-zero offset), before anything could reassemble it.
n hub nft -f - <<-'NFT'
	table bridge fltest {
		counter frags {
		}
		chain forward {
			type filter hook forward priority 0;
			ip frag-off & 0x3fff != 0 counter name "frags"
		}
	}
NFT
fl_conf a fenliu PingInterval=3 PingTimeout=2
fl_conf b "$peer_kind"
fl_exchange a b
fl_connect a b
fl_start b
fl_start a
rss_a0=$(rss a)
fl_wait_ping a b 30
fl_wait_udp a b
fl_bg a ping -q -i 0.05 -s 1400 203.0.113.2
ping_pid=$FL_LAST_BG
fl_wait 60 "a: PMTU to b fixed" fl_pmtu_fixed a b
pmtu=$(fl_dump_field a b pmtu)
first=$pmtu
end=$((SECONDS + hold))
while [ "$SECONDS" -lt "$end" ]; do
	p=$(fl_dump_field a b pmtu)
	[ -n "$p" ] && [ "$p" -gt "$pmtu" ] && pmtu=$p
	sleep 1
done
kill "$ping_pid" 2>/dev/null || true
# Large pings after convergence: the kernel learns the tunnel's PMTU from
# fenliud's ICMP errors, so allow losses only while it does.
lost=0
for i in $(seq 20); do nq a ping -c 1 -W 1 -s 1400 203.0.113.2 || lost=$((lost + 1)); done
if [ -n "${FL_FAULTS_FULL:-}" ] && command -v iperf3 >/dev/null; then
	fl_bg b iperf3 -s -B 203.0.113.2
	fl_wait 10 "iperf3 server" eval 'n b ss -Hltn "sport = :5201" | grep -q .'
	n a iperf3 -c 203.0.113.2 -t 30 >/dev/null || fl_fail "iperf3 through the tunnel failed"
fi
peer_pmtu=$(fl_dump_field b a pmtu)
nfrag=$(frags)
rss_a1=$(rss a)
fl_cli a dump nodes >&2
echo "RESULT pmtu_df pmtu_first=$first pmtu_max=$pmtu held_s=$hold want_max=$want peer=$peer_kind peer_pmtu=$peer_pmtu fragments=$nfrag large_ping_lost=$lost/20 rss_before_kb=$rss_a0 rss_after_kb=$rss_a1"
[ -n "$nfrag" ] || fl_fail "could not read the fragment counter"
[ "$pmtu" -le "$want" ] || fl_fail "a: PMTU to b reached $pmtu on a 1500-byte link, want <= $want"
[ "$first" -ge 1400 ] || fl_fail "a: PMTU to b is $first, too low for a 1500-byte link"
[ "$nfrag" -eq 0 ] || fl_fail "$nfrag fragmented datagrams on the underlay"
[ "$lost" -le 3 ] || fl_fail "$lost of 20 large pings lost after convergence"
for x in a b; do fl_stop "$x"; done
echo "ok: PMTU $pmtu on a 1500-byte underlay, no fragments"
