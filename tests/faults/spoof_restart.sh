#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 22.6: garbage datagrams sent with a peer's address and port as
# their source (and the peer's real node ID inside) must not restart that
# peer's UDP session: only authenticated evidence may. Before the fix,
# fenliud restarted the session about every 10 s for as long as the
# garbage came. The garbage must be dropped and counted (dump stats), and
# pings through the tunnel must not be lost.
#
# Short: 30 s of spoofing at 20 datagrams/s while pinging every 0.2 s.
# FL_FAULTS_FULL=1: 120 s at 200 datagrams/s.
set -euo pipefail
. "$(dirname "$0")/../e2e/lib.sh"
. "$(dirname "$0")/../e2e/lib_scenarios.sh"
fl_need_root
fl_need_tools ping python3
fl_need_fenliu
fl_init

secs=30 rate=20
if [ -n "${FL_FAULTS_FULL:-}" ]; then secs=120 rate=200; fi
rss() { awk '/^VmRSS/ {print $2}' "/proc/${FL_PID[$1]}/status" 2>/dev/null || echo 0; }
stat() { { fl_cli "$1" dump stats 2>/dev/null || true; } | awk -v s="$2" -v k="$3" '$1 == s && $2 == k {print $3}'; }
kex() { grep -c "SPTPS key exchange with $2 successful" "$(fl_dir "$1")/log" || true; }

fl_net a b x
for x in a b; do fl_conf "$x" fenliu; done
fl_exchange a b
fl_connect a b
fl_start b
fl_start a
fl_wait_ping a b 30
fl_wait_udp a b
fl_pings a b 3
rss_a0=$(rss a) rss_b0=$(rss b)
kex_a0=$(kex a b) kex_b0=$(kex b a)
auth0=$(stat a peer:b drop-auth)
bid=$(fl_dump_field a b id)

# x spoofs b (192.0.2.2:655) toward a, while a pings b through the tunnel.
fl_bg x python3 "$(dirname "$0")/../e2e/udpsend.py" spoof 192.0.2.2 655 192.0.2.1 655 "$bid" "$rate" "$secs"
spoofer=$FL_LAST_BG
count=$((secs * 5))
out=$(n a ping -q -c "$count" -i 0.2 -W 2 203.0.113.2 || true)
wait "$spoofer" 2>/dev/null || true
loss=$(sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p' <<<"$out")
restarts_a=$(( $(kex a b) - kex_a0 )) restarts_b=$(( $(kex b a) - kex_b0 ))
auth1=$(stat a peer:b drop-auth)
sr=$(stat a peer:b session_restarts)
rss_a1=$(rss a) rss_b1=$(rss b)
echo "RESULT spoof_restart seconds=$secs rate=$rate sent=$((secs * rate)) pings=$count loss=${loss:-?}% key_exchanges_a=$restarts_a key_exchanges_b=$restarts_b auth_drops=$(( ${auth1:-0} - ${auth0:-0} )) session_restarts=${sr:-?} rss_a_before_kb=$rss_a0 rss_a_after_kb=$rss_a1 rss_b_before_kb=$rss_b0 rss_b_after_kb=$rss_b1"
[ "$restarts_a" -eq 0 ] && [ "$restarts_b" -eq 0 ] ||
	fl_fail "the session a-b was restarted during the spoofing ($restarts_a/$restarts_b new key exchanges)"
[ "${loss:-100}" = 0 ] || fl_fail "pings lost during the spoofing: ${loss:-?}%"
[ -n "$auth1" ] || fl_fail "no dump stats: cannot see the drops"
[ "$((auth1 - auth0))" -gt 0 ] || fl_fail "the spoofed garbage was not counted as auth failures against b"
[ "$sr" -eq 0 ] || fl_fail "dump stats shows $sr session restarts for b"
for x in a b; do fl_stop "$x"; done
echo "ok: $((secs * rate)) spoofed datagrams in ${secs}s, no session restart, no ping lost"
