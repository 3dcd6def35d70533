#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 15.5: truncated datagrams (0..15 bytes, shorter than any header) and
# 65,507-byte ones (the IPv4 maximum, arriving as 45 fragments) alternately
# at b's UDP port: dropped, and the tunnels through b lose no ping. Short:
# 4,000 datagrams; FL_FAULTS_FULL=1: 40,000. The rate is lower than the other
# floods: every second datagram is 64 kB.
set -euo pipefail
. "$(dirname "$0")/lib_faults.sh"
ff_flood_setup
FF_RATE=500 ff_flood udp_flood_sizes "$(ff_pick 4000 40000)" sizes 192.0.2.2 655
