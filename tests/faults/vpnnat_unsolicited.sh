#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 19 item 5: unsolicited traffic from the mesh to a VPNNat address.
# b floods 192.168.192.210 (a's VPNNat) with UDP to random ports and TCP
# SYNs to unforwarded ports, while h1 on a's LAN pings b through the NAT
# and a PortForward (tcp 8080 -> h1:80) is in place. Check: every flood
# packet that reached a is dropped and counted (vpnnat in_dropped), none
# creates a mapping, the established ping loses nothing, the forward still
# answers afterwards, fenliud's memory stays flat. Paced at 10,000 packets
# a second in bursts of 25: bursts of 500 filled b's TUN queue (500 deep)
# under ASan, and the kernel dropped 16-36 flood packets and, now and then,
# a ping reply queued behind them (CI, 2026-12-07). A ping lost where
# b's or a's kernel counted a queue drop is excused, one beyond is not.
# Short: 20,000 packets; FL_FAULTS_FULL=1: 600,000 (60 s); the full form
# under ASan on the shared 2-core VM lost 1 of 1,144 once (0.087%), so it
# allows up to 0.5%; the short form allows none.
set -euo pipefail
. "$(dirname "$0")/lib_faults.sh"
[ "${FL_FORCE_KIND:-}" != tinc ] || fl_skip "VPNNat is fenliu's own: stock tinc has no lan interfaces"
fl_need_root
fl_need_tools ping python3
fl_need_fenliu
fl_init
. "$FF_DIR/../e2e/lib_vpnnat.sh"
count=$(ff_pick 20000 600000)

vn_setup fenliu "tcp 8080 192.168.200.11:80"
fl_bg h1 $PEER serve-tcp 0.0.0.0 80 h1
fl_wait 30 "h1 ping b" nq h1 ping -c 1 -W 1 "$NAT_B"
fl_wait 10 "h1's server" nq h1 sh -c "ss -ltn | grep -q ':80 '"
o=$(n b $PEER tcp $NATADDR 8080 before 2>&1) || fl_fail "forward before the flood: $o"
rss0=$(ff_rss a)
drop0=$(vn_stat in_dropped)
maps0=$(vn_stat mappings)
kd0=$(( $(ff_kernel_drops a) + $(ff_kernel_drops b) ))
secs=$((count / 10000 + 4))
# Not through n(): $! must be ping itself, which SIGINT stops with a summary.
ip netns exec "$FL_PFX-h1" ping -q -i 0.05 -c 100000 -W 2 "$NAT_B" >"$FL_TMP/ping" 2>&1 &
pp=$!
FL_PIDS+=("$pp")
sent=$(n b python3 - "$NATADDR" "$count" <<-'PY'
	import random, socket, sys, time
	dst, count = sys.argv[1], int(sys.argv[2])
	u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	t0, sent = time.time(), 0
	for i in range(count):
	    port = random.randint(1, 65535)
	    if port == 8080:
	        port = 8081
	    if i % 10 == 9:  # a SYN: non-blocking connect, abandoned at once
	        s = socket.socket()
	        s.setblocking(False)
	        try:
	            s.connect((dst, port))
	        except OSError:
	            pass
	        s.close()
	    else:
	        u.sendto(b"unsolicited", (dst, port))
	    sent += 1
	    if sent % 25 == 0:
	        d = t0 + sent / 10000 - time.time()
	        if d > 0:
	            time.sleep(d)
	print(sent)
PY
)
kdrops() { echo $(( $(ff_kernel_drops a) + $(ff_kernel_drops b) - kd0 )); }
# Counted once they have crossed the mesh (polled, not slept for): all of
# them but those a kernel queue dropped on the way.
counted() { [ $(($(vn_stat in_dropped) - drop0)) -ge $((sent - $(kdrops))) ]; }
fl_wait 20 "a to count the flood as dropped" counted
ff_ping_stop "$pp" "$FL_TMP/ping"
dropped=$(($(vn_stat in_dropped) - drop0))
kd=$(kdrops)
maps=$(vn_stat mappings)
loss=$(ff_loss "$FL_TMP/ping")
o=$(n b $PEER tcp $NATADDR 8080 after 2>&1) || fl_fail "forward after the flood: $o"
rss1=$(ff_rss a)
ff_result vpnnat_unsolicited "loss=$loss" "sent=$sent" "counted=$dropped" "mappings_before=$maps0" \
	"mappings_after=$maps" "kernel_drops=$kd" "rss_before_kb=$rss0" "rss_after_kb=$rss1"
maxloss=$(ff_pick 0 0.5)
ff_loss_ok "$FL_TMP/ping" "$maxloss" "$kd" ||
	fl_fail "the established ping lost $loss ($(ff_lost "$FL_TMP/ping") pings; at most $maxloss% allowed; kernel queue drops: $kd)"
[ "$maps" -le $((maps0 + 4)) ] || fl_fail "the flood made mappings: $maps0 -> $maps"
ff_alive a || fl_fail "fenliud died"
[ "$rss1" -le $((rss0 + 8192)) ] || fl_fail "fenliud grew from $rss0 to $rss1 kB"
grep -q "^h1 peer=.* got=after$" <<<"$o" || fl_fail "forward after the flood answered '$o'"
exit 0
