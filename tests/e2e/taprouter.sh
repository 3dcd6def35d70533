#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# taprouter: fenliud as a LAN's gateway on a TAP device (issue 19, the
# `lan` role of interfaces/NAME). Topology (shared by lan/nat/dhcp/bench):
#
#   h1 192.168.200.11 ─┐                       (namespace "lan": bridge br0)
#   h2 192.168.200.12 ─┼─ br0 ─ lan0 [a: fenliud, 192.168.200.2/24,
#                      │        2001:db8:200::2/64]  ══ mesh ══  b
#
# hosts/a has Subnet = 192.168.200.0/24 and 2001:db8:200::/64; b is fenliud
# (part 1), then stock tinc 1.1 (part 2, TINC11_DIR; skipped without it).
# Checks: ping, TCP and UDP (iperf3) from h1 and h2 to b's address across
# the mesh, v4 and v6; ping to a's LAN addresses answered by fenliud (its
# counters prove it); h1's neighbour table has a's MAC; `fenliu dump
# neighbours` lists h1 and h2; TTL 1 gets time exceeded from 192.168.200.2;
# a DF packet bigger than the tunnel's MTU gets frag-needed.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_taprouter.sh"
fl_need_root
fl_need_tools ping iperf3
fl_need_fenliu
fl_init

# expect HOST WHAT PATTERN PING-ARGS...: the ping prints PATTERN.
expect() {
	local h=$1 what=$2 pat=$3 o
	shift 3
	o=$(n "$h" ping -c 1 -W 2 "$@" 2>&1 || true)
	echo "$o" | grep -qi -- "$pat" || fl_fail "$what: ping $* printed no '$pat': $o"
}

# iperf HOST ADDR [-u]: a short iperf3 run from HOST to b's server; the
# receiver must have got bytes (UDP: at most 20% lost on this busy machine).
iperf() {
	local h=$1 addr=$2 o
	shift 2
	o=$(n "$h" iperf3 -c "$addr" -t 1 -J "$@" -b 5M 2>&1) || fl_fail "iperf3 $h -> $addr $*: $o"
	python3 -c '
import json, sys
j = json.load(sys.stdin)
e = j.get("end", {})
s = e.get("sum_received") or e.get("sum") or {}
ok = s.get("bytes", 0) > 0 and s.get("lost_percent", 0) <= 20
print("iperf3", j.get("error", ""), s, file=sys.stderr) if not ok else None
sys.exit(0 if ok else 1)' <<<"$o" || fl_fail "iperf3 $h -> $addr $*: nothing received"
}

