#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Hostnames = yes (issue 18), as tincd: a's dumps and connection log show
# peers by name (reverse lookup of the numeric address), b without the
# setting shows numbers. The names come from a hosts file of a's namespace
# only (`ip netns exec` mounts /etc/netns/NS/hosts over /etc/hosts; the
# machine's own /etc/hosts is not touched), and a resolv.conf pointing at
# the namespace's loopback so other lookups fail at once instead of
# waiting for a DNS server. FL_FORCE_KIND=tinc runs it on stock tincd.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
fl_need_root
fl_need_fenliu
fl_init
etcns=/etc/netns/$FL_PFX-a
# set +e first: under errexit the (exit $rc) would end the trap before
# fl_cleanup stops the daemons and removes the namespaces.
trap 'rc=$?; set +e; rm -rf "$etcns"; rmdir /etc/netns 2>/dev/null; (exit $rc); fl_cleanup' EXIT
mkdir -p "$etcns" 2>/dev/null || fl_skip "cannot write $etcns (per-namespace hosts file)"
printf '127.0.0.1 localhost\n192.0.2.1 alpha.example\n192.0.2.2 beta.example\n' >"$etcns/hosts"
printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' >"$etcns/resolv.conf"

fl_net a b
fl_conf a fenliu Hostnames=yes
fl_conf b fenliu
fl_exchange a b
fl_connect a b
fl_start b
fl_start a
fl_wait 30 "a and b see each other" fl_reachable a b
fl_wait 30 "b sees a" fl_reachable b a

conns=$(fl_cli a dump connections) || fl_fail "a: dump connections failed: $conns"
echo "a: $conns"
grep -q "^b at beta.example port " <<<"$conns" || fl_fail "a: connection to b not shown by name"
nodes=$(fl_cli a dump nodes) || fl_fail "a: dump nodes failed"
grep -q "^b .* at beta.example port " <<<"$nodes" || fl_fail "a: node b not shown by name: $nodes"
edges=$(fl_cli a dump edges) || fl_fail "a: dump edges failed"
grep -q "^a to b at beta.example port " <<<"$edges" || fl_fail "a: edge a->b not shown by name: $edges"
grep -q "Trying to connect to b (beta.example port " "$(fl_dir a)/log" ||
	fl_fail "a: log does not name b's address"
grep -q "Connected to b (beta.example port " "$(fl_dir a)/log" ||
	fl_fail "a: 'Connected to' log line does not name b's address"
# Without the setting (b), numbers, even where a name is known to a.
conns=$(fl_cli b dump connections) || fl_fail "b: dump connections failed"
echo "b: $conns"
grep -q "^a at 192.0.2.1 port " <<<"$conns" || fl_fail "b: connection to a not numeric: $conns"
for x in a b; do fl_stop "$x"; done
echo "RESULT hostnames kind=${FL_KIND[a]} shown=beta.example"
echo "ok: Hostnames = yes shows peers by name in dumps and the log"
