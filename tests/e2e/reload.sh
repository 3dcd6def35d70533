#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `fenliu reload` on every node under a ping flood A -> C loses nothing.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_scenarios.sh"
fl_need_root
fl_need_tools ping
fl_need_fenliu
fl_init

fl_mesh3 fenliu fenliu fenliu
fl_wait_ping a c 30
fl_wait_udp a c
out=$(fl_dir a)/flood
n a ping -f -c 3000 -w 60 203.0.113.3 >"$out" 2>&1 &
flood=$!
FL_PIDS+=("$flood")
for i in 1 2 3; do
	sleep 0.5
	for x in a b c; do fl_cli "$x" reload || fl_fail "$x: reload failed"; done
done
wait "$flood" || true
cat "$out"
grep -q ' 0% packet loss' "$out" || fl_fail "packets lost during reload"
for x in a b c; do fl_stop "$x"; done
echo "ok: reload under a ping flood lost nothing"
