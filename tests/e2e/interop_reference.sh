#!/usr/bin/env bash
# Reference behaviour: three stock tinc 1.1 nodes A-B-C in namespaces (A and C
# both dial B). Validates the harness the interop tests share and records what
# tinc itself does: A reaches C directly over UDP (UDP confirmed in
# `tinc dump nodes`), and with UDP between A and C blocked from the start
# traffic is relayed through B. Needs root and TINC11_DIR; skips otherwise.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
fl_need_root
fl_need_tools ping nft
fl_need_tinc
fl_init

fl_net a b c
for x in a b c; do fl_conf "$x" tinc; done
fl_exchange a b c
fl_connect a b
fl_connect c b
for x in b a c; do fl_start "$x"; done

fl_wait_ping a c 30
fl_wait_ping a c 30 v6
fl_wait 30 "a: UDP confirmed to c" fl_udp_confirmed a c
fl_log "tinc-tinc direct path: ok"
fl_cli a dump nodes

# UDP between A and C blocked before they start: packets still flow, relayed
# through B, and A never sees UDP to C confirmed.
for x in a c; do fl_stop "$x"; done
fl_block_udp a c
fl_block_udp c a
for x in a c; do fl_start "$x"; done
fl_wait_ping a c 30
for i in $(seq 10); do fl_ping a c || fl_fail "relayed ping $i lost"; done
fl_not fl_udp_confirmed a c || fl_fail "a claims UDP to c confirmed through the firewall"
fl_log "tinc-tinc relayed path: ok"
fl_cli a dump nodes
