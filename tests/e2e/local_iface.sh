#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Role = local (fenliu.conf(5), TAP ROUTER INTERFACES): an interfaces/NAME
# file names our TUN and fenliud puts its Address lines on it itself.
#   1. tinc.conf's Interface and a block of another name: refused.
#   2. without Interface and with a tinc-up that only sets the link up (no
#      `ip addr`), a's TUN is vpn0 with 203.0.113.1/24 and 2001:db8::1/64,
#      and a pings b across the mesh over IPv4 and IPv6.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
fl_need_root
fl_need_fenliu
fl_init

fl_fenliu_pair a b
d=$(fl_dir a)
mkdir -p "$d/interfaces"
cat >"$d/interfaces/vpn0" <<-'EOF2'
	Role = local
	Address = 203.0.113.1/24
	Address = 2001:db8::1/64
EOF2
printf '#!/bin/sh\necho "$INTERFACE" >"$(dirname "$0")/tinc-up.ran"\n' >"$d/tinc-up"

# ---- 1. Interface = fl0 and interfaces/vpn0: refused ----
if n a timeout 20 "$FENLIU_BUILD/src/daemon/fenliud" -c "$d" -D --pidfile="$d/pid.bad" \
	--logfile="$d/log.bad" </dev/null >/dev/null 2>"$d/stderr.bad"; then
	fl_fail "fenliud started with Interface = fl0 and interfaces/vpn0 (Role = local)"
fi
grep -q "Interface = fl0, but interfaces/vpn0 has Role = local" "$d/stderr.bad" "$d/log.bad" ||
	fl_fail "no message about the two names: $(cat "$d/stderr.bad" "$d/log.bad" | tail -n 3)"

# ---- 2. the block names the TUN and holds its addresses ----
sed -i '/^Interface = /d' "$d/tinc.conf"
fl_start b
fl_start a
[ "$(cat "$d/tinc-up.ran")" = vpn0 ] || fl_fail "tinc-up saw INTERFACE=$(cat "$d/tinc-up.ran")"
addrs=$(n a ip -br addr show dev vpn0) || fl_fail "a has no vpn0"
grep -q "203.0.113.1/24" <<<"$addrs" || fl_fail "vpn0 lacks 203.0.113.1/24: $addrs"
grep -q "2001:db8::1/64" <<<"$addrs" || fl_fail "vpn0 lacks 2001:db8::1/64: $addrs"
fl_wait_ping a b 30
fl_wait_ping a b 30 v6
fl_log "vpn0: $addrs"
fl_stop a
fl_log "PASS"
