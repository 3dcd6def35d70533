#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The fenliu verbs that watch a running daemon (issue 18 item 4): top and
# pcap, against fenliud and against a stock tincd. a (fenliud) and b
# (tincd) are connected; while a pings b:
#   - `fenliu top` without a terminal prints one snapshot listing both nodes,
#     with b's packet counters moving, on either daemon;
#   - `fenliu pcap` against tincd writes a pcap file (tcpdump's magic, then
#     records) holding ICMP packets of the ping; against fenliud it writes a
#     valid header (fenliud does not feed pcap copies yet).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
fl_need_root
fl_need_tools ping
fl_need_fenliu
fl_need_tinc
fl_init

fl_net a b
fl_conf a fenliu
fl_conf b tinc
fl_exchange a b
fl_connect a b
fl_start b
fl_start a
fl_wait_ping a b 30
fenliu=$FENLIU_BUILD/src/cli/fenliu

# top NODE PEER: a snapshot naming both, the peer with packets counted.
top_check() {
	local out
	out=$(fl_cli_as fenliu "$1" top </dev/null) || fl_fail "top on $1 failed"
	grep -q "^Node  *IN pkts" <<<"$out" || fl_fail "top on $1: no header: $out"
	awk -v p="$2" '$1 == p && $2 > 0 {f=1} END {exit !f}' <<<"$out" ||
		fl_fail "top on $1: no packets counted for $2: $out"
	grep -q "^$1 " <<<"$out" || fl_fail "top on $1: does not list itself: $out"
}
top_check a b
top_check b a

# pcap NODE FILE: capture while a pings b, for a few seconds.
pcap() {
	fl_bg a sh -c "ping -i 0.2 -c 15 203.0.113.2 >/dev/null"
	local ping=$FL_LAST_BG
	timeout 4 "$fenliu" -c "$(fl_dir "$1")" --pidfile="$(fl_dir "$1")/pid" pcap 96 >"$2" || true
	wait "$ping" || true
}
magic() { od -An -tx4 -N4 "$1" | tr -d ' '; }
pcap b "$FL_TMP/b.pcap"
[ "$(magic "$FL_TMP/b.pcap")" = a1b2c3d4 ] || fl_fail "pcap from tincd: bad magic $(magic "$FL_TMP/b.pcap")"
size=$(stat -c %s "$FL_TMP/b.pcap")
[ "$size" -gt 100 ] || fl_fail "pcap from tincd: no packets ($size bytes)"
if command -v tcpdump >/dev/null; then
	tcpdump -nr "$FL_TMP/b.pcap" 2>/dev/null | grep -q "ICMP echo" ||
		fl_fail "pcap from tincd: tcpdump sees no ICMP echo"
fi
pcap a "$FL_TMP/a.pcap"
[ "$(magic "$FL_TMP/a.pcap")" = a1b2c3d4 ] || fl_fail "pcap from fenliud: bad magic"

for x in a b; do fl_stop "$x"; done
echo "RESULT cli_live pcap_tincd_bytes=$size"
echo "ok: top against fenliud and tincd, pcap files from tincd and fenliud"
