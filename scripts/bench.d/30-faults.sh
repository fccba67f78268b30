#!/usr/bin/env bash
# Fault timing: 1000 flaps (`every 20ms ... FAULT for 10ms`: 1000 applies, 1000
# reverts) on a 2-node lab, FAULT once a link down (netlink) and once a blackhole
# (nf_tables); from events.jsonl, how late each took effect (t_ns - sched_ns, t_ns
# being the kernel's ack) and how late it started (t_ns - took_ns - sched_ns): median,
# p99, max. Then the time to apply one fault of each kind (took_ns), median of 5 runs.
set -eu
w=${BENCH_WORK:-$(mktemp -d)}
pct() { sort -n | awk -v p="$1" '{a[NR]=$1} END {i=int(NR*p/100+0.999); if (i<1) i=1; print a[i]}'; }
late() { awk '{print ($1 - $2) / 1e6}' "$1"; }
start() { awk '{print ($1 - $3 - $2) / 1e6}' "$1"; }
# flaps NAME FAULT: FAULT every 20 ms for 10 ms; "t_ns sched_ns took_ns" of every
# apply and revert into $w/NAME.t
flaps() {
	cat >"$w/$1.scn" <<EOF
scenario fault-bench-$1
duration 20500ms
network lan 198.18.5.0/24
node a on lan
node b on lan
every 20ms until 20s $2 for 10ms
EOF
	faultline run -q --run-dir "$w/runs" "$w/$1.scn" >/dev/null
	grep '"src":"timeline","ev":"\(apply\|revert\)"' "$w/runs/latest/events.jsonl" |
		sed 's/.*"t_ns":\([0-9]*\),.*"sched_ns":\([0-9]*\),"took_ns":\([0-9]*\).*/\1 \2 \3/' >"$w/$1.t"
}
row() { echo "| $1 | $2 | $($2 "$w/$3.t" | pct 50) | $($2 "$w/$3.t" | pct 99) | $($2 "$w/$3.t" | pct 100) |"; }
flaps link 'link down a.lan'
flaps nft 'blackhole a.lan'
echo "## Faults: scheduled vs actual, apply cost"
echo
echo "1000 flaps (\`every 20ms until 20s FAULT for 10ms\`) on a 2-node lab, FAULT"
echo "\`link down a.lan\` (netlink) and \`blackhole a.lan\` (nf_tables): $(wc -l <"$w/link.t") and"
echo "$(wc -l <"$w/nft.t") applies and reverts from events.jsonl. *effect* = kernel ack - scheduled,"
echo "*start* = start of the apply - scheduled (the timer's own lateness). Target: effect"
echo "p99 <= 2 ms."
echo
echo "| fault | | median ms | p99 ms | max ms |"
echo "|---|---|---|---|---|"
row "link down" late link
row "link down" start link
row blackhole late nft
row blackhole start nft
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
for k in "link down|netlink IFF_UP" "blackhole|nft batch (libnftnl)" "loss|nft batch (libnftnl)" "partition|nft batch (libnftnl)" \
	"pmtu-blackhole|nft batch (libnftnl)" "mtu|netlink IFLA_MTU" "stall|cgroup freezer" "kill|signal (restart on revert)"; do
	name=${k%%|*} mech=${k#*|}
	a=$(awk -F'|' -v k="$name" '$1==k && $2=="apply" {print $3/1e6}' "$w/k" | pct 50)
	r=$(awk -F'|' -v k="$name" '$1==k && $2=="revert" {print $3/1e6}' "$w/k" | pct 50)
	echo "| $name | $a | $r | $mech |"
done
