#!/usr/bin/env bash
# pmtu-blackhole by its effect. A server on `near` (MTU 1500), a router, clients on
# `far`; the router's far interface runs at MTU 1280 for the whole run (`mtu r.far`),
# so the server's full-size DF segments toward a client need the router's ICMP
# "fragmentation needed" to come back across `near` (PMTU discovery).
#   phase 1 (before the fault): c1 fetches 200 kB: works, frag-needed reaches srv
#   phase 2 (pmtu-blackhole near, 3 s - 8 s): c2 fetches 500 B (passes) and 200 kB
#            (stalls: nothing arrives, its read times out); the router's frag-needed
#            are on the wire but none reaches srv
#   phase 3 (after the revert): c3 fetches 200 kB, then c2 again: both work
# PMTU caching: srv keeps a learned path MTU per destination (a route exception), so
# each phase talks to a destination srv has never learned anything about: c1, c2
# (nothing was ever learned for it while the ICMP was dropped), c3.
# Each fetch is one fl-load request (its requests.csv gives outcome, bytes and times on
# CLOCK_MONOTONIC, the run's time base); the script checks that it ran inside its
# phase against the timeline's apply/revert times in events.jsonl.
source "$FL_TOP/tests/integration/lib.sh"
big=200000
small=500
cat >"$FL_WORK/fetch.sh" <<EOF
# fetch.sh TAG SIZE: one GET of /bytes/SIZE with a 2 s timeout into $FL_WORK/TAG.csv
exec "$FL_BIN/fl-load" --url "http://198.18.6.10/bytes/\$2" --rate 1 --duration 1000 \\
	--timeout 2000 --out "$FL_WORK/\$1.csv"
EOF
cat >"$FL_WORK/pmtu.sh" <<'EOF'
# pmtu.sh WHEN: the path MTU srv has learned toward each client ("-": none)
for c in 11 12 13; do
	m=$(ip route get 198.18.7.$c | sed -n 's/.* mtu \([0-9]*\).*/\1/p')
	echo "$1 c${c#1} ${m:--}"
done
EOF
f=$(scn fault_pmtu <<EOF
scenario fault_pmtu
duration 12s
network near 198.18.6.0/24
network far  198.18.7.0/24
node r   on near=198.18.6.1 far=198.18.7.1 forward
node srv on near=198.18.6.10 gateway 198.18.6.1
node c1  on far=198.18.7.11 gateway 198.18.7.1
node c2  on far=198.18.7.12 gateway 198.18.7.1
node c3  on far=198.18.7.13 gateway 198.18.7.1
service srv web
service srv exec "sleep 7; sh $FL_WORK/pmtu.sh during; sleep 4; sh $FL_WORK/pmtu.sh after" name routes
service c1 exec "sleep 1; sh $FL_WORK/fetch.sh p1 $big"
service c2 exec "sleep 4; sh $FL_WORK/fetch.sh p2-small $small; sh $FL_WORK/fetch.sh p2 $big; sleep 4; sh $FL_WORK/fetch.sh p3-again $big"
service c3 exec "sleep 9; sh $FL_WORK/fetch.sh p3 $big"
at 0s mtu r.far 1280
at 3s pmtu-blackhole near for 5s
EOF
)
faultline run -q --run-dir "$FL_WORK/runs" "$f" || fail "run exited $?"
d="$FL_WORK/runs/latest"
ev="$d/events.jsonl"
grep -q '"src":"timeline","ev":"[a-z]*-failed"' "$ev" && fail "a fault failed to apply or revert"
# the blackhole's apply and revert (t_ns, CLOCK_MONOTONIC)
tns() { grep "\"src\":\"timeline\",\"ev\":\"$1\",\"id\":[0-9]*,\"fault\":\"pmtu-blackhole\"" "$ev" |
	sed 's/.*"t_ns":\([0-9]*\),.*/\1/'; }
on=$(tns apply) off=$(tns revert)
[ -n "$on" ] && [ -n "$off" ] || fail "no apply/revert of pmtu-blackhole in events.jsonl"
echo "pmtu-blackhole from $on to $off"
# phase TAG LO HI OUTCOME BYTES: the fetch TAG ran within [LO, HI] (ns) and ended so
phase() {
	[ -f "$FL_WORK/$1.csv" ] || fail "$1: no fetch made"
	local l
	l=$(sed -n 2p "$FL_WORK/$1.csv")
	[ -n "$l" ] || fail "$1: no request recorded"
	IFS=, read -r _ start end outcome _ _ bytes <<<"$l"
	[ "$start" -ge "$2" ] && [ "$end" -le "$3" ] ||
		fail "$1: ran $start..$end, outside its phase $2..$3"
	[ "$outcome $bytes" = "$4 $5" ] || fail "$1: $outcome with $bytes bytes, wanted $4 with $5"
	echo "$1: $outcome, $bytes bytes in $(((end - start) / 1000000)) ms"
}
phase p1 0 "$on" ok $big
phase p2-small "$on" "$off" ok $small
phase p2 "$on" "$off" timeout 0
phase p3 "$off" 9999999999999999 ok $big
phase p3-again "$off" 9999999999999999 ok $big
# What srv learned: during the fault c1's 1280 (learned before it), nothing for c2
# (its frag-needed were dropped); after it, 1280 for c2 and c3 as well.
cat "$d/srv.routes.out"
learned() { awk -v w="$1" -v c="$2" '$1 == w && $2 == c { print $3 }' "$d/srv.routes.out"; }
[ "$(learned during c1)" = 1280 ] || fail "srv had not learned c1's path MTU before the fault"
[ "$(learned during c2)" = - ] || fail "srv learned c2's path MTU through the black hole"
[ "$(learned after c2)" = 1280 ] || fail "srv did not learn c2's path MTU after the revert"
[ "$(learned after c3)" = 1280 ] || fail "srv did not learn c3's path MTU after the revert"
rt=$(grep '"src":"wire","ev":"retransmit"' "$ev" | grep '"node":"srv"' |
	sed 's/.*"t_ns":\([0-9]*\),.*/\1/' | awk -v lo="$on" -v hi="$off" '$1 >= lo + 0 && $1 < hi + 0' | wc -l)
echo "srv retransmissions on the wire during the fault: $rt"
[ "$rt" -ge 1 ] || fail "no retransmission by srv: the big transfer did not stall on full-size segments"
# On the wire: frag-needed seen by the observer, per phase, and where.
icmp() { grep '"src":"wire","ev":"icmp"' "$ev" | grep '"kind":"frag-needed"' |
	sed 's/.*"t_ns":\([0-9]*\),.*"node":"\([^"]*\)".*/\1 \2/' |
	awk -v lo="$1" -v hi="$2" '$1 >= lo + 0 && $1 < hi + 0 { n[$2]++ }
		END { for (k in n) printf "%s=%d ", k, n[k]; print "" }'; }
echo "frag-needed on the wire before: $(icmp 0 "$on")"
echo "frag-needed on the wire during: $(icmp "$on" "$off")"
echo "frag-needed on the wire after:  $(icmp "$off" 9999999999999999)"
[ -n "$(icmp 0 "$on" | tr -d ' ')" ] || fail "no frag-needed on the wire before the fault"
[ -n "$(icmp "$on" "$off" | tr -d ' ')" ] || fail "no frag-needed on the wire during the fault"
echo pass
