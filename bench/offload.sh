#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench/offload.sh: split tunnelling's throughput (issue 17). One iperf3
# TCP stream from the LAN host to an offloaded destination (topology:
# tests/e2e/lib_offload.sh), measured two ways in the same run:
#   fenliu  through fenliud: VPN device -> offload decision with the
#           8,659-line APNIC China list (tests/data) plus the test prefix
#           loaded -> NAT -> offload device;
#   kernel  the kernel alone: plain forwarding plus an nftables masquerade
#           rule on the same router (the ceiling).
# Each way runs BENCH_RUNS times (default 3, alternating) and the median is
# printed as `offload <fenliu|kernel> <Gbit/s> <cpu-seconds>`, where
# cpu-seconds is the whole machine's busy CPU time (all cores, /proc/stat)
# during the run, iperf3 included; fenliud's own CPU time is logged too.
# Release build in FENLIU_BUILD (default build/). Needs root.
# Usage: bench/offload.sh [SECONDS]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
export FENLIU_BUILD=${FENLIU_BUILD:-$top/build}
export ASAN_OPTIONS= UBSAN_OPTIONS=
. "$top/tests/e2e/lib.sh"
. "$top/tests/e2e/lib_offload.sh"
secs=${1:-${BENCH_SECONDS:-8}}
runs=${BENCH_RUNS:-3}
fl_need_root
fl_need_tools iperf3 ping nft
fl_need_fenliu
fl_init

list="$top/tests/data/china-ipv4-apnic.txt"
[ -r "$list" ] || fl_skip "no $list"

# busy_ticks: the machine's non-idle clock ticks so far (all cores).
busy_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }
proc_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# one_run: iperf3 LAN -> $OFF_DST4; prints "MBITS BUSY_SECONDS FENLIUD_SECONDS".
one_run() {
	local b0 b1 p0 p1 mb hz
	hz=$(getconf CLK_TCK)
	b0=$(busy_ticks) p0=$(proc_ticks "${FL_PID[r]}")
	mb=$(n lan iperf3 -c "$OFF_DST4" -t "$secs" -f m |
		awk '/receiver/ { for (i = 1; i <= NF; i++) if ($i == "Mbits/sec") print $(i-1) }')
	b1=$(busy_ticks) p1=$(proc_ticks "${FL_PID[r]}")
	echo "$mb $(awk -v t=$((b1 - b0)) -v hz="$hz" 'BEGIN { printf "%.2f", t / hz }')" \
		"$(awk -v t=$((p1 - p0)) -v hz="$hz" 'BEGIN { printf "%.2f", t / hz }')"
}

# kernel_path on|off: the LAN's packets bypass fenliud (policy rule gone)
# and leave wan0 masqueraded by nftables.
kernel_path() {
	if [ "$1" = on ]; then
		n r ip rule del iif lan0 table 100 pref 100
		n r nft -f - <<-EOF
			table ip offbench {
				chain post { type nat hook postrouting priority 100; oifname "wan0" masquerade; }
			}
		EOF
	else
		n r nft delete table ip offbench
		n r ip rule add iif lan0 table 100 pref 100
	fi
}

{ cat "$list"; echo "198.51.100.0/24"; } >"$FL_TMP/list.txt"
OFF_LIST="$FL_TMP/list.txt" FL_DEBUG=0 off_net
n inet ip route add 198.18.2.0/24 dev eth0 2>/dev/null || true
fl_bg inet sh -c "exec iperf3 -s -B $OFF_DST4 >/dev/null 2>&1"
fl_wait 10 "iperf3 server" nq inet sh -c "ss -ltn | grep -q ':5201 '"
n4=$(off_stat list ipv4)
[ "$n4" -ge 8659 ] || fl_fail "the offload list holds $n4 IPv4 prefixes, not the 8,660 given"
fl_log "offload list: $n4 IPv4 prefixes"
off_ping4 "$OFF_DST4" || fl_fail "no offload path"

: >"$FL_TMP/fenliu" && : >"$FL_TMP/kernel"
for i in $(seq "$runs"); do
	r=$(one_run)
	fl_log "run $i fenliu: $r (Mbit/s, busy CPU s, fenliud CPU s)"
	echo "$r" >>"$FL_TMP/fenliu"
	kernel_path on
	r=$(one_run)
	fl_log "run $i kernel: $r"
	echo "$r" >>"$FL_TMP/kernel"
	kernel_path off
done
[ "$(off_count from_off4)" -gt 1000 ] || fl_fail "fenliu runs did not use the offload path"

median() { sort -n -k1,1 "$1" | awk '{ l[NR] = $0 } END { print l[int((NR + 1) / 2)] }'; }
for way in fenliu kernel; do
	read -r mb busy own <<<"$(median "$FL_TMP/$way")"
	echo "offload $way $(awk -v m="$mb" 'BEGIN { printf "%.2f", m / 1000 }') $busy"
	if [ "$way" = fenliu ]; then fl_log "fenliud's own CPU in the median run: $own s"; fi
done
