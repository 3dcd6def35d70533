# SPDX-License-Identifier: MIT
# tests/e2e/lib_scenarios.sh: topologies shared by the e2e and interop
# tests, on top of lib.sh. Source after lib.sh.

# fl_mesh3 KIND_A KIND_B KIND_C: namespaces a, b, c on one bridge; a and c
# dial b. Extra per-node config via FL_CONF_a / FL_CONF_b / FL_CONF_c
# (space-separated VAR=VALUE or host:VAR=VALUE words). FL_BLOCK_AC=1 blocks
# UDP between a and c before anything starts.
fl_mesh3() {
	local ka=$1 kb=$2 kc=$3 x v
	fl_net a b c
	for x in a b c; do
		v="FL_CONF_$x"
		# shellcheck disable=SC2086
		fl_conf "$x" "$(eval echo \$k$x)" ${!v:-}
	done
	fl_exchange a b c
	fl_connect a b
	fl_connect c b
	if [ -n "${FL_BLOCK_AC:-}" ]; then
		fl_block_udp a c
		fl_block_udp c a
	fi
	for x in b a c; do fl_start "$x"; done
}

# fl_relayed_on_udp WHAT FROM RELAY ADDR: 20 pings of 1000 bytes FROM ->
# ADDR, relayed by RELAY (which must have run fl_count). RELAY's UDP
# counters carry both legs of every ping, and its meta connections less
# than half of one leg: the pings were not sent as SPTPS_PACKET over TCP.
fl_relayed_on_udp() {
	local what=$1 from=$2 relay=$3 addr=$4 cnt=20 size=1000 ui uo ti
	ui=$(fl_counter "$relay" udp_in bytes); uo=$(fl_counter "$relay" udp_out bytes)
	ti=$(fl_counter "$relay" tcp_in bytes)
	n "$from" ping -q -c $cnt -i 0.05 -W 2 -s $size "$addr" >/dev/null || fl_fail "$what: big pings $from -> $addr lost"
	ui=$(($(fl_counter "$relay" udp_in bytes) - ui))
	uo=$(($(fl_counter "$relay" udp_out bytes) - uo))
	ti=$(($(fl_counter "$relay" tcp_in bytes) - ti))
	fl_log "$what: relay $relay: udp in $ui B, udp out $uo B, tcp in $ti B for 2x$cnt pings of $size B"
	[ "$ui" -ge $((2 * cnt * size)) ] && [ "$uo" -ge $((2 * cnt * size)) ] ||
		fl_fail "$what: relayed pings did not cross $relay over UDP"
	[ "$ti" -lt $((cnt * size / 2)) ] || fl_fail "$what: relayed pings went over $relay's meta connections"
}

# fl_pings FROM TO COUNT [v6]: COUNT pings in a row, none may be lost.
fl_pings() {
	local i
	for i in $(seq "$3"); do
		fl_ping "$1" "$2" "${4:-}" || fl_fail "ping $1 -> $2 #$i lost"
	done
}

# fl_status NODE PEER: PEER's status word in NODE's dump (hex, no 0x).
fl_status() {
	fl_cli "$1" dump nodes 2>/dev/null | awk -v p="$2" '$1==p {for(i=1;i<=NF;i++) if($i=="status") print $(i+1)}'
}

# fl_dump_field NODE PEER FIELD: a field of PEER's line in NODE's `dump nodes`
# (the word after FIELD, e.g. "compression", "options", "nexthop", "pmtu").
fl_dump_field() {
	fl_cli "$1" dump nodes 2>/dev/null | awk -v p="$2" -v f="$3" '$1==p {for(i=1;i<=NF;i++) if($i==f) print $(i+1)}'
}

# fl_pmtu_fixed NODE PEER: "(min X max Y)" with X = Y > 0.
fl_pmtu_fixed() {
	local line min max
	line=$(fl_cli "$1" dump nodes 2>/dev/null | awk -v p="$2" '$1==p')
	min=$(sed -n 's/.*(min \([0-9]*\) max \([0-9]*\)).*/\1/p' <<<"$line")
	max=$(sed -n 's/.*(min \([0-9]*\) max \([0-9]*\)).*/\2/p' <<<"$line")
	[ -n "$min" ] && [ "$min" = "$max" ] && [ "$min" -gt 0 ]
}

# fl_log_has NODE REGEX: NODE's daemon log matches.
fl_log_has() { grep -qE "$2" "$(fl_dir "$1")/log" 2>/dev/null; }
