#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# dhcp_core: the pure DHCP client core (src/l2/dhcp_client) against Debian's
# dnsmasq, through tools/dhcp_probe (raw AF_PACKET I/O on a veth, as fenliud
# will do on a LAN TAP). Namespaces `srv` (dnsmasq on 192.0.2.1) and `cli`
# (no address until the lease gives one) on the lib's hub bridge.
#  1. DISCOVER/OFFER/REQUEST/ACK: a lease inside dnsmasq's range, with the
#     router and DNS options; renewed at T1 (dnsmasq sends T1=8 s) by a
#     unicast REQUEST, which dnsmasq ACKs.
#  2. DECLINE (as if ARP found the address taken): after 10 s a new
#     DISCOVER, and dnsmasq offers a different address.
#  3. The lease saved, dnsmasq restarted on 198.51.100.0/24: INIT-REBOOT
#     for the old address gets a NAK, the address is lost, and a new
#     DISCOVER gets a lease in the new range.
#  4. Two clients (cli, cli2) asking for broadcast replies at once: each
#     gets its own address and drops the other's replies (other xid), and
#     RELEASE gives the leases back.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
fl_need_root
fl_need_tools dnsmasq
probe=$FENLIU_BUILD/tools/dhcp_probe
[ -x "$probe" ] || fl_skip "tools/dhcp_probe not built in $FENLIU_BUILD"
fl_init
fl_net srv cli cli2
ip -n "$FL_PFX-cli" addr flush dev eth0
ip -n "$FL_PFX-cli2" addr flush dev eth0

# start_dnsmasq NET: serve NET.100-149 from NET.1 (2 min leases, dnsmasq's
# minimum, with T1 8 s and T2 14 s so a renewal comes quickly).
dnsmasq_pid=
start_dnsmasq() {
	local net=$1
	if [ -n "$dnsmasq_pid" ]; then
		kill "$dnsmasq_pid" 2>/dev/null || true
		wait "$dnsmasq_pid" 2>/dev/null || true
	fi
	ip -n "$FL_PFX-srv" addr flush dev eth0
	ip -n "$FL_PFX-srv" addr add "$net.1/24" dev eth0
	fl_bg srv dnsmasq --no-daemon --conf-file=/dev/null --port=0 --user=root --group=root \
		--interface=eth0 --bind-interfaces --dhcp-range="$net.100,$net.149,255.255.255.0,2m" \
		--dhcp-option=option:router,"$net.1" --dhcp-option=option:dns-server,"$net.53" \
		--dhcp-option=option:T1,8 --dhcp-option=option:T2,14 \
		--dhcp-leasefile="$FL_TMP/leases" --log-dhcp --log-facility="$FL_TMP/srv/log"
	dnsmasq_pid=$FL_LAST_BG
	fl_wait 10 "dnsmasq on $net.1:67" \
		sh -c "ip netns exec $FL_PFX-srv ss -uln | grep -q '$net.1:67\|0.0.0.0%eth0:67\|\*%eth0:67'"
}
mkdir -p "$FL_TMP/srv" "$FL_TMP/cli"

# The interface script: what fenliud's per-interface script will be given.
cat >"$FL_TMP/hook" <<EOF
#!/bin/sh
echo "\$1 \$DHCP_ADDR/\$DHCP_PREFIX router=\$DHCP_ROUTER dns=\$DHCP_DNS old=\$DHCP_OLD_ADDR" >>"$FL_TMP/cli/hook.log"
[ -z "\$DHCP_OLD_ADDR" ] || [ "\$DHCP_OLD_ADDR" = "\$DHCP_ADDR" ] ||
	ip addr del "\$DHCP_OLD_ADDR/\$DHCP_OLD_PREFIX" dev eth0
[ -z "\$DHCP_ADDR" ] || ip addr replace "\$DHCP_ADDR/\$DHCP_PREFIX" dev eth0
EOF
chmod +x "$FL_TMP/hook"
probe() { # output file, args...
	local out=$1; shift
	n cli "$probe" eth0 --hook "$FL_TMP/hook" "$@" >"$out" 2>>"$FL_TMP/cli/stderr" ||
		fl_fail "dhcp_probe $* failed: $(tail -n 3 "$FL_TMP/cli/stderr" | tr '\n' ' ')"
}
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" | head -n 1; }

start_dnsmasq 192.0.2
fl_log "1: lease and renewal at T1"
probe "$FL_TMP/run1" --until renewed --timeout 60 --save "$FL_TMP/lease.bin"
cat "$FL_TMP/run1" >&2
bound=$(grep '^EVENT bound ' "$FL_TMP/run1") || fl_fail "no lease: $(cat "$FL_TMP/run1")"
renewed=$(grep '^EVENT renewed ' "$FL_TMP/run1") || fl_fail "no renewal"
addr1=$(echo "$bound" | field addr)
case $addr1 in 192.0.2.1[0-4][0-9]/24) ;; *) fl_fail "address $addr1 not in dnsmasq's range /24" ;; esac
[ "$(echo "$bound" | field router)" = 192.0.2.1 ] || fl_fail "router option: $bound"
[ "$(echo "$bound" | field dns)" = 192.0.2.53 ] || fl_fail "DNS option: $bound"
[ "$(echo "$bound" | field t1)" = 8 ] || fl_fail "T1 from the server: $bound"
[ "$(echo "$renewed" | field addr)" = "$addr1" ] || fl_fail "renewed another address: $renewed"
# The renewal comes at T1 (8 s after the REQUEST), not before and not much later.
b_ms=$(echo "$bound" | field at_ms); r_ms=$(echo "$renewed" | field at_ms)
[ $((r_ms - b_ms)) -ge 7000 ] && [ $((r_ms - b_ms)) -le 14000 ] ||
	fl_fail "renewal $((r_ms - b_ms)) ms after the lease, T1 is 8 s"
