#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# taprouter_nat: VPNNat and PortForward on fenliud's `lan` interface
# (issue 19 item 5). Topology of taprouter.sh, but hosts/a has NO Subnet
# for the LAN: only 192.168.192.210/32, the VPNNat address.
#
#   h1 192.168.200.11 ─┐                       (namespace "lan": bridge br0)
#   h2 192.168.200.12 ─┼─ br0 ─ lan0 [a: fenliud, 192.168.200.2/24,
#                      │        VPNNat 192.168.192.210]  ══ mesh ══  b
#                                                         (10.2.0.1, Subnet 10.2.0.0/16)
#
# b is fenliud (part 1), then stock tinc 1.1 (part 2, TINC11_DIR). b has
# no route to the LAN at all, only to 192.168.192.210, so every reply that
# reaches h1/h2 was de-aliased by a. Checks: h1 and h2 ping b; TCP and UDP
# servers on b report the source they saw (192.168.192.210) and echo each
# client's own message back to it, both hosts at once and from the same
# UDP source port; nft counters on b see only 192.168.192.210 and nothing
# from 192.168.200.0/24; PortForward tcp 8080 -> h1:80 and udp 5353 ->
# h2:53 reached from b, and from h2 through 192.168.192.210 (hairpin: h1
# sees the VPNNat address as the source); `fenliu dump nat` marks the mappings lan; a reload
# that drops the TCP forward closes it while the UDP one keeps working.
# Part 0 first: bad VPNNat/PortForward lines stop the start with FILE:LINE.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
fl_need_root
fl_need_tools ping nft python3 iperf3
fl_need_fenliu
fl_init

. "$(dirname "$0")/lib_vpnnat.sh"
B=$NAT_B

# nft counters on b: what source addresses reach it from the LAN side.
b_counters() {
	n b nft -f - <<-EOF
		table inet natcount {
			counter from_nat {}
			counter from_lan {}
			chain input {
				type filter hook input priority 0;
				ip saddr $NATADDR counter name "from_nat"
				ip saddr 192.168.200.0/24 counter name "from_lan"
			}
		}
	EOF
}
b_counter() {
	n b nft list counter inet natcount "$1" | awk '{for(i=1;i<NF;i++) if($i=="packets") print $(i+1)}'
}

vstat() { vn_stat "$1"; }
rss() { awk '/VmRSS/ {print $2}' "/proc/${FL_PID[$1]}/status"; }

# want TEXT PATTERN WHAT: TEXT matches PATTERN, else fail.
want() { grep -q -- "$2" <<<"$1" || fl_fail "$3: got '$1', want /$2/"; }

