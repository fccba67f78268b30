#!/usr/bin/env bash
# Lab up + down, side by side in one run: faultline, the kernel's own floor for the
# same work (lab_floor.c: the same namespaces, bridge, veth pairs, addresses and links
# as bare syscalls and pipelined rtnetlink, on one thread and on two), and Mininet.
#
# faultline: `faultline run -q --time-lab` of a generated scenario with N netns nodes on
# one network and a 1 ms timeline, timed from process start to process exit (teardown
# included). The floor is timed the same way. Every run starts on a settled kernel:
# `lab_floor settle` first waits until the kernel has destroyed the namespaces of the
# run before (it does that asynchronously, after the last fd is closed), and how long
# that took is reported too, as "kernel settle". Runs of the three take turns, so they
# share the moment. 5 runs each, medians (LAB_BENCH_RUNS, LAB_BENCH_NODES="10 100 1000"
# change that for a quick look).
set -eu
runs=${LAB_BENCH_RUNS:-5}
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p"; }
gen() {
	echo "scenario lab-bench-$1"
	echo "duration 1ms"
	echo "network lan 198.18.0.0/16"
	for i in $(seq 1 "$1"); do echo "node n$i on lan"; done
}
floor="$BENCH_WORK/lab_floor"
# shellcheck disable=SC2046
if ! cc -O2 -o "$floor" "$FL_TOP/scripts/bench.d/lab_floor.c" \
	$(pkg-config --cflags --libs libmnl 2>/dev/null || echo -lmnl) -lpthread 2>"$BENCH_WORK/cc.log"; then
	echo "bench lab: lab_floor.c does not build: $(head -1 "$BENCH_WORK/cc.log")" >&2
	exit 1
fi
settle() { "$floor" settle | field ms; }

# Mininet runs inside a throwaway network namespace (unshare -n) so that its root-
# namespace bridge and links never touch the host, and with its fixLimits() disabled so
# that no host-wide sysctl is raised. Otherwise it does what
# `mn --topo single,N --switch lxbr --controller none --test none` does: build, start,
# stop. Debian: apt-get install mininet bridge-utils.
mnpy=/usr/bin/python3
have_mn=0
if [ -x "$mnpy" ] && "$mnpy" -c 'import mininet.net' 2>/dev/null && command -v brctl >/dev/null; then
	have_mn=1
	cat >"$BENCH_WORK/mn.py" <<'EOF'
import sys
import mininet.net
from mininet.net import Mininet
from mininet.nodelib import LinuxBridge
from mininet.topo import SingleSwitchTopo
mininet.net.fixLimits = lambda: None
net = Mininet(topo=SingleSwitchTopo(int(sys.argv[1])), switch=LinuxBridge, controller=None)
net.start()
net.stop()
EOF
fi
mn_fail=""

# one run of each, in turn; appends to the arrays of size $n
run_round() {
	local n=$1 f=$2 s t
	settle >/dev/null
	s=$(date +%s%N)
	t=$(faultline run -q --time-lab --run-dir "$BENCH_WORK/runs" "$f" 2>&1 >/dev/null | grep '^lab-timing:')
	fl_tot+=("$(ms_since "$s")") fl_up+=("$(echo "$t" | field up_ms)") fl_down+=("$(echo "$t" | field down_ms)")
	fl_settle+=("$(settle)")
	s=$(date +%s%N)
	t=$("$floor" -j 1 "$n" 2>/dev/null)
	f1_tot+=("$(ms_since "$s")") f1_up+=("$(echo "$t" | field up_ms)") f1_down+=("$(echo "$t" | field down_ms)")
	f1_settle+=("$(settle)")
	s=$(date +%s%N)
	"$floor" -j 2 "$n" >/dev/null 2>&1
	f2_tot+=("$(ms_since "$s")")
	settle >/dev/null
	if [ $have_mn = 1 ] && [ "$n" -le 100 ] && [ -z "$mn_fail" ] && [ "$3" -le 3 ]; then
		s=$(date +%s%N)
		if timeout 300 unshare -n "$mnpy" "$BENCH_WORK/mn.py" "$n" >"$BENCH_WORK/mn.log" 2>&1; then
			mn_tot+=("$(ms_since "$s")")
		else
			mn_fail=$(tail -1 "$BENCH_WORK/mn.log")
		fi
	fi
}
med() { printf '%s\n' "$@" | median; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }

