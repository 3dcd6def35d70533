#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench/tunnel_speed.sh: one iperf3 TCP stream between two network namespaces,
# measured three ways in the same run: over the raw veth underlay, through a
# stock tinc 1.1 - tinc 1.1 tunnel (when TINC11_DIR names the directory
# holding tincd and tinc), and through a fenliud - fenliud tunnel (release
# build in FENLIU_BUILD, default build/). Prints one line per measurement
# and the fenliud/tinc ratio. Each tunnel is measured BENCH_RUNS times (default
# 3; tinc and fenliud runs alternate, both tunnels stay up) and the median is
# printed, so a busy machine skews both alike. Needs root.
# Usage: bench/tunnel_speed.sh [SECONDS]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
export FENLIU_BUILD=${FENLIU_BUILD:-$top/build}
export ASAN_OPTIONS= UBSAN_OPTIONS=
. "$top/tests/e2e/lib.sh"
secs=${1:-${BENCH_SECONDS:-8}}
fl_need_root
fl_need_tools iperf3 ping
fl_init

# iperf_mbits FROM_NODE TO_ADDR: receiver-side Mbit/s of one TCP stream.
iperf_mbits() {
	local from=$1 addr=$2 to=$3
	fl_bg "$to" iperf3 -s -1 -B "$addr" >/dev/null 2>&1
	fl_wait 10 "iperf3 server on $addr" bash -c "ip netns exec $FL_PFX-$to ss -ltn | grep -q '$addr:5201'"
	n "$from" iperf3 -c "$addr" -t "$secs" -f m |
		awk '/receiver/ { for (i = 1; i <= NF; i++) if ($i == "Mbits/sec") print $(i-1) }'
}

gbit() { awk -v m="$1" 'BEGIN { printf "%.2f", m / 1000 }'; }

# cpu_ticks PID...: user + system clock ticks used so far by the processes.
cpu_ticks() {
	local p t=0
	for p in "$@"; do
		t=$((t + $(awk '{ print $14 + $15 }' "/proc/$p/stat")))
	done
	echo "$t"
}

