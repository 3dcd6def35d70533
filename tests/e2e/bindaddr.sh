#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# BindToAddress / ListenAddress (CONFIG.md §3.1, UDP.md §8): a listens only
# on the addresses given (a TCP + UDP pair each, ListenAddress with its own
# port); b's outgoing meta connection leaves from its BindToAddress; the
# mesh still carries pings; the pid file names the first listener.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
fl_need_root
fl_need_tools ping ss
fl_need_fenliu
fl_init

fl_net a b
n a ip addr add 192.0.2.101/24 dev eth0
n b ip addr add 192.0.2.102/24 dev eth0
fl_conf a fenliu "BindToAddress=192.0.2.1" "ListenAddress=192.0.2.101 6655"
fl_conf b fenliu "BindToAddress=192.0.2.102"
fl_exchange a b
fl_connect b a
fl_start a
fl_start b
fl_wait_ping b a 30

tcp=$(n a ss -Hltn | awk '{print $4}' | sort | tr '\n' ' ')
udp=$(n a ss -Hlun | awk '{print $4}' | sort | tr '\n' ' ')
echo "a TCP listeners: $tcp"
echo "a UDP sockets: $udp"
[ "$tcp" = "192.0.2.101:6655 192.0.2.1:655 " ] || fl_fail "a: TCP listeners $tcp"
[ "$udp" = "192.0.2.101:6655 192.0.2.1:655 " ] || fl_fail "a: UDP sockets $udp"
tcpb=$(n b ss -Hltn | awk '{print $4}' | tr '\n' ' ')
[ "$tcpb" = "192.0.2.102:655 " ] || fl_fail "b: TCP listeners $tcpb"
n b ss -Htn state established | awk '{print $3, $4}' | grep -q '^192.0.2.102:[0-9]* 192.0.2.1:655$' ||
	fl_fail "b: meta connection not from its BindToAddress: $(n b ss -Htn)"
grep -q ' 192.0.2.1 port 655$' "$(fl_dir a)/pid" || fl_fail "a: pid file: $(cat "$(fl_dir a)/pid")"
for x in a b; do fl_stop "$x"; done
echo "ok: BindToAddress/ListenAddress listen only where told, outgoing bound"
