#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# MaxConnectionBurst (issue 18), as tinc: 30 connections opened at once
# from one address (x) to a node with MaxConnectionBurst = 5. Fewer than 5
# are served ("Connection from" in the log); the rest are held unserved
# (tincd's tarpit) and counted in `dump stats` (meta_accept burst_same_host
# and burst_total). After the burst a real peer still gets in: the limit
# drains one per second. FL_NODE_KIND=tinc (with TINC11_DIR) runs a stock
# tincd as a, for the figure to compare (its served count only).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
fl_need_root
fl_need_tools ping python3
fl_need_fenliu
kind=${FL_NODE_KIND:-fenliu}
[ "$kind" = fenliu ] || fl_need_tinc
fl_init

burst=5 conns=30
stat() { fl_cli "$1" dump stats | awk -v s="$2" -v k="$3" '$1 == s && $2 == k {print $3}'; }

fl_net a b x
fl_conf a "$kind" MaxConnectionBurst=$burst
fl_conf b fenliu
fl_exchange a b
fl_connect b a
fl_start a

# All connections at once, each established before any is closed.
n x python3 - "$conns" <<'PY'
import socket, sys, time
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.create_connection(("192.0.2.1", 655), timeout=5)
    socks.append(s)
time.sleep(1)  # let fenliud see them all while they are open
print("connected", len(socks))
PY
served=$(grep -c "Connection from 192.0.2.3 " "$(fl_dir a)/log" || true)
echo "RESULT maxconnburst kind=$kind conns=$conns burst=$burst served=$served"
[ "$kind" = fenliu ] || { fl_stop a; echo "ok: $kind served $served of $conns"; exit 0; }
same=$(stat a meta_accept burst_same_host)
total=$(stat a meta_accept burst_total)
echo "$conns connections at once: served $served, held unserved $same (same host) + $total (total)"
[ "$served" -ge 1 ] && [ "$served" -lt "$burst" ] || fl_fail "served $served of a burst of $conns (MaxConnectionBurst $burst)"
[ $((same + total)) -eq $((conns - served)) ] || fl_fail "refusals not all counted: $same + $total"
grep -q "Holding connection from 192.0.2.3 unserved: over MaxConnectionBurst $burst" "$(fl_dir a)/log" ||
	fl_fail "no log line for the refusals"

# The burst passes; a real peer connects.
fl_start b
fl_wait_ping b a 40
fl_stop b
fl_stop a
echo "ok: MaxConnectionBurst: $served of $conns served, the rest held and counted; a peer gets in afterwards"
