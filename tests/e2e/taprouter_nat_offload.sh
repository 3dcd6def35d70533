#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# taprouter_nat_offload: split tunnelling from a `lan` interface that also
# has a VPNNat (here a's own 203.0.113.1, inside its Subnets): the whole of
# taprouter_offload.sh, whose checks then also prove that offloaded
# traffic is translated once, by the offload NAT, which sees each LAN host
# (`dump nat` has a mapping per host, inet sees only the offload address),
# while traffic into the mesh (h1 -> b) leaves under the VPNNat address
# and its replies are de-aliased. Before fld_lan_route.c asked the offload
# hook ahead of VPNNat, this failed: the offload NAT saw only 203.0.113.1.
export TR_LAN_EXTRA="VPNNat = 203.0.113.1"
exec bash "$(dirname "$0")/taprouter_offload.sh" "$@"
