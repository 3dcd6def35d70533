#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# DeviceStandby = yes (issue 18), as tincd: a starts alone and runs no
# tinc-up (its tunnel has no address, no link); once b is reachable a runs
# host-up, then tinc-up, and pings work; when b leaves, host-down, then
# tinc-down; stopping a then runs no second tinc-down. The script log gives
# the order. FL_FORCE_KIND=tinc runs the same test on stock tincd.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
fl_need_root
fl_need_tools ping
fl_need_fenliu
fl_init

fl_net a b
fl_conf a fenliu DeviceStandby=yes
fl_conf b fenliu
fl_exchange a b
fl_connect a b
da=$(fl_dir a)
log=$da/scripts.log
for s in tinc-up tinc-down host-up host-down; do
	# Each script appends its name, then (tinc-*) does its usual work.
	{ echo '#!/bin/sh'; echo "echo $s >>'$log'"; tail -n +2 "$da/$s" 2>/dev/null || true; } >"$da/$s.new"
	mv "$da/$s.new" "$da/$s"
	chmod +x "$da/$s"
done

fl_start a
# The control socket answers only after tinc-up would have run (sync).
[ ! -s "$log" ] || fl_fail "a ran scripts with no node reachable: $(tr '\n' ' ' <"$log")"
fl_dev_up() { n a ip -o link show fl0 | grep -q '[<,]UP[,>]'; }
fl_not fl_dev_up || fl_fail "a's device is up before any node is reachable"
fl_not fl_ping a b || fl_fail "a pings b before b exists"

fl_start b
fl_wait 30 "a: tinc-up after b became reachable" grep -qsx tinc-up "$log"
fl_wait_ping a b 30
[ "$(tr '\n' ' ' <"$log")" = "host-up tinc-up " ] || fl_fail "a: scripts after b came: $(tr '\n' ' ' <"$log")"

fl_stop b
fl_wait 30 "a: tinc-down after b left" grep -qsx tinc-down "$log"
[ "$(tr '\n' ' ' <"$log")" = "host-up tinc-up host-down tinc-down " ] ||
	fl_fail "a: scripts after b left: $(tr '\n' ' ' <"$log")"
fl_not fl_dev_up || fl_fail "a's device still up after tinc-down"

fl_stop a
[ "$(tr '\n' ' ' <"$log")" = "host-up tinc-up host-down tinc-down " ] ||
	fl_fail "a: scripts after a stopped: $(tr '\n' ' ' <"$log")"
echo "RESULT standby kind=${FL_KIND[a]} scripts=host-up,tinc-up,host-down,tinc-down"
echo "ok: DeviceStandby runs tinc-up with the first reachable node, tinc-down after the last"
