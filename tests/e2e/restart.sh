#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A node killed (SIGKILL) and restarted is noticed and reconnected: B and A
# see C go unreachable, then C comes back and pings flow again.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_scenarios.sh"
fl_need_root
fl_need_tools ping
fl_need_fenliu
fl_init

FL_CONF_a="PingTimeout=2 PingInterval=3" FL_CONF_b="PingTimeout=2 PingInterval=3" \
	FL_CONF_c="PingTimeout=2 PingInterval=3 MaxTimeout=2" fl_mesh3 fenliu fenliu fenliu
fl_wait_ping a c 30
fl_kill c
fl_wait 30 "b: c unreachable" fl_not fl_reachable b c
fl_wait 30 "a: c unreachable" fl_not fl_reachable a c
fl_start c
fl_wait_ping a c 60
fl_pings a c 5
fl_reachable b c || fl_fail "b: c not reachable again"
for x in a b c; do fl_stop "$x"; done
echo "ok: killed node noticed and reconnected"
