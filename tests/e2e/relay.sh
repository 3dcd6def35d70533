#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# UDP between A and C blocked (nft inside their namespaces): A and C still
# reach each other, relayed through B over UDP (nft counters on B), and
# never claim UDP to each other.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_scenarios.sh"
fl_need_root
fl_need_tools ping nft
fl_need_fenliu
fl_init

FL_BLOCK_AC=1 fl_mesh3 fenliu fenliu fenliu
fl_wait_ping a c 30
# A relay accepts relayed UDP only from addresses it confirmed itself
# (UDP.md §3.2), so wait for B's own probing before counting losses.
fl_wait_udp b a
fl_wait_udp b c
fl_pings a c 20
fl_pings c a 10 v6
fl_count b
fl_relayed_on_udp "relayed" a b 203.0.113.3
fl_wait_udp a b
fl_not fl_udp_confirmed a c || fl_fail "a: UDP to c confirmed through the firewall"
fl_cli a dump nodes
for x in a b c; do fl_stop "$x"; done
echo "ok: a <-> c relayed through b"
