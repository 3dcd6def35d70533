#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench/tunnel_speed.sh: one iperf3 TCP stream (BENCH_UDP: UDP) between two network namespaces,
# measured over the raw veth underlay and then through each tunnel in the
# same run:
#   tinc 1.1 - tinc 1.1       when TINC11_DIR names the directory holding
#                             tincd and tinc
#   wireguard-go              Debian's wireguard-go + wireguard-tools
#                             (installed when missing and run as root;
#                             WIREGUARD=0 skips it)
#   fenliud - fenliud         the release build in FENLIU_BUILD (default build/)
#   fenliud (base)            a second build in FENLIU_BUILD_BASE, if set
#                             (before/after comparisons in one run)
#   tinc 1.1 switch,          the same pairs with Mode = switch on TAP
#   fenliud switch            devices (BENCH_SWITCH=0 skips them); the
#                             fenliud switch line also gives its share of
#                             fenliud's router-mode (TUN) figure
# Each tunnel is measured BENCH_RUNS times (default 3), the tunnels taking
# turns in every round with all of them up, and the median is printed, so a
# busy machine skews all alike. Beside the throughput, each line gives the
# two daemons' user and system CPU seconds per GB moved (utime and stime
# from /proc/PID/stat before and after each run, medians). Needs root.
# Usage: bench/tunnel_speed.sh [SECONDS]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
export FENLIU_BUILD=${FENLIU_BUILD:-$top/build}
export ASAN_OPTIONS= UBSAN_OPTIONS=
. "$top/tests/e2e/lib.sh"
secs=${1:-${BENCH_SECONDS:-8}}
runs=${BENCH_RUNS:-3}
fl_need_root
fl_need_tools iperf3 ping
fl_init

# BENCH_UDP=RATE: a UDP stream at RATE (iperf3 -b, 0 = as fast as it can
# send) of 1372-byte datagrams (1400-byte IP packets, dataplane_speed's
# size) instead of TCP; receiver-side Mbit/s, losses not counted.
udp_args=${BENCH_UDP:+-u -b $BENCH_UDP -l 1372}
# iperf_mbits FROM_NODE TO_ADDR TO_NODE: receiver-side Mbit/s of one stream.
iperf_mbits() {
	local from=$1 addr=$2 to=$3
	fl_bg "$to" iperf3 -s -1 -B "$addr" >/dev/null 2>&1
	fl_wait 10 "iperf3 server on $addr" bash -c "ip netns exec $FL_PFX-$to ss -ltn | grep -q '$addr:5201'"
	# shellcheck disable=SC2086 # udp_args is a word list
	n "$from" iperf3 -c "$addr" -t "$secs" -f m $udp_args |
		awk '/receiver/ { for (i = 1; i <= NF; i++) if ($i == "Mbits/sec") print $(i-1) }'
}

