# SPDX-License-Identifier: MIT
# tests/e2e/lib_offload.sh: the split-tunnelling topology (doc/offload.md)
# for tests/e2e/offload*.sh, tests/faults/offload_*.sh and bench/offload.sh.
# Source it after lib.sh; do not run it.
#
#   lan ──lan0── r ══ mesh (hub bridge, 192.0.2.0/24) ══ c
#                 └─wan0── inet
#
# r runs fenliud with its VPN device fl0 and the offload device offl0. The
# LAN's traffic enters fl0 by policy routing (iif lan0 → table 100, default
# dev fl0), as on the seed's router. inet stands in for the local
# internet: it holds the offloaded destinations on its loopback and routes
# the offload addresses back to r, where they are routed into offl0. c is
# the far end of the mesh (fenliud, or stock tincd with OFF_FAR=tinc); it
# owns 198.51.100.0/24 in the mesh and holds .7 and .200 too, so a packet
# that takes the VPN instead of the offload path still gets an answer, from
# c. Destinations are documentation ranges only; every address lives in
# the test's namespaces.

OFF_LAN4=198.18.1.2 OFF_LANGW4=198.18.1.1
OFF_LAN6=2001:db8:1::2 OFF_LANGW6=2001:db8:1::1
OFF_WAN4=198.18.2.1 OFF_INET4=198.18.2.2
OFF_WAN6=2001:db8:2::1 OFF_INET6=2001:db8:2::2
OFF_ADDR4=198.18.3.1 OFF_ADDR6=2001:db8:3::1
OFF_DST4=198.51.100.7 OFF_DST6=2001:db8:51::7 # offloaded
OFF_EXCL4=198.51.100.200                      # in the list, excluded
OFF_FAR4=198.51.100.9 OFF_FAR6=2001:db8:51::9 # offloaded, one hop beyond inet
OFF_VPN4=203.0.113.2                          # c's tunnel address
OFF_FAR=${OFF_FAR:-fenliu}

# off_veth NS_A IF_A NS_B IF_B: a veth pair between two of our namespaces.
off_veth() {
	ip -n "$FL_PFX-$1" link add "$2" type veth peer name "$4" netns "$FL_PFX-$3"
	ip -n "$FL_PFX-$1" link set "$2" up
	ip -n "$FL_PFX-$3" link set "$4" up
}

# off_lists LIST EXCLUDE: r's OffloadList and OffloadExclude files.
off_lists() {
	printf '%b' "$1" >"$(fl_dir r)/offload.txt"
	printf '%b' "$2" >"$(fl_dir r)/exclude.txt"
}

