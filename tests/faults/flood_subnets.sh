#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Fault scenario (issue 22 item 1): an authenticated peer announces N
# subnets at line rate; the good tunnel must not notice.
#
#   x: a stock tincd whose own host file lists N `Subnet =` lines (3/4 /32s
#      from 198.18.0.0/15, 1/4 /128s from 2001:db8:ffff::/48): on connecting
#      to b it sends N ADD_SUBNET as fast as TCP takes them; b forwards
#      them all to a.
#   a, b: the good nodes (a dials b), fenliud; a pings b through the tunnel
#      every 10 ms during the whole attack.
#
# Measured: ping loss from x's start until both a and b show all N
# subnets; then x is killed and a pings b for 5 s more: the longest time
# without a reply after the kill is the recovery time. VmRSS of
# each fenliud before and after. The fenliud run must lose at most
# FL_FLOOD_MAX_LOSS % (default 2) and recover within 1 s.
# N = 10000 by default; FL_FAULTS_FULL=1: N = 100000 and the same run with
# stock tincd as a and b for comparison (fenliud may lose at most 1 point
# more than tinc did). FL_FLOOD_GOOD_KIND=tinc runs only the tinc variant.
set -euo pipefail
. "$(dirname "$0")/lib_faults.sh"
fl_need_root
fl_need_tools ping awk
fl_need_fenliu
fl_need_tinc
fl_init

N=${FL_FLOOD_N:-10000}
KINDS=${FL_FLOOD_GOOD_KIND:-fenliu}
if [ -n "${FL_FAULTS_FULL:-}" ]; then
	N=${FL_FLOOD_N:-100000}
	KINDS=${FL_FLOOD_GOOD_KIND:-fenliu tinc}
fi
MAX_LOSS=${FL_FLOOD_MAX_LOSS:-2}
LEARN_SECS=$((30 + N / 500))
AFTER_SECS=5
export FL_DEBUG=${FL_DEBUG:-1}	# tincd -d3 would log every request

rss() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
owned_by_x() { fl_cli "$1" dump subnets 2>/dev/null | grep -c ' owner x$' || true; }
learned() { [ "$(owned_by_x b)" -ge "$N" ] && [ "$(owned_by_x a)" -ge "$N" ]; }

# subnet_lines N: the attacker's Subnet lines.
subnet_lines() {
	awk -v n="$1" 'BEGIN {
		v4 = int(n * 3 / 4)
		for (k = 0; k < v4; k++)
			printf "Subnet = 198.%d.%d.%d/32\n", 18 + int(k / 65536), int(k / 256) % 256, k % 256
		for (k = 0; k < n - v4; k++)
			printf "Subnet = 2001:db8:ffff::%x:%x/128\n", int(k / 65536), k % 65536
	}'
}



run() {
	local kind=$1 t0 t1 t2 t3 end learn_ms st_attack st_after ra0 rb0 ra1 rb1 ra2 rb2
	fl_log "== good nodes: $kind, attacker: stock tincd with $N subnets"
	FL_PFX=fl$$$kind
	fl_net a b x
	fl_conf a "$kind"
	fl_conf b "$kind"
	fl_conf x tinc
	fl_exchange a b
	cp "$(fl_dir x)/hosts/x" "$(fl_dir b)/hosts/x"
	cp "$(fl_dir b)/hosts/b" "$(fl_dir x)/hosts/b"
	subnet_lines "$N" >>"$(fl_dir x)/hosts/x"
	fl_connect a b
	fl_connect x b
	fl_start b
	fl_start a
	fl_wait_ping a b 30
	ra0=$(rss "${FL_PID[a]}"); rb0=$(rss "${FL_PID[b]}")

	ff_pinger_start attack a 203.0.113.2
	t0=$(ff_ms)
	fl_start x
	# not fl_wait: a run that never learns them still reports its figures
	end=$((SECONDS + LEARN_SECS))
	until learned; do
		[ "$SECONDS" -lt "$end" ] || break
		sleep 0.5
	done
	t1=$(ff_ms)
	learn_ms=$((t1 - t0))
	learned || { learn_ms=timeout; LEARN_FAIL[$kind]=1; }
	ff_pinger_stop
	ra1=$(rss "${FL_PID[a]}"); rb1=$(rss "${FL_PID[b]}")

	ff_pinger_start after a 203.0.113.2
	t2=$(ff_ms)
	fl_kill x
	sleep "$AFTER_SECS"	# the measurement window, not a readiness wait
	ff_pinger_stop
	t3=$(ff_ms)
	ra2=$(rss "${FL_PID[a]}"); rb2=$(rss "${FL_PID[b]}")
	read -r a_sent a_recv a_loss a_gap < <(ff_gap_stats "$FL_TMP/attack.ping" "$t0" "$t1")
	read -r p_sent p_recv p_loss p_gap < <(ff_gap_stats "$FL_TMP/after.ping" "$t2" "$t3")
	echo "RESULT flood_subnets good=$kind n=$N loss=${a_loss}% sent=$a_sent received=$a_recv" \
		"longest_outage_ms=$a_gap learn_ms=$learn_ms loss_after_kill=${p_loss}%" \
		"recovery_ms=$p_gap rss_before_kb_a=$ra0 rss_before_kb_b=$rb0" \
		"rss_attack_kb_a=$ra1 rss_attack_kb_b=$rb1 rss_after_kb_a=$ra2 rss_after_kb_b=$rb2"
	LOSS[$kind]=$a_loss
	RECOVERY[$kind]=$p_gap
	fl_stop a
	fl_stop b
	# the next run gets fresh namespaces
	for ns in "$FL_PFX-a" "$FL_PFX-b" "$FL_PFX-x" "$FL_PFX-hub"; do ip netns del "$ns" 2>/dev/null || true; done
	FL_NODES=()
}

declare -A LOSS RECOVERY LEARN_FAIL
BASE_PFX=$FL_PFX
for kind in $KINDS; do
	[ "$kind" = fenliu ] || [ "$kind" = tinc ] || fl_fail "FL_FLOOD_GOOD_KIND: fenliu or tinc"
	run "$kind"
done
FL_PFX=$BASE_PFX

rc=0
if [ -n "${LOSS[fenliu]:-}" ]; then
	if awk -v l="${LOSS[fenliu]}" -v m="$MAX_LOSS" 'BEGIN { exit !(l > m) }'; then
		echo "FAIL: fenliud lost ${LOSS[fenliu]}% of pings during the flood (limit $MAX_LOSS%)" >&2
		rc=1
	fi
	if [ -n "${LOSS[tinc]:-}" ] &&
		awk -v l="${LOSS[fenliu]}" -v t="${LOSS[tinc]}" 'BEGIN { exit !(l > t + 1) }'; then
		echo "FAIL: fenliud lost ${LOSS[fenliu]}%, stock tinc ${LOSS[tinc]}%" >&2
		rc=1
	fi
	if [ -n "${LEARN_FAIL[fenliu]:-}" ]; then
		echo "FAIL: fenliud did not learn the $N subnets within ${LEARN_SECS}s" >&2
		rc=1
	fi
	if [ "${RECOVERY[fenliu]}" -gt 1000 ]; then
		echo "FAIL: the tunnel was down ${RECOVERY[fenliu]} ms after the attacker left" >&2
		rc=1
	fi
fi
[ "$rc" -eq 0 ] && echo "ok: $N subnets flooded, tunnel kept ($KINDS)"
exit "$rc"
