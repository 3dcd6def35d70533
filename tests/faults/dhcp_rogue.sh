#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Fault scenario (DHCP client core, issue 19): a rogue host on the LAN
# floods DHCP-port broadcasts (tools/dhcpflood.py: random payloads, OFFERs,
# ACKs and NAKs for other transactions, cut-short options, bad checksums)
# while the client core (tools/dhcp_probe, as fenliud will run it on a LAN
# TAP) holds a lease from dnsmasq and renews it at T1 (8 s).
#
#   srv: dnsmasq on 192.0.2.1; cli: the client; rogue: the flooder.
#
# Pass: the lease is kept and renewed twice (short) or ten times (full)
# with the same address and no NAK taken, every flood message reaching
# the client is dropped and counted by reason (>= 90% of those sent), and
# the client's VmRSS does not grow by more than 1 MB. The flood runs at
# 2,000/s for 12 s, or 60 s with FL_FAULTS_FULL=1. fenliud's own DHCP
# client on its lan TAP gets the same flood in taprouter_dhcp_rogue.sh;
# stock tinc has no DHCP client (FL_FORCE_KIND=tinc skips).
set -euo pipefail
. "$(dirname "$0")/lib_faults.sh"
fl_need_root
fl_need_tools dnsmasq python3
[ "$FF_KIND" = fenliu ] || fl_skip "stock tinc has no DHCP client to compare"
probe=$FENLIU_BUILD/tools/dhcp_probe
[ -x "$probe" ] || fl_skip "tools/dhcp_probe not built in $FENLIU_BUILD"
fl_init

SECS=$(ff_pick 12 60)
RENEWALS=$(ff_pick 2 10)
RATE=${FL_DHCPFLOOD_RATE:-2000}

fl_net srv cli rogue
ip -n "$FL_PFX-cli" addr flush dev eth0
mkdir -p "$FL_TMP/srv" "$FL_TMP/cli"
fl_bg srv dnsmasq --no-daemon --conf-file=/dev/null --port=0 --user=root --group=root \
	--interface=eth0 --bind-interfaces --dhcp-range=192.0.2.100,192.0.2.149,255.255.255.0,2m \
	--dhcp-option=option:T1,8 --dhcp-option=option:T2,14 \
	--dhcp-leasefile="$FL_TMP/leases" --log-dhcp --log-facility="$FL_TMP/srv/log"
fl_wait 10 "dnsmasq on 192.0.2.1:67" \
	sh -c "ip netns exec $FL_PFX-srv ss -uln | grep -q ':67 '"
cat >"$FL_TMP/hook" <<'EOF'
#!/bin/sh
[ -z "$DHCP_OLD_ADDR" ] || [ "$DHCP_OLD_ADDR" = "$DHCP_ADDR" ] ||
	ip addr del "$DHCP_OLD_ADDR/$DHCP_OLD_PREFIX" dev eth0
[ -z "$DHCP_ADDR" ] || ip addr replace "$DHCP_ADDR/$DHCP_PREFIX" dev eth0
EOF
chmod +x "$FL_TMP/hook"

out=$FL_TMP/cli/events
# ip netns exec execs the probe, so $! is the probe's own pid.
ip netns exec "$FL_PFX-cli" "$probe" eth0 --hook "$FL_TMP/hook" --until "renewed:$RENEWALS" \
	--timeout $((SECS + 12 * RENEWALS + 30)) >"$out" 2>"$FL_TMP/cli/stderr" &
cpid=$!
FL_PIDS+=("$cpid")
fl_wait 30 "a lease" grep -q '^EVENT bound ' "$out"
# The baseline after the hook has run: the first system() call grows an
# ASan build by megabytes once, which is no leak.
fl_wait 10 "the hook's address" sh -c "ip netns exec $FL_PFX-cli ip -4 addr show dev eth0 | grep -q inet"
rss0=$(awk '/^VmRSS/ {print $2}' "/proc/$cpid/status")
mac=$(n cli cat /sys/class/net/eth0/address)
fl_log "bound ($(grep '^EVENT bound ' "$out" | head -n 1 | cut -d' ' -f3)); flooding ${SECS}s at ${RATE}/s"
flood=$(n rogue python3 "$FF_DIR/tools/dhcpflood.py" --dev eth0 --src 192.0.2.3 \
	--chaddr "$mac" --rate "$RATE" --secs "$SECS") || fl_fail "flood tool failed: $flood"
sent=${flood#sent=}
wait "$cpid" || fl_fail "client lost its lease or timed out: $(tail -n 2 "$FL_TMP/cli/stderr" | tr '\n' ' ')"
cat "$out" >&2

drops=$(grep '^DROPS ' "$out") || fl_fail "no DROPS line"
get() { echo "$drops" | sed -n "s/.* $1=\([0-9]*\).*/\1/p"; }
# After: the client's own VmRSS as it exits, the flood over (a sample taken
# mid-run once caught a transient 9 MB that was gone at exit).
rss1=$(get rss_kb)
counted=0
for k in parse not_reply xid chaddr state server incomplete ip_bad; do
	counted=$((counted + $(get "$k")))
done
addrs=$(grep -E '^EVENT (bound|renewed) ' "$out" | cut -d' ' -f3 | sort -u | wc -l)
grep -q '^EVENT lost' "$out" && fl_fail "the lease was lost under the flood"
[ "$(get naks)" -eq 0 ] || fl_fail "a rogue NAK was taken"
[ "$addrs" -eq 1 ] || fl_fail "the address changed under the flood"
[ "$(grep -c '^EVENT renewed ' "$out")" -eq "$RENEWALS" ] || fl_fail "not $RENEWALS renewals"
[ $((counted * 100)) -ge $((sent * 90)) ] || fl_fail "counted $counted of $sent flood messages"
[ "$rss1" -le $((rss0 + 1024)) ] || fl_fail "client VmRSS grew from $rss0 to $rss1 kB"
ff_result dhcp_rogue sent="$sent" counted="$counted" parse="$(get parse)" xid="$(get xid)" \
	ip_bad="$(get ip_bad)" renewals="$RENEWALS" naks_taken=0 rss_before_kb="$rss0" rss_after_kb="$rss1"
