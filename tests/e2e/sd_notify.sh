#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# fenliud's sd_notify messages (src/daemon/fld_notify.c) as systemd's
# Type=notify unit sees them, without systemd: a python3 datagram socket
# stands in as NOTIFY_SOCKET and logs every message. Checks READY=1 comes
# after tinc-up ran, RELOADING=1/READY=1 around `fenliu reload` and SIGHUP,
# WATCHDOG=1 at half of WATCHDOG_USEC, and STOPPING=1 at SIGTERM.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
fl_need_root
fl_need_tools python3
fl_need_fenliu
[[ $(ldd "$FENLIU_BUILD/src/daemon/fenliud") == *libsystemd* ]] ||
	fl_skip "fenliud built without libsystemd (meson -Dsystemd=disabled or no libsystemd-dev)"
fl_init

fl_net a
fl_conf a fenliu
d=$(fl_dir a)
sock="$d/notify.sock"
log="$d/notify.log"
: >"$log"
# tinc-up leaves its mark in the same log: READY must come after it.
echo "echo TINC-UP >>'$log'" >>"$d/tinc-up"

python3 - "$sock" "$log" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
while True:
    msg = s.recv(4096).decode(errors="replace")
    with open(sys.argv[2], "a") as f:
        f.write(msg.replace("\n", "|") + "\n")
PY
FL_PIDS+=("$!")
fl_wait 10 "notify socket" test -S "$sock"

# count PATTERN: how many logged messages match.
count() { grep -c -- "$1" "$log" || true; }
at_least() { [ "$(count "$2")" -ge "$1" ]; } # polled: counts anew each call
after() { # after FIRST SECOND: a SECOND line follows the first FIRST line
	awk -v a="$1" -v b="$2" 'index($0,a){s=1} s && index($0,b){f=1} END{exit !f}' "$log"
}

export NOTIFY_SOCKET="$sock" WATCHDOG_USEC=2000000
fl_start a
unset NOTIFY_SOCKET WATCHDOG_USEC
fl_wait 10 "READY=1" grep -q 'READY=1' "$log"
after TINC-UP READY=1 || { cat "$log"; fl_fail "READY=1 came before tinc-up ran"; }
[[ $(n a ip -4 addr show fl0) == *203.0.113.1/* ]] || fl_fail "fl0 has no address at READY"

# Watchdog: every second at WATCHDOG_USEC=2 s; wait for three.
fl_wait 10 "three WATCHDOG=1" at_least 3 WATCHDOG=1

fl_cli a reload || fl_fail "reload failed"
fl_wait 10 "RELOADING=1 after fenliu reload" grep -q 'RELOADING=1' "$log"
fl_wait 10 "READY=1 after RELOADING=1" after RELOADING=1 READY=1
kill -HUP "${FL_PID[a]}"
fl_wait 10 "second RELOADING=1 after SIGHUP" at_least 2 RELOADING=1

fl_stop a
fl_wait 10 "STOPPING=1" grep -q 'STOPPING=1' "$log"
[ "$FL_FAILED_SAN" -eq 0 ] || fl_fail "sanitizer report"
echo "--- messages:"; cat "$log"
echo "RESULT sd_notify ready=$(count READY=1) reloading=$(count RELOADING=1) watchdog=$(count WATCHDOG=1) stopping=$(count STOPPING=1)"
echo "ok: READY after tinc-up, RELOADING/READY around reloads, WATCHDOG, STOPPING"