echo "## Lab up + down (netns nodes on one network), against the kernel's floor and Mininet"
echo
echo "Command: \`scripts/bench lab\`. *faultline*: \`faultline run -q --time-lab lab-bench-N.scn\`"
echo "(N netns nodes on one bridge, \`duration 1ms\`). *floor*: \`lab_floor N\`"
echo "(scripts/bench.d/lab_floor.c, built by the bench with cc and libmnl): the same"
echo "namespaces, bridge, veth pairs, addresses and links up, then every fd closed, as bare"
echo "syscalls and pipelined rtnetlink with nothing else; *floor -j2* does it from two"
echo "threads. *Mininet*: \`mn --topo single,N --switch lxbr\`, no controller. Each is wall"
echo "time from process start to exit, teardown included, median of $runs ($((runs < 3 ? runs : 3)) for"
echo "Mininet), taking turns, each run on a settled kernel."
echo
echo "*down* ends when the last namespace fd is closed. The kernel then destroys the"
echo "namespaces asynchronously (netns workqueue); *kernel settle* is how long that took"
echo "after the run (\`lab_floor settle\`: a probe namespace released after the run is"
echo "destroyed in order behind them), and it is waited for before the next run starts."
echo "The workqueue is the whole machine's: on a shared machine, other users' namespaces"
echo "are in it too. A run started before it drains is slowed by it (it holds the same"
echo "kernel locks), which is why each run waits."
echo
echo "| nodes | floor | floor -j2 | faultline | faultline / floor | Mininet | Mininet / faultline | kernel settle after faultline / floor | target |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---|"
details=()
for n in ${LAB_BENCH_NODES:-10 100 1000}; do
	f="$BENCH_WORK/lab-bench-$n.scn"
	gen "$n" >"$f"
	fl_tot=() fl_up=() fl_down=() fl_settle=() f1_tot=() f1_up=() f1_down=() f1_settle=()
	f2_tot=() mn_tot=()
	for k in $(seq 1 $runs); do run_round "$n" "$f" "$k"; done
	fl=$(med "${fl_tot[@]}") f1=$(med "${f1_tot[@]}") f2=$(med "${f2_tot[@]}")
	best=$(awk -v a="$f1" -v b="$f2" 'BEGIN { print (b < a) ? b : a }')
	mn="-" mnr="-"
	if [ ${#mn_tot[@]} -gt 0 ]; then
		mn="$(med "${mn_tot[@]}") ms"
		mnr="$(ratio "$(med "${mn_tot[@]}")" "$fl")×"
	fi
	case $n in 100) target="Mininet / faultline ≥ 50" ;; 1000) target="faultline ≤ 1000 ms, ≤ 1.5× floor" ;; *) target="" ;; esac
	printf '| %d | %s ms | %s ms | %s ms | %s× | %s | %s | %s / %s ms | %s |\n' "$n" "$f1" "$f2" \
		"$fl" "$(ratio "$fl" "$best")" "$mn" "$mnr" "$(med "${fl_settle[@]}")" \
		"$(med "${f1_settle[@]}")" "$target"
	details+=("| $n | ${fl_tot[*]} | $(med "${fl_up[@]}") / $(med "${fl_down[@]}") | ${f1_tot[*]} | $(med "${f1_up[@]}") / $(med "${f1_down[@]}") | ${f2_tot[*]} | ${mn_tot[*]:-} |")
done
echo
echo "*faultline / floor* divides by the faster of the two floors. Every run, and the"
echo "up / down split each reports itself (medians; faultline's from --time-lab):"
echo
echo "| nodes | faultline runs (ms) | faultline up / down | floor runs | floor up / down | floor -j2 runs | Mininet runs |"
echo "|---:|---|---|---|---|---|---|"
printf '%s\n' "${details[@]}"
echo
if [ $have_mn = 1 ]; then
	if [ -n "$mn_fail" ]; then
		echo "Mininet $(dpkg-query -W -f='${Version}' mininet 2>/dev/null): failed here: $mn_fail"
	else
		echo "Mininet $(dpkg-query -W -f='${Version}' mininet 2>/dev/null) (not run at 1000 nodes: minutes a run)."
	fi
else
	echo "Mininet: not measured (not installed, or bridge-utils missing; Debian: apt-get install mininet bridge-utils)."
fi
