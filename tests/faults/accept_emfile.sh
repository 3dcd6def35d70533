#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 22.5: at the file-descriptor limit fenliud busy-looped: accept()
# failed with EMFILE, the connection stayed in the backlog and the listener
# fired again at once (19,109 failing accept4 in 2 s, 85-91% CPU, nothing
# logged). b runs with RLIMIT_NOFILE 64 and is flooded with held
# connections: its CPU time over the measurement must stay low, the cause
# must be logged once, and once the connections are gone a new peer
# connects. Short: 3 s measured; FL_FAULTS_FULL=1: 30 s.
set -euo pipefail
. "$(dirname "$0")/../e2e/lib.sh"
. "$(dirname "$0")/../e2e/lib_scenarios.sh"
fl_need_root
fl_need_tools ping python3 prlimit
fl_need_fenliu
fl_init

secs=3
[ -n "${FL_FAULTS_FULL:-}" ] && secs=30
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

fl_net a b c
fl_add_ns x 9
for k in $(seq 100 119); do n x ip addr add "192.0.2.$k/24" dev eth0; done
fl_conf a fenliu
# PingTimeout: b keeps the flood's unauthenticated connections (and so its
# descriptors) for the whole measurement.
# MaxConnectionBurst (tinc's default 10) would tarpit the flood before the
# defence under test sees it: lifted on the victim.
fl_conf b fenliu PingTimeout=$((secs + 30)) MaxConnectionBurst=1000000
fl_conf c fenliu
fl_exchange a b c
fl_connect a b
fl_connect c b
fl_start b
pid=${FL_PID[b]}
prlimit --pid "$pid" --nofile=64:64
fl_start a
fl_wait_ping a b 30

cat >"$FL_TMP/hold.py" <<'PY'
import socket, sys, time
n, dst, ready = int(sys.argv[1]), sys.argv[2], sys.argv[3]
socks, ok = [], 0
# One at a time, short timeouts: when b stops accepting, its backlog
# fills and later connects time out; go on until n are up or 20 s pass.
deadline = time.time() + 20
i = 0
while ok < n and time.time() < deadline:
    s = socket.socket()
    s.bind(("192.0.2.%d" % (100 + i % 20), 0))
    i += 1
    s.settimeout(0.5)
    try:
        s.connect((dst, 655))  # and say nothing: held until PingTimeout
        ok += 1
        socks.append(s)
    except OSError:
        s.close()
open(ready, "w").write("%d\n" % ok)
time.sleep(3600)
PY
n x python3 "$FL_TMP/hold.py" 150 192.0.2.2 "$FL_TMP/ready" >"$FL_TMP/hold.out" 2>&1 &
hold=$!
FL_PIDS+=("$hold")
fl_wait 40 "flood connected" test -s "$FL_TMP/ready"
fl_wait 10 "b at its descriptor limit" \
	test "$(ls "/proc/$pid/fd" | wc -l)" -ge 63
t0=$(cpu_ticks "$pid")
s0=$(date +%s%N)
sleep "$secs"
t1=$(cpu_ticks "$pid")
s1=$(date +%s%N)
hz=$(getconf CLK_TCK)
cpu_ms=$(( (t1 - t0) * 1000 / hz ))
wall_ms=$(( (s1 - s0) / 1000000 ))
logged=$(grep -c "Accepting connections failed" "$(fl_dir b)/log" || true)
fds=$(ls "/proc/$pid/fd" | wc -l)
kill "$hold"; wait "$hold" 2>/dev/null || true
fl_start c
recovered=ok
(fl_wait_ping c b 30) || recovered=no
echo "RESULT accept_emfile nofile=64 fds_held=$fds cpu_ms=$cpu_ms wall_ms=$wall_ms cpu_pct=$((cpu_ms * 100 / wall_ms)) emfile_log_lines=$logged new_peer_connected=$recovered"
[ "$recovered" = ok ] || fl_fail "no new peer could connect after the flood ended"
fl_pings a b 3
for x in a b c; do fl_stop "$x"; done
[ "$cpu_ms" -lt $((wall_ms / 10)) ] || fl_fail "b used $cpu_ms ms of CPU in $wall_ms ms at its descriptor limit"
[ "$logged" -eq 1 ] || fl_fail "descriptor exhaustion logged $logged times (want once)"
echo "ok: at EMFILE b used $cpu_ms ms CPU in $wall_ms ms, logged once, recovered"
