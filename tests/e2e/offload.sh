#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Split tunnelling (doc/offload.md, issue 17), topology in lib_offload.sh:
# a LAN host behind router r (fenliud with VPN device fl0 and offload
# device offl0), a local internet "inet" behind r's offload path, and c
# across the mesh (OFF_FAR=tinc: a stock tincd; offload_tinc.sh).
#   1. ping, a TCP download (iperf3 -R), a TCP upload (checksums verified
#      by the far end) and UDP to an offloaded destination
#      leave through offl0 under the offload address (inet counts sources:
#      nothing from the LAN's own addresses) and the replies come back; the
#      same over IPv6; offload-up ran with INTERFACE and OFFLOAD_ADDRESS*.
#   2. a non-offloaded destination (c's tunnel address) crosses the mesh;
#      an exclude overrides the list (answered by c, not inet).
#   3. TTL: fenliud answers an expiring packet; the kernel's "time exceeded"
#      from beyond the offload device comes back translated. Path MTU: the
#      "fragmentation needed" / "packet too big" from the smaller link
#      behind the offload device comes back translated.
#   4. unsolicited packets sent to the offload address are dropped and
#      counted; nothing reaches the LAN.
#   5. a reload moves the offloaded destination to the VPN: new flows take
#      the mesh, a TCP download started before keeps running to the end.
#   6. `fenliu dump offload` and `dump nat` show all that; offload-down runs.
#   7. bad Offload* values stop the start with a tinc.conf:LINE message; a
#      bad list line is reported as offload.txt:LINE and skipped.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_scenarios.sh"
. "$(dirname "$0")/lib_offload.sh"
fl_need_root
fl_need_tools ping nft iperf3 python3
fl_need_fenliu
[ "$OFF_FAR" = fenliu ] || fl_need_tinc
fl_init

off_net
fl_log "far end c: $OFF_FAR ($(fl_daemon_bin c))"

# ---- 1. the offload path, IPv4 and IPv6 ----
fl_log "part 1: offloaded ping, TCP and UDP, IPv4 and IPv6"
off_check_offloaded
fl_bg inet sh -c "exec iperf3 -s -B $OFF_DST4 -p 5201 >/dev/null 2>&1"
fl_bg inet sh -c "exec iperf3 -s -B $OFF_DST6 -p 5202 >/dev/null 2>&1"
fl_wait 10 "iperf3 servers" nq inet sh -c "ss -ltn | grep -q ':5202 '"
n lan iperf3 -c "$OFF_DST4" -p 5201 -R -t 2 -J >"$FL_TMP/tcp4.json" || fl_fail "TCP download over IPv4 failed"
n lan iperf3 -c "$OFF_DST6" -p 5202 -R -t 2 -J >"$FL_TMP/tcp6.json" || fl_fail "TCP download over IPv6 failed"
n lan iperf3 -c "$OFF_DST4" -p 5201 -u -b 20M -t 2 -J >"$FL_TMP/udp4.json" || fl_fail "UDP over IPv4 failed"
n lan iperf3 -c "$OFF_DST6" -p 5202 -u -b 20M -t 2 -J >"$FL_TMP/udp6.json" || fl_fail "UDP over IPv6 failed"
gbps() { python3 -c 'import json,sys; e=json.load(open(sys.argv[1]))["end"]; s=e.get("sum_received") or e["sum"]; print("%.3f" % (s["bits_per_second"]/1e9))' "$1"; }
udp_lost() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["end"]["sum"]["lost_percent"])' "$1"; }
fl_log "TCP download: $(gbps "$FL_TMP/tcp4.json") Gbit/s IPv4, $(gbps "$FL_TMP/tcp6.json") Gbit/s IPv6;" \
	"UDP loss $(udp_lost "$FL_TMP/udp4.json")% / $(udp_lost "$FL_TMP/udp6.json")%"
[ "$(off_count from_lan)" -eq 0 ] || fl_fail "inet saw $(off_count from_lan) packets with a LAN source"
[ "$(off_count from_off4)" -gt 1000 ] || fl_fail "the TCP download did not come from $OFF_ADDR4"
[ "$(off_count from_off6)" -gt 1000 ] || fl_fail "the TCP download did not come from $OFF_ADDR6"
# Uploads: the LAN's TCP bursts are cut without checksums (they go to the
# offload writer, which merges them and leaves the sum to the kernel). With
# checksum offload off on wan0 the kernel completes every checksum in
# software there, so inet's TCP verifies what the pseudo-header sums give.
if command -v ethtool >/dev/null && command -v nstat >/dev/null; then
	n r ethtool -K wan0 tx off >/dev/null 2>&1 || true
	csum0=$(n inet nstat -asz TcpInCsumErrors | awk '$1 == "TcpInCsumErrors" { print $2 }')
	n lan iperf3 -c "$OFF_DST4" -p 5201 -t 2 -J >"$FL_TMP/up4.json" || fl_fail "TCP upload over IPv4 failed"
	n lan iperf3 -c "$OFF_DST6" -p 5202 -t 2 -J >"$FL_TMP/up6.json" || fl_fail "TCP upload over IPv6 failed"
	csum1=$(n inet nstat -asz TcpInCsumErrors | awk '$1 == "TcpInCsumErrors" { print $2 }')
	fl_log "TCP upload: $(gbps "$FL_TMP/up4.json") Gbit/s IPv4, $(gbps "$FL_TMP/up6.json") Gbit/s IPv6;" \
		"inet's TCP checksum errors: $((csum1 - csum0))"
	[ "$csum1" -eq "$csum0" ] || fl_fail "inet saw $((csum1 - csum0)) TCP checksum errors from the offload path"
	for f in up4 up6; do
		awk -v g="$(gbps "$FL_TMP/$f.json")" 'BEGIN { exit !(g > 0.01) }' ||
			fl_fail "TCP upload $f carried almost nothing: $(gbps "$FL_TMP/$f.json") Gbit/s"
	done
	n r ethtool -K wan0 tx on >/dev/null 2>&1 || true
