#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# fenliud reads its private key with the shared reader: a key that group or
# others may read is refused with a message naming `chmod 600` (as `fenliu
# fsck` says).
# Needs no root: the key is read before the device is opened.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
fl_need_fenliu
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
"$FENLIU_BUILD/src/cli/fenliu" -c "$d" init keyperm >/dev/null 2>&1 || fl_fail "fenliu init failed"
chmod 644 "$d/ed25519_key.priv"
# As root, keep a daemon that wrongly starts away from the host's network.
iso=()
[ "$(id -u)" -ne 0 ] || ! command -v unshare >/dev/null || iso=(unshare -n)
set +e
out=$(timeout 20 "${iso[@]}" "$FENLIU_BUILD/src/daemon/fenliud" -D -c "$d" --pidfile="$d/pid" \
	--logfile="$d/log" 2>&1)
rc=$?
set -e
[ "$rc" -ne 0 ] || fl_fail "fenliud started with a mode 644 private key"
grep -q 'chmod 600' <(echo "$out"; cat "$d/log" 2>/dev/null) || fl_fail "no 'chmod 600' hint: $out"
echo "ok: group-readable private key refused with a chmod 600 hint"
