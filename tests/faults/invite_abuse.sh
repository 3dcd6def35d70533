#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Hostile joiners against an inviter (issue 18 item 3). a (the victim,
# holding an invitation key) and b are connected and b pings a all along.
# From an attacker namespace x come, one after the other: greetings with a
# key that is not one, greetings with a random 43-character key followed by
# random bytes instead of SPTPS, greetings and an immediate close, and
# overlong greeting lines; then `fenliu join` runs with the right key hash
# but forged cookies. Every one must be refused (counted in `dump stats`:
# invitation refused, or meta_accept preauth_refused_* when they pile up),
# the daemon must live on with no lost ping between a and b, and a real
# invitation must still work afterwards (c joins with
# it and pings a). Short: 100 of each kind and 20 forged cookies;
# FL_FAULTS_FULL=1: 2000 and 200. Memory: VmRSS of each daemon before and
# after.
set -euo pipefail
. "$(dirname "$0")/lib_faults.sh"
fl_need_root
fl_need_tools ping python3
fl_need_fenliu
fl_init

# ASan's quarantine would show every short-lived connection as growth
export ASAN_OPTIONS="$ASAN_OPTIONS:quarantine_size_mb=4"
per_kind=$(ff_pick 100 2000)
forged=$(ff_pick 20 200)
fenliu=$FENLIU_BUILD/src/cli/fenliu

fl_net a b c
fl_add_ns x 9
# MaxConnectionBurst (tinc's default 10) would tarpit the flood before the
# defence under test sees it: lifted on the victim.
fl_conf a "$FF_KIND" MaxConnectionBurst=1000000
fl_conf b "$FF_KIND"
fl_exchange a b
fl_connect b a
# the invitations: one for c (used at the end), one whose URL shows the hash
url_c=$("$fenliu" -c "$(fl_dir a)" invite c 2>/dev/null)
url_z=$("$fenliu" -c "$(fl_dir a)" invite z 2>/dev/null)
[ -n "$url_c" ] && [ -n "$url_z" ] || fl_fail "fenliu invite failed"
fl_start a
fl_start b
fl_wait_ping b a 30
ff_rss_all before
rss_before=$(ff_rss a)
# Refused and counted: as a refused invitation, or (when a loaded machine
# lets the closed-at-once connections pile up in the backlog) by the
# pre-authentication limit per host before the greeting is read.
refusals() {
	fl_cli a dump stats | awk '($1 == "invitation" && $2 == "refused") ||
		($1 == "meta_accept" && $2 ~ /^preauth_refused_/) { n += $3 } END { print n + 0 }'
}
refused_before=0
[ "$FF_KIND" = fenliu ] && refused_before=$(refusals)

ff_ping_start b a 100000 0.05 "$FL_TMP/ping.out"

# Each attempt waits up to WAIT s for the inviter to close; one it leaves
# open is closed by the attacker and counted (open_*). fenliud closes every
# one at once. Stock tincd (FL_FORCE_KIND=tinc) closes none of the three
# kinds waited for (not after 1 s either): its run waits 0.3 s instead of
# 5, so that it ends in minutes rather than over half an hour.
cat >"$FL_TMP/abuse.py" <<'PY'
import os, socket, sys
n, dst, wait_s = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
alpha = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
left_open = {"notakey": 0, "junk": 0, "long": 0}
def key():
    return bytes(alpha[b % 64] for b in os.urandom(43))
def attempt(kind, payload, wait):
    s = socket.create_connection((dst, 655), timeout=wait_s)
    try:
        s.sendall(payload)
        if wait:
            while s.recv(4096):
                pass
    except socket.timeout:
        left_open[kind] += 1
    except OSError:
        pass
    s.close()
sent = 0
for i in range(n):
    attempt("notakey", b"0 ?notakey 17.1\n", True)
    attempt("junk", b"0 ?" + key() + b" 17.1\n" + os.urandom(200), True)
    attempt("closed", b"0 ?" + key() + b" 17.1\n", False)
    attempt("long", b"0 ?" + b"A" * 3000 + b" 17.1\n", True)
    sent += 4
print(sent, " ".join(f"open_{k}={v}" for k, v in left_open.items()))
PY
wait_s=5
[ "$FF_KIND" = fenliu ] || wait_s=0.3
read -r sent left_open < <(n x python3 "$FL_TMP/abuse.py" "$per_kind" 192.0.2.1 "$wait_s")
[ -n "$sent" ] || fl_fail "the attacker script failed"
fl_log "sent $sent hostile greetings; left open by the inviter: $left_open"

# forged cookies: the real key hash, a cookie of our own
prefix=${url_z:0:${#url_z}-24}
joins_refused=0
for i in $(seq "$forged"); do
	cookie=$(head -c 18 /dev/urandom | base64 | tr '+/' '-_' | head -c 24)
	d=$FL_TMP/forged
	rm -rf "$d"
	if n x "$fenliu" -c "$d" join "$prefix$cookie" >/dev/null 2>"$FL_TMP/forged.err"; then
		fl_fail "a forged cookie was accepted"
	fi
	grep -q "Invitation cancelled" "$FL_TMP/forged.err" || fl_fail "forged cookie: $(cat "$FL_TMP/forged.err")"
	joins_refused=$((joins_refused + 1))
done

ff_alive a || fl_fail "a died under the abuse"
ff_ping_stop "$FF_PING" "$FL_TMP/ping.out"
loss=$(ff_loss "$FL_TMP/ping.out")

# the real invitation still works
rm -rf "$(fl_dir c)"
n c "$fenliu" -c "$(fl_dir c)" --force join "$url_c" >/dev/null 2>"$FL_TMP/join-c.err" ||
	fl_fail "c: the real invitation failed after the abuse: $(cat "$FL_TMP/join-c.err")"
[ -s "$(fl_dir a)/hosts/c" ] || fl_fail "a: no hosts/c after c joined"

refused=n/a
if [ "$FF_KIND" = fenliu ]; then
	refused=$(($(refusals) - refused_before))
	# the overlong lines die in the framing, before they are greetings
	want=$((per_kind * 3 + forged))
	[ "$refused" -ge "$want" ] || fl_fail "a counted $refused refusals, want >= $want: $(fl_cli a dump stats | grep -E '^(invitation|meta_accept) ' | tr '\n' ' ')"
fi
ff_rss_all after
ff_result invite_abuse "loss=$loss" "sent=$sent" "forged=$joins_refused" "counted=$refused" \
	$left_open "rss_before_kb=$rss_before" "rss_after_kb=$(ff_rss a)"
# The tunnel must keep working; one lost ping of ~280 on a loaded 2-core CI
# machine (seen once: 0.36%) is noise, a tunnel the abuse breaks loses far more.
awk -v l="${loss%\%}" 'BEGIN { exit !(l <= 1) }' || fl_fail "b lost pings to a during the abuse: $loss"
for x in a b; do fl_stop "$x"; done
echo "ok: every hostile joiner refused and counted; the tunnel and a real invitation unharmed"
