#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# taprouter_dhcp: `Address = dhcp` on fenliud's lan TAP (issue 19 item 3)
# against Debian's dnsmasq. The team topology (tests/e2e/taprouter.sh):
#
#   h1 192.168.200.11 ─┐          (namespace "lan": bridge br0, dnsmasq on
#   h2 192.168.200.12 ─┼─ br0 ─ lan0 [a: fenliud]  ══ mesh ══  b (fenliud,
#   dnsmasq .1 on br0 ─┘                                       203.0.113.2)
#
# dnsmasq serves 192.168.200.0/24 with 2-minute leases (its minimum), T1
# 10 s and T2 20 s so renewals come quickly, and holds 192.168.200.2 for
# a's MAC (the gateway h1 and h2 use). interfaces/lan0 has no static
# address, only `Address = dhcp`. Checks:
#  1. a has no address until the lease: then the log line, `dump stats`
#     dhcp.lan0 bound=1, and lan0-up saw ADDRESS PREFIXLEN ROUTER DNS LEASE;
#  2. h1 pings 192.168.200.2 and fenliud's echo counter proves it answered;
#  3. a renewal at T1 (a second DHCPACK, renewed >= 1), the address kept;
#  4. `fenliu reload` keeps the lease: no new DISCOVER in dnsmasq's log, no
#     second lan0-up, and the next renewal still comes;
#  5. h1 and h2 reach b across the mesh through a;
#  6. a restart (SIGTERM, start again) asks for the saved lease by
#     INIT-REBOOT: a REQUEST and no DISCOVER in dnsmasq's log.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
fl_need_root
fl_need_tools ping dnsmasq
fl_need_fenliu
fl_init

B4=203.0.113.2
LANNS=$FL_PFX-lan
AMAC=02:00:5e:00:53:02
GW=192.168.200.2

# lan_net: the "lan" namespace with its bridge, dnsmasq's address on it,
# and h1/h2 on it (static addresses, gateway a's leased address).
lan_net() {
	local h i
	ip netns add "$LANNS"
	ip -n "$LANNS" link set lo up
	ip -n "$LANNS" link add br0 type bridge
	ip -n "$LANNS" link set br0 up
	ip netns exec "$LANNS" sysctl -qw net.ipv6.conf.br0.disable_ipv6=1
	ip -n "$LANNS" addr add 192.168.200.1/24 dev br0
	for h in h1 h2; do
		i=$([ "$h" = h1 ] && echo 11 || echo 12)
		ip netns add "$FL_PFX-$h"
		ip -n "$FL_PFX-$h" link set lo up
		ip -n "$FL_PFX-$h" link add eth0 type veth peer name "p-$h" netns "$LANNS"
		ip -n "$LANNS" link set "p-$h" master br0 up
		ip -n "$FL_PFX-$h" addr add "192.168.200.$i/24" dev eth0
		ip -n "$FL_PFX-$h" link set eth0 up
		ip -n "$FL_PFX-$h" route add default via $GW
	done
}

dnsmasq_start() {
	mkdir -p "$FL_TMP/srv"
	fl_bg lan dnsmasq --no-daemon --conf-file=/dev/null --port=0 --user=root --group=root \
		--interface=br0 --bind-interfaces \
		--dhcp-range=192.168.200.100,192.168.200.149,255.255.255.0,2m \
		--dhcp-host=$AMAC,$GW,2m \
		--dhcp-option=option:router,192.168.200.1 \
		--dhcp-option=option:dns-server,192.168.200.53,192.0.2.53 \
		--dhcp-option=option:T1,10 --dhcp-option=option:T2,20 \
		--dhcp-leasefile="$FL_TMP/srv/leases" --log-dhcp --log-facility="$FL_TMP/srv/log" \
		2>>"$FL_TMP/srv/stderr"
	fl_wait 10 "dnsmasq on br0:67" sh -c "ip netns exec $LANNS ss -uln | grep -q ':67 '"
}

# a's interfaces/lan0: DHCP only. lan0-up runs when the TAP comes up
# (ADDRESS empty: bridge it) and again for each new lease (log it).
a_conf() {
	local d
	d=$(fl_dir a)
	mkdir -p "$d/interfaces"
	cat >"$d/interfaces/lan0" <<-EOF
		Role = lan
		MACAddress = $AMAC
		Address = dhcp
	EOF
	cat >"$d/interfaces/lan0-up" <<-EOF
		#!/bin/sh
		if [ -n "\$ADDRESS" ]; then
			echo "up \$INTERFACE \$ROLE ADDRESS=\$ADDRESS PREFIXLEN=\$PREFIXLEN ROUTER=\$ROUTER DNS=\$DNS LEASE=\$LEASE" >>"$FL_TMP/scripts.log"
			exit 0
		fi
		ip link set "\$INTERFACE" netns $LANNS 2>/dev/null || true
		ip -n $LANNS link set "\$INTERFACE" master br0 up
	EOF
	cat >"$d/interfaces/lan0-down" <<-EOF
		#!/bin/sh
		echo "down \$INTERFACE ADDRESS=\$ADDRESS" >>"$FL_TMP/scripts.log"
	EOF
	chmod +x "$d/interfaces/lan0-up" "$d/interfaces/lan0-down"
}

b_routes() {
	cat >>"$(fl_dir b)/tinc-up" <<-EOF
		ip route add 192.168.200.0/24 dev "\$INTERFACE"
	EOF
}

dstat() { # SCOPE NAME: one of a's `dump stats` counters
	fl_cli a dump stats | awk -v s="$1" -v k="$2" '$1==s && $2==k {print $3}'
}
rss() { awk '/VmRSS/ {print $2}' "/proc/${FL_PID[a]}/status"; }
count() { grep -c "$1" "$FL_TMP/srv/log" || true; }

