#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 15.5: a flood of random UDP datagrams (random bytes, 1..1400 long)
# at a node's UDP port is dropped (and counted), and the tunnels through that
# node lose no ping. Short: 20,000 datagrams; FL_FAULTS_FULL=1: 200,000.
set -euo pipefail
. "$(dirname "$0")/lib_faults.sh"
ff_flood_setup
ff_flood udp_flood_random "$(ff_pick 20000 200000)" random 192.0.2.2 655
