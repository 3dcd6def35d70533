#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 15.5: a bad underlay (netem: 5% loss, reordering, 2% duplication,
# 50 ms delay with 50 ms jitter on a's link) under iperf3 and pings, then
# removed: the tunnel must come back to at least half its rate from before
# (the machine is shared, so half, not all) and lose no ping afterwards.
# Short: 20 s of netem; FL_FAULTS_FULL=1: 120 s.
set -euo pipefail
. "$(dirname "$0")/lib_faults.sh"
fl_need_root
fl_need_tools ping iperf3 tc python3
fl_need_fenliu
fl_init

secs=$(ff_pick 20 120)
# rate SECS: TCP iperf3 a -> c through the tunnel, receiver Kbit/s.
rate() {
	{ n a timeout $(($1 + 30)) iperf3 -c 203.0.113.3 -t "$1" -f k 2>/dev/null || true; } |
		awk '/receiver/ {for (i = 1; i < NF; i++) if ($(i + 1) == "Kbits/sec") v = $i} END {print v + 0}'
}
# The kernel may lack sch_netem (it does on our CI VM): then tools/impair.py
# does the same in userspace, spliced between a's veth and the hub's bridge.
use_tc=0
netem() {
	local x
	if [ "$use_tc" = 1 ]; then
		for x in a c; do n "$x" tc qdisc "$1" dev eth0 root netem delay 50ms 50ms \
			loss 5% duplicate 2% reorder 5% limit 10000; done
	elif [ "$1" = add ]; then
		for x in a b c; do n "$x" python3 "$FF_DIR/tools/impair.py" --txcsum-off eth0; done
		n hub ip link set p-a nomaster
		n hub ip link add q-a type veth peer name q-a2
		n hub ip link set q-a2 master br0 up
		n hub ip link set q-a up
		fl_bg hub python3 "$FF_DIR/tools/impair.py" p-a q-a --loss 5 --dup 2 \
			--delay 50 --jitter 50 >"$(fl_dir a)/impair" 2>&1
		impair=$FL_LAST_BG
	else
		kill -TERM "$impair"
		wait "$impair" || true
		n hub ip link del q-a
		n hub ip link set p-a master br0
		fl_log "impair.py: $(cat "$(fl_dir a)/impair")"
	fi
}

fl_mesh3 fenliu fenliu fenliu
if nq a tc qdisc add dev lo root netem delay 1ms; then
	use_tc=1
	n a tc qdisc del dev lo root
fi
fl_wait_ping a c 30
fl_wait_udp a c
# iperf3_server: (re)start c's iperf3 server. After a run under netem the old
# server can stay busy with the dead test's control connection for a while,
# and every new client is turned away at once ("server is busy").
IPERF_SRV=
iperf3_server() {
	[ -z "$IPERF_SRV" ] || { kill "$IPERF_SRV" 2>/dev/null; wait "$IPERF_SRV" 2>/dev/null || true; }
	fl_wait 20 "iperf3 port free in c" nq c sh -c '! ss -ltn | grep -q ":5201 "'
	fl_bg c iperf3 -s >>"$(fl_dir c)/iperf3-server" 2>&1
	IPERF_SRV=$FL_LAST_BG
	fl_wait 20 "iperf3 server in c" nq c sh -c 'ss -ltn | grep -q ":5201 "'
}
iperf3_server
ff_rss_all before
rss0=$(ff_rss a)
before=$(rate 5)
fl_log "rate before netem: $before Kbit/s"
[ "$before" -gt 0 ] || fl_fail "no iperf3 rate before netem"

netem add
d=$(fl_dir a)
ff_ping_start a c $((secs * 5)) 0.2 "$d/ping_netem"
during=$(rate "$secs")
wait "$FF_PING" || true
loss_during=$(ff_loss "$d/ping_netem")
fl_log "under netem: $during Kbit/s, ping loss $loss_during"
netem del

fl_wait_ping a c 30
iperf3_server
t0=$SECONDS
after=0
# Recovery: up to 3 measurements of 5 s each (TCP and PMTU settle again);
# a run that iperf3 could not start at all is retried, not counted.
try=0
while [ "$try" -lt 3 ] && [ $((SECONDS - t0)) -lt 60 ]; do
	after=$(rate 5)
	if [ "$after" -eq 0 ]; then sleep 1; continue; fi
	try=$((try + 1))
	[ $((after * 2)) -ge "$before" ] && break
done
fl_log "rate after netem: $after Kbit/s (try $try)"
n a ping -q -c 20 -i 0.1 -W 2 203.0.113.3 >"$d/ping_after" 2>&1 || true
loss_after=$(ff_loss "$d/ping_after")
ff_rss_all after
rss1=$(ff_rss a)
ff_result netem "tool=$([ "$use_tc" = 1 ] && echo tc || echo impair.py)" "secs=$secs" "kbps_before=$before" "kbps_netem=$during" "loss_netem=$loss_during" \
	"kbps_after=$after" "recover_s=$((SECONDS - t0))" "loss_after=$loss_after" \
	"rss_before_kb=$rss0" "rss_after_kb=$rss1"
[ $((after * 2)) -ge "$before" ] || fl_fail "rate did not recover: $after < half of $before Kbit/s"
[ "$loss_after" = 0% ] || fl_fail "pings lost after netem was removed: $(cat "$d/ping_after")"
[ "$rss1" -le $((rss0 + 65536)) ] || fl_fail "a grew from $rss0 to $rss1 kB"
for x in a b c; do fl_stop "$x"; done
echo "ok: netem: rate $before -> $during -> $after Kbit/s"
