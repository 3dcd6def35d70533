#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A node presenting the wrong key is refused and logged: D claims to be "c"
# but holds another private key; B refuses it, the refusal is in B's log,
# and the A-B tunnel is not disturbed.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_scenarios.sh"
fl_need_root
fl_need_tools ping
fl_need_fenliu
fl_init

FL_FIXED_KEYS=1
fl_net a b c
for x in a b c; do fl_conf "$x" fenliu; done
fl_exchange a b c
fl_connect a b
fl_connect c b
# c's private key is replaced by fixed test key 5; everyone else still
# believes c's public key is key 3.
(umask 077; fl_key 5 >"$(fl_dir c)/ed25519_key.priv")
for x in b a c; do fl_start "$x"; done
fl_wait_ping a b 30
# No sleep: wait until b has refused the impostor, then check it is not in.
fl_wait 30 "b logs the refusal" fl_log_has b "192\.0\.2\.3.*(SIG|signature|SPTPS)"
fl_not fl_reachable b c || fl_fail "b accepted c with the wrong key"
fl_pings a b 5
fl_not fl_ping a c || fl_fail "a reaches the impostor"
for x in a b c; do fl_stop "$x"; done
echo "ok: wrong key refused"
