#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Other nodes' public keys in tinc's order (KEYS.md §4.3): a's hosts/b has
# no key, a gets it from `-o b.Ed25519PublicKey=...` on its command line
# (the host tree's variable wins over the file); the mesh comes up. Then an
# invalid value there means no key for b (no fallback to the file).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
fl_need_root
fl_need_tools ping
fl_need_fenliu
fl_init

fl_fenliu_pair a b
hb=$(fl_dir a)/hosts/b
key=$(awk '$1 == "Ed25519PublicKey" {print $3}' "$hb")
[ -n "$key" ] || fl_fail "no key in $hb"
sed -i '/^Ed25519PublicKey/d' "$hb"
fl_start b
fl_start a -o "b.Ed25519PublicKey=$key"
fl_wait_ping a b 30
fl_stop a

echo "Ed25519PublicKey = $key" >>"$hb"
log=$(fl_dir a)/log
l0=$(wc -l <"$log")
since() { tail -n +$((l0 + 1)) "$log" | grep -E "$1" >/dev/null; }
fl_start a -o "b.Ed25519PublicKey=notakey"
# No sleep: wait until a has given up its attempt on b, then check it never
# connected and that b is unreachable.
fl_wait 30 "a: gave up connecting to b" since 'b: no more addresses to try'
since 'Connected to b|Node b became reachable' && fl_fail "a connected to b with an invalid command-line key"
fl_not fl_reachable a b || fl_fail "a sees b reachable with an invalid command-line key"
fl_ping a b && fl_fail "a reached b with an invalid command-line key"
for x in a b; do fl_stop "$x"; done
echo "ok: host public keys in tinc's order, -o NODE.Ed25519PublicKey included"
