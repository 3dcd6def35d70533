#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `fenliu dump stats` counts drops by reason and by peer: random UDP from a
# stranger is "unknown-source", garbage carrying a real node ID from that
# node's address (spoofed) is "auth" against that peer, a datagram longer
# than the receive buffer is "oversize" (not auth), and each is logged at
# -d3, rate limited with a "suppressed" count. A stock tinc CLI still works
# against fenliud (with TINC11_DIR).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_scenarios.sh"
fl_need_root
fl_need_tools ping python3
fl_need_fenliu
fl_init
send() { n x python3 "$(dirname "$0")/udpsend.py" "$@" | awk '{print $2}'; }
# stat NODE SCOPE NAME: one counter of NODE's `dump stats`.
stat() { fl_cli "$1" dump stats | awk -v s="$2" -v k="$3" '$1 == s && $2 == k {print $3}'; }

fl_net a b x
for x in a b; do fl_conf "$x" fenliu; done
fl_exchange a b
fl_connect a b
fl_start b
fl_start a
fl_wait_ping a b 30
fl_wait_udp a b
fl_cli a dump stats >"$FL_TMP/stats0"
grep -qx 'drop auth [0-9]*' "$FL_TMP/stats0" || fl_fail "no 'drop auth' line"
grep -qx 'peer:b drop-auth [0-9]*' "$FL_TMP/stats0" || fl_fail "no 'peer:b drop-auth' line"
grep -qx 'udp_txq depth [0-9]*' "$FL_TMP/stats0" || fl_fail "no 'udp_txq depth' line"
grep -qx 'meta_frame dropped [0-9]*' "$FL_TMP/stats0" || fl_fail "no 'meta_frame dropped' line"

# 1. A flood of random datagrams from a stranger.
in0=$(stat a dataplane udp_in); unk0=$(stat a drop unknown-source)
sent=$(send random 192.0.2.1 655 3000)
fl_wait 10 "a: flood counted" eval '[ "$(stat a drop unknown-source)" -ge $((unk0 + sent * 9 / 10)) ]'
in1=$(stat a dataplane udp_in); unk1=$(stat a drop unknown-source)
[ $((unk1 - unk0)) -le $((in1 - in0)) ] || fl_fail "more unknown-source drops than datagrams in"
fl_log "random: sent $sent, udp_in +$((in1 - in0)), unknown-source +$((unk1 - unk0))"

# 2. Garbage with b's node ID from b's address and port (spoofed).
bid=$(fl_dump_field a b id)
auth0=$(stat a peer:b drop-auth)
sent=$(send spoof 192.0.2.2 655 192.0.2.1 655 "$bid" 100 0.5)
fl_wait 10 "a: spoofed garbage counted as auth failures" eval '[ "$(stat a peer:b drop-auth)" -ge $((auth0 + sent)) ]'
fl_log "spoofed: sent $sent, peer:b drop-auth +$(( $(stat a peer:b drop-auth) - auth0 ))"

# 3. Oversize: longer than the 1673-byte receive buffer.
big0=$(stat a drop oversize); auth1=$(stat a drop auth)
sent=$(send big 192.0.2.1 655 5 2000)
fl_wait 10 "a: oversize counted" eval '[ "$(stat a drop oversize)" -ge $((big0 + sent)) ]'
[ "$(stat a drop auth)" -eq "$auth1" ] || fl_fail "oversize datagrams counted as auth failures"

# Logged at -d3, naming the peer and address, rate limited.
fl_log_has a 'b \(192\.0\.2\.2 port 655\): dropped packet: auth' || fl_fail "no log line for the auth drops"
fl_log_has a 'unknown \(192\.0\.2\.3 port [0-9]+\): dropped packet: oversize' || fl_fail "no log line for oversize"
# The count of what a second swallowed comes with the next second's line.
more() { send random 192.0.2.1 655 1 >/dev/null; fl_log_has a 'Dropped packets \(unknown-source\): suppressed [0-9]+ log lines'; }
fl_wait 10 "a: 'suppressed N' log line" more
lines=$(grep -c 'dropped packet: unknown-source' "$(fl_dir a)/log")
[ "$lines" -lt 100 ] || fl_fail "$lines log lines for one flood: not rate limited"

fl_pings a b 3
# dump nodes carries each node's traffic counters (rx/tx packets).
for f in rx tx; do
	[ "$(fl_dump_field a b $f)" -gt 0 ] || fl_fail "a: dump nodes shows no $f packets for b"
done
if [ -n "${TINC11_DIR:-}" ] && [ -x "$TINC11_DIR/tinc" ]; then
	fl_cli_as tinc a dump nodes | grep -q '^b id' || fl_fail "stock tinc CLI: dump nodes against fenliud"
fi
fl_cli a dump stats >&2
for x in a b; do fl_stop "$x"; done
echo "ok: dump stats counts unknown-source, auth (per peer) and oversize drops"
