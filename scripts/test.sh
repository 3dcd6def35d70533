#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Build fenliu and run every test: unit tests under ASan+UBSan, the end-to-end
# namespace tests (as root), the fault scenarios in their short form, the
# unit suite and the threaded e2e tests under ThreadSanitizer, the arm64
# cross-build's unit tests under qemu, the Debian package, and each
# libFuzzer target for FUZZ_SECONDS.
# The interop tests run against a stock tinc 1.1: TINC11_DIR if set, else one
# built from ../shared/peers into build-peer/. With CI set, an interop test
# that skips counts as a failure: the promise to stay a tinc node is enforced.
# Usage: scripts/test.sh            (from anywhere; installs missing packages)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
"$top/scripts/deps.sh"

jobs=$(nproc)
fuzz_seconds=${FUZZ_SECONDS:-20}
passed=0; failed=0; skipped=0
failures=()

setup() { # dir, extra meson args...
	local dir=$1; shift
	if [ ! -f "$dir/build.ninja" ]; then
		meson setup "$dir" "$@" >"$dir.setup.log" 2>&1 || { cat "$dir.setup.log"; return 1; }
	fi
	ninja -C "$dir" -j "$jobs" >"$dir.build.log" 2>&1 || { tail -n 60 "$dir.build.log"; return 1; }
}

echo "== release build (build/) [$(date +%T)]"
# FENLIU_SHARED: where the BGP table and tinc's source are, if not ../shared.
shared_opt=(); [ -z "${FENLIU_SHARED:-}" ] || shared_opt=(-Dshared="$FENLIU_SHARED")
setup build --buildtype=release "${shared_opt[@]+"${shared_opt[@]}"}"
echo "== sanitizer build (build-asan/): address + undefined [$(date +%T)]"
setup build-asan --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false \
	"${shared_opt[@]+"${shared_opt[@]}"}"

echo "== stock tinc 1.1 for the interop tests [$(date +%T)]"
# build-tinc11 OUT makes OUT/legacy/src/{tincd,tinc,sptps_test} and
# OUT/nolegacy/src/tinc; skip it when they are already there.
shared=${FENLIU_SHARED:-$top/../shared}
if [ -z "${TINC11_DIR:-}" ] && [ ! -x "$shared/tools/build-tinc11" ] && [ -z "${CI:-}" ]; then
	# A clone of fenliu alone: the interop tests skip, saying why.
	echo "  skip: no $shared/tools/build-tinc11 (set FENLIU_SHARED or TINC11_DIR)"
else
	if [ -z "${TINC11_DIR:-}" ]; then
		peer="$top/build-peer"
		if [ ! -x "$peer/legacy/src/sptps_test" ] || [ ! -x "$peer/nolegacy/src/tinc" ]; then
			mkdir -p "$peer"
			nice "$shared/tools/build-tinc11" "$peer" >"$peer/build-tinc11.log" 2>&1 ||
				{ tail -n 40 "$peer/build-tinc11.log"; echo "stock tinc 1.1 build failed"; exit 1; }
		fi
		export TINC11_DIR="$peer/legacy/src"
	fi
	# The legacy build's fsck asks for RSA keys; the CLI test checks with nolegacy.
	nolegacy="$(dirname "$(dirname "$TINC11_DIR")")/nolegacy/src"
	[ -n "${TINC11_NOLEGACY_DIR:-}" ] || { [ -x "$nolegacy/tinc" ] && export TINC11_NOLEGACY_DIR="$nolegacy"; }
	[ -n "${TINC_SPTPS_TEST:-}" ] || export TINC_SPTPS_TEST="$TINC11_DIR/sptps_test"
	echo "  tincd: $TINC11_DIR/tincd ($("$TINC11_DIR/tincd" --version | head -n 1))"
fi

# Interop tests: they need stock tinc. Under CI their skip is a failure.
# e2e: every script that calls fl_need_tinc unconditionally, and the runs
# below that give a script a tinc peer.
interop_unit=(daemon_tincd_compat sptps_tinc)

echo "== unit tests under ASan+UBSan [$(date +%T)]"
if meson test -C build-asan --suite unit --print-errorlogs --num-processes "$jobs" >build-asan/unit.log 2>&1; then
	:
fi
ok=$(grep -Eo '^Ok: +[0-9]+' build-asan/unit.log | grep -Eo '[0-9]+' || echo 0)
fl=$(grep -Eo '^Fail: +[0-9]+' build-asan/unit.log | grep -Eo '[0-9]+' || echo 0)
sk=$(grep -Eo '^Skipped: +[0-9]+' build-asan/unit.log | grep -Eo '[0-9]+' || echo 0)
to=$(grep -Eo '^Timeout: +[0-9]+' build-asan/unit.log | grep -Eo '[0-9]+' || echo 0)
grep -E '^ *[0-9]+/[0-9]+ ' build-asan/unit.log || true
passed=$((passed + ok)); failed=$((failed + fl + to)); skipped=$((skipped + sk))
[ $((fl + to)) -eq 0 ] || { failures+=("unit tests (see build-asan/meson-logs/testlog.txt)"); sed -n '/^=* *[0-9]*\/[0-9]* .*FAIL/,/^===/p' build-asan/meson-logs/testlog.txt | tail -n 80; }
# An interop unit test that skipped (under CI) or never ran is a failure;
# one that failed is already counted above.
for t in "${interop_unit[@]}"; do
	line="^ *[0-9]+/[0-9]+ +(fenliu:[a-z]+ / )?$t "
	if grep -Eq "$line+SKIP" build-asan/unit.log; then
		[ -n "${CI:-}" ] || continue
		echo "  FAIL  $t: interop test skipped under CI"
		skipped=$((skipped - 1))
	elif grep -Eq "$line" build-asan/unit.log; then
		continue
	else
		echo "  FAIL  $t: interop test did not run"
	fi
	failed=$((failed + 1)); failures+=("unit $t (interop)")
