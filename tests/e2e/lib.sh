# SPDX-License-Identifier: MIT
# tests/e2e/lib.sh: shared helpers for the end-to-end tests, the interop
# tests, scripts/demo.sh and bench/tunnel_speed.sh. Source it; do not run it.
#
# Shape borrowed from WireGuard's netns.sh: every namespace name carries $$,
# `trap fl_cleanup EXIT` removes everything we made, readiness is polled,
# never slept for. Topology: one "hub" namespace holding a bridge, and one
# namespace per node joined to it by a veth pair (node side `eth0`). Node i
# has underlay address 192.0.2.i/24 and tunnel address 203.0.113.i (tun
# `fl0`, Subnet 203.0.113.i/32), 2001:db8::i inside the tunnel.
#
# Node kinds: `fenliu` (fenliud from $FENLIU_BUILD) or `tinc` (stock tincd
# from $TINC11_DIR). Both read the same config directory, which is the point.

FL_TOP=${FL_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
FL_SHARED=${FENLIU_SHARED:-$FL_TOP/../shared}
FENLIU_BUILD=${FENLIU_BUILD:-$FL_TOP/build-asan}
FL_PFX=${FL_PFX:-fl$$}
FL_TMP=
FL_PIDS=()          # every daemon or helper process we started
FL_NODES=()         # node names in creation order
FL_FAILED_SAN=0
declare -A FL_IDX FL_KIND FL_PID

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-}

fl_log() { echo "[$(date +%T)] $*" >&2; }

# fl_skip MESSAGE: exit 77 with the reason as the last line.
fl_skip() { echo "SKIP: $*"; exit 77; }
# The reason is kept so fl_cleanup can repeat it after the daemon logs: the
# test runner shows only a failed test's last lines.
FL_FAIL_REASON=
fl_fail() { FL_FAIL_REASON="FAIL: $*"; echo "$FL_FAIL_REASON" >&2; exit 1; }
fl_not() { ! "$@"; }

# fl_need_root: the namespace tests need root, `ip netns`, and /dev/net/tun.
fl_need_root() {
	[ "$(id -u)" -eq 0 ] || fl_skip "needs root (network namespaces and TUN)"
	command -v ip >/dev/null || fl_skip "iproute2 (ip) not installed"
	[ -c /dev/net/tun ] || fl_skip "/dev/net/tun missing"
	ip netns add "$FL_PFX-probe" 2>/dev/null || fl_skip "cannot create network namespaces"
	ip netns del "$FL_PFX-probe"
}

# fl_need_tools TOOL...: skip when one of the tools is missing.
fl_need_tools() {
	local t
	for t in "$@"; do command -v "$t" >/dev/null || fl_skip "$t not installed"; done
}

# fl_need_fenliu: skip when fenliud or fenliu are not built.
fl_need_fenliu() {
	# FL_FORCE_KIND=tinc runs a fenliu test against stock tinc (checks the test).
	if [ "${FL_FORCE_KIND:-}" = tinc ]; then fl_need_tinc; return; fi
	[ -x "$FENLIU_BUILD/src/daemon/fenliud" ] || fl_skip "fenliud not built in $FENLIU_BUILD"
	[ -x "$FENLIU_BUILD/src/cli/fenliu" ] || fl_skip "fenliu CLI not built in $FENLIU_BUILD"
}

# fl_need_tinc: interop tests find stock tinc 1.1 through TINC11_DIR (the
# directory holding tincd and tinc), by default the one scripts/test.sh
# builds in build-peer/.
[ -n "${TINC11_DIR:-}" ] || [ ! -x "$FL_TOP/build-peer/legacy/src/tincd" ] ||
	TINC11_DIR=$FL_TOP/build-peer/legacy/src
fl_need_tinc() {
	[ -n "${TINC11_DIR:-}" ] || fl_skip "TINC11_DIR not set (directory holding stock tinc 1.1 tincd and tinc)"
	[ -x "$TINC11_DIR/tincd" ] && [ -x "$TINC11_DIR/tinc" ] ||
		fl_skip "TINC11_DIR=$TINC11_DIR has no tincd and tinc"
}

fl_init() {
	FL_TMP=$(mktemp -d "/tmp/$FL_PFX.XXXXXX")
	trap fl_cleanup EXIT
	trap 'exit 130' INT TERM
}