gbit() { awk -v m="$1" 'BEGIN { printf "%.2f", m / 1000 }'; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# cpu_ticks PID...: "user system" clock ticks used so far by the processes
# (all their threads).
cpu_ticks() {
	local p u=0 s=0 a b
	for p in "$@"; do
		read -r a b < <(awk '{ print $14, $15 }' "/proc/$p/stat")
		u=$((u + a)); s=$((s + b))
	done
	echo "$u $s"
}

# per_gb TICKS MBIT: CPU seconds per GB moved in one run of $secs seconds.
per_gb() {
	awk -v t="$1" -v hz="$(getconf CLK_TCK)" -v m="$2" -v s="$secs" \
		'BEGIN { gb = m * s / 8000; printf "%.2f", (gb > 0 ? t / hz / gb : 0) }'
}

# Tunnels measured: label, client node, server node, server's tunnel address,
# the two daemons' PIDs. Results per tunnel: "mbit usr sys" per run.
T_LABEL=(); T_FROM=(); T_TO=(); T_ADDR=(); T_PIDS=(); T_RES=()
add_tunnel() {
	T_LABEL+=("$1"); T_FROM+=("$2"); T_TO+=("$3"); T_ADDR+=("$4"); T_PIDS+=("$5"); T_RES+=("")
}

# pair KIND X Y LABEL [switch]: a tinc or fenliud tunnel X -> Y, up and on
# UDP; with "switch", Mode = switch on TAP devices (the tunnel address sits
# on the TAP itself).
pair() {
	local kind=$1 x=$2 y=$3 label=$4 mode=${5:-} z
	for z in "$x" "$y"; do
		if [ "$mode" = switch ]; then
			fl_conf "$z" "$kind" Mode=switch
			sed -i 's/^DeviceType = tun$/DeviceType = tap/' "$(fl_dir "$z")/tinc.conf"
		else
			fl_conf "$z" "$kind"
		fi
	done
	fl_exchange "$x" "$y"; fl_connect "$x" "$y"
	fl_start "$y"; fl_start "$x"
	fl_wait_ping "$x" "$y" 30
	fl_wait_udp "$x" "$y"
	add_tunnel "$label" "$x" "$y" "203.0.113.${FL_IDX[$y]}" "${FL_PID[$x]} ${FL_PID[$y]}"
}

# wg_start NODE PEER: wireguard-go in NODE's namespace, tunnel address
# 203.0.113.INDEX, peer at PEER's underlay address. Sets WG_PID.
wg_start() {
	local node=$1 peer=$2 i=${FL_IDX[$1]} j=${FL_IDX[$2]} d ifn
	d=$(fl_dir "$node"); mkdir -p "$d"
	ifn="flwg$$$i" # the UAPI socket (/var/run/wireguard/IF.sock) is global
	WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1 \
		ip netns exec "$FL_PFX-$node" wireguard-go -f "$ifn" >"$d/wg.log" 2>&1 &
	WG_PID=$!
	FL_PIDS+=("$WG_PID")
	fl_wait 10 "$node: wireguard-go $ifn" test -S "/var/run/wireguard/$ifn.sock"
	n "$node" wg set "$ifn" private-key "$d/wg.key" listen-port 51820 \
		peer "$(cat "$(fl_dir "$peer")/wg.pub")" allowed-ips "203.0.113.$j/32" \
		endpoint "192.0.2.$j:51820"
	n "$node" ip addr add "203.0.113.$i/24" dev "$ifn"
	n "$node" ip link set "$ifn" mtu 1420 up
}

wg_pair() {
	local x=$1 y=$2 px py
	for z in "$x" "$y"; do
		mkdir -p "$(fl_dir "$z")"
		(umask 077; wg genkey >"$(fl_dir "$z")/wg.key")
		wg pubkey <"$(fl_dir "$z")/wg.key" >"$(fl_dir "$z")/wg.pub"
	done
	wg_start "$y" "$x"; py=$WG_PID
	wg_start "$x" "$y"; px=$WG_PID
	fl_wait 20 "wireguard-go ping $x -> $y" nq "$x" ping -c 1 -W 1 "203.0.113.${FL_IDX[$y]}"
	add_tunnel "wireguard-go" "$x" "$y" "203.0.113.${FL_IDX[$y]}" "$px $py"
}

have_wg() {
	[ "${WIREGUARD:-1}" != 0 ] || return 1
	command -v wireguard-go >/dev/null && command -v wg >/dev/null && return 0
	[ "$(id -u)" -eq 0 ] || return 1
	echo "installing wireguard-go wireguard-tools" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		wireguard-go wireguard-tools >/dev/null 2>&1 || return 1
	command -v wireguard-go >/dev/null && command -v wg >/dev/null
}

# Stock tinc nodes take the fixed test keys (tests/vectors/keys.txt has five):
# tinc on a-b and c-d; fenliud on g-h, e-f (base), k-l; wireguard-go on i-j.
fl_net a b c d e f g h i j k l
raw=$(iperf_mbits a 192.0.2.2 b)
echo "raw veth:            $(gbit "$raw") Gbit/s"

if [ -n "${TINC11_DIR:-}" ] && [ -x "$TINC11_DIR/tincd" ]; then
	pair tinc a b "tinc 1.1 - tinc 1.1"
else
	echo "tinc 1.1 - tinc 1.1: skipped (set TINC11_DIR to the directory holding tincd and tinc)"
fi
if have_wg; then
	wg_pair i j
else
	echo "wireguard-go:        skipped (no wireguard-go and wg; apt-get install wireguard-go wireguard-tools)"
fi
if [ -x "$FENLIU_BUILD/src/daemon/fenliud" ]; then
	pair fenliu g h "fenliud - fenliud"
else
	echo "fenliud - fenliud:   skipped (no fenliud in $FENLIU_BUILD)"
fi
if [ -n "${FENLIU_BUILD_BASE:-}" ]; then
	if [ -x "$FENLIU_BUILD_BASE/src/daemon/fenliud" ]; then
		FENLIU_BUILD=$FENLIU_BUILD_BASE pair fenliu e f "fenliud (base)"
	else
		echo "fenliud (base):      skipped (no fenliud in $FENLIU_BUILD_BASE)"
	fi
fi

if [ "${BENCH_SWITCH:-1}" != 0 ]; then
	if [ -n "${TINC11_DIR:-}" ] && [ -x "$TINC11_DIR/tincd" ]; then
		pair tinc c d "tinc 1.1 switch" switch
	fi
	if [ -x "$FENLIU_BUILD/src/daemon/fenliud" ]; then
		pair fenliu k l "fenliud switch" switch
	fi
fi

for r in $(seq "$runs"); do
	for k in "${!T_LABEL[@]}"; do
		# shellcheck disable=SC2086
		read -r u0 s0 < <(cpu_ticks ${T_PIDS[$k]})
		mb=$(iperf_mbits "${T_FROM[$k]}" "${T_ADDR[$k]}" "${T_TO[$k]}")
		# shellcheck disable=SC2086
		read -r u1 s1 < <(cpu_ticks ${T_PIDS[$k]})
		T_RES[$k]+="$mb $(per_gb $((u1 - u0)) "$mb") $(per_gb $((s1 - s0)) "$mb");"
	done
done

# col K FIELD: median of one field over tunnel K's runs.
col() { tr ';' '\n' <<<"${T_RES[$1]}" | awk -v f="$2" 'NF { print $f }' | median; }
ref_tinc=; ref_wg=; ref_tinc_sw=; ref_fen=
for k in "${!T_LABEL[@]}"; do
	case ${T_LABEL[$k]} in
	"tinc 1.1 - tinc 1.1") ref_tinc=$(col "$k" 1) ;;
	"tinc 1.1 switch") ref_tinc_sw=$(col "$k" 1) ;;
	"fenliud - fenliud") ref_fen=$(col "$k" 1) ;;
	wireguard*) ref_wg=$(col "$k" 1) ;;
	esac
