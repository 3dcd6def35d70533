#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tincd's -U USER, -R and -L (issue 18.2): fenliud started as root with
# `-U nobody -R` runs as nobody, chrooted into its configuration
# directory, after opening its device and sockets; the tunnel works and a
# reload reads the configuration inside the chroot. -L locks memory
# (VmLck > 0); a sanitizer build refuses -L, and then the release build
# in build/ (if there) is checked instead. An unknown user fails the start.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_scenarios.sh"
fl_need_root
fl_need_tools ping
fl_need_fenliu
id nobody >/dev/null 2>&1 || fl_skip "no user nobody"
fl_init

fl_fenliu_pair a b
da=$(fl_dir a)
# The unprivileged daemon reads hosts/ and tinc.conf (reload) itself.
chmod 755 "$FL_TMP" "$da" "$da/hosts"
chmod 644 "$da/tinc.conf" "$da"/hosts/*

rc=0
out=$(n a timeout 20 "$FENLIU_BUILD/src/daemon/fenliud" -c "$da" -D --pidfile="$da/pid" -U no_such_user_x 2>&1 </dev/null) || rc=$?
[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] || fl_fail "fenliud started with an unknown -U user"
grep -q "unknown user \`no_such_user_x'" <<<"$out" || fl_fail "no error for the unknown user: $out"
echo "ok: an unknown -U user stops the start"

fl_start b
# LeakSanitizer cannot read /proc inside the chroot at exit: leaks are
# checked by every other test.
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 fl_start a -U nobody -R
pid=${FL_PID[a]}
uid=$(awk '/^Uid:/ {print $2 $3 $4 $5}' "/proc/$pid/status")
[ "$uid" = "65534655346553465534" ] || fl_fail "fenliud's uids are $uid, not nobody's"
gid=$(awk '/^Gid:/ {print $2}' "/proc/$pid/status")
[ "$gid" = "$(id -g nobody)" ] || fl_fail "fenliud's gid is $gid"
root=$(readlink "/proc/$pid/root")
[ "$root" = "$da" ] || fl_fail "fenliud's root is $root, not $da"
fl_wait_ping a b 30
echo "ok: -U nobody -R: uid 65534, root $root, the tunnel works"
fl_cli a reload || fl_fail "reload inside the chroot failed"
fl_wait_ping a b 10
fl_alive_and_answers a
echo "ok: reload inside the chroot"
fl_stop a

# -L: VmLck > 0 with a build that allows it.
bin=$FENLIU_BUILD
if grep -q "__asan_init" "$FENLIU_BUILD/src/daemon/fenliud"; then
	rc=0
	out=$(n a timeout 20 "$FENLIU_BUILD/src/daemon/fenliud" -c "$da" -D --pidfile="$da/pid" -L 2>&1 </dev/null) || rc=$?
	[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] || fl_fail "a sanitizer build started with -L"
	grep -q "not available in a sanitizer build" <<<"$out" || fl_fail "-L refusal: $out"
	echo "ok: a sanitizer build refuses -L"
	bin=$FL_TOP/build
	[ -x "$bin/src/daemon/fenliud" ] || { echo "SKIP: -L: no release build in $bin"; bin=; }
fi
if [ -n "$bin" ]; then
	FENLIU_BUILD=$bin fl_start a -L
	lck=$(awk '/^VmLck:/ {print $2}' "/proc/${FL_PID[a]}/status")
	[ "${lck:-0}" -gt 0 ] || fl_fail "-L: VmLck is ${lck:-0} kB"
	echo "ok: -L: VmLck $lck kB"
	FENLIU_BUILD=$bin fl_stop a
fi
fl_stop b
echo "ok: -U, -R and -L as tincd's"