else
	fl_log "no ethtool or nstat: TCP uploads not checked"
fi
off_dump nat | grep -qE "^tcp $OFF_LAN4:[0-9]+ $OFF_ADDR4:[0-9]+ " || fl_fail "dump nat: no IPv4 TCP mapping"
off_dump nat | grep -qE "^udp \[$OFF_LAN6\]:[0-9]+ \[$OFF_ADDR6\]:[0-9]+ " || fl_fail "dump nat: no IPv6 UDP mapping"

# ---- 2. the VPN path: non-offloaded and excluded destinations ----
fl_log "part 2: non-offloaded and excluded destinations cross the mesh"
inet0=$(off_count from_off4)
rx0=$(n c cat /sys/class/net/fl0/statistics/rx_packets)
off_ping4 "$OFF_VPN4" || fl_fail "ping lan -> $OFF_VPN4 (mesh) failed"
off_ping4 "$OFF_EXCL4" || fl_fail "ping lan -> $OFF_EXCL4 (excluded) failed"
[ "$(n c cat /sys/class/net/fl0/statistics/rx_packets)" -ge $((rx0 + 2)) ] || fl_fail "c's device did not see them"
[ "$(off_count from_off4)" -eq "$inet0" ] || fl_fail "an excluded or non-offloaded ping reached inet"
[ "$(off_stat lookups excluded)" -ge 1 ] || fl_fail "dump offload: no exclude counted"

# ---- 3. TTL and path MTU through the offload path ----
fl_log "part 3: time exceeded and fragmentation needed, translated"
out=$(n lan ping -c 1 -W 2 -t 2 "$OFF_DST4" 2>&1 || true)
grep -q "From $OFF_ADDR4 .*Time to live exceeded" <<<"$out" || fl_fail "TTL 2: no time exceeded from fenliud: $out"
# lan → r's kernel → fenliud → r's kernel → inet: TTL 4 expires at inet.
out=$(n lan ping -c 1 -W 2 -t 4 "$OFF_FAR4" 2>&1 || true)
grep -q "From $OFF_INET4 .*Time to live exceeded" <<<"$out" || fl_fail "TTL 4: no translated time exceeded: $out"
out=$(n lan ping -6 -c 1 -W 2 -t 4 "$OFF_FAR6" 2>&1 || true)
grep -q "From $OFF_INET6 .*Time exceeded" <<<"$out" || fl_fail "hop limit 4: no translated time exceeded: $out"
out=$(n lan ping -c 2 -i 0.3 -W 2 -M do -s 1400 "$OFF_FAR4" 2>&1 || true)
grep -qE "mtu ?= ?1300" <<<"$out" || fl_fail "IPv4 path MTU: no translated frag needed: $out"
out=$(n lan ping -6 -c 2 -i 0.3 -W 2 -M do -s 1400 "$OFF_FAR6" 2>&1 || true)
grep -qE "mtu ?= ?1300" <<<"$out" || fl_fail "IPv6 path MTU: no translated packet too big: $out"
fl_log "the LAN host learned the path MTU: $(n lan ip route get "$OFF_FAR4" | grep -o 'mtu [0-9]*' || echo none)"

# ---- 4. unsolicited packets from the offload side ----
fl_log "part 4: unsolicited packets to the offload address"
drop0=$(off_stat "drop no_mapping" no_mapping)
lanrx0=$(n lan cat /sys/class/net/eth0/statistics/rx_packets)
n inet python3 - "$OFF_ADDR4" "$OFF_ADDR6" <<-'PY'
	import socket, sys
	for fam, a in ((socket.AF_INET, sys.argv[1]), (socket.AF_INET6, sys.argv[2])):
	    s = socket.socket(fam, socket.SOCK_DGRAM)
	    for p in range(40000, 40100):
	        s.sendto(b"unsolicited", (a, p))