# tunnel_run LABEL: iperf a -> b through the tunnel; prints throughput and
# the daemons' CPU time per GB moved (a load-independent efficiency figure).
tunnel_run() {
	local label=$1 t0 t1 mb cpu
	t0=$(cpu_ticks "${FL_PID[a]}" "${FL_PID[b]}")
	mb=$(iperf_mbits a 203.0.113.2 b)
	t1=$(cpu_ticks "${FL_PID[a]}" "${FL_PID[b]}")
	cpu=$(awk -v t=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" -v m="$mb" -v s="$secs" \
		'BEGIN { gb = m * s / 8000; printf "%.2f", (gb > 0 ? t / hz / gb : 0) }')
	echo "$mb $cpu"
}

runs=${BENCH_RUNS:-3}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

fl_net a b c d
raw=$(iperf_mbits a 192.0.2.2 b)
echo "raw veth:            $(gbit "$raw") Gbit/s"

# tinc on a -> b, fenliud on c -> d; tunnel_run measures a -> b, so the
# fenliud pair is measured by swapping the names in FL_PID/FL_IDX.
have_tinc=
if [ -n "${TINC11_DIR:-}" ] && [ -x "$TINC11_DIR/tincd" ]; then
	have_tinc=1
	fl_conf a tinc; fl_conf b tinc
	fl_exchange a b; fl_connect a b
	fl_start b; fl_start a
	fl_wait_ping a b 30
	fl_wait_udp a b
else
	echo "tinc 1.1 - tinc 1.1: skipped (set TINC11_DIR to the directory holding tincd and tinc)"
fi
have_fen=
if [ -x "$FENLIU_BUILD/src/daemon/fenliud" ]; then
	have_fen=1
	fl_conf c fenliu; fl_conf d fenliu
	fl_exchange c d; fl_connect c d
	fl_start d; fl_start c
	fl_wait_ping c d 30
	fl_wait_udp c d
else
	echo "fenliud - fenliud:   skipped (no fenliud in $FENLIU_BUILD)"
fi

# fen_run: tunnel_run for the c -> d pair.
fen_run() {
	local pa=${FL_PID[a]:-} pb=${FL_PID[b]:-}
	FL_PID[a]=${FL_PID[c]}; FL_PID[b]=${FL_PID[d]}
	mb=$(iperf_mbits c 203.0.113.4 d)
	FL_PID[a]=$pa; FL_PID[b]=$pb
	echo "$mb"
}

tinc_v=(); tinc_c=(); fen_v=(); fen_c=()
for i in $(seq "$runs"); do
	if [ -n "$have_tinc" ]; then
		read -r v c < <(tunnel_run tinc)
		tinc_v+=("$v"); tinc_c+=("$c")
	fi
	if [ -n "$have_fen" ]; then
		t0=$(cpu_ticks "${FL_PID[c]}" "${FL_PID[d]}")
		v=$(fen_run)
		t1=$(cpu_ticks "${FL_PID[c]}" "${FL_PID[d]}")
		c=$(awk -v t=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" -v m="$v" -v s="$secs" \
			'BEGIN { gb = m * s / 8000; printf "%.2f", (gb > 0 ? t / hz / gb : 0) }')
		fen_v+=("$v"); fen_c+=("$c")
	fi
done
if [ -n "$have_tinc" ]; then
	tinc=$(printf '%s\n' "${tinc_v[@]}" | median)
	echo "tinc 1.1 - tinc 1.1: $(gbit "$tinc") Gbit/s, daemons' CPU $(printf '%s\n' "${tinc_c[@]}" | median) s per GB (median of $runs: ${tinc_v[*]} Mbit/s)"
fi
if [ -n "$have_fen" ]; then
	fen=$(printf '%s\n' "${fen_v[@]}" | median)
	line="fenliud - fenliud:   $(gbit "$fen") Gbit/s, daemons' CPU $(printf '%s\n' "${fen_c[@]}" | median) s per GB (median of $runs: ${fen_v[*]} Mbit/s)"
	[ -n "$have_tinc" ] && line="$line; $(awk -v f="$fen" -v t="$tinc" 'BEGIN { printf "%.2f", f / t }')x tinc 1.1"
	echo "$line"
fi

# --- switch mode (Mode = switch, TAP devices; BENCH_SWITCH=0 skips) ---
# After the router-mode figures, the same pairs restart with Mode = switch on
# TAP devices (203.0.113.i/24 on the TAP itself): tinc 1.1 on a -> b,
# fenliud on c -> d, measured alike; the fenliud TAP figure is also given as
# a share of the fenliud TUN (router) figure of this run.
# sw_pair NODE1 NODE2 KIND: configure and start a switch-mode pair.
sw_pair() {
	local x
	for x in "$1" "$2"; do fl_stop "$x"; done
	for x in "$1" "$2"; do
		fl_conf "$x" "$3" Mode=switch
		sed -i 's/^DeviceType = tun$/DeviceType = tap/' "$(fl_dir "$x")/tinc.conf"
	done
	fl_exchange "$1" "$2"; fl_connect "$1" "$2"
	fl_start "$2"; fl_start "$1"
	fl_wait_ping "$1" "$2" 30
	fl_wait_udp "$1" "$2"
}

# sw_run FROM TO: "Mbit/s cpu-s-per-GB" of one iperf3 run FROM -> TO.
sw_run() {
	local t0 t1 v
	t0=$(cpu_ticks "${FL_PID[$1]}" "${FL_PID[$2]}")
	v=$(iperf_mbits "$1" "203.0.113.${FL_IDX[$2]}" "$2")
	t1=$(cpu_ticks "${FL_PID[$1]}" "${FL_PID[$2]}")
	awk -v t=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" -v m="$v" -v s="$secs" \
		'BEGIN { gb = m * s / 8000; printf "%s %.2f\n", m, (gb > 0 ? t / hz / gb : 0) }'
}

bench_switch() {
	local swf_v=() swf_c=() swt_v=() swt_c=() v c i swf swt line
	[ "${BENCH_SWITCH:-1}" != 0 ] || return 0
	[ -z "$have_tinc" ] || sw_pair a b tinc
	[ -z "$have_fen" ] || sw_pair c d fenliu
	for i in $(seq "$runs"); do
		if [ -n "$have_tinc" ]; then
			read -r v c < <(sw_run a b)
			swt_v+=("$v"); swt_c+=("$c")
		fi
		if [ -n "$have_fen" ]; then
			read -r v c < <(sw_run c d)
			swf_v+=("$v"); swf_c+=("$c")
		fi
	done
	if [ -n "$have_tinc" ]; then
		swt=$(printf '%s\n' "${swt_v[@]}" | median)
		echo "tinc 1.1 switch (tap): $(gbit "$swt") Gbit/s, daemons' CPU $(printf '%s\n' "${swt_c[@]}" | median) s per GB (median of $runs: ${swt_v[*]} Mbit/s)"
	fi
	if [ -n "$have_fen" ]; then
		swf=$(printf '%s\n' "${swf_v[@]}" | median)
		line="fenliud switch (tap): $(gbit "$swf") Gbit/s, daemons' CPU $(printf '%s\n' "${swf_c[@]}" | median) s per GB (median of $runs: ${swf_v[*]} Mbit/s)"
		line="$line; $(awk -v f="$swf" -v t="$fen" 'BEGIN { printf "%.0f", 100 * f / t }')% of fenliud tun"
		[ -n "$have_tinc" ] && line="$line; $(awk -v f="$swf" -v t="$swt" 'BEGIN { printf "%.2f", f / t }')x tinc 1.1 switch"
		echo "$line"
	fi
}
bench_switch
# --- end switch mode ---
