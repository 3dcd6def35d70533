#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The fenliu verbs that watch a running daemon (issue 18 item 4): top and
# pcap, against fenliud and against a stock tincd. a (fenliud) and b
# (tincd) are connected; while a pings b:
#   - `fenliu top` without a terminal prints one snapshot listing both nodes,
#     with b's packet counters moving, on either daemon;
#   - `fenliu pcap` against either daemon, and stock `tinc pcap` against
#     fenliud, write a pcap file (tcpdump's magic, then records) holding the
#     ICMP echo requests and replies of the ping (tests/e2e/pcap_check.py).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
fl_need_root
fl_need_tools ping python3
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

# pcap KIND NODE FILE: KIND's CLI captures on NODE while a pings b.
pcap() {
	fl_bg a sh -c "ping -i 0.2 -c 15 203.0.113.2 >/dev/null"
	local ping=$FL_LAST_BG
	timeout 4 "$(cli_bin "$1")" -c "$(fl_dir "$2")" --pidfile="$(fl_dir "$2")/pid" pcap 96 >"$3" || true
	wait "$ping" || true
}
cli_bin() { if [ "$1" = tinc ]; then echo "$TINC11_DIR/tinc"; else echo "$fenliu"; fi; }
# Both directions of the ping, parsed record by record (tcpdump is not
# needed): at least 5 echo requests and 5 replies between .1 and .2.
pcap_ok() {
	local out
	out=$(python3 "$(dirname "$0")/pcap_check.py" "$4" 203.0.113.1 203.0.113.2 5 2>&1) ||
		fl_fail "$1 pcap against $2 ($3): $out"
	fl_log "$1 pcap against $2 ($3): $out"
}
pcap fenliu b "$FL_TMP/b.pcap"
pcap_ok fenliu b tincd "$FL_TMP/b.pcap"
pcap fenliu a "$FL_TMP/a.pcap"
pcap_ok fenliu a fenliud "$FL_TMP/a.pcap"
pcap tinc a "$FL_TMP/a-tinc.pcap"
pcap_ok tinc a fenliud "$FL_TMP/a-tinc.pcap"
# The capture ended with its client: copies stop, the tunnel goes on.
fl_wait_ping a b 10

for x in a b; do fl_stop "$x"; done
