#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 17: unsolicited packets on the offload side. The local internet
# (inet, tests/e2e/lib_offload.sh) floods the router's offload address
# with UDP to random ports, TCP SYNs, ICMP echo requests and random bytes
# (IPv4 and IPv6) while the LAN host pings an offloaded destination.
# Check: nothing of it reaches the LAN, every packet is dropped and
# counted (`fenliu dump offload`), the LAN's ping loses nothing, fenliud's
# memory stays flat. Short: 20,000 packets; FL_FAULTS_FULL=1: 200,000.
set -euo pipefail
. "$(dirname "$0")/lib_faults.sh"
. "$(dirname "$0")/../e2e/lib_offload.sh"
[ "${FL_FORCE_KIND:-}" != tinc ] || fl_skip "split tunnelling is fenliu's own: stock tinc has no offload path"
fl_need_root
fl_need_tools ping nft python3
fl_need_fenliu
fl_init
count=$(ff_pick 20000 200000)

off_net
fl_wait 20 "offloaded ping" off_ping4 "$OFF_DST4"
drops() { off_dump offload | awk '$1 == "drop" && $2 != "write" {s += $3} END {print s + 0}'; }
d0=$(drops)
rss0=$(ff_rss r)
kd0=$(ff_kernel_drops r)
lanrx0=$(n lan cat /sys/class/net/eth0/statistics/rx_packets)
# Not through n(): $! must be ping itself, which SIGINT stops with a summary.
ip netns exec "$FL_PFX-lan" ping -q -i 0.05 -c 200000 -W 2 "$OFF_DST4" >"$FL_TMP/ping" 2>&1 &
pp=$!
FL_PIDS+=("$pp")
n inet python3 - "$OFF_ADDR4" "$OFF_ADDR6" "$count" <<-'PY'
	import os, random, socket, sys, time
	a4, a6, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
	raw4 = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
	u4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	u6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
	t6 = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_TCP)
	i6 = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
	src = socket.inet_aton("198.18.2.2")
	dst = socket.inet_aton(a4)
	def ip4(proto, payload):
	    h = bytes([0x45, 0, 0, 0, 0, 0, 0, 0, 64, proto, 0, 0]) + src + dst
	    return h + payload
	rnd = random.Random(17)
	t0 = time.time()
	for i in range(count):
	    k = i % 6
	    port = rnd.randrange(1024, 65536)
	    if k == 0:
	        u4.sendto(os.urandom(rnd.randrange(1, 200)), (a4, port))
	    elif k == 1:  # TCP SYN
	        raw4.sendto(ip4(6, port.to_bytes(2, "big") + port.to_bytes(2, "big") + bytes(8) + bytes([0x50, 0x02]) + bytes(6)), (a4, 0))
	    elif k == 2:  # ICMP echo request
	        raw4.sendto(ip4(1, bytes([8, 0, 0, 0]) + port.to_bytes(2, "big") + bytes(2)), (a4, 0))
	    elif k == 3:  # random bytes as IP payload of a random protocol
	        raw4.sendto(ip4(rnd.randrange(0, 256), os.urandom(rnd.randrange(0, 100))), (a4, 0))
	    elif k == 4:
	        u6.sendto(os.urandom(rnd.randrange(1, 200)), (a6, port))
	    else:
	        t6.sendto(port.to_bytes(2, "big") * 2 + bytes(8) + bytes([0x50, 0x02]) + bytes(6), (a6, 0))
	    if i % 25 == 24:  # paced: about 10,000 a second, 25 at a time
	        d = t0 + (i + 1) / 10000 - time.time()
	        if d > 0:
	            time.sleep(d)
PY
# Everything sent reaches offl0 (routed to it); ICMP echo requests to the
# offload address are "no mapping" too. Allow 1% for the kernel's queues.
all_counted() { [ $(( ($(drops) - d0) * 100 )) -ge $((count * 99)) ]; }
fl_wait 20 "99% of $count unsolicited packets counted" all_counted
ff_ping_stop "$pp" "$FL_TMP/ping"
loss=$(ff_loss "$FL_TMP/ping")
counted=$(($(drops) - d0))
lanrx=$(( $(n lan cat /sys/class/net/eth0/statistics/rx_packets) - lanrx0 ))
rss1=$(ff_rss r)
kdrops=$(( $(ff_kernel_drops r) - kd0 ))
sent_ping=$(grep -Eo '^[0-9]+ packets transmitted' "$FL_TMP/ping" | awk '{print $1}')
ff_result offload_unsolicited "loss=$loss" "sent=$count" "counted=$counted" \
	"lan_rx=$lanrx" "ping_sent=$sent_ping" "kernel_drops=$kdrops" "rss_before_kb=$rss0" "rss_after_kb=$rss1"
off_dump offload | grep '^drop' >&2
# A ping lost in r's device queues (fenliud starved of CPU) is excused,
# as in offload_table_full.sh; one lost beyond those is not.
ff_loss_ok "$FL_TMP/ping" 0 "$kdrops" ||
	fl_fail "the LAN's ping lost $loss during the flood ($(ff_lost "$FL_TMP/ping") pings; kernel queue drops: $kdrops)"
ff_alive r || fl_fail "fenliud died"
# The LAN host gets only its ping replies (and a little neighbour traffic).
[ "$lanrx" -le $((sent_ping + 20)) ] || fl_fail "the LAN host received $lanrx packets for $sent_ping pings"
[ "$rss1" -le $((rss0 + 8192)) ] || fl_fail "fenliud grew from $rss0 to $rss1 kB"
