#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Request tracing as tincd's (issue 18 item 5): fenliud a and stock tincd b,
# a dialling b, both at -d4 (tinc's DEBUG_META: "Show contents of every
# request that is sent/received"). Each daemon's log must hold, for every
# request of the meta exchange (ID, ACK, ADD_EDGE, ADD_SUBNET), both "Sending REQ to PEER (HOST port
# PORT): N ..." and "Got REQ from PEER (HOST port PORT): N ...", worded
# alike, and each request one side logs as sent (REQ_KEY, ANS_KEY, ...)
# the other logs as got. At -d3 neither logs them.
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

# run LEVEL: both daemons at debug LEVEL until a ping went each way.
run() {
	FL_DEBUG=$1 fl_start b
	FL_DEBUG=$1 fl_start a
	fl_wait_ping a b 30
	fl_ping b a || true
	fl_stop a
	fl_stop b
}

line_re() { # DIR REQ PEER: the regex of one trace line
	local what=to
	[ "$1" = Got ] && what=from
	echo ": $1 $2 $what $3 \\(192\\.0\\.2\\.[0-9]+ port [0-9]+\\): [0-9]+( |\$)"
}

run 4
la=$(fl_dir a)/log
lb=$(fl_dir b)/log
n=0
for req in ID ACK ADD_EDGE ADD_SUBNET; do
	for dir in Sending Got; do
		# tincd names an incoming peer <unknown> until its ID line.
		peer_b=b peer_a=a
		[ "$req" = ID ] && [ "$dir" = Got ] && peer_a="<unknown>"
		# ... and words a broadcast once: "to everyone (BROADCAST)".
		grep -Eq "$(line_re "$dir" "$req" "$peer_a")" "$lb" ||
			grep -Eq ": $dir $req to everyone \(BROADCAST\): [0-9]+ " "$lb" ||
			fl_fail "stock tincd -d4: no '$dir $req' line for a (the test's idea of tinc's wording is wrong)"
		grep -Eq "$(line_re "$dir" "$req" "$peer_b")" "$la" ||
			fl_fail "fenliud -d4: no '$dir $req ... b (192.0.2.2 port N): ...' line; tincd has: $(grep -E ": $dir $req " "$lb" | head -n 1)"
		n=$((n + 1))
	done
done
# Whatever one side says it sent, the other logs as got (a stop may cut
# the last request off, or send after the peer left: TERMREQ, PING,
# PONG and the DEL_ requests are left out).
sent_kinds() {
	grep -oE ": Sending [A-Z_]+ to ($2|everyone) " "$1" | awk '{print $3}' | sort -u |
		grep -vE '^(TERMREQ|PING|PONG|DEL_EDGE|DEL_SUBNET)$' || true
}
for req in $(sent_kinds "$lb" a); do
	grep -Eq "$(line_re Got "$req" b)" "$la" || fl_fail "tincd sent $req to a, fenliud logs no 'Got $req from b'"
	n=$((n + 1))
done
for req in $(sent_kinds "$la" b); do
	grep -Eq "$(line_re Got "$req" a)" "$lb" || grep -Eq "$(line_re Got "$req" "<unknown>")" "$lb" ||
		fl_fail "fenliud sent $req to b, tincd logs no 'Got $req from a' (fenliud's trace is wrong)"
	n=$((n + 1))
done
got_a=$(grep -cE ': (Sending|Got) [A-Z_]+ (to|from) ' "$la")
got_b=$(grep -cE ': (Sending|Got) [A-Z_]+ (to|from) ' "$lb")
fl_log "-d4: $n checks passed (fenliud $got_a lines, tincd $got_b)"

rm -f "$la" "$lb"
run 3
for f in "$la" "$lb"; do
	! grep -qE ': (Sending|Got) [A-Z_]+ (to|from) ' "$f" || fl_fail "$f: request traces at -d3"
done
echo "RESULT trace checks=$n fenliud_lines=$got_a tincd_lines=$got_b"
echo "ok: fenliud traces meta requests at -d4 as tincd does, and not at -d3"
