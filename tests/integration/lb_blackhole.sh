#!/usr/bin/env bash
# A backend black-holed (all its traffic dropped by nft inside ITS namespace) is marked
# down within 1 s with the default health-check settings and gets no more requests; a
# killed backend (connection refused) is marked down too; both come back when healed.
# The balancer runs --ha none with a VIP: it adds it at start and removes it at exit.
. "${FL_TOP:?run me through tests/integration/run}/tests/integration/lb/lib.sh" || exit 1
need_bins fl-lb fl-web
command -v nft >/dev/null || skip "nft not installed"
lab_init
lab_node w1 11; lab_node w2 12; lab_node lb 2; lab_node c 50
lab_bg w1 "$FL_BIN/fl-web" --listen 198.18.0.11:80 --name w1
lab_bg w2 "$FL_BIN/fl-web" --listen 198.18.0.12:80 --name w2; W2=$!
EV=$FL_WORK/lb.events
# --ha none with a VIP: the lone member holds it while it runs.
lab_bg lb "$FL_BIN/fl-lb" --listen 198.18.0.100:80 --backend w1=198.18.0.11:80 \
	--backend w2=198.18.0.12:80 --ha none --vip 198.18.0.100/24 --vip-dev eth0 \
	--name lb --events "$EV"; LB=$!
wait_for 3 grep -q '"ev":"ready"' "$EV" || fail "fl-lb not ready"
has_vip lb 198.18.0.100 || fail "--ha none did not add the VIP"
sleep 0.5
grep -q '"state":"down"' "$EV" && fail "a healthy backend was marked down"

# Black hole w1: the link stays up, nothing passes.
t0=$(now_ms)
ip netns exec "$(lab_ns w1)" nft -f - <<'NFT' || fail "nft"
table inet fltest {
	chain in { type filter hook input priority 0; policy drop; }
	chain out { type filter hook output priority 0; policy drop; }
}
NFT
wait_for 3 grep -q '"backend":"w1".*"state":"down","reason":"timeout"' "$EV" ||
	fail "black-holed w1 never marked down"
dt=$(($(now_ms) - t0))
echo "black-holed backend removed after ${dt} ms (defaults: interval 200, timeout 200, fall 2)"
[ "$dt" -le 1000 ] || fail "removal took $dt ms > 1000 ms"
for i in 1 2 3 4; do
	r=$(http_get c 198.18.0.100 80 /) || fail "request $i failed while w1 is black-holed"
	printf '%s' "$r" | grep -qi '^X-Backend: w2' || fail "request $i not served by w2"
done

ip netns exec "$(lab_ns w1)" nft delete table inet fltest
wait_for 3 grep -q '"backend":"w1".*"state":"up"' "$EV" || fail "w1 never came back"

t0=$(now_ms)
kill -KILL "$W2"
wait_for 3 grep -q '"backend":"w2".*"state":"down","reason":"refused"' "$EV" ||
	fail "dead w2 never marked down"
echo "killed backend removed after $(($(now_ms) - t0)) ms"
for i in 1 2 3; do
	http_get c 198.18.0.100 80 / | grep -qi '^X-Backend: w1' || fail "request $i not on w1"
done
kill -TERM "$LB"
wait "$LB" || fail "fl-lb exit status on SIGTERM"
has_vip lb 198.18.0.100 && fail "--ha none left the VIP behind"
echo ok
