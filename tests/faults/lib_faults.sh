# SPDX-License-Identifier: MIT
# tests/faults/lib_faults.sh: helpers shared by the fault and abuse scenarios
# in tests/faults/. Source it (after nothing else: it sources the e2e
# library and its topologies); do not run it.
#
# Contract (doc/faults.md): each scenario is one script that exits 0, 1 or
# 77, runs a short form by default and the issue's full length with
# FL_FAULTS_FULL=1, and prints `RESULT <scenario> key=value ...` lines on
# stdout. FL_FORCE_KIND=tinc runs every node as stock tincd instead, which
# gives the comparison column and shows the scenario itself is sound.

FF_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$FF_DIR/../e2e/lib.sh"
. "$FF_DIR/../e2e/lib_scenarios.sh"

FF_KIND=${FL_FORCE_KIND:-fenliu}

# ff_full: true when the full-length version was asked for.
ff_full() { [ "${FL_FAULTS_FULL:-0}" = 1 ]; }

# ff_pick SHORT FULL: print the value for the current length.
ff_pick() { if ff_full; then echo "$2"; else echo "$1"; fi; }

# ff_result SCENARIO KEY=VALUE...: one machine-readable line on stdout. The
# victim's kind goes first so the fenliu and tinc runs can sit side by side.
ff_result() {
	local s=$1
	shift
	echo "RESULT $s kind=$FF_KIND $*"
}

# ff_rss NODE: VmRSS of NODE's daemon in kB (0 when it is gone).
ff_rss() {
	local pid=${FL_PID[$1]:-}
	[ -n "$pid" ] || { echo 0; return; }
	awk '/^VmRSS/ {print $2; f=1} END {if (!f) print 0}' "/proc/$pid/status" 2>/dev/null || echo 0
}

# ff_rss_all TAG: log every node's VmRSS, e.g. `rss_before a=9100 b=9300`.
ff_rss_all() {
	local x out=""
	for x in "${FL_NODES[@]}"; do
		[ -n "${FL_PID[$x]:-}" ] && out+=" $x=$(ff_rss "$x")"
	done
	fl_log "VmRSS $1:$out kB"
}

# ff_alive NODE: its daemon still runs.
ff_alive() { [ -n "${FL_PID[$1]:-}" ] && kill -0 "${FL_PID[$1]}" 2>/dev/null; }

# ff_drop_total NODE: the sum of NODE's data-plane drop counters (the
# `drop` scope of `fenliu dump stats`, one line per reason; the per-peer
# `drop-REASON` lines repeat them and are not added again), or "n/a" for a
# stock tincd, which has no such counters. A fenliud that cannot dump its
# stats fails the scenario.
ff_drop_total() {
	local out
	if [ "${FL_KIND[$1]}" != fenliu ]; then
		echo n/a
		return
	fi
	out=$(fl_cli "$1" dump stats) || { echo error; return 1; }
	awk '$1 == "drop" && $3 ~ /^[0-9]+$/ {s += $3} END {print s + 0}' <<<"$out"
}

# ff_counted NODE BEFORE SENT: print how many of SENT datagrams NODE counted
# as dropped since BEFORE (a value of ff_drop_total), or n/a; return 1 when
# counters exist and fewer than 90% of SENT were counted.
ff_counted() {
	local after
	after=$(ff_drop_total "$1")
	if [ "$after" = n/a ] || [ "$2" = n/a ]; then
		echo n/a
		return 0
	fi
	# a fenliud whose stats could not be read fails the check
	case "$after$2" in *[!0-9]*) echo error; return 1 ;; esac
	echo $((after - $2))
	[ $(((after - $2) * 10)) -ge $(($3 * 9)) ]
}

