#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 18.1 and 18.5: settings fenliud cannot honour are named with
# FILE:LINE where the user looks. Errors after detaching (a missing
# Device) reach the terminal too. A refused one (Sandbox = high,
# ExperimentalProtocol = no, Proxy = socks4a, Mode = switch on a tun
# device) stops a detached fenliud and `fenliu start` with the error on the
# terminal; `fenliu fsck` names it too; an ignored one (UPnP = yes) is a
# warning on the terminal and the node
# starts. An operator's `disconnect` is not logged as a protocol error, and
# the start/stop banners are at notice level.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_scenarios.sh"
fl_need_root
fl_need_fenliu
fl_init

fenliud=$FENLIU_BUILD/src/daemon/fenliud
fenliu=$FENLIU_BUILD/src/cli/fenliu
fl_net a b
fl_conf a fenliu
fl_conf b fenliu
fl_exchange a b
d=$(fl_dir a)
cp "$d/tinc.conf" "$d/tinc.conf.good"

# refused NAME LINE: tinc.conf's last line is refused, on the terminal.
refused() {
	local var=$1 line out rc=0
	line=$(wc -l <"$d/tinc.conf")
	out=$(n a "$fenliud" -c "$d" --pidfile="$d/pid" 2>&1 </dev/null) || rc=$?
	[ "$rc" -ne 0 ] || fl_fail "detached fenliud started with a refused $var"
	grep -q "tinc.conf:$line: $var: " <<<"$out" ||
		fl_fail "detached fenliud: no 'tinc.conf:$line: $var:' on the terminal: $out"
	rc=0
	out=$(FENLIUD=$fenliud n a "$fenliu" -c "$d" --pidfile="$d/pid" start 2>&1 </dev/null) || rc=$?
	[ "$rc" -ne 0 ] || fl_fail "fenliu start succeeded with a refused $var"
	grep -q "tinc.conf:$line: $var: " <<<"$out" ||
		fl_fail "fenliu start: no 'tinc.conf:$line: $var:' on the terminal: $out"
	rc=0
	out=$("$fenliu" -c "$d" fsck 2>&1) || rc=$?
	[ "$rc" -ne 0 ] || fl_fail "fenliu fsck accepted a refused $var"
	grep -q "ERROR: .*tinc.conf:$line: $var: " <<<"$out" ||
		fl_fail "fenliu fsck does not name tinc.conf:$line: $var: $out"
	echo "ok: $var refused with FILE:LINE (fenliud, fenliu start, fsck)"
}

echo "Sandbox = high" >>"$d/tinc.conf"
refused Sandbox
# Mode against the device: switch on tun, tap in router mode.
cp "$d/tinc.conf.good" "$d/tinc.conf"
echo "Mode = switch" >>"$d/tinc.conf"
refused Mode
sed '/^DeviceType/d' "$d/tinc.conf.good" >"$d/tinc.conf"
echo "DeviceType = tap" >>"$d/tinc.conf"
refused DeviceType
cp "$d/tinc.conf.good" "$d/tinc.conf"
echo "ExperimentalProtocol = no" >>"$d/tinc.conf"
refused ExperimentalProtocol
cp "$d/tinc.conf.good" "$d/tinc.conf"
echo "Proxy = socks4a 127.0.0.1 1080" >>"$d/tinc.conf"
refused Proxy

# Errors after detaching reach the terminal through the detach pipe.
cp "$d/tinc.conf.good" "$d/tinc.conf"
rc=0
out=$(n a timeout 20 "$fenliud" -c "$d" --pidfile="$d/pid" -o Device=/nonexistent/tun 2>&1 </dev/null) || rc=$?
[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] || fl_fail "detached fenliud started with a missing Device ($rc)"
grep -q "/nonexistent/tun" <<<"$out" || fl_fail "the device error did not reach the terminal: $out"
echo "ok: an error after detaching is on the terminal"

# Warned: starts, and says so on the terminal before detaching.
cp "$d/tinc.conf.good" "$d/tinc.conf"
echo "UPnP = yes" >>"$d/tinc.conf"
line=$(wc -l <"$d/tinc.conf")
out=$(FENLIUD=$fenliud n a "$fenliu" -c "$d" --pidfile="$d/pid" start -d3 --logfile="$d/log" 2>&1 </dev/null) ||
	fl_fail "fenliu start failed with a warned setting: $out"
grep -q "tinc.conf:$line: UPnP: fenliu has no UPnP client, ignored" <<<"$out" ||
	fl_fail "no warning on the terminal: $out"
grep -q "tinc.conf:$line: UPnP: fenliu has no UPnP client" "$d/log" || fl_fail "no warning in the log"
echo "ok: UPnP warned with FILE:LINE on the terminal and in the log"

# disconnect: not a protocol error. a runs detached (started above).
conn_up() { fl_cli_as fenliu a dump connections 2>/dev/null | grep -q "^b at "; }
fl_connect b a
fl_start b
fl_wait 30 "a and b connected" conn_up
fl_cli_as fenliu a disconnect b
fl_wait 10 "a closes the connection" fl_log_has a "Closing connection with b"
grep "Closing connection with b" "$d/log" | grep -q "disconnected by the operator" ||
	fl_fail "disconnect logged as: $(grep 'Closing connection with b' "$d/log")"
fl_not grep -q "Closing connection with b.*protocol error" "$d/log" ||
	fl_fail "an operator's disconnect was logged as a protocol error"
echo "ok: disconnect logged as the operator's"

fl_cli_as fenliu a stop
fl_wait 20 "a stopped" fl_not test -S "$d/pid.socket"
grep -q "starting, debug level" "$d/log" && grep -q "Terminating" "$d/log" || fl_fail "no banners"
fl_stop b
echo "ok: settings errors where the user looks"
