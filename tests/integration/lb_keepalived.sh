#!/usr/bin/env bash
# Interop: a keepalived (VRRPv3, our own config and pid files, inside our namespace) and
# an fl-lb share VRID 51 with 100 ms adverts. Exactly one holds the VIP at a time, each
# takes over from the other (SIGKILL, preemption, priority-0 on SIGTERM), and neither
# rejects the other's adverts (fl-lb reports no "malformed").
. "${FL_TOP:?run me through tests/integration/run}/tests/integration/lb/lib.sh" || exit 1
need_bins fl-lb fl-web
command -v keepalived >/dev/null || skip "keepalived not installed"
lab_init
VIP=198.18.0.100
lab_node w1 11; lab_node ka 2; lab_node fl 3
lab_bg w1 "$FL_BIN/fl-web" --listen 198.18.0.11:80 --name w1
cat >"$FL_WORK/ka.conf" <<CONF
global_defs {
	router_id fltest-ka
	vrrp_version 3
	vrrp_garp_master_delay 0
	script_user root
	enable_script_security
}
vrrp_instance fltest {
	state BACKUP
	interface eth0
	virtual_router_id 51
	priority 150
	advert_int 0.1
	virtual_ipaddress {
		$VIP/24 dev eth0
	}
}
CONF
LAB_EXTRA_PIDFILES+=("$FL_WORK/ka-vrrp.pid")
start_ka() {
	rm -f "$FL_WORK/ka-vrrp.pid"
	lab_bg ka keepalived -n -l -D -P -f "$FL_WORK/ka.conf" -p "$FL_WORK/ka.pid" \
		-r "$FL_WORK/ka-vrrp.pid" -c "$FL_WORK/ka-chk.pid"
	KA=$!
	wait_for 3 test -s "$FL_WORK/ka-vrrp.pid" || fail "keepalived did not start"
}
start_fl() { # PRIO
	lab_bg fl "$FL_BIN/fl-lb" --listen $VIP:80 --backend w1=198.18.0.11:80 --ha vrrp \
		--vip $VIP/24 --vip-dev eth0 --vrid 51 --priority "$1" --advert 100 \
		--heartbeat eth0 --name fl --events "$FL_WORK/fl.events"
	FL=$!
}
one_holder() { # one_holder NODE: NODE holds the VIP and the other does not
	local other=ka
	[ "$1" = ka ] && other=fl
	has_vip "$1" $VIP && ! has_vip $other $VIP
}
settle() { # settle NODE SECONDS: NODE alone holds the VIP, and still does 1 s later
	wait_for "$2" one_holder "$1" || return 1
	sleep 1
	one_holder "$1"
}

start_ka
start_fl 100
settle ka 5 || fail "keepalived (150) should be the only master"
echo "keepalived master, fl-lb backup: one holder"

t0=$(now_ms)
# The VRRP child first: killed alone, the parent would respawn it; the parent alone
# would make the child leave gracefully (priority 0).
kill -KILL "$(cat "$FL_WORK/ka-vrrp.pid")" "$KA"
wait_for 3 has_vip fl $VIP || fail "fl-lb did not take over from a killed keepalived"
echo "fl-lb took over from SIGKILLed keepalived after $(($(now_ms) - t0)) ms"
wait "$KA" 2>/dev/null
# A SIGKILLed keepalived leaves its VIP behind (what `ha safe`'s lease is about); the
# restarted keepalived removes it when it starts.
sleep 1
has_vip fl $VIP || fail "fl-lb lost the VIP"

start_ka
settle ka 5 || fail "keepalived (150) did not preempt fl-lb (100)"
grep -q '"to":"backup","reason":"higher-priority"' "$FL_WORK/fl.events" ||
	fail "fl-lb did not step down on keepalived's higher-priority advert"
echo "keepalived preempted fl-lb"

kill -TERM "$FL"; wait "$FL"
start_fl 200
settle fl 5 || fail "fl-lb (200) did not preempt keepalived (150)"
echo "fl-lb preempted keepalived"

t0=$(now_ms)
kill -TERM "$FL"
wait_for 3 has_vip ka $VIP || fail "keepalived did not take over after fl-lb's priority 0"
echo "keepalived took over $(($(now_ms) - t0)) ms after fl-lb's SIGTERM (priority-0 advert)"
wait "$FL" || fail "fl-lb exit status"
settle ka 3 || fail "keepalived is not the only VIP holder"
grep '"ev":"malformed"' "$FL_WORK/fl.events" && fail "fl-lb rejected keepalived's adverts"
echo ok
