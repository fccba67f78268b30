#!/usr/bin/env bash
# Split-brain under heartbeat-link flaps and stalls (SIGSTOP of the master for 3 s and
# 1 s, then of the backup for 3 s): the same faults against an fl-lb pair in `ha vrrp`
# (adverts on the private network eth1 only, as in the 2019-07 incident) and in
# `ha safe` (adverts on eth1 and eth0). An ARP probe on the public network asks for
# the VIP every 10 ms; "split" is the time two MACs answered for it. `ha safe` must show
# none;
# `ha vrrp` must show some (else the faults did not bite and the test proves nothing).
# The two modes run at once, each in a lab of its own (same addresses, nothing shared):
# one after the other took 68 s, almost all of it the faults' own sleeps.
# runner: weight 2
#   several labs at once (or heartbeats every 100 ms that a starved CPU turns into
#   split-brain)
. "${FL_TOP:?run me through tests/integration/run}/tests/integration/lb/lib.sh" || exit 1
need_bins fl-lb fl-web
VIP=198.18.0.100
base=$LAB
for mode in vrrp safe; do
	LAB=$base-$mode
	lab_init
	lab_node w1 11; lab_node lb1 2 two; lab_node lb2 3 two; lab_node c 50
	lab_bg w1 "$FL_BIN/fl-web" --listen 198.18.0.11:80 --name w1
done

mac_of() { ip -n "$(lab_ns "$1")" -o link show eth0 | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p'; }

# The member whose last state event says master (the fault target), lb1 if none.
master_of() { # master_of MODE
	local n
	for n in lb1 lb2; do
		grep '"ev":"state"' "$FL_WORK/$1-$n.events" 2>/dev/null | tail -1 |
			grep -q '"to":"master"' && { echo $n; return; }
	done
	echo lb1
}

# Split-brain is what the wire shows: rounds of the ARP probe (10 ms each) in which two
# different MACs claimed the VIP. (`ha safe` keeps the VIP on lo and answers ARP from
# fl-lb, so addresses alone would not tell who serves it.)
split_ms() { awk '$2 >= 2 {n++} END {print (n + 0) * 10}' "$1"; }
last_rounds_single() { # the last 30 rounds (300 ms): exactly one MAC every time
	[ -s "$1" ] && [ "$(tail -30 "$1" | awk '$2 == 1' | wc -l)" = 30 ] &&
		[ "$(tail -30 "$1" | awk '{print $3}' | sort -u | wc -l)" = 1 ]
}

run_mode() { # run_mode vrrp|safe: the ARP rounds into $FL_WORK/arp-MODE
	local mode=$1 hb=eth1 p1 p2 m pid stop=$FL_WORK/stop-$1 arp=$FL_WORK/arp-$1
	[ "$mode" = safe ] && hb=eth1,eth0
	for n in 1 2; do
		lab_bg lb$n "$FL_BIN/fl-lb" --listen $VIP:80 --backend w1=198.18.0.11:80 \
			--ha "$mode" --vip $VIP/24 --vip-dev eth0 --vrid 51 \
			--priority $((300 - n * 100)) --advert 100 --heartbeat $hb --name lb$n \
			--events "$FL_WORK/$mode-lb$n.events" >/dev/null
		eval "p$n=\$!"
	done
	lab_bg c python3 "$FL_TOP/tests/integration/lb/arp_probe.py" eth0 198.18.0.50 $VIP \
		"$arp" "$stop"
	local probe=$!
	wait_for 8 last_rounds_single "$arp" || { echo "$mode: no initial master"; return 1; }
	for i in 1 2 3; do # the private heartbeat link of the master flaps
		m=$(master_of "$mode")
		ip -n "$LAB-sw" link set "$m-1" down; sleep 1.5
		ip -n "$LAB-sw" link set "$m-1" up; sleep 1
	done
	sleep 3
	for d in 3 1 -3; do # the master's (d > 0) or the backup's process freezes for |d| s
		m=$(master_of "$mode")
		pid=$p1; [ "$m" = lb2 ] && pid=$p2
		[ "$d" -lt 0 ] && { pid=$p2; [ "$m" = lb2 ] && pid=$p1; d=$((-d)); }
		kill -STOP "$pid"; sleep "$d"; kill -CONT "$pid"
		sleep 5
	done
	# One member must end up answering for the VIP, alone.
	wait_for 10 last_rounds_single "$arp"
	local ok=$?
	touch "$stop"; wait "$probe"
	kill -TERM "$p1" "$p2"; wait "$p1"; wait "$p2"
	echo "$mode: $(wc -l <"$arp") ARP rounds, split-brain $(split_ms "$arp") ms," \
		"no answer $(awk '$2 == 0 {n++} END {print (n + 0) * 10}' "$arp") ms," \
		"MACs seen: $(awk '$3 != "" {print $3}' "$arp" | tr , '\n' | sort -u | tr '\n' ' ')"
	[ $ok = 0 ] || { echo "$mode: no single VIP owner on the wire at the end"; return 1; }
}

# in_lab MODE: run_mode MODE in its lab, in the background, its output in MODE.log;
# the processes it starts are its own to kill (the lab's cleanup does not know them).
in_lab() {
	(
		LAB=$base-$1 LAB_PIDS=()
		trap 'for p in "${LAB_PIDS[@]}"; do kill -CONT "$p"; kill -KILL "$p"; done 2>/dev/null' EXIT
		echo "MACs: lb1 $(mac_of lb1), lb2 $(mac_of lb2)"
		run_mode "$1"
	) >"$FL_WORK/$1.log" 2>&1 &
}
in_lab vrrp; pv=$!
in_lab safe; ps=$!
wait $pv; rv=$?
wait $ps; rs=$?
cat "$FL_WORK/vrrp.log" "$FL_WORK/safe.log"
[ $rv = 0 ] || fail "ha vrrp run"
[ $rs = 0 ] || fail "ha safe run"
plain=$(split_ms "$FL_WORK/arp-vrrp")
safe=$(split_ms "$FL_WORK/arp-safe")
echo "split-brain on the wire: ha vrrp ${plain} ms, ha safe ${safe} ms"
grep -h '"ev":"state"' "$FL_WORK"/safe-lb*.events | sed 's/.*"src"/"src"/' | sort | uniq -c
[ "$plain" -gt 0 ] || fail "the faults produced no split-brain even in ha vrrp: test proves nothing"
[ "$safe" = 0 ] || fail "ha safe had ${safe} ms of split-brain"
echo ok