fl_net a b
lan_net
dnsmasq_start
fl_conf a fenliu host:Subnet=192.168.200.0/24
fl_conf b fenliu
b_routes
a_conf
fl_exchange a b
fl_connect a b
: >"$FL_TMP/scripts.log"
fl_start a
fl_start b
rss0=$(rss)

fl_log "1: the lease"
fl_wait 30 "a's DHCP lease" grep -q "lan0: DHCP lease $GW/24 from 192.168.200.1 for 120 s" \
	"$(fl_dir a)/log"
fl_wait 10 "lan0-up with the lease" grep -q "^up " "$FL_TMP/scripts.log"
up=$(grep "^up " "$FL_TMP/scripts.log")
want="up lan0 lan ADDRESS=$GW PREFIXLEN=24 ROUTER=192.168.200.1 DNS=192.168.200.53 192.0.2.53 LEASE=120"
[ "$up" = "$want" ] || fl_fail "lan0-up saw '$up', not '$want'"
[ "$(dstat dhcp.lan0 bound)" = 1 ] || fl_fail "dump stats: dhcp.lan0 bound is not 1"
[ "$(count 'DHCPDISCOVER(br0)')" = 1 ] || fl_fail "not one DISCOVER: $(cat "$FL_TMP/srv/log")"

fl_log "2: h1 pings the leased address"
echo0=$(dstat lan.lan0 icmp_echo)
fl_wait 20 "h1 ping $GW" nq h1 ping -c 1 -W 1 $GW
n h1 ping -c 3 -i 0.2 -W 1 $GW >/dev/null || fl_fail "h1: pings to $GW lost"
echo1=$(dstat lan.lan0 icmp_echo)
[ "$echo1" -ge $((echo0 + 4)) ] || fl_fail "echo replies not counted by fenliud: $echo0 -> $echo1"

fl_log "3: renewal at T1"
acks_over() { [ "$(count "DHCPACK(br0) $GW ")" -gt "$1" ]; }
renewed_over() { [ "$(dstat dhcp.lan0 renewed)" -gt "$1" ]; }
fl_wait 30 "a renewal" acks_over 1
fl_wait 5 "the renewal counted" renewed_over 0
grep -q "lan0: DHCP lease $GW/24 renewed from 192.168.200.1" "$(fl_dir a)/log" ||
	fl_fail "no renewal log line"
n h1 ping -c 1 -W 1 $GW >/dev/null || fl_fail "h1: $GW gone after the renewal"
[ "$(grep -c '^up ' "$FL_TMP/scripts.log")" = 1 ] || fl_fail "an unchanged renewal ran lan0-up again"

fl_log "4: reload keeps the lease"
acks=$(count "DHCPACK(br0) $GW ")
fl_cli a reload || fl_fail "a: reload failed"
renewed=$(dstat dhcp.lan0 renewed)
fl_wait 30 "a renewal after the reload" acks_over "$acks"
fl_wait 5 "the renewal counted" renewed_over "$renewed"
[ "$(count 'DHCPDISCOVER(br0)')" = 1 ] || fl_fail "reload started over with a DISCOVER"
[ "$(grep -c '^up ' "$FL_TMP/scripts.log")" = 1 ] || fl_fail "reload ran lan0-up again"
grep -q "^down " "$FL_TMP/scripts.log" && fl_fail "reload ran lan0-down"
[ "$(dstat dhcp.lan0 bound)" = 1 ] || fl_fail "reload: bound is not 1"
n h1 ping -c 1 -W 1 $GW >/dev/null || fl_fail "h1: $GW gone after the reload"

fl_log "5: h1 and h2 reach b through a"
fl_wait 30 "a reaches b" fl_reachable a b
for h in h1 h2; do
	fl_wait 30 "$h ping $B4" nq "$h" ping -c 1 -W 1 "$B4"
done
rss1=$(rss)
renewals=$(dstat dhcp.lan0 renewed)

fl_log "6: restart: INIT-REBOOT with the saved lease"
reqs=$(count "DHCPREQUEST(br0) $GW ")
fl_stop a || fl_fail "a did not stop cleanly"
grep -q "^down lan0 ADDRESS=$GW" "$FL_TMP/scripts.log" && fl_fail "a stop ran lan0-down for the lease"
: >"$(fl_dir a)/log"
fl_start a
fl_wait 30 "a's lease again" grep -q "lan0: DHCP lease $GW/24 from 192.168.200.1" "$(fl_dir a)/log"
grep -q "lan0: DHCP asking again for saved lease $GW" "$(fl_dir a)/log" ||
	fl_fail "the restart did not use the saved lease"
[ "$(count 'DHCPDISCOVER(br0)')" = 1 ] || fl_fail "the restart sent a DISCOVER"
[ "$(count "DHCPREQUEST(br0) $GW ")" -gt "$reqs" ] || fl_fail "no REQUEST after the restart"
[ "$(dstat dhcp.lan0 restored)" = 1 ] || fl_fail "dump stats: restored is not 1"
fl_wait 20 "h1 ping $GW after the restart" nq h1 ping -c 1 -W 1 $GW

echo "RESULT taprouter_dhcp lease=$GW/24 discovers=$(count 'DHCPDISCOVER(br0)') acks=$(count "DHCPACK(br0) $GW ") renewed=$renewals reload=kept restart=init-reboot rss_before_kb=$rss0 rss_after_kb=$rss1"
fl_log "ok"
exit 0
