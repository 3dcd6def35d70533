#!/bin/bash
# SPDX-License-Identifier: MIT
# bench/sptps/compare.sh [SECONDS]: run tinc 1.1's sptps_speed, fenliu's
# sptps_speed and `openssl speed -evp chacha20-poly1305 -bytes 1452` in one
# go and print the ratios the SPTPS targets are stated in.
# Env: FENLIU_BUILD (default build), TINC_SPTPS_SPEED (default
# /opt/tinc11/nolegacy/src/sptps_speed). tinc is optional.
# Note: our two transmit lines batch records per syscall (sendmmsg/recvmmsg,
# 64 KiB write/read), as fenliud's data path does; tinc's make one send() and
# one recv() per record. See the comment at the top of sptps_speed.c.
set -euo pipefail
secs=${1:-10}
build=${FENLIU_BUILD:-build}
ours="$build/bench/sptps_speed"
tinc=${TINC_SPTPS_SPEED:-/opt/tinc11/nolegacy/src/sptps_speed}
[ -x "$ours" ] || { echo "no $ours (meson setup build --buildtype=release; ninja -C build)" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ -x "$tinc" ]; then
	echo "== tinc: $tinc $secs"
	"$tinc" "$secs" 2>&1 | tee "$tmp/tinc"
fi
echo "== fenliu: $ours $secs"
"$ours" "$secs" 2>&1 | tee "$tmp/ours"
echo "== openssl speed -evp chacha20-poly1305 -bytes 1452 -seconds $secs"
openssl speed -seconds "$secs" -evp chacha20-poly1305 -bytes 1452 2>/dev/null | tail -n 1 | tee "$tmp/openssl"

# value of a line, in op/s or Gbit/s
val() {
	awk -v l="$2 for " 'index($0, l) == 1 {
		v = $(NF - 1); u = $NF
		if (u == "Mbit/s") v /= 1000; else if (u == "kbit/s") v /= 1e6
		print v; exit }' "$1"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print "n/a"; else printf "%.2f", a / b }'; }

echo "== ratios"
ossl=$(awk '{ v = $NF; sub(/k$/, "", v); printf "%.4f", v * 1000 * 8 / 1e9 }' "$tmp/openssl")
rl=$(val "$tmp/ours" "SPTPS/UDP record layer")
rl2=$(awk 'index($0, "SPTPS/UDP record layer, ") == 1 { print $(NF - 1); exit }' "$tmp/ours")
prim=$(val "$tmp/ours" "ChaCha20-Poly1305 primitive")
if [ -x "$tinc" ]; then
	for l in "SPTPS/TCP transmit:2.5" "SPTPS/UDP transmit:2.5" "SPTPS/TCP authenticate:1.0" \
		"SPTPS/UDP authenticate:1.0"; do
		name=${l%:*}
		echo "$name: fenliu/tinc = $(ratio "$(val "$tmp/ours" "$name")" "$(val "$tmp/tinc" "$name")") (target >= ${l##*:})"
	done
fi
echo "record layer / primitive = $(ratio "$rl" "$prim") (target >= 0.85)"
echo "primitive / openssl speed ($ossl Gbit/s) = $(ratio "$prim" "$ossl") (target >= 0.70)"
echo "record layer N threads / 1 thread = $(ratio "$rl2" "$rl") (target >= 1.8 for 2 threads)"
