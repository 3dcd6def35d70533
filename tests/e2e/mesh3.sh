#!/usr/bin/env bash
# Three fenliud nodes A-B-C (A and C dial B): A reaches C directly over UDP,
# confirmed in `fenliu dump nodes`, over IPv4 and IPv6 inside the tunnel.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_scenarios.sh"
fl_need_root
fl_need_tools ping
fl_need_fenliu
fl_init

fl_mesh3 fenliu fenliu fenliu
fl_wait_ping a c 30
fl_wait_ping a c 30 v6
fl_wait_udp a c
fl_wait_udp c a
fl_pings a c 10
fl_pings c a 10 v6
[ "$(fl_dump_field a c nexthop)" = b ] || fl_fail "a: nexthop of c is not b"
fl_reachable b a && fl_reachable b c || fl_fail "b does not see a and c"
fl_cli a dump nodes
fl_cli a dump edges
fl_cli a dump subnets
fl_cli b dump connections
for x in a b c; do fl_stop "$x"; done
echo "ok: three fenliud nodes, direct UDP a <-> c"