fl_cleanup() {
	local rc=$? p n ns
	trap - EXIT
	set +e
	FL_IN_CLEANUP=1
	for n in "${FL_NODES[@]+"${FL_NODES[@]}"}"; do
		[ -n "${FL_PID[$n]:-}" ] && fl_stop "$n" >/dev/null 2>&1
	done
	for p in "${FL_PIDS[@]+"${FL_PIDS[@]}"}"; do kill "$p" 2>/dev/null; done
	for p in "${FL_PIDS[@]+"${FL_PIDS[@]}"}"; do wait "$p" 2>/dev/null; done
	# Anything still running inside our namespaces was started by us.
	for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$FL_PFX-"); do
		for p in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
		ip netns del "$ns" 2>/dev/null
	done
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ]; then
		fl_dump_logs
		echo "${FL_FAIL_REASON:-FAIL: exit $rc at ${BASH_SOURCE[1]:-?} (no fl_fail reason)}" >&2
	fi
	[ -n "$FL_TMP" ] && [ -z "${FL_KEEP:-}" ] && rm -rf "$FL_TMP"
	if [ "$FL_FAILED_SAN" -ne 0 ] && [ "$rc" -eq 0 ]; then
		echo "FAIL: sanitizer reports in daemon logs" >&2
		rc=1
	fi
	exit "$rc"
}

fl_dump_logs() {
	local f
	[ -n "$FL_TMP" ] || return 0
	for f in "$FL_TMP"/*/log "$FL_TMP"/*/stderr; do
		[ -s "$f" ] || continue
		echo "---- $f (last 40 lines)" >&2
		tail -n 40 "$f" >&2
	done
}

# n NODE CMD...: run CMD inside NODE's namespace (like netns.sh's n1).
n() { local node=$1; shift; ip netns exec "$FL_PFX-$node" "$@"; }
# nq: same, quiet on failure (for polling).
nq() { n "$@" >/dev/null 2>&1; }

# fl_net NODE... [-- mtu M]: create the hub bridge and one namespace per node.
# Node i (1-based in argument order) gets 192.0.2.i/24 on eth0.
fl_net() {
	local mtu=1500 i=0 node
	local nodes=()
	while [ $# -gt 0 ]; do
		case $1 in
		--mtu) mtu=$2; shift 2 ;;
		*) nodes+=("$1"); shift ;;
		esac
	done
	ip netns add "$FL_PFX-hub"
	ip -n "$FL_PFX-hub" link set lo up
	ip -n "$FL_PFX-hub" link add br0 type bridge
	ip -n "$FL_PFX-hub" link set br0 mtu "$mtu" up
	for node in "${nodes[@]}"; do
		i=$((i + 1))
		fl_add_ns "$node" "$i" "$mtu"
	done
}

# fl_add_ns NODE INDEX [MTU]: one more namespace on the hub.
fl_add_ns() {
	local node=$1 i=$2 mtu=${3:-1500} ns="$FL_PFX-$1"
	ip netns add "$ns"
	ip -n "$ns" link set lo up
	ip -n "$ns" link add eth0 mtu "$mtu" type veth peer name "p-$node" mtu "$mtu" netns "$FL_PFX-hub"
	ip -n "$FL_PFX-hub" link set "p-$node" master br0 up
	ip -n "$ns" addr add "192.0.2.$i/24" dev eth0
	ip -n "$ns" link set eth0 up
	FL_IDX[$node]=$i
	FL_NODES+=("$node")
}

# fl_key INDEX: print the private key file text of fixed test key INDEX (1-5)
# from the key vectors; fl_pub INDEX prints its Ed25519PublicKey value.
fl_key() {
	awk -v s="[key $1]" '$0==s{f=1;next} /^\[/{f=0} f && /^priv_file = /{sub(/^priv_file = "/,"");sub(/"$/,"");print}' \
		"$FL_TOP/tests/vectors/keys.txt" | sed 's/\\n/\n/g' | sed '/^$/d'
}
fl_pub() {
	awk -v s="[key $1]" '$0==s{f=1;next} /^\[/{f=0} f && /^public_b64 = /{print $3}' "$FL_TOP/tests/vectors/keys.txt"
}

fl_dir() { echo "$FL_TMP/$1"; }

