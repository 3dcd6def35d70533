# SPDX-License-Identifier: MIT
# tests/e2e/lib_vpnnat.sh: the VPNNat topology shared by
# tests/e2e/taprouter_nat.sh and tests/faults/vpnnat_*.sh. Source it after
# lib.sh; do not run it.
#
#   h1 192.168.200.11 ─┐                       (namespace "lan": bridge br0)
#   h2 192.168.200.12 ─┼─ br0 ─ lan0 [a: fenliud, 192.168.200.2/24,
#                      │        VPNNat 192.168.192.210]  ══ mesh ══  b
#                                                         (10.2.0.1, Subnet 10.2.0.0/16)
#
# hosts/a has NO Subnet for the LAN, only 192.168.192.210/32; b routes only
# that address into its tunnel, so every reply reaching h1/h2 was
# de-aliased by a.

. "$FL_TOP/tests/e2e/lib_taprouter.sh"

NATADDR=192.168.192.210
NAT_B=10.2.0.1
PEER="python3 $FL_TOP/tests/e2e/natpeer.py"

# vn_lan_net: the "lan" namespace with its bridge, and h1/h2 on it, as
# the routed TAP router tests have them (lib_taprouter.sh's lan_net).
vn_lan_net() { lan_net; }

# vn_a_iface FORWARDS...: a's interfaces/lan0 with VPNNat and the given
# PortForward values; the up script bridges the TAP into the LAN.
vn_a_iface() {
	local d f
	d=$(fl_dir a)
	mkdir -p "$d/interfaces"
	{
		echo "Role = lan"
		echo "Address = 192.168.200.2/24"
		echo "VPNNat = $NATADDR"
		for f in "$@"; do echo "PortForward = $f"; done
	} >"$d/interfaces/lan0"
	cat >"$d/interfaces/lan0-up" <<-EOF
		#!/bin/sh
		ip link set "\$INTERFACE" netns $LANNS
		ip -n $LANNS link set "\$INTERFACE" master br0 up
	EOF
	chmod +x "$d/interfaces/lan0-up"
}

# vn_setup KIND_B FORWARDS...: the whole network, a and b started, a
# reaching b. a is fenliud; b is KIND_B (fenliu or tinc).
vn_setup() {
	local kind=$1
	shift
	fl_net a b
	vn_lan_net
	fl_conf a fenliu host:Subnet=$NATADDR/32
	fl_conf b "$kind" host:Subnet=10.2.0.0/16
	cat >>"$(fl_dir b)/tinc-up" <<-EOF
		ip addr add $NAT_B/16 dev "\$INTERFACE"
		ip route add $NATADDR/32 dev "\$INTERFACE"
	EOF
	vn_a_iface "$@"
	fl_exchange a b
	fl_connect a b
	fl_start a
	fl_start b
	fl_wait 30 "a reaches b" fl_reachable a b
}

# vn_stat NAME: a's `dump stats` counter vpnnat NAME.
vn_stat() { fl_cli a dump stats | awk -v k="$1" '$1=="vpnnat" && $2==k {print $3}'; }