# off_net [R_CONF...]: build everything and start r and c. Extra VAR=VALUE
# arguments go to r's tinc.conf (NAT limits, ...). OFF_LIST=FILE replaces
# the offload list (and empties the exclude list).
off_net() {
	local d
	fl_net r c
	for d in lan inet; do
		ip netns add "$FL_PFX-$d"
		ip -n "$FL_PFX-$d" link set lo up
	done
	off_veth r lan0 lan eth0
	off_veth r wan0 inet eth0
	n r ip addr add "$OFF_LANGW4/24" dev lan0
	n r ip -6 addr add "$OFF_LANGW6/64" dev lan0 nodad
	n r ip addr add "$OFF_WAN4/24" dev wan0
	n r ip -6 addr add "$OFF_WAN6/64" dev wan0 nodad
	n r sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
	n r ip route add 198.51.100.0/24 via "$OFF_INET4"
	n r ip -6 route add 2001:db8:51::/48 via "$OFF_INET6"
	n r ip rule add iif lan0 table 100 pref 100
	n r ip -6 rule add iif lan0 table 100 pref 100
	n lan ip addr add "$OFF_LAN4/24" dev eth0
	n lan ip -6 addr add "$OFF_LAN6/64" dev eth0 nodad
	n lan ip route add default via "$OFF_LANGW4"
	n lan ip -6 route add default via "$OFF_LANGW6"
	n inet ip addr add "$OFF_INET4/24" dev eth0
	n inet ip -6 addr add "$OFF_INET6/64" dev eth0 nodad
	n inet ip addr add "$OFF_DST4/32" dev lo
	n inet ip -6 addr add "$OFF_DST6/128" dev lo nodad
	n inet ip route add 198.18.3.0/24 via "$OFF_WAN4"
	n inet ip -6 route add 2001:db8:3::/64 via "$OFF_WAN6"
	# The hop beyond: inet forwards $OFF_FAR4/6 (back to r) over a
	# 1300-byte route, so "time exceeded" and "fragmentation needed" come
	# from an address that is not r's own (r's kernel drops packets with
	# its own source address coming back through fl0).
	n inet sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	n inet ip route add "$OFF_FAR4/32" via "$OFF_WAN4" mtu lock 1300
	n inet ip -6 route add "$OFF_FAR6/128" via "$OFF_WAN6" mtu 1300

	if [ -n "${OFF_BLOCK:-}" ]; then # the device as interfaces/offl0, Role = offload
		fl_conf r fenliu host:Subnet=198.18.1.0/24 host:Subnet=2001:db8:1::/64 \
			OffloadList=offload.txt OffloadExclude=exclude.txt "$@"
		mkdir -p "$(fl_dir r)/interfaces"
		printf 'Role = offload\nAddress = %s/24\nAddress = %s/64\n' "$OFF_ADDR4" "$OFF_ADDR6" \
			>"$(fl_dir r)/interfaces/offl0"
	else
		fl_conf r fenliu host:Subnet=198.18.1.0/24 host:Subnet=2001:db8:1::/64 \
			OffloadInterface=offl0 "OffloadAddress=$OFF_ADDR4" "OffloadAddress=$OFF_ADDR6" \
			OffloadList=offload.txt OffloadExclude=exclude.txt "$@"
	fi
	fl_conf c "$OFF_FAR" host:Subnet=198.51.100.0/24
	fl_exchange r c
	fl_connect r c
	if [ -n "${OFF_LIST:-}" ]; then # a given list (the benchmark's), no excludes
		cp "$OFF_LIST" "$(fl_dir r)/offload.txt"
		: >"$(fl_dir r)/exclude.txt"
	else
		off_lists '198.51.100.0/24\n2001:db8:51::/48\n' '198.51.100.128/25\n'
	fi
	cat >"$(fl_dir r)/offload-up" <<-'EOF2'
		#!/bin/sh
		echo "$INTERFACE $OFFLOAD_ADDRESS $OFFLOAD_ADDRESS6" >"$(dirname "$0")/offload-up.ran"
		ip link set "$INTERFACE" up
		ip route add "$OFFLOAD_ADDRESS/32" dev "$INTERFACE"
		ip -6 route add "$OFFLOAD_ADDRESS6/128" dev "$INTERFACE"
	EOF2
	cat >"$(fl_dir r)/offload-down" <<-'EOF2'
		#!/bin/sh
		echo "$INTERFACE" >"$(dirname "$0")/offload-down.ran"
	EOF2
	chmod +x "$(fl_dir r)/offload-up" "$(fl_dir r)/offload-down"
	fl_start c
	fl_start r
	n r ip route add default dev fl0 table 100
	n r ip -6 route add default dev fl0 table 100
	n c ip route add 198.18.1.0/24 dev fl0
	n c ip -6 route add 2001:db8:1::/64 dev fl0
	n c ip addr add "$OFF_DST4/32" dev lo
	n c ip addr add "$OFF_EXCL4/32" dev lo
	# inet counts what reaches it by source: the offload addresses, and
	# anything from the LAN (which must never leave untranslated).
	n inet nft -f - <<-EOF2
		table inet offcount {
			counter from_off4 {}
			counter from_off6 {}
			counter from_lan {}
			chain in {
				type filter hook prerouting priority -10;
				ip saddr $OFF_ADDR4 counter name "from_off4"
				ip6 saddr $OFF_ADDR6 counter name "from_off6"
				ip saddr 198.18.1.0/24 counter name "from_lan"
				ip6 saddr 2001:db8:1::/64 counter name "from_lan"
			}
		}
	EOF2
	fl_wait 30 "mesh r-c" fl_ping lan c
}

# off_count NAME: packets of inet's counter NAME.
off_count() {
	n inet nft list counter inet offcount "$1" | awk '{for(i=1;i<NF;i++) if($i=="packets") print $(i+1)}'
}

# off_dump KIND: `fenliu dump offload|nat` on r.
off_dump() { fl_cli r dump "$1"; }
# off_stat LINE_PREFIX... KEY: the value after KEY in the first line of
# `dump offload` that starts with the prefix, e.g. off_stat "drop no_mapping".
off_stat() {
	off_dump offload | awk -v p="$1" -v k="$2" 'index($0, p) == 1 {for(i=1;i<NF;i++) if($i==k) {print $(i+1); exit}}'
}
# off_nat_stat FAMILY NAME: a NAT counter from `dump nat` ("ipv4 active").
off_nat_stat() {
	off_dump nat | awk -v f="$1" -v k="$2" '$1==f {for(i=2;i<NF;i++) if($i==k) {print $(i+1); exit}}'
}

# off_ping4/6 DST: one ping from the LAN host.
off_ping4() { nq lan ping -c 1 -W 2 "$1"; }
off_ping6() { nq lan ping -6 -c 1 -W 2 "$1"; }

# off_check_offloaded: offload-up ran with the offload environment, and a
# ping to each offloaded destination reached inet from the offload
# addresses.
off_check_offloaded() {
	local ifc a4 a6
	read -r ifc a4 a6 <"$(fl_dir r)/offload-up.ran"
	[ "$ifc $a4 $a6" = "offl0 $OFF_ADDR4 $OFF_ADDR6" ] || fl_fail "offload-up environment: '$ifc $a4 $a6'"
	fl_wait 20 "ping lan -> $OFF_DST4 (offloaded)" off_ping4 "$OFF_DST4"
	fl_wait 20 "ping6 lan -> $OFF_DST6 (offloaded)" off_ping6 "$OFF_DST6"
	[ "$(off_count from_off4)" -gt 0 ] || fl_fail "inet saw nothing from $OFF_ADDR4"
	[ "$(off_count from_off6)" -gt 0 ] || fl_fail "inet saw nothing from $OFF_ADDR6"
}
