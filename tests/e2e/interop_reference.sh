#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Reference behaviour: three stock tinc 1.1 nodes A-B-C in namespaces (A and C
# both dial B). Validates the harness the interop tests share and records what
# tinc itself does: A reaches C directly over UDP (UDP confirmed in
# `tinc dump nodes`), and with UDP between A and C blocked from the start
# traffic is relayed through B. Needs root and TINC11_DIR; skips otherwise.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_scenarios.sh"
fl_need_root
fl_need_tools ping nft
fl_need_tinc
fl_init

fl_mesh3 tinc tinc tinc
fl_wait_ping a c 30
fl_wait_ping a c 30 v6
fl_wait_udp a c
fl_log "tinc-tinc direct path: ok"
fl_cli a dump nodes
for x in a b c; do fl_stop "$x"; done
for x in a b c hub; do ip netns del "$FL_PFX-$x"; done
FL_NODES=()

# UDP between A and C blocked before they start: packets still flow, relayed
# through B, and A never sees UDP to C confirmed.
FL_BLOCK_AC=1 fl_mesh3 tinc tinc tinc
fl_wait_ping a c 30
fl_wait_udp b a
fl_wait_udp b c
fl_pings a c 10
fl_count b
fl_relayed_on_udp "tinc-tinc relayed" a b 203.0.113.3
fl_not fl_udp_confirmed a c || fl_fail "a claims UDP to c confirmed through the firewall"
fl_log "tinc-tinc relayed path: ok"
fl_cli a dump nodes
