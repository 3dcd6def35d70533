#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Garbage sent to B's meta port (TCP) and UDP port does not disturb the
# other tunnels: A <-> C through B keeps working and B keeps running.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_scenarios.sh"
fl_need_root
fl_need_tools ping
fl_need_fenliu
fl_init

fl_mesh3 fenliu fenliu fenliu
fl_wait_ping a c 30
fl_wait_ping a b 30
fl_add_ns x 9
for i in $(seq 20); do
	n x bash -c 'head -c $((RANDOM % 4000 + 1)) /dev/urandom >/dev/tcp/192.0.2.2/655' 2>/dev/null || true
	n x bash -c 'printf "0 a 17.7\n"; head -c 3000 /dev/urandom' >/dev/null 2>&1 || true
	n x bash -c "(printf '0 x 17.7\n'; head -c 500 /dev/urandom) >/dev/tcp/192.0.2.2/655" 2>/dev/null || true
	n x bash -c 'head -c $((RANDOM % 1600 + 1)) /dev/urandom >/dev/udp/192.0.2.2/655' 2>/dev/null || true
	# Valid-looking UDP prefix with a's node ID and junk after it.
	n x bash -c "{ head -c 6 /dev/zero; printf '\\x1f\\x40\\xfc\\x92\\xda\\x24'; head -c 100 /dev/urandom; } >/dev/udp/192.0.2.2/655" 2>/dev/null || true
done
kill -0 "${FL_PID[b]}" || fl_fail "b died"
fl_pings a c 10
fl_pings a b 5
fl_reachable a c || fl_fail "a lost c"
for x in a b c; do fl_stop "$x"; done
echo "ok: garbage ignored"
