#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# fenliu's CLI against stock tinc's (issue 18 item 4): the same commands,
# in the same order, on two copies of one configuration directory, one
# driven by `tinc`, the other by `fenliu`. After every command the exit
# code, stdout, stderr (directory names and program names made equal) and
# every file of the two directories must be the same. Exit 77 without a
# stock tinc 1.1 (TINC11_DIR).
set -uo pipefail
FENLIU=${FENLIU_BIN:-$(cd "$(dirname "$0")/../.." && pwd)/build-asan/src/cli/fenliu}
TINC=${TINC11_DIR:+$TINC11_DIR/tinc}
if [ -z "$TINC" ] || [ ! -x "$TINC" ]; then
	[ -n "${CI:-}" ] && { echo "FAIL: CI needs TINC11_DIR"; exit 1; }
	echo "SKIP: set TINC11_DIR to a stock tinc 1.1"
	exit 77
fi
[ -x "$FENLIU" ] || { echo "FAIL: no fenliu at $FENLIU"; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/fl-compare.XXXXXX")
trap 'rm -rf "$work"' EXIT
fails=0 n=0

# The shared starting point: a node made by fenliu init, with a peer.
"$FENLIU" -c "$work/ref" init alice >/dev/null || { echo "FAIL: init"; exit 1; }
printf 'Address = 192.0.2.1\nPort = 6655\nSubnet = 198.51.100.1/32\n' >>"$work/ref/hosts/alice"
printf 'Address = 192.0.2.2\nEd25519PublicKey = 3f1wYG/WZVRb7GQa3YRIoAYGlsNCK+5XLvQzerjjTwO\n' \
	>"$work/ref/hosts/bob"
rm -f "$work/ref/tinc-up"
cp -a "$work/ref" "$work/t"
cp -a "$work/ref" "$work/f"

# norm DIR FILE: the other side's text, comparable.
# fenliu's extra "Usage: PROG VERB ARGS" after a missing argument is dropped.
norm() { sed -e "s|$1|DIR|g" -e "s|$TINC|PROG|g" -e "s|$FENLIU|PROG|g" -e '/^Usage: PROG [a-z]/d' "$2"; }

# run [-i INPUTFILE] ARGS...: one command on both sides, compared.
run() {
	local in=/dev/null
	[ "$1" = -i ] && { in=$2; shift 2; }
	n=$((n + 1))
	local s
	for s in t f; do
		local bin=$TINC
		[ $s = f ] && bin=$FENLIU
		"$bin" -c "$work/$s" --pidfile="$work/$s.pid" "$@" <"$in" \
			>"$work/out.$s" 2>"$work/err.$s"
		echo $? >"$work/rc.$s"
	done
	local what=""
	cmp -s "$work/rc.t" "$work/rc.f" || what+=" exit($(cat "$work/rc.t") vs $(cat "$work/rc.f"))"
	diff -q <(norm "$work/t" "$work/out.t") <(norm "$work/f" "$work/out.f") >/dev/null || what+=" stdout"
	diff -q <(norm "$work/t" "$work/err.t") <(norm "$work/f" "$work/err.f") >/dev/null || what+=" stderr"
	diff -r "$work/t" "$work/f" >/dev/null || what+=" files"
	if [ -n "$what" ]; then
		fails=$((fails + 1))
		echo "DIFF [$*]:$what"
		diff <(norm "$work/t" "$work/out.t") <(norm "$work/f" "$work/out.f") | head -n 8
		diff <(norm "$work/t" "$work/err.t") <(norm "$work/f" "$work/err.f") | head -n 8
		diff -r "$work/t" "$work/f" | head -n 8
		rm -rf "$work/f" && cp -a "$work/t" "$work/f" # go on from tinc's state
	fi
}

# get/set/add/del/config
run get Name
run get Port
run get Subnet
run get bob.Address
run get Nonexistent
run get
run set
run set Mode
run set Mode switch
run config Mode
run config Mode hub
run config get Mode
run config replace Mode router
run config change Mode switch
run replace Mode router
run GET Mode
run add Subnet 198.51.100.7/32
run add Subnet 198.51.100.7/32
run add Subnet = 198.51.100.8/32
run get Subnet
run set Subnet 198.51.100.9/32
run add Subnet 198.51.100.1/24
run add Subnet junk
run del Subnet 198.51.100.200/32
run del Subnet 198.51.100.9/32
run del Subnet
run del Nothing
run set bob.Mode switch
run --force set bob.Mode switch
run set bob.Compression 9
run set bob.Port 7000
run set bob-x.Port 7000
run set carol.Port 7000
run set Foo bar
run --force set Foo bar
run get Foo
run del Foo
run set PrivateKey xyz
run --force set PrivateKey xyz
run add ConnectTo bob
run add ConnectTo bob
run set ConnectTo bob
run add AutoConnect no
run add AutoConnect yes
run set Weight 5
run get alice.Weight
run config

# invitations: everything short of making one (URLs are random)
run dump invitations
run invite
run invite bob
run invite bad-name
run invite x y
run join
run join 192.0.2.1/short
run join a b c

# host files over stdin/stdout
printf 'Name = carol\nAddress = 192.0.2.3\n#---------------------------------------------------------------#\nName = dave\nSubnet = 198.51.100.4/32\n' >"$work/in1"
printf 'junk\nName = carol\nAddress = 192.0.2.33\n' >"$work/in2"
printf 'Name = ../x\n' >"$work/in3"
run export
run export extra
run -i "$work/in1" import
run -i "$work/in2" import
run -i "$work/in2" --force import
run -i "$work/in3" import
run -i /dev/null import
run -i "$work/in1" exchange
run export-all
run -i /dev/null exchange-all

# the shell: commands on stdin, no command on the command line
printf 'get Mode\n# comment\n\nset Mode hub\nfrobnicate\nget Mode\nquit\nget Name\n' >"$work/sh1"
run -i "$work/sh1"
printf 'get Name\nGet Mode\n' >"$work/sh2"
run -i "$work/sh2"
run frobnicate
run --batch get Name
run -b get Name
run network extra args
run edit
run edit hosts/bob-sideways
run edit bob-up extra

# signed messages: made by one, checked by the other (both ways)
run verify
run verify bob-x
run -i "$work/in1" verify bob
printf 'hello\nworld\n' >"$work/msg"
for pair in "$TINC $FENLIU" "$FENLIU $TINC"; do
	set -- $pair
	n=$((n + 1))
	"$1" -c "$work/t" sign "$work/msg" >"$work/signed" 2>"$work/err" || { echo "DIFF sign: $1 failed"; fails=$((fails + 1)); }
	"$2" -c "$work/t" verify alice "$work/signed" >"$work/verified" 2>"$work/err" &&
		cmp -s "$work/msg" "$work/verified" &&
		"$2" -c "$work/t" verify . "$work/signed" >/dev/null 2>&1 &&
		"$2" -c "$work/t" verify '*' <"$work/signed" >/dev/null 2>&1 ||
		{ echo "DIFF: $2 does not verify what $1 signed: $(cat "$work/err")"; fails=$((fails + 1)); }
	sed -i '2s/hello/hallo/' "$work/signed"
	"$2" -c "$work/t" verify alice "$work/signed" >/dev/null 2>"$work/err" &&
		{ echo "DIFF: $2 accepts a tampered message"; fails=$((fails + 1)); }
	grep -qx "Invalid signature" "$work/err" || { echo "DIFF: $2 on tampering: $(cat "$work/err")"; fails=$((fails + 1)); }
done
"$TINC" -c "$work/t" sign "$work/msg" >"$work/signed"
run verify bob "$work/signed"
run verify carol "$work/signed"
run verify alice "$work/msg"

echo "RESULT cli_compare_tinc commands=$n differences=$fails"
[ "$fails" -eq 0 ] || { echo "FAIL: $fails of $n commands differ from stock tinc"; exit 1; }
echo "ok: $n commands give tinc's exit codes, output and files"
