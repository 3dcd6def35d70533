#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Fault scenario: an authenticated but hostile peer announces subnets its
# host file on the victim does not list, and StrictSubnets / TunnelServer
# decide what the victim believes (issue 15 item 5, issue 18).
#
# Nodes: a, c (fenliud) and the attacker x (stock tincd) all dial the victim
# v. v is fenliud, then stock tincd, in the same scenario, so fenliud's
# answer is checked against tincd's. x's own host file adds three Subnet
# lines that v's copy of hosts/x does not have: 0.0.0.0/0, a's address
# 203.0.113.1/32 and 198.51.100.0/24. x runs with StrictSubnets and a forged
# hosts/a listing 198.18.0.0/15, so it also announces a subnet in a's name.
#
# For each victim mode (off, StrictSubnets, TunnelServer) the owner lines of
# v's `dump subnets` for those subnets and x's listed one must match what
# tincd keeps (with StrictSubnets, also after a reload that adds a Subnet
# line to v's hosts/x; with TunnelServer, a must not learn c at all);
# a <-> c (a <-> v under TunnelServer) must lose no ping while x connects,
# and v's VmRSS is logged.
# FL_FAULTS_FULL=1: 200 pings instead of 20.
set -euo pipefail
. "$(dirname "$0")/../e2e/lib.sh"
. "$(dirname "$0")/../e2e/lib_scenarios.sh"
fl_need_root
fl_need_tools ping
fl_need_fenliu
fl_need_tinc
fl_init

PINGS=20
[ -n "${FL_FAULTS_FULL:-}" ] && PINGS=200

rss() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

# The subnets v knows that x's side announced or a owns, as "SUBNET OWNER".
owners() {
	fl_cli v dump subnets 2>/dev/null |
		awk '$3=="x" || $1=="203.0.113.1" || $1=="198.18.0.0/15" || $1=="0.0.0.0/0" {print $1, $3}' | sort
}

v_trusts_new() { [ "$(owners | grep -c '^198.51.100.0/24 x$')" -ge 1 ]; }
has_default_from_x() { [ "$(owners | grep -c '^0.0.0.0/0 x$')" -ge 1 ]; }

fl_net a v c x

# run_case KIND MODE: one victim of KIND (fenliu|tinc), MODE off|strict|ts.
run_case() {
	local kind=$1 mode=$2 extra=() good loss before after out ign
	case $mode in
	strict) extra=(StrictSubnets=yes) ;;
	ts) extra=(TunnelServer=yes) ;;
	esac
	fl_conf a fenliu
	fl_conf c fenliu
	fl_conf v "$kind" "${extra[@]+"${extra[@]}"}"
	fl_conf x tinc StrictSubnets=yes
	fl_exchange a v c x
	# The lies live only on x's side.
	for s in 0.0.0.0/0 203.0.113.1/32 198.51.100.0/24; do
		echo "Subnet = $s" >>"$(fl_dir x)/hosts/x"
	done
	echo "Subnet = 198.18.0.0/15" >>"$(fl_dir x)/hosts/a"
	fl_connect a v
	fl_connect c v
	fl_connect x v
	fl_start v
	fl_start a
	fl_start c
	good=c
	[ "$mode" = ts ] && good=v
	fl_wait_ping a "$good" 30
	before=$(rss "${FL_PID[v]}")
	n a ping -c "$PINGS" -i 0.1 -W 1 "203.0.113.${FL_IDX[$good]}" >"$FL_TMP/ping.$kind.$mode" 2>&1 &
	local pingpid=$!
	fl_start x
	fl_wait 30 "v sees x reachable" fl_reachable v x
	if [ "$mode" = off ]; then
		fl_wait 30 "v applies x's 0.0.0.0/0" has_default_from_x
	else
		fl_wait 30 "v ignores x's unauthorized subnets" fl_log_has v "Ignoring unauthorized ADD_SUBNET"
	fi
	# Everything x sent before its PING is processed once v answers it.
	fl_cli v dump subnets >/dev/null
	wait "$pingpid" || true
	loss=$(sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p' "$FL_TMP/ping.$kind.$mode")
	owners >"$FL_TMP/owners.$kind.$mode"
	if [ "$mode" = ts ]; then
		# The hub passes on no edges: a must not learn a path to c.
		if fl_reachable a c; then echo "a reaches c"; else echo "a does not reach c"; fi \
			>>"$FL_TMP/owners.$kind.$mode"
	fi
	if [ "$mode" = strict ]; then
		# Reload: a Subnet line added to v's hosts/x is trusted from now on.
		echo "Subnet = 198.51.100.0/24" >>"$(fl_dir v)/hosts/x"
		fl_cli v reload >/dev/null || fl_fail "$kind: reload failed"
		fl_wait 30 "$kind: v trusts x's new 198.51.100.0/24 after reload" v_trusts_new
		echo "198.51.100.0/24 x (after reload)" >>"$FL_TMP/owners.$kind.$mode"
	fi
	after=$(rss "${FL_PID[v]}")
	ign=$(grep -c "Ignoring unauthorized ADD_SUBNET" "$(fl_dir v)/log" || true)
	out=$(tr '\n' ',' <"$FL_TMP/owners.$kind.$mode")
	echo "RESULT strict_subnets victim=$kind mode=$mode loss=${loss:-?}% pings=$PINGS" \
		"ignored_logged=$ign subnets=${out%,} rss_before_kb=$before rss_after_kb=$after"
	[ "${loss:-100}" = 0 ] || fl_fail "$kind/$mode: ping a -> $good lost ${loss:-all}%"
	for x in x c a v; do fl_stop "$x"; done
}

for mode in off strict ts; do
	run_case fenliu "$mode"
	run_case tinc "$mode"
	diff -u "$FL_TMP/owners.tinc.$mode" "$FL_TMP/owners.fenliu.$mode" ||
		fl_fail "mode $mode: fenliud's subnets differ from tincd's (above: - tincd, + fenliud)"
done

# What tincd does must also be what we expect, or the comparison proves little.
grep -q '^0.0.0.0/0 x$' "$FL_TMP/owners.tinc.off" || fl_fail "off: tincd did not take 0.0.0.0/0"
for mode in strict ts; do
	! grep -qE '^(0.0.0.0/0|203.0.113.1|198.51.100.0/24) x$|^198.18.0.0/15 a$' \
		"$FL_TMP/owners.fenliu.$mode" || fl_fail "$mode: fenliud took an unlisted subnet"
	grep -q '^203.0.113.4 x$' "$FL_TMP/owners.fenliu.$mode" ||
		fl_fail "$mode: fenliud lost x's listed subnet 203.0.113.4"
done
grep -q '^a does not reach c$' "$FL_TMP/owners.fenliu.ts" || fl_fail "ts: a learnt c through the hub"
echo "ok: StrictSubnets and TunnelServer keep what tincd keeps"
