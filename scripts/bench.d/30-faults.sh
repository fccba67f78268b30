#!/usr/bin/env bash
# Fault timing: 1000 flaps (`every 20ms ... FAULT for 10ms`: 1000 applies, 1000
# reverts) on a 2-node lab, FAULT once a link down (netlink) and once a blackhole
# (nf_tables); from events.jsonl, how late each took effect (t_ns - sched_ns, t_ns
# being the kernel's ack) and how late it started (t_ns - took_ns - sched_ns): median,
# p99, max; once on the machine as it is ("quiet": its load average is printed) and once
# "loaded", beside two CPU hogs of the bench's own (`sh -c 'while :; do :; done'`, one
# per CPU of this machine; killed by pid after). Each run's events say
# whether the timeline ran at real-time priority (`"ev":"rt"`, tl_rt.c) and how many
# raises came late. Then the time to apply one fault of each kind (took_ns), median of
# 5 runs.
#
# Then fl-relay (lb/fl_relay.c), faultline's own frame path: two runs of a 2-node lab
# with relay_probe.c (built here) as `service ... exec` traffic in the nodes, each
# measurement in two windows of the same run, first with the relay out of the path
# (the plain bridge), then in it. Throughput (UDP 64-byte payloads as fast as the
# sender can, TCP bulk) and the round trip it adds with nothing to do: the grammar
# refuses `delay 0ms`, so `duplicate a.lan 0%` puts it in the path (every frame is
# selected, none is copied). The error of a configured delay: one-way delay at 10,000
# frames/s through `delay a.lan 20ms`, minus 20 ms. FAULT_BENCH_PARTS="relay" (or
# "timing kinds") runs a part alone, for a quick look.
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
	rt_of "$w/runs/latest/events.jsonl" >"$w/$1.rt"
}
# rt_of EVENTS: "fifo, 3 of 2000 raises late" or "other (why)"
rt_of() {
	local p r l
	p=$(sed -n 's/.*"ev":"rt","policy":"\([a-z]*\)".*/\1/p' "$1")
	if [ "$p" = fifo ]; then
		r=$(sed -n 's/.*"ev":"rt-raises","raises":\([0-9]*\).*/\1/p' "$1")
		l=$(sed -n 's/.*"ev":"rt-raises".*"late":\([0-9]*\).*/\1/p' "$1")
		echo "SCHED_FIFO, $l of $r raises late"
	else
		echo "${p:-?} ($(sed -n 's/.*"ev":"rt".*"error":"\([^"]*\)".*/\1/p' "$1"))"
	fi
}
hogs=()
hogs_start() {
	local i
	for i in 1 2; do
		sh -c 'while :; do :; done' &
		hogs+=($!)
	done
}
hogs_stop() {
	local p
	for p in "${hogs[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null || true; done
	hogs=()
}
trap hogs_stop EXIT
row() { echo "| $1 | $2 | $($2 "$w/$3.t" | pct 50) | $($2 "$w/$3.t" | pct 99) | $($2 "$w/$3.t" | pct 100) |"; }
parts=${FAULT_BENCH_PARTS:-timing kinds relay}
part() { case " $parts " in *" $1 "*) return 0 ;; esac; return 1; }
part timing || part kinds || part relay || exit 77
echo "## Faults: scheduled vs actual, apply cost, fl-relay"
if part timing; then
	echo
	load_q=$(cut -d' ' -f1-3 /proc/loadavg)
	flaps link 'link down a.lan'
	flaps nft 'blackhole a.lan'
	hogs_start
	load_h=$(cut -d' ' -f1-3 /proc/loadavg)
	flaps linkh 'link down a.lan'
	flaps nfth 'blackhole a.lan'
	hogs_stop
	echo "1000 flaps (\`every 20ms until 20s FAULT for 10ms\`) on a 2-node lab, FAULT"
	echo "\`link down a.lan\` (netlink) and \`blackhole a.lan\` (nf_tables): $(wc -l <"$w/link.t") and"
	echo "$(wc -l <"$w/nft.t") applies and reverts from events.jsonl. *effect* = kernel ack - scheduled,"
	echo "*start* = start of the apply - scheduled (the timer's own lateness). Target: effect"
	echo "p99 <= 1 ms, quiet and loaded. *quiet*: the machine as it was (load average"
	echo "$load_q before); *loaded*: beside two CPU hogs of the bench (\`sh -c 'while :; do :; done'\`,"
	echo "load average $load_h as they started). Timeline priority (the run's \`rt\` events):"
	echo "quiet $(cat "$w/link.rt") / $(cat "$w/nft.rt"); loaded $(cat "$w/linkh.rt") / $(cat "$w/nfth.rt")."
	echo
	echo "| fault | | median ms | p99 ms | max ms |"
	echo "|---|---|---|---|---|"
	row "link down, quiet" late link
	row "link down, quiet" start link
	row "blackhole, quiet" late nft
	row "blackhole, quiet" start nft
	row "link down, loaded" late linkh
	row "link down, loaded" start linkh
	row "blackhole, loaded" late nfth
	row "blackhole, loaded" start nfth
fi
if part kinds; then
	echo
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
fi
if part relay; then
	probe="$w/relay_probe"
	if ! cc -O2 -o "$probe" "$FL_TOP/scripts/bench.d/relay_probe.c" 2>"$w/cc.log"; then
		echo "bench faults: relay_probe.c does not build: $(head -1 "$w/cc.log")" >&2
		exit 1
	fi
	# kv FILE N KEY: the value of KEY in window N of a probe's output
	kv() {
		awk -v p="phase=$2" -v k="$3" '$1 == p {
			for (i = 2; i <= NF; i++) { split($i, a, "="); if (a[1] == k) print a[2] } }' "$1"
	}
	ms() { awk -v v="$1" -v s="${2:-0}" 'BEGIN { print (v - s) / 1000 }'; }
	# relayed RUN N: frames fl-relay read "from a / from the bridge" over fault instance N
	relayed() {
		grep '"ev":"revert","id":'"$2"',' "$1/events.jsonl" |
			sed -n 's/.*"out":{"frames":\([0-9]*\).*"in":{"frames":\([0-9]*\).*/\1 \/ \2/p'
	}
	relay_run() {
		cut -d' ' -f1-3 /proc/loadavg >"$w/$1.load"
		faultline run -q --run-dir "$w/runs" "$w/$1.scn" >/dev/null
		rm -rf "${w:?}/$1"
		cp -r "$(readlink -f "$w/runs/latest")" "$w/$1"
	}
	# 3 s windows; the relay is in the path over the second of each pair
	cat >"$w/relay0.scn" <<EOF
