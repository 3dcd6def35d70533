#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Re-keying under load (issue 16): KeyExpire = 2 on a (b answers; the same
# timer on both would make their KEXes cross) and two crypto workers each, while iperf3 pushes a sequence-numbered UDP stream
# and then a TCP stream a -> b. Every re-key (KEX, SIG, ACK on the meta
# connection) happens with records in flight; those sealed under the
# previous key open during the grace period, so b drops none as
# inauthentic (except records that found the re-key park full, each one
# counted as rekey_park_overflow in `dump stats`), no re-key falls back to
# a session restart, the UDP stream arrives in order, and TCP keeps moving.
# RK_SECS (default 10) sets each run's length, RK_THREADS (2) the workers.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
fl_need_root
fl_need_tools ping iperf3 python3
fl_need_fenliu
fl_init

secs=${RK_SECS:-10}
json_field() {
	python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

fl_net a b
fl_conf a fenliu "KeyExpire=${RK_EXPIRE:-2}" "CryptoThreads=${RK_THREADS:-2}"
fl_conf b fenliu "CryptoThreads=${RK_THREADS:-2}"
fl_exchange a b
fl_connect a b
fl_start b
fl_start a
fl_wait_ping a b 30
fl_wait_udp a b
dir=$(fl_dir a)
fl_bg b iperf3 -s
fl_wait 20 "iperf3 server in b" nq b sh -c 'ss -ltn | grep -q ":5201 "'
kex0=$(grep -c 'SPTPS key exchange with a successful' "$(fl_dir b)/log" || true)
n a timeout $((secs + 30)) iperf3 -c 203.0.113.2 -u -b 20M -l 1200 -w 2M -t "$secs" --json \
	--get-server-output >"$dir/udp.json" || fl_fail "iperf3 -u failed"
n a timeout $((secs + 30)) iperf3 -c 203.0.113.2 -t "$secs" --json >"$dir/tcp.json" ||
	fl_fail "iperf3 TCP failed"
kex=$(( $(grep -c 'SPTPS key exchange with a successful' "$(fl_dir b)/log" || true) - kex0 ))
lost=$(json_field "$dir/udp.json" "j['end']['sum']['lost_packets']")
pkts=$(json_field "$dir/udp.json" "j['end']['sum']['packets']")
ooo=$(json_field "$dir/udp.json" "([0]+[int(x) for x in __import__('re').findall(r'(\\d+) datagrams received out-of-order', j.get('server_output_text', ''))])[-1]")
gbit=$(json_field "$dir/tcp.json" "'%.3f' % (j['end']['sum_received']['bits_per_second'] / 1e9)")
retr=$(json_field "$dir/tcp.json" "j['end']['sum_sent']['retransmits']")
auth=$(fl_cli b dump stats | awk '$1 == "drop" && $2 == "auth" {print $3}')
auth=${auth:-0}
# A record that fails its tag during a re-key waits (parked, at most 256
# per peer) for the new key; on a loaded machine more may arrive in one
# ACK round trip, and those are dropped as inauthentic but counted as
# park overflow. Only those are allowed: every other auth drop fails.
stat_b() { fl_cli b dump stats | awk -v n="$1" '$1 == "dataplane" && $2 == n {print $3}'; }
overflow=$(stat_b rekey_park_overflow)
parked=$(stat_b rekey_parked)
grace=$(stat_b rekey_grace_opens)
[ -n "$overflow" ] || fl_fail "b: dump stats has no rekey_park_overflow"
nosess=$(fl_cli b dump stats | awk '$1 == "drop" && $2 == "no-session" {print $3}')
echo "RESULT rekey_load rekeys=$kex udp_packets=$pkts udp_lost=$lost out_of_order=$ooo tcp_gbit=$gbit tcp_retransmits=$retr auth_drops_b=$auth no_session_drops_b=${nosess:-0} parked_b=$parked park_overflow_b=$overflow grace_opens_b=$grace"
[ "$kex" -ge 4 ] || fl_fail "only $kex re-keys in $((2 * secs)) s"
[ "$ooo" -eq 0 ] || fl_fail "$ooo datagrams out of order"
[ "$auth" -eq "$overflow" ] ||
	fl_fail "b dropped $auth records as inauthentic across re-keys, $overflow of them at a full park"
[ "$pkts" -gt 0 ] || fl_fail "no UDP datagram arrived"
# A re-key that fails falls back to a new session, and b drops a's
# records as having none until it is up. The re-key's handshake records
# come over TCP while data takes UDP, so under load they land outside the
# replay window the data moves; they used to be refused there, and every
# run here restarted a session or two (967-1,652 no-session drops).
[ "${nosess:-0}" -eq 0 ] || fl_fail "b dropped ${nosess} records with no session: a re-key fell back to a session restart"
for x in a b; do fl_stop "$x"; done
echo "ok: $kex re-keys under load: nothing dropped as inauthentic, nothing reordered ($lost of $pkts UDP datagrams lost at the receiver)"
