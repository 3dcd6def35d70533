#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Split tunnelling with the offload device named by interfaces/offl0
# (Role = offload, the default DeviceType = tun) instead of
# OffloadInterface/OffloadAddress: lib_offload.sh's topology with
# OFF_BLOCK=1. Offloaded ping (IPv4, IPv6) leaves under the block's
# addresses and comes back; offload-up gets them; dump offload shows them;
# a non-offloaded destination still crosses the mesh.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_offload.sh"
fl_need_root
fl_need_tools ping nft python3
fl_need_fenliu
fl_init

OFF_BLOCK=1 off_net
off_check_offloaded
[ "$(off_count from_lan)" -eq 0 ] || fl_fail "inet saw packets with a LAN source"
off_ping4 "$OFF_VPN4" || fl_fail "ping lan -> $OFF_VPN4 (mesh) failed"
grep -qx "interface offl0 address $OFF_ADDR4 address6 $OFF_ADDR6" <<<"$(off_dump offload)" ||
	fl_fail "dump offload: interface line: $(off_dump offload | head -1)"
fl_log "PASS"
