#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 17: one LAN IPv6 address floods the offload path with new UDP
# flows while OffloadNATMaxPerHost = 256. Check: the flows beyond its
# limit are refused and counted (ipv6 drop_host_limit), the address's own
# TCP download started before the flood keeps running (its mappings stay),
# a second LAN address keeps mapping (ping6 from it loses nothing), the
# address holds at most 256 mappings, fenliud's memory stays flat.
# Paced at 10,000 new flows a second, as offload_table_full.sh.
# Short: 2,000 flows; FL_FAULTS_FULL=1: 20,000 flows, repeated for 30 s.
set -euo pipefail
. "$(dirname "$0")/lib_faults.sh"
. "$(dirname "$0")/../e2e/lib_offload.sh"
[ "${FL_FORCE_KIND:-}" != tinc ] || fl_skip "split tunnelling is fenliu's own: stock tinc has no offload path"
fl_need_root
fl_need_tools ping nft python3 iperf3
fl_need_fenliu
fl_init
flows=$(ff_pick 2000 20000)
secs=$(ff_pick 1 30)
limit=256
lan6b=2001:db8:1::3 # the LAN's second address

off_net OffloadNATMaxPerHost=$limit
n lan ip -6 addr add "$lan6b/64" dev eth0 nodad
fl_wait 20 "offloaded ping6" off_ping6 "$OFF_DST6"
fl_bg inet sh -c "exec iperf3 -s -B $OFF_DST6 -p 5202 >/dev/null 2>&1"
fl_wait 10 "iperf3 server" nq inet sh -c "ss -ltn | grep -q ':5202 '"
rss0=$(ff_rss r)
kd0=$(ff_kernel_drops r)
lim0=$(off_nat_stat ipv6 drop_host_limit)
n lan iperf3 -c "$OFF_DST6" -p 5202 -B "$OFF_LAN6" -R -b 50M -t $((secs + 8)) -i 1 -J >"$FL_TMP/dl.json" &
dl=$!
FL_PIDS+=("$dl")
ip netns exec "$FL_PFX-lan" ping -6 -q -I "$lan6b" -i 0.05 -c 100000 -W 2 "$OFF_DST6" >"$FL_TMP/ping" 2>&1 &
pp=$!
FL_PIDS+=("$pp")
sleep 2 # both are established before the flood (timed by iperf3 itself)
sent=$(n lan python3 - "$OFF_LAN6" "$OFF_DST6" "$flows" "$secs" <<-'PY'
	import socket, sys, time
	src, dst, flows, secs = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
	t0 = time.time()
	end, sent = t0 + secs, 0
	while True:  # every flow again until secs have passed
	    for p in range(20000, 20000 + flows):
	        s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
	        s.bind((src, p))
	        s.sendto(b"flow", (dst, 9))
	        s.close()
	        sent += 1
	        if sent % 25 == 0:  # paced: at most 10,000 new flows a second, 25 at a time
	            d = t0 + sent / 10000 - time.time()
	            if d > 0:
	                time.sleep(d)
	    if time.time() >= end:
	        break
	print(sent)
PY
)
held=$(off_dump nat | grep -c "^[a-z0-9]* \[$OFF_LAN6\]:" || true)
wait "$dl" || fl_fail "the flooding address's established TCP download failed"
ff_ping_stop "$pp" "$FL_TMP/ping"
loss=$(ff_loss "$FL_TMP/ping")
refused=$(($(off_nat_stat ipv6 drop_host_limit) - lim0))
rss1=$(ff_rss r)
kdrops=$(( $(ff_kernel_drops r) - kd0 ))
minrate=$(python3 -c 'import json,sys; iv=json.load(open(sys.argv[1]))["intervals"]; print("%.1f" % (min(i["sum"]["bits_per_second"] for i in iv)/1e6))' "$FL_TMP/dl.json")
ff_result offload_host_limit6 "loss=$loss" "flows=$flows" "sent=$sent" "refused=$refused" \
	"held=$held" "limit=$limit" "download_min_mbit=$minrate" "kernel_drops=$kdrops" "rss_before_kb=$rss0" "rss_after_kb=$rss1"
ff_loss_ok "$FL_TMP/ping" 0 "$kdrops" ||
	fl_fail "the second address's ping6 lost $loss ($(ff_lost "$FL_TMP/ping") pings; kernel queue drops: $kdrops)"
[ "$held" -le "$limit" ] || fl_fail "$OFF_LAN6 held $held mappings, limit $limit"
[ "$refused" -ge $((flows - limit)) ] || fl_fail "only $refused flows refused at the per-host limit"
awk -v m="$minrate" 'BEGIN { exit !(m > 1) }' || fl_fail "the download stalled (min $minrate Mbit/s a second)"
ff_alive r || fl_fail "fenliud died"
[ "$rss1" -le $((rss0 + 8192)) ] || fl_fail "fenliud grew from $rss0 to $rss1 kB"
