#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# e2e: scripts/sptps_demo.sh against the build under test — fenliu init makes two
# nodes, sptps_pair runs a tinc-style meta connection (ID lines + SPTPS
# stream) between them over TCP on 127.0.0.1, a tampered record is refused.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${FENLIU_BUILD:?set FENLIU_BUILD to a build directory}
if [ ! -x "$build/tools/sptps_pair" ]; then
	echo "skip: $build/tools/sptps_pair not built (needs src/crypto/sptps.c)"
	exit 77
fi
FENLIU_BUILD=$build "$top/scripts/sptps_demo.sh"
