#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# fenliu demo: a live three-node VPN on this machine.
#
#   1. three network namespaces (alpha, beta, gamma) on one bridge, addresses
#      192.0.2.1-3 on the "underlay";
#   2. `fenliu init` makes each node's tinc-style configuration directory and
#      Ed25519 keys; the nodes swap host files; alpha and gamma dial beta;
#   3. fenliud starts in each namespace (tun device fl0, tunnel addresses
#      203.0.113.1-3) and the mesh forms: alpha reaches gamma directly over
#      UDP once probes confirm the path;
#   4. a ping and an iperf3 run go through the tunnel alpha -> gamma, and
#      `fenliu dump nodes` shows the mesh as alpha sees it;
#   5. everything is torn down (daemons stopped, namespaces deleted).
#
# Usage (as root): scripts/demo.sh            builds build/ (release) if needed
#                  FENLIU_BUILD=DIR scripts/demo.sh   uses an existing build
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/deps.sh"

if [ "$(id -u)" -ne 0 ]; then
	echo "fenliu demo: needs root (network namespaces and TUN devices); run: sudo $0" >&2
	exit 1
fi

build=${FENLIU_BUILD:-$top/build}
if [ -z "${FENLIU_BUILD:-}" ]; then
	if [ ! -f "$build/build.ninja" ]; then
		echo "== configuring $build (release)"
		meson setup "$build" "$top" --buildtype=release >"$build.setup.log" 2>&1 ||
			{ cat "$build.setup.log"; exit 1; }
	fi
	echo "== building fenliud and fenliu"
	ninja -C "$build" src/daemon/fenliud src/cli/fenliu >"$build.build.log" 2>&1 ||
		{ tail -n 40 "$build.build.log"; exit 1; }
fi
export FENLIU_BUILD=$build
export FL_PFX=fldemo$$
. "$top/tests/e2e/lib.sh"
fl_need_root
fl_need_tools ping iperf3
fl_init

step() { printf '\n== %s\n' "$*"; }

step "1. namespaces alpha, beta, gamma on a bridge (underlay 192.0.2.0/24)"
fl_net alpha beta gamma
for x in alpha beta gamma; do
	printf '   %-6s %s\n' "$x" "$(n "$x" ip -br -4 addr show dev eth0)"
done

step "2. fenliu init, host files swapped; alpha and gamma dial beta"
for x in alpha beta gamma; do fl_conf "$x" fenliu; done
fl_exchange alpha beta gamma
fl_connect alpha beta
fl_connect gamma beta
echo "   alpha's tinc.conf:"
sed 's/^/     /' "$(fl_dir alpha)/tinc.conf"
echo "   alpha's hosts/alpha:"
sed 's/^/     /' "$(fl_dir alpha)/hosts/alpha"

step "3. fenliud in each namespace"
FL_DEBUG=1
for x in beta alpha gamma; do
	fl_start "$x"
	echo "   $x: fenliud pid ${FL_PID[$x]}, $(fl_cli "$x" pid 2>/dev/null | head -n 1 || true)"
done
fl_wait_ping alpha gamma 30
fl_wait_udp alpha gamma 30
echo "   mesh up; alpha has UDP to gamma confirmed"

step "4a. ping alpha -> gamma (203.0.113.3) through the tunnel"
n alpha ping -c 4 -i 0.3 203.0.113.3 | sed 's/^/   /'

step "4b. iperf3 alpha -> gamma through the tunnel (5 s)"
fl_bg gamma iperf3 -s -1 -B 203.0.113.3 >/dev/null 2>&1
fl_wait 10 "iperf3 server" bash -c "ip netns exec $FL_PFX-gamma ss -ltn | grep -q '203.0.113.3:5201'"
n alpha iperf3 -c 203.0.113.3 -t 5 -f m | grep -E 'sender|receiver' | sed 's/^/   /'

step "4c. fenliu dump nodes (on alpha)"
fl_cli alpha dump nodes | sed 's/^/   /'
echo "   (status 0x80 = UDP confirmed; gamma: nexthop beta, via gamma = direct UDP)"

step "5. tear down"
for x in alpha gamma beta; do fl_stop "$x"; done
echo "   daemons stopped; namespaces and files are removed on exit"
