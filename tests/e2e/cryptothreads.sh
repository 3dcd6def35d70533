#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# CryptoThreads (issue 16): with 1, 2 and 4 crypto workers on both nodes, a
# sequence-numbered UDP stream (iperf3 -u: each datagram carries a counter,
# the receiver counts lost and out-of-order ones) crosses the tunnel a -> b
# at a rate this machine sustains with zero loss and zero reordering, and
# one TCP stream's retransmissions do not grow with the worker count.
# Then `fenliu reload` changes CryptoThreads on a running node: the new
# workers start at once (log) and the tunnel keeps carrying a UDP stream
# with zero reordering.
# CT_RATE (default 20M) and CT_SECS (default 4) set the UDP run.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
fl_need_root
fl_need_tools ping iperf3 python3
fl_need_fenliu
fl_init

rate=${CT_RATE:-20M}
secs=${CT_SECS:-4}
declare -A retr

# json_field FILE EXPR: a value out of iperf3's JSON report.
json_field() {
	python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

run() {
	local nt=$1 dir log
	fl_net a b
	fl_conf a fenliu "CryptoThreads=$nt"
	fl_conf b fenliu "CryptoThreads=$nt"
	fl_exchange a b
	fl_connect a b
	fl_start b
	fl_start a
	fl_wait_ping a b 30
	fl_wait_udp a b
	dir=$(fl_dir a)
	log=$dir/log
	if [ "$nt" -gt 1 ]; then
		grep -q "Crypto pipeline: $nt workers" "$log" || fl_fail "a: no $nt-worker pipeline in the log"
	elif grep -q "Crypto pipeline" "$log"; then
		fl_fail "a: CryptoThreads = 1 started workers"
	fi
	fl_bg b iperf3 -s
	fl_wait 20 "iperf3 server in b" nq b sh -c 'ss -ltn | grep -q ":5201 "'
	local lost ooo pkts try
	# Loss is retried (this machine is shared: a stalled moment drops at a
	# socket); reordering never is.
	for try in 1 2 3; do
		n a timeout $((secs + 30)) iperf3 -c 203.0.113.2 -u -b "$rate" -l 1200 -w 2M -t "$secs" --json \
			--get-server-output >"$dir/udp.json" || fl_fail "iperf3 -u failed with CryptoThreads = $nt"
		lost=$(json_field "$dir/udp.json" "j['end']['sum']['lost_packets']")
		pkts=$(json_field "$dir/udp.json" "j['end']['sum']['packets']")
		# The receiver counts reordering: its summary's last such line.
		ooo=$(json_field "$dir/udp.json" "([0]+[int(x) for x in __import__('re').findall(r'(\\d+) datagrams received out-of-order', j.get('server_output_text', ''))])[-1]")
		echo "RESULT cryptothreads_udp workers=$nt try=$try rate=$rate packets=$pkts lost=$lost out_of_order=$ooo"
		[ "$ooo" -eq 0 ] || fl_fail "CryptoThreads = $nt: $ooo datagrams out of order"
		[ "$lost" -ne 0 ] || break
		for x in a b; do
			echo "-- $x: drops"; fl_cli "$x" dump stats 2>&1 | grep -v ' 0$' | head -30
		done
	done
	# TCP: the fewest retransmissions of three runs (one stalled moment on
	# this shared machine costs hundreds; a trend shows in all three).
	local gbit r
	retr[$nt]=
	for try in 1 2 3; do
		n a timeout $((secs + 30)) iperf3 -c 203.0.113.2 -t "$secs" --json >"$dir/tcp.json" ||
			fl_fail "iperf3 TCP failed with CryptoThreads = $nt"
		r=$(json_field "$dir/tcp.json" "j['end']['sum_sent']['retransmits']")
		gbit=$(json_field "$dir/tcp.json" "'%.3f' % (j['end']['sum_received']['bits_per_second'] / 1e9)")
		echo "RESULT cryptothreads_tcp workers=$nt try=$try gbit=$gbit retransmits=$r"
		[ -n "${retr[$nt]}" ] && [ "${retr[$nt]}" -le "$r" ] || retr[$nt]=$r
	done
	[ "$lost" -eq 0 ] || fl_fail "CryptoThreads = $nt: $lost of $pkts datagrams lost"
	[ "$pkts" -gt 0 ] || fl_fail "CryptoThreads = $nt: nothing received"
	# The pipeline's path, proved by a's counters: with workers, batches
	# were handed off and sent while the next one was sealed; with one
	# worker, none.
	local handoffs overlap drains
	fl_cli a dump stats >"$dir/stats" 2>&1 || fl_fail "a: dump stats failed"
	handoffs=$(awk '$1 == "crypto_pipeline" && $2 == "handoffs" { print $3 }' "$dir/stats")
	overlap=$(awk '$1 == "crypto_pipeline" && $2 == "overlap_sent" { print $3 }' "$dir/stats")
	drains=$(awk '$1 == "crypto_pipeline" && $2 == "full_drains" { print $3 }' "$dir/stats")
	echo "RESULT cryptothreads_pipeline workers=$nt handoffs=$handoffs overlap_sent=$overlap full_drains=$drains"
	[ -n "$handoffs" ] && [ -n "$overlap" ] || fl_fail "a: no crypto_pipeline counters in dump stats"
	if [ "$nt" -gt 1 ]; then
		[ "$handoffs" -gt 0 ] || fl_fail "CryptoThreads = $nt: no batch handed to the workers"
		[ "$overlap" -gt 0 ] || fl_fail "CryptoThreads = $nt: no batch sent while the next was sealed"
	else
		[ "$handoffs" -eq 0 ] && [ "$overlap" -eq 0 ] ||
			fl_fail "CryptoThreads = 1: $handoffs hand-offs, $overlap datagrams sent from them"
	fi
	fl_reset
}

# reload_threads N: a's CryptoThreads set to N by a reload, applied.
reload_threads() {
	local nt=$1 conf log want
	conf=$(fl_dir a)/tinc.conf
	log=$(fl_dir a)/log
	if [ "$nt" -gt 1 ]; then want="Crypto pipeline: $nt workers"; else want="Crypto pipeline: 1 worker"; fi
	local before
	before=$(grep -c "$want" "$log" || true)
	sed -i "s/^CryptoThreads *=.*/CryptoThreads = $nt/" "$conf"
	grep -q "^CryptoThreads = $nt\$" "$conf" || fl_fail "a: tinc.conf has no CryptoThreads line"
	fl_cli a reload || fl_fail "a: reload failed"
	fl_wait 20 "a: '$want' after the reload" sh -c "[ \$(grep -c '$want' '$log') -gt $before ]"
}

reload_run() {
	local dir ooo pkts nt
	fl_net a b
	fl_conf a fenliu "CryptoThreads=2"
	fl_conf b fenliu "CryptoThreads=2"
	fl_exchange a b
	fl_connect a b
	fl_start b
	fl_start a
	fl_wait_ping a b 30
	fl_wait_udp a b
	dir=$(fl_dir a)
	fl_bg b iperf3 -s
	fl_wait 20 "iperf3 server in b" nq b sh -c 'ss -ltn | grep -q ":5201 "'
	for nt in 4 1 2; do
		reload_threads "$nt"
		fl_wait_ping a b 30
		n a timeout $((secs + 30)) iperf3 -c 203.0.113.2 -u -b "$rate" -l 1200 -w 2M -t 2 --json \
			--get-server-output >"$dir/udp.json" || fl_fail "iperf3 -u failed after reload to $nt"
		pkts=$(json_field "$dir/udp.json" "j['end']['sum']['packets']")
		ooo=$(json_field "$dir/udp.json" "([0]+[int(x) for x in __import__('re').findall(r'(\\d+) datagrams received out-of-order', j.get('server_output_text', ''))])[-1]")
		echo "RESULT cryptothreads_reload workers=$nt packets=$pkts out_of_order=$ooo"
		[ "$ooo" -eq 0 ] || fl_fail "after reload to CryptoThreads = $nt: $ooo datagrams out of order"
		[ "$pkts" -gt 0 ] || fl_fail "after reload to CryptoThreads = $nt: nothing received"
	done
	fl_reset
}

for nt in ${CT_WORKERS:-1 2 4}; do
	run "$nt"
done
[ -n "${CT_NO_RELOAD:-}" ] || reload_run
# Not rising with N: allow noise on this shared machine (the fewest of
# three runs still moves between 0 and a few hundred), not a trend. The
# UDP stream's receiver-side reordering count above is the strict check.
[ -n "${CT_WORKERS:-}" ] && exit 0
for nt in 2 4; do
	lim=$(( retr[1] * 3 + 500 ))
	[ "${retr[$nt]}" -le "$lim" ] ||
		fl_fail "TCP retransmits rise with workers: ${retr[1]} with 1, ${retr[$nt]} with $nt"
done
echo "ok: 1, 2 and 4 crypto workers: no UDP datagram lost or reordered; TCP retransmits ${retr[1]}, ${retr[2]}, ${retr[4]}"
