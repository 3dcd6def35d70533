#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# LocalDiscovery and UDPDiscovery (issue 18): a and b sit on one LAN
# (198.51.100.0/24) behind a masquerading router r without hairpin NAT;
# c is on the "internet" side (192.0.2.0/24), and a and b each have a meta
# connection to c only. The addresses the mesh tells a about b are r's
# public address with b's mapped ports, which a cannot reach from inside,
# so the only direct path is b's LAN address, found by local discovery
# (probes to the local address of b's edges).
#   1. LocalDiscovery = yes (the default): a's `dump nodes` shows UDP to b
#      confirmed, and b's nft counters see UDP from a's LAN address.
#   2. LocalDiscovery = no everywhere: a and b still ping (relayed by c),
#      but UDP to b is never confirmed and no UDP goes a -> b on the LAN.
#   3. UDPDiscovery = no everywhere: pings a -> b keep working. tinc does
#      not fall back to TCP then: it "assumes a node is reachable over UDP"
#      (tinc.conf(5)) and still sends PMTU probes, so UDP is used, a -> c
#      -> b with DSTID = b. fenliud used to lose pings here in every run
#      (c: "dropped packet: unknown-source" for 192.0.2.2 port 655): the
#      edges place a and b both at 192.0.2.2 port 655 on c, so they share
#      one chain of c's UDP address table; b's first authentic datagram
#      from its real mapped port moves b, and the table unlinked a moving
#      peer by its new address's hash, leaving b at the head of the old
#      chain with a cut off behind it. a stayed confirmed at 192.0.2.2
#      port 655 but could no longer be found there, so everything a sent
#      through c was dropped. Fixed in dp_addr_table_update (unit test
#      test_addr_move_keeps_neighbour). Then a rarer stall, which stock
#      tincd shows too (2 of 8 runs with FL_FORCE_KIND=tinc: "Received
#      UDP packet from unknown source 192.0.2.1 port 655"): c answers b's
#      first probe at the shared address (so a gets it), b never confirms
#      c, drops everything c relays to it, sends nothing back and never
#      probes c again. fenliud now takes a relayed datagram for itself
#      from an unknown hop if it opens under its SRCID's session (dump
#      stats: relayed_unknown_hop; unit test
#      test_relayed_for_us_from_unknown_hop). A few unknown-source drops
#      at c remain normal, as in tinc: a datagram c would relay is taken
#      only from a confirmed address.
#   4. As 1 with b a stock tincd: fenliud's local discovery finds it.
# With FL_DISC_BREAK=1 round 2 runs with LocalDiscovery = yes (the test
# must then fail: the setting is what keeps the LAN path unused).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
fl_need_root
fl_need_tools ping nft
fl_need_fenliu
fl_init

# c = 192.0.2.1, r = 192.0.2.2 (router: eth0 public, bridge `lan` inside).
fl_net c r
n r ip link add lan type bridge
n r ip addr add 198.51.100.1/24 dev lan
n r ip link set lan up
n r sysctl -qw net.ipv4.ip_forward=1
n r nft -f - <<-EOF
	table ip nat {
		chain post { type nat hook postrouting priority 100; oifname "eth0" masquerade; }
	}
EOF

# lan_ns NODE INDEX: a namespace on r's LAN, 198.51.100.(10+INDEX), whose
# tunnel address is 203.0.113.INDEX (fl_conf).
lan_ns() {
	local node=$1 i=$2 ns="$FL_PFX-$1"
	ip netns add "$ns"
	ip -n "$ns" link set lo up
	ip -n "$ns" link add eth0 type veth peer name "l-$node" netns "$FL_PFX-r"
	ip -n "$FL_PFX-r" link set "l-$node" master lan up
	ip -n "$ns" addr add "198.51.100.$((10 + i))/24" dev eth0
	ip -n "$ns" link set eth0 up
	ip -n "$ns" route add default via 198.51.100.1
	FL_IDX[$node]=$i
	FL_NODES+=("$node")
}
lan_ns a 3
lan_ns b 4
A_LAN=198.51.100.13

