#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Compression levels 9 (zlib), 11 (LZO best) and 12 (LZ4): A and C ask for
# the level, pings with compressible payloads go through in both directions,
# and each side shows the level it uses towards the other.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_scenarios.sh"
fl_need_root
fl_need_tools ping
fl_need_fenliu
fl_init

for lvl in 9 11 12; do
	FL_CONF_a="Compression=$lvl" FL_CONF_b="Compression=$lvl" FL_CONF_c="Compression=$lvl" \
		fl_mesh3 fenliu fenliu fenliu
	fl_wait_ping a c 30
	fl_wait_udp a c
	n a ping -c 5 -i 0.2 -W 2 -s 1000 -p 61 203.0.113.3 >/dev/null || fl_fail "level $lvl: big pings lost"
	fl_pings c a 5
	[ "$(fl_dump_field a c compression)" = "$lvl" ] || fl_fail "a: compression to c is not $lvl"
	[ "$(fl_dump_field c a compression)" = "$lvl" ] || fl_fail "c: compression to a is not $lvl"
	fl_log "compression $lvl: ok"
	for x in a b c; do fl_stop "$x"; done
	for x in a b c hub; do ip netns del "$FL_PFX-$x"; done
	FL_NODES=()
done
echo "ok: compression 9, 11, 12"
