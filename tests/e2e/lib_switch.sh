# SPDX-License-Identifier: MIT
# tests/e2e/lib_switch.sh: a three-node switch-mode mesh a - b - c (a and c
# dial b) of any node kinds, for switch.sh and interop_switch.sh. Source it
# after lib.sh.
#
# Each node's TAP device fl0 is a port of a bridge brl in its namespace,
# which holds the node's LAN address 203.0.113.i/24 (fixed MAC
# 02:00:00:00:0i:01). A LAN host namespace `m` (203.0.113.50, MAC
# 02:00:00:00:00:50) hangs off a's bridge by a veth, then moves to c's.

SW_HOST_MAC=02:00:00:00:00:50

# sw_conf NODE KIND [VAR=VALUE...]: fl_conf, then Mode = switch (or
# $SW_MODE) on a TAP bridged into brl by tinc-up.
sw_conf() {
	local node=$1 kind=$2 i=${FL_IDX[$1]} d
	shift 2
	fl_conf "$node" "$kind" "Mode=${SW_MODE:-switch}" "$@"
	d=$(fl_dir "$node")
	sed -i 's/^DeviceType = tun$/DeviceType = tap/' "$d/tinc.conf"
	cat >"$d/tinc-up" <<-EOF2
		#!/bin/sh
		ip link add brl address 02:00:00:00:0$i:01 type bridge
		ip link set brl type bridge forward_delay 0 stp_state 0
		ip link set "\$INTERFACE" master brl up
		ip addr add 203.0.113.$i/24 dev brl
		ip -6 addr add 2001:db8::$i/64 dev brl nodad
		ip link set brl up
	EOF2
	cat >"$d/tinc-down" <<-EOF2
		#!/bin/sh
		ip link del brl 2>/dev/null
		exit 0
	EOF2
}

# sw_host_attach NODE: (re)plug LAN host m into NODE's bridge.
sw_host_attach() {
	local ns="$FL_PFX-m"
	ip netns list | grep -q "^$ns " || ip netns list | grep -qx "$ns" || {
		ip netns add "$ns"
		ip -n "$ns" link set lo up
	}
	ip -n "$ns" link del eth0 2>/dev/null || true
	ip -n "$ns" link add eth0 address "$SW_HOST_MAC" type veth peer name m-port netns "$FL_PFX-$1"
	ip -n "$ns" addr add 203.0.113.50/24 dev eth0
	ip -n "$ns" link set eth0 up
	n "$1" ip link set m-port master brl up
}

sw_ping() { nq "$1" ping -c 1 -W 1 "$2"; }
sw_wait_ping() { fl_wait "${3:-30}" "ping $1 -> $2" sw_ping "$1" "$2"; }

# sw_has_mac NODE MAC OWNER: NODE's `dump subnets` lists MAC owned by OWNER.
sw_has_mac() { fl_cli "$1" dump subnets 2>/dev/null | grep -q "^$2 owner $3$"; }

# sw_iperf FROM TO_ADDR SECONDS: iperf3 through the mesh; prints Mbit/s.
sw_iperf() {
	local out
	fl_bg "$2" sh -c "exec iperf3 -s -1 -B $3 >/dev/null 2>&1"
	fl_wait 10 "iperf3 server on $2" nq "$2" sh -c "ss -ltn | grep -q ':5201 '"
	out=$(n "$1" iperf3 -c "$3" -t "$4" -J) || fl_fail "iperf3 $1 -> $3 failed"
	wait "$FL_LAST_BG" 2>/dev/null || true
	python3 -c 'import json,sys; print("%.0f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/1e6))' <<<"$out"
}

# sw_stat NODE SCOPE NAME: one counter of the last saved `dump stats`.
sw_stat() { awk -v s="$2" -v k="$3" '$1 == s && $2 == k {print $3}' "$FL_TMP/stats-$1"; }

# sw_bping: the addresses answering a broadcast ping from a.
sw_bping() { n a ping -b -c 3 -W 2 203.0.113.255 2>&1 | grep -o 'from 203.0.113.[0-9]*' | grep -v 'from 203.0.113.1$' | sort -u | tr '\n' ' '; }

# sw_reload_broadcast (b is fenliud): reloaded with Broadcast = no and a
# BroadcastSubnet, b still answers a's broadcasts but no longer passes them
# on to c; its learned MAC stays announced; back to mst on the next reload.
sw_reload_broadcast() {
	local db out
	db=$(fl_dir b)
	printf 'Broadcast = no\nBroadcastSubnet = 198.51.100.0/24\n' >>"$db/tinc.conf"
	fl_cli b reload || fl_fail "b: reload failed"
	fl_wait 10 "b: BroadcastSubnet in dump subnets" \
		sh -c "'$FENLIU_BUILD/src/cli/fenliu' -c '$db' --pidfile='$db/pid' dump subnets | grep -q '^198.51.100.0/24 owner (broadcast)$'"
	out=$(sw_bping)
	[ "$out" = "from 203.0.113.2 " ] || fl_fail "Broadcast = no at b: broadcast ping from a answered by: $out"
	sw_has_mac c 02:00:00:00:02:01 b || fl_fail "c: b's learned MAC withdrawn by b's reload"
	sed -i '/^Broadcast = no$/d; /^BroadcastSubnet = /d' "$db/tinc.conf"
	fl_cli b reload || fl_fail "b: reload failed"
	out=$(sw_bping)
	[ "$out" = "from 203.0.113.2 from 203.0.113.3 " ] || fl_fail "Broadcast = mst again: answered by: $out"
	fl_cli b dump subnets | grep -q '^198.51.100.0/24' && fl_fail "b: BroadcastSubnet kept after reload"
	return 0
}