run() {
	local kind=$1 h i hm mac echo0 echo1 rss0 srv
	fl_log "part: b is $kind"
	tr_setup "$kind"
	rss0=$(tr_rss a)
	mac=$tr_mac

	# Our addresses answer (v6 once DAD is done), and h1 learned our MAC.
	echo0=$(tr_stat icmp_echo)
	fl_wait 20 "h1 ping 192.168.200.2" nq h1 ping -c 1 -W 1 192.168.200.2
	fl_wait 20 "h1 ping 2001:db8:200::2" nq h1 ping -6 -c 1 -W 1 2001:db8:200::2
	echo1=$(tr_stat icmp_echo)
	[ "$echo1" -ge $((echo0 + 2)) ] || fl_fail "echo replies not counted by fenliud: $echo0 -> $echo1"
	n h1 ip neigh show 192.168.200.2 | grep -q "$mac" || fl_fail "h1: no ARP entry with a's MAC $mac"
	n h1 ip -6 neigh show 2001:db8:200::2 | grep -q "$mac" || fl_fail "h1: no NDP entry with a's MAC $mac"
	[ "$(tr_stat arp_answered)" -ge 1 ] || fl_fail "no ARP request answered by fenliud"
	# h1 may have learned our MAC from the unsolicited NA after DAD
	# instead of asking: forget it, so it must solicit now.
	n h1 ip -6 neigh del 2001:db8:200::2 dev eth0 2>/dev/null || true
	nq h1 ping -6 -c 1 -W 2 2001:db8:200::2 || fl_fail "h1 ping 2001:db8:200::2 after forgetting our MAC"
	[ "$(tr_stat ndp_answered)" -ge 1 ] || fl_fail "no NS answered by fenliud"
	echo "RESULT taprouter_$kind ping_ours4=ok ping_ours6=ok echo_counted=$((echo1 - echo0))"

	# Across the mesh, both hosts, both families.
	fl_wait 30 "a reaches b" fl_reachable a b
	for h in h1 h2; do
		fl_wait 30 "$h ping $B4" nq "$h" ping -c 1 -W 1 "$B4"
		fl_wait 30 "$h ping $B6" nq "$h" ping -6 -c 1 -W 1 "$B6"
	done
	# From the mesh: our LAN addresses answer; nobody at .99 gets host
	# unreachable once ARP gives up (3 tries, 1 s apart).
	fl_wait 20 "b ping 192.168.200.2" nq b ping -c 1 -W 1 192.168.200.2
	fl_wait 20 "b ping 2001:db8:200::2" nq b ping -6 -c 1 -W 1 2001:db8:200::2
	fl_wait 20 "host unreachable for 192.168.200.99" \
		sh -c "ip netns exec $FL_PFX-b ping -c 1 -W 5 192.168.200.99 2>&1 | grep -q 'Host Unreachable'"
	echo "RESULT taprouter_$kind mesh_ping_ours4=ok mesh_ping_ours6=ok host_unreachable=ok"
	# Router duties: TTL 1 and too big with DF (before any bulk traffic
	# lets h2 learn the tunnel MTU by itself).
	expect h1 "v4 time exceeded" "From 192.168.200.2 .*Time to live exceeded" -t 1 "$B4"
	expect h1 "v6 time exceeded" "From 2001:db8:200::2 .*Time exceeded" -6 -t 1 "$B6"
	fl_wait 20 "frag-needed for a 1500-byte DF packet" \
		sh -c "ip netns exec $FL_PFX-h2 ping -c 1 -W 1 -M do -s 1472 $B4 2>&1 | grep -qi 'frag needed'"
	n h2 ip route get "$B4" | grep -q "mtu" || fl_fail "h2 did not cache the next-hop MTU"
	echo "RESULT taprouter_$kind ttl4=ok ttl6=ok frag_needed=ok mtu=$(n h2 ip route get "$B4" | grep -o 'mtu [0-9]*' | cut -d' ' -f2)"
	fl_bg b sh -c "exec iperf3 -s -p 5201 >/dev/null 2>&1"
	srv=$FL_LAST_BG
	fl_wait 10 "iperf3 server on b" nq b sh -c "ss -ltn | grep -q :5201"
	for h in h1 h2; do
		iperf "$h" "$B4"
		iperf "$h" "$B4" -u -l 1200 # under the tunnel MTU h has learned
		iperf "$h" "$B6"
	done
	echo "RESULT taprouter_$kind ping4=ok ping6=ok tcp4=ok udp4=ok tcp6=ok"
	[ "$(tr_stat to_mesh)" -gt 0 ] && [ "$(tr_stat from_mesh)" -gt 0 ] || fl_fail "LAN<->mesh counters are zero"

	# Reload: a new address is taken at once (gratuitous ARP, then answered).
	echo "Address = 192.168.200.3/24" >>"$(fl_dir a)/interfaces/lan0"
	fl_cli a reload || fl_fail "reload failed"
	fl_wait 10 "h1 ping 192.168.200.3 after reload" nq h1 ping -c 1 -W 1 192.168.200.3
	echo "RESULT taprouter_$kind reload_address=ok"

	# The neighbour table lists both hosts with their MACs.
	local nb
	nb=$(fl_cli a dump neighbours) || fl_fail "dump neighbours failed"
	for h in h1 h2; do
		i=$([ "$h" = h1 ] && echo 11 || echo 12)
		hm=$(n "$h" cat /sys/class/net/eth0/address)
		grep -q "^lan0 192.168.200.$i $hm " <<<"$nb" || fl_fail "dump neighbours lacks $h (IPv4): $nb"
		grep -q "^lan0 2001:db8:200::$i $hm " <<<"$nb" || fl_fail "dump neighbours lacks $h (IPv6): $nb"
	done

	echo "RESULT taprouter_$kind rss_before_kb=$rss0 rss_after_kb=$(tr_rss a) icmp_sent=$(tr_stat icmp_sent)"
	kill "$srv" 2>/dev/null || true
	fl_reset # every namespace of this test, the LAN's too
}

run fenliu
if [ -n "${TINC11_DIR:-}" ] && [ -x "$TINC11_DIR/tincd" ]; then
	run tinc
else
	fl_log "part 2 skipped: no stock tinc 1.1 (TINC11_DIR)"
fi
exit 0
