#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Cross-build fenliu for arm64 (aarch64) with Debian's crossbuild-essential-
# arm64 and the arm64 multiarch -dev packages, warnings as errors and UBSan
# (alignment included), then run the whole unit suite under qemu-user
# (qemu-aarch64-static, meson's exe_wrapper from cross/aarch64-linux-gnu.ini)
# so byte order and alignment bugs show up off x86.
#
# Skipped under qemu, because they need what qemu-user cannot give an arm64
# process here (root + network namespaces + TUN ioctls, or a stock x86 tinc
# binary): dataplane_netns, io_tun, sptps_tinc, daemon_tincd_compat,
# cli_compare_tinc.
# Also skipped: the tests whose program calls fork() (cli, daemon_cli,
# daemon_ctl, daemon_opts, daemon_script). On this machine a fork()ed child
# of a dynamically linked arm64 program hangs under Debian 12's qemu-user
# 7.2 (a five-line fork/_exit program does too; a static one does not), and
# Debian ships no static libcmocka or libsystemd to link them statically.
# They pass natively in the sanitizer build. For the same reason the
# pipeline tests of dataplane_sptps (which start worker threads: the first
# pthread_create() never returns under this qemu) skip themselves when
# meson's MESON_EXE_WRAPPER is set; they run natively and under TSan.
#
# Usage: scripts/test-arm64.sh [BUILD_DIR]   (default build-arm64)
# Prints the meson test summary; exits 0 only when nothing failed.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
FL_DEPS_STAGE=arm64 "$top/scripts/deps.sh"
dir=${1:-build-arm64}

if [ ! -f "$dir/build.ninja" ]; then
	meson setup "$dir" --cross-file cross/aarch64-linux-gnu.ini --buildtype=debugoptimized \
		-Db_sanitize=undefined -Db_lundef=false >"$dir.setup.log" 2>&1 ||
		{ cat "$dir.setup.log"; exit 1; }
fi
nice ninja -C "$dir" >"$dir.build.log" 2>&1 || { tail -n 60 "$dir.build.log"; exit 1; }
file "$dir/src/daemon/fenliud" | grep -q 'ARM aarch64' || { echo "fenliud is not an arm64 binary" >&2; exit 1; }

# The tests that exec fenliu/fenliud find qemu through MESON_EXE_WRAPPER
# (meson sets it); nested arm64 programs need the library root too.
export QEMU_LD_PREFIX=/usr/aarch64-linux-gnu
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
unset TINC11_DIR TINC_SPTPS_TEST
skip=(dataplane_netns io_tun sptps_tinc daemon_tincd_compat cli_compare_tinc cli daemon_cli daemon_ctl daemon_opts daemon_script)
# The unit suite minus the skip list, by name (meson 1.0 has no --exclude).
mapfile -t run < <(meson introspect "$dir" --tests | python3 -c '
import json, sys
skip = set(sys.argv[1:])
names = {t["name"] for t in json.load(sys.stdin)
         if any(s.split(":")[-1] == "unit" for s in t["suite"])}
print("\n".join(sorted(names - skip)))' "${skip[@]}")
echo "arm64: running ${#run[@]} unit tests under qemu-aarch64 (skipping ${skip[*]})"
# qemu is several times slower than native: stretch the per-test timeouts.
meson test -C "$dir" --no-rebuild --print-errorlogs --timeout-multiplier 3 \
	--num-processes "$(nproc)" "${run[@]}" >"$dir/unit.log" 2>&1 || true
grep -E '^ *[0-9]+/[0-9]+ ' "$dir/unit.log" || true
grep -E '^(Ok|Fail|Skipped|Timeout|Expected Fail|Unexpected Pass): ' "$dir/unit.log"
echo "Skipped (root/namespaces/TUN, stock tinc, fork() under qemu): ${#skip[@]}"
fail=$(grep -Eo '^Fail: +[0-9]+' "$dir/unit.log" | grep -Eo '[0-9]+' || echo 1)
tmo=$(grep -Eo '^Timeout: +[0-9]+' "$dir/unit.log" | grep -Eo '[0-9]+' || echo 0)
[ "$fail" -eq 0 ] && [ "$tmo" -eq 0 ]
