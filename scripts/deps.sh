#!/usr/bin/env bash
# Install the Debian packages fenliu needs to build, test and demo.
# As root it runs apt-get; otherwise it names what to install and fails.
set -euo pipefail
pkgs=(meson ninja-build pkg-config gcc clang libclang-rt-14-dev
      libssl-dev libsodium-dev zlib1g-dev liblzo2-dev liblz4-dev libevent-dev
      libcmocka-dev iproute2 iputils-ping nftables iperf3 procps psmisc python3)
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
