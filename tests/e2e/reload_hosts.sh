#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Reload step 6 (CONFIG.md §6): a reload closes the meta connection to a
# node whose hosts/ file changed since the last (re)load (then the mesh
# reconnects); a reload with nothing changed closes nothing. Step 3: a
# new hosts/NAME file makes a node NAME (listed by dump nodes, as tinc).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
fl_need_root
fl_need_tools ping
fl_need_fenliu
fl_init

fl_fenliu_pair a b
fl_start b
fl_start a
fl_wait_ping a b 30
log=$(fl_dir a)/log
changed() { grep -c 'host config file changed' "$log" || true; }

fl_cli a reload || fl_fail "reload failed"
fl_wait_ping a b 10
[ "$(changed)" -eq 0 ] || fl_fail "reload closed a connection though no host file changed"

# Changed later than the last load (a time in the future: no sleep needed).
touch -d "@$(($(date +%s) + 2))" "$(fl_dir a)/hosts/b"
fl_cli a reload || fl_fail "reload failed"
[ "$(changed)" -eq 1 ] || fl_fail "connection to b not closed after hosts/b changed"
grep -q 'Host config file of b has been changed' "$log" || fl_fail "no log line"
fl_wait 30 "a: connection to b again" bash -c \
	"'$FENLIU_BUILD/src/cli/fenliu' -c '$(fl_dir a)' --pidfile='$(fl_dir a)/pid' dump connections | grep -q '^b '"
fl_wait_ping a b 30
fl_cli a dump nodes | grep -q '^newnode ' && fl_fail "newnode known before its host file"
echo "Address = 192.0.2.99" >"$(fl_dir a)/hosts/newnode"
touch -d "@$(($(date +%s) - 5))" "$(fl_dir a)/hosts/b" # b stays connected
fl_cli a reload || fl_fail "reload failed"
fl_cli a dump nodes | grep -q '^newnode ' || fl_fail "hosts/newnode did not make a node on reload"
for x in a b; do fl_stop "$x"; done
echo "ok: reload closes connections of changed host files only"
