#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 22.7: raw control bytes from a peer (ESC, CR, BEL in an ID line)
# were written into the log, and a hosts/ entry that is a directory or a
# link to /dev/zero was skipped without naming the file. b gets such ID
# lines (and names whose hosts/ entry is a directory, /dev/zero, a FIFO);
# its log must hold no raw control byte, show them as \xNN, name each bad
# hosts/ file with its reason, and b must keep serving a good peer.
# Short: 20 rounds; FL_FAULTS_FULL=1: 2000.
set -euo pipefail
. "$(dirname "$0")/../e2e/lib.sh"
. "$(dirname "$0")/../e2e/lib_scenarios.sh"
fl_need_root
fl_need_tools ping
fl_need_fenliu
fl_init

rounds=20
[ -n "${FL_FAULTS_FULL:-}" ] && rounds=2000

fl_net a b
fl_add_ns x 9
fl_conf a fenliu
# MaxConnectionBurst (tinc's default 10) would tarpit the flood before the
# defence under test sees it: lifted on the victim.
fl_conf b fenliu MaxConnectionBurst=1000000
fl_exchange a b
fl_connect a b
bd=$(fl_dir b)
mkdir "$bd/hosts/evildir"
ln -s /dev/zero "$bd/hosts/evilzero"
mkfifo "$bd/hosts/evilfifo"
fl_start b
fl_start a
fl_wait_ping a b 30

send() { n x bash -c "printf '$1' >/dev/tcp/192.0.2.2/655" 2>/dev/null || true; }
for i in $(seq "$rounds"); do
	send '0 a\033[2J\r\a 17.7\n'
	send '0 \033]0;owned\a 17.7\n'
	send '0 evildir 17.7\n'
	send '0 evilzero 17.7\n'
	send '0 evilfifo 17.7\n'
done
fl_pings a b 5
kill -0 "${FL_PID[b]}" || fl_fail "b died"
log="$bd/log"
fl_wait 20 "b logged the last round" grep -q "evilfifo: not a regular file" "$log"
raw=$(tr -d '\n\t' <"$log" | tr -cd '\000-\037\177' | wc -c)
esc=$(grep -c '\\x1b' "$log" || true)
named=0
for w in "evildir: not a regular file (a directory)" "evilzero: not a regular file (a device)" \
	"evilfifo: not a regular file (a FIFO)"; do
	grep -qF "hosts/$w" "$log" && named=$((named + 1))
done
echo "RESULT log_hostile_text rounds=$rounds raw_control_bytes_in_log=$raw escaped_lines=$esc bad_hosts_named=$named/3 rss_b_kb=$(awk '/^VmRSS/ {print $2}' "/proc/${FL_PID[b]}/status")"
for x in a b; do fl_stop "$x"; done
[ "$raw" -eq 0 ] || fl_fail "$raw raw control bytes in b's log"
[ "$esc" -ge 1 ] || fl_fail "no escaped control byte in b's log"
[ "$named" -eq 3 ] || fl_fail "only $named of 3 bad hosts/ entries named in b's log"
echo "ok: control bytes escaped, bad hosts/ entries named"
