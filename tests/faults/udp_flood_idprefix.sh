#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 15.5: datagrams that start like real tinc 1.1 UDP packets (a zero or
# the victim's destination ID, then the node ID of a or c, real members of
# the mesh) with a garbage SPTPS record after it: b must fail to open each
# one, drop it, and keep the real a and c tunnels clean. Short: 20,000;
# FL_FAULTS_FULL=1: 200,000.
set -euo pipefail
. "$(dirname "$0")/lib_faults.sh"
ff_flood_setup
ff_flood udp_flood_idprefix "$(ff_pick 20000 200000)" idprefix 192.0.2.2 655 \
	--name a --name c --victim b