done
for k in "${!T_LABEL[@]}"; do
	v=$(col "$k" 1)
	line=$(printf '%-20s %s Gbit/s, CPU per GB: usr %s s, sys %s s (median of %s: %s Mbit/s)' \
		"${T_LABEL[$k]}:" "$(gbit "$v")" "$(col "$k" 2)" "$(col "$k" 3)" "$runs" \
		"$(tr ';' '\n' <<<"${T_RES[$k]}" | awk 'NF { printf "%s%s", s, $1; s = " " }')")
	case ${T_LABEL[$k]} in
	"fenliud switch")
		[ -n "$ref_fen" ] && line="$line; $(awk -v f="$v" -v t="$ref_fen" 'BEGIN { printf "%.0f", 100 * f / t }')% of fenliud tun"
		[ -n "$ref_tinc_sw" ] && line="$line; $(awk -v f="$v" -v t="$ref_tinc_sw" 'BEGIN { printf "%.2f", f / t }')x tinc 1.1 switch"
		;;
	fenliud*)
		[ -n "$ref_tinc" ] && line="$line; $(awk -v f="$v" -v t="$ref_tinc" 'BEGIN { printf "%.2f", f / t }')x tinc 1.1"
		[ -n "$ref_wg" ] && line="$line; $(awk -v f="$v" -v t="$ref_wg" 'BEGIN { printf "%.2f", f / t }')x wireguard-go"
		;;
	esac
	echo "$line"
done
