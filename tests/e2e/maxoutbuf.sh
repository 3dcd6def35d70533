#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# MaxOutputBufferSize (issue 18), as tinc: a peer that stops reading (b
# under SIGSTOP) while a floods it over the meta connection (TCPOnly). a's
# queued output stays within MaxOutputBufferSize (plus one packet):
# tunnel packets past half of it are dropped early and counted in `dump
# stats` (meta_out red_dropped), requests are kept, and the connection
# survives: once b reads again, the tunnel works without a reconnect.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
fl_need_root
fl_need_tools ping python3
fl_need_fenliu
fl_init

max=50000
stat() { fl_cli "$1" dump stats | awk -v s="$2" -v k="$3" '$1 == s && $2 == k {print $3}'; }

fl_net a b
fl_conf a fenliu TCPOnly=yes PingInterval=3600 MaxOutputBufferSize=$max
fl_conf b fenliu PingInterval=3600
fl_exchange a b
fl_connect a b
fl_start b
fl_start a
fl_wait_ping a b 30
rss0=$(awk '/VmRSS/ {print $2}' "/proc/${FL_PID[a]}/status")

kill -STOP "${FL_PID[b]}"
sent=$(n a python3 "$(dirname "$0")/udpsend.py" big 203.0.113.2 9 30000 1300 | awk '{print $2}')
fl_wait 30 "a's output to b backs up" eval '[ "$(stat a meta_out queued)" -ge $((max / 2)) ]'
# more of the flood, now that the buffers are full
n a python3 "$(dirname "$0")/udpsend.py" big 203.0.113.2 9 5000 1300 >/dev/null
queued=$(stat a meta_out queued)
dropped=$(stat a meta_out red_dropped)
rss1=$(awk '/VmRSS/ {print $2}' "/proc/${FL_PID[a]}/status")
echo "sent $sent+5000 datagrams of 1300 B; a: queued $queued B, red_dropped $dropped, VmRSS ${rss0} -> ${rss1} kB"
[ "$queued" -le $((max + 2000)) ] || fl_fail "a queued $queued bytes, over MaxOutputBufferSize $max"
[ "$dropped" -gt 0 ] || fl_fail "no packet dropped early"
kill -CONT "${FL_PID[b]}"
fl_wait_ping a b 30
fl_wait_ping b a 30
grep -q "Closing connection with b" "$(fl_dir a)/log" && fl_fail "a closed its connection to b"
fl_stop a
fl_stop b
echo "ok: MaxOutputBufferSize: output bounded, $dropped packets dropped early, connection kept"
