#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Three fenliud nodes A-B-C (A and C dial B): A reaches C directly over UDP,
# confirmed in `fenliu dump nodes`, over IPv4 and IPv6 inside the tunnel.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_scenarios.sh"
fl_need_root
fl_need_tools ping
fl_need_fenliu
fl_init

fl_net a b c
for x in a b c; do fl_conf "$x" fenliu; done
fl_exchange a b c
fl_connect a b
fl_connect c b
# Scripts (GRAPH.md §7): a records every event it sees.
da=$(fl_dir a)
for s in host-up host-down subnet-up subnet-down; do
	printf '#!/bin/sh\necho "%s $NODE ${SUBNET:-} $NAME $INTERFACE" >> "%s/events"\n' "$s" "$da" >"$da/$s"
	chmod +x "$da/$s"
done
printf '#!/bin/sh\necho "hosts/c-up $NODE $REMOTEADDRESS" >> "%s/events"\n' "$da" >"$da/hosts/c-up"
chmod +x "$da/hosts/c-up"
for x in b a c; do fl_start "$x"; done
fl_wait_ping a c 30
fl_wait_ping a c 30 v6
fl_wait_udp a c
fl_wait_udp c a
fl_pings a c 10
fl_pings c a 10 v6
[ "$(fl_dump_field a c nexthop)" = b ] || fl_fail "a: nexthop of c is not b"
fl_reachable b a && fl_reachable b c || fl_fail "b does not see a and c"
fl_wait 10 "a: host-up scripts" grep -q "hosts/c-up c 192.0.2.3" "$da/events"
for want in "host-up b" "host-up c" "subnet-up a 203.0.113.1 a fl0" "subnet-up c 203.0.113.3 a fl0" \
	"subnet-up c 2001:db8::3 a fl0"; do
	grep -q "^$want" "$da/events" || { cat "$da/events"; fl_fail "a: no '$want' script run"; }
done
fl_cli a dump nodes
fl_cli a dump edges
fl_cli a dump subnets
fl_cli b dump connections
fl_stop c
fl_wait 20 "a: host-down c" grep -q "^host-down c" "$da/events"
# Each script is its own process: subnet-down may land after host-down.
fl_wait 20 "a: subnet-down for c" grep -q "^subnet-down c 203.0.113.3" "$da/events"
for x in a b; do fl_stop "$x"; done
grep -q "^subnet-down a 203.0.113.1" "$da/events" || fl_fail "a: no subnet-down for its own subnet at stop"
echo "ok: three fenliud nodes, direct UDP a <-> c, scripts"
