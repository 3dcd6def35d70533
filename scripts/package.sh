#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Build the Debian package with debhelper: scripts/package.sh [ARCH]
# (ARCH defaults to the build machine's; arm64 cross-builds with
# crossbuild-essential-arm64 and the arm64 -dev packages). The source is
# copied into build-deb/ so the tree stays clean; the .deb, .buildinfo and
# .changes land in build-deb/ and lintian checks the .deb (errors fail).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
arch=${1:-$(dpkg --print-architecture)}
if [ "$arch" = "$(dpkg --print-architecture)" ]; then
	FL_DEPS_STAGE=package "$top/scripts/deps.sh"
else
	FL_DEPS_STAGE=package "$top/scripts/deps.sh"
	FL_DEPS_STAGE=arm64 "$top/scripts/deps.sh"
fi
version=$(dpkg-parsechangelog -l debian/changelog -S Version)
out="$top/build-deb"
src="$out/fenliu-$version"
rm -rf "$src"
mkdir -p "$src"
# Tracked and new files, never build directories or editor litter.
git ls-files -z -co --exclude-standard | grep -zv '^build' | tar -c --null -T - -f - | tar -x -C "$src"
cd "$src"
args=(-us -uc -b)
[ "$arch" = "$(dpkg --print-architecture)" ] || args+=(-a "$arch")
if ! nice dpkg-buildpackage "${args[@]}" >"$out/dpkg-buildpackage-$arch.log" 2>&1; then
	tail -n 60 "$out/dpkg-buildpackage-$arch.log"
	exit 1
fi
deb=$(ls "$out"/fenliu_"${version}"_"$arch".deb)
echo "built $deb"
if command -v lintian >/dev/null; then
	# Errors fail the build; warnings and info are printed for the record.
	lintian --fail-on error --no-tag-display-limit "$deb" | tee "$out/lintian-$arch.log"
fi
