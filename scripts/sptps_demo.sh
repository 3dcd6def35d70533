#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# fenliu SPTPS demo (the first milestone; scripts/demo.sh is now the live
# mesh): two nodes, alpha and beta, get tinc-style configuration
# directories and Ed25519 keys from `fenliu init`, swap host files, and talk
# over a real TCP connection on 127.0.0.1 the way tinc 1.1 opens a meta
# connection: ID lines, then an authenticated SPTPS stream (label
# "tinc TCP key expansion alpha beta\0"). A PING/PONG and a message go
# through; then alpha flips one bit of a record on the wire and beta must
# reject it and close. If a stock tinc 1.1 is at hand (TINC11_DIR, the
# directory holding tincd), a third node gamma, also made by `fenliu init`, is
# run by stock tincd, and alpha's SPTPS session with it carries ACK and
# PING/PONG. Everything lives in a temporary directory that is removed at
# the end.
#
# Usage: scripts/sptps_demo.sh      (builds build/ in release mode if needed)
#        FENLIU_BUILD=DIR scripts/sptps_demo.sh   (use an existing build)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/deps.sh"

build=${FENLIU_BUILD:-$top/build}
if [ -z "${FENLIU_BUILD:-}" ]; then
	if [ ! -f "$build/build.ninja" ]; then
		echo "== configuring $build (release)"
		meson setup "$build" "$top" --buildtype=release >"$build.setup.log" 2>&1 ||
			{ cat "$build.setup.log"; exit 1; }
	fi
	echo "== building fenliu and sptps_pair"
	ninja -C "$build" src/cli/fenliu tools/sptps_pair >"$build.build.log" 2>&1 ||
		{ tail -n 40 "$build.build.log"; exit 1; }
fi
fenliu=$build/src/cli/fenliu
pair=$build/tools/sptps_pair

