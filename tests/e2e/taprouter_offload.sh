#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# taprouter_offload: split tunnelling (doc/offload.md) from a `lan`
# interface (issue 19: "the offload path works from the lan interface
# too"). The TAP router topology of lib_taprouter.sh, plus a's offload
# device offl0 and an "inet" namespace behind a's wan0:
#
#   h1/h2 ─ br0 ─ lan0 [a] ══ mesh ══ b (203.0.113.2)
#                      └─ offl0 → a's kernel ─ wan0 ─ inet (198.51.100.7)
#
# Checks: ping from h1 and h2 (both families) and TCP from h2 to an
# offloaded destination leave through offl0 under the offload address
# (inet counts sources: nothing from the LAN's own addresses), the replies
# reach the host that asked (each ping is answered only if its own MAC and
# IP come back); `dump nat` has a mapping per LAN host; `dump offload`
# counts both directions; a destination not in the list (b) still crosses
# the mesh and never reaches inet.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_taprouter.sh"
fl_need_root
fl_need_tools ping nft iperf3
fl_need_fenliu
fl_init

OFF4=198.18.3.1 OFF6=2001:db8:3::1  # a's offload addresses
DST4=198.51.100.7 DST6=2001:db8:51::7 # offloaded, held by inet

printf '198.51.100.0/24\n2001:db8:51::/48\n' >"$FL_TMP/offload.txt"
tr_setup fenliu OffloadInterface=offl0 "OffloadAddress=$OFF4" "OffloadAddress=$OFF6" \
	"OffloadList=$FL_TMP/offload.txt"
rss0=$(tr_rss a)

# inet, and a's kernel routing between offl0 and wan0.
ip netns add "$FL_PFX-inet"
n inet ip link set lo up
ip -n "$FL_PFX-a" link add wan0 type veth peer name eth1 netns "$FL_PFX-inet"
n a ip link set wan0 up
n inet ip link set eth1 up
n a ip addr add 198.18.2.1/24 dev wan0
n a ip -6 addr add 2001:db8:2::1/64 dev wan0 nodad
n inet ip addr add 198.18.2.2/24 dev eth1
n inet ip -6 addr add 2001:db8:2::2/64 dev eth1 nodad
n inet ip addr add "$DST4/32" dev lo
n inet ip -6 addr add "$DST6/128" dev lo nodad
n inet ip route add 198.18.3.0/24 via 198.18.2.1
n inet ip -6 route add 2001:db8:3::/64 via 2001:db8:2::1
n a sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
	net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
n a ip link set offl0 up
n a ip route add "$OFF4/32" dev offl0
n a ip -6 route add "$OFF6/128" dev offl0
n a ip route add 198.51.100.0/24 via 198.18.2.2
n a ip -6 route add 2001:db8:51::/48 via 2001:db8:2::2
n inet nft -f - <<-EOF
	table inet cnt {
		counter from_off4 {}
		counter from_off6 {}
		counter from_lan {}
		chain in {
			type filter hook prerouting priority -10;
			ip saddr $OFF4 counter name "from_off4"
			ip6 saddr $OFF6 counter name "from_off6"
			ip saddr 192.168.200.0/24 counter name "from_lan"
			ip6 saddr 2001:db8:200::/64 counter name "from_lan"
		}
	}
EOF
count() { n inet nft list counter inet cnt "$1" | awk '{for(i=1;i<NF;i++) if($i=="packets") print $(i+1)}'; }
off_stat() { # LINE_PREFIX KEY: from `fenliu dump offload`
	fl_cli a dump offload | awk -v p="$1" -v k="$2" 'index($0, p) == 1 {for(i=1;i<NF;i++) if($i==k) {print $(i+1); exit}}'
}

# ---- the offload path from the LAN ----
fl_wait 20 "h1 ping 2001:db8:200::2 (DAD done)" nq h1 ping -6 -c 1 -W 1 2001:db8:200::2
tm0=$(tr_stat to_mesh)
for h in h1 h2; do
	fl_wait 20 "$h ping $DST4 (offloaded)" nq "$h" ping -c 1 -W 1 "$DST4"
	fl_wait 20 "$h ping6 $DST6 (offloaded)" nq "$h" ping -6 -c 1 -W 1 "$DST6"
done
fl_bg inet sh -c "exec iperf3 -s -p 5201 >/dev/null 2>&1"
fl_wait 10 "iperf3 server on inet" nq inet sh -c "ss -ltn | grep -q :5201"
n h2 iperf3 -c "$DST4" -p 5201 -t 1 -b 20M >/dev/null || fl_fail "TCP h2 -> $DST4 (offloaded) failed"
[ "$(count from_off4)" -gt 20 ] || fl_fail "inet saw $(count from_off4) packets from $OFF4"
[ "$(count from_off6)" -ge 2 ] || fl_fail "inet saw $(count from_off6) packets from $OFF6"
[ "$(count from_lan)" -eq 0 ] || fl_fail "inet saw $(count from_lan) packets with a LAN source"
nat=$(fl_cli a dump nat)
for i in 11 12; do
	grep -qE "^icmp 192\.168\.200\.$i:[0-9]+ $OFF4:[0-9]+ " <<<"$nat" || fl_fail "dump nat: no ICMP mapping for .$i: $nat"
	grep -qE "^icmp6 \[2001:db8:200::$i\]:[0-9]+ \[$OFF6\]:[0-9]+ " <<<"$nat" || fl_fail "dump nat: no ICMPv6 mapping for ::$i: $nat"
done
grep -qE "^tcp 192\.168\.200\.12:[0-9]+ $OFF4:[0-9]+ " <<<"$nat" || fl_fail "dump nat: no TCP mapping for h2"
out=$(off_stat out packets) in=$(off_stat in packets)
[ "$out" -gt 20 ] && [ "$in" -gt 20 ] || fl_fail "dump offload: out $out in $in packets"
echo "RESULT taprouter_offload ping4=ok ping6=ok tcp4=ok from_off4=$(count from_off4) from_off6=$(count from_off6)" \
	"from_lan=$(count from_lan) offload_out=$out offload_in=$in"

# ---- a destination not in the list takes the mesh ----
fl_wait 30 "a reaches b" fl_reachable a b
inet0=$(count from_off4)
rx0=$(n b cat /sys/class/net/fl0/statistics/rx_packets)
fl_wait 30 "h1 ping $B4 (mesh)" nq h1 ping -c 1 -W 1 "$B4"
fl_wait 30 "h2 ping6 $B6 (mesh)" nq h2 ping -6 -c 1 -W 1 "$B6"
[ "$(n b cat /sys/class/net/fl0/statistics/rx_packets)" -ge $((rx0 + 2)) ] || fl_fail "b's device did not see the mesh pings"
[ "$(count from_off4)" -eq "$inet0" ] || fl_fail "a mesh ping reached inet"
[ "$(tr_stat to_mesh)" -gt "$tm0" ] || fl_fail "lan.lan0 to_mesh did not count"
echo "RESULT taprouter_offload mesh_ping4=ok mesh_ping6=ok rss_before_kb=$rss0 rss_after_kb=$(tr_rss a)"
fl_log "taprouter_offload: all parts passed"
exit 0