PY
nq inet timeout 2 bash -c "</dev/tcp/$OFF_ADDR4/40001" && fl_fail "a TCP connect to the offload address succeeded"
fl_wait 10 "200+ unsolicited packets counted" \
	sh -c "[ \"\$(ip netns exec $FL_PFX-r $FENLIU_BUILD/src/cli/fenliu -c $(fl_dir r) --pidfile=$(fl_dir r)/pid dump offload | awk '/^drop no_mapping/ {print \$3}')\" -ge $((drop0 + 201)) ]"
lanrx=$(n lan cat /sys/class/net/eth0/statistics/rx_packets)
[ $((lanrx - lanrx0)) -lt 5 ] || fl_fail "the LAN host received $((lanrx - lanrx0)) packets during the flood"

# ---- 5. reload: new flows to the VPN, an old TCP flow stays offloaded ----
fl_log "part 5: a reload moves $OFF_DST4 to the VPN during a TCP download"
n lan iperf3 -c "$OFF_DST4" -p 5201 -R -t 6 -i 1 -J >"$FL_TMP/tcp_reload.json" &
FL_PIDS+=("$!")
dl=$!
sleep 2 # let the download run a while before the reload (it is timed by iperf3)
echo "198.51.100.0/25" >>"$(fl_dir r)/exclude.txt"
fl_cli r reload >/dev/null || fl_fail "reload failed"
rx0=$(n c cat /sys/class/net/fl0/statistics/rx_packets)
off_ping4 "$OFF_DST4" || fl_fail "ping $OFF_DST4 after the reload failed"
[ "$(n c cat /sys/class/net/fl0/statistics/rx_packets)" -gt "$rx0" ] || fl_fail "after the reload, a new flow did not take the mesh"
wait "$dl" || fl_fail "the offloaded TCP download broke at the reload"
python3 - "$FL_TMP/tcp_reload.json" <<-'PY' || fl_fail "the TCP download stalled after the reload"
	import json, sys
	iv = json.load(open(sys.argv[1]))["intervals"]
	rates = [i["sum"]["bits_per_second"] for i in iv]
	print("per-second Mbit/s:", " ".join("%.0f" % (r / 1e6) for r in rates), file=sys.stderr)
	sys.exit(0 if len(rates) >= 5 and min(rates[:6]) > 1e6 else 1)
PY
[ "$(off_stat lookups sticky)" -gt 0 ] || fl_fail "dump offload: no sticky segments counted"

# ---- 6. the dumps, and offload-down ----
off_dump offload
off_dump nat | grep -v '^tcp\|^udp\|^icmp' || true
grep -qx "interface offl0 address $OFF_ADDR4 address6 $OFF_ADDR6" <<<"$(off_dump offload)" || fl_fail "dump offload: interface line"
grep -qx "list files 1 ipv4 1 ipv6 1" <<<"$(off_dump offload)" || fl_fail "dump offload: list line"
[ "$(off_stat out packets)" -gt 1000 ] && [ "$(off_stat in packets)" -gt 1000 ] || fl_fail "dump offload: packet counts"
[ "$(off_nat_stat ipv4 active)" -gt 0 ] || fl_fail "dump nat: no active IPv4 mappings"
fl_stop r
[ "$(cat "$(fl_dir r)/offload-down.ran")" = offl0 ] || fl_fail "offload-down did not run"

# ---- 7. configuration errors name FILE:LINE and stop the start ----
fl_log "part 7: bad Offload* values"
d=$(fl_dir r)
cp "$d/tinc.conf" "$FL_TMP/tinc.conf.good"
bad_start() { # VAR=VALUE REGEX: fenliud refuses to start, saying REGEX
	cp "$FL_TMP/tinc.conf.good" "$d/tinc.conf"
	echo "${1%%=*} = ${1#*=}" >>"$d/tinc.conf"
	local line
	line=$(wc -l <"$d/tinc.conf")
	: >"$d/stderr.bad"
	if n r timeout 20 "$FENLIU_BUILD/src/daemon/fenliud" -c "$d" -D --pidfile="$d/pid.bad" \
		--logfile="$d/log.bad" </dev/null >/dev/null 2>"$d/stderr.bad"; then
		fl_fail "fenliud started with $1"
	fi
	grep -qE "tinc\.conf:$line: .*$2" "$d/stderr.bad" "$d/log.bad" ||
		fl_fail "no tinc.conf:$line message for $1: $(cat "$d/stderr.bad" "$d/log.bad" | tail -n 3)"
}
bad_start OffloadAddress=198.18.3.300 "OffloadAddress: expected an IPv4 or IPv6 address: '198.18.3.300'"
bad_start OffloadAddress=198.18.3.2 "OffloadAddress: a second IPv4 address"
bad_start OffloadNATUDPTimeout=0 "OffloadNATUDPTimeout"
bad_start OffloadNATFilter=sometimes "OffloadNATFilter"
cp "$FL_TMP/tinc.conf.good" "$d/tinc.conf"
echo "198.51.100.0/33" >>"$d/offload.txt"
fl_start r
fl_log_has r "offload.txt:3: .*198\.51\.100\.0/33" || fl_fail "no FILE:LINE message for a bad list line"
fl_stop r
fl_log "offload: all parts passed"
