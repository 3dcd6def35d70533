#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs the .deb built by scripts/package.sh into a throw-away root with
# `dpkg -x` (no chroot needed) and checks every installed path, the
# package's dependencies and maintainer scripts, the systemd units
# (systemd-analyze verify must print nothing) and `fenliud --version`.
# Usage: tests/dist/deb_install.sh [DEB]   (default build-deb/fenliu_*_ARCH.deb)
# Exit 0 pass, 1 fail, 77 skip.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
arch=$(dpkg --print-architecture)
deb=${1:-$(ls "$top"/build-deb/fenliu_*_"$arch".deb 2>/dev/null | tail -n 1)}
[ -n "$deb" ] && [ -f "$deb" ] || { echo "SKIP: no .deb (run scripts/package.sh first)"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }
root=$(mktemp -d /tmp/fl-deb.XXXXXX)
trap 'rm -rf "$root"' EXIT

dpkg -x "$deb" "$root"
dpkg -e "$deb" "$root/DEBIAN"
echo "installed from $deb:"
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -print | sort)

# Every path the package promises, with its mode.
want=(
	"usr/sbin/fenliud 755"
	"usr/bin/fenliu 755"
	"usr/share/man/man8/fenliud.8.gz 644"
	"usr/share/man/man8/fenliu.8.gz 644"
	"usr/share/man/man5/fenliu.conf.5.gz 644"
	"lib/systemd/system/fenliu.service 644"
	"lib/systemd/system/fenliu@.service 644"
	"usr/share/bash-completion/completions/fenliu 644"
	"usr/share/doc/fenliu/copyright 644"
	"usr/share/doc/fenliu/changelog.gz 644"
)
for w in "${want[@]}"; do
	f=${w% *} mode=${w#* }
	[ -f "$root/$f" ] || fail "missing /$f"
	[ "$(stat -c %a "$root/$f")" = "$mode" ] || fail "/$f has mode $(stat -c %a "$root/$f"), want $mode"
done
# Nothing else in the binary directories (no test or bench programs).
extra=$(cd "$root" && find usr/bin usr/sbin -type f | grep -vxE 'usr/bin/fenliu|usr/sbin/fenliud' || true)
[ -z "$extra" ] || fail "unexpected programs: $extra"

# The binaries run, and know the Debian paths (tinc's).
# (Outputs captured first: grep -q closing a pipe early trips pipefail.)
ver=$("$root/usr/sbin/fenliud" --version)
echo "$ver"
[[ $ver == "fenliud "* ]] || fail "fenliud --version: '$ver'"
[[ $("$root/usr/bin/fenliu" --help) == *"/etc/tinc/NETNAME"* ]] || fail "fenliu does not use /etc/tinc"
[[ $(ldd "$root/usr/sbin/fenliud") == *libsystemd* ]] || fail "fenliud not linked with libsystemd (no sd_notify)"
dep=$(dpkg-deb -f "$deb" Depends)
for lib in libc6 libssl3 libsodium23 libsystemd0; do
	case $dep in *"$lib"*) ;; *) fail "Depends lacks $lib: $dep" ;; esac
done
grep -q 'deb-systemd-helper' "$root/DEBIAN/postinst" || fail "postinst does not register fenliu.service"

# The units: notify type, the installed paths, and a clean verify. verify
# needs the programs at their absolute paths, so point them into the root.
u="$root/lib/systemd/system/fenliu@.service"
grep -qx 'Type=notify' "$u" || fail "fenliu@.service is not Type=notify"
grep -qx 'ExecStart=/usr/sbin/fenliud -n %i -D' "$u" || fail "ExecStart"
grep -qx 'ExecReload=/usr/bin/fenliu -n %i reload' "$u" || fail "ExecReload"
grep -qx 'WorkingDirectory=/etc/tinc/%i' "$u" || fail "WorkingDirectory"
if command -v systemd-analyze >/dev/null; then
	v="$root/verify"
	mkdir -p "$v"
	for f in fenliu.service fenliu@.service; do
		sed "s|=/usr/sbin/|=$root/usr/sbin/|;s|=/usr/bin/|=$root/usr/bin/|" \
			"$root/lib/systemd/system/$f" >"$v/$f"
	done
	out=$(cd "$v" && systemd-analyze verify --man=no fenliu.service fenliu@vpn.service 2>&1) ||
		fail "systemd-analyze verify: $out"
	[ -z "$out" ] || fail "systemd-analyze verify complained: $out"
	echo "systemd-analyze verify: clean"
	sec=$(cd "$v" && systemd-analyze security --offline=true --man=no fenliu@vpn.service 2>/dev/null |
		sed -n 's/.*Overall exposure level for [^:]*: //p')
	echo "systemd-analyze security fenliu@.service: $sec"
	echo "RESULT deb_install files=${#want[@]} security=\"$sec\""
fi
echo "ok: $(basename "$deb") installs every path, units verify, fenliud runs"