# dnsmasq saw the renewal as a REQUEST from our address (RENEWING: ciaddr
# set, unicast), and the hook put the address on the interface.
grep -q "DHCPREQUEST(eth0) ${addr1%/*} " "$FL_TMP/srv/log" || fl_fail "dnsmasq logged no renewal REQUEST"
[ "$(grep -c "DHCPACK(eth0) ${addr1%/*} " "$FL_TMP/srv/log")" -ge 2 ] || fl_fail "dnsmasq sent fewer than 2 ACKs"
n cli ip -4 addr show dev eth0 | grep -q "inet $addr1 " || fl_fail "hook did not configure $addr1"
fl_log "lease $addr1, renewed after $((r_ms - b_ms)) ms"

fl_log "2: DECLINE, then a different address"
probe "$FL_TMP/run2" --decline-first --until bound --timeout 40
cat "$FL_TMP/run2" >&2
declined=$(grep '^EVENT declined ' "$FL_TMP/run2" | field addr) || true
bound2=$(grep '^EVENT bound ' "$FL_TMP/run2") || fl_fail "no lease after DECLINE"
[ -n "$declined" ] || fl_fail "nothing declined"
grep -q "DHCPDECLINE(eth0) ${declined%/*} " "$FL_TMP/srv/log" || fl_fail "dnsmasq saw no DECLINE"
[ "$(echo "$bound2" | field addr)" != "$declined" ] || fl_fail "the declined address came back"
d_ms=$(echo "$bound2" | field at_ms)
[ "$d_ms" -ge 10000 ] || fl_fail "DISCOVER after DECLINE came ${d_ms} ms later, before 10 s"

fl_log "3: INIT-REBOOT after the network changed: NAK, then a new lease"
start_dnsmasq 198.51.100
probe "$FL_TMP/run3" --restore "$FL_TMP/lease.bin" --until bound --timeout 40
cat "$FL_TMP/run3" >&2
grep -q "DHCPNAK(eth0) ${addr1%/*} " "$FL_TMP/srv/log" || fl_fail "dnsmasq sent no NAK for $addr1"
[ "$(sed -n 1p "$FL_TMP/run3" | cut -d' ' -f2)" = lost ] || fl_fail "first event not 'lost': $(cat "$FL_TMP/run3")"
addr3=$(grep '^EVENT bound ' "$FL_TMP/run3" | field addr)
case $addr3 in 198.51.100.1[0-4][0-9]/24) ;; *) fl_fail "new lease $addr3 not in 198.51.100.100-149" ;; esac
grep -q "^lost /0" "$FL_TMP/cli/hook.log" || fl_fail "hook not told the address was lost"
n cli ip -4 addr show dev eth0 | grep -q "inet ${addr1%/*}/" && fl_fail "old address still configured"

fl_log "4: two clients with broadcast replies, then RELEASE"
# cli2 is new to dnsmasq (which pings its address for 3 s before the
# OFFER); cli, which dnsmasq knows, starts once cli2 is selecting, so each
# is waiting while the other's broadcast replies go by.
start4() {
	n "$1" "$probe" eth0 --hook "$FL_TMP/hook" --broadcast --release --until renewed \
		--timeout 40 >"$FL_TMP/run4-$1" 2>"$FL_TMP/$1.err4" &
	FL_PIDS+=("$!")
	eval "pid_$1=\$!"
}
start4 cli2
fl_wait 10 "cli2's DISCOVER" grep -q 'selecting: send' "$FL_TMP/cli2.err4"
start4 cli
wait "$pid_cli" || fl_fail "client cli failed: $(tail -n 3 "$FL_TMP/cli.err4" | tr '\n' ' ')"
wait "$pid_cli2" || fl_fail "client cli2 failed: $(tail -n 3 "$FL_TMP/cli2.err4" | tr '\n' ' ')"
cat "$FL_TMP/run4-cli" "$FL_TMP/run4-cli2" >&2
a=$(grep '^EVENT bound ' "$FL_TMP/run4-cli" | field addr)
b=$(grep '^EVENT bound ' "$FL_TMP/run4-cli2" | field addr)
[ -n "$a" ] && [ -n "$b" ] && [ "$a" != "$b" ] || fl_fail "two clients, addresses '$a' and '$b'"
for c in cli cli2; do
	x=$(grep '^DROPS ' "$FL_TMP/run4-$c" | field xid)
	[ "${x:-0}" -ge 1 ] || fl_fail "$c saw none of the other client's broadcast replies"
	grep -q '^DROPS parse=0 ' "$FL_TMP/run4-$c" || fl_fail "$c could not parse dnsmasq's reply"
done
grep -q "DHCPRELEASE(eth0) ${a%/*} " "$FL_TMP/srv/log" || fl_fail "dnsmasq saw no RELEASE of $a"
grep -q "DHCPRELEASE(eth0) ${b%/*} " "$FL_TMP/srv/log" || fl_fail "dnsmasq saw no RELEASE of $b"

fl_log "ok: $addr1 renewed at T1, declined $declined, NAK then $addr3, two clients $a $b"
echo "RESULT dhcp_core lease=$addr1 renew_ms=$((r_ms - b_ms)) declined=$declined reboot_nak_then=$addr3 two_clients=$a,$b"
