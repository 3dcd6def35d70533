#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench/run.sh: every benchmark in one go, on a release build, so the figures
# in the README's performance section come from one run on one machine.
#   SPTPS   bench/sptps/compare.sh (with tinc's sptps_speed when TINC11_DIR
#           holds a built tinc tree's src/, e.g. /opt/tinc11/nolegacy/src)
#   LPM     build/bench/lpm_speed
#   NAT     build/bench/nat_speed
#   data plane build/bench/dataplane_speed, then bench/dataplane/scaling.sh
#           (the pipeline's workers against independent processes)
#   tunnel  bench/tunnel_speed.sh (root; tinc-tinc too when TINC11_DIR is set,
#           and Debian's wireguard-go)
#   taprouter bench/taprouter (root): the router on TAP against TUN
# Usage: bench/run.sh [SPTPS_SECONDS]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
"$top/scripts/deps.sh"
build=${FENLIU_BUILD:-$top/build}
[ -f "$build/build.ninja" ] || meson setup "$build" --buildtype=release >/dev/null
ninja -C "$build" >/dev/null
secs=${1:-3}
echo "== $(date -u +%FT%TZ) $(uname -m), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
if [ -n "${TINC11_DIR:-}" ] && [ -x "$TINC11_DIR/sptps_speed" ]; then
	export TINC_SPTPS_SPEED=$TINC11_DIR/sptps_speed
fi
FENLIU_BUILD=$build bench/sptps/compare.sh "$secs"
echo "== lpm_speed"
"$build/bench/lpm_speed"
echo "== nat_speed"
"$build/bench/nat_speed"
echo "== dataplane_speed"
"$build/bench/dataplane_speed" "$secs"
echo "== dataplane scaling"
FENLIU_BUILD=$build bench/dataplane/scaling.sh "$secs"
if [ "$(id -u)" -eq 0 ]; then
	echo "== tunnel_speed"
	FENLIU_BUILD=$build bench/tunnel_speed.sh
else
	echo "== tunnel_speed: skipped (needs root for network namespaces)"
fi
if [ "$(id -u)" -eq 0 ]; then
	echo "== taprouter"
	FENLIU_BUILD=$build bench/taprouter
fi
