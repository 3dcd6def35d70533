#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Mode = switch against stock tinc 1.1 (lib_switch.sh's scenario): a tincd
# at one end with fenliud in the middle and at the other end, then fenliud
# at an end of two tincds. TAP devices bridged in each namespace; ARP, IPv6
# neighbour discovery, MAC subnets both ways, a broadcast ping along the
# MST, iperf3 across, a LAN host's MAC moving between the two ends.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_switch.sh"
fl_need_root
fl_need_tools ping iperf3 python3
fl_need_fenliu
fl_need_tinc
fl_init

sw_mesh tinc fenliu fenliu
sw_mesh fenliu tinc tinc
sw_hub tinc fenliu tinc
echo "ok: switch mode against stock tinc 1.1"
