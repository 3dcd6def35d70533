#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# KeyExpire: with KeyExpire = 2, a forces a re-key of its UDP SPTPS session
# with b every 2 s (as tincd does on its key expiry timer); the tunnel keeps
# carrying pings across the re-keys. FL_PEER_KIND=tinc (with TINC11_DIR) makes
# b a stock tincd.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
fl_need_root
fl_need_tools ping
fl_need_fenliu
[ "${FL_PEER_KIND:-fenliu}" = fenliu ] || fl_need_tinc
fl_init

fl_net a b
fl_conf a fenliu "KeyExpire=2"
fl_conf b "${FL_PEER_KIND:-fenliu}"
fl_exchange a b
fl_connect a b
fl_start b
fl_start a
fl_wait_ping a b 30
fl_wait_udp a b
log=$(fl_dir a)/log
out=$(fl_dir a)/pings
n a ping -c 40 -i 0.2 -W 2 203.0.113.2 >"$out" 2>&1 || true
cat "$out" | tail -2
expired=$(grep -c 'Expiring symmetric keys' "$log" || true)
kex=$(grep -c 'SPTPS key exchange with b successful' "$log" || true)
echo "a: $expired expiries, $kex key exchanges with b"
[ "$expired" -ge 2 ] || fl_fail "KeyExpire timer did not fire"
[ "$kex" -ge 3 ] || fl_fail "UDP session not re-keyed ($kex key exchanges)"
grep -q ' 0% packet loss' "$out" || fl_fail "pings lost across re-keys"
for x in a b; do fl_stop "$x"; done
echo "ok: KeyExpire re-keys the UDP session, no packet lost"
