#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Path MTU over an underlay with MTU 1280: A finds C's path MTU (fixed, at
# most 1280 - 61 for the IPv4 UDP encapsulation) and large packets still
# get through.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_scenarios.sh"
fl_need_root
fl_need_tools ping
fl_need_fenliu
fl_init

fl_net --mtu 1280 a b c
for x in a b c; do fl_conf "$x" fenliu; done
fl_exchange a b c
fl_connect a b
fl_connect c b
for x in b a c; do fl_start "$x"; done
fl_wait_ping a c 30
fl_wait_udp a c
# Traffic drives PMTU discovery (UDP.md §4.4).
fl_bg a ping -q -i 0.05 -s 1100 203.0.113.3
fl_wait 30 "a: PMTU to c fixed" fl_pmtu_fixed a c
pmtu=$(fl_dump_field a c pmtu)
[ "$pmtu" -le 1219 ] && [ "$pmtu" -ge 1000 ] || fl_fail "a: PMTU to c is $pmtu, want 1000..1219"
n a ping -c 3 -W 2 -s 1400 203.0.113.3 >/dev/null || fl_fail "1400-byte pings lost"
n a ping -c 3 -W 2 -s 1100 -M do 203.0.113.3 >/dev/null || fl_fail "1100-byte DF pings lost"
fl_cli a dump nodes
for x in a b c; do fl_stop "$x"; done
echo "ok: PMTU $pmtu over a 1280 underlay"
