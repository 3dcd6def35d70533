#!/usr/bin/env bash
# fenliu demo: two nodes, alpha and beta, get tinc-style configuration
# directories and Ed25519 keys from `fenliu init`, swap host files, and talk
# over a real TCP connection on 127.0.0.1 the way tinc 1.1 opens a meta
# connection: ID lines, then an authenticated SPTPS stream (label
# "tinc TCP key expansion alpha beta\0"). A PING/PONG and a message go
# through; then alpha flips one bit of a record on the wire and beta must
# reject it and close. Everything lives in a temporary directory that is
# removed at the end.
#
# Usage: scripts/demo.sh        (builds build/ in release mode if needed)
#        FENLIU_BUILD=DIR scripts/demo.sh   (use an existing build)
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
cleanup() {
	[ -n "$beta_pid" ] && kill "$beta_pid" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

step() { printf '\n== %s\n' "$*"; }

step "1. fenliu init: one configuration directory per node"
"$fenliu" -c "$work/alpha" init alpha
"$fenliu" -c "$work/beta" init beta
ls -l "$work/alpha" | sed 's/^/   /'
echo "   hosts/alpha:"; sed 's/^/     /' "$work/alpha/hosts/alpha"

tinc=${TINC11_DIR:-/opt/tinc11/nolegacy}/src/tinc
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
if [ "$ok" -eq 1 ]; then
	echo "demo passed"
else
	echo "demo FAILED" >&2
	exit 1
fi
