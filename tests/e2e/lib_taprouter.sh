#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# lib_taprouter.sh: the TAP router's test topology (issue 19), shared by
# tests/e2e/taprouter.sh, the fault tests and the nat/dhcp/bench work.
# Source after lib.sh and fl_init:
#
#   h1 192.168.200.11 ─┐                       (namespace "lan": bridge br0)
#   h2 192.168.200.12 ─┼─ br0 ─ lan0 [a: fenliud, 192.168.200.2/24,
#                      │        2001:db8:200::2/64]  ══ mesh ══  b
#
# hosts/a has Subnet = 192.168.200.0/24 and 2001:db8:200::/64; b (fenliud
# or stock tinc) has 203.0.113.2 / 2001:db8::2 and routes the LAN's
# prefixes into its tunnel. tr_setup KIND builds it and starts a and b;
# tr_mac is a's LAN MAC afterwards.

B4=203.0.113.2
B6=2001:db8::2
LANNS=$FL_PFX-lan

# lan_net: the "lan" namespace with its bridge, and h1/h2 on it.
lan_net() {
	local h i
	ip netns add "$LANNS"
	ip -n "$LANNS" link set lo up
	ip -n "$LANNS" link add br0 type bridge
	ip -n "$LANNS" link set br0 up
	ip netns exec "$LANNS" sysctl -qw net.ipv6.conf.br0.disable_ipv6=1
	for h in h1 h2; do
		i=$([ "$h" = h1 ] && echo 11 || echo 12)
		ip netns add "$FL_PFX-$h"
		ip -n "$FL_PFX-$h" link set lo up
		ip -n "$FL_PFX-$h" link add eth0 type veth peer name "p-$h" netns "$LANNS"
		ip -n "$LANNS" link set "p-$h" master br0 up
		ip -n "$FL_PFX-$h" addr add "192.168.200.$i/24" dev eth0
		ip -n "$FL_PFX-$h" -6 addr add "2001:db8:200::$i/64" dev eth0 nodad
		ip -n "$FL_PFX-$h" link set eth0 up
		ip -n "$FL_PFX-$h" route add default via 192.168.200.2
		ip -n "$FL_PFX-$h" -6 route add default via 2001:db8:200::2
	done
}

# a_conf: a's interfaces/lan0 and its up script (moves the TAP into the
# lan namespace's bridge: the host of a never has an address on it).
a_conf() {
	local d
	d=$(fl_dir a)
	mkdir -p "$d/interfaces"
	cat >"$d/interfaces/lan0" <<-EOF
		# the LAN: fenliud is its gateway
		Role = lan
		Address = 192.168.200.2/24
		Address = 2001:db8:200::2/64
	EOF
	cat >"$d/interfaces/lan0-up" <<-EOF
		#!/bin/sh
		[ "\$ROLE" = lan ] || exit 1
		ip link set "\$INTERFACE" netns $LANNS
		ip -n $LANNS link set "\$INTERFACE" master br0 up
	EOF
	chmod +x "$d/interfaces/lan0-up"
}

# b's kernel sends the LAN's prefixes into its tunnel.
b_routes() {
	cat >>"$(fl_dir b)/tinc-up" <<-EOF
		ip route add 192.168.200.0/24 dev "\$INTERFACE"
		ip -6 route add 2001:db8:200::/64 dev "\$INTERFACE"
	EOF
}

tr_stat() { # NAME: a's lan.lan0 counter
	fl_cli a dump stats | awk -v k="$1" '$1=="lan.lan0" && $2==k {print $3}'
}

tr_rss() { awk '/VmRSS/ {print $2}' "/proc/${FL_PID[$1]}/status"; }

# tr_setup KIND [TINC.CONF VAR=VALUE for a...]: the whole topology, both
# daemons started; extra interfaces/lan0 lines in TR_LAN_EXTRA.
tr_setup() {
	local kind=$1
	shift
	fl_net a b
	lan_net
	fl_conf a fenliu host:Subnet=192.168.200.0/24 host:Subnet=2001:db8:200::/64 "$@"
	fl_conf b "$kind"
	b_routes
	a_conf
	[ -z "${TR_LAN_EXTRA:-}" ] || printf '%s\n' "$TR_LAN_EXTRA" >>"$(fl_dir a)/interfaces/lan0"
	fl_exchange a b
	fl_connect a b
	fl_start a
	fl_start b
	ip netns exec "$LANNS" test -e /sys/class/net/lan0 || fl_fail "lan0 is not in the lan namespace"
	# The MAC fenliud speaks with (not the kernel's own for the TAP, which
	# the bridge would take as its local address).
	tr_mac=$(sed -n 's/.*lan lan0: TAP router up, MAC \([0-9a-f:]*\),.*/\1/p' "$(fl_dir a)/log" | tail -n 1)
	[ -n "$tr_mac" ] || fl_fail "a did not log its lan0 MAC"
}
