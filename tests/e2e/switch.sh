#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Mode = switch with three fenliud nodes a - b - c on TAP devices bridged in
# their namespaces: ARP and IPv6 neighbour discovery through the mesh, MAC
# subnets announced and seen by every node, a broadcast ping flooded along
# the MST, iperf3 across, and a LAN host whose MAC moves from a to c
# (lib_switch.sh). Then Mode = hub on the same set-up.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_switch.sh"
fl_need_root
fl_need_tools ping iperf3 python3
fl_need_fenliu
fl_init

sw_mesh fenliu fenliu fenliu
sw_hub fenliu fenliu fenliu
echo "ok: switch and hub mode, three fenliud nodes"