# fl_conf NODE KIND [VAR=VALUE...]: write NODE's config directory for a node of
# KIND (fenliu|tinc). Extra tinc.conf lines come as VAR=VALUE arguments;
# `host:VAR=VALUE` goes to the node's own host file. Keys: `fenliu init` for
# a fenliu node unless FL_FIXED_KEYS is set (a failing init fails the test,
# so every e2e test also checks init), otherwise the fixed test key with the
# node's index from the vectors.
fl_conf() {
	local node=$1 kind=${FL_FORCE_KIND:-$2} i=${FL_IDX[$1]} d
	shift 2
	d=$(fl_dir "$node")
	FL_KIND[$node]=$kind
	rm -rf "$d"
	mkdir -p "$d/hosts"
	if [ -z "${FL_FIXED_KEYS:-}" ] && [ "$kind" = fenliu ]; then
		"$FENLIU_BUILD/src/cli/fenliu" -c "$d" init "$node" >"$d/init.log" 2>&1 ||
			fl_fail "$node: fenliu init failed: $(cat "$d/init.log")"
		[ -s "$d/ed25519_key.priv" ] && grep -q '^Ed25519PublicKey' "$d/hosts/$node" ||
			fl_fail "$node: fenliu init made no key pair"
	else
		echo "Name = $node" >"$d/tinc.conf"
		(umask 077; fl_key "$i" >"$d/ed25519_key.priv")
		echo "Ed25519PublicKey = $(fl_pub "$i")" >"$d/hosts/$node"
	fi
	cat >>"$d/tinc.conf" <<-EOF
		Interface = fl0
		DeviceType = tun
		AutoConnect = no
	EOF
	cat >>"$d/hosts/$node" <<-EOF
		Address = 192.0.2.$i
		Port = 655
		Subnet = 203.0.113.$i/32
		Subnet = 2001:db8::$i/128
	EOF
	local kv
	for kv in "$@"; do
		case $kv in
		host:*) kv=${kv#host:}; echo "${kv%%=*} = ${kv#*=}" >>"$d/hosts/$node" ;;
		*) echo "${kv%%=*} = ${kv#*=}" >>"$d/tinc.conf" ;;
		esac
	done
	cat >"$d/tinc-up" <<-EOF
		#!/bin/sh
		ip addr add 203.0.113.$i/24 dev "\$INTERFACE"
		ip -6 addr add 2001:db8::$i/64 dev "\$INTERFACE" nodad
		ip link set "\$INTERFACE" up
	EOF
	cat >"$d/tinc-down" <<-EOF
		#!/bin/sh
		ip link set "\$INTERFACE" down
	EOF
	chmod +x "$d/tinc-up" "$d/tinc-down"
}

# fl_exchange NODE...: give every listed node every other one's host file.
fl_exchange() {
	local a b
	for a in "$@"; do
		for b in "$@"; do
			[ "$a" = "$b" ] || cp "$(fl_dir "$b")/hosts/$b" "$(fl_dir "$a")/hosts/$b"
		done
	done
}

# fl_connect A B: A gets `ConnectTo = B`.
fl_connect() { echo "ConnectTo = $2" >>"$(fl_dir "$1")/tinc.conf"; }

# fl_fenliu_pair A B: two fenliud nodes on one LAN, their keys exchanged,
# A connecting to B (the start of most two-node tests).
fl_fenliu_pair() {
	fl_net "$1" "$2"
	fl_conf "$1" fenliu
	fl_conf "$2" fenliu
	fl_exchange "$1" "$2"
	fl_connect "$1" "$2"
}

fl_daemon_bin() {
	case ${FL_KIND[$1]} in
	fenliu) echo "$FENLIU_BUILD/src/daemon/fenliud" ;;
	tinc) echo "$TINC11_DIR/tincd" ;;
	esac
}

# fl_cli NODE ARGS...: the node's own CLI (fenliu or tinc) against its daemon.
fl_cli() { local node=$1; shift; fl_cli_as "${FL_CLI:-${FL_KIND[$node]}}" "$node" "$@"; }
# fl_fenliu_cli_ready: the fenliu CLI has the control verbs (dump, pid, ...).
fl_fenliu_cli_ready() { "$FENLIU_BUILD/src/cli/fenliu" --help 2>&1 | grep 'dump' >/dev/null; }
# fl_cli_as KIND NODE ARGS...: a given CLI against NODE's daemon.
fl_cli_as() {
	local kind=$1 node=$2 d bin
	shift 2
	d=$(fl_dir "$node")
	case $kind in
	fenliu) bin="$FENLIU_BUILD/src/cli/fenliu" ;;
	tinc) bin="$TINC11_DIR/tinc" ;;
	esac
	"$bin" -c "$d" --pidfile="$d/pid" "$@"
}

