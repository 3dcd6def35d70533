#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Fault scenario (issue 19, Address = dhcp in fenliud): a rogue host on
# the LAN floods DHCP-port broadcasts (tools/dhcpflood.py: random payloads,
# OFFERs and ACKs for other transactions, NAKs for other transactions to
# our MAC, cut-short options, bad UDP checksums) at fenliud's lan TAP
# while it holds a lease from dnsmasq and renews it (T1 5 s), and h1
# pings b across the mesh through it. dhcp_rogue.sh does the same to the
# client core alone (tools/dhcp_probe); this is the daemon with its TAP.
#
#   lan: bridge br0 with dnsmasq on .1; h1 .11; rogue .3; a's TAP lan0
#   (Address = dhcp, reserved .2); a ══ mesh ══ b (203.0.113.2)
#
# Pass: the lease is kept (no loss, no NAK taken, the same address) and
# renewed at least 2 (short) or 10 (full) times during the flood, at
# least 90% of the flood messages sent are counted by fenliud (dhcp.lan0
# rx_bad + dropped), h1's pings to b lose at most 1%, and a's VmRSS grows
# by at most 2 MB. The flood runs at 2,000/s for 12 s, or 60 s with
# FL_FAULTS_FULL=1. Stock tinc has no DHCP client (FL_FORCE_KIND=tinc skips).
set -euo pipefail
. "$(dirname "$0")/lib_faults.sh"
fl_need_root
fl_need_tools dnsmasq python3 ping
[ "$FF_KIND" = fenliu ] || fl_skip "stock tinc has no DHCP client to compare"
fl_need_fenliu
fl_init

SECS=$(ff_pick 12 60)
RENEWALS=$(ff_pick 2 10)
RATE=${FL_DHCPFLOOD_RATE:-2000}
LANNS=$FL_PFX-lan
AMAC=02:00:5e:00:53:02
GW=192.168.200.2
B4=203.0.113.2

lan_net() {
	local h
	ip netns add "$LANNS"
	ip -n "$LANNS" link set lo up
	ip -n "$LANNS" link add br0 type bridge
	ip -n "$LANNS" link set br0 up
	ip netns exec "$LANNS" sysctl -qw net.ipv6.conf.br0.disable_ipv6=1
	ip -n "$LANNS" addr add 192.168.200.1/24 dev br0
	for h in h1:11 rogue:3; do
		ip netns add "$FL_PFX-${h%:*}"
		ip -n "$FL_PFX-${h%:*}" link set lo up
		ip -n "$FL_PFX-${h%:*}" link add eth0 type veth peer name "p-${h%:*}" netns "$LANNS"
		ip -n "$LANNS" link set "p-${h%:*}" master br0 up
		ip -n "$FL_PFX-${h%:*}" addr add "192.168.200.${h#*:}/24" dev eth0
		ip -n "$FL_PFX-${h%:*}" link set eth0 up
		ip -n "$FL_PFX-${h%:*}" route add default via $GW
	done
}

a_conf() {
	local d
	d=$(fl_dir a)
	mkdir -p "$d/interfaces"
	printf 'Role = lan\nMACAddress = %s\nAddress = dhcp\n' "$AMAC" >"$d/interfaces/lan0"
	cat >"$d/interfaces/lan0-up" <<-EOF
		#!/bin/sh
		[ -z "\$ADDRESS" ] || exit 0
		ip link set "\$INTERFACE" netns $LANNS 2>/dev/null || true
		ip -n $LANNS link set "\$INTERFACE" master br0 up
	EOF
	chmod +x "$d/interfaces/lan0-up"
	echo 'ip route add 192.168.200.0/24 dev "$INTERFACE"' >>"$(fl_dir b)/tinc-up"
}

dstat() { fl_cli a dump stats | awk -v k="$1" '$1=="dhcp.lan0" && $2==k {print $3}'; }

fl_net a b
lan_net
mkdir -p "$FL_TMP/srv"
fl_bg lan dnsmasq --no-daemon --conf-file=/dev/null --port=0 --user=root --group=root \
	--interface=br0 --bind-interfaces \
	--dhcp-range=192.168.200.100,192.168.200.149,255.255.255.0,2m --dhcp-host=$AMAC,$GW,2m \
	--dhcp-option=option:router,192.168.200.1 --dhcp-option=option:T1,5 \
	--dhcp-option=option:T2,9 --dhcp-leasefile="$FL_TMP/srv/leases" --log-dhcp \
	--log-facility="$FL_TMP/srv/log" 2>>"$FL_TMP/srv/stderr"
fl_wait 10 "dnsmasq on br0:67" sh -c "ip netns exec $LANNS ss -uln | grep -q ':67 '"
fl_conf a fenliu host:Subnet=192.168.200.0/24
fl_conf b fenliu
a_conf
fl_exchange a b
fl_connect a b
fl_start a
fl_start b
fl_wait 30 "a's DHCP lease" grep -q "lan0: DHCP lease $GW/24 from" "$(fl_dir a)/log"
fl_wait 30 "h1 reaches b through a" nq h1 ping -c 1 -W 1 $B4
rss0=$(ff_rss a)
renewed0=$(dstat renewed)

fl_log "lease $GW; flooding ${SECS}s at ${RATE}/s while h1 pings b"
ip netns exec "$FL_PFX-h1" ping -q -c $((SECS * 5)) -i 0.2 -W 2 $B4 >"$FL_TMP/ping" 2>&1 &
pinger=$!
FL_PIDS+=("$pinger")
flood=$(n rogue python3 "$FF_DIR/tools/dhcpflood.py" --dev eth0 --src 192.168.200.3 \
	--chaddr "$AMAC" --rate "$RATE" --secs "$SECS") || fl_fail "flood tool failed: $flood"
sent=${flood#sent=}
wait "$pinger" || true
ff_alive a || fl_fail "a died under the flood"
renewals=$(($(dstat renewed) - renewed0))
rss1=$(ff_rss a)
counted=$(($(dstat rx_bad) + $(dstat dropped)))
loss=$(ff_loss "$FL_TMP/ping")
fl_log "sent=$sent counted=$counted renewals=$renewals loss=$loss rss $rss0 -> $rss1 kB"
[ "$(dstat lost)" = 0 ] || fl_fail "the lease was lost under the flood"
[ "$(dstat naks)" = 0 ] || fl_fail "a rogue NAK was taken"
[ "$(dstat bound)" = 1 ] || fl_fail "bound again under the flood (bound=$(dstat bound))"
[ "$renewals" -ge "$RENEWALS" ] || fl_fail "$renewals renewals during the flood, not $RENEWALS"
[ $((counted * 100)) -ge $((sent * 90)) ] || fl_fail "counted $counted of $sent flood messages"
lossint=${loss%\%}
[ -n "$lossint" ] && [ "${lossint%%.*}" -le 1 ] || fl_fail "h1 -> b lost '$loss'"
n h1 ping -c 1 -W 1 $GW >/dev/null || fl_fail "h1: $GW not answered after the flood"
[ "$rss1" -le $((rss0 + 2048)) ] || fl_fail "a's VmRSS grew from $rss0 to $rss1 kB"
ff_result taprouter_dhcp_rogue sent="$sent" counted="$counted" rx_bad="$(dstat rx_bad)" \
	dropped="$(dstat dropped)" renewals="$renewals" naks_taken=0 loss="$loss" \
	rss_before_kb="$rss0" rss_after_kb="$rss1"
exit 0