# ff_ping_start FROM TO COUNT INTERVAL OUTFILE: start a background ping of
# COUNT packets through the tunnel; $FF_PING is ping's own pid (not through
# n(): SIGINT must reach ping, which then prints its summary and exits).
ff_ping_start() {
	local i=${FL_IDX[$2]}
	ip netns exec "$FL_PFX-$1" ping -q -c "$3" -i "$4" -W 2 "203.0.113.$i" >"$5" 2>&1 &
	FF_PING=$!
	FL_PIDS+=("$FF_PING")
}

# ff_ping_stop PID FILE: stop a background ping with SIGINT (it then prints
# its summary) and mark FILE so that ff_loss and ff_lost do not count the
# probe that may have been in flight at that moment: ping counts it as
# sent and never received, a loss of one in a few hundred that says
# nothing about the tunnel (it made kill_restart fail once on CI).
ff_ping_stop() {
	kill -INT "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
	echo "# stopped by SIGINT" >>"$2"
}

# ff_sent_recv FILE: "SENT RECEIVED" of a finished ping's summary, the
# probe in flight at ff_ping_stop counted as received.
ff_sent_recv() {
	awk '/packets transmitted/ { s = $1; r = $4 } /^# stopped by SIGINT/ { stop = 1 }
		END { if (stop && s > r) r++; print s + 0, r + 0 }' "$1"
}

# ff_loss FILE: the loss percentage of a finished ping ("0%", "1.25%").
ff_loss() {
	ff_sent_recv "$1" | awk '$1 > 0 { printf "%g%%\n", 100 * ($1 - $2) / $1 }'
}

# ff_raise_nofile N: raise this shell's open-file limit (inherited by the
# daemons and tools started afterwards).
ff_raise_nofile() { ulimit -n "$1" 2>/dev/null || ulimit -n "$(ulimit -Hn)"; }

# ff_flood_setup: the flood topology. a, b and c as in fl_mesh3 (a and c
# dial b), b is the victim, and an attacker namespace x (192.0.2.9) on the
# same bridge with no tinc at all. Waits until a reaches b and c over UDP.
ff_flood_setup() {
	fl_need_root
	fl_need_tools ping python3
	fl_need_fenliu
	fl_init
	fl_mesh3 fenliu fenliu fenliu
	fl_add_ns x 9
	fl_wait_ping a b 30
	fl_wait_ping a c 30
	fl_wait_udp a b
	fl_wait_udp a c
}

# ff_flood SCENARIO COUNT TOOL-ARGS...: run udpflood.py in x against b's UDP
# port (COUNT datagrams, paced) while a pings b and c through the tunnel,
# then check: no ping lost, b alive, b's VmRSS bounded, and (when b has drop
# counters) at least 90% of the datagrams counted as dropped.
ff_flood() {
	local name=$1 count=$2 rate=${FF_RATE:-5000}
	shift 2
	local secs=$(((count + rate - 1) / rate)) pings d before rss0 rss1 out sent counted loss_b loss_c rc=0
	d=$(fl_dir b)
	pings=$((secs * 20 + 40))
	rss0=$(ff_rss b)
	ff_rss_all before
	before=$(ff_drop_total b)
	ff_ping_start a b "$pings" 0.05 "$d/ping_b"
	local pb=$FF_PING
	ff_ping_start a c "$pings" 0.05 "$d/ping_c"
	local pc=$FF_PING
	sleep 0.5
	out=$(n x python3 "$FF_DIR/tools/udpflood.py" "$@" --count "$count" --rate "$rate") ||
		fl_fail "$name: flood tool failed: $out"
	sent=$(sed -n 's/.*sent=\([0-9]*\).*/\1/p' <<<"$out")
	wait "$pb" || true
	wait "$pc" || true
	ff_rss_all after
	rss1=$(ff_rss b)
	loss_b=$(ff_loss "$d/ping_b")
	loss_c=$(ff_loss "$d/ping_c")
	counted=$(ff_counted b "$before" "$sent") || { fl_log "$name: b counted only $counted of $sent"; rc=1; }
	ff_result "$name" "loss=${loss_b:-?}" "loss_ac=${loss_c:-?}" "sent=$sent" "rate=$rate/s" \
		"counted=$counted" "rss_before_kb=$rss0" "rss_after_kb=$rss1"
	ff_alive b || fl_fail "$name: victim b died"
	[ "$loss_b" = 0% ] || { fl_log "$name: pings a -> b lost: $(cat "$d/ping_b")"; rc=1; }
	[ "$loss_c" = 0% ] || { fl_log "$name: pings a -> c lost: $(cat "$d/ping_c")"; rc=1; }
	[ "$rss1" -le $((rss0 + 65536)) ] || { fl_log "$name: b grew from $rss0 to $rss1 kB"; rc=1; }
	fl_reachable a c || { fl_log "$name: a lost c"; rc=1; }
	for x in a b c; do fl_stop "$x"; done
	[ "$rc" -eq 0 ] || fl_fail "$name"
	echo "ok: $name: $sent datagrams, no ping lost"
}