# fl_start NODE [DAEMON ARGS...]: start NODE's daemon in its namespace in the
# foreground (-D) and wait until its control socket answers.
fl_start() {
	local node=$1 d bin
	shift
	d=$(fl_dir "$node")
	bin=$(fl_daemon_bin "$node")
	rm -f "$d/pid" "$d/pid.socket"
	# Not through n(): $! must be the daemon itself (ip netns exec execs it).
	ip netns exec "$FL_PFX-$node" "$bin" -c "$d" -D -d "${FL_DEBUG:-3}" --pidfile="$d/pid" --logfile="$d/log" "$@" \
		</dev/null >>"$d/stdout" 2>>"$d/stderr" &
	FL_PID[$node]=$!
	FL_PIDS+=("$!")
	fl_wait 20 "$node control socket" fl_alive_and_answers "$node"
}

fl_alive_and_answers() {
	local node=$1
	kill -0 "${FL_PID[$node]}" 2>/dev/null || fl_fail "$node: daemon exited at startup"
	fl_cli "$node" pid >/dev/null 2>&1
}

# fl_stop NODE: SIGTERM, wait (up to 20 s, sanitizers make exit slow), then
# look for sanitizer reports in its stderr. A daemon that does not exit on
# its own, or exits with a non-zero status, fails the test (during cleanup it
# only makes fl_stop return 1).
fl_stop() {
	local node=$1 pid=${FL_PID[$1]:-} i rc=0
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null || true
	for i in $(seq 200); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		fl_log "$node: did not exit on SIGTERM, killing"
		kill -9 "$pid" 2>/dev/null
		rc=1
	fi
	wait "$pid" 2>/dev/null || rc=$?
	FL_PID[$node]=
	fl_check_san "$node"
	[ "$rc" -eq 0 ] && return 0
	[ -n "${FL_IN_CLEANUP:-}" ] && return 1
	fl_fail "$node: daemon exit status $rc after SIGTERM"
}

# fl_kill NODE: SIGKILL without any check (a crash, for restart tests).
fl_kill() {
	local pid=${FL_PID[$1]:-}
	[ -n "$pid" ] || return 0
	kill -9 "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	FL_PID[$1]=
}

fl_check_san() {
	local f
	f="$(fl_dir "$1")/stderr"
	if [ -f "$f" ] && grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|WARNING: ThreadSanitizer|runtime error:' "$f"; then
		echo "sanitizer report from $1:" >&2
		grep -E -A 30 'ERROR: (AddressSanitizer|LeakSanitizer)|WARNING: ThreadSanitizer|runtime error:' "$f" | head -n 60 >&2
		FL_FAILED_SAN=1
	fi
}

# fl_wait SECONDS WHAT CMD...: poll CMD every 0.2 s until it succeeds.
fl_wait() {
	local secs=$1 what=$2 end
	shift 2
	end=$((SECONDS + secs))
	until "$@"; do
		[ "$SECONDS" -lt "$end" ] || fl_fail "timeout after ${secs}s waiting for $what"
		sleep 0.2
	done
}

# fl_ping FROM TO_NODE [v6]: one ping succeeds within 1 s.
fl_ping() {
	local i=${FL_IDX[$2]}
	if [ "${3:-}" = v6 ]; then
		nq "$1" ping -6 -c 1 -W 1 "2001:db8::$i"
	else
		nq "$1" ping -c 1 -W 1 "203.0.113.$i"
	fi
}

# fl_wait_ping FROM TO_NODE [SECONDS [v6]]: poll until a ping gets through.
fl_wait_ping() { fl_wait "${3:-30}" "ping ${4:-} $1 -> $2" fl_ping "$1" "$2" "${4:-}"; }