work=$(mktemp -d "${TMPDIR:-/tmp}/fenliu-demo.XXXXXX")
beta_pid=
tincd_pid=
cleanup() {
	[ -n "$beta_pid" ] && kill "$beta_pid" 2>/dev/null || true
	[ -n "$tincd_pid" ] && kill "$tincd_pid" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

step() { printf '\n== %s\n' "$*"; }

step "1. fenliu init: one configuration directory per node"
"$fenliu" -c "$work/alpha" init alpha
"$fenliu" -c "$work/beta" init beta
ls -l "$work/alpha" | sed 's/^/   /'
echo "   hosts/alpha:"; sed 's/^/     /' "$work/alpha/hosts/alpha"

tinc_dir=${TINC11_DIR:-}
tinc=$tinc_dir/tinc
if [ -x "$tinc" ]; then
	echo "   stock tinc 1.1 ($tinc) checks alpha's directory:"
	"$tinc" -c "$work/alpha" fsck </dev/null 2>&1 | sed 's/^/     /'
	echo "     tinc fsck exit status: ${PIPESTATUS[0]}"
fi

step "2. swap host files (each node learns the other's public key)"
cp "$work/alpha/hosts/alpha" "$work/beta/hosts/alpha"
cp "$work/beta/hosts/beta" "$work/alpha/hosts/beta"
echo "Address = 127.0.0.1" >>"$work/alpha/hosts/beta"
echo "   alpha/hosts/beta and beta/hosts/alpha written"

step "3. beta listens, alpha connects: ID lines, SPTPS handshake, records"
"$pair" -c "$work/beta" listen --port-file "$work/beta.port" >"$work/beta.log" 2>&1 &
beta_pid=$!
for _ in $(seq 100); do # poll for beta's port, up to 10 s
	[ -s "$work/beta.port" ] && break
	kill -0 "$beta_pid" 2>/dev/null || break
	sleep 0.1
done
[ -s "$work/beta.port" ] || { cat "$work/beta.log"; echo "beta did not start" >&2; exit 1; }
port=$(cat "$work/beta.port")
alpha_rc=0
"$pair" -c "$work/alpha" connect beta 127.0.0.1 "$port" --tamper >"$work/alpha.log" 2>&1 || alpha_rc=$?
beta_rc=0
wait "$beta_pid" || beta_rc=$?
beta_pid=

step "what alpha saw"
sed 's/^/   /' "$work/alpha.log"
step "what beta saw"
sed 's/^/   /' "$work/beta.log"

tincd_ran=
tincd=$tinc_dir/tincd
if [ -x "$tincd" ]; then
	step "4. stock tincd runs gamma (made by fenliu init); alpha connects to it"
	"$fenliu" -c "$work/gamma" init gamma
	rm "$work/gamma/tinc-up"
	printf 'DeviceType = dummy\nPort = 0\nBindToAddress = 127.0.0.1\nAddressFamily = ipv4\n' \
		>>"$work/gamma/tinc.conf"
	cp "$work/alpha/hosts/alpha" "$work/gamma/hosts/alpha"
	cp "$work/gamma/hosts/gamma" "$work/alpha/hosts/gamma"
	"$tincd" -c "$work/gamma" -D -d3 --pidfile="$work/gamma.pid" \
		--logfile="$work/gamma.log" >/dev/null 2>&1 &
	tincd_pid=$!
	tport=
	for _ in $(seq 100); do # poll tincd's log for its port, up to 10 s
		# || true: until tincd has created its log, sed fails (2) and set -e would end the demo
		tport=$(sed -n 's/.*Listening on 127.0.0.1 port \([0-9]*\).*/\1/p' "$work/gamma.log" 2>/dev/null || true)
		[ -n "$tport" ] && grep -q Ready "$work/gamma.log" && break
		kill -0 "$tincd_pid" 2>/dev/null || break
		sleep 0.1
	done
	tinc_rc=0
	if [ -n "$tport" ]; then
		"$pair" -c "$work/alpha" connect gamma 127.0.0.1 "$tport" --tinc \
			>"$work/alpha-tinc.log" 2>&1 || tinc_rc=$?
	else
		tinc_rc=1
	fi
	kill "$tincd_pid" 2>/dev/null || true
	wait "$tincd_pid" 2>/dev/null || true
	tincd_pid=
	tincd_ran=1
	echo "   what alpha saw:"
	sed 's/^/     /' "$work/alpha-tinc.log" 2>/dev/null || true
	echo "   what stock tincd logged:"
	sed 's/^[0-9-]* [0-9:]* /     /' "$work/gamma.log" 2>/dev/null || true
fi

step "result"
ok=1
check() { # description, file, pattern
	if grep -q -- "$3" "$2"; then echo "   ok    $1"; else echo "   FAIL  $1"; ok=0; fi
}
check "keys loaded from the fenliu init directories" "$work/beta.log" "loaded alpha's public key"
check "handshake done on alpha" "$work/alpha.log" "handshake with beta done"
check "handshake done on beta" "$work/beta.log" "handshake with alpha done"
check "PING answered with PONG" "$work/alpha.log" "PING answered with PONG"
check "message echoed back" "$work/alpha.log" 'received record type 0, .*"echo: hello'
check "tampered record rejected by beta" "$work/beta.log" "record from alpha rejected"
check "beta closed the connection" "$work/alpha.log" "closed the connection after the altered record"
[ "$alpha_rc" -eq 0 ] && [ "$beta_rc" -eq 0 ] || { echo "   exit codes: alpha $alpha_rc, beta $beta_rc"; ok=0; }
if [ -n "$tincd_ran" ]; then
	touch "$work/gamma.log" "$work/alpha-tinc.log"
	check "stock tincd runs a fenliu init directory" "$work/gamma.log" "Ready"
	check "stock tincd activated the connection with alpha" "$work/gamma.log" "Connection with alpha .* activated"
	check "stock tincd answered PING with PONG" "$work/alpha-tinc.log" "answered PING with PONG"
	[ "$tinc_rc" -eq 0 ] || { echo "   exit code: alpha against tincd $tinc_rc"; ok=0; }
else
	echo "   skip  stock tincd step: no $tinc_dir/tincd (set TINC11_DIR)"
fi
if [ "$ok" -eq 1 ]; then
	echo "demo passed"
else
	echo "demo FAILED" >&2
	exit 1
fi
