#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 15.5: real tunnel datagrams from a to b, captured on a's eth0 and
# resent many times from the attacker x with a's source address and port (a
# raw socket): b's replay window must drop every copy, and the live tunnel
# must lose nothing. Short: 20,000 replays; FL_FAULTS_FULL=1: 200,000.
set -euo pipefail
. "$(dirname "$0")/lib_faults.sh"
ff_flood_setup
cap=$(fl_dir x)-capture
fl_bg a python3 "$FF_DIR/tools/udpflood.py" capture 192.0.2.2 655 --src 192.0.2.1 \
	--count 200 --secs 30 --file "$cap"
sniffer=$FL_LAST_BG
sleep 0.5
n a ping -q -c 300 -i 0.01 203.0.113.2 >/dev/null 2>&1 || true
wait "$sniffer" || fl_fail "captured no datagrams from a to b"
fl_log "captured $(wc -l <"$cap") datagrams a -> b"
ff_flood udp_flood_replay "$(ff_pick 20000 200000)" replay 192.0.2.2 655 --src 192.0.2.1 --file "$cap"
