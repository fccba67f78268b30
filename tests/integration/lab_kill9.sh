# kill -9 of faultline at several instants (while building, just after, mid-run, with a
# node frozen) leaves nothing: no process of the run (fl-relay, in the path from t0,
# included), no cgroup, and (checked by the runner) the host's links, addresses,
# routes and rules unchanged.
. "$FL_TOP/tests/integration/lib.sh"
[ -d /sys/fs/cgroup/freezer ] || skip "no cgroup v1 freezer"
mark=$((7000 + $$ % 1000))
{
	echo "scenario lab-kill9"
	echo "duration 60s"
	echo "network lan 198.18.0.0/22"
	for i in $(seq 1 80); do echo "node n$i on lan"; done
	echo "service n1 exec \"sleep $mark.1 & sleep $mark.2; wait\""
	echo "service n2 exec \"sleep $mark.3\""
	echo "at 0s delay n2.lan 10ms" # fl-relay in the path from t0
} >"$FL_WORK/lab_kill9.scn"

# wait_gone WHAT CMD...: poll until CMD fails (nothing found), up to 5 s
wait_gone() {
	local what=$1; shift
	for _ in $(seq 1 100); do "$@" >/dev/null 2>&1 || return 0; sleep 0.05; done
	fail "$what still there 5 s after kill -9"
}
cg_of() { ls -d /sys/fs/cgroup/freezer/faultline/"$1"-* 2>/dev/null; }

one() { # one INSTANT: start a run, kill -9 it at INSTANT (seconds, or t0, or frozen)
	local when=$1 runs="$FL_WORK/runs-$1"
	faultline run -q --run-dir "$runs" "$FL_WORK/lab_kill9.scn" &
	local pid=$!
	case $when in
	t0 | frozen)
		for _ in $(seq 1 200); do
			grep -q '"ev":"t0"' "$runs"/latest/events.jsonl 2>/dev/null && break
			sleep 0.05
		done
		grep -q '"ev":"t0"' "$runs"/latest/events.jsonl || fail "$when: run never reached t0"
		pgrep -f "sleep $mark.2" >/dev/null || fail "$when: services not running"
		[ -n "$(cg_of $pid)" ] || fail "$when: no cgroup for the run"
		relay=$(pgrep -P $pid -x fl-relay) || fail "$when: no fl-relay under faultline"
		grep -q '"ev":"apply".*"path":"relay"' "$runs"/latest/events.jsonl ||
			sleep 0.1 # the delay fires at t0: give it a moment
		if [ "$when" = frozen ]; then
			echo FROZEN >"$(cg_of $pid)/n1/freezer.state"
			sleep 0.2
			grep -q FROZEN "$(cg_of $pid)/n1/freezer.state" || fail "could not freeze n1"
		fi
		;;
	*) sleep "$when" ;;
	esac
	kill -9 $pid
	killed="$killed $pid"
	wait $pid 2>/dev/null
	wait_gone "a service process" pgrep -f "sleep $mark"
	wait_gone "the reaper / faultline" pgrep -f "faultline run -q --run-dir $runs "
	wait_gone "the run's cgroup" cg_of $pid
	[ -z "${relay:-}" ] || wait_gone "fl-relay ($relay)" kill -0 "$relay"
	relay=
	echo "kill -9 at $when: nothing left"
}
killed= relay=
for w in 0.01 0.05 0.15 t0 frozen; do one $w; done
# other runs may be going on at the same time: only what was ours must be gone
out=$(faultline cleanup) || fail "faultline cleanup exited $?"
for p in $killed; do
	echo "$out" | grep -q "faultline/$p-" && fail "cleanup found a cgroup of a killed run: $out"
done
echo ok
