#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# taprouter_slaac: IPv6 SLAAC on a `lan` TAP (issue 19; `Address = slaac`
# in interfaces/NAME, RFC 4862). The TAP router topology of
# lib_taprouter.sh; a's lan0 gets `Address = slaac` besides its static
# addresses, and tests/e2e/ra_send.py on the LAN's bridge plays the router:
#   1. a sends a Router Solicitation at start (ra_send waits for it);
#   2. the RA announces 2001:db8:200::/64 (valid 3600 s) and
#      2001:db8:202::/64 (valid 20 s): a forms prefix + EUI-64 of its MAC
#      for each, runs DAD, then sends an unsolicited NA to all nodes for
#      each (ra_send sees both);
#   3. h1 pings both addresses (answered by fenliud: its counters say so);
#   4. the 20 s address expires (no more answers, counted), the other stays.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_taprouter.sh"
fl_need_root
fl_need_tools ping python3
fl_need_fenliu
fl_init

MAC=02:00:00:00:20:02 # a's lan0, given so the router can wait for it
eui() { # PREFIX: PREFIX + the modified EUI-64 of a's MAC
	python3 -c 'import sys, ipaddress
p, m = sys.argv[1], bytes.fromhex(sys.argv[2].replace(":", ""))
iid = bytes([m[0] ^ 2]) + m[1:3] + b"\xff\xfe" + m[3:]
print(ipaddress.IPv6Address(ipaddress.IPv6Network(p).network_address.packed[:8] + iid))' "$1" "$MAC"
}
long=$(eui 2001:db8:200::/64) short=$(eui 2001:db8:202::/64)
fl_log "a's MAC $MAC: SLAAC addresses $long, $short"

# tr_setup's steps, with the router listening before a starts (a's three
# RSs go out in its first 8 s).
fl_net a b
lan_net
fl_conf a fenliu host:Subnet=192.168.200.0/24 host:Subnet=2001:db8:200::/64
fl_conf b fenliu
b_routes
a_conf
printf 'Address = slaac\nMACAddress = %s\n' "$MAC" >>"$(fl_dir a)/interfaces/lan0"
fl_exchange a b
fl_connect a b
# The RS and the NAs go to multicast groups nobody joined: flood them.
ip -n "$LANNS" link set br0 type bridge mcast_snooping 0
# 1+2: RS from a, then our RA, then an unsolicited NA per address once
# its DAD is done.
fl_bg lan python3 "$FL_TOP/tests/e2e/ra_send.py" br0 30 15 "$MAC" \
	2001:db8:200::/64:3600 2001:db8:202::/64:20 >"$FL_TMP/ra.out"
ra=$FL_LAST_BG
fl_start a
fl_start b
rss0=$(tr_rss a)
wait "$ra" || fl_fail "no Router Solicitation from a: $(cat "$FL_TMP/ra.out")"
out=$(cat "$FL_TMP/ra.out")
fl_log "ra_send: $(echo $out)"
grep -qx "na $long" <<<"$out" || fl_fail "no unsolicited NA for $long: $out"
grep -qx "na $short" <<<"$out" || fl_fail "no unsolicited NA for $short: $out"
[ "$(tr_stat slaac_rs_sent)" -ge 1 ] && [ "$(tr_stat slaac_ras)" -ge 1 ] || fl_fail "slaac counters: RS/RA not counted"
[ "$(tr_stat slaac_addresses)" -eq 2 ] || fl_fail "slaac_addresses $(tr_stat slaac_addresses), expected 2"
grep -qF "SLAAC address $long/64" "$(fl_dir a)/log" || fl_fail "no log line for $long"
echo "RESULT taprouter_slaac rs=ok ra=ok unsolicited_na=2"

# 3: h1 pings both, fenliud answers.
echo0=$(tr_stat icmp_echo)
fl_wait 10 "h1 ping $long" nq h1 ping -6 -c 1 -W 1 "$long"
fl_wait 10 "h1 ping $short" nq h1 ping -6 -c 1 -W 1 "$short"
[ "$(tr_stat icmp_echo)" -ge $((echo0 + 2)) ] || fl_fail "echo replies not counted by fenliud"
echo "RESULT taprouter_slaac ping_long=ok ping_short=ok"

# 4: the 20 s address goes; the 3600 s one stays.
expired() { [ "$(tr_stat slaac_expired)" -ge 1 ]; }
fl_wait 40 "$short expired" expired
grep -qF "SLAAC address $short/64 expired" "$(fl_dir a)/log" || fl_fail "no log line for the expiry of $short"
n h1 ping -6 -c 1 -W 1 "$short" >/dev/null 2>&1 && fl_fail "$short still answers after its lifetime"
[ "$(tr_stat slaac_addresses)" -eq 1 ] || fl_fail "slaac_addresses $(tr_stat slaac_addresses) after expiry, expected 1"
nq h1 ping -6 -c 1 -W 1 "$long" || fl_fail "$long stopped answering"
echo "RESULT taprouter_slaac expiry=ok rss_before_kb=$rss0 rss_after_kb=$(tr_rss a)"
fl_log "taprouter_slaac: all parts passed"
exit 0