# fl_node_status NODE PEER: set FL_ST to PEER's status word in NODE's
# `dump nodes` (hex, no 0x; empty when PEER is not listed). A dump that fails,
# or that does not list NODE itself, fails the test: a "no" from a broken CLI
# would otherwise make every `fl_not fl_reachable ...` pass.
fl_node_status() {
	local out
	out=$(fl_cli "$1" dump nodes 2>&1) || fl_fail "$1: dump nodes failed: $out"
	awk -v p="$1" '$1==p {f=1} END {exit !f}' <<<"$out" ||
		fl_fail "$1: dump nodes does not list $1 itself: $out"
	FL_ST=$(awk -v p="$2" '$1==p {for(i=1;i<=NF;i++) if($i=="status") print $(i+1)}' <<<"$out")
	[ -z "$FL_ST" ] || [[ $FL_ST =~ ^[0-9a-fA-F]+$ ]] || fl_fail "$1: status of $2 is not hex: $FL_ST"
}

# fl_udp_confirmed NODE PEER: does NODE's `dump nodes` show PEER with
# status bit 0x80 (udp_confirmed) set?  Status is printed in hex.
fl_udp_confirmed() {
	fl_node_status "$1" "$2"
	[ -n "$FL_ST" ] && (( (0x$FL_ST & 0x80) != 0 ))
}

# fl_reachable NODE PEER: NODE sees PEER reachable (status bit 0x10).
fl_reachable() {
	fl_node_status "$1" "$2"
	[ -n "$FL_ST" ] && (( (0x$FL_ST & 0x10) != 0 ))
}

# fl_block_udp NODE PEER: drop UDP between NODE and PEER's underlay address
# (inside NODE's namespace, both directions).
fl_block_udp() {
	local peer="192.0.2.${FL_IDX[$2]}"
	n "$1" nft -f - <<-EOF
		table inet fltest {
			chain in { type filter hook input priority 0; ip saddr $peer meta l4proto udp drop; }
			chain out { type filter hook output priority 0; ip daddr $peer meta l4proto udp drop; }
		}
	EOF
}

# fl_count NODE: nft counters in NODE's namespace on its tinc port 655:
# udp_in/udp_out (data and probes) and tcp_in/tcp_out (meta connections),
# so a test proves which path packets took instead of trusting a ping that
# would also pass over TCP. fl_counter NODE NAME packets|bytes reads one.
fl_count() {
	n "$1" nft -f - <<-EOF
		table inet flcount {
			counter udp_in {}
			counter udp_out {}
			counter tcp_in {}
			counter tcp_out {}
			chain in {
				type filter hook input priority -10;
				udp dport 655 counter name "udp_in"
				tcp dport 655 counter name "tcp_in"
				tcp sport 655 counter name "tcp_in"
			}
			chain out {
				type filter hook output priority -10;
				udp sport 655 counter name "udp_out"
				tcp dport 655 counter name "tcp_out"
				tcp sport 655 counter name "tcp_out"
			}
		}
	EOF
}
fl_counter() {
	local v
	v=$(n "$1" nft list counter inet flcount "$2" | awk -v k="$3" '{for(i=1;i<NF;i++) if($i==k) print $(i+1)}')
	[[ $v =~ ^[0-9]+$ ]] || fl_fail "$1: no nft counter $2"
	echo "$v"
}

# fl_bg NODE CMD...: start a helper process in NODE's namespace, tracked.
fl_bg() {
	local node=$1; shift
	ip netns exec "$FL_PFX-$node" "$@" &
	FL_PIDS+=("$!")
	FL_LAST_BG=$!
}

# fl_wait_udp NODE PEER [SECONDS]: ping PEER (traffic drives tinc's UDP
# probing for non-neighbours) until NODE shows UDP to PEER confirmed.
fl_ping_udp() { fl_ping "$1" "$2" || true; fl_udp_confirmed "$1" "$2"; }
fl_wait_udp() { fl_wait "${3:-30}" "$1: UDP to $2 confirmed" fl_ping_udp "$1" "$2"; }

# fl_reset: stop every node and delete this test's namespaces, so that one
# script can build several networks in turn (fl_net again afterwards).
fl_reset() {
	local x
	for x in "${FL_NODES[@]}"; do [ -n "${FL_PID[$x]:-}" ] && fl_stop "$x"; done
	for x in $(ip netns list | awk '{print $1}' | grep "^$FL_PFX-"); do ip netns del "$x"; done
	FL_NODES=()
}
