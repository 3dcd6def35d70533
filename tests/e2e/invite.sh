#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Invitations, wire-compatible with tinc 1.1 (issue 18 item 3), in network
# namespaces:
#   1. `fenliu invite` on a fenliud node, stock `tinc join` takes it;
#   2. stock `tinc invite` on a tincd node, `fenliu join` takes it;
#   3. fenliu on both sides.
# Each time the inviter's invitation-created script adds an Ifconfig and a
# Subnet line to the invitation, the joiner (run with --force) enables the
# tinc-up made from it, starts its daemon from the configuration the
# invitation gave it alone, and the two nodes ping each other. Then a used
# invitation is refused (single use) and, on the fenliud inviter, one older
# than InvitationExpire (expiry).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
fl_need_root
fl_need_tools ping
fl_need_fenliu
fl_need_tinc
fl_init

cli_bin() { case $1 in fenliu) echo "$FENLIU_BUILD/src/cli/fenliu" ;; tinc) echo "$TINC11_DIR/tinc" ;; esac; }

# invitation_script DIR ADDR: invitation-created puts our lines after the
# invitation's first line (Name = NODE), in the invited node's chunk.
invitation_script() {
	cat >"$1/invitation-created" <<-EOF
		#!/bin/sh
		sed -i "1a Ifconfig = $2/24\nSubnet = $2/32" "\$INVITATION_FILE"
		echo "\$NODE \$INVITATION_URL" >>"$1/created.log"
	EOF
	chmod +x "$1/invitation-created"
}

# invite INVITER NODE: print the URL the inviter's own CLI makes.
invite() {
	local url
	url=$(fl_cli "$1" invite "$2") || fl_fail "$1: invite $2 failed"
	[[ $url =~ ^192\.0\.2\.${FL_IDX[$1]}:655/[A-Za-z0-9_-]{48}$ ]] || fl_fail "$1: odd URL '$url'"
	echo "$url"
}

# join KIND NODE URL: NODE joins with the KIND CLI into a fresh directory.
join() {
	local kind=$1 node=$2 d
	d=$(fl_dir "$node")
	rm -rf "$d"
	n "$node" "$(cli_bin "$kind")" -c "$d" --force join "$3" >"$FL_TMP/join-$node.out" 2>"$FL_TMP/join-$node.err"
}

# check_joined INVITER NODE KIND: files on both sides, then ping both ways.
check_joined() {
	local inv=$1 node=$2 i=${FL_IDX[$2]} d
	d=$(fl_dir "$node")
	grep -q "Invitation successfully accepted" "$FL_TMP/join-$node.err" ||
		fl_fail "$node: join did not report success: $(cat "$FL_TMP/join-$node.err")"
	grep -qx "Name = $node" "$d/tinc.conf" || fl_fail "$node: tinc.conf lacks its Name"
	grep -qx "ConnectTo = $inv" "$d/tinc.conf" || fl_fail "$node: tinc.conf lacks ConnectTo = $inv"
	grep -qx "Subnet = 203.0.113.$i/32" "$d/hosts/$node" || fl_fail "$node: Subnet not in hosts/$node"
	grep -q "203.0.113.$i/24" "$d/tinc-up" || fl_fail "$node: tinc-up not made from Ifconfig"
	[ -s "$d/hosts/$inv" ] || fl_fail "$node: no hosts/$inv"
	local mine theirs
	mine=$(awk '$1 == "Ed25519PublicKey" {print $3}' "$d/hosts/$node")
	theirs=$(awk '$1 == "Ed25519PublicKey" {print $3}' "$(fl_dir "$inv")/hosts/$node")
	[ -n "$mine" ] && [ "$mine" = "$theirs" ] || fl_fail "$inv: hosts/$node key '$theirs' != '$mine'"
	grep -q "^$node " "$(fl_dir "$inv")/created.log" || fl_fail "$inv: invitation-created did not run"
	FL_KIND[$node]=$3
	fl_start "$node"
	fl_wait_ping "$node" "$inv" 30
	fl_wait_ping "$inv" "$node" 30
}

# refused KIND NODE URL WHY INVITER: a join that must fail, and why.
refused() {
	local log
	log=$(fl_dir "$5")/log
	if join "$1" "$2" "$3"; then fl_fail "$2: join with a $4 invitation succeeded"; fi
	grep -q "Invitation cancelled" "$FL_TMP/join-$2.err" ||
		fl_fail "$2: join of a $4 invitation: $(cat "$FL_TMP/join-$2.err")"
	[ ! -e "$(fl_dir "$2")/tinc.conf" ] || fl_fail "$2: a $4 invitation wrote tinc.conf"
	fl_wait 10 "$5 logs the $4 invitation" grep -q "$4" "$log"
	[ ! -e "$(fl_dir "$5")/hosts/$2" ] || fl_fail "$5: a $4 invitation made hosts/$2"
}

fl_net a b c t u v

fl_log "1. fenliud inviter a, stock tinc join (b)"
fl_conf a fenliu InvitationExpire=60
invitation_script "$(fl_dir a)" 203.0.113.2
url_b=$(invite a b)
url_v=$(invite a v)
fl_cli a dump invitations | grep -q " v$" || fl_fail "a: dump invitations does not list v"
fl_start a
join tinc b "$url_b" || fl_fail "tinc join b: $(cat "$FL_TMP/join-b.err")"
check_joined a b tinc
refused tinc c "$url_b" non-existing a
touch -d '-2 minutes' "$(fl_dir a)"/invitations/[A-Za-z0-9_-]*[A-Za-z0-9_-]
refused fenliu v "$url_v" expired a

fl_log "2. stock tincd inviter t, fenliu join (u)"
fl_conf t tinc
invitation_script "$(fl_dir t)" 203.0.113.5
url_u=$(invite t u)
fl_start t
join fenliu u "$url_u" || fl_fail "fenliu join u: $(cat "$FL_TMP/join-u.err")"
check_joined t u fenliu
refused fenliu c "$url_u" non-existing t

fl_log "3. fenliu on both sides (a invites c)"
invitation_script "$(fl_dir a)" 203.0.113.3
url_c=$(invite a c)
join fenliu c "$url_c" || fl_fail "fenliu join c: $(cat "$FL_TMP/join-c.err")"
check_joined a c fenliu

# invite refuses names that are taken: a host file, or a node the running
# daemon knows (b, a tincd, learned c through a but has no hosts/c)
out=$(fl_cli_as fenliu a invite b 2>&1) && fl_fail "a: invite b succeeded although hosts/b exists"
grep -qx "A host config file for b already exists!" <<<"$out" || fl_fail "a: invite b: $out"
fl_wait 20 "b knows c" fl_reachable b c
out=$(fl_cli_as fenliu b invite c 2>&1) && fl_fail "b: invite c succeeded although c is known"
grep -qx "A node with name c is already known!" <<<"$out" || fl_fail "b: invite c: $out"

for x in a b c t u; do fl_stop "$x"; done
echo "ok: invitations both ways with stock tinc 1.1 and fenliu-fenliu; single use and expiry"