# count NODE: nft counters in NODE's namespace: every UDP datagram in and
# out, and those from a's LAN address (the direct path).
count() {
	n "$1" nft delete table inet fldisc 2>/dev/null || true
	n "$1" nft -f - <<-EOF
		table inet fldisc {
			counter udp_in {}
			counter udp_out {}
			counter from_a {}
			chain in {
				type filter hook input priority -10;
				ip saddr $A_LAN meta l4proto udp counter name "from_a"
				meta l4proto udp counter name "udp_in"
			}
			chain out { type filter hook output priority -10; meta l4proto udp counter name "udp_out"; }
		}
	EOF
}
counter() {
	n "$1" nft list counter inet fldisc "$2" | awk '{for(i=1;i<NF;i++) if($i=="packets") print $(i+1)}'
}

# start KIND_B VAR=VALUE...: c and a are fenliud, b is KIND_B; the
# settings go to all three tinc.conf files. a and b have no Address: the
# mesh (edges, UDP_INFO) is the only source of their UDP addresses.
start() {
	local kb=$1 x
	shift
	fl_conf c fenliu "$@"
	fl_conf a fenliu "$@"
	fl_conf b "$kb" "$@"
	sed -i '/^Address/d' "$(fl_dir a)/hosts/a" "$(fl_dir b)/hosts/b"
	fl_exchange c a b
	fl_connect a c
	fl_connect b c
	for x in c a b; do fl_start "$x"; done
	count a
	count b
	fl_wait_ping a b 30
}
stop() { local x; for x in c a b; do fl_stop "$x"; done; }

# pings N: N pings a -> b, one at a time; all must pass.
pings() {
	local i
	for i in $(seq "$1"); do
		fl_ping a b || fl_ping a b || fl_fail "a -> b: ping $i of $1 lost twice"
		sleep 0.5
	done
}

direct() {
	fl_wait_udp a b 30
	local k
	k=$(counter b from_a)
	[ "$k" -gt 0 ] || fl_fail "$1: UDP to b confirmed but b saw no UDP from a's LAN address"
	fl_log "$1: a -> b direct on the LAN ($k datagrams from $A_LAN at b)"
	echo "RESULT discovery_$1 direct=yes from_a_lan=$k"
}

# FL_DISC_ROUNDS="1 3" runs only those rounds (default: all).
want() { [[ " ${FL_DISC_ROUNDS:-1 2 3 4} " == *" $1 "* ]]; }

if want 1; then
fl_log "round 1: LocalDiscovery = yes (default)"
start fenliu
direct local_yes
stop
fi

if want 2; then
fl_log "round 2: LocalDiscovery = no"
if [ -n "${FL_DISC_BREAK:-}" ]; then start fenliu; else start fenliu LocalDiscovery=no; fi
pings 24 # 12 s: six UDP discovery rounds (UDPDiscoveryInterval = 2)
fl_not fl_udp_confirmed a b || fl_fail "LocalDiscovery = no: a confirmed UDP to b"
k=$(counter b from_a)
[ "$k" -eq 0 ] || fl_fail "LocalDiscovery = no: b saw $k UDP datagrams from a's LAN address"
fl_reachable a b || fl_fail "LocalDiscovery = no: b not reachable from a"
echo "RESULT discovery_local_no direct=no from_a_lan=0 pings=24"
stop
fi

if want 3; then
fl_log "round 3: UDPDiscovery = no"
start fenliu UDPDiscovery=no
pings 16
# stat NODE GROUP KEY: one `dump stats` value (empty for a stock tincd).
stat() { fl_cli "$1" dump stats 2>/dev/null | awk -v g="$2" -v k="$3" '$1==g && $2==k {print $3}'; }
echo "RESULT discovery_udp_no pings=16 c_unknown_source=$(stat c drop unknown-source)" \
	"a_unknown_hop=$(stat a dataplane relayed_unknown_hop)" \
	"b_unknown_hop=$(stat b dataplane relayed_unknown_hop)"
stop
fi

if ! want 4; then
	:
elif [ -n "${TINC11_DIR:-}" ] && [ -x "$TINC11_DIR/tincd" ]; then
	fl_log "round 4: b is a stock tincd, LocalDiscovery = yes"
	start tinc
	direct local_yes_tinc
	stop
else
	fl_log "round 4 skipped: no stock tinc (TINC11_DIR)"
fi
echo "ok: local discovery finds the LAN path; LocalDiscovery = no keeps off it"
