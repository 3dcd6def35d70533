#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench/dataplane/scaling.sh [SECONDS [ROUNDS]]: how much of the machine's
# other cores the worker pipeline gets, measured in the same minute (on a
# shared VM the answer moves from minute to minute). With N online cores,
# each round runs, one after the other:
#   one      build/bench/dataplane_speed SECONDS 1400 1, alone;
#   apart    N of those at once, as separate processes that share nothing:
#            what the host gives N threads right now;
#   workers  dataplane_speed SECONDS 1400 N: the pipeline on N workers;
# and prints each one's seal Gbit/s (apart: the sum) with its ratio to one.
# Env: FENLIU_BUILD (default build).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=${FENLIU_BUILD:-$top/build}/bench/dataplane_speed
secs=${1:-2}
rounds=${2:-3}
n=$(nproc)
[ -x "$bin" ] || { echo "scaling.sh: $bin not built" >&2; exit 1; }
# One core: nothing to compare, and bench/run.sh (set -e) goes on.
[ "$n" -ge 2 ] || { echo "scaling.sh: skipped, one core online"; exit 0; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# seal Gbit/s of one dataplane_speed output file
seal() { awk '$2 == "seal" { print $6 }' "$1"; }

for r in $(seq 1 "$rounds"); do
	"$bin" "$secs" 1400 1 >"$tmp/one"
	for i in $(seq 1 "$n"); do
		"$bin" "$secs" 1400 1 >"$tmp/apart.$i" &
	done
	wait
	"$bin" "$secs" 1400 "$n" >"$tmp/workers"
	one=$(seal "$tmp/one")
	apart=$(cat "$tmp"/apart.* | awk '$2 == "seal" { s += $6 } END { printf "%.2f", s }')
	workers=$(seal "$tmp/workers")
	awk -v r="$r" -v n="$n" -v t="$(date -u +%T)" -v o="$one" -v a="$apart" -v w="$workers" \
		'BEGIN { printf "scaling %s %s seal 1400: one %.2f, %d apart %.2f (%.2fx), %d workers %.2f (%.2fx)\n", r, t, o, n, a, a / o, n, w, w / o }'
done