# ff_ms: wall-clock milliseconds, for the outage windows below.
ff_ms() { date +%s%3N; }

# ff_pinger_start NAME FROM ADDR: FROM pings ADDR every 10 ms, with
# timestamps (ping -D), into $FL_TMP/NAME.ping until ff_pinger_stop.
ff_pinger_start() {
	fl_bg "$2" ping -D -i 0.01 -W 1 "$3" >"$FL_TMP/$1.ping" 2>&1
	FF_PINGER=$FL_LAST_BG
}
# ff_pinger_stop: SIGINT, so that ping prints its summary.
ff_pinger_stop() {
	kill -INT "$FF_PINGER" 2>/dev/null || true
	wait "$FF_PINGER" 2>/dev/null || true
}

# ff_gap_stats FILE START_MS END_MS: "sent received loss% longest_gap_ms"
# from an ff_pinger file; the gap is the longest time between START, the
# replies and END without a reply (a dead tunnel shows as the whole window).
ff_gap_stats() {
	awk -v t="$2" -v end="$3" '
		/icmp_seq=/ && /^\[/ { ts = substr($1, 2, length($1) - 2) * 1000
			if (ts - t > gap) gap = ts - t; t = ts }
		/packets transmitted/ { sent = $1; recv = $4 }
		END {
			if (end - t > gap) gap = end - t
			loss = sent ? 100 * (sent - recv) / sent : 100
			printf "%d %d %.1f %d\n", sent, recv, loss, gap }' "$1"
}

# ff_kernel_drops NODE: packets the kernel has dropped so far on every
# device of NODE's namespace (devices' tx_dropped plus qdisc drops). A TUN
# or TAP whose reader falls behind (a loaded machine, a sanitizer build)
# drops there, before the daemon sees the packet: a flood test may excuse
# a lost probe only up to that many.
ff_kernel_drops() {
	n "$1" sh -c 'cat /sys/class/net/*/statistics/tx_dropped 2>/dev/null
		tc -s qdisc show 2>/dev/null | sed -n "s/.*dropped \([0-9]*\).*/\1/p"' |
		awk '{ s += $1 } END { print s + 0 }'
}

# ff_lost FILE: pings lost according to a finished ping's summary.
ff_lost() { ff_sent_recv "$1" | awk '{ print $1 - $2 }'; }

# ff_loss_ok FILE LIMIT_PCT KDROPS: true if the ping's loss is within
# LIMIT_PCT percent, or every lost ping is explained by the kernel queue
# drops KDROPS counted over the same time.
ff_loss_ok() {
	local loss lost
	loss=$(ff_loss "$1")
	lost=$(ff_lost "$1")
	awk -v l="${loss%\%}" -v m="$2" 'BEGIN { exit !(l <= m) }' && return 0
	[ "$3" -gt 0 ] && [ "$lost" -le "$3" ]
}
