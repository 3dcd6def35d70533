#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 15.5: an attacker x opens many idle TCP connections to b's meta port
# and one more that trickles a byte a second (never finishing an ID line).
# b must stay bounded (fds, VmRSS), close every one of them (they never
# authenticate: tinc's rule is PingTimeout seconds to do so), and keep
# serving the good peers: a's pings to b lose nothing, and c, killed and
# restarted meanwhile, gets a new meta connection to b accepted.
# Short: 300 connections, then 45 s at most; FL_FAULTS_FULL=1: 2,000, 120 s.
set -euo pipefail
. "$(dirname "$0")/lib_faults.sh"
fl_need_root
fl_need_tools ping python3 ss
fl_need_fenliu
fl_init

conns=$(ff_pick 300 2000)
secs=$(ff_pick 45 120)
# The attacker needs an fd per connection, and so does b until it closes
# them; 1024 (the usual default) would turn this into an EMFILE test.
ff_raise_nofile 8192
fds() { ls "/proc/${FL_PID[b]}/fd" 2>/dev/null | wc -l; }

# MaxConnectionBurst (tinc's default 10) would tarpit the flood before the
# defence under test sees it: lifted on the victim.
FL_CONF_b="MaxConnectionBurst=1000000" fl_mesh3 fenliu fenliu fenliu
fl_add_ns x 9
fl_wait_ping a b 30
fl_wait_ping a c 30
ff_rss_all before
rss0=$(ff_rss b)
fds0=$(fds)
d=$(fl_dir b)
status=$d/tcpidle.status
fl_bg x python3 "$FF_DIR/tools/tcpidle.py" 192.0.2.2 655 --count "$conns" --secs "$secs" \
	--status "$status" >"$d/tcpidle.out" 2>&1
tool=$FL_LAST_BG
ff_ping_start a b $(((secs + 300) * 5)) 0.2 "$d/ping_b"
pb=$FF_PING
fl_wait 60 "tcpidle started" test -s "$status"
fdmax=$(fds)
rssmax=$(ff_rss b)
# The good peer: c comes back and must be let in while x holds its sockets.
fl_kill c
fl_start c
t0=$SECONDS
# Polled here rather than with fl_wait: a failure must still print RESULT.
c_back=timeout
while [ $((SECONDS - t0)) -lt 60 ]; do
	if fl_ping a c; then c_back=$((SECONDS - t0)); break; fi
done
while kill -0 "$tool" 2>/dev/null; do
	f=$(fds); r=$(ff_rss b)
	[ "$f" -gt "$fdmax" ] && fdmax=$f
	[ "$r" -gt "$rssmax" ] && rssmax=$r
	sleep 1
done
wait "$tool" || fl_fail "tcpidle.py failed: $(cat "$d/tcpidle.out")"
ff_ping_stop "$pb" "$d/ping_b"
out=$(tail -n 1 "$d/tcpidle.out")
fl_log "tcpidle: $out"
loss=$(ff_loss "$d/ping_b")
ff_rss_all after
rss1=$(ff_rss b)
get() { sed -n "s/.*$1=\([^ ]*\).*/\1/p" <<<"$out"; }
ff_result idle_conns "conns=$conns" "opened=$(get opened)" "refused=$(get refused)" \
	"connect_s=$(get connect_s)" "closed=$(get closed)" "idle_closed_by_s=$(get idle_closed_last_s)" \
	"trickle_closed_s=$(get trickle_closed_s)" "c_reconnect_s=$c_back" "loss=$loss" \
	"fds_before=$fds0" "fds_max=$fdmax" "fds_after=$(fds)" \
	"rss_before_kb=$rss0" "rss_max_kb=$rssmax" "rss_after_kb=$rss1"
ff_alive b || fl_fail "b died"
[ "$c_back" != timeout ] || fl_fail "c did not get back in within 60 s while x held $conns connections"
[ "$loss" = 0% ] || fl_fail "pings a -> b lost: $(cat "$d/ping_b")"
[ "$(get opened)" -gt 0 ] || fl_fail "no connection opened"
[ "$(get open)" = 0 ] || fl_fail "$(get open) of $(get opened) idle connections still open after ${secs}s"
[ "$(get trickle_closed_s)" != never ] || fl_fail "the trickling connection was never closed (${secs}s)"
[ "$rss1" -le $((rss0 + 65536)) ] || fl_fail "b grew from $rss0 to $rss1 kB"
for x in a b c; do fl_stop "$x"; done
echo "ok: idle_conns: $conns idle connections and a trickler closed, good peers served"
