#!/usr/bin/env bash
# Split-brain under heartbeat-link flaps and stalls (SIGSTOP of the master for 3 s and
# 1 s, then of the backup for 3 s): the same faults against an fl-lb pair in `ha vrrp`
# (adverts on the private network eth1 only, as in the 2019-07 incident) and in
# `ha safe` (adverts on eth1 and eth0). Both namespaces' addresses are
# sampled all along; "split" is the time both held the VIP. `ha safe` must show none;
# `ha vrrp` must show some (else the faults did not bite and the test proves nothing).
. "${FL_TOP:?run me through tests/integration/run}/tests/integration/lb/lib.sh" || exit 1
need_bins fl-lb fl-web
lab_init
VIP=198.18.0.100
lab_node w1 11; lab_node lb1 2 two; lab_node lb2 3 two
lab_bg w1 "$FL_BIN/fl-web" --listen 198.18.0.11:80 --name w1

holder() { # the node holding the VIP alone, or "none"/"both"
	local a=0 b=0
	has_vip lb1 $VIP && a=1
	has_vip lb2 $VIP && b=1
	case $a$b in 10) echo lb1 ;; 01) echo lb2 ;; 00) echo none ;; *) echo both ;; esac
}

holder_is() { [ "$(holder)" = "$1" ]; }
single_holder() { case $(holder) in lb1 | lb2) return 0 ;; esac; return 1; }

watch_split() { # until $1 exists: accumulate the ms both held the VIP, print it
	local both=0 prev t h
	prev=$(now_ms)
	while [ ! -e "$1" ]; do
		h=$(holder)
		t=$(now_ms)
		[ "$h" = both ] && both=$((both + t - prev))
		prev=$t
		sleep 0.005
	done
	echo "$both"
}

run_mode() { # run_mode vrrp|safe: the split-brain ms into $FL_WORK/split-MODE
	local mode=$1 hb=eth1 p1 p2 m pid stop=$FL_WORK/stop-$1
	[ "$mode" = safe ] && hb=eth1,eth0
	for n in 1 2; do
		lab_bg lb$n "$FL_BIN/fl-lb" --listen $VIP:80 --backend w1=198.18.0.11:80 \
			--ha "$mode" --vip $VIP/24 --vip-dev eth0 --vrid 51 \
			--priority $((300 - n * 100)) --advert 100 --heartbeat $hb --name lb$n \
			--events "$FL_WORK/$mode-lb$n.events" >/dev/null
		eval "p$n=\$!"
	done
	wait_for 5 holder_is lb1 || { echo "$mode: no initial master"; return 1; }
	sleep 1
	watch_split "$stop" >"$FL_WORK/split-$mode" &
	local watcher=$!
	for i in 1 2 3; do # the private heartbeat link of the master flaps
		m=$(holder); [ "$m" = both ] || [ "$m" = none ] && m=lb1
		ip -n "$LAB-sw" link set "$m-1" down; sleep 1.5
		ip -n "$LAB-sw" link set "$m-1" up; sleep 1
	done
	sleep 3
	for d in 3 1 -3; do # the master's (d > 0) or the backup's process freezes for |d| s
		m=$(holder); [ "$m" = both ] || [ "$m" = none ] && m=lb1
		pid=$p1; [ "$m" = lb2 ] && pid=$p2
		[ "$d" -lt 0 ] && { pid=$p2; [ "$m" = lb2 ] && pid=$p1; d=$((-d)); }
		kill -STOP "$pid"; sleep "$d"; kill -CONT "$pid"
		sleep 5
	done
	# One member must end up holding the VIP (after a stall that can take a preemption
	# delay and a handover); the watcher keeps counting meanwhile.
	wait_for 10 single_holder
	m=$(holder)
	touch "$stop"; wait "$watcher"
	kill -TERM "$p1" "$p2"; wait "$p1"; wait "$p2"
	echo "$mode: final holder $m, split-brain $(cat "$FL_WORK/split-$mode") ms"
	[ "$m" = lb1 ] || [ "$m" = lb2 ] || { echo "$mode: no single holder at the end"; return 1; }
}

run_mode vrrp || fail "ha vrrp run"
run_mode safe || fail "ha safe run"
plain=$(cat "$FL_WORK/split-vrrp")
safe=$(cat "$FL_WORK/split-safe")
echo "split-brain: ha vrrp ${plain} ms, ha safe ${safe} ms"
grep -h '"ev":"state"' "$FL_WORK"/safe-lb*.events | sed 's/.*"src"/"src"/' | sort | uniq -c
[ "$plain" -gt 0 ] || fail "the faults produced no split-brain even in ha vrrp: test proves nothing"
[ "$safe" = 0 ] || fail "ha safe had ${safe} ms of split-brain"
echo ok
