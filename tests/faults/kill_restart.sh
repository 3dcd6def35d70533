#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 15.5: c is killed with SIGKILL and restarted, again and again, while
# a pings it: the mesh must recover every time. Records each time from the
# restarted daemon answering its control socket to the first ping reply
# from a. b and a keep the default timeouts; a's pings to b (whose tunnel
# is not touched) must lose nothing. Short: 3 times; FL_FAULTS_FULL=1: 20.
set -euo pipefail
. "$(dirname "$0")/lib_faults.sh"
fl_need_root
fl_need_tools ping
fl_need_fenliu
fl_init

rounds=$(ff_pick 3 20)
ms() { date +%s%3N; }

fl_mesh3 fenliu fenliu fenliu
fl_wait_ping a c 30
fl_wait_ping a b 30
fl_wait_udp a c
ff_rss_all before
rss_a0=$(ff_rss a)
rss_b0=$(ff_rss b)
d=$(fl_dir a)
# a -> b all along (kills take a few seconds each, restarts up to a minute).
ff_ping_start a b $((rounds * 300)) 0.2 "$d/ping_b"
pb=$FF_PING
times=()
for r in $(seq "$rounds"); do
	fl_kill c
	# Let a notice (or not) before c is back: the point is a dirty restart.
	sleep 1
	fl_start c
	t0=$(ms)
	fl_wait 90 "round $r: a -> c reply after restart" fl_ping a c
	times+=($(($(ms) - t0)))
	fl_log "round $r: first reply after ${times[-1]} ms"
	ff_alive a || fl_fail "a died"
	ff_alive b || fl_fail "b died"
done
ff_ping_stop "$pb" "$d/ping_b"
loss_b=$(ff_loss "$d/ping_b")
fl_pings a c 5
ff_rss_all after
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
ff_result kill_restart "rounds=$rounds" "recovered=${#times[@]}" \
	"first_reply_ms_min=$(head -n 1 <<<"$sorted")" \
	"first_reply_ms_median=$(sed -n "$(((${#times[@]} + 1) / 2))p" <<<"$sorted")" \
	"first_reply_ms_max=$(tail -n 1 <<<"$sorted")" "loss_ab=$loss_b" \
	"rss_a_before_kb=$rss_a0" "rss_a_after_kb=$(ff_rss a)" \
	"rss_b_before_kb=$rss_b0" "rss_b_after_kb=$(ff_rss b)"
[ "$loss_b" = 0% ] || fl_fail "pings a -> b lost while c restarted: $(cat "$d/ping_b")"
[ "$(ff_rss b)" -le $((rss_b0 + 65536)) ] || fl_fail "b grew from $rss_b0 kB"
for x in a b c; do fl_stop "$x"; done
echo "ok: kill_restart: $rounds restarts, first replies after ${times[*]} ms"
