#!/usr/bin/env bash
# Fault timing: 1000 link flaps (`every 20ms ... link down a.lan for 10ms`, so 1000
# applies and 1000 reverts) on a 2-node lab; from events.jsonl, how late each took
# effect (t_ns - sched_ns, t_ns being the kernel's ack) and how late it started
# (t_ns - took_ns - sched_ns): median, p99, max. Then the time to apply one fault of
# each kind (took_ns), median of 5 runs.
set -eu
w=${BENCH_WORK:-$(mktemp -d)}
pct() { sort -n | awk -v p="$1" '{a[NR]=$1} END {i=int(NR*p/100+0.999); if (i<1) i=1; print a[i]}'; }
cat >"$w/flaps.scn" <<'EOF'
scenario fault-bench-flaps
duration 20500ms
network lan 198.18.5.0/24
node a on lan
node b on lan
every 20ms until 20s link down a.lan for 10ms
EOF
faultline run -q --run-dir "$w/runs" "$w/flaps.scn" >/dev/null
ev="$w/runs/latest/events.jsonl"
grep '"src":"timeline","ev":"\(apply\|revert\)"' "$ev" |
	sed 's/.*"t_ns":\([0-9]*\),.*"sched_ns":\([0-9]*\),"took_ns":\([0-9]*\).*/\1 \2 \3/' >"$w/t"
n=$(wc -l <"$w/t")
late() { awk '{print ($1 - $2) / 1e6}' "$w/t"; }
start() { awk '{print ($1 - $3 - $2) / 1e6}' "$w/t"; }
echo "## Faults: scheduled vs actual, apply cost"
echo
echo "1000 link flaps (\`every 20ms until 20s link down a.lan for 10ms\`) on a 2-node"
echo "lab: $n applies and reverts from events.jsonl. *effect* = kernel ack - scheduled,"
echo "*start* = start of the apply - scheduled (the timer's own lateness). Target: p99 <= 2 ms."
echo
echo "| | median ms | p99 ms | max ms |"
echo "|---|---|---|---|"
echo "| effect | $(late | pct 50) | $(late | pct 99) | $(late | pct 100) |"
echo "| start | $(start | pct 50) | $(start | pct 99) | $(start | pct 100) |"
cat >"$w/kinds.scn" <<'EOF'
scenario fault-bench-kinds
duration 1500ms
network lan 198.18.5.0/24
node a on lan
node b on lan
node c on lan
service b exec "sleep 10" name x
at 100ms link down a.lan for 50ms
at 200ms blackhole a.lan for 50ms
at 300ms loss a.lan 30% for 50ms
at 400ms partition a / b for 50ms
at 500ms pmtu-blackhole lan for 50ms
at 600ms mtu a.lan 1000 for 50ms
at 700ms stall c for 50ms
at 800ms kill b x for 50ms
EOF
: >"$w/k"
for i in 1 2 3 4 5; do
	faultline run -q --run-dir "$w/runs" "$w/kinds.scn" >/dev/null
	grep '"src":"timeline","ev":"\(apply\|revert\)"' "$w/runs/latest/events.jsonl" |
		sed 's/.*"ev":"\([a-z]*\)",.*"fault":"\([a-z -]*\)".*"took_ns":\([0-9]*\).*/\2|\1|\3/' >>"$w/k"
done
echo
echo "Time to apply / revert one fault (took_ns, median of 5 runs, ms):"
echo
echo "| fault | apply | revert | mechanism |"
echo "|---|---|---|---|"
for k in "link down|netlink IFF_UP" "blackhole|nft chain" "loss|nft chain" "partition|nft chain" \
	"pmtu-blackhole|nft chain" "mtu|netlink IFLA_MTU" "stall|cgroup freezer" "kill|signal (restart on revert)"; do
	name=${k%%|*} mech=${k#*|}
	a=$(awk -F'|' -v k="$name" '$1==k && $2=="apply" {print $3/1e6}' "$w/k" | pct 50)
	r=$(awk -F'|' -v k="$name" '$1==k && $2=="revert" {print $3/1e6}' "$w/k" | pct 50)
	echo "| $name | $a | $r | $mech |"
done
