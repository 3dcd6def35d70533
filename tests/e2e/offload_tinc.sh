#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/e2e/offload.sh with a stock tinc 1.1 as the far end of the mesh:
# the VPN path (non-offloaded and excluded destinations, the flow moved
# by a reload) then runs through tincd.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
fl_need_tinc
OFF_FAR=tinc exec bash "$(dirname "$0")/offload.sh"
