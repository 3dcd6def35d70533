#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Split tunnelling over a TAP (interfaces/NAME with Role = offload,
# DeviceType = tap, Gateway; fenliu.conf(5)):
#
#   lan ──lan0── r ══ mesh (hub) ══ c
#                └─ offl0 (TAP) ─ br0 ─ veth ── inet (the gateway)
#
# r's offload device is a TAP that fenliud drives itself: no address on
# the host side, the TAP bridged (offl0-up) to a link where inet holds the
# gateway 198.18.5.1 / 2001:db8:5::1 and fenliud holds 198.18.5.2 /
# 2001:db8:5::2. inet holds the offloaded destinations on its loopback.
#   1. ping (IPv4, IPv6), a TCP download and UDP from the LAN host to an
#      offloaded destination leave through the TAP under the offload
#      address (inet counts sources: nothing from the LAN) and the replies
#      come back; ROLE=offload and INTERFACE=offl0 in offl0-up.
#   2. `fenliu dump neighbours` shows the gateway with inet's MAC.
#   3. inet's MAC changes: once the entry goes stale and its probe fails,
#      fenliud resolves the new MAC and the offloaded ping works again.
#   4. OffloadInterface and a Role = offload block at once: refused with
#      tinc.conf:LINE.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
fl_need_root
fl_need_tools ping nft iperf3 python3
fl_need_fenliu
fl_init

GW4=198.18.5.1 OURS4=198.18.5.2 GW6=2001:db8:5::1 OURS6=2001:db8:5::2
DST4=198.51.100.7 DST6=2001:db8:51::7
LAN4=198.18.1.2 LANGW4=198.18.1.1 LAN6=2001:db8:1::2 LANGW6=2001:db8:1::1

veth() {
	ip -n "$FL_PFX-$1" link add "$2" type veth peer name "$4" netns "$FL_PFX-$3"
	ip -n "$FL_PFX-$1" link set "$2" up
	ip -n "$FL_PFX-$3" link set "$4" up
}

fl_net r c
for d in lan inet; do
	ip netns add "$FL_PFX-$d"
	ip -n "$FL_PFX-$d" link set lo up
done
veth r lan0 lan eth0
n r ip addr add "$LANGW4/24" dev lan0
n r ip -6 addr add "$LANGW6/64" dev lan0 nodad
n r sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
	net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
n r ip rule add iif lan0 table 100 pref 100
n r ip -6 rule add iif lan0 table 100 pref 100
n lan ip addr add "$LAN4/24" dev eth0
n lan ip -6 addr add "$LAN6/64" dev eth0 nodad
n lan ip route add default via "$LANGW4"
n lan ip -6 route add default via "$LANGW6"
# The offload link: a bridge in r, inet's end on it.
n r ip link add br0 type bridge
n r ip link set br0 up
veth r wanp inet eth0
n r ip link set wanp master br0
n inet ip addr add "$GW4/24" dev eth0
n inet ip -6 addr add "$GW6/64" dev eth0 nodad
n inet ip addr add "$DST4/32" dev lo
n inet ip -6 addr add "$DST6/128" dev lo nodad

fl_conf r fenliu host:Subnet=198.18.1.0/24 host:Subnet=2001:db8:1::/64 OffloadList=offload.txt
fl_conf c fenliu host:Subnet=198.51.100.0/24 host:Subnet=2001:db8:51::/48
fl_exchange r c
fl_connect r c
printf '198.51.100.0/24\n2001:db8:51::/48\n' >"$(fl_dir r)/offload.txt"
mkdir -p "$(fl_dir r)/interfaces"
cat >"$(fl_dir r)/interfaces/offl0" <<EOF
Role = offload
DeviceType = tap
Address = $OURS4/24
Address = $OURS6/64
Gateway = $GW4
Gateway = $GW6
EOF
cat >"$(fl_dir r)/interfaces/offl0-up" <<-'EOF'
	#!/bin/sh
	echo "$INTERFACE $ROLE" >"$(dirname "$0")/../offl0-up.ran"
	ip link set "$INTERFACE" master br0 up
EOF
chmod +x "$(fl_dir r)/interfaces/offl0-up"
fl_start c
fl_start r
n r ip route add default dev fl0 table 100
n r ip -6 route add default dev fl0 table 100
n c ip route add 198.18.1.0/24 dev fl0
n c ip -6 route add 2001:db8:1::/64 dev fl0
n inet nft -f - <<-EOF
	table inet offcount {
		counter from_off4 {}
		counter from_off6 {}
		counter from_lan {}
		chain in {
			type filter hook prerouting priority -10;
			ip saddr $OURS4 counter name "from_off4"
			ip6 saddr $OURS6 counter name "from_off6"
			ip saddr 198.18.1.0/24 counter name "from_lan"
			ip6 saddr 2001:db8:1::/64 counter name "from_lan"
		}
	}
