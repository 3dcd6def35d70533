#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench/offload.sh: split tunnelling's throughput (issue 17). One iperf3
# TCP stream from the LAN host to an offloaded destination (topology:
# tests/e2e/lib_offload.sh), over IPv4 and over IPv6, measured two ways in
# the same run:
#   fenliu  through fenliud: VPN device -> offload decision with the
#           8,659-line APNIC China IPv4 list and its IPv6 list (tests/data)
#           plus the test prefixes loaded -> NAT -> offload device;
#   kernel  the kernel alone: plain forwarding plus an nftables masquerade
#           rule on the same router (the ceiling).
# Each way runs BENCH_RUNS times (default 3, alternating) and the median is
# printed as `offload <fenliu|kernel> <Gbit/s> <cpu-seconds>` (IPv4) and
# `offload6 <fenliu|kernel> <Gbit/s> <cpu-seconds>` (IPv6), where
# cpu-seconds is the whole machine's busy CPU time (all cores, /proc/stat)
# during the run, iperf3 included; fenliud's own CPU time is logged too.
# BENCH_FAMILIES (default "4 6") picks the families. Release build in
# FENLIU_BUILD (default build/). Needs root.
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
list6="$top/tests/data/china-ipv6-apnic.txt"
families=${BENCH_FAMILIES:-4 6}
[ -r "$list" ] || fl_skip "no $list"
[ -r "$list6" ] || fl_skip "no $list6"

# busy_ticks: the machine's non-idle clock ticks so far (all cores).
busy_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }
proc_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# proc_writes PID: the write calls PID made so far (all its fds).
proc_writes() { awk '$1 == "syscw:" { print $2 }' "/proc/$1/io"; }

# one_run 4|6: iperf3 LAN -> $OFF_DST4 or $OFF_DST6 (port 5202); prints
# "MBITS BUSY_SECONDS FENLIUD_SECONDS FENLIUD_KB_PER_WRITE" (the last: the
# run's bytes over fenliud's write calls, about the size of its offload
# device writes; meaningless for the kernel path).
one_run() {
	local b0 b1 p0 p1 w0 w1 mb hz dst=$OFF_DST4 port=5201
	[ "$1" = 6 ] && dst=$OFF_DST6 port=5202
	hz=$(getconf CLK_TCK)
	b0=$(busy_ticks) p0=$(proc_ticks "${FL_PID[r]}") w0=$(proc_writes "${FL_PID[r]}")
	mb=$(n lan iperf3 -c "$dst" -p "$port" -t "$secs" -f m |
		awk '/receiver/ { for (i = 1; i <= NF; i++) if ($i == "Mbits/sec") print $(i-1) }')
	b1=$(busy_ticks) p1=$(proc_ticks "${FL_PID[r]}") w1=$(proc_writes "${FL_PID[r]}")
	echo "$mb $(awk -v t=$((b1 - b0)) -v hz="$hz" 'BEGIN { printf "%.2f", t / hz }')" \
		"$(awk -v t=$((p1 - p0)) -v hz="$hz" 'BEGIN { printf "%.2f", t / hz }')" \
		"$(awk -v m="$mb" -v s="$secs" -v w=$((w1 - w0 + 1)) 'BEGIN { printf "%.1f", m * s * 125 / w }')"
}

# kernel_path on|off: the LAN's packets (both families) bypass fenliud
# (policy rules gone) and leave wan0 masqueraded by nftables.
kernel_path() {
	if [ "$1" = on ]; then
		n r ip rule del iif lan0 table 100 pref 100
		n r ip -6 rule del iif lan0 table 100 pref 100
		n r nft -f - <<-EOF
			table inet offbench {
				chain post { type nat hook postrouting priority 100; oifname "wan0" masquerade; }
			}
		EOF
	else
		n r nft delete table inet offbench
		n r ip rule add iif lan0 table 100 pref 100
		n r ip -6 rule add iif lan0 table 100 pref 100
	fi
}

{ cat "$list" "$list6"; printf '198.51.100.0/24\n2001:db8:51::/48\n'; } >"$FL_TMP/list.txt"
OFF_LIST="$FL_TMP/list.txt" FL_DEBUG=0 off_net
n inet ip route add 198.18.2.0/24 dev eth0 2>/dev/null || true
fl_bg inet sh -c "exec iperf3 -s -B $OFF_DST4 >/dev/null 2>&1"
fl_bg inet sh -c "exec iperf3 -s -B $OFF_DST6 -p 5202 >/dev/null 2>&1"
fl_wait 10 "iperf3 servers" nq inet sh -c "ss -ltn | grep -q ':5201 ' && ss -ltn | grep -q ':5202 '"
n4=$(off_stat list ipv4) n6=$(off_stat list ipv6)
[ "$n4" -ge 8659 ] || fl_fail "the offload list holds $n4 IPv4 prefixes, not the 8,660 given"
fl_log "offload list: $n4 IPv4 and $n6 IPv6 prefixes"
off_ping4 "$OFF_DST4" || fl_fail "no offload path"
fl_wait 10 "IPv6 offload path" off_ping6 "$OFF_DST6"

for f in $families; do : >"$FL_TMP/fenliu$f" && : >"$FL_TMP/kernel$f"; done
for i in $(seq "$runs"); do
	for f in $families; do
		r=$(one_run "$f")
		fl_log "run $i IPv$f fenliu: $r (Mbit/s, busy CPU s, fenliud CPU s, kB per fenliud write)"
		echo "$r" >>"$FL_TMP/fenliu$f"
	done
	kernel_path on
	for f in $families; do
		r=$(one_run "$f")
		fl_log "run $i IPv$f kernel: ${r% *}"
		echo "$r" >>"$FL_TMP/kernel$f"
	done
	kernel_path off
done
for f in $families; do
	[ "$(off_count "from_off$f")" -gt 1000 ] || fl_fail "fenliu's IPv$f runs did not use the offload path"
done

median() { sort -n -k1,1 "$1" | awk '{ l[NR] = $0 } END { print l[int((NR + 1) / 2)] }'; }
for f in $families; do
	tag=offload
	[ "$f" = 6 ] && tag=offload6
	for way in fenliu kernel; do
		read -r mb busy own _ <<<"$(median "$FL_TMP/$way$f")"
		echo "$tag $way $(awk -v m="$mb" 'BEGIN { printf "%.2f", m / 1000 }') $busy"
		if [ "$way" = fenliu ]; then fl_log "IPv$f: fenliud's own CPU in the median run: $own s"; fi
	done
done
