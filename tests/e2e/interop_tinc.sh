#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Interoperability with stock tinc 1.1 (TINC11_DIR = directory holding tincd
# and tinc; default build-peer/legacy/src, which scripts/test.sh builds):
#   1. fenliud dials tincd, and tincd dials fenliud: pings, UDP confirmed on
#      both sides (`tinc dump nodes` shows our node reachable, UDP confirmed);
#      each CLI against the other daemon.
#   2. TCPOnly: a fenliud TCPOnly node with a tinc peer, and the reverse.
#   3. Three-node meshes mixing both, UDP between the ends blocked so the
#      middle node relays: tinc relays for fenliud, fenliud relays for tinc.
#      nft counters on the relay prove the relayed packets stay on UDP.
#   4. Compression levels 9, 11, 12 between fenliud and tincd: nft counters
#      prove zero-filled pings cross the wire over UDP, compressed.
# FL_INTEROP_ONLY=N runs only part N.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_scenarios.sh"
fl_need_root
fl_need_tools ping nft
fl_need_fenliu
fl_need_tinc
fl_init

part() { [ -z "${FL_INTEROP_ONLY:-}" ] || [ "$FL_INTEROP_ONLY" = "$1" ]; }

# two KIND_A KIND_B: a dials b.
two() {
	fl_net a b
	fl_conf a "$1" ${FL_CONF_a:-}
	fl_conf b "$2" ${FL_CONF_b:-}
	fl_exchange a b
	fl_connect a b
	fl_start b
	fl_start a
}

if part 1; then
	for pair in "fenliu tinc" "tinc fenliu"; do
		# shellcheck disable=SC2086
		two $pair
		fl_wait_ping a b 30
		fl_wait_ping b a 30 v6
		fl_wait_udp a b
		fl_wait_udp b a
		fl_reachable a b && fl_reachable b a || fl_fail "$pair: not reachable both ways"
		fl_pings a b 10
		for x in a b; do
			other=$([ "${FL_KIND[$x]}" = tinc ] && echo fenliu || echo tinc)
			fl_cli_as "$other" "$x" dump nodes >"$(fl_dir "$x")/dump-other" ||
				fl_fail "$other CLI against ${FL_KIND[$x]} daemon on $x"
			grep -q '^a id ' "$(fl_dir "$x")/dump-other" || fl_fail "$other CLI: no node a on $x"
			fl_cli_as "$other" "$x" dump edges >/dev/null || fl_fail "$other CLI: dump edges on $x"
			fl_cli_as "$other" "$x" dump subnets | grep -q '203.0.113.1 owner a' ||
				fl_fail "$other CLI: dump subnets on $x"
			fl_cli_as "$other" "$x" dump connections >/dev/null || fl_fail "$other CLI: dump connections"
		done
		fl_log "part 1: $pair: direct UDP both ways, both CLIs: ok"
		fl_cli_as tinc a dump nodes
		fl_reset
	done
fi

if part 2; then
	for pair in "fenliu tinc" "tinc fenliu"; do
		FL_CONF_a="TCPOnly=yes" two $pair
		fl_wait_ping a b 30
		fl_pings a b 5
		fl_pings b a 5 v6
		fl_not fl_udp_confirmed b a || fl_fail "UDP confirmed with a TCPOnly node"
		fl_log "part 2: TCPOnly $pair: ok"
		fl_reset
	done
fi

if part 3; then
	for kinds in "fenliu tinc fenliu" "tinc fenliu tinc" "fenliu fenliu tinc" "tinc tinc fenliu"; do
		# shellcheck disable=SC2086
		FL_BLOCK_AC=1 fl_mesh3 $kinds
		fl_wait_ping a c 40
		# A relay accepts relayed UDP only from addresses it confirmed itself
		# (UDP.md §3.2), so wait for B's own probing before counting losses.
		fl_wait_udp b a
		fl_wait_udp b c
		fl_pings a c 10
		fl_pings c a 5 v6
		fl_count b
		fl_relayed_on_udp "$kinds" a b 203.0.113.3
		fl_not fl_udp_confirmed a c || fl_fail "$kinds: a claims UDP to c through the firewall"
		fl_reachable b a && fl_reachable b c || fl_fail "$kinds: b does not see a and c"
		fl_log "part 3: relayed mesh $kinds: ok"
		fl_reset
	done
fi

# compressed_on_udp LEVEL: zero-filled pings a <-> b: both of a's UDP
# counters see a datagram per ping, less than half the uncompressed bytes,
# and the meta connections do not carry them either.
compressed_on_udp() {
	local cnt=50 size=1200 pi po bi bo ti
	pi=$(fl_counter a udp_in packets); po=$(fl_counter a udp_out packets)
	bi=$(fl_counter a udp_in bytes); bo=$(fl_counter a udp_out bytes); ti=$(fl_counter a tcp_in bytes)
	n a ping -q -c $cnt -i 0.05 -W 2 -s $size -p 00 203.0.113.2 >/dev/null || fl_fail "level $1: zero pings lost"
	pi=$(($(fl_counter a udp_in packets) - pi)); po=$(($(fl_counter a udp_out packets) - po))
	bi=$(($(fl_counter a udp_in bytes) - bi)); bo=$(($(fl_counter a udp_out bytes) - bo))
	ti=$(($(fl_counter a tcp_in bytes) - ti))
	fl_log "level $1: a: udp in $pi pkts $bi B, out $po pkts $bo B, tcp in $ti B for $cnt pings of $size B"
	[ "$pi" -ge $cnt ] && [ "$po" -ge $cnt ] || fl_fail "level $1: pings did not go over UDP"
	[ "$bo" -lt $((cnt * size / 2)) ] || fl_fail "level $1: fenliud -> tincd not compressed ($bo B)"
	[ "$bi" -lt $((cnt * size / 2)) ] || fl_fail "level $1: tincd -> fenliud not compressed ($bi B)"
	[ "$ti" -lt $((cnt * size / 2)) ] || fl_fail "level $1: pings went over the meta connection"
}

if part 4; then
	for lvl in 9 11 12; do
		FL_CONF_a="Compression=$lvl" FL_CONF_b="Compression=$lvl" two fenliu tinc
		fl_wait_ping a b 30
		fl_wait_udp a b
		fl_wait_udp b a
		n a ping -c 5 -i 0.2 -W 2 -s 1000 -p 61 203.0.113.2 >/dev/null || fl_fail "level $lvl: big pings lost"
		n b ping -c 5 -i 0.2 -W 2 -s 1000 -p 61 203.0.113.1 >/dev/null || fl_fail "level $lvl: big pings lost"
		[ "$(fl_dump_field a b compression)" = "$lvl" ] || fl_fail "fenliud: compression to tinc is not $lvl"
		[ "$(fl_dump_field b a compression)" = "$lvl" ] || fl_fail "tincd: compression to fenliud is not $lvl"
		fl_count a
		compressed_on_udp "$lvl"
		fl_log "part 4: compression $lvl: ok"
		fl_reset
	done
fi
echo "ok: interop with stock tinc 1.1"
