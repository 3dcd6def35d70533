#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# DirectOnly (issue 18.2): c says IndirectData, so the graph reaches it
# only via b; a with `DirectOnly = yes` refuses to send to c (ICMP "net
# prohibited", as tincd), while b, reached directly, still answers. The
# same mesh without DirectOnly relays through b (b pings c first, so that
# part of the path is known to work).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_scenarios.sh"
fl_need_root
fl_need_tools ping
fl_need_fenliu
fl_init

FL_CONF_a="DirectOnly=yes" FL_CONF_c="IndirectData=yes" fl_mesh3 fenliu fenliu fenliu
fl_wait_ping a b 30
fl_wait_ping b c 30
fl_wait 30 "a knows c is reachable" fl_reachable a c
rc=0
out=$(n a ping -c 3 -i 0.3 -W 1 203.0.113.3 2>&1) || rc=$?
echo "$out"
[ "$rc" -ne 0 ] || fl_fail "DirectOnly: a reached c through b"
grep -qi "prohibited\|filtered" <<<"$out" || fl_fail "DirectOnly: no ICMP 'prohibited' from a's tunnel"
fl_pings a b 5
for x in a b c; do fl_stop "$x"; done
echo "ok: DirectOnly refuses the relayed path, direct peers still work"
