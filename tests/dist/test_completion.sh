#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The bash completion (dist/fenliu.bash-completion.in) against the real
# CLI: every verb `fenliu --help` lists completes, the variable list matches
# the daemon's table, and node and network names come from the directories.
# Usage (meson test): test_completion.sh COMPLETION FENLIU CONF_VARS_SH CONF_VARS_C
set -euo pipefail
comp=$1 fenliu=$2 vars_sh=$3 vars_c=$4
fail() { echo "FAIL: $*" >&2; exit 1; }
# complete WORD...: COMPREPLY for the command line "WORD..." (last = current).
complete_words() {
	COMP_WORDS=("$@")
	COMP_CWORD=$(($# - 1))
	COMPREPLY=()
	_fenliu
	printf '%s\n' "${COMPREPLY[@]+"${COMPREPLY[@]}"}" | sort | tr '\n' ' '
}
# shellcheck disable=SC1090
. "$comp"

# Every verb the CLI documents (run under qemu for a cross build).
# shellcheck disable=SC2086
help=$(${MESON_EXE_WRAPPER:-} "$fenliu" --help)
verbs=$(printf '%s\n' "$help" | sed -n '/^Commands:/,$p' | sed -n 's/^  \([a-z0-9-]*\).*/\1/p')
[ "$(printf '%s\n' "$verbs" | wc -l)" -ge 10 ] || fail "could not read the verbs from fenliu --help"
got=" $(complete_words fenliu '') "
for v in $verbs; do
	case $got in *" $v "*) ;; *) fail "verb '$v' (fenliu --help) does not complete" ;; esac
done
[ "$(complete_words fenliu -c /x dum)" = "dump " ] || fail "prefix completion after -c DIR"

# Variables: exactly the daemon's table, offered after -o as VAR= and NODE.VAR=.
want=$("$vars_sh" "$vars_c")
[ "$(echo "$want" | wc -w)" -ge 60 ] || fail "conf_vars.sh found only $(echo "$want" | wc -w) variables"
got=$(complete_words fenliu start -o '')
[ "$got" = "$(for v in $want; do echo "$v="; done | sort | tr '\n' ' ')" ] || fail "-o offers '$got', not the daemon's variables"
[ "$(complete_words fenliu start -o Crypto)" = "CryptoThreads= " ] || fail "-o VAR="
[ "$(complete_words fenliu start -o alpha.Crypto)" = "alpha.CryptoThreads= " ] || fail "-o NODE.VAR="

# Node names from CONFBASE/hosts (scripts left out), networks from SYSCONFDIR/tinc.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/hosts"
touch "$tmp/hosts/alpha" "$tmp/hosts/beta" "$tmp/hosts/alpha-up" "$tmp/hosts/beta-down"
[ "$(complete_words fenliu -c "$tmp" info '')" = "alpha beta " ] || fail "node names for info: '$(complete_words fenliu -c "$tmp" info '')'"
[ "$(complete_words fenliu --config="$tmp" disconnect b)" = "beta " ] || fail "node names for disconnect"
[ "$(complete_words fenliu dump r)" = "reachable routes " ] || fail "dump types"
echo "ok: verbs, $(echo "$want" | wc -w) variables, node names"
