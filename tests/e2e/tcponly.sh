#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A TCPOnly node (C): everyone reaches it, only over the meta connections;
# the TCPONLY option (0x2) shows in the others' view of it.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_scenarios.sh"
fl_need_root
fl_need_tools ping
fl_need_fenliu
fl_init

FL_CONF_c="TCPOnly=yes" fl_mesh3 fenliu fenliu fenliu
fl_wait_ping a c 30
fl_pings a c 10
fl_pings c a 5 v6
fl_wait_ping b c 30
opts=$(fl_dump_field a c options)
(( (0x$opts & 0x2) != 0 )) || fl_fail "a: c's options $opts lack TCPONLY"
fl_not fl_udp_confirmed b c || fl_fail "b: UDP to TCPOnly c confirmed"
fl_cli a dump nodes
for x in a b c; do fl_stop "$x"; done
echo "ok: TCPOnly node reachable over TCP only"
