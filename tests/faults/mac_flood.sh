#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Fault scenario (switch mode): a host on the LAN bridged to node a's TAP
# sends frames from N different source MACs (tools/macflood.py), toward
# b's MAC. Each new address is one learned MAC subnet that a announces to
# the mesh. fenliud learns at most 4096 (fenliu.conf(5), SWITCH MODE) and
# logs the rest; tincd learns every one.
#
#   a, b: switch-mode nodes (lib_switch.sh set-up, a dials b); a's LAN
#      host m floods while a pings b through the tunnel every 10 ms.
#
# Measured: ping loss, MAC subnets a owns as b sees them, VmRSS of both
# daemons before and after. fenliud must lose at most 2% of the pings,
# stay alive, announce at most 4096 flood MACs, and grow by less than
# 64 MB. N = 20000 by default, 200000 with FL_FAULTS_FULL=1.
# FL_FORCE_KIND=tinc runs stock tincd for the comparison column.
set -euo pipefail
. "$(dirname "$0")/lib_faults.sh"
. "$FF_DIR/../e2e/lib_switch.sh"
fl_need_root
fl_need_tools ping python3
fl_need_fenliu
[ "$FF_KIND" = fenliu ] || fl_need_tinc
fl_init

N=$(ff_pick "${FL_MACFLOOD_N:-20000}" "${FL_MACFLOOD_N:-200000}")
RATE=${FL_MACFLOOD_RATE:-10000}
export FL_DEBUG=${FL_DEBUG:-1}	# tincd -d5 would log every frame

flood_macs() { fl_cli "$1" dump subnets 2>/dev/null | grep -c '^06:.* owner a$' || true; }

fl_net a b
sw_conf a "$FF_KIND"
sw_conf b "$FF_KIND"
fl_exchange a b
fl_connect a b
fl_start b
fl_start a
sw_wait_ping a 203.0.113.2 30
fl_wait_udp a b
sw_host_attach a
sw_wait_ping m 203.0.113.2 20
ra0=$(ff_rss a)
rb0=$(ff_rss b)
ff_rss_all before
secs=$(((N + RATE - 1) / RATE + 10))
kd0=$(ff_kernel_drops a)
ff_ping_start a b $((secs * 100)) 0.01 "$FL_TMP/ping"
pinger=$FF_PING
out=$(n m python3 "$FF_DIR/tools/macflood.py" --dev eth0 --dst 02:00:00:00:02:01 --count "$N" --rate "$RATE") ||
	fl_fail "flood tool failed: $out"
sent=$(sed -n 's/.*sent=\([0-9]*\).*/\1/p' <<<"$out")
# Let the announcements reach b before counting (polled: stable count).
prev=-1
for _ in $(seq 60); do
	cur=$(flood_macs b)
	[ "$cur" = "$prev" ] && break
	prev=$cur
	sleep 1
done
wait "$pinger" || true
ff_rss_all after
ra1=$(ff_rss a)
rb1=$(ff_rss b)
loss=$(ff_loss "$FL_TMP/ping")
kdrops=$(( $(ff_kernel_drops a) - kd0 ))
seen_b=$(flood_macs b)
ff_result mac_flood "frames=$sent" "announced=$seen_b" "loss=${loss:-?}" "kernel_drops=$kdrops" \
	"rss_before_kb=a:$ra0,b:$rb0" "rss_after_kb=a:$ra1,b:$rb1"
ff_alive a && ff_alive b || fl_fail "a daemon died"
sw_ping a 203.0.113.2 || fl_fail "a no longer reaches b"
if [ "$FF_KIND" = fenliu ]; then
	[ "$seen_b" -le 4096 ] || fl_fail "b sees $seen_b flood MACs owned by a (bound: 4096)"
	[ "$seen_b" -ge 4000 ] || fl_fail "b sees only $seen_b flood MACs owned by a"
	fl_log_has a "not learning more" || fl_fail "a did not log its full MAC table"
	# Beyond 2%, only pings the kernel dropped in a's device queue (a
	# starved of CPU) are excused.
	ff_loss_ok "$FL_TMP/ping" 2 "$kdrops" ||
		fl_fail "ping loss $loss during the flood ($(ff_lost "$FL_TMP/ping") pings; kernel queue drops: $kdrops)"
	[ "$ra1" -le $((ra0 + 65536)) ] || fl_fail "a grew from $ra0 to $ra1 kB"
	[ "$rb1" -le $((rb0 + 65536)) ] || fl_fail "b grew from $rb0 to $rb1 kB"
fi
fl_stop a
fl_stop b
echo "ok: mac_flood: $sent source MACs, $seen_b announced, ping loss $loss"
