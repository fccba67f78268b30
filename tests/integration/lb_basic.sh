#!/usr/bin/env bash
# fl-lb pair (ha vrrp, 100 ms adverts) in front of two fl-web backends: exactly one
# master holds the VIP, requests through the VIP are spread over both backends, and a
# SIGKILL of the master moves the VIP to the backup within the master-down interval. A
# second fl-lb on an address in use fails.
. "${FL_TOP:?run me through tests/integration/run}/tests/integration/lb/lib.sh" || exit 1
need_bins fl-lb fl-web
lab_init
VIP=198.18.0.100
lab_node w1 11; lab_node w2 12; lab_node lb1 2; lab_node lb2 3; lab_node c 50
lab_bg w1 "$FL_BIN/fl-web" --listen 198.18.0.11:80 --name w1
lab_bg w2 "$FL_BIN/fl-web" --listen 198.18.0.12:80 --name w2
lb() { # lb NODE PRIO
	lab_bg "$1" "$FL_BIN/fl-lb" --listen $VIP:80 --backend w1=198.18.0.11:80 \
		--backend w2=198.18.0.12:80 --ha vrrp --vip $VIP/24 --vip-dev eth0 --vrid 51 \
		--priority "$2" --advert 100 --heartbeat eth0 --name "$1" \
		--events "$FL_WORK/$1.events"
}
lb lb1 200; P1=$!
lb lb2 100; P2=$!
wait_for 5 has_vip lb1 $VIP || fail "lb1 (priority 200) never took the VIP"
sleep 0.5
has_vip lb2 $VIP && fail "both members hold the VIP"
grep -q '"ev":"ready"' "$FL_WORK/lb1.events" || fail "no ready event"

declare -A seen
for i in 1 2 3 4 5 6; do
	r=$(http_get c $VIP 80 /) || fail "request $i through the VIP failed"
	b=$(printf '%s' "$r" | tr -d '\r' | sed -n 's/^X-Backend: //Ip')
	[ -n "$b" ] || fail "no X-Backend in response $i"
	seen[$b]=1
done
[ "${#seen[@]}" = 2 ] || fail "round-robin used ${!seen[*]} only"
echo "round-robin over: ${!seen[*]}"

# A second fl-lb on the address lb1 serves must fail at once: its workers' SO_REUSEPORT
# sockets must not join lb1's and take a share of the connections.
rc=0
timeout 3 ip netns exec "$(lab_ns lb1)" "$FL_BIN/fl-lb" --listen $VIP:80 \
	--backend w1=198.18.0.11:80 --threads 2 --name dup 2>"$FL_WORK/dup.err" || rc=$?
[ "$rc" != 0 ] && [ "$rc" != 124 ] || fail "a second fl-lb on $VIP:80 did not fail (exit $rc)"
grep -qi 'in use' "$FL_WORK/dup.err" || fail "second fl-lb: $(cat "$FL_WORK/dup.err")"
echo "second fl-lb on the same address: $(head -1 "$FL_WORK/dup.err")"

t0=$(now_ms)
kill -KILL "$P1"
# Master_Down_Interval for priority 100 at 100 ms adverts: 300 + 60.9 ms
wait_for 3 has_vip lb2 $VIP || fail "lb2 never took over"
dt=$(($(now_ms) - t0))
echo "failover (SIGKILL of the master -> VIP on the backup): ${dt} ms"
[ "$dt" -le 600 ] || fail "failover took $dt ms (master-down interval is 361 ms)"
http_get c $VIP 80 / >/dev/null || fail "no service through the VIP after failover"
grep -q '"to":"master","reason":"master-down"' "$FL_WORK/lb2.events" || fail "no state event"

kill -TERM "$P2"
wait "$P2" || fail "fl-lb exited non-zero on SIGTERM"
has_vip lb2 $VIP && fail "VIP left behind after SIGTERM"
grep -q '"ev":"vip","op":"remove"' "$FL_WORK/lb2.events" || fail "no vip remove event"
echo ok