done

echo "== end-to-end tests (tests/e2e) [$(date +%T)]"
# run_e2e NAME SCRIPT INTEROP [VAR=VALUE...]: one e2e run, counted.
run_e2e() {
	local name=$1 t=$2 interop=$3 rc
	shift 3
	set +e
	env "$@" FENLIU_BUILD="$top/${e2e_build:-build-asan}" bash "$t" >"build-asan/e2e-$name.log" 2>&1
	rc=$?
	set -e
	case $rc in
	0) echo "  ok    $name"; passed=$((passed + 1)) ;;
	77) if [ -n "${CI:-}" ] && [ "$interop" = 1 ]; then
		echo "  FAIL  $name: interop test skipped under CI: $(tail -n 1 "build-asan/e2e-$name.log")"
		failed=$((failed + 1)); failures+=("e2e $name (interop skipped)")
	else
		echo "  skip  $name: $(tail -n 1 "build-asan/e2e-$name.log")"; skipped=$((skipped + 1))
	fi ;;
	*) # The reason first: a reader who sees only the top of this still learns why.
		why=$(tail -n 1 "build-asan/e2e-$name.log" | cut -c1-300)
		echo "  FAIL  $name (exit $rc): $why"; tail -n 40 "build-asan/e2e-$name.log"
		failed=$((failed + 1)); failures+=("e2e $name: $why") ;;
	esac
}
for t in tests/e2e/*.sh; do
	[ -e "$t" ] || continue
	name=$(basename "$t" .sh)
	case $name in lib*) continue ;; esac # helpers sourced by the tests
	interop=0
	grep -q '^fl_need_tinc' "$t" && interop=1
	run_e2e "$name" "$t" "$interop"
done
# The same scripts with a stock tincd as the peer.
run_e2e keyexpire_tinc tests/e2e/keyexpire.sh 1 FL_PEER_KIND=tinc

echo "== fault and abuse tests, short form (tests/faults) [$(date +%T)]"
for t in tests/faults/*.sh; do
	[ -e "$t" ] || continue
	name=$(basename "$t" .sh)
	case $name in lib*) continue ;; esac # helpers sourced by the scenarios
	interop=0
	grep -q 'fl_need_tinc' "$t" && interop=1
	run_e2e "faults-$name" "$t" "$interop"
	grep '^RESULT ' "build-asan/e2e-faults-$name.log" | sed 's/^/        /' || true
done

echo "== ThreadSanitizer build (build-tsan/): unit tests, threaded e2e [$(date +%T)]"
# The crypto workers (CryptoThreads) under TSan: the whole unit suite, and
# the e2e scripts that push traffic through the pipeline while the control
# thread publishes snapshots (graph changes, reloads, re-keys, relays,
# stock tinc), copy packets to `fenliu pcap` (cli_live) and offload
# through the NAT (offload); TSAN_E2E=all
# runs every e2e script. TSAN=0 skips the stage.
if [ "${TSAN:-1}" = 0 ]; then
	echo "  skip: TSAN=0"; skipped=$((skipped + 1))
elif setup build-tsan --buildtype=debug -Db_sanitize=thread -Db_lundef=false \
	"${shared_opt[@]+"${shared_opt[@]}"}"; then
	set +e
	TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1} meson test -C build-tsan --suite unit \
		--print-errorlogs --num-processes "$jobs" >build-tsan/unit.log 2>&1
	rc=$?
	set -e
	ok=$(grep -Eo '^Ok: +[0-9]+' build-tsan/unit.log | grep -Eo '[0-9]+' || echo 0)
	echo "  tsan unit: $ok ok (build-tsan/unit.log)"
	passed=$((passed + ok))
	[ "$rc" -eq 0 ] || { failed=$((failed + 1)); failures+=("tsan unit tests (build-tsan/meson-logs/testlog.txt)"); }
	tsan_e2e="cryptothreads rekey_load relay mesh3 routes reload keyexpire interop_tinc cli_live offload"
	[ "${TSAN_E2E:-}" != all ] || tsan_e2e=$(ls tests/e2e/*.sh | xargs -n1 basename | sed 's/\.sh$//' | grep -v '^lib')
	for name in $tsan_e2e; do
		interop=0
		grep -q '^fl_need_tinc' "tests/e2e/$name.sh" && interop=1
		e2e_build=build-tsan run_e2e "tsan-$name" "tests/e2e/$name.sh" "$interop"
	done
else
	failed=$((failed + 1)); failures+=("tsan build (build-tsan.build.log)")
fi

# --- pkg: arm64 cross-build and Debian package (ARM64=0 / PACKAGE=0 skip) ---
echo "== arm64 cross-build, unit tests under qemu-aarch64 (build-arm64/) [$(date +%T)]"
if [ "${ARM64:-1}" = 0 ]; then
	echo "  skip: ARM64=0"; skipped=$((skipped + 1))
elif ! FL_DEPS_STAGE=arm64 "$top/scripts/deps.sh" >build-arm64.deps.log 2>&1; then
	echo "  skip: $(tail -n 1 build-arm64.deps.log)"; skipped=$((skipped + 1))
else
	set +e
	"$top/scripts/test-arm64.sh" build-arm64 >build-arm64.test.log 2>&1
	rc=$?
	set -e
	ok=$(grep -Eo '^Ok: +[0-9]+' build-arm64/unit.log 2>/dev/null | grep -Eo '[0-9]+' || echo 0)
	sk=$(grep -Eo '^Skipped: +[0-9]+' build-arm64/unit.log 2>/dev/null | grep -Eo '[0-9]+' || echo 0)
	nsk=$(grep -Eo '^Skipped \(.*\): [0-9]+' build-arm64.test.log | grep -Eo '[0-9]+$' || echo 0)
	echo "  arm64: $ok ok, $((sk + nsk)) skipped (see build-arm64.test.log)"
	passed=$((passed + ok)); skipped=$((skipped + sk + nsk))
	if [ "$rc" -ne 0 ]; then
		tail -n 40 build-arm64.test.log; failed=$((failed + 1)); failures+=("arm64 (build-arm64.test.log)")
	fi
fi

echo "== Debian package (build-deb/) [$(date +%T)]"
if [ "${PACKAGE:-1}" = 0 ]; then
	echo "  skip: PACKAGE=0"; skipped=$((skipped + 2))
elif ! FL_DEPS_STAGE=package "$top/scripts/deps.sh" >build-deb.deps.log 2>&1; then
	echo "  skip: $(tail -n 1 build-deb.deps.log)"; skipped=$((skipped + 2))
elif "$top/scripts/package.sh" >build-deb.log 2>&1; then
	echo "  ok    package.sh ($(grep -Eo 'fenliu_[^ ]*\.deb' build-deb.log | tail -n 1), lintian clean of errors)"
	passed=$((passed + 1))
	set +e
	bash tests/dist/deb_install.sh >build-deb/deb_install.log 2>&1
	rc=$?
	set -e
	case $rc in
	0) echo "  ok    deb_install"; passed=$((passed + 1)) ;;
	77) echo "  skip  deb_install: $(tail -n 1 build-deb/deb_install.log)"; skipped=$((skipped + 1)) ;;
	*) echo "  FAIL  deb_install"; tail -n 30 build-deb/deb_install.log; failed=$((failed + 1)); failures+=("deb_install") ;;
	esac
else
	echo "  FAIL  package.sh"; tail -n 40 build-deb.log
	failed=$((failed + 1)); failures+=("package.sh (build-deb.log)")
fi
# --- end pkg ---

echo "== fuzzing (clang libFuzzer, ${fuzz_seconds}s per target) [$(date +%T)]"
if command -v clang >/dev/null && [ "$fuzz_seconds" -gt 0 ]; then
	CC=clang setup build-fuzz --buildtype=debugoptimized -Dfuzz=true -Dtests=false \
		-Db_sanitize=address,undefined -Db_lundef=false
	for f in build-fuzz/fuzz/*/fuzz_*; do
		[ -f "$f" ] && [ -x "$f" ] || continue
		name=$(basename "$f")
		corpus="fuzz/corpus/$name"
		work="build-fuzz/corpus-$name"
		mkdir -p "$work"
		[ -d "$corpus" ] && cp -r "$corpus/." "$work/" 2>/dev/null || true
		if "$f" -max_total_time="$fuzz_seconds" -print_final_stats=0 "$work" >"build-fuzz/$name.log" 2>&1; then
			echo "  ok    $name ($(grep -Eo 'Done [0-9]+ runs' "build-fuzz/$name.log" | grep -Eo '[0-9]+' || echo ?) runs)"
			passed=$((passed + 1))
		else
			why=$(grep -m 1 -E '^SUMMARY|ERROR:' "build-fuzz/$name.log" | cut -c1-200)
			echo "  FAIL  $name: $why"
			# The first frames in our code say where; the input is kept beside the log.
			grep -E '^ +#[0-9]+ .* in ' "build-fuzz/$name.log" | grep -v -E 'fuzzer::|__sanitizer|libc|__interceptor' | head -n 8
			tail -n 40 "build-fuzz/$name.log"
			failed=$((failed + 1)); failures+=("fuzz $name: $why")
		fi
	done
else
	echo "  skip: clang not found or FUZZ_SECONDS=0"
fi

echo
for f in "${failures[@]+"${failures[@]}"}"; do echo "failed: $f"; done
echo "tests: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