EOF
count() { n inet nft list counter inet offcount "$1" | awk '{for(i=1;i<NF;i++) if($i=="packets") print $(i+1)}'; }
fl_wait 30 "mesh r-c" fl_ping lan c

# ---- 1. the offload path over the TAP ----
fl_log "part 1: offloaded ping, TCP and UDP through the TAP"
[ "$(cat "$(fl_dir r)/offl0-up.ran")" = "offl0 offload" ] ||
	fl_fail "offl0-up environment: '$(cat "$(fl_dir r)/offl0-up.ran")'"
fl_wait 20 "ping lan -> $DST4 (offloaded)" nq lan ping -c 1 -W 2 "$DST4"
fl_wait 20 "ping6 lan -> $DST6 (offloaded)" nq lan ping -6 -c 1 -W 2 "$DST6"
[ "$(count from_off4)" -gt 0 ] || fl_fail "inet saw nothing from $OURS4"
[ "$(count from_off6)" -gt 0 ] || fl_fail "inet saw nothing from $OURS6"
fl_bg inet sh -c "exec iperf3 -s -B $DST4 -p 5201 >/dev/null 2>&1"
fl_wait 10 "iperf3 server" nq inet sh -c "ss -ltn | grep -q ':5201 '"
n lan timeout 20 iperf3 -c "$DST4" -p 5201 -R -t 2 -J >"$FL_TMP/tcp.json" || fl_fail "TCP download failed"
n lan timeout 20 iperf3 -c "$DST4" -p 5201 -u -b 20M -t 2 -J >"$FL_TMP/udp.json" || fl_fail "UDP failed"
gbps=$(python3 -c 'import json,sys; e=json.load(open(sys.argv[1]))["end"]; print("%.3f" % (e["sum_received"]["bits_per_second"]/1e9))' "$FL_TMP/tcp.json")
lost=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["end"]["sum"]["lost_percent"])' "$FL_TMP/udp.json")
fl_log "TCP download $gbps Gbit/s, UDP loss $lost%"
[ "$(count from_off4)" -gt 1000 ] || fl_fail "the TCP download did not come from $OURS4"
[ "$(count from_lan)" -eq 0 ] || fl_fail "inet saw $(count from_lan) packets with a LAN source"
echo "RESULT offload_tap tcp_gbps=$gbps udp_loss=$lost%"

# ---- 2. the gateway in `dump neighbours` ----
mac=$(n inet cat /sys/class/net/eth0/address)
nb=$(fl_cli r dump neighbours) || fl_fail "dump neighbours failed"
grep -q "^offl0 $GW4 $mac " <<<"$nb" || fl_fail "dump neighbours lacks the gateway $GW4 at $mac: $nb"
grep -q "^offl0 $GW6 $mac " <<<"$nb" || fl_fail "dump neighbours lacks the gateway $GW6 at $mac: $nb"

# ---- 3. the gateway's MAC changes ----
fl_log "part 3: the gateway's MAC changes (followed once the entry is stale: ~30-40 s)"
new=02:00:5e:00:53:99
n inet ip link set eth0 address "$new"
ok_new() {
	nq lan ping -c 1 -W 1 "$DST4" &&
		fl_cli r dump neighbours | grep -q "^offl0 $GW4 $new "
}
fl_wait 90 "offloaded ping through the gateway's new MAC" ok_new

# ---- 4. both ways of naming the offload device ----
fl_stop r
echo "OffloadInterface = offl9" >>"$(fl_dir r)/tinc.conf"
line=$(grep -n '^OffloadInterface' "$(fl_dir r)/tinc.conf" | cut -d: -f1)
d=$(fl_dir r)
if n r timeout 20 "$FENLIU_BUILD/src/daemon/fenliud" -c "$d" -D --pidfile="$d/pid.bad" \
	--logfile="$d/log.bad" </dev/null >/dev/null 2>"$d/stderr.bad"; then
	fl_fail "fenliud started with OffloadInterface and a Role = offload block"
fi
grep -q "tinc\.conf:$line: OffloadInterface: interfaces/offl0 has Role = offload" "$d/stderr.bad" "$d/log.bad" ||
	fl_fail "no tinc.conf:$line message: $(cat "$d/stderr.bad" "$d/log.bad" | tail -n 3)"
fl_log "PASS"
