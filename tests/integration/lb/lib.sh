# Helpers for the fl-lb integration tests (tests/integration/lb_*.sh): a lab of network
# namespaces, all created by us and deleted on exit. The "switch" namespace holds two
# bridges (br0: the public network with the VIP, 198.18.0.0/24; br1: a second heartbeat
# network, 198.18.1.0/24); every node is a namespace with eth0 (and eth1) on them.
# Nothing is created in, or sent to, the host's own namespace.
. "$FL_TOP/tests/integration/lib.sh"

LAB=fltest-lb-${FL_TEST_TAG:-$$} # the runner's tag: its host check knows these are ours
LAB_NS=()
LAB_PIDS=()
LAB_EXTRA_PIDFILES=() # pid files of processes our children forked (keepalived's)

lab_cleanup() {
	local p n
	for p in "${LAB_EXTRA_PIDFILES[@]}"; do [ -s "$p" ] && kill -KILL "$(cat "$p")" 2>/dev/null; done
	for p in "${LAB_PIDS[@]}"; do kill -CONT "$p" 2>/dev/null; kill -KILL "$p" 2>/dev/null; done
	for p in "${LAB_PIDS[@]}"; do wait "$p" 2>/dev/null; done
	for n in "${LAB_NS[@]}"; do ip netns del "$n" 2>/dev/null; done
	return 0
}

lab_init() {
	[ "$(id -u)" = 0 ] || skip "needs root"
	trap lab_cleanup EXIT
	ip netns add "$LAB-sw" || fail "netns add"
	LAB_NS+=("$LAB-sw")
	ip -n "$LAB-sw" link set lo up
	for br in br0 br1; do
		ip -n "$LAB-sw" link add "$br" type bridge || fail "bridge"
		ip -n "$LAB-sw" link set "$br" type bridge forward_delay 0 2>/dev/null
		ip -n "$LAB-sw" link set "$br" up
	done
}

# lab_node NAME HOSTNUM [two]: namespace $LAB-NAME with eth0 = 198.18.0.HOSTNUM/24
# (and eth1 = 198.18.1.HOSTNUM/24 when "two").
lab_node() {
	local ns=$LAB-$1 i
	ip netns add "$ns" || fail "netns add $ns"
	LAB_NS+=("$ns")
	ip -n "$ns" link set lo up
	for i in 0 1; do
		[ $i = 1 ] && [ "${3:-}" != two ] && break
		ip -n "$LAB-sw" link add "$1-$i" type veth peer name "eth$i" netns "$ns" ||
			fail "veth $1-$i"
		ip -n "$LAB-sw" link set "$1-$i" master "br$i" up
		ip -n "$ns" addr add "198.18.$i.$2/24" dev "eth$i"
		ip -n "$ns" link set "eth$i" up
	done
}

# lab_bg NAME CMD...: run CMD in node NAME in the background; its pid in $!
lab_bg() {
	local ns=$LAB-$1
	shift
	ip netns exec "$ns" "$@" &
	LAB_PIDS+=($!)
}

lab_ns() { echo "$LAB-$1"; }

# has_vip NODE VIP: the VIP is on one of the node's interfaces
has_vip() { ip -n "$LAB-$1" -o -4 addr show | grep -q " $2/"; }

now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }

# wait_for SECONDS CMD...: poll CMD every 10 ms; 0 when it succeeded in time
wait_for() {
	local end=$(($(now_ms) + $1 * 1000))
	shift
	while [ "$(now_ms)" -lt "$end" ]; do
		"$@" && return 0
		sleep 0.01
	done
	return 1
}

# http_get NODE ADDR PORT PATH: the response (headers and body) on stdout
http_get() {
	ip netns exec "$LAB-$1" timeout 3 curl -s -i --max-time 2 "http://$2:$3$4"
}

need_bins() {
	local b
	for b in "$@"; do
		[ -x "$FL_BIN/$b" ] || skip "$b not built yet ($FL_BIN/$b)"
	done
}