scenario fault-bench-relay0
duration 31s
network lan 198.18.5.0/24
node a on lan
node b on lan
service b exec "$probe udp-sink 5001 30.5" name usink
service b exec "$probe tcp-sink 5002 30.5" name tsink
service b exec "$probe echo 5003 30.5" name echo
service a exec "$probe udp-tx 198.18.5.2 5001 64 0 1:3,6:3" name utx
service a exec "$probe tcp-tx 198.18.5.2 5002 11:3,16:3" name ttx
service a exec "$probe rtt 198.18.5.2 5003 1000 21:3,26:3" name rtt
at 5s duplicate a.lan 0% for 5s
at 15s duplicate a.lan 0% for 5s
at 25s duplicate a.lan 0% for 5s
EOF
	cat >"$w/relay20.scn" <<EOF
scenario fault-bench-relay20
duration 11s
network lan 198.18.5.0/24
node a on lan
node b on lan
service b exec "$probe udp-sink 5001 10.5" name usink
service a exec "$probe udp-tx 198.18.5.2 5001 64 10000 1:3,6:3" name utx
at 5s delay a.lan 20ms for 5s
EOF
	relay_run relay0
	relay_run relay20
	r0=$w/relay0 r20=$w/relay20
	tx=$r0/a.utx.out sink=$r0/b.usink.out rtt=$r0/a.rtt.out d=$r20/b.usink.out
	echo
	echo "### fl-relay"
	echo
	echo "Two netns nodes a and b on one bridge, traffic from scripts/bench.d/relay_probe.c"
	echo "run as \`service ... exec\` in them. Each figure comes from two 3 s windows of one"
	echo "run: *bridge* with the relay out of the path, *relay* with it in. At 0 ms the fault"
	echo "is \`duplicate a.lan 0%\` (the grammar refuses \`delay 0ms\`): every frame is selected,"
	echo "none is copied. *relay read*: frames fl-relay read from a's port / from the bridge"
	echo "over that fault instance (the revert event's counters). Load average before the"
	echo "runs: $(cat "$w/relay0.load"), $(cat "$w/relay20.load") (the machine is shared)."
	echo
	echo "Throughput a -> b. UDP: 64 B payloads as fast as the sender can, Mbit/s of Ethernet"
	echo "frames (106 B), one-way delay median; TCP: one connection, Mbit/s of payload until"
	echo "the sink's close:"
	echo
	echo "| traffic | path | sent frames/s | received frames/s | Mbit/s | one-way median ms | relay read |"
	echo "|---|---|---|---|---|---|---|"
	for k in 0 1; do
		path=bridge rd=-
		[ $k = 1 ] && path=relay rd=$(relayed "$r0" 1)
		echo "| UDP 64 B | $path | $(kv "$tx" $k fps) | $(kv "$sink" $k fps) | $(kv "$sink" $k mbps) |" \
			"$(ms "$(kv "$sink" $k med_us)") | $rd |"
	done
	for k in 0 1; do
		path=bridge rd=-
		[ $k = 1 ] && path=relay rd=$(relayed "$r0" 2)
		echo "| TCP bulk | $path | | | $(kv "$r0/a.ttx.out" $k mbps) | | $rd |"
	done
	add=$(awk -v a="$(kv "$rtt" 1 med_us)" -v b="$(kv "$rtt" 0 med_us)" 'BEGIN { print a - b }')
	echo
	echo "Round trip a -> b -> a at 0 ms (UDP echo, 64 B, one probe at a time, 1000/s), µs:"
	echo
	echo "| path | probes | lost | median | p99 | max | relay read |"
	echo "|---|---|---|---|---|---|---|"
	for k in 0 1; do
		path=bridge rd=-
		[ $k = 1 ] && path=relay rd=$(relayed "$r0" 3)
		echo "| $path | $(kv "$rtt" $k probes) | $(kv "$rtt" $k lost) | $(kv "$rtt" $k med_us) |" \
			"$(kv "$rtt" $k p99_us) | $(kv "$rtt" $k max_us) | $rd |"
	done
	echo
	echo "Added by the relay: median $add µs; goal <= 100 µs" \
		"$(awk -v a="$add" 'BEGIN { print (a <= 100) ? "met" : "missed" }')."
	echo
	echo "Error of a configured delay: UDP a -> b, 64 B payloads at 10,000 frames/s, one-way"
	echo "delay (the sink's kernel receive stamp - the sender's stamp, one clock) with the"
	echo "bridge, then through \`delay a.lan 20ms\` less 20 ms; ms:"
	echo
	echo "| path | frames sent / received | median | p99 | max | relay read |"
	echo "|---|---|---|---|---|---|"
	echo "| bridge | $(kv "$r20/a.utx.out" 0 sent) / $(kv "$d" 0 frames) | $(ms "$(kv "$d" 0 med_us)") |" \
		"$(ms "$(kv "$d" 0 p99_us)") | $(ms "$(kv "$d" 0 max_us)") | - |"
	echo "| relay, less 20 ms | $(kv "$r20/a.utx.out" 1 sent) / $(kv "$d" 1 frames) |" \
		"$(ms "$(kv "$d" 1 med_us)" 20000) | $(ms "$(kv "$d" 1 p99_us)" 20000) |" \
		"$(ms "$(kv "$d" 1 max_us)" 20000) | $(relayed "$r20" 1) |"
	p99=$(ms "$(kv "$d" 1 p99_us)" 20000)
	echo
	echo "p99 error $p99 ms; goal <= 1 ms $(awk -v a="$p99" 'BEGIN { print (a <= 1) ? "met" : "missed" }')."
fi
