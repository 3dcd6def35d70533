#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Fault scenario: bad local input (issue 15 item 5). Each case breaks one
# thing in a fresh configuration directory and starts the daemon in a
# namespace; it must either refuse to start with a clear error naming the
# file (and line where there is one) or start and say what it skipped, and
# never hang or crash:
#   long_line      tinc.conf gets a 1 MB line           -> refuse, tinc.conf:LINE
#   binary         tinc.conf gets 4 KiB of random bytes -> refuse, tinc.conf:LINE
#   hosts_dir      hosts/evil is a directory (StrictSubnets on, so every
#                  host file is read)                   -> start, names hosts/evil
#   hosts_zero     hosts/zero links to /dev/zero (same) -> start, names hosts/zero
#   key_100mb      ed25519_key.priv is 100 MB           -> refuse, names the key
#   pidfile_nodir  --pidfile in a missing directory     -> refuse, names the pid file
#   tinc_up_exit1  tinc-up exits 1                      -> start, says so
#   tinc_up_hang   tinc-up sleeps forever               -> start after the
#                  script timeout (30 s), the script killed and logged
# With TINC11_DIR set, stock tincd runs the same cases for the table (its
# outcome is reported, not judged). Each case prints a RESULT line with the
# outcome, the exit code, the seconds taken and VmRSS for daemons that start.
# FL_FAULTS_FULL=1 changes nothing here: every case is already full size.
set -euo pipefail
. "$(dirname "$0")/../e2e/lib.sh"
fl_need_root
fl_need_fenliu
fl_init

# A daemon that neither exits nor answers by then is hung.
HANG_S=${FL_BAD_HANG_S:-45}
BAD=()

rss() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

fl_net v

# ready KIND: the control socket answers (bounded: a CLI may wait too).
ready() {
	local cli="$FENLIU_BUILD/src/cli/fenliu"
	[ "$1" = tinc ] && cli="$TINC11_DIR/tinc"
	timeout 5 "$cli" -c "$(fl_dir v)" --pidfile="$(fl_dir v)/pid" pid >/dev/null 2>&1
}

# mutate CASE DIR: break DIR for CASE; echo extra daemon arguments.
mutate() {
	local d=$2
	case $1 in
	long_line) { printf 'Name2 = '; head -c 1000000 /dev/zero | tr '\0' a; echo; } >>"$d/tinc.conf" ;;
	binary) head -c 4096 /dev/urandom >>"$d/tinc.conf" ;;
	hosts_dir) mkdir "$d/hosts/evil"; echo "StrictSubnets = yes" >>"$d/tinc.conf" ;;
	hosts_zero) ln -s /dev/zero "$d/hosts/zero"; echo "StrictSubnets = yes" >>"$d/tinc.conf" ;;
	key_100mb) { cat "$d/ed25519_key.priv"; head -c 100000000 /dev/zero | tr '\0' A; } >"$d/k" &&
		mv "$d/k" "$d/ed25519_key.priv" && chmod 600 "$d/ed25519_key.priv" ;;
	pidfile_nodir) echo "--pidfile=$d/missing/dir/pid" ;;
	tinc_up_exit1) printf '#!/bin/sh\nexit 1\n' >"$d/tinc-up" ;;
	tinc_up_hang) printf '#!/bin/sh\nexec sleep 100000\n' >"$d/tinc-up" ;;
	esac
}

# What the case must produce: "start" or "refuse", and a log regex.
expect() {
	case $1 in
	long_line) echo 'refuse tinc\.conf:[0-9]+.*(too long|Line)' ;;
	binary) echo 'refuse tinc\.conf:[0-9]+' ;;
	hosts_dir) echo 'start hosts/evil' ;;
	hosts_zero) echo 'start hosts/zero' ;;
	key_100mb) echo 'refuse ed25519_key\.priv.*(too large|large)' ;;
	pidfile_nodir) echo 'refuse missing/dir/pid.*No such file' ;;
	tinc_up_exit1) echo 'start tinc-up.*(exit|status).*1' ;;
	tinc_up_hang) echo 'start tinc-up.*(timed out|killed)' ;;
	esac
}

# run_case KIND CASE
run_case() {
	local kind=$1 c=$2 d bin args want regex t0 pid rc=running outcome secs mem=0 text
	fl_conf v "$kind"
	d=$(fl_dir v)
	args=$(mutate "$c" "$d")
	read -r want regex < <(expect "$c")
	bin=$(fl_daemon_bin v)
	rm -f "$d/pid"
	t0=$SECONDS
	# shellcheck disable=SC2086
	ip netns exec "$FL_PFX-v" "$bin" -c "$d" -D -d 3 --pidfile="$d/pid" --logfile="$d/log" $args \
		</dev/null >"$d/stdout" 2>"$d/stderr" &
	pid=$!
	FL_PIDS+=("$pid")
	while [ $((SECONDS - t0)) -lt "$HANG_S" ]; do
		if ! kill -0 "$pid" 2>/dev/null; then
			rc=0
			wait "$pid" || rc=$?
			break
		fi
		if ready "$kind"; then
			rc=up
			break
		fi
		sleep 0.2
	done
	secs=$((SECONDS - t0))
	case $rc in
	running) outcome=hung ;;
	up) outcome=started; mem=$(rss "$pid") ;;
	0) outcome=exited_0 ;;
	*) outcome=refused ;;
	esac
	[ "$rc" = up ] || [ "$rc" = running ] || [ "$kind" != fenliu ] || fl_check_san v
	kill -TERM "$pid" 2>/dev/null || true
	local i
	for i in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	kill -9 "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	[ "$kind" = fenliu ] && fl_check_san v
	text=$(cat "$d/stderr" "$d/log" 2>/dev/null | tr -d '\0' | grep -aE "$regex" | head -n 1 || true)
	# tincd words things its own way: show its last line for the table.
	[ -n "$text" ] || [ "$kind" = fenliu ] ||
		text=$(cat "$d/log" "$d/stderr" 2>/dev/null | tr -d '\0' | grep -av '^\s*$' | tail -n 1 || true)
	text=$(printf '%s' "$text" | sed 's/^[0-9-]* [0-9:]* [^ ]* *//; s/"/'"'"'/g' | cut -c1-160)
	echo "RESULT bad_local_input case=$c daemon=$kind outcome=$outcome exit=$rc seconds=$secs" \
		"rss_kb=$mem message=\"${text:-none}\""
	[ "$kind" = fenliu ] || return 0
	case $want in
	start) [ "$outcome" = started ] || BAD+=("$c: expected fenliud to start, got $outcome") ;;
	refuse) [ "$outcome" = refused ] || BAD+=("$c: expected fenliud to refuse to start, got $outcome") ;;
	esac
	[ -n "$text" ] || BAD+=("$c: no message matching /$regex/ from fenliud")
	return 0
}

CASES="long_line binary hosts_dir hosts_zero key_100mb pidfile_nodir tinc_up_exit1 tinc_up_hang"
for c in ${FL_BAD_CASES:-$CASES}; do
	run_case fenliu "$c"
	if [ -n "${TINC11_DIR:-}" ] && [ -x "$TINC11_DIR/tincd" ]; then
		run_case tinc "$c"
	fi
done
for b in "${BAD[@]+"${BAD[@]}"}"; do echo "problem: $b" >&2; done
[ ${#BAD[@]} -eq 0 ] || fl_fail "${#BAD[@]} case(s) without a clear error or with a hang"
echo "ok: every bad input gave a clear error and no hang"
