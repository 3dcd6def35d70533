#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Install the Debian packages fenliu needs to build, test and demo.
# As root it runs apt-get; otherwise it names what to install and fails.
# FL_DEPS_STAGE=arm64 or package adds the cross-build (scripts/test-arm64.sh)
# or Debian packaging (scripts/package.sh) lists, so a plain build stays light.
set -euo pipefail
pkgs=(meson ninja-build pkg-config gcc clang libclang-rt-14-dev
      libssl-dev libsodium-dev zlib1g-dev liblzo2-dev liblz4-dev libevent-dev
      libcmocka-dev libsystemd-dev iproute2 iputils-ping nftables iperf3 procps psmisc python3
      ethtool dnsmasq-base)
pkgs+=(microsocks tinyproxy socat) # tests/e2e/proxy.sh: real SOCKS 5 and HTTP proxies
case ${FL_DEPS_STAGE:-} in
arm64)
	# The arm64 multiarch -dev packages need dpkg to know the architecture.
	if ! dpkg --print-foreign-architectures | grep -qx arm64; then
		[ "$(id -u)" -eq 0 ] || { echo "fenliu: run as root: dpkg --add-architecture arm64" >&2; exit 1; }
		dpkg --add-architecture arm64
	fi
	# No libevent-dev:arm64: it cannot be co-installed with the amd64 one
	# (it would remove it), and the build does not need libevent.
	pkgs+=(crossbuild-essential-arm64 qemu-user-static file
	       libssl-dev:arm64 libsodium-dev:arm64 zlib1g-dev:arm64 liblzo2-dev:arm64
	       liblz4-dev:arm64 libcmocka-dev:arm64 libsystemd-dev:arm64
	       pkg-config:arm64) ;; # aarch64-linux-gnu-pkg-config, for dpkg-buildpackage -a arm64
package)
	pkgs+=(dpkg-dev debhelper fakeroot lintian bash-completion systemd file) ;;
esac
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "fenliu: missing Debian packages; run as root: apt-get install ${missing[*]}" >&2
	exit 1
fi
echo "fenliu: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
