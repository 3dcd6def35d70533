#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Fault scenario (TAP router, issue 19): a LAN host sends N malformed or
# hostile frames to fenliud's lan0 (tools/langarbage.py: random
# ethertypes and lengths, cut IPv4/IPv6/ARP headers, ND messages with bad
# hop limits and options, VLAN tags), while h2 pings b across the mesh
# every 10 ms. fenliud must stay alive, count the frames it refused,
# lose at most 5% of h2's pings (the flood shares the TAP's queue with
# them), keep answering ARP and pings for its address, and grow by less
# than 64 MB. Topology: tests/e2e/lib_taprouter.sh.
# N = 20000 by default, 200000 with FL_FAULTS_FULL=1. Stock tinc has no
# TAP router: FL_FORCE_KIND=tinc skips.
set -euo pipefail
. "$(dirname "$0")/lib_faults.sh"
. "$FF_DIR/../e2e/lib_taprouter.sh"
fl_need_root
fl_need_tools ping python3
fl_need_fenliu
[ "$FF_KIND" = fenliu ] || fl_skip "stock tinc has no TAP router"
fl_init

N=$(ff_pick 20000 200000)
export FL_DEBUG=${FL_DEBUG:-1}

tr_setup fenliu
fl_wait 30 "a reaches b" fl_reachable a b
fl_wait 30 "h2 ping b" nq h2 ping -c 1 -W 1 "$B4"
rss0=$(tr_rss a)
refused() { # frames fenliud dropped and counted, all reasons
	fl_cli a dump stats | awk '$1=="lan.lan0" && ($2=="ignored" || $2=="arp_drops" ||
		$2=="ndp_drops" || $2=="local_drops" || $2=="not_for_us") {s += $3} END {print s + 0}'
}
r0=$(refused)
pings=$FL_TMP/ping.out
fl_bg h2 sh -c "exec ping -i 0.01 -W 1 $B4 >$pings 2>&1"
pinger=$FL_LAST_BG
sent=$(n h1 python3 "$FF_DIR/tools/langarbage.py" eth0 "$tr_mac" "$N" 19 | awk '{print $2}')
sleep 1 # the last pings' answers
kill -INT "$pinger" 2>/dev/null || true
wait "$pinger" 2>/dev/null || true
kill -0 "${FL_PID[a]}" 2>/dev/null || fl_fail "a died under the garbage"
loss=$(sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p' "$pings")
[ -n "$loss" ] || fl_fail "no ping summary: $(tail -n 3 "$pings")"
r1=$(refused)
rss1=$(tr_rss a)
# Still a router: ARP, ping to its address, and the mesh.
n h1 ip neigh flush dev eth0
fl_wait 10 "h1 ping 192.168.200.2 after the garbage" nq h1 ping -c 1 -W 1 192.168.200.2
fl_wait 10 "h1 ping b after the garbage" nq h1 ping -c 1 -W 1 "$B4"
ff_result lan_garbage "frames=$sent refused=$((r1 - r0)) ping_loss=$loss%" \
	"rss_before_kb=$rss0 rss_after_kb=$rss1"
[ "$((r1 - r0))" -ge "$((sent / 4))" ] || fl_fail "only $((r1 - r0)) of $sent garbage frames counted as refused"
awk -v l="$loss" 'BEGIN {exit !(l <= 5)}' || fl_fail "ping loss $loss% over 5% during the garbage"
[ "$((rss1 - rss0))" -lt 65536 ] || fl_fail "a grew by $((rss1 - rss0)) kB"
exit 0
