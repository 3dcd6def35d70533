#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Run the fault and abuse suite (tests/faults/*.sh) at full length
# (FL_FAULTS_FULL=1): one summary line per script, then every RESULT line,
# then `faults: N passed, N failed, N skipped`. Needs root and a built
# build-asan/ (or FENLIU_BUILD); TINC11_DIR adds the stock tinc peers where
# a scenario uses them, and FL_FORCE_KIND=tinc runs every node as stock
# tincd (the comparison column of doc/faults.md).
# Usage: scripts/faults.sh [NAME...]   (default: every scenario)
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
export FENLIU_BUILD=${FENLIU_BUILD:-$top/build-asan}
export FL_FAULTS_FULL=1
logdir=${FAULTS_LOGDIR:-$FENLIU_BUILD}
mkdir -p "$logdir"
passed=0; failed=0; skipped=0
results=()

scripts=()
if [ $# -gt 0 ]; then
	for name in "$@"; do scripts+=("tests/faults/${name%.sh}.sh"); done
else
	for t in tests/faults/*.sh; do
		case $(basename "$t") in lib*) continue ;; esac # helpers, sourced
		scripts+=("$t")
	done
fi

for t in "${scripts[@]}"; do
	name=$(basename "$t" .sh)
	log="$logdir/faults-$name.log"
	start=$SECONDS
	bash "$t" >"$log" 2>&1
	rc=$?
	took=$((SECONDS - start))
	case $rc in
	0) echo "  ok    $name (${took}s)"; passed=$((passed + 1)) ;;
	77) echo "  skip  $name: $(tail -n 1 "$log")"; skipped=$((skipped + 1)) ;;
	*) echo "  FAIL  $name (exit $rc, ${took}s, log $log)"; grep -E '^FAIL' "$log" | tail -n 3
	   failed=$((failed + 1)) ;;
	esac
	while IFS= read -r line; do results+=("$line"); done < <(grep '^RESULT ' "$log")
done

echo
for r in "${results[@]+"${results[@]}"}"; do echo "$r"; done
echo "faults: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
