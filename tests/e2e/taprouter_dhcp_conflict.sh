#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# taprouter_dhcp_conflict: RFC 2131 4.4.1's ARP check on fenliud's lan TAP.
# dnsmasq holds 192.168.200.2 for a's MAC, but h1 already uses that
# address (misconfigured by hand). fenliud's ARP probe of the offered
# address is answered by h1, so the lease is declined (DHCPDECLINE in
# dnsmasq's log, dhcp.lan0 conflicts=1), never applied (no lan0-up with
# it), and 10 s later a new DISCOVER gets an address from the range,
# which h2 then pings. Topology as taprouter_dhcp.sh, without the mesh
# peer (a alone).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
fl_need_root
fl_need_tools ping dnsmasq
fl_need_fenliu
fl_init

LANNS=$FL_PFX-lan
AMAC=02:00:5e:00:53:02

ip netns add "$LANNS"
ip -n "$LANNS" link set lo up
ip -n "$LANNS" link add br0 type bridge
ip -n "$LANNS" link set br0 up
ip netns exec "$LANNS" sysctl -qw net.ipv6.conf.br0.disable_ipv6=1
ip -n "$LANNS" addr add 192.168.200.1/24 dev br0
for h in h1:11 h2:12; do
	ip netns add "$FL_PFX-${h%:*}"
	ip -n "$FL_PFX-${h%:*}" link set lo up
	ip -n "$FL_PFX-${h%:*}" link add eth0 type veth peer name "p-${h%:*}" netns "$LANNS"
	ip -n "$LANNS" link set "p-${h%:*}" master br0 up
	ip -n "$FL_PFX-${h%:*}" addr add "192.168.200.${h#*:}/24" dev eth0
	ip -n "$FL_PFX-${h%:*}" link set eth0 up
done
# The conflict: h1 holds the address dnsmasq will offer a.
ip -n "$FL_PFX-h1" addr add 192.168.200.2/24 dev eth0
h1mac=$(n h1 cat /sys/class/net/eth0/address)

mkdir -p "$FL_TMP/srv"
fl_bg lan dnsmasq --no-daemon --conf-file=/dev/null --port=0 --user=root --group=root \
	--interface=br0 --bind-interfaces \
	--dhcp-range=192.168.200.100,192.168.200.149,255.255.255.0,2m --dhcp-host=$AMAC,192.168.200.2,2m \
	--dhcp-leasefile="$FL_TMP/srv/leases" --log-dhcp --log-facility="$FL_TMP/srv/log" \
	2>>"$FL_TMP/srv/stderr"
fl_wait 10 "dnsmasq on br0:67" sh -c "ip netns exec $LANNS ss -uln | grep -q ':67 '"

fl_net a
fl_conf a fenliu host:Subnet=192.168.200.0/24
d=$(fl_dir a)
mkdir -p "$d/interfaces"
printf 'Role = lan\nMACAddress = %s\nAddress = dhcp\n' "$AMAC" >"$d/interfaces/lan0"
cat >"$d/interfaces/lan0-up" <<EOF
#!/bin/sh
if [ -n "\$ADDRESS" ]; then echo "up \$ADDRESS" >>"$FL_TMP/scripts.log"; exit 0; fi
ip link set "\$INTERFACE" netns $LANNS 2>/dev/null || true
ip -n $LANNS link set "\$INTERFACE" master br0 up
EOF
chmod +x "$d/interfaces/lan0-up"
: >"$FL_TMP/scripts.log"
fl_start a
dstat() { fl_cli a dump stats | awk -v k="$1" '$1=="dhcp.lan0" && $2==k {print $3}'; }

fl_wait 30 "the conflict" grep -q "lan0: DHCP address 192.168.200.2 is in use by $h1mac: declined" "$d/log"
fl_wait 5 "dnsmasq's DECLINE" grep -q "DHCPDECLINE(br0) 192.168.200.2 " "$FL_TMP/srv/log"
[ "$(dstat conflicts)" = 1 ] || fl_fail "dump stats: conflicts is not 1"
grep -q "up 192.168.200.2" "$FL_TMP/scripts.log" && fl_fail "the declined address was applied"
fl_wait 40 "a lease after the DECLINE" grep -q "lan0: DHCP lease 192.168.200.1[0-4][0-9]/24 from" "$d/log"
addr=$(sed -n 's/.*lan0: DHCP lease \(192\.168\.200\.[0-9]*\)\/24 from.*/\1/p' "$d/log" | head -n 1)
fl_wait 10 "lan0-up with $addr" grep -q "up $addr" "$FL_TMP/scripts.log"
fl_wait 10 "h2 ping $addr" nq h2 ping -c 1 -W 1 "$addr"
n h2 ip neigh show "$addr" | grep -q "$AMAC" || fl_fail "h2 has not a's MAC for $addr"
echo "RESULT taprouter_dhcp_conflict declined=192.168.200.2 by=$h1mac then=$addr conflicts=$(dstat conflicts)"
exit 0
