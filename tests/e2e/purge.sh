#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# PURGE (`fenliu purge`, GRAPH.md §9): after c stops, a still knows c as an
# unreachable node with its subnets; purge makes a forget c, its edges and
# subnets (DEL_SUBNET/DEL_EDGE to everyone), and the tunnel a <-> b keeps
# working.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_scenarios.sh"
fl_need_root
fl_need_tools ping
fl_need_fenliu
fl_init

fl_mesh3 fenliu fenliu fenliu
fl_wait_ping a c 30
fl_stop c
unreachable() {
	fl_cli a dump nodes 2>/dev/null | grep -q '^c ' &&
		! fl_cli a dump reachable nodes 2>/dev/null | grep -q '^c '
}
fl_wait 30 "a: c unreachable" unreachable
fl_cli a dump subnets | grep -q '^203.0.113.3 owner c' || fl_fail "a: c's subnet gone before purge"
fl_cli a purge || fl_fail "purge failed"
fl_cli a dump nodes | grep -q '^c ' && fl_fail "a: c still known after purge"
fl_cli a dump subnets | grep -q 'owner c$' && fl_fail "a: c's subnets kept after purge"
fl_cli a dump edges | grep -q '^c to \| to c ' && fl_fail "a: c's edges kept after purge"
fl_pings a b 3
fl_stop a
fl_stop b
echo "ok: purge forgets unreachable nodes, their subnets and edges"
