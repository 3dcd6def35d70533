#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Proxy (issue 18): fenliud a reaches b only through a proxy in namespace p
# (nft in a drops everything between a and b, TCPOnly puts the tunnel's
# packets on the proxied meta connection), with real proxies: tinyproxy for
# `http`, microsocks for `socks5` without and with a password, and socat
# (through tinyproxy) for `exec`, whose environment is checked. A proxy that
# refuses (wrong password, HTTP 403) or never answers gives a clear log
# line, a count in `dump stats` and a retry, never a hang; a corrected
# Proxy takes effect on `reload`. SOCKS 4 is covered by the unit tests
# (tests/io/test_proxy.c): no SOCKS 4 server is packaged small enough.
# FL_PEER_KIND=tinc (with TINC11_DIR) makes b a stock tincd.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
fl_need_root
fl_need_tools ping nft ss microsocks tinyproxy socat
fl_need_fenliu
[ "${FL_PEER_KIND:-fenliu}" = fenliu ] || fl_need_tinc
fl_init

stat() { fl_cli "$1" dump stats | awk -v s="$2" -v k="$3" '$1 == s && $2 == k {print $3}'; }
# via PORT: p holds an established connection from a on PORT.
via() { n p ss -Htn state established "( sport = :$1 )" | grep -q '192\.0\.2\.1:'; }
count() { grep -c -- "$2" "$(fl_dir "$1")/log" || true; }
# proxy VALUE: a's Proxy line (replacing any).
proxy() { sed -i '/^Proxy = /d' "$(fl_dir a)/tinc.conf"; echo "Proxy = $1" >>"$(fl_dir a)/tinc.conf"; }
restart_a() { fl_stop a; : >"$(fl_dir a)/log"; fl_start a; }

fl_net a b p
fl_conf a fenliu TCPOnly=yes PingTimeout=3
fl_conf b "${FL_PEER_KIND:-fenliu}"
fl_exchange a b
fl_connect a b
n a nft -f - <<-EOF
	table inet flproxy {
		chain out { type filter hook output priority 0; ip daddr 192.0.2.2 drop; }
		chain in { type filter hook input priority 0; ip saddr 192.0.2.2 drop; }
	}
EOF

tp_conf() { # tinyproxy config: PORT CONNECTPORT
	cat >"$FL_TMP/tinyproxy-$1.conf" <<-EOF
		User nobody
		Group nogroup
		Port $1
		Listen 192.0.2.3
		Timeout 600
		Allow 192.0.2.0/24
		ConnectPort $2
		LogLevel Info
	EOF
}
tp_conf 8888 655
tp_conf 8889 443
fl_bg p tinyproxy -d -c "$FL_TMP/tinyproxy-8888.conf" >"$FL_TMP/tinyproxy-8888.log" 2>&1
fl_bg p tinyproxy -d -c "$FL_TMP/tinyproxy-8889.conf" >"$FL_TMP/tinyproxy-8889.log" 2>&1
fl_bg p microsocks -i 192.0.2.3 -p 1080 >"$FL_TMP/microsocks-1080.log" 2>&1
fl_bg p microsocks -i 192.0.2.3 -p 1081 -u alice -P secret >"$FL_TMP/microsocks-1081.log" 2>&1
fl_bg p socat TCP-LISTEN:1082,bind=192.0.2.3,fork,reuseaddr SYSTEM:"sleep 600"
listening() { n p ss -Htln "( sport = :$1 )" | grep -q .; }
for port in 8888 8889 1080 1081 1082; do
	fl_wait 10 "proxy on port $port" listening "$port"
done
fl_start b

# 1. HTTP CONNECT through tinyproxy.
proxy "http 192.0.2.3 8888"
fl_start a
fl_wait_ping a b 30
via 8888 || fl_fail "no connection through tinyproxy"
fl_cli a dump connections | grep -q "^b at 192.0.2.2 port 655" ||
	fl_fail "a's connection to b is not shown with b's address: $(fl_cli a dump connections)"
echo "ok: http proxy (tinyproxy): ping through the proxied meta connection"

# 2. SOCKS 5 without authentication (microsocks).
proxy "socks5 192.0.2.3 1080"
restart_a
fl_wait_ping a b 30
via 1080 || fl_fail "no connection through microsocks"
echo "ok: socks5 proxy (microsocks)"

# 3. SOCKS 5 with a wrong password: logged, counted, retried, no hang;
# the right one by reload.
proxy "socks5 192.0.2.3 1081 alice wrong"
restart_a
fl_wait 40 "two refused attempts" eval '[ "$(count a "Proxy socks5 for b .*authentication failed")" -ge 2 ]'
fl_alive_and_answers a
[ "$(stat a meta_connect proxy_failed)" -ge 2 ] || fl_fail "proxy_failed not counted"
proxy "socks5 192.0.2.3 1081 alice secret"
fl_cli a reload
fl_wait_ping a b 60
via 1081 || fl_fail "no connection through microsocks with a password"
echo "ok: socks5 with a wrong password refused, logged and retried; right one after reload"

# 4. exec: socat's stdin/stdout become the meta connection (through the
# HTTP proxy, the direct path being blocked), with tinc's variables.
proxy "exec echo \"\$NAME \$NODE \$REMOTEADDRESS \$REMOTEPORT\" >$FL_TMP/exec.env; exec socat - PROXY:192.0.2.3:\$REMOTEADDRESS:\$REMOTEPORT,proxyport=8888"
restart_a
fl_wait_ping a b 30
[ "$(cat "$FL_TMP/exec.env")" = "a b 192.0.2.2 655" ] ||
	fl_fail "exec environment: '$(cat "$FL_TMP/exec.env")'"
echo "ok: exec proxy (socat): NAME NODE REMOTEADDRESS REMOTEPORT = $(cat "$FL_TMP/exec.env")"

# 5. HTTP 403 (tinyproxy allows CONNECT to port 443 only).
proxy "http 192.0.2.3 8889"
restart_a
fl_wait 30 "a 403 logged" eval '[ "$(count a "Proxy http for b .*(code 403)")" -ge 1 ]'
fl_alive_and_answers a
echo "ok: http proxy refusing (403) logged"

# 6. A proxy that accepts and never answers: given up after PingTimeout.
proxy "socks5 192.0.2.3 1082"
restart_a
fl_wait 30 "timeouts logged" eval '[ "$(count a "Timeout while connecting to b .* through the proxy")" -ge 2 ]'
fl_alive_and_answers a
[ "$(stat a meta_connect timeout)" -ge 2 ] || fl_fail "timeouts not counted"
echo "ok: silent proxy: timeout after PingTimeout, retried"

fl_stop a
fl_stop b
echo "ok: Proxy http, socks5 (with and without password), exec"
