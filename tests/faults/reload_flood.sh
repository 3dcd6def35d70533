#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 15.5: `reload` through the CLI and SIGHUP, alternately and round the
# three nodes, during a ping flood a -> c (and a -> b): not one packet may
# be lost. Short: 20 reloads in a 200-packet flood; FL_FAULTS_FULL=1: 100
# reloads in a 1,000-packet flood. The flood is paced (-i 0.05) so that it
# lasts as long as the reloads do.
set -euo pipefail
. "$(dirname "$0")/lib_faults.sh"
fl_need_root
fl_need_tools ping
fl_need_fenliu
fl_init

reloads=$(ff_pick 20 100)
count=$(ff_pick 200 1000)

fl_mesh3 fenliu fenliu fenliu
fl_wait_ping a c 30
fl_wait_ping a b 30
fl_wait_udp a c
fl_wait_udp a b
ff_rss_all before
declare -A rss0
for x in a b c; do rss0[$x]=$(ff_rss "$x"); done
d=$(fl_dir a)
ff_ping_start a c "$count" 0.05 "$d/ping_c"
pc=$FF_PING
ff_ping_start a b "$count" 0.05 "$d/ping_b"
pb=$FF_PING
nodes=(a b c)
during=0
for i in $(seq "$reloads"); do
	x=${nodes[$((i % 3))]}
	if [ $((i % 2)) = 0 ]; then
		fl_cli "$x" reload >/dev/null || fl_fail "$x: reload #$i failed"
	else
		kill -HUP "${FL_PID[$x]}" || fl_fail "$x: gone at SIGHUP #$i"
	fi
	kill -0 "$pc" 2>/dev/null && during=$((during + 1))
	sleep 0.1
done
wait "$pc" || true
wait "$pb" || true
for x in a b c; do ff_alive "$x" || fl_fail "$x died"; done
loss_c=$(ff_loss "$d/ping_c")
loss_b=$(ff_loss "$d/ping_b")
ff_rss_all after
ff_result reload_flood "reloads=$reloads" "during_flood=$during" "pings=$count" \
	"loss=$loss_c" "loss_ab=$loss_b" \
	"rss_before_kb=${rss0[a]}/${rss0[b]}/${rss0[c]}" "rss_after_kb=$(ff_rss a)/$(ff_rss b)/$(ff_rss c)"
[ "$loss_c" = 0% ] || fl_fail "pings a -> c lost during reloads: $(cat "$d/ping_c")"
[ "$loss_b" = 0% ] || fl_fail "pings a -> b lost during reloads: $(cat "$d/ping_b")"
for x in a b c; do
	[ "$(ff_rss "$x")" -le $((rss0[$x] + 65536)) ] || fl_fail "$x grew from ${rss0[$x]} kB"
done
for x in a b c; do fl_stop "$x"; done
echo "ok: reload_flood: $reloads reloads ($during during the flood), no ping lost"