# sw_mesh KIND_A KIND_B KIND_C: the whole scenario.
sw_mesh() {
	local ka=$1 kb=$2 kc=$3 x mbit
	fl_log "switch mesh: a=$ka b=$kb c=$kc"
	fl_net a b c
	sw_conf a "$ka" MACExpire=10
	sw_conf b "$kb" MACExpire=10
	sw_conf c "$kc" MACExpire=10
	fl_exchange a b c
	fl_connect a b
	fl_connect c b
	for x in b a c; do fl_start "$x"; done
	fl_wait 20 "a reaches c" fl_reachable a c
	for x in a b c; do
		n "$x" ip link show fl0 | grep -q 'link/ether' || fl_fail "$x: fl0 is not a TAP device"
		n "$x" sysctl -qw net.ipv4.icmp_echo_ignore_broadcasts=0
	done
	# ARP (broadcast) through b, then unicast to the learned MACs.
	sw_wait_ping a 203.0.113.3 30
	sw_wait_ping c 203.0.113.1 10
	n a ip neigh show 203.0.113.3 | grep -q 02:00:00:00:03:01 || fl_fail "a: no ARP entry for c"
	nq a ping -6 -c 1 -W 2 2001:db8::3 || sw_wait_ping a 2001:db8::3 10
	fl_wait 10 "b: a's MAC announced by a" sw_has_mac b 02:00:00:00:01:01 a
	fl_wait 10 "a: c's MAC announced by c" sw_has_mac a 02:00:00:00:03:01 c
	fl_wait 10 "c: b's MAC announced by b" sw_has_mac c 02:00:00:00:02:01 b
	# A broadcast ping from a is answered by b and c (flooded along the MST).
	out=$(n a ping -b -c 3 -W 2 203.0.113.255 2>&1 || true)
	grep -q "from 203.0.113.2" <<<"$out" && grep -q "from 203.0.113.3" <<<"$out" ||
		fl_fail "broadcast ping from a not answered by both b and c: $out"
	mbit=$(sw_iperf a c 203.0.113.3 3)
	fl_log "iperf3 a -> c: $mbit Mbit/s"
	echo "RESULT switch_mesh kinds=$ka,$kb,$kc iperf_mbit=$mbit"
	# fenliud nodes opened every PKT_MAC record; the ends sent by UDP.
	for x in a b c; do
		[ "${FL_KIND[$x]}" = fenliu ] || continue
		fl_cli "$x" dump stats >"$FL_TMP/stats-$x"
		[ "$(sw_stat "$x" drop bad-record)" = 0 ] || fl_fail "$x: records refused: $(cat "$FL_TMP/stats-$x")"
		[ "$x" = b ] || [ "$(sw_stat "$x" dataplane udp_out)" -gt 1000 ] ||
			fl_fail "$x: under 1000 UDP datagrams sent: $(cat "$FL_TMP/stats-$x")"
	done
	[ "$kb" = fenliu ] && sw_reload_broadcast
	# A LAN host behind a, learned and announced by a.
	sw_host_attach a
	sw_wait_ping c 203.0.113.50 20
	fl_wait 10 "c: m's MAC announced by a" sw_has_mac c "$SW_HOST_MAC" a
	# It moves behind c: a's entry expires (MACExpire 10, tinc ages every
	# 10 s), c learns it, and a reaches it through c.
	sw_host_attach c
	n m ping -c 1 -W 1 203.0.113.3 >/dev/null 2>&1 || true
	sw_wait_ping a 203.0.113.50 60
	fl_wait 45 "c: m's MAC announced by c" sw_has_mac c "$SW_HOST_MAC" c
	fl_wait 45 "b: a's entry for m expired" fl_not sw_has_mac b "$SW_HOST_MAC" a
	for x in a b c; do fl_stop "$x"; done
	fl_reset
	ip netns del "$FL_PFX-m" 2>/dev/null || true
}

# sw_hub KIND_A KIND_B KIND_C: Mode = hub: every frame flooded, nothing
# learned or announced, and still ARP, ping and iperf3 across.
sw_hub() {
	local x mbit
	fl_log "hub mesh: a=$1 b=$2 c=$3"
	fl_net a b c
	SW_MODE=hub sw_conf a "$1"
	SW_MODE=hub sw_conf b "$2"
	SW_MODE=hub sw_conf c "$3"
	fl_exchange a b c
	fl_connect a b
	fl_connect c b
	for x in b a c; do fl_start "$x"; done
	fl_wait 20 "a reaches c" fl_reachable a c
	sw_wait_ping a 203.0.113.3 30
	sw_wait_ping c 203.0.113.2 10
	mbit=$(sw_iperf a c 203.0.113.3 2)
	fl_log "hub: iperf3 a -> c: $mbit Mbit/s"
	echo "RESULT hub_mesh kinds=$1,$2,$3 iperf_mbit=$mbit"
	[ "${FL_KIND[b]}" != fenliu ] || fl_cli b dump stats | grep -E '^dataplane|^drop [a-z-]+ [1-9]' >&2
	for x in a b c; do
		! fl_cli "$x" dump subnets | grep -qE '^([0-9a-f]{2}:){5}[0-9a-f]{2} owner [^(]' ||
			fl_fail "$x: hub mode announced a MAC subnet"
	done
	for x in a b c; do fl_stop "$x"; done
	fl_reset
}
