#!/usr/bin/env bash
# Lab up + down: `faultline run` of a generated scenario with N netns nodes on one
# network and a 1 ms timeline, timed from process start to process exit (teardown
# included), 5 runs each, median. Also the split faultline reports (--time-lab).
# Mininet's `mn --topo single,100 --switch lxbr` is measured beside it when installed.
set -eu
runs=5
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
gen() {
	echo "scenario lab-bench-$1"
	echo "duration 1ms"
	echo "network lan 198.18.0.0/16"
	for i in $(seq 1 "$1"); do echo "node n$i on lan"; done
}
echo "## Lab up + down (netns nodes on one network)"
echo
echo "Command: \`faultline run -q --time-lab lab-bench-N.scn\` (N netns nodes on one"
echo "bridge, \`duration 1ms\`), wall time from process start to exit, teardown included;"
echo "median of $runs. *up* and *down* are faultline's own split (--time-lab)."
echo
echo "| nodes | total (median) | up | down | all $runs totals (ms) | target |"
echo "|---:|---:|---:|---:|---|---|"
for n in 10 100 1000; do
	f="$BENCH_WORK/lab-bench-$n.scn"
	gen "$n" >"$f"
	totals=() ups=() downs=()
	for _ in $(seq 1 $runs); do
		s=$(date +%s%N)
		t=$(faultline run -q --time-lab --run-dir "$BENCH_WORK/runs" "$f" 2>&1 >/dev/null |
			grep '^lab-timing:')
		e=$(date +%s%N)
		totals+=("$(((e - s) / 1000000))")
		ups+=("$(echo "$t" | sed 's/.*up_ms=\([0-9.]*\).*/\1/')")
		downs+=("$(echo "$t" | sed 's/.*down_ms=\([0-9.]*\).*/\1/')")
	done
	case $n in 100) target="≤ 300 ms" ;; 1000) target="≤ 3000 ms" ;; *) target="" ;; esac
	printf '| %d | %s ms | %s ms | %s ms | %s | %s |\n' "$n" \
		"$(printf '%s\n' "${totals[@]}" | median)" "$(printf '%s\n' "${ups[@]}" | median)" \
		"$(printf '%s\n' "${downs[@]}" | median)" "${totals[*]}" "$target"
done
echo
echo "The kernel frees the namespaces of a run asynchronously after faultline exits"
echo "(cleanup_net); that work is not in these figures, as no one waits for it."
echo
# Mininet runs inside a throwaway network namespace (unshare -n) so that its root-
# namespace bridge and links never touch the host, and with its fixLimits() disabled so
# that no host-wide sysctl is raised. Otherwise it does what
# `mn --topo single,100 --switch lxbr --controller none --test none` does: build, start,
# stop.
mnpy=/usr/bin/python3
if [ -x "$mnpy" ] && "$mnpy" -c 'import mininet.net' 2>/dev/null && command -v brctl >/dev/null; then
	cat >"$BENCH_WORK/mn.py" <<'EOF'
import mininet.net
from mininet.net import Mininet
from mininet.nodelib import LinuxBridge
from mininet.topo import SingleSwitchTopo
mininet.net.fixLimits = lambda: None
net = Mininet(topo=SingleSwitchTopo(100), switch=LinuxBridge, controller=None)
net.start()
net.stop()
EOF
	mt=()
	for _ in 1 2 3; do
		s=$(date +%s%N)
		if ! timeout 300 unshare -n "$mnpy" "$BENCH_WORK/mn.py" >"$BENCH_WORK/mn.log" 2>&1; then
			mt=()
			break
		fi
		e=$(date +%s%N)
		mt+=("$(((e - s) / 1000000))")
	done
	if [ ${#mt[@]} -gt 0 ]; then
		echo "Mininet $(dpkg-query -W -f='${Version}' mininet 2>/dev/null) beside it, same machine and"
		echo "moment, 100 hosts on one Linux bridge (single,100 / lxbr / no controller), up +"
		echo "down, in a throwaway namespace: median $(printf '%s\n' "${mt[@]}" | median) ms (runs: ${mt[*]} ms)."
	else
		echo "Mininet: installed but failed here: $(tail -1 "$BENCH_WORK/mn.log")"
	fi
else
	echo "Mininet: not measured (not installed, or bridge-utils missing)."
fi
