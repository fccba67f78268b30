# SIGINT and SIGTERM in the middle of a run: faultline stops its services, tears the
# lab down, says so, and exits 128+signal; nothing of the run is left.
. "$FL_TOP/tests/integration/lib.sh"
mark=$((6000 + $$ % 1000))
f=$(scn lab_signals <<EOF
scenario lab-signals
duration 60s
network lan 198.18.0.0/24
node a on lan
node b on lan
service a exec "sleep $mark.1 & sleep $mark.2; wait"
service b exec "trap '' TERM; sleep $mark.3"
EOF
)
for sig in INT TERM; do
	runs="$FL_WORK/runs-$sig"
	faultline run --run-dir "$runs" "$f" 2>"$FL_WORK/err-$sig" &
	pid=$!
	for _ in $(seq 1 100); do
		grep -q '"ev":"t0"' "$runs"/latest/events.jsonl 2>/dev/null && break
		sleep 0.05
	done
	pgrep -f "sleep $mark.3" >/dev/null || fail "$sig: services not running"
	start=$(date +%s%N)
	kill -$sig $pid
	wait $pid
	rc=$?
	ms=$((($(date +%s%N) - start) / 1000000))
	want=$((128 + $(kill -l $sig)))
	[ $rc = $want ] || fail "SIG$sig: exit $rc, wanted $want"
	grep -q "interrupted" "$FL_WORK/err-$sig" || fail "SIG$sig: no word about the interruption"
	grep -q '"ev":"end","interrupted":true' "$runs"/latest/events.jsonl || fail "SIG$sig: no end event"
	# b ignores SIGTERM: it must have been killed after the grace period
	grep -q '"src":"b","ev":"exit".*"signal":9' "$runs"/latest/events.jsonl ||
		fail "SIG$sig: b (ignoring SIGTERM) was not killed"
	pgrep -f "sleep $mark" && fail "SIG$sig: a service process is left"
	ls -d /sys/fs/cgroup/freezer/faultline/$pid-* 2>/dev/null && fail "SIG$sig: cgroup left"
	pgrep -f "faultline run --run-dir $runs " && fail "SIG$sig: a faultline process is left"
	echo "SIG$sig: exit $rc after $ms ms, nothing left"
done
echo ok