run() {
	local kind=$1 o1 o2 p1 p2 m1 m2 nat rss0 c0 pid1 pid2 srv=()
	fl_log "part: b is $kind"
	vn_setup "$kind" "tcp 8080 192.168.200.11:80" "udp 5353 192.168.200.12:53"
	b_counters
	rss0=$(rss a)
	fl_wait 20 "b's tinc-up ($B)" nq b sh -c "ip -4 addr show | grep -q ' $B/'"
	fl_bg b $PEER serve-tcp $B 7000 b; srv+=("$FL_LAST_BG")
	fl_bg b $PEER serve-udp $B 7001 b; srv+=("$FL_LAST_BG")
	fl_bg h1 $PEER serve-tcp 0.0.0.0 80 h1; srv+=("$FL_LAST_BG")
	fl_bg h2 $PEER serve-udp 0.0.0.0 53 h2; srv+=("$FL_LAST_BG")

	# Ping from both hosts across the mesh (b answers $NATADDR).
	for h in h1 h2; do
		fl_wait 30 "$h ping $B" nq "$h" ping -c 1 -W 1 "$B"
	done
	[ "$(b_counter from_nat)" -gt 0 ] || fl_fail "b counted nothing from $NATADDR"

	# TCP, both hosts at once: b saw the VPNNat address, each got its own answer.
	fl_wait 10 "TCP server on b" nq b sh -c "ss -ltn | grep -q ':7000 '"
	n h1 $PEER tcp $B 7000 from-h1 >"$FL_TMP/t1" 2>&1 & pid1=$!
	n h2 $PEER tcp $B 7000 from-h2 >"$FL_TMP/t2" 2>&1 & pid2=$!
	wait "$pid1" || fl_fail "h1 TCP to b: $(cat "$FL_TMP/t1")"
	wait "$pid2" || fl_fail "h2 TCP to b: $(cat "$FL_TMP/t2")"
	want "$(cat "$FL_TMP/t1")" "^b peer=$NATADDR:[0-9]* got=from-h1$" "h1 TCP"
	want "$(cat "$FL_TMP/t2")" "^b peer=$NATADDR:[0-9]* got=from-h2$" "h2 TCP"

	# UDP, both hosts at once from the same source port: two mappings,
	# replies de-aliased to the right host.
	n h1 $PEER udp $B 7001 from-h1 40000 >"$FL_TMP/u1" 2>&1 & pid1=$!
	n h2 $PEER udp $B 7001 from-h2 40000 >"$FL_TMP/u2" 2>&1 & pid2=$!
	wait "$pid1" || fl_fail "h1 UDP to b: $(cat "$FL_TMP/u1")"
	wait "$pid2" || fl_fail "h2 UDP to b: $(cat "$FL_TMP/u2")"
	o1=$(cat "$FL_TMP/u1")
	o2=$(cat "$FL_TMP/u2")
	want "$o1" "^b peer=$NATADDR:[0-9]* got=from-h1$" "h1 UDP"
	want "$o2" "^b peer=$NATADDR:[0-9]* got=from-h2$" "h2 UDP"
	p1=${o1#*peer=$NATADDR:}; p1=${p1%% *}
	p2=${o2#*peer=$NATADDR:}; p2=${p2%% *}
	[ "$p1" != "$p2" ] || fl_fail "h1 and h2 share external port $p1"
	[ "$(b_counter from_lan)" -eq 0 ] || fl_fail "b saw LAN source addresses: $(b_counter from_lan) packets"
	# Bulk TCP both ways through the NAT (with TAP offload: bursts cut into
	# frames on the way in, merged on the way out, all translated).
	fl_bg b sh -c "exec iperf3 -s -B $B -p 5201 >/dev/null 2>&1"; srv+=("$FL_LAST_BG")
	fl_wait 10 "iperf3 server on b" nq b sh -c "ss -ltn | grep -q ':5201 '"
	o1=$(n h1 iperf3 -c $B -t 1 -f m 2>&1) || fl_fail "iperf3 h1 -> b: $o1"
	o2=$(n h2 iperf3 -c $B -t 1 -f m -R 2>&1) || fl_fail "iperf3 b -> h2: $o2"
	m1=$(awk '/receiver/ {print $(NF-2)}' <<<"$o1")
	m2=$(awk '/receiver/ {print $(NF-2)}' <<<"$o2")
	awk -v a="$m1" -v b="$m2" 'BEGIN { exit !(a > 1 && b > 1) }' || fl_fail "iperf3 through the NAT: $m1 / $m2 Mbit/s"
	echo "RESULT taprouter_nat_$kind tcp_bulk_up_mbit=$m1 tcp_bulk_down_mbit=$m2"
	echo "RESULT taprouter_nat_$kind ping=ok tcp=ok udp=ok b_saw=$NATADDR from_nat=$(b_counter from_nat) from_lan=$(b_counter from_lan) udp_ports=$p1,$p2"

	# Port forwards, reached from b.
	o1=$(n b $PEER tcp $NATADDR 8080 from-b 2>&1) || fl_fail "b -> $NATADDR:8080: $o1"
	want "$o1" "^h1 peer=[0-9.]*:[0-9]* got=from-b$" "TCP forward to h1:80"
	o2=$(n b $PEER udp $NATADDR 5353 from-b 2>&1) || fl_fail "b -> $NATADDR:5353 (udp): $o2"
	want "$o2" "^h2 peer=[0-9.]*:[0-9]* got=from-b$" "UDP forward to h2:53"
	# A LAN host using the forward through the VPNNat address (hairpin).
	o1=$(n h2 $PEER tcp $NATADDR 8080 from-h2 2>&1) || fl_fail "h2 -> $NATADDR:8080 (hairpin): $o1"
	want "$o1" "^h1 peer=$NATADDR:[0-9]* got=from-h2$" "hairpin h2 -> forward -> h1:80"
	[ "$(vstat out_hairpin)" -gt 0 ] || fl_fail "vpnnat out_hairpin did not count"
	nat=$(fl_cli a dump nat) || fl_fail "dump nat failed"
	want "$nat" "^lan lan0 tcp 192.168.200.11:80 $NATADDR:8080 " "dump nat: TCP forward mapping"
	want "$nat" "^lan lan0 udp 192.168.200.12:53 $NATADDR:5353 " "dump nat: UDP forward mapping"
	want "$nat" "^lan lan0 active [1-9]" "dump nat: counters"
	[ "$(vstat out_translated)" -gt 0 ] && [ "$(vstat in_translated)" -gt 0 ] ||
		fl_fail "vpnnat counters: $(fl_cli a dump stats | grep vpnnat)"
	echo "RESULT taprouter_nat_$kind forward_tcp=ok forward_udp=ok hairpin=ok out_translated=$(vstat out_translated) in_translated=$(vstat in_translated) in_dropped=$(vstat in_dropped)"

	# A reload without the TCP forward closes it; the UDP one stays.
	vn_a_iface "udp 5353 192.168.200.12:53"
	c0=$(vstat in_dropped)
	fl_cli a reload >/dev/null || fl_fail "reload failed"
	fl_wait 10 "TCP forward gone after reload" \
		sh -c "! ip netns exec $FL_PFX-b $PEER tcp $NATADDR 8080 again >/dev/null 2>&1"
	[ "$(vstat in_dropped)" -gt "$c0" ] || fl_fail "a dropped nothing to the removed forward"
	o2=$(n b $PEER udp $NATADDR 5353 again 2>&1) || fl_fail "UDP forward after reload: $o2"
	want "$o2" "^h2 peer=.* got=again$" "UDP forward after reload"
	echo "RESULT taprouter_nat_$kind reload_forward_closed=ok rss_before_kb=$rss0 rss_after_kb=$(rss a)"
	kill "${srv[@]}" 2>/dev/null || true
	fl_reset
}

gone() { ! kill -0 "$1" 2>/dev/null; }

# refused WHAT LINE PATTERN FORWARDS...: fenliud with this interfaces/lan0
# (VPNNat line 3, forwards from line 4) must refuse to start, naming
# interfaces/lan0:LINE and PATTERN.
refused() {
	local what=$1 line=$2 pat=$3 d i
	shift 3
	vn_a_iface "$@"
	d=$(fl_dir a)
	: >"$d/log"
	n a "$FENLIU_BUILD/src/daemon/fenliud" -c "$d" -D -d 1 --pidfile="$d/pid" --logfile="$d/log" \
		</dev/null >>"$d/stdout" 2>>"$d/stderr" &
	FL_PIDS+=("$!")
	i=$!
	fl_wait 20 "fenliud to refuse $what" gone "$i"
	wait "$i" && fl_fail "fenliud started with $what"
	grep -q "interfaces/lan0:$line: .*$pat" "$d/log" "$d/stderr" ||
		fl_fail "$what: no 'interfaces/lan0:$line: ... $pat' in the log: $(tail -n 5 "$d/log")"
}

# Part 0: configuration mistakes stop the start with FILE:LINE.
fl_net a
vn_lan_net
fl_conf a fenliu host:Subnet=$NATADDR/32
refused "a LAN host off the prefix" 4 "not inside the interface's" "tcp 8080 192.168.201.11:80"
refused "a forward to our own address" 5 "own address" "udp 1 192.168.200.11:1" "tcp 2 192.168.200.2:2"
sed -i "s/^Subnet = $NATADDR.*/Subnet = 10.99.0.0\/16/" "$(fl_dir a)/hosts/a"
refused "VPNNat outside our Subnets" 3 "not inside one of our Subnets"
echo "RESULT taprouter_nat config_errors=ok"
fl_reset

run fenliu
if [ -n "${TINC11_DIR:-}" ] && [ -x "$TINC11_DIR/tincd" ]; then
	run tinc
else
	fl_log "part 2 skipped: no stock tinc 1.1 (TINC11_DIR)"
fi
exit 0
