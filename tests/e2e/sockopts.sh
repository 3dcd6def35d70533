#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Socket and process settings as tincd's (issue 18.2): FWMark and
# BindToInterface on the listeners and the outgoing meta connection
# (visible in `ss -e`: fwmark, %DEVICE), UDPRcvBuf/UDPSndBuf (skmem),
# ProcessPriority (nice), and a missing Device path failing the start.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_scenarios.sh"
fl_need_root
fl_need_tools ping ss
fl_need_fenliu
fl_init

fl_net a b
fl_conf a fenliu FWMark=42 BindToInterface=eth0 UDPRcvBuf=150000 UDPSndBuf=100000 \
	ProcessPriority=low
fl_conf b fenliu
fl_exchange a b
fl_connect a b
da=$(fl_dir a)

rc=0
out=$(n a timeout 20 "$FENLIU_BUILD/src/daemon/fenliud" -c "$da" -D --pidfile="$da/pid" \
	-o Device=/nonexistent/tun 2>&1 </dev/null) || rc=$?
[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] || fl_fail "fenliud started with a missing Device"
grep -q "/nonexistent/tun" <<<"$out" || fl_fail "the error does not name the Device: $out"
echo "ok: a missing Device stops the start, naming it"

fl_start b
fl_start a
fl_wait_ping a b 30
pid=${FL_PID[a]}

ss_a() { n a ss -H -e -n -p "$@" 2>/dev/null | grep "pid=$pid,"; }
tcp_l=$(ss_a -t -l)
udp_l=$(ss_a -u -a)
echo "$tcp_l"
echo "$udp_l"
grep -q "fwmark:0x2a" <<<"$tcp_l" || fl_fail "TCP listener without fwmark 0x2a"
grep -q "%eth0:" <<<"$tcp_l" || fl_fail "TCP listener not bound to eth0"
grep -q "fwmark:0x2a" <<<"$udp_l" || fl_fail "UDP socket without fwmark 0x2a"
grep -q "%eth0:" <<<"$udp_l" || fl_fail "UDP socket not bound to eth0"
conn_out() { ss_a -t state established | grep -q "192.0.2.2:655"; }
fl_wait 20 "a's meta connection to b" conn_out
est=$(ss_a -t state established | grep "192.0.2.2:655")
echo "$est"
grep -q "fwmark:0x2a" <<<"$est" || fl_fail "outgoing meta connection without fwmark"
echo "ok: FWMark and BindToInterface on the listeners and the outgoing connection"

# Linux keeps twice the size asked for (its bookkeeping).
mem=$(n a ss -H -u -a -n -m -p 2>/dev/null | grep -A1 "pid=$pid," | tr -d '\n')
echo "$mem"
grep -q "rb300000," <<<"$mem" || fl_fail "UDPRcvBuf 150000: $mem"
grep -q "tb200000," <<<"$mem" || fl_fail "UDPSndBuf 100000: $mem"
echo "ok: UDPRcvBuf and UDPSndBuf"

nice=$(awk '{print $19}' "/proc/$pid/stat")
[ "$nice" = 10 ] || fl_fail "ProcessPriority = low: nice is $nice, not 10"
echo "ok: ProcessPriority = low: nice 10"
fl_stop a
fl_stop b
echo "ok: socket and process settings as tincd's"
