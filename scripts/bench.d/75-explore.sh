#!/usr/bin/env bash
# Seeds per minute: `faultline explore` of a 20 s netns scenario (an fl-lb pair, two
# backends, a client at 50 requests/s, random stalls and heartbeat cuts) over
# EXPLORE_SEEDS seeds (default 8) at --jobs 1, 2, 4 and 8. Wall time of each explore,
# and seeds per minute (seeds / wall minutes).
set -eu
w=${BENCH_WORK:?}
n=${EXPLORE_SEEDS:-8}
cat >"$w/seeds.scn" <<'S'
scenario seeds-bench
duration 20s
network public  198.18.0.0/24
network private 198.18.1.0/24
node lb1 on public private
node lb2 on public private
node web1 on private
node web2 on private
node client on public
service web1 web
service web2 web
service lb1 lb vip 198.18.0.100 backends web1 web2 priority 150 advert 100ms heartbeat private,public ha safe
service lb2 lb vip 198.18.0.100 backends web1 web2 priority 100 advert 100ms heartbeat private,public ha safe
service client load http://198.18.0.100/ rate 50/s timeout 2s
random 360/h from 2s until 18s stall lb1 for 1s..2s
random 360/h from 2s until 18s link down lb1.private for 500ms..1500ms
expect split-brain == 0s
S
echo "## explore: seeds per minute"
echo
echo "\`faultline explore seeds.scn --seeds 1-$n --jobs J\`: a 20 s netns scenario (an fl-lb"
echo "pair in ha safe, two backends, 50 requests/s, random stalls and heartbeat cuts), $n"
echo "seeds; wall time from start to the summary."
echo
echo "| --jobs | wall s | seeds per minute |"
echo "|---|---|---|"
for j in 1 2 4 8; do
	t0=$EPOCHREALTIME
	faultline explore -q --seeds "1-$n" --jobs "$j" --run-dir "$w/runs" "$w/seeds.scn" >/dev/null 2>&1 || true
	t1=$EPOCHREALTIME
	rm -rf "$w/runs"
	awk -v a="$t0" -v b="$t1" -v n="$n" -v j="$j" \
		'BEGIN { s = b - a; printf "| %d | %.1f | %.1f |\n", j, s, n * 60 / s }'
done
